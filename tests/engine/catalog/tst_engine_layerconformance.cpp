// Per-layer conformance: EVERY layer in LayerRegistry::instance().all() (not a hand list) is put
// into a one-layer model (InputLayer nodes -> the layer; an InputLayer alone for InputLayer) with
// the input shapes and config of its entry in conformanceTable() below, and must pass:
//   - Keras JSON round trip: the model's to_json, parsed back, is the same spec; the completed
//     config (defaults filled in) survives a save and reload and recreates the same layer config;
//   - shape inference (inferShapes) equals the shape the forward pass of the built model gives;
//   - finite-difference gradients w.r.t. every input and trainable weight (random layers run in
//     training mode with a fixed seed, so their masks and transforms repeat between evaluations);
//   - ONNX export succeeds, or fails with a message naming the node, its class and the reason;
//   - the Python export of the model compiles (one python3 run for all layers; QSKIP without it);
//   - the palette's node for it (its parameters' suggestions) is a valid layer.
// A registered layer without an entry fails, so a new layer cannot skip these checks; an entry
// for a class that is not registered fails too.
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <map>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/PythonExport.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/train/Model.h"
#include "tests/engine/support/GradCheck.h"

using namespace tessel;
using namespace tessel::test;

namespace {

// How one layer class is exercised. Input shapes include the batch dimension (2 everywhere).
struct Conformance {
  std::vector<Shape> inputs;
  json config = json::object();
  bool training = false;  // gradients in training mode (random layers: masks fixed by the seed)
  float lo = -1.0f, hi = 1.0f;  // input values
  // Inputs are a shuffled grid over [lo, hi) (steps of (hi - lo) / count, 1/32 at most here):
  // max-type layers then never see two values within the finite-difference step (1e-3), so no
  // step crosses a kink.
  bool distinct = false;
  double eps = 1e-2;       // finite-difference step
  std::string noGradient;  // why the layer has no finite-difference check ("" = it has one)
  Index ids = 0;           // > 0: the inputs are integer ids in [0, ids) (Embedding)
};

Conformance entry(std::vector<Shape> inputs, json config = json::object()) {
  Conformance c;
  c.inputs = std::move(inputs);
  c.config = std::move(config);
  return c;
}
Conformance training(Conformance c) {
  c.training = true;
  return c;
}
Conformance distinct(Conformance c) {
  c.distinct = true;
  c.eps = 1e-3;
  return c;
}
Conformance range(Conformance c, float lo, float hi) {
  c.lo = lo;
  c.hi = hi;
  return c;
}

// The table: one entry per registered layer class.
const std::map<std::string, Conformance>& conformanceTable() {
  static const std::map<std::string, Conformance> table = [] {
    const Shape vec{2, 3}, seq{2, 6, 2}, img{2, 4, 4, 2};
    std::map<std::string, Conformance> t;
    // Core
    t["InputLayer"] = entry({vec}, {{"batch_input_shape", {nullptr, 3}}});
    t["Dense"] = entry({vec}, {{"units", 2}, {"activation", "tanh"}});
    t["Activation"] = entry({{2, 3, 2}}, {{"activation", "softmax"}});
    // Kinks at threshold 0.01 and max_value 0.6, off the input grid (steps of 1/32 from -1).
    t["ReLU"] =
        distinct(entry({img}, {{"max_value", 0.6}, {"negative_slope", 0.2}, {"threshold", 0.01}}));
    // Regularization: the masks and the noise are drawn from the fixed seed at every forward.
    t["Dropout"] = training(entry({{2, 4, 3}}, {{"rate", 0.5}}));
    t["AlphaDropout"] = training(entry({{2, 6}}, {{"rate", 0.3}}));
    t["SpatialDropout2D"] = training(entry({img}, {{"rate", 0.5}}));
    t["GaussianNoise"] = training(entry({vec}, {{"stddev", 0.3}}));
    t["ActivityRegularization"] = range(entry({vec}, {{"l1", 0.01}, {"l2", 0.02}}), 0.1f, 1.0f);
    // Expression layers: two inputs through a Lambda; a custom Dense-like layer with weights.
    t["Lambda"] = entry({vec, vec}, {{"expression",
                                      "tf.nn.softplus(x[0]) * x[1] + "
                                      "tf.reduce_mean(x[0], axis=-1, keepdims=True)"}});
    t["CustomLayer"] =
        entry({vec}, {{"custom_class", "CustomizedDenseLayer"},
                      {"params", {{"units", 2}, {"activation", "tanh"}}},
                      {"weights",
                       {{{"name", "kernel"}, {"shape", {"input_shape[-1]", "units"}}},
                        {{"name", "bias"}, {"shape", {"units"}}, {"initializer", "ones"}}}},
                      {"call", "activation(x @ kernel + bias)"}});
    // Reshaping
    t["Flatten"] = entry({{2, 2, 3, 2}});
    t["Reshape"] = entry({{2, 6}}, {{"target_shape", {3, 2}}});
    t["UpSampling2D"] = entry({{2, 2, 3, 2}}, {{"size", {2, 3}}});
    t["ZeroPadding2D"] = entry({{2, 2, 3, 2}}, {{"padding", {{1, 0}, {2, 1}}}});
    t["Cropping2D"] = entry({img}, {{"cropping", {{1, 0}, {0, 2}}}});
    t["RepeatVector"] = entry({vec}, {{"n", 3}});
    t["Permute"] = entry({{2, 2, 3, 4}}, {{"dims", {3, 1, 2}}});
    // Recurrent wrapper and attention (AttentionLayers.cpp)
    t["TimeDistributed"] =
        entry({{2, 3, 4}}, {{"layer", {{"class_name", "Dense"}, {"config", {{"units", 2}}}}}});
    t["Attention"] = entry({{2, 3, 4}, {2, 5, 2}, {2, 5, 4}}, {{"use_scale", true}});
    t["AdditiveAttention"] = entry({{2, 3, 4}, {2, 5, 4}}, {{"use_causal_mask", true}});
    t["MultiHeadAttention"] = entry({{2, 3, 4}, {2, 5, 4}}, {{"num_heads", 2}, {"key_dim", 3}});
    // Merging
    t["Add"] = entry({vec, vec, vec});
    t["Subtract"] = entry({vec, vec});
    t["Multiply"] = entry({vec, vec, vec});
    t["Average"] = entry({vec, vec});
    t["Maximum"] = distinct(entry({vec, vec, vec}));
    t["Minimum"] = distinct(entry({vec, vec}));
    t["Concatenate"] = entry({{2, 3, 2}, {2, 3, 1}}, {{"axis", -1}});
    t["Dot"] = entry({{2, 3, 4}, {2, 4}}, {{"axes", {2, 1}}, {"normalize", true}});
    // Convolution
    t["Conv2D"] = entry(
        {img},
        {{"filters", 3}, {"kernel_size", {3, 3}}, {"padding", "same"}, {"activation", "tanh"}});
    t["Conv1D"] = entry({seq}, {{"filters", 3}, {"kernel_size", {3}}, {"strides", {2}}});
    t["DepthwiseConv2D"] = entry({img}, {{"kernel_size", {3, 3}}, {"depth_multiplier", 2}});
    t["SeparableConv2D"] = entry(
        {img},
        {{"filters", 3}, {"kernel_size", {3, 3}}, {"depth_multiplier", 2}, {"padding", "same"}});
    t["Conv2DTranspose"] =
        entry({{2, 3, 3, 2}},
              {{"filters", 2}, {"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "same"}});
    // Pooling
    t["MaxPooling2D"] = distinct(entry({img}));
    t["AveragePooling2D"] = entry({img}, {{"padding", "same"}, {"pool_size", {3, 3}}});
    t["MaxPooling1D"] = distinct(entry({seq}));
    t["AveragePooling1D"] = entry({seq});
    t["GlobalMaxPooling2D"] = distinct(entry({img}));
    t["GlobalAveragePooling2D"] = entry({img});
    t["GlobalMaxPooling1D"] = distinct(entry({seq}));
    t["GlobalAveragePooling1D"] = entry({seq});
    // Recurrent (and Embedding / Masking, Core in the Keras docs).
    {
      Conformance emb = entry({{2, 5}}, {{"input_dim", 6}, {"output_dim", 3}, {"mask_zero", true}});
      emb.ids = 6;
      emb.noGradient = "integer ids have no gradient (embeddings: tst_engine_layers_recurrent)";
      t["Embedding"] = emb;
    }
    t["Masking"] = entry({seq});
    t["SimpleRNN"] = entry({seq}, {{"units", 3}, {"return_sequences", true}});
    t["LSTM"] = entry({seq}, {{"units", 3}});
    t["GRU"] = entry({seq}, {{"units", 3}, {"go_backwards", true}});
    t["Bidirectional"] =
        entry({seq}, {{"layer", {{"class_name", "LSTM"}, {"config", {{"units", 2}}}}}});
    // Normalization: BatchNormalization in training mode (batch statistics) is the harder case.
    t["BatchNormalization"] = training(entry({{4, 3}}));
    t["LayerNormalization"] = entry({{2, 3, 4}});
    // Preprocessing: the random image layers in training mode, each draw fixed by the seed.
    t["Normalization"] = entry({vec}, {{"mean", {0.5, -1.0, 2.0}}, {"variance", {4.0, 0.25, 1.0}}});
    t["Rescaling"] = entry({vec}, {{"scale", 0.5}, {"offset", 0.25}});
    t["RandomFlip"] = training(entry({img}));
    t["RandomRotation"] = training(entry({img}, {{"factor", 0.2}}));
    t["RandomTranslation"] =
        training(entry({img}, {{"height_factor", 0.2}, {"width_factor", 0.2}}));
    t["RandomZoom"] = training(entry({img}, {{"height_factor", 0.3}}));
    // Inputs inside the value range so that no output is clipped.
    t["RandomContrast"] = range(training(entry({img}, {{"factor", 0.3}})), 100.0f, 150.0f);
    t["RandomBrightness"] = range(training(entry({img}, {{"factor", 0.1}})), 60.0f, 190.0f);
    // Text (TextLayers.h): ids from the data stage pass through; IntegerLookup maps integers.
    for (const char* cls : {"TextVectorization", "StringLookup", "IntegerLookup"}) {
      t[cls] = entry({{2, 4}}, std::string(cls) == "IntegerLookup" ? json{{"vocabulary", {0, 1}}}
                                                                   : json::object());
      t[cls].noGradient = "token ids and lookups have no gradient (Keras: not differentiable)";
    }
    return t;
  }();
  return table;
}

const Conformance* conformanceFor(const std::string& cls) {
  auto it = conformanceTable().find(cls);
  return it == conformanceTable().end() ? nullptr : &it->second;
}

// The one-layer model: inputs "in0", "in1", ... feeding "layer" (or the InputLayer "layer" alone).
ModelSpec oneLayerModel(const std::string& cls, const Conformance& c) {
  ModelSpec spec;
  spec.name = "conformance";
  NodeSpec node{"layer", cls, c.config, {}, {}};
  node.config["name"] = "layer";
  if (cls == "InputLayer") {
    spec.nodes.push_back(node);
    spec.inputs = {"layer"};
  } else {
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      const std::string name = "in" + std::to_string(i);
      spec.nodes.push_back(makeInputLayerNode(name, withBatch(c.inputs[i], kNone)));
      spec.inputs.push_back(name);
      node.inputs.push_back(name);
    }
    spec.nodes.push_back(node);
  }
  spec.outputs = {"layer"};
  return spec;
}

std::vector<Tensor> makeInputs(const Conformance& c, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor> xs;
  for (const Shape& s : c.inputs) xs.push_back(randomTensor(s, rng, c.lo, c.hi));
  if (c.ids > 0)
    for (Tensor& x : xs)
      for (Index i = 0; i < x.size(); ++i) x[i] = float(rng.below(std::uint64_t(c.ids)));
  if (c.distinct) {  // one shuffled grid over all inputs together
    Index total = 0;
    for (const Tensor& x : xs) total += x.size();
    std::vector<float> grid(static_cast<size_t>(total));
    for (Index i = 0; i < total; ++i) grid[size_t(i)] = c.lo + (c.hi - c.lo) * float(i) / total;
    for (Index i = total - 1; i > 0; --i)
      std::swap(grid[size_t(i)], grid[size_t(rng.below(std::uint64_t(i) + 1))]);
    Index k = 0;
    for (Tensor& x : xs)
      for (Index i = 0; i < x.size(); ++i) x[i] = grid[size_t(k++)];
  }
  return xs;
}

std::string shapeStr(const Shape& s) {
  return shapeToString(s);
}

}  // namespace

class TestLayerConformance : public QObject {
  Q_OBJECT

 private:
  // The spec's Keras JSON, dumped and parsed back, is the same spec; the completed config
  // (what the studio saves) survives the same trip and recreates the same layer config.
  void checkJsonRoundTrip(const std::string& cls, const ModelSpec& spec) {
    const LayerRegistry& reg = LayerRegistry::instance();
    const ModelSpec again = ModelSpec::fromKerasJson(json::parse(spec.toKerasJson().dump()));
    QVERIFY2(again == spec, qPrintable(QString::fromStdString(cls + ": to_json round trip gives " +
                                                              again.toKerasJson().dump())));
    const json full = reg.create(cls, spec.find("layer")->config, "layer")->config();
    ModelSpec saved = spec;
    saved.find("layer")->config = full;
    const ModelSpec reloaded = ModelSpec::fromKerasJson(json::parse(saved.toKerasJson().dump()));
    const json& reread = reloaded.find("layer")->config;
    QVERIFY2(reg.completeConfig(cls, reread, "layer") == full,
             qPrintable(QString::fromStdString(cls + ": completed config " + full.dump() +
                                               " reloads as " + reread.dump())));
    QVERIFY2(reg.create(cls, reread, "layer")->config() == full,
             qPrintable(QString::fromStdString(cls + ": the reloaded config recreates " +
                                               reg.create(cls, reread, "layer")->config().dump())));
  }

  // inferShapes' output shape of the layer equals the forward pass's.
  void checkShapes(const std::string& cls, const ModelSpec& spec, const Conformance& c) {
    const ShapeReport report = inferShapes(spec);
    QVERIFY2(report.ok(), report.ok() ? "" : report.errors.front().what());
    const NodeShapes* shapes = report.find("layer");
    QVERIFY2(shapes && shapes->output, "no inferred shape for the layer");
    Model model(spec, 3);
    const std::vector<Tensor> xs = makeInputs(c, 5);
    std::vector<const Tensor*> x;
    for (const Tensor& t : xs) x.push_back(&t);
    RunContext ctx;
    model.forward(x, false, ctx);
    const Shape got = model.output(0).shape();
    QVERIFY2(got == withBatch(*shapes->output, c.inputs[0][0]),
             qPrintable(QString::fromStdString(cls + ": inferred " + shapeStr(*shapes->output) +
                                               ", forward gives " + shapeStr(got))));
  }

  void checkGradients(const std::string& cls, const Conformance& c) {
    auto layer = LayerRegistry::instance().create(cls, c.config, "layer");
    std::vector<Shape> shapes;
    if (cls != "InputLayer")
      for (const Shape& s : c.inputs) shapes.push_back(withBatch(s, kNone));
    Rng rng(17);
    layer->build(shapes, rng);
    GradCheckOptions o;
    o.training = c.training;
    o.eps = c.eps;
    o.seed = 23;
    QVERIFY2(checkLayerGradients(*layer, makeInputs(c, 29), o), cls.c_str());
  }

  // ONNX export of the built model: bytes, or an Error naming the node, its class and why.
  void checkOnnx(const std::string& cls, const ModelSpec& spec) {
    Model model(spec, 3);
    NamedWeights weights;
    for (const auto& [name, var] : model.namedWeights()) weights.emplace_back(name, var->value);
    try {
      QVERIFY2(!onnxModelBytes(spec, weights).empty(), "empty ONNX model");
    } catch (const Error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("'layer' (" + cls + "): ") != std::string::npos,
               qPrintable(QString::fromStdString(cls + ": unclear ONNX refusal: " + msg)));
      qInfo("%s: not expressible in ONNX: %s", cls.c_str(), msg.c_str());
    }
  }

 private slots:
  void everyEntryIsRegistered() {
    for (const auto& [cls, c] : conformanceTable())
      QVERIFY2(LayerRegistry::instance().find(cls),
               qPrintable(
                   QString("conformance entry for %1, which is not registered").arg(cls.c_str())));
  }

  void conformance_data() {
    QTest::addColumn<QString>("cls");
    for (const LayerInfo* info : LayerRegistry::instance().all())
      QTest::newRow(info->className.c_str()) << QString::fromStdString(info->className);
  }
  void conformance() {
    QFETCH(QString, cls);
    const std::string name = cls.toStdString();
    const Conformance* c = conformanceFor(name);
    QVERIFY2(c, qPrintable(QString("registered layer %1 has no conformance entry: add its input "
                                   "shapes and config to conformanceTable()")
                               .arg(cls)));
    const ModelSpec spec = oneLayerModel(name, *c);
    try {
      checkJsonRoundTrip(name, spec);
      if (QTest::currentTestFailed()) return;
      checkShapes(name, spec, *c);
      if (QTest::currentTestFailed()) return;
      if (c->noGradient.empty())
        checkGradients(name, *c);
      else
        qInfo("%s: no finite-difference check: %s", name.c_str(), c->noGradient.c_str());
      if (QTest::currentTestFailed()) return;
      checkOnnx(name, spec);
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QString("%1 threw: %2").arg(cls, e.what())));
    }
  }

  // Every registered layer is described for the palette and the inspector (group, description,
  // a doc line per parameter, a suggestion for each required one), and the node the palette makes
  // from the suggestions is a valid layer.
  void paletteNodeFromSuggestions() {
    for (const LayerInfo* info : LayerRegistry::instance().all()) {
      const QString cls = QString::fromStdString(info->className);
      QVERIFY2(!info->group.empty() && !info->doc.empty(), qPrintable(cls));
      json cfg = json::object();
      for (const ParamSpec& p : info->params) {
        QVERIFY2(!p.doc.empty(), qPrintable(cls + " " + QString::fromStdString(p.key)));
        QVERIFY2(!p.required || !p.suggested.is_null(),
                 qPrintable(cls + " " + QString::fromStdString(p.key) + " has no suggestion"));
        if (p.required || !p.suggested.is_null()) cfg[p.key] = p.suggested;
      }
      try {
        LayerRegistry::instance().create(info->className, cfg, "palette");
      } catch (const std::exception& e) {
        QFAIL(qPrintable(cls + " from its suggestions: " + e.what()));
      }
    }
  }

  // The Python export of every one-layer model compiles (compile(), one python3 run for all).
  void pythonExportCompiles() {
    const QString python = QStandardPaths::findExecutable("python3");
    if (python.isEmpty()) QSKIP("python3 is not installed");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList files;
    for (const LayerInfo* info : LayerRegistry::instance().all()) {
      const Conformance* c = conformanceFor(info->className);
      if (!c) continue;  // conformance() fails for it
      const QString path = dir.filePath(QString::fromStdString(info->className) + ".py");
      std::string script;
      try {
        script = pythonScript(oneLayerModel(info->className, *c), nullptr, {});
      } catch (const std::exception& e) {
        QFAIL(qPrintable(
            QString("%1: Python export threw: %2").arg(info->className.c_str(), e.what())));
      }
      std::ofstream(path.toStdString()) << script;
      files << path;
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python, QStringList{"-c",
                                "import sys\n"
                                "bad = 0\n"
                                "for f in sys.argv[1:]:\n"
                                "    try:\n"
                                "        compile(open(f).read(), f, 'exec')\n"
                                "    except SyntaxError as e:\n"
                                "        bad += 1\n"
                                "        print(f, e)\n"
                                "sys.exit(1 if bad else 0)\n"} +
                        files);
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAll().constData());
  }
};

QTEST_APPLESS_MAIN(TestLayerConformance)
#include "tst_engine_layerconformance.moc"
