#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/io/TfjsModel.h"
#include "tests/engine/graph/GraphFixtures.h"

using namespace tessel;
using namespace tessel::test;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

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
    spec.nodes.push_back({"dense", "Dense", {{"name", "dense"}, {"units", 1000}}, {"input_1"}});
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
    j["weightsManifest"][0]["weights"][1]["dtype"] = "int32";
    writeText(path, j.dump());
    msg = readError();
    QVERIFY2(msg.contains("dense/bias") && msg.contains("int32"), qPrintable(msg));

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
