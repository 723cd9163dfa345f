// Pooling layers (Max/Average 1D/2D, Global*) and reshaping layers (UpSampling2D, ZeroPadding2D,
// Cropping2D): hand-computed values, TF same padding, gradients, errors, Param # (0).
#include <QtTest>

#include "../support/GradCheck.h"
#include "ConvTestUtil.h"

using namespace tessel;
using namespace tessel::test;

class TestPooling : public QObject {
  Q_OBJECT
 private slots:
  void maxPoolHand();
  void avgPoolSamePaddingExcludesPads();
  void pool1D();
  void gradients();
  void globalPools();
  void reshaping();
  void errors();
  void registryDefaults();
};

void TestPooling::maxPoolHand() {
  auto mp = makeLayer("MaxPooling2D", json::object(), {kNone, 4, 4, 1});
  Tensor x({1, 4, 4, 1}, {1, 2, 5, 3,  //
                          4, 0, 1, 1,  //
                          7, 8, 2, 9,  //
                          6, 5, 3, 4});
  Tensor y = runForward(*mp, x, true);
  QCOMPARE(y.toVector(), std::vector<float>({4, 5, 8, 9}));
  Tensor dx;
  RunContext ctx;
  mp->backward({&x}, y, Tensor({1, 2, 2, 1}, {1, 2, 3, 4}), {&dx}, ctx);
  QCOMPARE(dx.toVector(), std::vector<float>({0, 0, 2, 0, 1, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0}));
  // Floor: 5x5 input, pool 2 → 2x2 (the last row/column are dropped).
  QCOMPARE(mp->outputShape({{kNone, 5, 5, 3}}), Shape({kNone, 2, 2, 3}));
  // Strides default to pool_size; explicit strides 1.
  auto s1 = makeLayer("MaxPooling2D", {{"strides", 1}}, {kNone, 4, 4, 1});
  QCOMPARE(s1->outputShape({{kNone, 4, 4, 1}}), Shape({kNone, 3, 3, 1}));
}

void TestPooling::avgPoolSamePaddingExcludesPads() {
  // 3x3 input, pool 2, strides 2, same → 2x2; pad_total = 1 → all padding bottom/right; the
  // padded cells are not counted (TF).
  auto ap = makeLayer("AveragePooling2D", {{"padding", "same"}}, {kNone, 3, 3, 1});
  Tensor x({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor y = runForward(*ap, x);
  QCOMPARE(y.toVector(), std::vector<float>({3, 4.5f, 7.5f, 9}));
  auto mp = makeLayer("MaxPooling2D", {{"padding", "same"}, {"pool_size", 3}, {"strides", 2}},
                      {kNone, 4, 4, 1});
  // in 4, k 3, s 2: out 2, pad_total 1 → pad before 0.
  Tensor x4({1, 4, 4, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16});
  QCOMPARE(runForward(*mp, x4).toVector(), std::vector<float>({-1, -3, -9, -11}));
}

void TestPooling::pool1D() {
  auto mp = makeLayer("MaxPooling1D", json::object(), {kNone, 5, 2});
  Tensor x({1, 5, 2}, {1, 9, 3, 2, 0, 0, 4, 1, 7, 7});
  QCOMPARE(runForward(*mp, x).toVector(), std::vector<float>({3, 9, 4, 1}));
  QCOMPARE(mp->outputShape({{kNone, 5, 2}}), Shape({kNone, 2, 2}));
  auto ap = makeLayer("AveragePooling1D", {{"pool_size", 3}, {"strides", 1}, {"padding", "same"}},
                      {kNone, 4, 1});
  QCOMPARE(runForward(*ap, Tensor({1, 4, 1}, {3, 6, 9, 12})).toVector(),
           std::vector<float>({4.5f, 6, 9, 10.5f}));
}

void TestPooling::gradients() {
  Rng rng(4);
  struct C {
    const char* cls;
    json cfg;
    Shape in;
  };
  std::vector<C> cases = {
      {"MaxPooling2D", json::object(), {2, 4, 5, 3}},
      {"MaxPooling2D", {{"pool_size", 3}, {"strides", 2}, {"padding", "same"}}, {2, 5, 5, 2}},
      {"AveragePooling2D", json::object(), {2, 4, 5, 3}},
      {"AveragePooling2D", {{"pool_size", 3}, {"strides", 2}, {"padding", "same"}}, {2, 5, 4, 2}},
      {"MaxPooling1D", {{"pool_size", 3}, {"strides", 2}}, {2, 7, 2}},
      {"AveragePooling1D", {{"padding", "same"}}, {2, 7, 2}},
      {"GlobalMaxPooling2D", json::object(), {2, 3, 3, 4}},
      {"GlobalAveragePooling2D", {{"keepdims", true}}, {2, 3, 3, 4}},
      {"GlobalMaxPooling1D", json::object(), {2, 5, 3}},
      {"GlobalAveragePooling1D", json::object(), {2, 5, 3}},
      {"UpSampling2D", {{"size", {2, 3}}}, {2, 2, 3, 2}},
      {"ZeroPadding2D", {{"padding", {{1, 2}, {0, 3}}}}, {2, 2, 3, 2}},
      {"Cropping2D", {{"cropping", {{1, 0}, {2, 1}}}}, {2, 4, 5, 2}},
  };
  for (auto& c : cases) {
    auto layer = makeLayer(c.cls, c.cfg, withBatch(c.in, kNone));
    QCOMPARE(layer->parameterCount(), Index(0));
    // Max layers: distinct values so finite differences never cross a tie.
    Tensor x = randomTensor(c.in, rng);
    for (Index i = 0; i < x.size(); ++i)
      x[i] = float(i % 7) * 0.3f + 0.05f * float(i % 11) + x[i] * 0.01f;
    GradCheckOptions o;
    o.eps = 1e-3;
    QVERIFY2(checkLayerGradients(*layer, {x}, o), c.cls);
  }
}

void TestPooling::globalPools() {
  Tensor x({2, 2, 2, 2}, {1, -1, 2, -2, 3, -3, 4, -4, 0, 0, 0, 1, 0, 2, 5, 0});
  auto ga = makeLayer("GlobalAveragePooling2D", json::object(), {kNone, 2, 2, 2});
  QCOMPARE(runForward(*ga, x).toVector(), std::vector<float>({2.5f, -2.5f, 1.25f, 0.75f}));
  auto gm = makeLayer("GlobalMaxPooling2D", json::object(), {kNone, 2, 2, 2});
  QCOMPARE(runForward(*gm, x).toVector(), std::vector<float>({4, -1, 5, 2}));
  QCOMPARE(gm->outputShape({{kNone, 7, 7, 16}}), Shape({kNone, 16}));
  auto gk = makeLayer("GlobalMaxPooling1D", {{"keepdims", true}}, {kNone, 7, 16});
  QCOMPARE(gk->outputShape({{kNone, 7, 16}}), Shape({kNone, 1, 16}));
}

void TestPooling::reshaping() {
  auto up = makeLayer("UpSampling2D", json::object(), {kNone, 2, 2, 1});
  QCOMPARE(runForward(*up, Tensor({1, 2, 2, 1}, {1, 2, 3, 4})).toVector(),
           std::vector<float>({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  QCOMPARE(up->outputShape({{kNone, 5, 7, 3}}), Shape({kNone, 10, 14, 3}));
  auto zp = makeLayer("ZeroPadding2D", json::object(), {kNone, 1, 2, 1});
  QCOMPARE(runForward(*zp, Tensor({1, 1, 2, 1}, {5, 6})).toVector(),
           std::vector<float>({0, 0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0}));
  auto zp2 = makeLayer("ZeroPadding2D", {{"padding", {1, 2}}}, {kNone, 3, 3, 4});
  QCOMPARE(zp2->outputShape({{kNone, 3, 3, 4}}), Shape({kNone, 5, 7, 4}));
  auto cr = makeLayer("Cropping2D", {{"cropping", {{1, 0}, {0, 1}}}}, {kNone, 3, 3, 1});
  QCOMPARE(runForward(*cr, Tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9})).toVector(),
           std::vector<float>({4, 5, 7, 8}));
}

void TestPooling::errors() {
  auto mp = makeLayer("MaxPooling2D", {{"pool_size", 3}}, {kNone, 5, 5, 1});
  expectSpecError(
      [&] {
        mp->outputShape({{kNone, 2, 5, 1}});
      },
      SpecErrorKind::ShapeMismatch, "pool_size (3, 3) is larger than the input (None, 2, 5, 1)");
  expectSpecError(
      [&] {
        mp->outputShape({{kNone, 10}});
      },
      SpecErrorKind::ShapeMismatch,
      "MaxPooling2D expects a 4-D input (batch, height, width, channels), got "
      "(None, 10)");
  expectSpecError(
      [] {
        LayerRegistry::instance().create("MaxPooling2D", {{"strides", {0, 1}}}, "node");
      },
      SpecErrorKind::BadValue, "strides");
  expectSpecError(
      [] {
        LayerRegistry::instance().create("AveragePooling2D", {{"data_format", "channels_first"}},
                                         "node");
      },
      SpecErrorKind::BadValue, "channels_last");
  auto cr = makeLayer("Cropping2D", {{"cropping", 2}}, {kNone, 5, 5, 1});
  expectSpecError(
      [&] {
        cr->outputShape({{kNone, 4, 5, 1}});
      },
      SpecErrorKind::ShapeMismatch, "leaves nothing");
  expectSpecError(
      [] {
        LayerRegistry::instance().create("ZeroPadding2D", {{"padding", {1, 2, 3}}}, "node");
      },
      SpecErrorKind::BadValue, "padding");
  expectSpecError(
      [] {
        LayerRegistry::instance().create("UpSampling2D", {{"interpolation", "bilinear"}}, "node");
      },
      SpecErrorKind::BadValue, "nearest");
}

void TestPooling::registryDefaults() {
  auto& reg = LayerRegistry::instance();
  for (const char* cls : {"Conv2D",
                          "Conv1D",
                          "DepthwiseConv2D",
                          "SeparableConv2D",
                          "Conv2DTranspose",
                          "MaxPooling2D",
                          "AveragePooling2D",
                          "MaxPooling1D",
                          "AveragePooling1D",
                          "GlobalMaxPooling2D",
                          "GlobalAveragePooling2D",
                          "GlobalMaxPooling1D",
                          "GlobalAveragePooling1D",
                          "BatchNormalization",
                          "LayerNormalization",
                          "UpSampling2D",
                          "ZeroPadding2D",
                          "Cropping2D",
                          "SpatialDropout2D",
                          "GaussianNoise"}) {
    const LayerInfo* info = reg.find(cls);
    QVERIFY2(info, cls);
    QVERIFY(!info->group.empty() && !info->doc.empty());
    for (const auto& p : info->params) QVERIFY2(!p.doc.empty(), p.key.c_str());
  }
  json c = reg.completeConfig("MaxPooling2D", json::object(), "n");
  QCOMPARE(c["pool_size"], json::array({2, 2}));
  QVERIFY(c["strides"].is_null());
  QCOMPARE(c["padding"], json("valid"));
  json k = reg.completeConfig("Conv2D", {{"filters", 8}, {"kernel_size", 3}}, "n");
  QCOMPARE(k["strides"], json::array({1, 1}));
  QCOMPARE(k["dilation_rate"], json::array({1, 1}));
  QCOMPARE(k["groups"], json(1));
  QCOMPARE(k["activation"], json("linear"));
  QCOMPARE(k["kernel_initializer"]["class_name"], json("GlorotUniform"));
  QCOMPARE(k["data_format"], json("channels_last"));
}

QTEST_APPLESS_MAIN(TestPooling)
#include "tst_engine_pooling.moc"
