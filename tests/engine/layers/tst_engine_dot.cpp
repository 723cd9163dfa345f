// Dot (keras.layers.Dot): hand-computed forward for int and pair axes, mixed ranks and
// normalize; output shapes as Keras's compute_output_shape; finite-difference gradients of both
// inputs (with and without normalize, a zero row where the L2 norm is clamped); config round trip
// and bad configs or shapes naming the node.
#include <QtTest>

#include <cmath>

#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

class TestDot : public QObject {
  Q_OBJECT
 private slots:
  void forwardByHand() {
    // (2, 3) . (2, 3) on axis 1: one dot product per sample, as (N, 1).
    auto d = makeBuilt("Dot", {{"axes", 1}}, {{kNone, 3}, {kNone, 3}});
    Tensor y =
        runForward(*d, {Tensor({2, 3}, {1, 2, 3, 4, 5, 6}), Tensor({2, 3}, {1, 0, -1, 2, 2, 2})});
    QCOMPARE(y.shape(), Shape({2, 1}));
    QVERIFY(near(y, {-2, 30}));

    // Keras's docstring example: x (1, 5, 2) = arange(10), y (1, 2, 5) = arange(10, 20),
    // axes (1, 2) -> [[260, 360], [320, 445]].
    std::vector<float> xv, yv;
    for (int i = 0; i < 10; ++i) xv.push_back(float(i)), yv.push_back(float(10 + i));
    auto pair = makeBuilt("Dot", {{"axes", {1, 2}}}, {{kNone, 5, 2}, {kNone, 2, 5}});
    Tensor yp = runForward(*pair, {Tensor({1, 5, 2}, xv), Tensor({1, 2, 5}, yv)});
    QCOMPARE(yp.shape(), Shape({1, 2, 2}));
    QVERIFY(near(yp, {260, 360, 320, 445}));

    // Rank 3 . rank 2 on axes (2, 1): a matrix-vector product per sample.
    auto mv = makeBuilt("Dot", {{"axes", {2, 1}}}, {{kNone, 2, 3}, {kNone, 3}});
    Tensor ym = runForward(*mv, {Tensor({1, 2, 3}, {1, 2, 3, 4, 5, 6}), Tensor({1, 3}, {1, 1, 2})});
    QCOMPARE(ym.shape(), Shape({1, 2}));
    QVERIFY(near(ym, {9, 21}));

    // normalize: the cosine similarity; a zero vector gives 0 (norm clamped, no NaN).
    auto cosine = makeBuilt("Dot", {{"axes", -1}, {"normalize", true}}, {{kNone, 2}, {kNone, 2}});
    Tensor yc = runForward(
        *cosine, {Tensor({3, 2}, {3, 4, 1, 0, 0, 0}), Tensor({3, 2}, {4, 3, 0, 2, 1, 1})});
    QVERIFY(near(yc, {24.0f / 25.0f, 0, 0}));
  }

  void outputShapes() {
    auto d = makeLayer("Dot", {{"axes", 2}});
    QCOMPARE(d->outputShape({{kNone, 3, 4}, {kNone, 5, 4}}), Shape({kNone, 3, 5}));
    auto p = makeLayer("Dot", {{"axes", {1, 2}}});
    QCOMPARE(p->outputShape({{kNone, 3, 5}, {kNone, 4, 3}}), Shape({kNone, 5, 4}));
    QCOMPARE(p->outputShape({{kNone, 3}, {kNone, 4, 3}}), Shape({kNone, 4}));
    auto last = makeLayer("Dot", {{"axes", -1}});
    QCOMPARE(last->outputShape({{kNone, 7}, {kNone, 7}}), Shape({kNone, 1}));
    QCOMPARE(last->outputShape({{kNone, 2, 3, 7}, {kNone, 7}}), Shape({kNone, 2, 3}));
    QCOMPARE(last->outputShape({{kNone, kNone}, {kNone, 7}}), Shape({kNone, 1}));
  }

  void gradients_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("s0");  // JSON lists
    QTest::addColumn<QString>("s1");
    QTest::newRow("rank2") << R"({"axes": 1})"
                           << "[3, 4]"
                           << "[3, 4]";
    QTest::newRow("rank3-axes1") << R"({"axes": 1})"
                                 << "[2, 3, 4]"
                                 << "[2, 3, 2]";
    QTest::newRow("pair") << R"({"axes": [1, 2]})"
                          << "[2, 3, 5]"
                          << "[2, 4, 3]";
    QTest::newRow("rank4-rank2") << R"({"axes": [2, -1]})"
                                 << "[2, 2, 3, 2]"
                                 << "[2, 3]";
    QTest::newRow("normalize") << R"({"axes": -1, "normalize": true})"
                               << "[3, 5]"
                               << "[3, 5]";
    QTest::newRow("normalize-pair") << R"({"axes": [2, 1], "normalize": true})"
                                    << "[2, 3, 4]"
                                    << "[2, 4, 2]";
  }
  void gradients() {
    QFETCH(QString, config);
    QFETCH(QString, s0);
    QFETCH(QString, s1);
    const Shape shape0 = json::parse(s0.toStdString()).get<Shape>();
    const Shape shape1 = json::parse(s1.toStdString()).get<Shape>();
    Rng rng(11);
    std::vector<Tensor> xs = {randomTensor(shape0, rng), randomTensor(shape1, rng)};
    auto layer = makeBuilt("Dot", json::parse(config.toStdString()),
                           {withBatch(shape0, kNone), withBatch(shape1, kNone)});
    GradCheckOptions o;
    o.eps = 1e-3;
    QVERIFY(checkLayerGradients(*layer, xs, o));
  }

  // A zero row: its norm is clamped at sqrt(1e-12), so x̂ = x / 1e-6 near 0 and dL/dx = dL/dx̂ /
  // 1e-6 (what a central difference with steps below 1e-6 gives); no NaN anywhere.
  void clampedNormGradient() {
    auto layer = makeBuilt("Dot", {{"axes", 1}, {"normalize", true}}, {{kNone, 2}, {kNone, 2}});
    Tensor x0({1, 2}, {0, 0}), x1({1, 2}, {0.6f, 0.8f});
    Tensor y = runForward(*layer, {x0, x1});
    QVERIFY(near(y, {0}));
    Tensor dx0, dx1;
    std::vector<const Tensor*> x{&x0, &x1};
    RunContext ctx;
    layer->backward(x, y, Tensor({1, 1}, {1.0f}), {&dx0, &dx1}, ctx);
    QVERIFY(near(dx0, {0.6e6f, 0.8e6f}, 1e-4f));
    QVERIFY(near(dx1, {0, 0}));
  }

  void configs() {
    QVERIFY(configRoundTrips("Dot", {{"axes", 1}}));
    QVERIFY(configRoundTrips("Dot", {{"axes", {1, 2}}, {"normalize", true}}));
    QCOMPARE(makeLayer("Dot", {{"axes", 1}})->config()["normalize"], json(false));
    const LayerInfo* info = LayerRegistry::instance().find("Dot");
    QVERIFY(info);
    QCOMPARE(info->group, std::string("Merging"));
    QCOMPARE(info->minInputs, 2);
    QCOMPARE(info->maxInputs, 2);
    QVERIFY(throwsSpec([] { makeLayer("Dot", json::object(), "d1"); }, SpecErrorKind::BadValue,
                       "d1", "axes"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dot", {{"axes", {1, 2, 3}}}, "d2");
        },
        SpecErrorKind::BadValue, "d2", "two integers"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dot", {{"axes", "last"}}, "d3");
        },
        SpecErrorKind::BadValue, "d3", "axes"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dot", {{"axes", {0, 1}}}, "d4");
        },
        SpecErrorKind::BadValue, "d4", "batch"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dot", {{"axes", 1}, {"normalize", 2}}, "d5");
        },
        SpecErrorKind::BadValue, "d5", "normalize"));
  }

  void shapeErrors() {
    auto d = makeLayer("Dot", {{"axes", -1}}, "dot1");
    QVERIFY(throwsSpec(
        [&] {
          d->outputShape({{kNone, 3}, {kNone, 4}});
        },
        SpecErrorKind::ShapeMismatch, "dot1", "(None, 3) and (None, 4)"));
    QVERIFY(throwsSpec(
        [&] {
          d->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "dot1", "2 input"));
    QVERIFY(throwsSpec(
        [&] {
          d->outputShape({{kNone, 3}, {kNone, 3}, {kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "dot1", "2 input"));
    auto far = makeLayer("Dot", {{"axes", 3}}, "dot2");
    QVERIFY(throwsSpec(
        [&] {
          far->outputShape({{kNone, 3, 4}, {kNone, 3, 4}});
        },
        SpecErrorKind::ShapeMismatch, "dot2", "out of range"));
    auto neg = makeLayer("Dot", {{"axes", -2}}, "dot3");
    QVERIFY(throwsSpec(
        [&] {
          neg->outputShape({{kNone, 3}, {kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "dot3", "batch axis"));
  }
};

QTEST_APPLESS_MAIN(TestDot)
#include "tst_engine_dot.moc"
