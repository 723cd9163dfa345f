// keras.applications templates (engine/graph/Applications.h): parameter totals against the
// numbers Keras's model.summary() prints for VGG16 / ResNet50 / MobileNetV2 (weights=None), exact
// layer names, options, and one ResNet50 forward pass (timing printed, not asserted).
#include <QtTest>

#include <chrono>

#include "engine/core/Error.h"
#include "engine/graph/Applications.h"
#include "engine/graph/FineTune.h"
#include "engine/train/Model.h"

using namespace tessel;

namespace {

ParamCounts counts(const ModelSpec& s) {
  return countParameters(s);
}

bool hasLayer(const ModelSpec& s, const std::string& name, const std::string& cls) {
  const NodeSpec* n = s.find(name);
  return n && n->className == cls;
}

}  // namespace

class TestApplications : public QObject {
  Q_OBJECT
 private slots:
  void resnet50WithTop() {
    const ModelSpec s = resnet50();
    QVERIFY(inferShapes(s).ok());
    const ParamCounts c = counts(s);
    QCOMPARE(c.total, Index(25636712));
    QCOMPARE(c.trainable, Index(25583592));
    QCOMPARE(c.nonTrainable, Index(53120));
    QCOMPARE(s.name, std::string("resnet50"));
    QVERIFY(hasLayer(s, "conv1_pad", "ZeroPadding2D"));
    QVERIFY(hasLayer(s, "conv1_conv", "Conv2D"));
    QVERIFY(hasLayer(s, "conv1_bn", "BatchNormalization"));
    QVERIFY(hasLayer(s, "conv1_relu", "Activation"));
    QVERIFY(hasLayer(s, "pool1_pad", "ZeroPadding2D"));
    QVERIFY(hasLayer(s, "pool1_pool", "MaxPooling2D"));
    QVERIFY(hasLayer(s, "conv2_block1_1_conv", "Conv2D"));
    QVERIFY(hasLayer(s, "conv2_block1_0_bn", "BatchNormalization"));
    QVERIFY(hasLayer(s, "conv4_block6_add", "Add"));
    QVERIFY(hasLayer(s, "conv5_block3_out", "Activation"));
    QVERIFY(hasLayer(s, "avg_pool", "GlobalAveragePooling2D"));
    QVERIFY(hasLayer(s, "predictions", "Dense"));
    QCOMPARE(s.find("conv1_bn")->config.at("epsilon").get<double>(), 1.001e-5);
    // len(ResNet50().layers) == 177: input, 6 stem layers, 16 blocks of 10 layers (12 for the 4
    // with a convolution shortcut), avg_pool, predictions.
    QCOMPARE(s.nodes.size(), size_t(177));
    QCOMPARE(s.outputs, std::vector<std::string>{"predictions"});
    const ShapeReport r = inferShapes(s);
    QCOMPARE(*r.find("conv5_block3_out")->output, (Shape{kNone, 7, 7, 2048}));
    QCOMPARE(*r.find("predictions")->output, (Shape{kNone, 1000}));
  }

  void resnet50NoTopAvg() {
    ApplicationOptions o;
    o.includeTop = false;
    o.pooling = "avg";
    const ModelSpec s = resnet50(o);
    const ParamCounts c = counts(s);
    QCOMPARE(c.total, Index(23587712));
    QCOMPARE(c.trainable, Index(23534592));
    QCOMPARE(c.nonTrainable, Index(53120));
    QCOMPARE(s.outputs, std::vector<std::string>{"avg_pool"});
    QVERIFY(!s.find("predictions"));
    o.pooling = "max";
    QCOMPARE(resnet50(o).outputs, std::vector<std::string>{"max_pool"});
    o.pooling = "";
    QCOMPARE(resnet50(o).outputs, std::vector<std::string>{"conv5_block3_out"});
  }

  void vgg16() {
    const ModelSpec s = tessel::vgg16();
    const ParamCounts c = counts(s);
    QCOMPARE(c.total, Index(138357544));
    QCOMPARE(c.trainable, Index(138357544));
    QCOMPARE(c.nonTrainable, Index(0));
    for (const char* n : {"block1_conv1", "block1_conv2", "block1_pool", "block3_conv3",
                          "block5_conv3", "block5_pool", "flatten", "fc1", "fc2", "predictions"})
      QVERIFY2(s.find(n), n);
    QCOMPARE(s.nodes.size(), size_t(23));
    ApplicationOptions o;
    o.includeTop = false;
    o.pooling = "avg";
    const ModelSpec noTop = tessel::vgg16(o);
    QCOMPARE(counts(noTop).total, Index(14714688));
    QCOMPARE(noTop.outputs, std::vector<std::string>{"global_average_pooling2d"});
  }

  void mobileNetV2() {
    const ModelSpec s = tessel::mobileNetV2();
    QCOMPARE(s.name, std::string("mobilenetv2_1.00_224"));
    const ParamCounts c = counts(s);
    QCOMPARE(c.total, Index(3538984));
    QCOMPARE(c.trainable, Index(3504872));
    QCOMPARE(c.nonTrainable, Index(34112));
    QVERIFY(hasLayer(s, "Conv1", "Conv2D"));
    QVERIFY(hasLayer(s, "bn_Conv1", "BatchNormalization"));
    QVERIFY(hasLayer(s, "Conv1_relu", "ReLU"));
    QVERIFY(hasLayer(s, "expanded_conv_depthwise", "DepthwiseConv2D"));
    QVERIFY(hasLayer(s, "expanded_conv_project_BN", "BatchNormalization"));
    QVERIFY(hasLayer(s, "block_1_expand", "Conv2D"));
    QVERIFY(hasLayer(s, "block_1_pad", "ZeroPadding2D"));
    QVERIFY(hasLayer(s, "block_2_add", "Add"));
    QVERIFY(hasLayer(s, "block_16_project_BN", "BatchNormalization"));
    QVERIFY(hasLayer(s, "out_relu", "ReLU"));
    QVERIFY(hasLayer(s, "predictions", "Dense"));
    QVERIFY(!s.find("block_1_add"));
    QCOMPARE(s.find("out_relu")->config.at("max_value").get<double>(), 6.0);
    QCOMPARE(s.find("bn_Conv1")->config.at("momentum").get<double>(), 0.999);
    // Keras's len(MobileNetV2().layers) == 156 (input included).
    QCOMPARE(s.nodes.size(), size_t(156));
    // correct_pad on an even 112x112 map pads ((0, 1), (0, 1)).
    QCOMPARE(s.find("block_1_pad")->config.at("padding"), json::parse("[[0, 1], [0, 1]]"));
    ApplicationOptions o;
    o.includeTop = false;
    o.pooling = "avg";
    const ModelSpec base = tessel::mobileNetV2(o);
    QCOMPARE(counts(base).total, Index(2257984));
    // The TF transfer-learning tutorial's "Number of layers in the base model: 154" (pooling
    // None); avg pooling adds one.
    QCOMPARE(base.nodes.size(), size_t(155));
  }

  void mobileNetV2AlphaAndSmallInput() {
    ApplicationOptions o;
    o.alpha = 0.35;
    o.inputShape = Shape{96, 96, 3};
    const ModelSpec s = tessel::mobileNetV2(o);
    QCOMPARE(s.name, std::string("mobilenetv2_0.35_96"));
    QVERIFY(inferShapes(s).ok());
    // _make_divisible(32 * 0.35, 8): 8 is below 90% of 11.2, so 16; 320 * 0.35 -> 112; the last
    // convolution keeps 1280 for alpha <= 1.
    QCOMPARE(s.find("Conv1")->config.at("filters").get<Index>(), Index(16));
    QCOMPARE(s.find("block_16_project")->config.at("filters").get<Index>(), Index(112));
    QCOMPARE(s.find("Conv_1")->config.at("filters").get<Index>(), Index(1280));
    QVERIFY(counts(s).total < 3538984);
    // An odd size (33) pads ((1, 1), (1, 1)) before the first stride-2 depthwise.
    o.alpha = 1.0;
    o.inputShape = Shape{33, 33, 3};
    o.includeTop = false;
    const ModelSpec odd = tessel::mobileNetV2(o);
    QVERIFY(inferShapes(odd).ok());
    QCOMPARE(odd.find("block_1_pad")->config.at("padding"), json::parse("[[1, 1], [1, 1]]"));
  }

  void optionsAreChecked() {
    ApplicationOptions o;
    o.classes = 10;
    o.classifierActivation = "";
    const ModelSpec s = resnet50(o);
    QCOMPARE(s.find("predictions")->config.at("units").get<Index>(), Index(10));
    QCOMPARE(s.find("predictions")->config.at("activation").get<std::string>(),
             std::string("linear"));
    o = {};
    o.pooling = "mean";
    QVERIFY_THROWS_EXCEPTION(Error, tessel::vgg16(o));
    o = {};
    o.inputShape = Shape{16, 16, 3};
    QVERIFY_THROWS_EXCEPTION(Error, resnet50(o));
    QVERIFY_THROWS_EXCEPTION(Error, buildApplication("ResNet51"));
    QCOMPARE(buildApplication("VGG16").name, std::string("vgg16"));
    QCOMPARE(applicationNames().size(), size_t(3));
  }

  // The graph round-trips through the Keras JSON form (what the project file stores).
  void jsonRoundTrip() {
    const ModelSpec s = tessel::mobileNetV2();
    QVERIFY(ModelSpec::fromKerasJson(s.toKerasJson()) == s);
  }

  void resnet50ForwardOneImage() {
    ModelSpec s = resnet50();
    Model m(s, 1);
    Tensor x({1, 224, 224, 3});
    for (Index i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 255) / 255.0f;
    RunContext ctx;
    const auto t0 = std::chrono::steady_clock::now();
    m.forward({&x}, false, ctx);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const Tensor& y = m.output(0);
    QCOMPARE(y.shape(), (Shape{1, 1000}));
    double sum = 0;
    for (Index i = 0; i < y.size(); ++i) {
      QVERIFY(std::isfinite(y[i]));
      sum += y[i];
    }
    QVERIFY(std::fabs(sum - 1.0) < 1e-4);  // softmax
    qInfo(
        "ResNet50 forward, one 224x224x3 image, batch 1: %.1f ms (first call, buffers "
        "included)",
        ms);
    const auto t1 = std::chrono::steady_clock::now();
    m.forward({&x}, false, ctx);
    qInfo("ResNet50 forward again (buffers reused): %.1f ms",
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
  }
};

QTEST_APPLESS_MAIN(TestApplications)
#include "tst_engine_graph_applications.moc"
