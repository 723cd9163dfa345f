// InputLayer, Flatten, Reshape, Dropout, AlphaDropout, ActivityRegularization: hand-computed
// forward, finite-difference gradients (dropouts in training mode with a fixed seed), config
// round trips, shape errors and bad configs naming the node.
#include <QtTest>

#include <cmath>

#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {
constexpr double kAlphaP = -1.7580993408473766;
}

class TestCoreLayers : public QObject {
  Q_OBJECT
 private slots:
  // ---- InputLayer ------------------------------------------------------------------------------
  void inputLayer() {
    auto in = makeLayer("InputLayer", {{"batch_input_shape", {nullptr, 28, 28, 1}}}, "input_1");
    QCOMPARE(in->outputShape({}), Shape({kNone, 28, 28, 1}));
    auto k3 = makeLayer("InputLayer", {{"batch_shape", {nullptr, 4}}});  // Keras 3
    QCOMPARE(k3->outputShape({}), Shape({kNone, 4}));
    QCOMPARE(k3->config()["batch_input_shape"], json({nullptr, 4}));
    QVERIFY(!k3->config().contains("batch_shape"));
    auto is = makeLayer("InputLayer", {{"input_shape", {3}}});
    QCOMPARE(is->outputShape({}), Shape({kNone, 3}));
    Tensor x({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
    Tensor y = runForward(*k3, {x});
    QCOMPARE(y.toVector(), x.toVector());
    QVERIFY(y.data() != x.data());
    QVERIFY_THROWS_EXCEPTION(Error, runForward(*k3, {Tensor({2, 5})}));
    QVERIFY(configRoundTrips("InputLayer", {{"batch_input_shape", {nullptr, 784}}}));
    QCOMPARE(makeLayer("InputLayer", {{"batch_input_shape", {nullptr, 2}}})->config()["sparse"],
             json(false));
    QVERIFY(throwsSpec([] { makeLayer("InputLayer", json::object(), "in1"); },
                       SpecErrorKind::BadValue, "in1", "batch_input_shape"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("InputLayer", {{"batch_input_shape", {nullptr, -3}}}, "in2");
        },
        SpecErrorKind::BadValue, "in2", "batch_input_shape"));
    QVERIFY(throwsSpec(
        [&] {
          in->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "input_1", "0 input"));
    const LayerInfo* info = LayerRegistry::instance().find("InputLayer");
    QCOMPARE(info->minInputs, 0);
    QCOMPARE(info->maxInputs, 0);
  }

  // ---- Flatten ---------------------------------------------------------------------------------
  void flatten() {
    auto f = makeBuilt("Flatten", json::object(), {{kNone, 2, 3}});
    QCOMPARE(f->outputShape({{kNone, 2, 3, 4}}), Shape({kNone, 24}));
    QCOMPARE(f->outputShape({{kNone, kNone, 3}}), Shape({kNone, kNone}));
    Tensor x({1, 2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor y = runForward(*f, {x});
    QCOMPARE(y.shape(), Shape({1, 6}));
    QCOMPARE(y.toVector(), x.toVector());
    // channels_first: (N, C=2, S=3) -> y[s*C + c] = x[c, s]
    auto cf = makeBuilt("Flatten", {{"data_format", "channels_first"}}, {{kNone, 2, 3}});
    QVERIFY(near(runForward(*cf, {x}), {1, 4, 2, 5, 3, 6}));
    Rng rng(1);
    QVERIFY(checkLayerGradients(*f, {randomTensor({2, 3, 4}, rng)}));
    QVERIFY(checkLayerGradients(*cf, {randomTensor({2, 3, 2, 2}, rng)}));
    QVERIFY(configRoundTrips("Flatten", json::object()));
    QCOMPARE(f->config()["data_format"], json("channels_last"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Flatten", {{"data_format", "nhwc"}}, "fl");
        },
        SpecErrorKind::BadValue, "fl", "channels_last"));
  }

  // ---- Reshape ---------------------------------------------------------------------------------
  void reshape() {
    auto r = makeBuilt("Reshape", {{"target_shape", {3, -1}}}, {{kNone, 6}});
    QCOMPARE(r->outputShape({{kNone, 6}}), Shape({kNone, 3, 2}));
    QCOMPARE(r->outputShape({{kNone, 2, 3, 2}}), Shape({kNone, 3, 4}));
    Tensor x({2, 6}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    Tensor y = runForward(*r, {x});
    QCOMPARE(y.shape(), Shape({2, 3, 2}));
    QCOMPARE(y.toVector(), x.toVector());
    Rng rng(2);
    QVERIFY(checkLayerGradients(*r, {randomTensor({2, 6}, rng)}));
    QVERIFY(configRoundTrips("Reshape", {{"target_shape", {2, 2, 1}}}));
    auto bad = makeLayer("Reshape", {{"target_shape", {4, 2}}}, "rs");
    QVERIFY(throwsSpec(
        [&] {
          bad->outputShape({{kNone, 6}});
        },
        SpecErrorKind::ShapeMismatch, "rs", "(None, 6)"));
    QVERIFY(throwsSpec(
        [&] {
          bad->outputShape({{kNone, 6}});
        },
        SpecErrorKind::ShapeMismatch, "rs", "(None, 4, 2)"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Reshape", {{"target_shape", {-1, -1}}}, "rs2");
        },
        SpecErrorKind::BadValue, "rs2", "-1"));
    QVERIFY(throwsSpec([] { makeLayer("Reshape", json::object(), "rs3"); }, SpecErrorKind::BadValue,
                       "rs3", "required"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Reshape", {{"target_shape", {2, -4}}}, "rs4");
        },
        SpecErrorKind::BadValue, "rs4", "target_shape"));
  }

  // ---- Dropout ---------------------------------------------------------------------------------
  void dropout() {
    auto d = makeBuilt("Dropout", {{"rate", 0.5}}, {{kNone, 1000}});
    Tensor x(Shape{4, 1000}, 2.0f);
    // inference: identity
    QCOMPARE(runForward(*d, {x}, false).toVector(), x.toVector());
    // training: each value is 0 or x / (1 - rate) = 4; about half are dropped
    Tensor y = runForward(*d, {x}, true);
    int zeros = 0;
    for (Index i = 0; i < y.size(); ++i) {
      QVERIFY(y[i] == 0.0f || y[i] == 4.0f);
      zeros += y[i] == 0.0f;
    }
    QVERIFY2(std::abs(zeros - 2000) < 150, qPrintable(QString::number(zeros)));
    // same rng seed -> same mask
    QCOMPARE(runForward(*d, {x}, true, nullptr, 3).toVector(),
             runForward(*d, {x}, true, nullptr, 3).toVector());
    Rng rng(5);
    GradCheckOptions o;
    o.training = true;
    QVERIFY(checkLayerGradients(*d, {randomTensor({3, 7}, rng)}, o));
    // noise_shape [null, 1, 4]: the mask is shared along axis 1
    auto ns =
        makeBuilt("Dropout", {{"rate", 0.5}, {"noise_shape", {nullptr, 1, 4}}}, {{kNone, 3, 4}});
    Tensor ones(Shape{2, 3, 4}, 1.0f);
    Tensor yn = runForward(*ns, {ones}, true);
    for (Index n = 0; n < 2; ++n)
      for (Index k = 0; k < 3; ++k)
        for (Index c = 0; c < 4; ++c) QCOMPARE(yn[n * 12 + k * 4 + c], yn[n * 12 + c]);
    QVERIFY(checkLayerGradients(*ns, {randomTensor({2, 3, 4}, rng)}, o));
    QVERIFY(throwsSpec(
        [&] {
          ns->outputShape({{kNone, 3, 5}});
        },
        SpecErrorKind::ShapeMismatch, "node", "(None, 3, 5)"));
    QVERIFY(configRoundTrips("Dropout", {{"rate", 0.25}}));
    QVERIFY(
        configRoundTrips("Dropout", {{"rate", 0.25}, {"noise_shape", {nullptr, 1}}, {"seed", 4}}));
    const json full = makeLayer("Dropout", {{"rate", 0.1}})->config();
    QVERIFY(full["noise_shape"].is_null());
    QVERIFY(full["seed"].is_null());
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dropout", {{"rate", 1.5}}, "dr1");
        },
        SpecErrorKind::BadValue, "dr1", "rate"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dropout", {{"rate", 1.0}}, "dr2");
        },
        SpecErrorKind::BadValue, "dr2", "rate"));
    QVERIFY(throwsSpec([] { makeLayer("Dropout", json::object(), "dr3"); }, SpecErrorKind::BadValue,
                       "dr3", "required"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Dropout", {{"rate", 0.1}, {"noise", 1}}, "dr4");
        },
        SpecErrorKind::UnknownConfigKey, "dr4", "noise"));
  }

  // ---- AlphaDropout ----------------------------------------------------------------------------
  void alphaDropout() {
    const double rate = 0.2;
    auto d = makeBuilt("AlphaDropout", {{"rate", rate}}, {{kNone, 500}});
    Tensor x(Shape{4, 500}, 1.5f);
    QCOMPARE(runForward(*d, {x}, false).toVector(), x.toVector());
    const double a = std::pow((1 - rate) * (1 + rate * kAlphaP * kAlphaP), -0.5);
    const double b = -a * kAlphaP * rate;
    const float kept = float(a * 1.5 + b), dropped = float(a * kAlphaP + b);
    Tensor y = runForward(*d, {x}, true);
    int drops = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const bool isKept = std::fabs(y[i] - kept) < 1e-5f;
      const bool isDropped = std::fabs(y[i] - dropped) < 1e-5f;
      QVERIFY2(isKept || isDropped, qPrintable(QString::number(y[i])));
      drops += isDropped;
    }
    QVERIFY2(std::abs(drops - 400) < 80, qPrintable(QString::number(drops)));
    // self-normalising: a standard normal input keeps mean ~0 and variance ~1
    Rng rng(8);
    Tensor z(Shape{50, 1000});
    for (Index i = 0; i < z.size(); ++i) z[i] = rng.normal();
    Tensor yz = runForward(*d, {z}, true);
    double mean = 0, var = 0;
    for (Index i = 0; i < yz.size(); ++i) mean += yz[i];
    mean /= double(yz.size());
    for (Index i = 0; i < yz.size(); ++i) var += (yz[i] - mean) * (yz[i] - mean);
    var /= double(yz.size());
    QVERIFY2(std::fabs(mean) < 0.02 && std::fabs(var - 1) < 0.03,
             qPrintable(QString("%1 %2").arg(mean).arg(var)));
    GradCheckOptions o;
    o.training = true;
    QVERIFY(checkLayerGradients(*d, {randomTensor({3, 500}, rng)}, o));
    QVERIFY(configRoundTrips("AlphaDropout", {{"rate", 0.1}}));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("AlphaDropout", {{"rate", -0.1}}, "ad");
        },
        SpecErrorKind::BadValue, "ad", "rate"));
  }

  // ---- ActivityRegularization ------------------------------------------------------------------
  void activityRegularization() {
    auto r = makeBuilt("ActivityRegularization", {{"l1", 0.1}, {"l2", 0.2}}, {{kNone, 2}});
    Tensor x({2, 2}, {1, -2, 0.5f, 0});
    double added = 0;
    Tensor y = runForward(*r, {x}, true, &added);
    QCOMPARE(y.toVector(), x.toVector());
    // (0.1 * 3.5 + 0.2 * 5.25) / batch 2
    QVERIFY(std::fabs(added - 1.4 / 2) < 1e-6);
    Rng rng(3);
    QVERIFY(checkLayerGradients(*r, {randomTensor({3, 4}, rng)}));
    QVERIFY(configRoundTrips("ActivityRegularization", {{"l1", 0.01}}));
    const json full = makeLayer("ActivityRegularization", json::object())->config();
    QCOMPARE(full["l1"], json(0.0));
    QCOMPARE(full["l2"], json(0.0));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("ActivityRegularization", {{"l1", -1}}, "ar");
        },
        SpecErrorKind::BadValue, "ar", "l1"));
  }

  // ---- registry --------------------------------------------------------------------------------
  void registryDescribesEveryLayer() {
    const char* names[] = {"InputLayer",
                           "Dense",
                           "Flatten",
                           "Activation",
                           "Dropout",
                           "AlphaDropout",
                           "Concatenate",
                           "Add",
                           "Subtract",
                           "Multiply",
                           "Average",
                           "Reshape",
                           "ActivityRegularization"};
    for (const char* n : names) {
      const LayerInfo* info = LayerRegistry::instance().find(n);
      QVERIFY2(info, n);
      QVERIFY(!info->group.empty());
      QVERIFY(!info->doc.empty());
      for (const auto& p : info->params) {
        QVERIFY2(!p.doc.empty(), p.key.c_str());
        if (p.required) QVERIFY2(!p.suggested.is_null(), p.key.c_str());
      }
      // a palette node made from defaults + suggestions is valid
      json cfg = json::object();
      for (const auto& p : info->params)
        if (p.required || !p.suggested.is_null()) cfg[p.key] = p.suggested;
      QVERIFY2(makeLayer(n, cfg) != nullptr, n);
    }
    QVERIFY(throwsSpec([] { makeLayer("Dense2", json::object(), "x"); },
                       SpecErrorKind::UnknownLayer, "x", "Dense2"));
  }
};

QTEST_APPLESS_MAIN(TestCoreLayers)
#include "tst_engine_corelayers.moc"
