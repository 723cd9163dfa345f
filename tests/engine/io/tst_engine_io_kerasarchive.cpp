// Keras 3 .keras archives (engine/io/KerasArchive.h): an archive written by Python's zipfile +
// h5py in Keras's layout (tests/fixtures/h5/make_fixtures.py) imports with numpy's predictions;
// model -> .keras -> model keeps the graph (ModelSpec ==) and the weights bit for bit; bad
// archives give clear errors. (h5py reading our .keras: tst_engine_io_kerash5.)
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/train/Model.h"
#include "tests/support/TinyModel.h"

using namespace tessel;

namespace {

const std::string kDir = TESSEL_FIXTURES_DIR "/h5/";

json fixtures() {
  std::ifstream in(kDir + "fixtures.json");
  return json::parse(in);
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool bitEqual(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())) == 0;
}

NamedWeights valuesOf(Model& model) {
  NamedWeights out;
  for (auto& [name, var] : model.namedWeights()) out.emplace_back(name, var->value);
  return out;
}

void expectSameWeights(const NamedWeights& a, const NamedWeights& b) {
  QCOMPARE(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    QCOMPARE(a[i].first, b[i].first);
    QVERIFY(bitEqual(a[i].second, b[i].second));
  }
}

}  // namespace

class TestKerasArchive : public QObject {
  Q_OBJECT
 private slots:
  void readsKeras3ArchiveWrittenByPython() {
    const json fx = fixtures()["mlp"];
    ModelFile f = readAnyModelFile(kDir + "mlp.keras");
    QCOMPARE(f.spec.name, std::string("mlp"));
    QCOMPARE(f.spec.nodes.size(), size_t(3));
    QCOMPARE(f.weights.size(), size_t(4));
    for (const auto& [name, values] : fx["weights"].items()) {
      const Tensor* t = nullptr;
      for (const auto& [n, v] : f.weights)
        if (n == name) t = &v;
      QVERIFY2(t, name.c_str());
      for (size_t i = 0; i < values.size(); ++i) QCOMPARE(t->data()[i], values[i].get<float>());
    }
    // compile_config became a Keras 2 training config.
    QCOMPARE(f.trainingConfig["loss"].get<std::string>(),
             std::string("sparse_categorical_crossentropy"));
    QCOMPARE(f.trainingConfig["optimizer_config"]["class_name"].get<std::string>(),
             std::string("Adam"));
    // numpy's predictions.
    Model model(f.spec, 0);
    model.loadNamedWeights(f.weights);
    Tensor x({2, 4});
    for (size_t i = 0; i < 2; ++i)
      for (size_t j = 0; j < 4; ++j) x.data()[i * 4 + j] = fx["x"][i][j].get<float>();
    RunContext ctx;
    model.forward({&x}, false, ctx);
    for (size_t i = 0; i < 2; ++i)
      for (size_t j = 0; j < 3; ++j)
        QVERIFY(std::abs(model.output(0).data()[i * 3 + j] - fx["y"][i][j].get<float>()) < 1e-5f);
  }

  void roundTripKeepsGraphAndWeights() {
    QTemporaryDir dir;
    const ModelSpec specs[] = {ModelSpec::fromKerasJson(testutil::tinyTopology()),
                               readAnyModelFile(kDir + "cnn_keras2.h5").spec};
    int k = 0;
    for (const ModelSpec& spec : specs) {
      Model model(spec, 11);
      ModelFile out;
      out.spec = spec;
      out.weights = valuesOf(model);
      out.trainingConfig = {
          {"loss", "mean_squared_error"},
          {"metrics", {"mae"}},
          {"optimizer_config", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}}};
      const std::string path = dir.filePath(QString("m%1.keras").arg(k++)).toStdString();
      writeKerasArchive(path, out);
      ModelFile in = readKerasArchive(path);
      QVERIFY(in.spec == out.spec);
      expectSameWeights(in.weights, out.weights);
      QCOMPARE(in.trainingConfig["loss"], out.trainingConfig["loss"]);
      QCOMPARE(in.trainingConfig["optimizer_config"]["class_name"].get<std::string>(),
               std::string("Adam"));
      // The archive is a weights file too.
      Model fresh(spec, 99);
      expectSameWeights(readAnyWeightsFile(path, fresh), out.weights);
    }
  }

  void badArchives() {
    std::string e = errorOf([] { readAnyModelFile(kDir + "no_config.keras"); });
    QVERIFY2(e.find("no config.json") != std::string::npos &&
                 e.find("metadata.json, model.weights.h5") != std::string::npos,
             e.c_str());
    e = errorOf([] { readAnyModelFile(kDir + "not_a_zip.keras"); });
    QVERIFY2(e.find("not a zip file") != std::string::npos, e.c_str());
    // A truncated archive.
    QTemporaryDir dir;
    const std::string cut = dir.filePath("cut.keras").toStdString();
    {
      std::ifstream in(kDir + "mlp.keras", std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    e = errorOf([&] { readAnyModelFile(cut); });
    QVERIFY2(e.find("cut.keras") != std::string::npos, e.c_str());
    // Weights of another model: the layer and weight are named.
    const ModelSpec wide = ModelSpec::fromKerasJson(testutil::tinyTopology(5));
    Model other(wide, 0);
    e = errorOf([&] { readAnyWeightsFile(kDir + "mlp.keras", other); });
    QVERIFY2(e.find("layer 'dense'") != std::string::npos, e.c_str());
    e = errorOf([] { readAnyModelFile("/nonexistent/x.keras"); });
    QVERIFY2(e.find("cannot open") != std::string::npos, e.c_str());
  }

  void formatsByNameAndPath() {
    QCOMPARE(kerasFileFormat("keras"), KerasFileFormat::Keras);
    QCOMPARE(kerasFileFormat("h5"), KerasFileFormat::H5);
    QCOMPARE(kerasFileFormat("weights-h5"), KerasFileFormat::WeightsH5);
    QCOMPARE(kerasFileFormatForPath("a/b.weights.h5"), KerasFileFormat::WeightsH5);
    QCOMPARE(kerasFileFormatForPath("b.h5"), KerasFileFormat::H5);
    QCOMPARE(kerasFileFormatForPath("b.keras"), KerasFileFormat::Keras);
    QVERIFY(!errorOf([] { kerasFileFormat("onnx"); }).empty());
  }
};

QTEST_APPLESS_MAIN(TestKerasArchive)
#include "tst_engine_io_kerasarchive.moc"
