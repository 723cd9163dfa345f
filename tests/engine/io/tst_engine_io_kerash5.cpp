// Keras HDF5 files (engine/io/KerasH5.h): files written by h5py in Keras's layouts
// (tests/fixtures/h5/make_fixtures.py) import with the same weights and the predictions numpy
// computed; what we write reads back identically (graph ==, weights bit for bit, Adam state) and
// is checked by python3-h5py against Keras's documented layout (skipped with a message without
// it); bad files give errors naming the layer and weight.
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasH5.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/support/KerasH5Fixtures.h"
#include "tests/support/TinyModel.h"

using namespace tessel;
using namespace tessel::testutil;
namespace fs = std::filesystem;

namespace {

const std::string kDir = TESSEL_FIXTURES_DIR "/h5/";

json fixtures() {
  std::ifstream in(kDir + "fixtures.json");
  return json::parse(in);
}

NamedWeights valuesOf(Model& model) {
  NamedWeights out;
  for (auto& [name, var] : model.namedWeights()) out.emplace_back(name, var->value);
  return out;
}

// The fixture CNN with weights drawn from `seed`, and eight Adam steps of optimizer state.
struct TrainedTiny {
  ModelSpec spec = ModelSpec::fromKerasJson(testutil::tinyTopology());
  Model model{spec, 3};
  json trainingConfig = {
      {"loss", "mean_squared_error"},
      {"optimizer_config", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}}};
  std::unique_ptr<Trainer> trainer;
  TrainedTiny() {
    trainer = std::make_unique<Trainer>(
        model, CompileOptions::fromTrainingConfig(trainingConfig, spec.outputs));
    FitOptions fit;
    fit.epochs = 1;
    fit.batchSize = 32;
    fit.shuffle = false;
    fit.verbose = 0;
    trainer->fit(testutil::tinyData(256), fit);
  }
  ModelFile file() {
    ModelFile f;
    f.spec = spec;
    f.weights = valuesOf(model);
    f.trainingConfig = trainingConfig;
    f.optimizerWeights = optimizerWeights(trainer->optimizer(), trainableWeightNames(model));
    return f;
  }
};

void writeExpected(const std::string& path, const NamedWeights& w) {
  json j = json::object();
  for (const auto& [n, t] : w) j[n] = {{"shape", t.shape()}, {"values", json::array()}};
  for (const auto& [n, t] : w)
    for (Index i = 0; i < t.size(); ++i) j[n]["values"].push_back(t.data()[i]);
  std::ofstream(path) << j.dump();
}

// Reads our files with h5py as Keras would (legacy_h5_format / saving_lib layouts) and compares
// every value with expected.json (exact float32).
const char* kCheckScript = R"PY(
import io, json, sys, zipfile
import h5py, numpy as np
d = sys.argv[1]
exp = json.load(open(d + "/expected.json"))
def same(name, arr):
    e = exp[name]
    a = np.asarray(arr)
    assert list(a.shape) == e["shape"], (name, a.shape, e["shape"])
    assert a.dtype == np.float32, (name, a.dtype)
    assert np.array_equal(a.ravel(), np.array(e["values"], dtype=np.float32)), name
def s(x):
    return x.decode("utf8") if isinstance(x, bytes) else str(x)
def keras2_group(g, nodes):
    names = [s(n) for n in g.attrs["layer_names"]]
    assert names == nodes, names
    for n in names:
        for wn in [s(w) for w in g[n].attrs["weight_names"]]:
            assert wn.startswith(n + "/") and wn.endswith(":0"), wn
            same(wn[:-2], g[n][wn][()])
# Keras 2 full model
with h5py.File(d + "/model.h5", "r") as f:
    assert s(f.attrs["keras_version"]).startswith("2."), f.attrs["keras_version"]
    assert s(f.attrs["backend"]) == "tensorflow"
    cfg = json.loads(s(f.attrs["model_config"]))
    assert cfg["class_name"] in ("Functional", "Model"), cfg["class_name"]
    nodes = [l["config"]["name"] for l in cfg["config"]["layers"]]
    tc = json.loads(s(f.attrs["training_config"]))
    assert tc["optimizer_config"]["class_name"] == "Adam"
    keras2_group(f["model_weights"], nodes)
    ow = [s(n) for n in f["optimizer_weights"].attrs["weight_names"]]
    assert ow[0] == "Adam/iter:0" and f["optimizer_weights"][ow[0]][()] == 8, ow[0]
    assert ow[1] == "Adam/dense/kernel/m:0", ow[1]
    assert ow[-1] == "Adam/dense_1/bias/v:0", ow[-1]
    assert f["optimizer_weights"]["Adam/dense/kernel/m:0"].shape == f["model_weights/dense/dense/kernel:0"].shape
# Keras 2 weights only
with h5py.File(d + "/weights2.h5", "r") as f:
    keras2_group(f, nodes)
# Keras 3 weights: layers/<snake class>[_n]/vars/<i>, trainable then non-trainable
def keras3(f):
    assert "vars" in f and len(f["vars"]) == 0
    assert sorted(f["layers"].keys()) == ["dense", "dense_1", "input_layer"], list(f["layers"])
    assert len(f["layers/input_layer/vars"]) == 0
    for path, layer in (("dense", "dense"), ("dense_1", "dense_1")):
        same(layer + "/kernel", f["layers/%s/vars/0" % path][()])
        same(layer + "/bias", f["layers/%s/vars/1" % path][()])
with h5py.File(d + "/model.weights.h5", "r") as f:
    keras3(f)
z = zipfile.ZipFile(d + "/model.keras")
assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"], z.namelist()
cfg = json.loads(z.read("config.json"))
assert cfg["module"] == "keras" and cfg["class_name"] == "Functional", cfg["class_name"]
assert cfg["compile_config"]["optimizer"]["class_name"] == "Adam"
assert json.loads(z.read("metadata.json"))["keras_version"].startswith("3.")
with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
    keras3(f)
    # Keras 3 optimizer variables: iteration, learning_rate, then Adam's momentum and velocity
    # interleaved per trainable variable (base_optimizer.py, adam.py build()).
    ov = f["optimizer/vars"]
    assert len(ov) == 10, list(ov)
    assert ov["0"][()] == 8 and ov["0"].dtype == np.int64
    assert abs(ov["1"][()] - 0.01) < 1e-7, ov["1"][()]
    k = 2
    for var in ("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"):
        same("opt:" + var + "/m", ov[str(k)][()])
        same("opt:" + var + "/v", ov[str(k + 1)][()])
        k += 2
print("ok")
)PY";

}  // namespace

class TestKerasH5 : public QObject {
  Q_OBJECT
 private slots:
  void snakeCaseAsKeras() {
    QCOMPARE(kerasSnakeCase("Dense"), std::string("dense"));
    QCOMPARE(kerasSnakeCase("Conv2D"), std::string("conv2d"));
    QCOMPARE(kerasSnakeCase("InputLayer"), std::string("input_layer"));
    QCOMPARE(kerasSnakeCase("BatchNormalization"), std::string("batch_normalization"));
    QCOMPARE(kerasSnakeCase("GlobalAveragePooling2D"), std::string("global_average_pooling2d"));
    QCOMPARE(kerasSnakeCase("MaxPooling2D"), std::string("max_pooling2d"));
  }

  void layerOrderAsKerasMapGraph() {
    // Two parallel Dense branches into Add, listed a-then-b, with Add's ports (b, a): Keras walks
    // from the output through port order, so b is met first and comes first at equal depth.
    const json topology = json::parse(R"({"class_name": "Functional", "config": {"name": "m",
      "layers": [
       {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
        "config": {"name": "in", "batch_input_shape": [null, 3]}},
       {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 2},
        "inbound_nodes": [[["in", 0, 0, {}]]]},
       {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2},
        "inbound_nodes": [[["in", 0, 0, {}]]]},
       {"class_name": "Add", "name": "add", "config": {"name": "add"},
        "inbound_nodes": [[["b", 0, 0, {}], ["a", 0, 0, {}]]]},
       {"class_name": "Dense", "name": "out", "config": {"name": "out", "units": 1},
        "inbound_nodes": [[["add", 0, 0, {}]]]}],
      "input_layers": [["in", 0, 0]], "output_layers": [["out", 0, 0]]}})");
    const ModelSpec spec = ModelSpec::fromKerasJson(topology);
    QCOMPARE(kerasLayerOrder(spec), (std::vector<std::string>{"in", "b", "a", "add", "out"}));
    // Written in that order: .weights.h5 path "dense" is b, "dense_1" a; read back by name.
    Model model(spec, 4);
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.weights.h5").toStdString();
    writeKerasWeightsH5(path, spec, valuesOf(model), KerasWeightsLayout::Keras3);
    const h5::H5Node root = h5::H5Node::openFile(path);
    QVERIFY(
        bitEqual(root.readTensor("layers/dense/vars/0"), model.layer("b")->variables()[0].value));
    QVERIFY(
        bitEqual(root.readTensor("layers/dense_1/vars/0"), model.layer("a")->variables()[0].value));
    Model fresh(spec, 9);
    const NamedWeights back = readKerasWeightsFile(path, fresh, WeightsMatch::ByOrder);
    const NamedWeights orig = valuesOf(model);
    for (size_t i = 0; i < orig.size(); ++i) {
      QCOMPARE(back[i].first, orig[i].first);
      QVERIFY(bitEqual(back[i].second, orig[i].second));
    }
    // A Keras 2 .h5 of it lists the layers in Keras order too.
    ModelFile f;
    f.spec = spec;
    f.weights = orig;
    writeKerasH5Model(dir.filePath("m.h5").toStdString(), f);
    const h5::H5Node h5root = h5::H5Node::openFile(dir.filePath("m.h5").toStdString());
    QCOMPARE(h5root.group("model_weights").stringListAttr("layer_names"),
             (std::vector<std::string>{"in", "b", "a", "add", "out"}));
    const ModelFile in = readKerasH5Model(dir.filePath("m.h5").toStdString());
    QVERIFY(in.spec == inKerasLayerOrder(spec));
    for (const auto& [name, t] : orig) QVERIFY(bitEqual(*find(in.weights, name), t));
  }

  void readsKeras2MlpWithOptimizerState() {
    const json fx = fixtures()["mlp"];
    ModelFile f = readKerasH5Model(kDir + "mlp_keras2.h5");
    QCOMPARE(f.spec.name, std::string("mlp"));
    expectFixtureWeights(fx["weights"], f.weights);
    expectPredictions(f.spec, f.weights, fx);
    QCOMPARE(f.trainingConfig["optimizer_config"]["class_name"].get<std::string>(),
             std::string("Adam"));
    // "Adam/iter:0", "Adam/dense/kernel/m:0", ... as TF.js names: "iter", "dense/kernel/m", ...
    QCOMPARE(f.optimizerWeights.size(), size_t(9));
    QCOMPARE(f.optimizerWeights[0].first, std::string("iter"));
    QCOMPARE(f.optimizerWeights[0].second.data()[0], 7.0f);
    QCOMPARE(f.optimizerWeights[1].first, std::string("dense/kernel/m"));
    QCOMPARE(f.optimizerWeights[8].first, std::string("dense_1/bias/v"));
    const json& opt = fx["optimizer"];
    const Tensor& m = f.optimizerWeights[1].second;
    for (Index i = 0; i < m.size(); ++i)
      QCOMPARE(m.data()[i], opt["Adam/dense/kernel/m:0"][static_cast<size_t>(i)].get<float>());
    // The state restores into a Trainer of the file's training config.
    Model model(f.spec, 0);
    model.loadNamedWeights(f.weights);
    Trainer trainer(model, CompileOptions::fromTrainingConfig(f.trainingConfig, f.spec.outputs));
    setOptimizerWeights(trainer.optimizer(), model.trainableWeights(), trainableWeightNames(model),
                        f.optimizerWeights);
    QCOMPARE(trainer.optimizer().iterations(), 7LL);
  }

  void readsKeras2CnnWithBatchNormalization() {
    const json fx = fixtures()["cnn"];
    ModelFile f = readKerasH5Model(kDir + "cnn_keras2.h5");
    QCOMPARE(f.spec.nodes.size(), size_t(7));
    expectFixtureWeights(fx["weights"], f.weights);
    expectPredictions(f.spec, f.weights, fx);
    QVERIFY(f.trainingConfig.is_null());
    QVERIFY(f.optimizerWeights.empty());
  }

  void readsKeras3WeightsFile() {
    const json fx = fixtures()["cnn"];
    const ModelSpec spec = readKerasH5Model(kDir + "cnn_keras2.h5").spec;
    Model model(spec, 42);
    const NamedWeights before = valuesOf(model);
    NamedWeights w = readKerasWeightsFile(kDir + "cnn.weights.h5", model, WeightsMatch::ByOrder);
    expectFixtureWeights(fx["weights"], w);
    expectPredictions(spec, w, fx);
    // The model itself is not changed.
    for (size_t i = 0; i < before.size(); ++i)
      QVERIFY(bitEqual(before[i].second, valuesOf(model)[i].second));
  }

  void readsKeras213WeightsLayout() {
    const json fx = fixtures()["cnn"];
    const ModelSpec spec = readKerasH5Model(kDir + "cnn_keras2.h5").spec;
    Model model(spec, 42);
    NamedWeights w =
        readKerasWeightsFile(kDir + "cnn_keras213.weights.h5", model, WeightsMatch::ByOrder);
    expectFixtureWeights(fx["weights"], w);
  }

  void keras2WeightsOnlyByOrderAndByName() {
    const json fx = fixtures()["mlp"];
    const ModelSpec spec = readKerasH5Model(kDir + "mlp_keras2.h5").spec;
    Model model(spec, 5);
    const NamedWeights initial = valuesOf(model);
    // Layer names "hidden", "out": by order they load, by name nothing matches.
    NamedWeights byOrder =
        readKerasWeightsFile(kDir + "mlp_weights_keras2.h5", model, WeightsMatch::ByOrder);
    expectFixtureWeights(fx["weights"], byOrder);
    NamedWeights byName =
        readKerasWeightsFile(kDir + "mlp_weights_keras2.h5", model, WeightsMatch::ByName);
    for (size_t i = 0; i < initial.size(); ++i)
      QVERIFY(bitEqual(byName[i].second, initial[i].second));
    // Only dense_1 in the file: by name it alone loads; by order the layer counts differ.
    NamedWeights partial =
        readKerasWeightsFile(kDir + "mlp_weights_byname.h5", model, WeightsMatch::ByName);
    QVERIFY(bitEqual(*find(partial, "dense/kernel"), *find(initial, "dense/kernel")));
    QCOMPARE(find(partial, "dense_1/kernel")->data()[0],
             fx["weights"]["dense_1/kernel"][0].get<float>());
    const std::string e = errorOf([&] {
      readKerasWeightsFile(kDir + "mlp_weights_byname.h5", model, WeightsMatch::ByOrder);
    });
    QVERIFY2(e.find("1 layer(s) (dense_1)") != std::string::npos &&
                 e.find("2 layer(s) with weights (dense, dense_1)") != std::string::npos,
             e.c_str());
    // A full-model .h5 is a weights file too (model_weights group).
    NamedWeights fromModel =
        readAnyWeightsFile(kDir + "mlp_keras2.h5", model, WeightsMatch::ByName);
    expectFixtureWeights(fx["weights"], fromModel);
  }

  void h5RoundTripKeepsGraphWeightsAndAdamState() {
    TrainedTiny t;
    ModelFile out = t.file();
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.h5").toStdString();
    writeKerasH5Model(path, out);
    ModelFile in = readAnyModelFile(path);
    QVERIFY(in.spec == out.spec);
    QCOMPARE(in.weights.size(), out.weights.size());
    for (size_t i = 0; i < in.weights.size(); ++i) {
      QCOMPARE(in.weights[i].first, out.weights[i].first);
      QVERIFY(bitEqual(in.weights[i].second, out.weights[i].second));
    }
    QCOMPARE(in.trainingConfig, out.trainingConfig);
    QCOMPARE(in.optimizerWeights.size(), out.optimizerWeights.size());
    for (size_t i = 0; i < in.optimizerWeights.size(); ++i) {
      QCOMPARE(in.optimizerWeights[i].first, out.optimizerWeights[i].first);
      QVERIFY(bitEqual(in.optimizerWeights[i].second, out.optimizerWeights[i].second));
    }
    // Restored into a fresh trainer, the next step equals the original's next step.
    Model b(in.spec, 0);
    b.loadNamedWeights(in.weights);
    Trainer tb(b, CompileOptions::fromTrainingConfig(in.trainingConfig, in.spec.outputs));
    setOptimizerWeights(tb.optimizer(), b.trainableWeights(), trainableWeightNames(b),
                        in.optimizerWeights);
    QCOMPARE(tb.optimizer().iterations(), 8LL);
    NamedWeights again = optimizerWeights(tb.optimizer(), trainableWeightNames(b));
    for (size_t i = 0; i < again.size(); ++i)
      QVERIFY(bitEqual(again[i].second, out.optimizerWeights[i].second));
  }

  void weightsFilesRoundTrip() {
    TrainedTiny t;
    QTemporaryDir dir;
    for (auto layout : {KerasWeightsLayout::Keras2, KerasWeightsLayout::Keras3}) {
      const std::string path =
          dir.filePath(layout == KerasWeightsLayout::Keras2 ? "w.h5" : "w.weights.h5")
              .toStdString();
      writeKerasWeightsH5(path, t.spec, valuesOf(t.model), layout);
      Model fresh(t.spec, 99);
      NamedWeights back = readAnyWeightsFile(path, fresh, WeightsMatch::ByName);
      const NamedWeights orig = valuesOf(t.model);
      QCOMPARE(back.size(), orig.size());
      for (size_t i = 0; i < back.size(); ++i) QVERIFY(bitEqual(back[i].second, orig[i].second));
    }
  }

  void badFilesNameTheProblem() {
    QTemporaryDir dir;
    // Truncated HDF5.
    const std::string truncated = dir.filePath("truncated.h5").toStdString();
    {
      std::ifstream in(kDir + "mlp_keras2.h5", std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
    }
    std::string e = errorOf([&] { readAnyModelFile(truncated); });
    QVERIFY2(e.find("truncated.h5") != std::string::npos && !e.empty(), e.c_str());
    // Not HDF5 at all.
    const std::string text = dir.filePath("text.h5").toStdString();
    std::ofstream(text) << "hello\n";
    e = errorOf([&] { readAnyModelFile(text); });
    QVERIFY2(e.find("not an HDF5 file") != std::string::npos, e.c_str());
    // A kernel whose shape is not the config's.
    e = errorOf([&] { readKerasH5Model(kDir + "bad_shape.h5"); });
    QVERIFY2(e.find("layer 'dense_1'") != std::string::npos &&
                 e.find("dense_1/kernel:0") != std::string::npos &&
                 e.find("(8, 5)") != std::string::npos,
             e.c_str());
    // A layer missing a weight.
    e = errorOf([&] { readKerasH5Model(kDir + "bad_count.h5"); });
    QVERIFY2(
        e.find("layer 'dense' (Dense) expects 2 weight(s) (kernel, bias)") != std::string::npos &&
            e.find("has 1 (dense/kernel:0)") != std::string::npos,
        e.c_str());
    // A layer Tessel cannot build: listed by name.
    e = errorOf([&] { readKerasH5Model(kDir + "unknown_layer.h5"); });
    QVERIFY2(e.find("'my_attention' (MyAttention)") != std::string::npos, e.c_str());
    // A weights-only file is not a model.
    e = errorOf([&] { readAnyModelFile(kDir + "mlp_weights_keras2.h5"); });
    QVERIFY2(e.find("weights-only") != std::string::npos, e.c_str());
  }

  void h5pyReadsWhatWeWrite() {
    if (!haveH5py())
      QSKIP(
          "python3-h5py (and numpy) not found: files are written but not checked by h5py "
          "(apt-get install python3-h5py)");
    TrainedTiny t;
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    ModelFile f = t.file();
    writeKerasFile(d + "/model.h5", KerasFileFormat::H5, f);
    writeKerasFile(d + "/weights2.h5", KerasFileFormat::Keras2Weights, f);
    writeKerasFile(d + "/model.weights.h5", KerasFileFormat::WeightsH5, f);
    writeKerasFile(d + "/model.keras", KerasFileFormat::Keras, f);
    NamedWeights expected = f.weights;
    for (const auto& [n, t] : f.optimizerWeights) expected.emplace_back("opt:" + n, t);
    writeExpected(d + "/expected.json", expected);
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {"-c", kCheckScript, dir.path()});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0 && out.trimmed() == "ok", qPrintable(out));
  }
};

QTEST_APPLESS_MAIN(TestKerasH5)
#include "tst_engine_io_kerash5.moc"
