// The layer catalog's entries and hooks agree with each other and with Keras: every registered
// layer has a Keras docs group and a doc line, an ONNX hook or words for why it has none, subtitle
// and positional Python keys among its parameters; identityAtInference marks exactly the layers
// Keras runs in training only (and those layers do return their input at inference); aliases find
// their layer; a completed config holds every parameter the layer reads.
#include <QtTest>

#include <algorithm>
#include <set>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/PythonExport.h"
#include "engine/layers/LayerRegistry.h"

using namespace tessel;

namespace {

// The suggested value of every required parameter: the config the palette gives a new node.
json minimalConfig(const LayerInfo& info) {
  json c = json::object();
  for (const ParamSpec& p : info.params)
    if (p.required) c[p.key] = p.suggested;
  return c;
}

bool hasParam(const LayerInfo& info, const std::string& key) {
  return info.param(key) != nullptr;
}

// y = x, no weights: a layer the ONNX exporter has no hook for.
class PassThrough : public Layer {
 public:
  explicit PassThrough(const json& config) : Layer("TestNoOnnx", config) {}
  Shape outputShape(const std::vector<Shape>& inputs) const override { return inputs.at(0); }
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) override { y = *x[0]; }
  void backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext&) override {
    if (dx[0]) *dx[0] = dy;
  }
};

}  // namespace

class TestLayerCatalog : public QObject {
  Q_OBJECT

  const LayerRegistry& reg() { return LayerRegistry::instance(); }

 private slots:
  void everyLayerHasAKnownGroupAndDocs() {
    const auto& groups = layerGroups();
    QVERIFY(reg().all().size() >= 40);
    for (const LayerInfo* info : reg().all()) {
      const char* cls = info->className.c_str();
      QVERIFY2(std::find(groups.begin(), groups.end(), info->group) != groups.end(), cls);
      QVERIFY2(!info->doc.empty() && info->doc.find('\n') == std::string::npos, cls);
      QVERIFY2(info->create, cls);
      for (const ParamSpec& p : info->params)
        QVERIFY2(!p.doc.empty(), (info->className + "." + p.key).c_str());
    }
  }

  void everyLayerHasAnOnnxHookOrSaysWhyNot() {
    for (const LayerInfo* info : reg().all()) {
      const bool handled = info->onnx.write || info->identityAtInference || info->isInput;
      QVERIFY2(handled || !info->onnx.notExpressible.empty(), info->className.c_str());
      // A config check without a way to write the layer would never be reached.
      if (info->onnx.unsupported) QVERIFY2(info->onnx.write, info->className.c_str());
    }
  }

  // Keras's training-only layers: Dropout and its kin, the noise layers and the image
  // augmentation layers; nothing else is skipped at inference.
  void identityAtInferenceMarksTheTrainingOnlyLayers() {
    const std::set<std::string> keras = {
        "Dropout",           "AlphaDropout",    "SpatialDropout1D", "SpatialDropout2D",
        "SpatialDropout3D",  "GaussianDropout", "GaussianNoise",    "RandomFlip",
        "RandomTranslation", "RandomRotation",  "RandomZoom",       "RandomContrast",
        "RandomBrightness",  "RandomCrop",      "RandomHeight",     "RandomWidth"};
    int marked = 0;
    for (const LayerInfo* info : reg().all()) {
      QCOMPARE(info->identityAtInference, keras.count(info->className) > 0);
      marked += info->identityAtInference;
    }
    QVERIFY(marked >= 10);
  }

  // What the flag promises: at inference the layer's output is its input, value for value.
  void identityAtInferenceLayersReturnTheirInput() {
    for (const LayerInfo* info : reg().all()) {
      if (!info->identityAtInference) continue;
      auto layer = reg().create(info->className, minimalConfig(*info), "n");
      Rng rng(3);
      layer->build({{kNone, 5, 4, 3}}, rng);
      Tensor x({2, 5, 4, 3});
      for (Index i = 0; i < x.size(); ++i) x[i] = 0.1f * float(i % 17) - 0.7f;
      Tensor y;
      RunContext ctx;
      ctx.rng = &rng;
      layer->forward({&x}, y, ctx);
      QVERIFY2(y.shape() == x.shape(), info->className.c_str());
      for (Index i = 0; i < x.size(); ++i) QCOMPARE(y[i], x[i]);
    }
  }

  void isInputMarksTheInputLayerOnly() {
    int inputs = 0;
    for (const LayerInfo* info : reg().all()) {
      if (!info->isInput) continue;
      ++inputs;
      QCOMPARE(info->className, std::string("InputLayer"));
      QCOMPARE(info->minInputs, 0);
      QCOMPARE(info->maxInputs, 0);
    }
    QCOMPARE(inputs, 1);
    QVERIFY(reg().isInput("InputLayer"));
    QVERIFY(!reg().isInput("Dense"));
    QVERIFY(!reg().isInput("NoSuchLayer"));
  }

  void subtitleAndPythonKeysAreParameters() {
    int withSubtitle = 0;
    for (const LayerInfo* info : reg().all()) {
      for (const SubtitleKey& k : info->subtitleKeys)
        QVERIFY2(hasParam(*info, k.key), (info->className + "." + k.key).c_str());
      for (const std::string& k : info->pythonPositional)
        QVERIFY2(hasParam(*info, k), (info->className + "." + k).c_str());
      withSubtitle += !info->subtitleKeys.empty();
    }
    QVERIFY(withSubtitle >= 15);
    // Keras's positional arguments: Dense(units), Conv2D(filters, kernel_size), Dropout(rate).
    QCOMPARE(reg().find("Dense")->pythonPositional, std::vector<std::string>{"units"});
    QCOMPARE(reg().find("Conv2D")->pythonPositional,
             (std::vector<std::string>{"filters", "kernel_size"}));
    QCOMPARE(reg().find("Dropout")->pythonPositional, std::vector<std::string>{"rate"});
  }

  // Keras's other names for the same classes (keras.layers.MaxPool2D is MaxPooling2D).
  void aliasesFindTheirLayer() {
    const std::pair<const char*, const char*> aliases[] = {
        {"MaxPool2D", "MaxPooling2D"},
        {"AvgPool1D", "AveragePooling1D"},
        {"GlobalAvgPool2D", "GlobalAveragePooling2D"},
        {"Convolution2D", "Conv2D"},
        {"SeparableConvolution2D", "SeparableConv2D"}};
    for (const auto& [alias, cls] : aliases) {
      const LayerInfo* info = reg().find(alias);
      QVERIFY2(info, alias);
      QCOMPARE(info->className, std::string(cls));
    }
    for (const LayerInfo* info : reg().all())
      for (const std::string& a : info->aliases) QCOMPARE(reg().find(a), info);
    QVERIFY(!reg().find("maxpool2d"));  // class names are case-sensitive, as in Keras
    LayerRegistry local;
    LayerInfo first;
    first.className = "TestFirst";
    first.aliases = {"TestAlias"};
    local.add(first);
    LayerInfo clash;
    clash.className = "TestAlias";
    QVERIFY_THROWS_EXCEPTION(Error, local.add(clash));
  }

  // Layers read their config with at(): the registry's completed config must hold every
  // parameter, and every layer must build from the palette's minimal config.
  void completedConfigHoldsEveryParameter() {
    for (const LayerInfo* info : reg().all()) {
      const json full = reg().completeConfig(info->className, minimalConfig(*info), "n");
      for (const ParamSpec& p : info->params)
        QVERIFY2(full.contains(p.key), (info->className + "." + p.key).c_str());
      if (info->isInput) continue;
      QVERIFY2(reg().create(info->className, minimalConfig(*info), "n"), info->className.c_str());
    }
  }

  // A layer without an ONNX hook is named with the catalog's words, and export refuses it.
  void aLayerWithoutOnnxHookIsNamed() {
    if (!reg().find("TestNoOnnx")) {
      LayerInfo info;
      info.className = "TestNoOnnx";
      info.group = "Core";
      info.doc = "Passes its input through (test layer).";
      info.onnx.notExpressible = "test layers have no ONNX form";
      info.create = [](const json& c) { return std::make_unique<PassThrough>(c); };
      LayerRegistry::instance().add(info);
    }
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("x", {kNone, 3}),
                  NodeSpec{"pass", "TestNoOnnx", {}, {"x"}, {}}};
    spec.inputs = {"x"};
    spec.outputs = {"pass"};
    const auto list = onnxUnsupportedLayers(spec);
    QCOMPARE(list.size(), size_t(1));
    QCOMPARE(list[0], std::string("'pass' (TestNoOnnx): test layers have no ONNX form"));
    QVERIFY_THROWS_EXCEPTION(Error, onnxModelBytes(spec, {}));
  }

  // The hooks reach the exporters: an alias class name exports like its layer, and the Python
  // script passes the catalog's positional arguments first.
  void exportersReadTheHooks() {
    ModelSpec spec;
    spec.nodes = {
        makeInputLayerNode("img", {kNone, 6, 6, 2}),
        NodeSpec{"pool", "MaxPool2D", {{"name", "pool"}}, {"img"}, {}},
        NodeSpec{"drop", "Dropout", {{"name", "drop"}, {"rate", 0.25}}, {"pool"}, {}},
    };
    spec.inputs = {"img"};
    spec.outputs = {"drop"};
    QVERIFY(onnxUnsupportedLayers(spec).empty());
    QVERIFY(!onnxModelBytes(spec, {}).empty());
    const std::string py = pythonScript(spec, json::object(), {});
    QVERIFY2(py.find("layers.Dropout(0.25, name=\"drop\")") != std::string::npos, py.c_str());
    QVERIFY2(py.find("layers.MaxPool2D(name=\"pool\")") != std::string::npos, py.c_str());
    QVERIFY2(py.find("keras.Input(shape=(6, 6, 2), name=\"img\")") != std::string::npos,
             py.c_str());
  }
};

QTEST_APPLESS_MAIN(TestLayerCatalog)
#include "tst_engine_layercatalog.moc"
