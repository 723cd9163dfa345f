// Dense: hand-computed forward, finite-difference gradients (inputs, kernel, bias; fused
// activations, activity regularizer, rank-3 input), weight regularization, config round trip,
// errors naming the node, and reuse of the internal buffers.
#include <QtTest>

#include "engine/layers/Dense.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {
// kernel (2, 3) = [[1, 0, -1], [0.5, 1, 2]], bias (3) = [0.1, 0.2, 0.3]
void setWeights(Layer& l) {
  l.variables()[0].value = Tensor({2, 3}, {1, 0, -1, 0.5f, 1, 2});
  if (l.variables().size() > 1) l.variables()[1].value = Tensor({3}, {0.1f, 0.2f, 0.3f});
}
}  // namespace

class TestDense : public QObject {
  Q_OBJECT
 private slots:
  void forwardByHand() {
    auto d = makeBuilt("Dense", {{"units", 3}}, {{kNone, 2}});
    QCOMPARE(d->variables().size(), size_t(2));
    QCOMPARE(d->variables()[0].name, std::string("kernel"));
    QCOMPARE(d->variables()[0].value.shape(), Shape({2, 3}));
    QCOMPARE(d->variables()[1].name, std::string("bias"));
    QCOMPARE(d->parameterCount(), Index(9));
    setWeights(*d);
    // [1, 2] -> [1 + 1 + .1, 0 + 2 + .2, -1 + 4 + .3]; [3, 4] -> [5.1, 4.2, 5.3]
    Tensor y = runForward(*d, {Tensor({2, 2}, {1, 2, 3, 4})});
    QCOMPARE(y.shape(), Shape({2, 3}));
    QVERIFY(near(y, {2.1f, 2.2f, 3.3f, 5.1f, 4.2f, 5.3f}));

    auto r = makeBuilt("Dense", {{"units", 3}, {"activation", "relu"}, {"use_bias", false}},
                       {{kNone, 2}});
    QCOMPARE(r->variables().size(), size_t(1));
    setWeights(*r);
    QVERIFY(near(runForward(*r, {Tensor({1, 2}, {-1, 1})}), {0.0f, 1.0f, 3.0f}));

    auto s = makeBuilt("Dense", {{"units", 3}, {"activation", "softmax"}}, {{kNone, 2}});
    setWeights(*s);
    // z = [2.1, 2.2, 3.3]
    double e0 = std::exp(2.1), e1 = std::exp(2.2), e2 = std::exp(3.3), sum = e0 + e1 + e2;
    QVERIFY(near(runForward(*s, {Tensor({1, 2}, {1, 2})}),
                 {float(e0 / sum), float(e1 / sum), float(e2 / sum)}));
  }

  void rank3InputUsesLastAxis() {
    auto d = makeBuilt("Dense", {{"units", 3}}, {{kNone, 4, 2}});
    QCOMPARE(d->outputShape({{kNone, 4, 2}}), Shape({kNone, 4, 3}));
    setWeights(*d);
    Rng rng(5);
    Tensor x = randomTensor({2, 4, 2}, rng);
    Tensor y = runForward(*d, {x});
    QCOMPARE(y.shape(), Shape({2, 4, 3}));
    auto d2 = makeBuilt("Dense", {{"units", 3}}, {{kNone, 2}});
    setWeights(*d2);
    Tensor y2 = runForward(*d2, {Tensor({8, 2}, x.toVector())});
    QCOMPARE(y.toVector(), y2.toVector());
  }

  void gradients_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("shape");
    QTest::newRow("linear") << R"({"units": 4})"
                            << "2,3";
    QTest::newRow("selu") << R"({"units": 4, "activation": "selu"})"
                          << "3,5";
    QTest::newRow("softmax") << R"({"units": 4, "activation": "softmax"})"
                             << "3,5";
    QTest::newRow("tanh_nobias") << R"({"units": 3, "activation": "tanh", "use_bias": false})"
                                 << "2,4";
    QTest::newRow("gelu") << R"({"units": 3, "activation": "gelu"})"
                          << "2,4";
    QTest::newRow("rank3_sigmoid") << R"({"units": 3, "activation": "sigmoid"})"
                                   << "2,3,4";
    QTest::newRow("activity_l1l2_linear")
        << R"({"units": 3, "activity_regularizer": {"class_name": "L1L2",
              "config": {"l1": 0.01, "l2": 0.02}}})"
        << "4,3";
    QTest::newRow("activity_l2_elu")
        << R"({"units": 3, "activation": "elu", "activity_regularizer": "l2"})"
        << "4,3";
  }
  void gradients() {
    QFETCH(QString, config);
    QFETCH(QString, shape);
    Shape s;
    for (const auto& p : shape.split(',')) s.push_back(p.toLongLong());
    Shape in = s;
    in[0] = kNone;
    auto d = makeBuilt("Dense", json::parse(config.toStdString()), {in}, 3);
    // non-zero biases so that the bias path is exercised
    if (d->variables().size() > 1)
      for (Index i = 0; i < d->variables()[1].value.size(); ++i)
        d->variables()[1].value[i] = 0.1f * float(i) - 0.1f;
    Rng rng(9);
    QVERIFY(checkLayerGradients(*d, {randomTensor(s, rng)}));
  }

  void weightRegularization() {
    auto d = makeBuilt(
        "Dense",
        {{"units", 3},
         {"kernel_regularizer", {{"class_name", "L1L2"}, {"config", {{"l1", 0.1}, {"l2", 0.5}}}}},
         {"bias_regularizer", {{"class_name", "L2"}, {"config", {{"l2", 1.0}}}}}},
        {{kNone, 2}});
    setWeights(*d);
    // kernel: 0.1 * (1 + 0 + 1 + .5 + 1 + 2) + 0.5 * (1 + 0 + 1 + .25 + 1 + 4) = .55 + 3.625
    // bias: 1.0 * (.01 + .04 + .09) = .14
    QVERIFY(std::fabs(d->regularization(false) - (0.55 + 3.625 + 0.14)) < 1e-5);
    for (auto& v : d->variables()) v.grad.setZero();
    d->regularization(true);
    // d/dw = 0.1 sign(w) + 2 * 0.5 w
    QVERIFY(near(d->variables()[0].grad, {1.1f, 0.0f, -1.1f, 0.6f, 1.1f, 2.1f}));
    QVERIFY(near(d->variables()[1].grad, {0.2f, 0.4f, 0.6f}));
  }

  void activityPenaltyIsPerBatch() {
    auto d = makeBuilt("Dense", {{"units", 3}, {"activity_regularizer", "l1"}}, {{kNone, 2}});
    setWeights(*d);
    double added = 0;
    runForward(*d, {Tensor({2, 2}, {1, 2, 3, 4})}, false, &added);
    // 0.01 * sum|y| / N, y = [2.1, 2.2, 3.3, 5.1, 4.2, 5.3]
    QVERIFY(std::fabs(added - 0.01 * 22.2 / 2) < 1e-6);
  }

  void initializersAreReproducible() {
    auto a = makeBuilt("Dense", {{"units", 5}}, {{kNone, 7}}, 42);
    auto b = makeBuilt("Dense", {{"units", 5}}, {{kNone, 7}}, 42);
    auto c = makeBuilt("Dense", {{"units", 5}}, {{kNone, 7}}, 43);
    QCOMPARE(a->variables()[0].value.toVector(), b->variables()[0].value.toVector());
    QVERIFY(a->variables()[0].value.toVector() != c->variables()[0].value.toVector());
    const float limit = std::sqrt(6.0f / 12.0f);
    for (float v : a->variables()[0].value.toVector()) QVERIFY(std::fabs(v) <= limit);
    for (float v : a->variables()[1].value.toVector()) QCOMPARE(v, 0.0f);
    // a seeded initializer ignores the build rng
    json seeded = {
        {"units", 5},
        {"kernel_initializer", {{"class_name", "GlorotUniform"}, {"config", {{"seed", 3}}}}}};
    auto s1 = makeBuilt("Dense", seeded, {{kNone, 7}}, 1);
    auto s2 = makeBuilt("Dense", seeded, {{kNone, 7}}, 2);
    QCOMPARE(s1->variables()[0].value.toVector(), s2->variables()[0].value.toVector());
  }

  void nonTrainable() {
    auto d = makeBuilt("Dense", {{"units", 2}, {"trainable", false}}, {{kNone, 3}});
    QVERIFY(!d->variables()[0].trainable);
    QVERIFY(!d->variables()[1].trainable);
    Rng rng(1);
    Tensor x = randomTensor({2, 3}, rng);
    GradCheckOptions o;
    o.checkWeights = false;
    QVERIFY(checkLayerGradients(*d, {x}, o));
  }

  void configRoundTrip() {
    QVERIFY(configRoundTrips("Dense", {{"units", 10}}));
    QVERIFY(configRoundTrips(
        "Dense", {{"units", 10},
                  {"activation", "softmax"},
                  {"kernel_initializer", "he_normal"},
                  {"kernel_regularizer",
                   {{"class_name", "L1L2"}, {"config", {{"l1", 0.0}, {"l2", 0.01}}}}}}));
    const json full = makeLayer("Dense", {{"units", 10}})->config();
    QCOMPARE(full["activation"], json("linear"));
    QCOMPARE(full["use_bias"], json(true));
    QCOMPARE(full["kernel_initializer"]["class_name"], json("GlorotUniform"));
    QCOMPARE(full["bias_initializer"]["class_name"], json("Zeros"));
    QVERIFY(full["kernel_regularizer"].is_null());
    QVERIFY(full["kernel_constraint"].is_null());
    QCOMPARE(full["name"], json("node"));
    // TF.js form of glorot_uniform is accepted
    json tfjs = {
        {"units", 2},
        {"kernel_initializer",
         {{"class_name", "VarianceScaling"},
          {"config",
           {{"scale", 1}, {"mode", "fan_avg"}, {"distribution", "uniform"}, {"seed", nullptr}}}}}};
    QVERIFY(configRoundTrips("Dense", tfjs));
  }

  void badConfigs() {
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense", {{"units", 0}}, "d1");
        },
        SpecErrorKind::BadValue, "d1", "units"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense", {{"units", "ten"}}, "d2");
        },
        SpecErrorKind::BadValue, "d2", "units"));
    QVERIFY(throwsSpec([] { makeLayer("Dense", json::object(), "d3"); }, SpecErrorKind::BadValue,
                       "d3", "required"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense", {{"units", 3}, {"unitz", 3}}, "d4");
        },
        SpecErrorKind::UnknownConfigKey, "d4", "unitz"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense", {{"units", 3}, {"activation", "rellu"}}, "d5");
        },
        SpecErrorKind::BadValue, "d5", "rellu"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense", {{"units", 3}, {"kernel_initializer", "glorot_uniformm"}}, "d6");
        },
        SpecErrorKind::BadValue, "d6", "glorot_uniformm"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense",
                    {{"units", 3}, {"kernel_regularizer", {{"class_name", "L3"}, {"config", {}}}}},
                    "d7");
        },
        SpecErrorKind::BadValue, "d7", "L3"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dense", {{"units", 3}, {"kernel_constraint", "max_norm"}}, "d8");
        },
        SpecErrorKind::BadValue, "d8", "constraint"));
  }

  void shapeMismatchNamesBothShapes() {
    auto d = makeBuilt("Dense", {{"units", 3}}, {{kNone, 4}});
    QVERIFY(throwsSpec(
        [&] {
          d->outputShape({{kNone, 5}});
        },
        SpecErrorKind::ShapeMismatch, "node", "(None, 5)"));
    QVERIFY(throwsSpec(
        [&] {
          d->outputShape({{kNone, 5}});
        },
        SpecErrorKind::ShapeMismatch, "node", "(4, 3)"));
    auto u = makeLayer("Dense", {{"units", 3}}, "d9");
    QVERIFY(throwsSpec([&] { u->outputShape({{kNone}}); }, SpecErrorKind::ShapeMismatch, "d9",
                       "(None,)"));
    QVERIFY(throwsSpec(
        [&] {
          u->outputShape({{kNone, 2}, {kNone, 2}});
        },
        SpecErrorKind::ShapeMismatch, "d9", "2"));
  }

  void buffersAreReused() {
    auto layer = makeBuilt("Dense", {{"units", 8}, {"activation", "selu"}}, {{kNone, 5}});
    auto* d = dynamic_cast<Dense*>(layer.get());
    QVERIFY(d);
    Rng rng(2);
    Tensor x = randomTensor({16, 5}, rng), y, dy = randomTensor({16, 8}, rng), dx;
    std::vector<const Tensor*> xs{&x};
    std::vector<Tensor*> dxs{&dx};
    RunContext ctx;
    d->forward(xs, y, ctx);
    d->backward(xs, y, dy, dxs, ctx);
    const float* p[] = {
        d->preActivationBuffer().data(), d->gradientBuffer().data(),   y.data(), dx.data(),
        d->variables()[0].grad.data(),   d->variables()[1].grad.data()};
    std::vector<float> first = dx.toVector();
    d->forward(xs, y, ctx);
    d->backward(xs, y, dy, dxs, ctx);
    const float* q[] = {
        d->preActivationBuffer().data(), d->gradientBuffer().data(),   y.data(), dx.data(),
        d->variables()[0].grad.data(),   d->variables()[1].grad.data()};
    for (int i = 0; i < 6; ++i) QCOMPARE(q[i], p[i]);
    QCOMPARE(dx.toVector(), first);  // overwritten, not accumulated
    // a smaller batch reuses the same storage too
    Tensor x2 = randomTensor({4, 5}, rng);
    std::vector<const Tensor*> xs2{&x2};
    d->forward(xs2, y, ctx);
    QCOMPARE(d->preActivationBuffer().data(), p[0]);
  }
};

QTEST_APPLESS_MAIN(TestDense)
#include "tst_engine_dense.moc"
