// Conv2D / Conv1D: hand-computed forward, naive-reference forward for same/valid padding with odd
// sizes, strides 2, dilation 2 and groups, finite-difference gradients, shape errors, Param #.
#include <QtTest>

#include "../support/GradCheck.h"
#include "ConvTestUtil.h"
#include "engine/layers/ConvUtils.h"

using namespace tessel;
using namespace tessel::test;

class TestConv2D : public QObject {
  Q_OBJECT
 private slots:
  void handComputedValid();
  void samePaddingOddStride2();
  void referenceSweep_data();
  void referenceSweep();
  void conv1dCausal();
  void gradients_data();
  void gradients();
  void gradientsConv1D();
  void activityRegularizerGradient();
  void errors();
  void paramCount();
  void buffersReused();
};

void TestConv2D::handComputedValid() {
  // x 3x3 = 1..9, kernel 2x2 [[1,2],[3,4]], bias 1.
  auto layer = makeLayer("Conv2D", {{"filters", 1}, {"kernel_size", 2}}, {kNone, 3, 3, 1});
  var(*layer, "kernel").value = Tensor({2, 2, 1, 1}, {1, 2, 3, 4});
  var(*layer, "bias").value = Tensor({1}, {1});
  Tensor x({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor y = runForward(*layer, x);
  QCOMPARE(y.shape(), Shape({1, 2, 2, 1}));
  QCOMPARE(y.toVector(), std::vector<float>({38, 48, 68, 78}));
  QCOMPARE(layer->outputShape({{kNone, 3, 3, 1}}), Shape({kNone, 2, 2, 1}));
}

void TestConv2D::samePaddingOddStride2() {
  // TF same: in 4, k 3, s 2 → out 2, pad_total = max((2-1)*2 + 3 - 4, 0) = 1, pad before 0.
  QCOMPARE(padBefore(4, 3, 2, 1, "same"), Index(0));
  QCOMPARE(padBefore(5, 3, 2, 1, "same"), Index(1));
  QCOMPARE(padBefore(6, 4, 1, 1, "same"), Index(1));  // total 3: 1 before, 2 after
  QCOMPARE(convOutputLength(7, 3, 2, 1, "same"), Index(4));
  QCOMPARE(convOutputLength(7, 3, 2, 1, "valid"), Index(3));
  QCOMPARE(convOutputLength(7, 3, 1, 2, "valid"), Index(3));
  // 4x4 input of ones, 3x3 kernel of ones, stride 2, same: windows clipped at the bottom/right.
  auto layer = makeLayer("Conv2D",
                         {{"filters", 1},
                          {"kernel_size", 3},
                          {"strides", 2},
                          {"padding", "same"},
                          {"use_bias", false}},
                         {kNone, 4, 4, 1});
  var(*layer, "kernel").value.fill(1.0f);
  Tensor x({1, 4, 4, 1}, 1.0f);
  Tensor y = runForward(*layer, x);
  QCOMPARE(y.toVector(), std::vector<float>({9, 6, 6, 4}));
}

void TestConv2D::referenceSweep_data() {
  QTest::addColumn<int>("h");
  QTest::addColumn<int>("w");
  QTest::addColumn<int>("c");
  QTest::addColumn<int>("f");
  QTest::addColumn<int>("k");
  QTest::addColumn<int>("s");
  QTest::addColumn<int>("d");
  QTest::addColumn<int>("groups");
  QTest::addColumn<QString>("padding");
  QTest::newRow("valid 7x5 k3") << 7 << 5 << 3 << 4 << 3 << 1 << 1 << 1 << "valid";
  QTest::newRow("same 7x5 k3") << 7 << 5 << 3 << 4 << 3 << 1 << 1 << 1 << "same";
  QTest::newRow("same 7x5 k3 s2") << 7 << 5 << 3 << 4 << 3 << 2 << 1 << 1 << "same";
  // Stride-1 direct path (padded grid, one GEMM per kernel row): even kernel, many filters.
  QTest::newRow("same 6x5 k4") << 6 << 5 << 3 << 5 << 4 << 1 << 1 << 1 << "same";
  QTest::newRow("same 5x6 k3 f70") << 5 << 6 << 17 << 70 << 3 << 1 << 1 << 1 << "same";
  QTest::newRow("valid 6x7 k2 f33") << 6 << 7 << 5 << 33 << 2 << 1 << 1 << 1 << "valid";
  QTest::newRow("valid 7x5 k3 s2") << 7 << 5 << 3 << 4 << 3 << 2 << 1 << 1 << "valid";
  QTest::newRow("same 6x6 k4 s2") << 6 << 6 << 2 << 3 << 4 << 2 << 1 << 1 << "same";
  QTest::newRow("valid 9x8 k3 d2") << 9 << 8 << 2 << 3 << 3 << 1 << 2 << 1 << "valid";
  QTest::newRow("same 9x8 k3 d2") << 9 << 8 << 2 << 3 << 3 << 1 << 2 << 1 << "same";
  QTest::newRow("groups 2") << 5 << 5 << 4 << 6 << 3 << 1 << 1 << 2 << "same";
  QTest::newRow("groups 4 s2") << 5 << 6 << 8 << 4 << 3 << 2 << 1 << 4 << "valid";
  QTest::newRow("1x1") << 5 << 3 << 6 << 4 << 1 << 1 << 1 << 1 << "valid";
  QTest::newRow("1x1 s2") << 5 << 3 << 6 << 4 << 1 << 2 << 1 << 1 << "same";
}

void TestConv2D::referenceSweep() {
  QFETCH(int, h);
  QFETCH(int, w);
  QFETCH(int, c);
  QFETCH(int, f);
  QFETCH(int, k);
  QFETCH(int, s);
  QFETCH(int, d);
  QFETCH(int, groups);
  QFETCH(QString, padding);
  const std::string pad = padding.toStdString();
  json cfg = {{"filters", f},      {"kernel_size", {k, k}},
              {"strides", {s, s}}, {"dilation_rate", {d, d}},
              {"groups", groups},  {"padding", pad}};
  auto layer = makeLayer("Conv2D", cfg, {kNone, h, w, c});
  Rng rng(3);
  var(*layer, "bias").value = randomTensor({f}, rng);
  Tensor x = randomTensor({2, h, w, c}, rng);
  Tensor y = runForward(*layer, x);
  const Index oh = convOutputLength(h, k, s, d, pad), ow = convOutputLength(w, k, s, d, pad);
  Tensor ref = refConv2D(x, var(*layer, "kernel").value, &var(*layer, "bias").value, s, s, d, d,
                         padBefore(h, k, s, d, pad), padBefore(w, k, s, d, pad), oh, ow, groups);
  compareTensors(y, ref);
  QCOMPARE(layer->outputShape({{kNone, h, w, c}}), Shape({kNone, oh, ow, f}));
}

void TestConv2D::conv1dCausal() {
  // x = [1, 2, 3, 4] (one channel), kernel [a, b] = [1, 10], causal: y[t] = x[t-1]*1 + x[t]*10.
  auto layer = makeLayer(
      "Conv1D", {{"filters", 1}, {"kernel_size", 2}, {"padding", "causal"}, {"use_bias", false}},
      {kNone, 4, 1});
  QCOMPARE(var(*layer, "kernel").value.shape(), Shape({2, 1, 1}));
  var(*layer, "kernel").value = Tensor({2, 1, 1}, {1, 10});
  Tensor y = runForward(*layer, Tensor({1, 4, 1}, {1, 2, 3, 4}));
  QCOMPARE(y.toVector(), std::vector<float>({10, 21, 32, 43}));
  auto valid =
      makeLayer("Conv1D", {{"filters", 2}, {"kernel_size", 3}, {"strides", 2}}, {kNone, 8, 3});
  QCOMPARE(valid->outputShape({{kNone, 8, 3}}), Shape({kNone, 3, 2}));
}

void TestConv2D::gradients_data() {
  QTest::addColumn<QString>("config");
  QTest::addColumn<int>("h");
  QTest::addColumn<int>("w");
  QTest::addColumn<int>("c");
  QTest::newRow("valid tanh") << R"({"filters":3,"kernel_size":[2,3],"activation":"tanh"})" << 4
                              << 5 << 2;
  QTest::newRow("same s2 odd") << R"({"filters":2,"kernel_size":3,"strides":2,"padding":"same"})"
                               << 5 << 5 << 3;
  QTest::newRow("valid s2") << R"({"filters":2,"kernel_size":3,"strides":[2,1]})" << 6 << 5 << 2;
  QTest::newRow("dilation 2") << R"({"filters":2,"kernel_size":2,"dilation_rate":2,
                                     "padding":"same","activation":"sigmoid"})"
                              << 5 << 4 << 2;
  QTest::newRow("groups 2 swish") << R"({"filters":4,"kernel_size":3,"groups":2,
                                        "padding":"same","activation":"swish"})"
                                  << 4 << 4 << 4;
  QTest::newRow("1x1") << R"({"filters":3,"kernel_size":1})" << 3 << 3 << 4;
  QTest::newRow("same k4 relu") << R"({"filters":3,"kernel_size":[4,2],"padding":"same",
                                      "activation":"relu"})"
                                << 5 << 4 << 2;
  QTest::newRow("no bias softmax") << R"({"filters":3,"kernel_size":2,"use_bias":false,
                                         "activation":"softmax"})"
                                   << 3 << 4 << 2;
  QTest::newRow("l2 regularizers") << R"({"filters":2,"kernel_size":2,
             "kernel_regularizer":{"class_name":"L1L2","config":{"l1":0.0,"l2":0.1}}})"
                                   << 3 << 3 << 1;
}

void TestConv2D::gradients() {
  QFETCH(QString, config);
  QFETCH(int, h);
  QFETCH(int, w);
  QFETCH(int, c);
  json cfg = json::parse(config.toStdString());
  Shape in{kNone, h, w, c};
  auto layer = makeLayer("Conv2D", cfg, in);
  Rng rng(11);
  if (cfg.value("use_bias", true)) var(*layer, "bias").value = randomTensor({cfg["filters"]}, rng);
  QVERIFY(checkLayerGradients(*layer, {randomTensor({2, h, w, c}, rng)}));
}

void TestConv2D::gradientsConv1D() {
  for (const char* pad : {"valid", "same", "causal"}) {
    auto layer = makeLayer(
        "Conv1D", {{"filters", 3}, {"kernel_size", 3}, {"padding", pad}, {"activation", "elu"}},
        {kNone, 7, 2});
    Rng rng(5);
    QVERIFY(checkLayerGradients(*layer, {randomTensor({2, 7, 2}, rng)}));
  }
  auto strided = makeLayer(
      "Conv1D", {{"filters", 2}, {"kernel_size", 2}, {"strides", 2}, {"dilation_rate", 1}},
      {kNone, 7, 3});
  Rng rng(6);
  QVERIFY(checkLayerGradients(*strided, {randomTensor({3, 7, 3}, rng)}));
}

void TestConv2D::activityRegularizerGradient() {
  auto layer = makeLayer(
      "Conv2D",
      {{"filters", 2},
       {"kernel_size", 2},
       {"activation", "tanh"},
       {"activity_regularizer", {{"class_name", "L1L2"}, {"config", {{"l1", 0.0}, {"l2", 0.3}}}}}},
      {kNone, 3, 3, 2});
  Rng rng(9);
  Tensor x = randomTensor({2, 3, 3, 2}, rng);
  RunContext ctx;
  Tensor y;
  layer->forward({&x}, y, ctx);
  double expected = 0;
  for (Index i = 0; i < y.size(); ++i) expected += 0.3 * y[i] * y[i];
  QVERIFY(std::fabs(ctx.addedLoss - expected / 2) < 1e-5);
  QVERIFY(checkLayerGradients(*layer, {x}));
}

void TestConv2D::errors() {
  // Kernel larger than the input with valid padding: both shapes and the kernel are named.
  auto big = makeLayer("Conv2D", {{"filters", 1}, {"kernel_size", 5}}, {kNone, 8, 8, 1});
  expectSpecError(
      [&] {
        big->outputShape({{kNone, 3, 4, 1}});
      },
      SpecErrorKind::ShapeMismatch,
      "kernel (5, 5) is larger than the input (None, 3, 4, 1) with padding 'valid'");
  auto dil = makeLayer("Conv2D", {{"filters", 1}, {"kernel_size", 3}, {"dilation_rate", 3}},
                       {kNone, 8, 8, 1});
  expectSpecError(
      [&] {
        dil->outputShape({{kNone, 6, 6, 1}});
      },
      SpecErrorKind::ShapeMismatch, "dilated to 7");
  // Rank: a 2-D tensor into Conv2D.
  expectSpecError(
      [&] {
        big->outputShape({{kNone, 10}});
      },
      SpecErrorKind::ShapeMismatch,
      "Conv2D expects a 4-D input (batch, height, width, channels), got (None, 10)");
  // Zero / negative strides are BadValue.
  expectSpecError(
      [] {
        LayerRegistry::instance().create(
            "Conv2D", {{"filters", 1}, {"kernel_size", 3}, {"strides", 0}}, "node");
      },
      SpecErrorKind::BadValue, "strides");
  expectSpecError(
      [] {
        LayerRegistry::instance().create(
            "Conv2D", {{"filters", 1}, {"kernel_size", 3}, {"strides", {1, -2}}}, "node");
      },
      SpecErrorKind::BadValue, "strides");
  expectSpecError(
      [] {
        LayerRegistry::instance().create("Conv2D", {{"filters", 1}, {"kernel_size", {3, 3, 3}}},
                                         "node");
      },
      SpecErrorKind::BadValue, "kernel_size");
  expectSpecError(
      [] {
        LayerRegistry::instance().create(
            "Conv2D", {{"filters", 1}, {"kernel_size", 3}, {"data_format", "channels_first"}},
            "node");
      },
      SpecErrorKind::BadValue, "channels_last");
  expectSpecError(
      [] {
        LayerRegistry::instance().create(
            "Conv2D", {{"filters", 4}, {"kernel_size", 3}, {"strides", 2}, {"dilation_rate", 2}},
            "node");
      },
      SpecErrorKind::BadValue, "dilation_rate");
  auto grouped =
      makeLayer("Conv2D", {{"filters", 4}, {"kernel_size", 1}, {"groups", 2}}, {kNone, 3, 3, 2});
  expectSpecError(
      [&] {
        grouped->outputShape({{kNone, 3, 3, 3}});
      },
      SpecErrorKind::ShapeMismatch, "not divisible by groups = 2");
  expectSpecError(
      [] {
        LayerRegistry::instance().create(
            "Conv2D", {{"filters", 3}, {"kernel_size", 1}, {"groups", 2}}, "node");
      },
      SpecErrorKind::BadValue, "groups");
  auto c1 = makeLayer("Conv1D", {{"filters", 1}, {"kernel_size", 3}}, {kNone, 5, 1});
  expectSpecError(
      [&] {
        c1->outputShape({{kNone, 5, 5, 1}});
      },
      SpecErrorKind::ShapeMismatch,
      "Conv1D expects a 3-D input (batch, steps, channels), got (None, 5, 5, 1)");
  expectSpecError(
      [&] {
        c1->outputShape({{kNone, 2, 1}});
      },
      SpecErrorKind::ShapeMismatch, "kernel (3,) is larger than the input (None, 2, 1)");
}

void TestConv2D::paramCount() {
  // Keras model.summary(): Conv2D(32, 3) on 1 channel = 3*3*1*32 + 32 = 320.
  QCOMPARE(makeLayer("Conv2D", {{"filters", 32}, {"kernel_size", 3}}, {kNone, 28, 28, 1})
               ->parameterCount(),
           Index(320));
  QCOMPARE(makeLayer("Conv2D", {{"filters", 64}, {"kernel_size", 3}}, {kNone, 14, 14, 32})
               ->parameterCount(),
           Index(18496));
  QCOMPARE(
      makeLayer("Conv2D", {{"filters", 8}, {"kernel_size", 3}, {"groups", 4}, {"use_bias", false}},
                {kNone, 5, 5, 8})
          ->parameterCount(),
      Index(3 * 3 * 2 * 8));
  QCOMPARE(
      makeLayer("Conv1D", {{"filters", 16}, {"kernel_size", 5}}, {kNone, 20, 4})->parameterCount(),
      Index(5 * 4 * 16 + 16));
  auto layer = makeLayer("Conv2D", {{"filters", 4}, {"kernel_size", {2, 3}}}, {kNone, 5, 5, 3});
  QCOMPARE(layer->variables().size(), size_t(2));
  QCOMPARE(layer->variables()[0].name, std::string("kernel"));
  QCOMPARE(layer->variables()[0].value.shape(), Shape({2, 3, 3, 4}));
  QCOMPARE(layer->variables()[1].name, std::string("bias"));
}

void TestConv2D::buffersReused() {
  // After the first batch, forward + backward reuse their buffers: the output and dx keep their
  // storage (no reallocation when the batch size does not grow).
  auto layer = makeLayer(
      "Conv2D", {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}, {"activation", "relu"}},
      {kNone, 6, 6, 2});
  Rng rng(2);
  Tensor x = randomTensor({4, 6, 6, 2}, rng);
  Tensor y, dx;
  RunContext ctx;
  ctx.training = true;
  layer->forward({&x}, y, ctx);
  Tensor dy = randomTensor(y.shape(), rng);
  layer->backward({&x}, y, dy, {&dx}, ctx);
  const float* yp = y.data();
  const float* dxp = dx.data();
  Tensor kgrad = var(*layer, "kernel").grad;
  for (int i = 0; i < 3; ++i) {
    layer->forward({&x}, y, ctx);
    layer->backward({&x}, y, dy, {&dx}, ctx);
  }
  QCOMPARE(y.data(), yp);
  QCOMPARE(dx.data(), dxp);
  // Gradients are overwritten, not accumulated.
  compareTensors(var(*layer, "kernel").grad, kgrad, 1e-6);
  // dx skipped when nullptr (first layer).
  layer->backward({&x}, y, dy, {nullptr}, ctx);
  compareTensors(var(*layer, "kernel").grad, kgrad, 1e-6);
}

QTEST_APPLESS_MAIN(TestConv2D)
#include "tst_engine_conv2d.moc"
