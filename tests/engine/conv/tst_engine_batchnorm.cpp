// BatchNormalization / LayerNormalization (+ SpatialDropout2D, GaussianNoise): hand-computed
// values, moving statistics as TF.js updates them, finite-difference gradients, Param #.
#include <QtTest>

#include "../support/GradCheck.h"
#include "ConvTestUtil.h"

using namespace tessel;
using namespace tessel::test;

class TestBatchNorm : public QObject {
  Q_OBJECT
 private slots:
  void trainingForwardAndMovingStats();
  void inferenceForward();
  void gradientsTraining();
  void gradientsInference();
  void variablesAndParamCount();
  void errors();
  void layerNormForward();
  void layerNormGradients();
  void spatialDropout();
  void gaussianNoise();
};

void TestBatchNorm::trainingForwardAndMovingStats() {
  // x (4, 2): channel 0 = 1, 2, 3, 6 (mean 3, biased var 3.5); channel 1 = 0, 0, 4, 4 (mean 2,
  // var 4).
  auto bn = makeLayer("BatchNormalization", {{"momentum", 0.9}}, {kNone, 2});
  var(*bn, "gamma").value = Tensor({2}, {2, 1});
  var(*bn, "beta").value = Tensor({2}, {0.5, -1});
  Tensor x({4, 2}, {1, 0, 2, 0, 3, 4, 6, 4});
  Tensor y = runForward(*bn, x, true);
  const double e = 1e-3;
  const double s0 = 1 / std::sqrt(3.5 + e), s1 = 1 / std::sqrt(4 + e);
  std::vector<float> want = {float(2 * (1 - 3) * s0 + 0.5),
                             float(-2 * s1 - 1),
                             float(2 * (2 - 3) * s0 + 0.5),
                             float(-2 * s1 - 1),
                             float(0.5),
                             float(2 * s1 - 1),
                             float(2 * 3 * s0 + 0.5),
                             float(2 * s1 - 1)};
  compareTensors(y, Tensor({4, 2}, want), 1e-5);
  // moving = moving - (moving - batch) * (1 - momentum): mean 0 → 0.3 / 0.2, var 1 → 1.25 / 1.3.
  compareTensors(var(*bn, "moving_mean").value, Tensor({2}, {0.3f, 0.2f}), 1e-6);
  compareTensors(var(*bn, "moving_variance").value, Tensor({2}, {1.25f, 1.3f}), 1e-6);
}

void TestBatchNorm::inferenceForward() {
  auto bn = makeLayer("BatchNormalization", json::object(), {kNone, 2, 2, 3});
  var(*bn, "gamma").value = Tensor({3}, {1, 2, 3});
  var(*bn, "beta").value = Tensor({3}, {0, 1, 2});
  var(*bn, "moving_mean").value = Tensor({3}, {1, -1, 0});
  var(*bn, "moving_variance").value = Tensor({3}, {4, 1, 0.25});
  Rng rng(3);
  Tensor x = randomTensor({2, 2, 2, 3}, rng);
  Tensor y = runForward(*bn, x, false);
  const float g[3] = {1, 2, 3}, b[3] = {0, 1, 2}, m[3] = {1, -1, 0}, v[3] = {4, 1, 0.25};
  for (Index i = 0; i < x.size(); ++i) {
    const int c = int(i % 3);
    const float want = g[c] * (x[i] - m[c]) / std::sqrt(v[c] + 1e-3f) + b[c];
    QVERIFY(std::fabs(y[i] - want) < 1e-5);
  }
  // Moving statistics untouched in inference.
  compareTensors(var(*bn, "moving_mean").value, Tensor({3}, {1, -1, 0}), 0);
}

void TestBatchNorm::gradientsTraining() {
  GradCheckOptions o;
  o.training = true;
  o.eps = 1e-2;
  Rng rng(5);
  {
    auto bn = makeLayer("BatchNormalization", json::object(), {kNone, 3, 3, 2});
    var(*bn, "gamma").value = randomTensor({2}, rng, 0.5f, 1.5f);
    var(*bn, "beta").value = randomTensor({2}, rng);
    QVERIFY(checkLayerGradients(*bn, {randomTensor({2, 3, 3, 2}, rng)}, o));
  }
  {  // axis 1 of a rank-3 tensor (inner > 1), no scale.
    auto bn = makeLayer("BatchNormalization", {{"axis", 1}, {"scale", false}}, {kNone, 3, 4});
    QVERIFY(checkLayerGradients(*bn, {randomTensor({3, 3, 4}, rng)}, o));
  }
  {  // center false, 2-D
    auto bn = makeLayer("BatchNormalization", {{"center", false}}, {kNone, 4});
    QVERIFY(checkLayerGradients(*bn, {randomTensor({5, 4}, rng)}, o));
  }
}

void TestBatchNorm::gradientsInference() {
  auto bn = makeLayer("BatchNormalization", json::object(), {kNone, 2, 3});
  Rng rng(6);
  var(*bn, "gamma").value = randomTensor({3}, rng, 0.5f, 1.5f);
  var(*bn, "moving_mean").value = randomTensor({3}, rng);
  var(*bn, "moving_variance").value = randomTensor({3}, rng, 0.5f, 2.0f);
  QVERIFY(checkLayerGradients(*bn, {randomTensor({2, 2, 3}, rng)}));
}

void TestBatchNorm::variablesAndParamCount() {
  auto bn = makeLayer("BatchNormalization", json::object(), {kNone, 7, 7, 64});
  QCOMPARE(bn->parameterCount(), Index(256));  // Keras: 4 * 64, of which 128 trainable
  std::vector<std::string> names;
  for (auto& v : bn->variables()) names.push_back(v.name);
  QCOMPARE(names, (std::vector<std::string>{"gamma", "beta", "moving_mean", "moving_variance"}));
  QVERIFY(bn->variables()[0].trainable && bn->variables()[1].trainable);
  QVERIFY(!bn->variables()[2].trainable && !bn->variables()[3].trainable);
  QCOMPARE(var(*bn, "moving_variance").value[0], 1.0f);
  QCOMPARE(var(*bn, "gamma").value[0], 1.0f);
  auto noScale = makeLayer("BatchNormalization", {{"scale", false}}, {kNone, 10});
  QCOMPARE(noScale->parameterCount(), Index(30));
  QCOMPARE(noScale->variables()[0].name, std::string("beta"));
  auto ln = makeLayer("LayerNormalization", json::object(), {kNone, 5, 8});
  QCOMPARE(ln->parameterCount(), Index(16));
  auto cfg = LayerRegistry::instance().completeConfig("BatchNormalization", json::object(), "n");
  QCOMPARE(cfg["momentum"].get<double>(), 0.99);
  QCOMPARE(cfg["epsilon"].get<double>(), 0.001);
  QCOMPARE(cfg["axis"].get<int>(), -1);
}

void TestBatchNorm::errors() {
  auto bn = makeLayer("BatchNormalization", {{"axis", 3}}, {kNone, 2, 2, 3});
  expectSpecError(
      [&] {
        bn->outputShape({{kNone, 4}});
      },
      SpecErrorKind::ShapeMismatch, "out of range");
  auto bn0 = LayerRegistry::instance().create("BatchNormalization", {{"axis", 0}}, "node");
  expectSpecError(
      [&] {
        bn0->outputShape({{kNone, 4}});
      },
      SpecErrorKind::ShapeMismatch, "batch axis");
}

void TestBatchNorm::layerNormForward() {
  auto ln = makeLayer("LayerNormalization", json::object(), {kNone, 4});
  Tensor x({2, 4}, {1, 2, 3, 6, 0, 0, 0, 0});
  Tensor y = runForward(*ln, x);
  const double s = 1 / std::sqrt(3.5 + 1e-3);
  compareTensors(y, Tensor({2, 4}, {float(-2 * s), float(-s), 0, float(3 * s), 0, 0, 0, 0}), 1e-5);
}

void TestBatchNorm::layerNormGradients() {
  Rng rng(8);
  for (json axis : {json(-1), json({1, 2})}) {
    auto ln = makeLayer("LayerNormalization", {{"axis", axis}}, {kNone, 3, 4});
    var(*ln, "gamma").value.array() = randomTensor(var(*ln, "gamma").value.shape(), rng).array();
    var(*ln, "beta").value.array() = randomTensor(var(*ln, "beta").value.shape(), rng).array();
    QVERIFY(checkLayerGradients(*ln, {randomTensor({2, 3, 4}, rng)}));
  }
}

void TestBatchNorm::spatialDropout() {
  auto sd = makeLayer("SpatialDropout2D", {{"rate", 0.5}, {"seed", 3}}, {kNone, 3, 3, 8});
  Tensor x({2, 3, 3, 8}, 1.0f);
  Tensor y = runForward(*sd, x, true);
  int dropped = 0;
  for (Index b = 0; b < 2; ++b)
    for (Index c = 0; c < 8; ++c) {
      const float first = y[(b * 9) * 8 + c];
      QVERIFY(first == 0.0f || first == 2.0f);
      dropped += first == 0.0f;
      for (Index p = 0; p < 9; ++p) QCOMPARE(y[(b * 9 + p) * 8 + c], first);  // whole map
    }
  QVERIFY(dropped > 0 && dropped < 16);
  compareTensors(runForward(*sd, x, false), x, 0);
  // Gradient check with the context's stream (reset before every forward, so masks repeat).
  auto sd2 = makeLayer("SpatialDropout2D", {{"rate", 0.5}}, {kNone, 3, 3, 8});
  GradCheckOptions o;
  o.training = true;
  Rng rng(1);
  QVERIFY(checkLayerGradients(*sd2, {randomTensor({2, 3, 3, 8}, rng)}, o));
}

void TestBatchNorm::gaussianNoise() {
  auto gn = makeLayer("GaussianNoise", {{"stddev", 0.5}}, {kNone, 1000});
  Tensor x({4, 1000}, 1.0f);
  compareTensors(runForward(*gn, x, false), x, 0);
  Tensor y = runForward(*gn, x, true);
  double m = 0, v = 0;
  for (Index i = 0; i < y.size(); ++i) m += y[i] - 1.0;
  m /= double(y.size());
  for (Index i = 0; i < y.size(); ++i) v += (y[i] - 1.0 - m) * (y[i] - 1.0 - m);
  v /= double(y.size());
  QVERIFY(std::fabs(m) < 0.05);
  QVERIFY(std::fabs(std::sqrt(v) - 0.5) < 0.05);
  GradCheckOptions o;
  o.training = true;
  auto small = makeLayer("GaussianNoise", {{"stddev", 0.1}}, {kNone, 3});
  Rng rng(2);
  QVERIFY(checkLayerGradients(*small, {randomTensor({2, 3}, rng)}, o));
}

QTEST_APPLESS_MAIN(TestBatchNorm)
#include "tst_engine_batchnorm.moc"
