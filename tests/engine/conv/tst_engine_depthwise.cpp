// DepthwiseConv2D, SeparableConv2D, Conv2DTranspose: hand-computed values, equivalences with
// Conv2D (grouped / 1x1 / adjoint), gradients, Param #, Keras variable order.
#include <QtTest>

#include "../support/GradCheck.h"
#include "ConvTestUtil.h"

using namespace tessel;
using namespace tessel::test;

class TestDepthwise : public QObject {
  Q_OBJECT
 private slots:
  void depthwiseHand();
  void depthwiseMatchesGroupedConv();
  void separableMatchesDepthwiseThenPointwise();
  void transposeHand();
  void transposeIsAdjointOfConv();
  void gradients();
  void paramCounts();
};

void TestDepthwise::depthwiseHand() {
  // 2 channels, depth_multiplier 2, 2x2 kernel on a 2x2 input (valid → 1x1 output).
  auto dw =
      makeLayer("DepthwiseConv2D", {{"kernel_size", 2}, {"depth_multiplier", 2}}, {kNone, 2, 2, 2});
  QCOMPARE(var(*dw, "depthwise_kernel").value.shape(), Shape({2, 2, 2, 2}));
  // k[i, j, c, m] = 1 for m = 0, (i*2 + j + 1) for m = 1 (both channels).
  std::vector<float> k;
  for (int t = 0; t < 4; ++t)
    for (int c = 0; c < 2; ++c) k.push_back(1), k.push_back(float(t + 1));
  var(*dw, "depthwise_kernel").value = Tensor({2, 2, 2, 2}, k);
  var(*dw, "bias").value = Tensor({4}, {0, 0, 0, 100});
  Tensor x({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  // channel 0: Σx = 10, Σ x·(t+1) = 1+4+9+16 = 30; channel 1: 100, 300 (+100 bias).
  QCOMPARE(runForward(*dw, x).toVector(), std::vector<float>({10, 30, 100, 400}));
}

void TestDepthwise::depthwiseMatchesGroupedConv() {
  // DepthwiseConv2D(dm) ≡ Conv2D(filters = C·dm, groups = C): same kernel memory layout.
  for (const char* pad : {"valid", "same"}) {
    json cfg = {{"kernel_size", 3}, {"strides", 2}, {"padding", pad}, {"depth_multiplier", 2}};
    auto dw = makeLayer("DepthwiseConv2D", cfg, {kNone, 7, 6, 3});
    auto cv = makeLayer(
        "Conv2D",
        {{"filters", 6}, {"kernel_size", 3}, {"strides", 2}, {"padding", pad}, {"groups", 3}},
        {kNone, 7, 6, 3});
    Rng rng(2);
    var(*dw, "bias").value = randomTensor({6}, rng);
    var(*cv, "kernel").value.array() = var(*dw, "depthwise_kernel").value.array();
    var(*cv, "bias").value.copyFrom(var(*dw, "bias").value);
    Tensor x = randomTensor({2, 7, 6, 3}, rng);
    compareTensors(runForward(*dw, x), runForward(*cv, x));
    QCOMPARE(dw->outputShape({{kNone, 7, 6, 3}}), cv->outputShape({{kNone, 7, 6, 3}}));
  }
}

void TestDepthwise::separableMatchesDepthwiseThenPointwise() {
  json common = {{"kernel_size", 3}, {"padding", "same"}, {"depth_multiplier", 2}};
  json scfg = common;
  scfg["filters"] = 4;
  scfg["activation"] = "tanh";
  auto sep = makeLayer("SeparableConv2D", scfg, {kNone, 5, 5, 3});
  std::vector<std::string> names;
  for (auto& v : sep->variables()) names.push_back(v.name);
  QCOMPARE(names, (std::vector<std::string>{"depthwise_kernel", "pointwise_kernel", "bias"}));
  QCOMPARE(var(*sep, "pointwise_kernel").value.shape(), Shape({1, 1, 6, 4}));
  json dcfg = common;
  dcfg["use_bias"] = false;
  auto dw = makeLayer("DepthwiseConv2D", dcfg, {kNone, 5, 5, 3});
  auto pw = makeLayer("Conv2D", {{"filters", 4}, {"kernel_size", 1}, {"activation", "tanh"}},
                      {kNone, 5, 5, 6});
  Rng rng(3);
  var(*sep, "bias").value = randomTensor({4}, rng);
  var(*dw, "depthwise_kernel").value.copyFrom(var(*sep, "depthwise_kernel").value);
  var(*pw, "kernel").value.copyFrom(var(*sep, "pointwise_kernel").value);
  var(*pw, "bias").value.copyFrom(var(*sep, "bias").value);
  Tensor x = randomTensor({2, 5, 5, 3}, rng);
  compareTensors(runForward(*sep, x), runForward(*pw, runForward(*dw, x)));
}

void TestDepthwise::transposeHand() {
  // x 2x2, kernel 2x2 of ones, strides 2, valid: each input pixel becomes a 2x2 block.
  auto tr = makeLayer("Conv2DTranspose",
                      {{"filters", 1}, {"kernel_size", 2}, {"strides", 2}, {"use_bias", false}},
                      {kNone, 2, 2, 1});
  var(*tr, "kernel").value.fill(1.0f);
  QCOMPARE(runForward(*tr, Tensor({1, 2, 2, 1}, {1, 2, 3, 4})).toVector(),
           std::vector<float>({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  // Stride 1, valid, 2x2 kernel [[1,2],[3,4]] on a 1x2 input [1, 10] → 2x3 output.
  auto t2 = makeLayer("Conv2DTranspose", {{"filters", 1}, {"kernel_size", 2}, {"use_bias", false}},
                      {kNone, 1, 2, 1});
  var(*t2, "kernel").value = Tensor({2, 2, 1, 1}, {1, 2, 3, 4});
  QCOMPARE(runForward(*t2, Tensor({1, 1, 2, 1}, {1, 10})).toVector(),
           std::vector<float>({1, 12, 20, 3, 34, 40}));
  QCOMPARE(tr->outputShape({{kNone, 5, 3, 1}}), Shape({kNone, 10, 6, 1}));
  auto same = makeLayer("Conv2DTranspose",
                        {{"filters", 2}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}},
                        {kNone, 5, 3, 4});
  QCOMPARE(same->outputShape({{kNone, 5, 3, 4}}), Shape({kNone, 10, 6, 2}));
  QCOMPARE(var(*same, "kernel").value.shape(), Shape({3, 3, 2, 4}));
}

void TestDepthwise::transposeIsAdjointOfConv() {
  // <T(x), y> = <x, C(y)> where C is Conv2D(filters = in) with the same kernel memory.
  struct Case {
    int h, w, k, s;
    const char* pad;
  };
  for (Case c : {Case{3, 4, 3, 2, "same"}, Case{3, 3, 3, 2, "valid"}, Case{4, 3, 2, 1, "same"},
                 Case{3, 2, 4, 3, "same"}}) {
    const Index cin = 3, f = 2;
    auto tr = makeLayer("Conv2DTranspose",
                        {{"filters", f},
                         {"kernel_size", c.k},
                         {"strides", c.s},
                         {"padding", c.pad},
                         {"use_bias", false}},
                        {kNone, c.h, c.w, cin});
    Shape out = tr->outputShape({{kNone, c.h, c.w, cin}});
    auto cv = makeLayer("Conv2D",
                        {{"filters", cin},
                         {"kernel_size", c.k},
                         {"strides", c.s},
                         {"padding", c.pad},
                         {"use_bias", false}},
                        {kNone, out[1], out[2], f});
    QCOMPARE(cv->outputShape({{kNone, out[1], out[2], f}}), Shape({kNone, c.h, c.w, cin}));
    var(*cv, "kernel").value.copyFrom(var(*tr, "kernel").value);
    Rng rng(4);
    Tensor x = randomTensor({2, c.h, c.w, cin}, rng);
    Tensor y = randomTensor({2, out[1], out[2], f}, rng);
    Tensor tx = runForward(*tr, x), cy = runForward(*cv, y);
    double a = 0, b = 0;
    for (Index i = 0; i < tx.size(); ++i) a += double(tx[i]) * y[i];
    for (Index i = 0; i < x.size(); ++i) b += double(x[i]) * cy[i];
    QVERIFY2(std::fabs(a - b) < 1e-4 * (1 + std::fabs(a)), c.pad);
  }
}

void TestDepthwise::gradients() {
  Rng rng(6);
  struct C {
    const char* cls;
    json cfg;
    Shape in;
  };
  std::vector<C> cases = {
      {"DepthwiseConv2D",
       {{"kernel_size", 3}, {"padding", "same"}, {"depth_multiplier", 2}, {"activation", "tanh"}},
       {2, 4, 5, 3}},
      {"DepthwiseConv2D", {{"kernel_size", 2}, {"strides", 2}}, {2, 5, 5, 2}},
      {"DepthwiseConv2D", {{"kernel_size", 2}, {"dilation_rate", 2}}, {1, 5, 4, 2}},
      {"SeparableConv2D",
       {{"filters", 3},
        {"kernel_size", 3},
        {"padding", "same"},
        {"depth_multiplier", 2},
        {"activation", "sigmoid"}},
       {2, 4, 4, 2}},
      {"SeparableConv2D", {{"filters", 2}, {"kernel_size", 2}, {"strides", 2}}, {2, 5, 5, 3}},
      {"Conv2DTranspose",
       {{"filters", 2},
        {"kernel_size", 3},
        {"strides", 2},
        {"padding", "same"},
        {"activation", "tanh"}},
       {2, 3, 2, 3}},
      {"Conv2DTranspose", {{"filters", 3}, {"kernel_size", 2}}, {2, 2, 3, 2}},
      {"Conv2DTranspose", {{"filters", 2}, {"kernel_size", 2}, {"dilation_rate", 2}}, {1, 3, 3, 2}},
  };
  for (auto& c : cases) {
    auto layer = makeLayer(c.cls, c.cfg, withBatch(c.in, kNone));
    for (auto& v : layer->variables())
      if (v.name == "bias") v.value = randomTensor(v.value.shape(), rng);
    QVERIFY2(checkLayerGradients(*layer, {randomTensor(c.in, rng)}), c.cls);
  }
}

void TestDepthwise::paramCounts() {
  // Keras summary: DepthwiseConv2D(3, dm 2) on 8 channels: 3*3*8*2 + 16 = 160.
  QCOMPARE(
      makeLayer("DepthwiseConv2D", {{"kernel_size", 3}, {"depth_multiplier", 2}}, {kNone, 9, 9, 8})
          ->parameterCount(),
      Index(160));
  // SeparableConv2D(16, 3) on 8 channels: 72 + 128 + 16 = 216.
  QCOMPARE(makeLayer("SeparableConv2D", {{"filters", 16}, {"kernel_size", 3}}, {kNone, 9, 9, 8})
               ->parameterCount(),
           Index(216));
  // Conv2DTranspose(16, 3) on 8 channels: 3*3*16*8 + 16 = 1168.
  QCOMPARE(makeLayer("Conv2DTranspose", {{"filters", 16}, {"kernel_size", 3}}, {kNone, 9, 9, 8})
               ->parameterCount(),
           Index(1168));
  expectSpecError(
      [] {
        LayerRegistry::instance().create(
            "DepthwiseConv2D",
            {{"kernel_size", 3},
             {"activity_regularizer", {{"class_name", "L1L2"}, {"config", {{"l1", 0.1}}}}}},
            "node");
      },
      SpecErrorKind::BadValue, "activity_regularizer");
  auto dw = makeLayer("DepthwiseConv2D", {{"kernel_size", 5}}, {kNone, 9, 9, 8});
  expectSpecError(
      [&] {
        dw->outputShape({{kNone, 4, 9, 8}});
      },
      SpecErrorKind::ShapeMismatch, "kernel (5, 5) is larger than the input (None, 4, 9, 8)");
}

QTEST_APPLESS_MAIN(TestDepthwise)
#include "tst_engine_depthwise.moc"
