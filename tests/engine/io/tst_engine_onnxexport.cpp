// ONNX export: every bundled example and two models covering every exported layer kind are
// written as ONNX, then checked by python3-onnx (checker + strict shape inference, opset >= 13)
// and evaluated by a small numpy reference evaluator (onnx_reference.py next to this file) that
// must reproduce the engine's outputs. Skipped with a message when python3-onnx is absent.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/Npy.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/Model.h"

using namespace tessel;
namespace fs = std::filesystem;

namespace {

QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool haveOnnx() {
  QProcess p;
  p.start(python(), {"-c", "import onnx, numpy"});
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Exports `spec` with the weights of `model`, writes inputs and engine outputs, and runs the
// checker and the reference evaluator. Returns "" or the failure.
QString checkModel(const ModelSpec& spec, Model& model, const QString& dir) {
  NamedWeights weights;
  for (auto& [name, var] : model.namedWeights()) weights.emplace_back(name, var->value);
  const std::string onnxPath = (dir + "/model.onnx").toStdString();
  writeOnnxModel(onnxPath, spec, weights);
  Rng rng(11);
  std::vector<Tensor> xs;
  for (size_t i = 0; i < model.numInputs(); ++i) {
    Tensor t(withBatch(model.inputShape(i), 2));
    for (Index k = 0; k < t.size(); ++k) t[k] = rng.normal();
    writeNpy((dir + QString("/x%1.npy").arg(i)).toStdString(), Array::fromTensor(t));
    xs.push_back(std::move(t));
  }
  std::vector<const Tensor*> ptrs;
  for (const auto& t : xs) ptrs.push_back(&t);
  RunContext ctx;
  model.forward(ptrs, false, ctx);
  for (size_t i = 0; i < model.numOutputs(); ++i)
    writeNpy((dir + QString("/y%1.npy").arg(i)).toStdString(), Array::fromTensor(model.output(i)));
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(python(), {TESSEL_SOURCE_DIR "/tests/engine/io/onnx_reference.py",
                     QString::fromStdString(onnxPath), dir});
  if (!p.waitForFinished(120000)) return "python timed out";
  QString out = QString::fromUtf8(p.readAll());
  if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) return out;
  if (!out.startsWith("ok")) return out;
  qInfo("%s: %s", qPrintable(QString::fromStdString(spec.name)), qPrintable(out.trimmed()));
  return {};
}

// Gives every weight a random value (variances positive) so that BatchNormalization and biases
// are not the identity.
void randomizeWeights(Model& m, std::uint64_t seed) {
  Rng rng(seed);
  for (auto& [name, var] : m.namedWeights()) {
    bool variance = name.find("variance") != std::string::npos;
    for (Index k = 0; k < var->value.size(); ++k) {
      float v = 0.3f * rng.normal();
      var->value[k] = variance ? 0.5f + std::abs(v) : v;
    }
  }
}

// Every 2-D layer the exporter handles, in one two-output model.
const char* kConvZoo = R"({"class_name": "Functional", "config": {"name": "zoo", "layers": [
 {"class_name": "InputLayer", "name": "image", "config": {"name": "image",
   "batch_input_shape": [null, 8, 8, 3]}, "inbound_nodes": []},
 {"class_name": "Rescaling", "name": "rescale", "config": {"name": "rescale", "scale": 0.5,
   "offset": 0.25}, "inbound_nodes": [[["image", 0, 0, {}]]]},
 {"class_name": "Conv2D", "name": "c1", "config": {"name": "c1", "filters": 4,
   "kernel_size": [3, 3], "padding": "same", "activation": "relu"},
   "inbound_nodes": [[["rescale", 0, 0, {}]]]},
 {"class_name": "BatchNormalization", "name": "bn", "config": {"name": "bn"},
   "inbound_nodes": [[["c1", 0, 0, {}]]]},
 {"class_name": "DepthwiseConv2D", "name": "dw", "config": {"name": "dw", "kernel_size": [3, 3],
   "padding": "same", "depth_multiplier": 2}, "inbound_nodes": [[["bn", 0, 0, {}]]]},
 {"class_name": "SeparableConv2D", "name": "sep", "config": {"name": "sep", "filters": 5,
   "kernel_size": [3, 3], "activation": "elu"}, "inbound_nodes": [[["dw", 0, 0, {}]]]},
 {"class_name": "MaxPooling2D", "name": "mp", "config": {"name": "mp", "pool_size": [2, 2],
   "padding": "same"}, "inbound_nodes": [[["sep", 0, 0, {}]]]},
 {"class_name": "AveragePooling2D", "name": "ap", "config": {"name": "ap", "pool_size": [2, 2],
   "strides": [1, 1], "padding": "same"}, "inbound_nodes": [[["mp", 0, 0, {}]]]},
 {"class_name": "ZeroPadding2D", "name": "zp", "config": {"name": "zp", "padding": [1, 1]},
   "inbound_nodes": [[["ap", 0, 0, {}]]]},
 {"class_name": "Cropping2D", "name": "cr", "config": {"name": "cr",
   "cropping": [[1, 0], [0, 1]]}, "inbound_nodes": [[["zp", 0, 0, {}]]]},
 {"class_name": "UpSampling2D", "name": "up", "config": {"name": "up", "size": [2, 2]},
   "inbound_nodes": [[["cr", 0, 0, {}]]]},
 {"class_name": "Conv2DTranspose", "name": "ct", "config": {"name": "ct", "filters": 2,
   "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "activation": "tanh"},
   "inbound_nodes": [[["cr", 0, 0, {}]]]},
 {"class_name": "Conv2D", "name": "c2", "config": {"name": "c2", "filters": 2,
   "kernel_size": [1, 1], "activation": "selu"}, "inbound_nodes": [[["up", 0, 0, {}]]]},
 {"class_name": "Concatenate", "name": "cat", "config": {"name": "cat", "axis": -1},
   "inbound_nodes": [[["c2", 0, 0, {}], ["ct", 0, 0, {}]]]},
 {"class_name": "BatchNormalization", "name": "bn2", "config": {"name": "bn2"},
   "inbound_nodes": [[["cat", 0, 0, {}]]]},
 {"class_name": "Flatten", "name": "flat", "config": {"name": "flat"},
   "inbound_nodes": [[["bn2", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "d1", "config": {"name": "d1", "units": 6,
   "activation": "gelu"}, "inbound_nodes": [[["flat", 0, 0, {}]]]},
 {"class_name": "GlobalAveragePooling2D", "name": "gap", "config": {"name": "gap"},
   "inbound_nodes": [[["bn2", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "d2", "config": {"name": "d2", "units": 6,
   "activation": "swish"}, "inbound_nodes": [[["gap", 0, 0, {}]]]},
 {"class_name": "Add", "name": "add", "config": {"name": "add"},
   "inbound_nodes": [[["d1", 0, 0, {}], ["d2", 0, 0, {}]]]},
 {"class_name": "Subtract", "name": "sub", "config": {"name": "sub"},
   "inbound_nodes": [[["add", 0, 0, {}], ["d2", 0, 0, {}]]]},
 {"class_name": "Multiply", "name": "mul", "config": {"name": "mul"},
   "inbound_nodes": [[["sub", 0, 0, {}], ["d1", 0, 0, {}]]]},
 {"class_name": "Average", "name": "avg", "config": {"name": "avg"},
   "inbound_nodes": [[["mul", 0, 0, {}], ["add", 0, 0, {}]]]},
 {"class_name": "LayerNormalization", "name": "ln", "config": {"name": "ln"},
   "inbound_nodes": [[["avg", 0, 0, {}]]]},
 {"class_name": "Dropout", "name": "drop", "config": {"name": "drop", "rate": 0.5},
   "inbound_nodes": [[["ln", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "probs", "config": {"name": "probs", "units": 3,
   "activation": "softmax"}, "inbound_nodes": [[["drop", 0, 0, {}]]]},
 {"class_name": "GlobalMaxPooling2D", "name": "gmp", "config": {"name": "gmp"},
   "inbound_nodes": [[["c1", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "score", "config": {"name": "score", "units": 2,
   "activation": "sigmoid"}, "inbound_nodes": [[["gmp", 0, 0, {}]]]}],
 "input_layers": [["image", 0, 0]], "output_layers": [["probs", 0, 0], ["score", 0, 0]]}})";

// The 1-D layers, Reshape, Activation and a Dense on a 3-D tensor.
const char* kSeqZoo = R"({"class_name": "Functional", "config": {"name": "seq_zoo", "layers": [
 {"class_name": "InputLayer", "name": "seq", "config": {"name": "seq",
   "batch_input_shape": [null, 10, 3]}, "inbound_nodes": []},
 {"class_name": "Conv1D", "name": "conv", "config": {"name": "conv", "filters": 4,
   "kernel_size": [3], "padding": "same", "activation": "softplus"},
   "inbound_nodes": [[["seq", 0, 0, {}]]]},
 {"class_name": "MaxPooling1D", "name": "pool", "config": {"name": "pool", "pool_size": [2]},
   "inbound_nodes": [[["conv", 0, 0, {}]]]},
 {"class_name": "AveragePooling1D", "name": "avgpool", "config": {"name": "avgpool",
   "pool_size": [2]}, "inbound_nodes": [[["pool", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "per_step", "config": {"name": "per_step", "units": 5,
   "activation": "hard_sigmoid"}, "inbound_nodes": [[["avgpool", 0, 0, {}]]]},
 {"class_name": "Activation", "name": "act", "config": {"name": "act",
   "activation": "softsign"}, "inbound_nodes": [[["per_step", 0, 0, {}]]]},
 {"class_name": "GlobalAveragePooling1D", "name": "gap", "config": {"name": "gap"},
   "inbound_nodes": [[["act", 0, 0, {}]]]},
 {"class_name": "Reshape", "name": "reshape", "config": {"name": "reshape",
   "target_shape": [5, 2]}, "inbound_nodes": [[["act", 0, 0, {}]]]},
 {"class_name": "Flatten", "name": "flat", "config": {"name": "flat"},
   "inbound_nodes": [[["reshape", 0, 0, {}]]]},
 {"class_name": "Concatenate", "name": "cat", "config": {"name": "cat"},
   "inbound_nodes": [[["flat", 0, 0, {}], ["gap", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "out", "config": {"name": "out", "units": 2,
   "activation": "relu6"}, "inbound_nodes": [[["cat", 0, 0, {}]]]}],
 "input_layers": [["seq", 0, 0]], "output_layers": [["out", 0, 0]]}})";

}  // namespace

class TestOnnxExport : public QObject {
  Q_OBJECT

  bool onnx_ = false;

 private slots:
  void initTestCase() {
    onnx_ = haveOnnx();
    if (!onnx_)
      qWarning(
          "python3-onnx (and numpy) not found: ONNX files are written but not checked "
          "(apt-get install python3-onnx)");
  }

  void examples() {
    for (const auto& e : fs::directory_iterator(TESSEL_SOURCE_DIR "/resources/examples")) {
      if (!fs::exists(e.path() / "model.json")) continue;
      ModelFile file = readModelFile((e.path() / "model.json").string());
      if (!onnxUnsupportedLayers(file.spec).empty()) {
        // The text examples: TextVectorization runs in the data stage; the export refuses with
        // a message naming the layer.
        const std::string msg = errorOf([&] { onnxModelBytes(file.spec, {}); });
        QVERIFY2(msg.find("'text_vectorization' (TextVectorization)") != std::string::npos,
                 msg.c_str());
        continue;
      }
      Model m(file.spec, 0);
      if (!file.weights.empty()) m.loadNamedWeights(file.weights);
      QTemporaryDir tmp;
      if (!onnx_) {
        NamedWeights w;
        for (auto& [name, var] : m.namedWeights()) w.emplace_back(name, var->value);
        QVERIFY(!onnxModelBytes(file.spec, w).empty());
        continue;
      }
      QString err = checkModel(file.spec, m, tmp.path());
      QVERIFY2(err.isEmpty(), qPrintable(QString::fromStdString(e.path().string()) + ": " + err));
    }
    if (!onnx_) QSKIP("python3-onnx not installed: exported files not checked");
  }

  void everyExportedLayerKind_data() {
    QTest::addColumn<QString>("json");
    QTest::newRow("conv") << QString(kConvZoo);
    QTest::newRow("seq") << QString(kSeqZoo);
  }

  void everyExportedLayerKind() {
    QFETCH(QString, json);
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(json.toStdString()));
    ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors.front().what());
    QVERIFY(onnxUnsupportedLayers(spec).empty());
    Model m(spec, 3);
    randomizeWeights(m, 5);
    if (!onnx_) QSKIP("python3-onnx not installed: exported files not checked");
    QTemporaryDir tmp;
    QString err = checkModel(spec, m, tmp.path());
    QVERIFY2(err.isEmpty(), qPrintable(err));
  }

  void unsupportedLayersAreNamed() {
    json j = json::parse(kSeqZoo);
    // Causal padding has no ONNX Conv form here; channels_first is not exported.
    j["config"]["layers"][1]["config"]["padding"] = "causal";
    j["config"]["layers"][2]["config"]["data_format"] = "channels_first";
    ModelSpec spec = ModelSpec::fromKerasJson(j);
    auto list = onnxUnsupportedLayers(spec);
    QCOMPARE(list.size(), size_t(2));
    QVERIFY(QString::fromStdString(list[0]).startsWith("'conv' (Conv1D)"));
    QVERIFY(QString::fromStdString(list[1]).startsWith("'pool' (MaxPooling1D)"));
    QString msg = QString::fromStdString(errorOf([&] { onnxModelBytes(spec, {}); }));
    QVERIFY2(msg.contains("2 layers have no ONNX form") && msg.contains("'conv' (Conv1D)"),
             qPrintable(msg));
  }
};

QTEST_APPLESS_MAIN(TestOnnxExport)
#include "tst_engine_onnxexport.moc"
