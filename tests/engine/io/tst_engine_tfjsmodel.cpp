#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/io/TfjsModel.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/engine/graph/GraphFixtures.h"
#include "tests/support/ErrorOf.h"
#include "tests/support/TinyModel.h"

using namespace tessel;
using namespace tessel::test;
namespace fs = std::filesystem;

namespace {

using tessel::testutil::errorOf;

Tensor randomTensor(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.normal();
  return t;
}

// Wide & deep weights in Keras order, with awkward bit patterns planted in them.
NamedWeights wideDeepWeights() {
  NamedWeights w = {
      {"dense/kernel", randomTensor({8, 30}, 1)},    {"dense/bias", randomTensor({30}, 2)},
      {"dense_1/kernel", randomTensor({30, 30}, 3)}, {"dense_1/bias", randomTensor({30}, 4)},
      {"dense_2/kernel", randomTensor({38, 1}, 5)},  {"dense_2/bias", randomTensor({1}, 6)}};
  std::uint32_t patterns[] = {0x80000000u /* -0 */, 0x00000001u /* denormal */,
                              0x7fc12345u /* NaN with payload */, 0x7f800000u /* inf */};
  for (int i = 0; i < 4; ++i) std::memcpy(w[0].second.data() + i, &patterns[i], 4);
  return w;
}

bool bitEqual(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * 4) == 0;
}

json readJson(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A trained tiny model: `steps` Adam/SGD/... steps of batch 32 on the tiny regression data.
struct Trained {
  ModelSpec spec = ModelSpec::fromKerasJson(testutil::tinyTopology());
  Model model{spec, 1};
  std::unique_ptr<Trainer> trainer;
  json trainingConfig;
  explicit Trained(const json& optimizer) {
    trainingConfig = {{"loss", "mean_squared_error"}, {"optimizer_config", optimizer}};
    trainer = std::make_unique<Trainer>(
        model, CompileOptions::fromTrainingConfig(trainingConfig, spec.outputs));
    FitOptions fit;
    fit.epochs = 1;
    fit.batchSize = 32;
    fit.shuffle = false;
    fit.verbose = 0;
    trainer->fit(testutil::tinyData(256), fit);  // 8 steps
  }
  NamedWeights weights() {
    NamedWeights out;
    for (auto& [name, var] : model.namedWeights()) out.emplace_back(name, var->value);
    return out;
  }
};

// The same gradient (seeded) into every trainable variable of `model`.
void plantGradients(Model& model, std::uint64_t seed) {
  for (Variable* v : model.trainableWeights()) v->grad = randomTensor(v->value.shape(), seed++);
}

}  // namespace

class TestTfjsModel : public QObject {
  Q_OBJECT
 private slots:
  void roundTripTwoShardsBitExact() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("model.json").toStdString();
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    NamedWeights weights = wideDeepWeights();
    json training = json::parse(R"({"loss": "mean_squared_error", "metrics": ["mae"],
        "optimizer_config": {"class_name": "SGD", "config": {"learning_rate": 0.001}}})");
    // 1,239 floats = 4,956 bytes; 4,000-byte shards give two.
    writeModelFile(path, spec, weights, training, 4000);
    std::string shard1 = dir.filePath("group1-shard1of2.bin").toStdString();
    std::string shard2 = dir.filePath("group1-shard2of2.bin").toStdString();
    QCOMPARE(fs::file_size(shard1), std::uintmax_t(4000));
    QCOMPARE(fs::file_size(shard2), std::uintmax_t(956));

    json j = readJson(path);
    QCOMPARE(j["format"].get<std::string>(), std::string("layers-model"));
    QCOMPARE(j["weightsManifest"][0]["paths"],
             json::parse(R"(["group1-shard1of2.bin", "group1-shard2of2.bin"])"));
    QCOMPARE(j["weightsManifest"][0]["weights"][0],
             json::parse(R"({"name": "dense/kernel", "shape": [8, 30], "dtype": "float32"})"));
    QCOMPARE(j["modelTopology"], spec.toKerasJson());
    QCOMPARE(j["trainingConfig"], training);

    // The bytes on disk are the little-endian floats in manifest order.
    std::ifstream s1(shard1, std::ios::binary);
    std::uint32_t first[4];
    s1.read(reinterpret_cast<char*>(first), 16);
    QCOMPARE(first[0], 0x80000000u);
    QCOMPARE(first[2], 0x7fc12345u);

    ModelFile back = readModelFile(path);
    QVERIFY(back.spec == spec);
    QCOMPARE(back.trainingConfig, training);
    QCOMPARE(back.weights.size(), weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
      QCOMPARE(back.weights[i].first, weights[i].first);
      QVERIFY2(bitEqual(back.weights[i].second, weights[i].second), weights[i].first.c_str());
    }
    // Writing what was read gives the same files.
    QTemporaryDir dir2;
    std::string path2 = dir2.filePath("model.json").toStdString();
    writeModelFile(path2, back.spec, back.weights, back.trainingConfig, 4000);
    QCOMPARE(readJson(path2), j);
  }

  void defaultShardsAreFourMiB() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    ModelSpec spec;
    spec.nodes.push_back(makeInputLayerNode("input_1", {kNone, 1100}));
    spec.nodes.push_back({"dense", "Dense", {{"name", "dense"}, {"units", 1000}}, {"input_1"}, {}});
    spec.inputs = {"input_1"};
    spec.outputs = {"dense"};
    NamedWeights w = {{"dense/kernel", randomTensor({1100, 1000}, 9)},
                      {"dense/bias", randomTensor({1000}, 10)}};
    writeModelFile(path, spec, w);
    QCOMPARE(fs::file_size(dir.filePath("group1-shard1of2.bin").toStdString()),
             std::uintmax_t(4 * 1024 * 1024));
    QCOMPARE(fs::file_size(dir.filePath("group1-shard2of2.bin").toStdString()),
             std::uintmax_t((1100 * 1000 + 1000) * 4 - 4 * 1024 * 1024));
    ModelFile back = readModelFile(path);
    QVERIFY(back.trainingConfig.is_null());
    QVERIFY(!readJson(path).contains("trainingConfig"));
    QVERIFY(bitEqual(back.weights[0].second, w[0].second));
    QVERIFY(bitEqual(back.weights[1].second, w[1].second));
  }

  void readsConverterLayoutWithSeveralGroups() {
    // tensorflowjs_converter layout: topology wraps model_config/training_config; two groups.
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    Tensor a = randomTensor({2, 3}, 1), b = randomTensor({3}, 2), c = randomTensor({4}, 3);
    std::ofstream(dir.filePath("g1a.bin").toStdString(), std::ios::binary)
        .write(reinterpret_cast<const char*>(a.data()), 20);  // shard boundary inside a weight
    {
      std::ofstream g1b(dir.filePath("g1b.bin").toStdString(), std::ios::binary);
      g1b.write(reinterpret_cast<const char*>(a.data()) + 20, 4);
      g1b.write(reinterpret_cast<const char*>(b.data()), 12);
    }
    std::ofstream(dir.filePath("g2.bin").toStdString(), std::ios::binary)
        .write(reinterpret_cast<const char*>(c.data()), 16);
    json topology = json::parse(wideDeepJson());
    json model = {{"format", "layers-model"},
                  {"generatedBy", "keras v2.11.0"},
                  {"convertedBy", "TensorFlow.js Converter v4.22.0"},
                  {"modelTopology",
                   {{"keras_version", "2.11.0"},
                    {"backend", "tensorflow"},
                    {"model_config", topology},
                    {"training_config", {{"loss", "mse"}}}}},
                  {"weightsManifest",
                   {{{"paths", {"g1a.bin", "g1b.bin"}},
                     {"weights",
                      {{{"name", "a"}, {"shape", {2, 3}}, {"dtype", "float32"}},
                       {{"name", "b"}, {"shape", {3}}, {"dtype", "float32"}}}}},
                    {{"paths", {"g2.bin"}},
                     {"weights", {{{"name", "c"}, {"shape", {4}}, {"dtype", "float32"}}}}}}}};
    writeText(path, model.dump(2));
    ModelFile f = readModelFile(path);
    QVERIFY(f.spec == ModelSpec::fromKerasJson(topology));
    QCOMPARE(f.trainingConfig, json({{"loss", "mse"}}));
    QCOMPARE(f.weights.size(), size_t(3));
    QVERIFY(bitEqual(f.weights[0].second, a));
    QVERIFY(bitEqual(f.weights[1].second, b));
    QVERIFY(bitEqual(f.weights[2].second, c));
    QCOMPARE(f.weights[2].first, std::string("c"));

    // A bare model.to_json() file: no weights, no training config.
    writeText(path, topology.dump());
    ModelFile bare = readModelFile(path);
    QVERIFY(bare.weights.empty());
    QVERIFY(bare.trainingConfig.is_null());
    QCOMPARE(bare.spec.nodes.size(), size_t(5));
  }

  // model.save(..., {includeOptimizer: true}): the optimizer's weights follow the model's in the
  // same group, marked "group": "optimizer", "iter" first as int32; read back bit for bit, they
  // restore an optimizer whose next update is identical.
  void optimizerWeightsRoundTrip() {
    const json optimizers[] = {
        json::parse(R"({"class_name": "Adam", "config": {"learning_rate": 0.01}})"),
        json::parse(R"({"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9,
                        "nesterov": true}})"),
        json::parse(R"({"class_name": "RMSprop", "config": {"learning_rate": 0.01,
                        "momentum": 0.5, "centered": true}})"),
        json::parse(R"({"class_name": "Adagrad", "config": {"learning_rate": 0.1}})")};
    const std::vector<std::vector<std::string>> firstNames = {
        {"iter", "dense/kernel/m", "dense/bias/m", "dense_1/kernel/m", "dense_1/bias/m",
         "dense/kernel/v"},
        {"iter", "dense/kernel/momentum", "dense/bias/momentum"},
        {"iter", "dense/kernel/rms", "dense/bias/rms", "dense_1/kernel/rms", "dense_1/bias/rms",
         "dense/kernel/momentum", "dense/bias/momentum", "dense_1/kernel/momentum",
         "dense_1/bias/momentum", "dense/kernel/mg"},
        {"iter", "dense/kernel/accumulator"}};
    for (size_t k = 0; k < std::size(optimizers); ++k) {
      const std::string cls = optimizers[k]["class_name"];
      QTemporaryDir dir;
      const std::string path = dir.filePath("model.json").toStdString();
      Trained a(optimizers[k]);
      const auto names = trainableWeightNames(a.model);
      QCOMPARE(names, (std::vector<std::string>{"dense/kernel", "dense/bias", "dense_1/kernel",
                                                "dense_1/bias"}));
      ModelFile out;
      out.spec = a.spec;
      out.weights = a.weights();
      out.trainingConfig = a.trainingConfig;
      out.optimizerWeights = optimizerWeights(a.trainer->optimizer(), names);
      QCOMPARE(a.trainer->optimizer().iterations(), 8LL);
      QCOMPARE(out.optimizerWeights[0].second[0], 8.0f);
      for (size_t i = 0; i < firstNames[k].size(); ++i)
        QCOMPARE(out.optimizerWeights[i].first, firstNames[k][i]);
      writeModelFile(path, out, 100);  // several shards, cut inside tensors

      // The manifest: model weights first (no group), then the optimizer's, all in one group.
      json manifest = readJson(path)["weightsManifest"];
      QCOMPARE(manifest.size(), size_t(1));
      const json& specs = manifest[0]["weights"];
      QCOMPARE(specs.size(), out.weights.size() + out.optimizerWeights.size());
      for (size_t i = 0; i < specs.size(); ++i) {
        const bool opt = i >= out.weights.size();
        QCOMPARE(specs[i].contains("group"), opt);
        if (opt) QCOMPARE(specs[i]["group"], json("optimizer"));
      }
      const json& iterSpec = specs[out.weights.size()];
      QCOMPARE(iterSpec["name"], json("iter"));
      QCOMPARE(iterSpec["dtype"], json("int32"));
      QCOMPARE(iterSpec["shape"], json::array());
      QVERIFY(manifest[0]["paths"].size() > 1);
      if (cls == "Adam") {
        // What tfjs 4.22 writes for the same model (Dense 8 tanh -> Dense 1, compiled with
        // tf.train.adam, fitted, then model.save(tf.io.withSaveHandler(...),
        // {includeOptimizer: true})): its weightSpecs, verbatim.
        const json tfjs = json::parse(R"([{"name":"dense/kernel","shape":[3,8],"dtype":"float32"},
          {"name":"dense/bias","shape":[8],"dtype":"float32"},{"name":"dense_1/kernel",
          "shape":[8,1],"dtype":"float32"},{"name":"dense_1/bias","shape":[1],"dtype":"float32"},
          {"name":"iter","shape":[],"dtype":"int32","group":"optimizer"},{"name":"dense/kernel/m",
          "shape":[3,8],"dtype":"float32","group":"optimizer"},{"name":"dense/bias/m","shape":[8],
          "dtype":"float32","group":"optimizer"},{"name":"dense_1/kernel/m","shape":[8,1],
          "dtype":"float32","group":"optimizer"},{"name":"dense_1/bias/m","shape":[1],
          "dtype":"float32","group":"optimizer"},{"name":"dense/kernel/v","shape":[3,8],
          "dtype":"float32","group":"optimizer"},{"name":"dense/bias/v","shape":[8],
          "dtype":"float32","group":"optimizer"},{"name":"dense_1/kernel/v","shape":[8,1],
          "dtype":"float32","group":"optimizer"},{"name":"dense_1/bias/v","shape":[1],
          "dtype":"float32","group":"optimizer"}])");
        QCOMPARE(specs, tfjs);
      }

      ModelFile in = readModelFile(path);
      QCOMPARE(in.weights.size(), out.weights.size());
      for (size_t i = 0; i < in.weights.size(); ++i)
        QVERIFY(bitEqual(in.weights[i].second, out.weights[i].second));
      QCOMPARE(in.optimizerWeights.size(), out.optimizerWeights.size());
      for (size_t i = 0; i < in.optimizerWeights.size(); ++i) {
        QCOMPARE(in.optimizerWeights[i].first, out.optimizerWeights[i].first);
        QVERIFY(bitEqual(in.optimizerWeights[i].second, out.optimizerWeights[i].second));
      }

      // Restore into a fresh model and optimizer (as a Resume would) ...
      Model b(in.spec, 99);
      b.loadNamedWeights(in.weights);
      auto opt = makeOptimizer(in.trainingConfig["optimizer_config"]);
      QCOMPARE(opt->name(), cls);
      setOptimizerWeights(*opt, b.trainableWeights(), trainableWeightNames(b), in.optimizerWeights);
      QCOMPARE(opt->iterations(), 8LL);
      auto sa = a.trainer->optimizer().state(), sb = opt->state();
      QCOMPARE(sa.size(), sb.size());
      QVERIFY(!sa.empty());
      for (size_t i = 0; i < sa.size(); ++i) QVERIFY(bitEqual(*sa[i], *sb[i]));
      // ... and the next step moves both models identically.
      plantGradients(a.model, 40);
      plantGradients(b, 40);
      a.trainer->optimizer().apply(a.model.trainableWeights());
      opt->apply(b.trainableWeights());
      auto wa = a.model.namedWeights(), wb = b.namedWeights();
      for (size_t i = 0; i < wa.size(); ++i)
        QVERIFY2(bitEqual(wa[i].second->value, wb[i].second->value), cls.c_str());
      // Moments really matter: a fresh optimizer takes a different step.
      Model c(in.spec, 99);
      c.loadNamedWeights(in.weights);
      auto freshOpt = makeOptimizer(in.trainingConfig["optimizer_config"]);
      plantGradients(c, 40);
      freshOpt->apply(c.trainableWeights());
      QVERIFY(!bitEqual(c.namedWeights()[0].second->value, wb[0].second->value));
    }
  }

  // tfjs-layers writes its optimizer in tfjs-core's getConfig() form; it compiles as Keras's.
  void readsTfjsTrainingConfig() {
    json model = json::parse(wideDeepJson());
    // Verbatim from tfjs 4.22 model.save(..., {includeOptimizer: true}) after compile({optimizer:
    // tf.train.adam(0.01), loss: 'meanSquaredError'}).
    model["trainingConfig"] = json::parse(R"({"loss":"mean_squared_error","metrics":{},
      "optimizer_config":{"class_name":"Adam","config":{"learningRate":0.01,"beta1":0.9,
      "beta2":0.999,"epsilon":1e-7}}})");
    ModelFile f = parseModelJson(model, ".");
    QCOMPARE(f.trainingConfig["optimizer_config"],
             json::parse(R"({"class_name": "Adam", "config": {"learning_rate": 0.01,
               "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}})"));
    auto opt = makeOptimizer(f.trainingConfig["optimizer_config"]);
    QCOMPARE(opt->learningRate(), 0.01);
    model["trainingConfig"]["optimizer_config"] = json::parse(
        R"({"class_name": "RMSProp", "config": {"learningRate": 0.1, "decay": 0.8,
            "momentum": 0.5, "epsilon": 1e-7, "centered": true}})");
    f = parseModelJson(model, ".");
    QCOMPARE(f.trainingConfig["optimizer_config"]["class_name"], json("RMSprop"));
    QCOMPARE(f.trainingConfig["optimizer_config"]["config"]["rho"], json(0.8));
    QCOMPARE(makeOptimizer(f.trainingConfig["optimizer_config"])->name(), std::string("RMSprop"));
  }

  // Optimizer weights that do not fit: a clear Error naming them, and nothing restored.
  void optimizerWeightsThatDoNotFit() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    Trained a(json::parse(R"({"class_name": "Adam", "config": {}})"));
    ModelFile out;
    out.spec = a.spec;
    out.weights = a.weights();
    out.trainingConfig = a.trainingConfig;
    out.optimizerWeights = optimizerWeights(a.trainer->optimizer(), trainableWeightNames(a.model));
    // Wrong shapes for one moment (the file itself is consistent: sizes add up).
    for (auto& [name, t] : out.optimizerWeights)
      if (name == "dense_1/kernel/v") t = randomTensor({2, 4}, 3);
    writeModelFile(path, out);
    ModelFile in = readModelFile(path);
    Model b(in.spec, 5);
    auto opt = makeOptimizer(in.trainingConfig["optimizer_config"]);
    QString msg = QString::fromStdString(errorOf([&] {
      setOptimizerWeights(*opt, b.trainableWeights(), trainableWeightNames(b), in.optimizerWeights);
    }));
    QVERIFY2(msg.contains("wrong shape") && msg.contains("dense_1/kernel/v (2, 4)") &&
                 msg.contains("expected (8, 1)"),
             qPrintable(msg));
    QCOMPARE(opt->iterations(), 0LL);
    for (Tensor* t : opt->state()) QCOMPARE(t->flat().cwiseAbs().maxCoeff(), 0.0f);

    // SGD state for an Adam optimizer: missing and unexpected names listed.
    Trained s(json::parse(R"({"class_name": "SGD", "config": {"momentum": 0.9}})"));
    NamedWeights sgd = optimizerWeights(s.trainer->optimizer(), trainableWeightNames(s.model));
    msg = QString::fromStdString(errorOf(
        [&] { setOptimizerWeights(*opt, b.trainableWeights(), trainableWeightNames(b), sgd); }));
    QVERIFY2(msg.contains("Adam") && msg.contains("missing dense/kernel/m") &&
                 msg.contains("unexpected dense/kernel/momentum"),
             qPrintable(msg));

    // The manifest's iter must be int32 as tfjs writes it; a float "iter" is read as written.
    json j = readJson(path);
    bool sawIter = false;
    for (const auto& w : j["weightsManifest"][0]["weights"])
      if (w["name"] == "iter") sawIter = w["dtype"] == "int32" && w["group"] == "optimizer";
    QVERIFY(sawIter);
    // A writer error for an iteration count tfjs cannot hold.
    out.optimizerWeights[0].second[0] = 2.5f;
    msg = QString::fromStdString(errorOf([&] { writeModelFile(path, out); }));
    QVERIFY2(msg.contains("iter"), qPrintable(msg));
  }

  // Weights without topology: {"weightsManifest": [...]} and the bare group list of
  // tensorflowjs_converter's weights_manifest.json both read; anything else is a clear Error.
  void readsWeightsManifests() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    writeModelFile(path, spec, wideDeepWeights(), nullptr, 4000);
    json manifest = readJson(path)["weightsManifest"];
    const std::string wrapped = dir.filePath("weights.json").toStdString();
    const std::string bare = dir.filePath("weights_manifest.json").toStdString();
    writeText(wrapped,
              json({{"format", "weights-manifest"}, {"weightsManifest", manifest}}).dump());
    writeText(bare, manifest.dump());
    const NamedWeights expected = wideDeepWeights();
    for (const std::string& p : {path, wrapped, bare}) {
      ModelFile f = readWeightsFile(p);
      QCOMPARE(f.weights.size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(f.weights[i].first, expected[i].first);
        QVERIFY(bitEqual(f.weights[i].second, expected[i].second));
      }
      QCOMPARE(f.spec.nodes.empty(), p != path);
    }
    writeText(wrapped, R"({"format": "something"})");
    QString msg = QString::fromStdString(errorOf([&] { readWeightsFile(wrapped); }));
    QVERIFY2(msg.contains("neither a model.json nor a TF.js weights manifest"), qPrintable(msg));
  }

  void errorPaths() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    auto fresh = [&] { writeModelFile(path, spec, wideDeepWeights(), nullptr, 4000); };
    auto readError = [&] { return QString::fromStdString(errorOf([&] { readModelFile(path); })); };

    // File missing.
    QString msg = QString::fromStdString(
        errorOf([&] { readModelFile(dir.filePath("nothing.json").toStdString()); }));
    QVERIFY2(msg.contains("nothing.json") && msg.contains("does not exist"), qPrintable(msg));

    // JSON syntax error with line and column.
    writeText(path, "{\n  \"format\": \"layers-model\",\n  \"modelTopology\": tru\n}\n");
    msg = readError();
    QVERIFY2(msg.contains("JSON syntax error at line 3, column"), qPrintable(msg));
    QVERIFY(!msg.contains('\n'));

    // Missing shard: names its path.
    fresh();
    fs::remove(dir.filePath("group1-shard2of2.bin").toStdString());
    msg = readError();
    QVERIFY2(
        msg.contains("missing weight shard") && msg.contains(dir.filePath("group1-shard2of2.bin")),
        qPrintable(msg));

    // Shard too short.
    fresh();
    fs::resize_file(dir.filePath("group1-shard2of2.bin").toStdString(), 900);
    msg = readError();
    QVERIFY2(msg.contains("too short") && msg.contains("dense_2/kernel"), qPrintable(msg));

    // Unsupported dtype.
    fresh();
    json j = readJson(path);
    j["weightsManifest"][0]["weights"][1]["dtype"] = "float16";
    writeText(path, j.dump());
    msg = readError();
    QVERIFY2(msg.contains("dense/bias") && msg.contains("float16"), qPrintable(msg));

    // int32 is read (tfjs's optimizer "iter"), but only values a float holds exactly.
    fresh();
    j = readJson(path);
    j["weightsManifest"][0]["weights"][1]["dtype"] = "int32";
    writeText(path, j.dump());
    msg = readError();
    QVERIFY2(msg.contains("dense/bias") && msg.contains("2^24"), qPrintable(msg));

    // Weight shapes that do not add up to the shard sizes.
    fresh();
    j = readJson(path);
    j["weightsManifest"][0]["weights"][1]["shape"] = json::array({29});
    writeText(path, j.dump());
    msg = readError();
    QVERIFY2(msg.contains("do not match") && msg.contains("4952") && msg.contains("4956"),
             qPrintable(msg));

    // Not a layers model.
    j["format"] = "graph-model";
    writeText(path, j.dump());
    msg = readError();
    QVERIFY2(msg.contains("graph-model"), qPrintable(msg));
  }
};

QTEST_APPLESS_MAIN(TestTfjsModel)
#include "tst_engine_tfjsmodel.moc"
