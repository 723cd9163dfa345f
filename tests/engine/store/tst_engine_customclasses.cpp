// Project-wide custom layer classes: the custom_classes table (and the migration that adds it to
// version-1 files), and model.json writing a CustomLayer as Keras's registered custom class.
#include <sqlite3.h>
#include <zip.h>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasCustomClasses.h"
#include "engine/io/KerasH5File.h"
#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;
namespace fs = std::filesystem;

namespace {

json denseClass() {
  return {{"params", {{"units", 4}, {"activation", "relu"}}},
          {"weights",
           {{{"name", "kernel"},
             {"shape", {"input_shape[-1]", "units"}},
             {"initializer", "glorot_uniform"},
             {"trainable", true}},
            {{"name", "bias"}, {"shape", {"units"}}, {"initializer", "zeros"}}}},
          {"call", "activation(x @ kernel + bias)"}};
}

void execSql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  QVERIFY2(rc == SQLITE_OK, err ? err : "");
  sqlite3_close(db);
}

int userVersion(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  sqlite3_step(st);
  const int v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

}  // namespace

class TestCustomClasses : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string file(const char* name) {
    return (fs::path(dir_.path().toStdString()) / name).string();
  }

 private slots:
  void storeRoundTrip() {
    const std::string path = file("classes.tessel");
    {
      Project p = Project::create(path);
      QVERIFY(p.customClasses().empty());
      p.setCustomClass("CustomizedDenseLayer", denseClass());
      json other = denseClass();
      other["call"] = "x @ kernel";
      p.setCustomClass("Linear", other);
      other["call"] = "x @ kernel + bias";
      p.setCustomClass("Linear", other);  // replaces
    }
    Project p = Project::open(path);
    auto classes = p.customClasses();
    QCOMPARE(classes.size(), size_t(2));
    QCOMPARE(classes.at("CustomizedDenseLayer"), denseClass());
    QCOMPARE(classes.at("Linear")["call"].get<std::string>(), std::string("x @ kernel + bias"));
    p.deleteCustomClass("Linear");
    QCOMPARE(p.customClasses().size(), size_t(1));
    bool threw = false;
    try {
      p.setCustomClass("", denseClass());
    } catch (const Error&) {
      threw = true;
    }
    QVERIFY(threw);
  }

  void migratesVersionOne() {
    const std::string path = file("v1.tessel");
    {
      Project p = Project::create(path);
      p.addModel("m", json::object());
    }
    // Make it a version-1 file, as Tessel wrote before custom classes.
    execSql(path, "DROP TABLE custom_classes; PRAGMA user_version = 1;");
    QCOMPARE(userVersion(path), 1);
    {
      // Read-only: not migrated, no classes, no error.
      Project ro = Project::open(path, /*readOnly=*/true);
      QVERIFY(ro.customClasses().empty());
    }
    QCOMPARE(userVersion(path), 1);
    {
      Project p = Project::open(path);
      QCOMPARE(p.models().size(), size_t(1));
      p.setCustomClass("CustomizedDenseLayer", denseClass());
    }
    QCOMPARE(userVersion(path), kProjectSchemaVersion);
    Project p = Project::open(path);
    QCOMPARE(p.customClasses().size(), size_t(1));
  }

  void definitionFromNodeAndBack() {
    json cfg = customLayerConfigFor("CustomizedDenseLayer", denseClass());
    QCOMPARE(cfg["custom_class"].get<std::string>(), std::string("CustomizedDenseLayer"));
    cfg["params"]["units"] = 30;  // a node's own parameter
    json def = customClassDefinition(cfg);
    QCOMPARE(def["call"], denseClass()["call"]);
    QCOMPARE(def["weights"], denseClass()["weights"]);
    QCOMPARE(def["params"]["units"].get<int>(), 30);
    bool threw = false;
    try {
      customClassDefinition(json{{"expression", "x"}});
    } catch (const Error&) {
      threw = true;
    }
    QVERIFY(threw);
  }

  // model.json: class_name is the user's class, config keeps call and weights; reading it back
  // gives the CustomLayer node again, and a registered custom class without our expression is
  // left for the unsupported-layer message.
  void modelJsonRegisteredClass() {
    json cfg = customLayerConfigFor("CustomizedDenseLayer", denseClass());
    ModelSpec spec =
        makeSpec({inputNode("in", {3}), node("cd", "CustomLayer", {"in"}, cfg)}, {"in"}, {"cd"});
    const std::string path = file("model.json");
    writeModelFile(path, spec, {});
    std::ifstream in(path);
    const json written = json::parse(in);
    bool found = false;
    for (const json& l : written["modelTopology"]["config"]["layers"]) {
      QVERIFY(l["class_name"] != "CustomLayer");
      if (l["class_name"] == "CustomizedDenseLayer") {
        found = true;
        QCOMPARE(l["config"]["call"], denseClass()["call"]);
        QCOMPARE(l["config"]["weights"], denseClass()["weights"]);
      }
    }
    QVERIFY(found);
    ModelFile back = readModelFile(path);
    const NodeSpec* cd = nullptr;
    for (const NodeSpec& n : back.spec.nodes)
      if (n.name == "cd") cd = &n;
    QVERIFY(cd);
    QCOMPARE(cd->className, std::string("CustomLayer"));
    QCOMPARE(cd->config["custom_class"].get<std::string>(), std::string("CustomizedDenseLayer"));
    QCOMPARE(cd->config["call"], denseClass()["call"]);
    QCOMPARE(cd->config["params"]["units"].get<int>(), 4);

    // A Python-only custom class (no call / weights) stays unknown and is refused by name.
    json py = written;
    for (json& l : py["modelTopology"]["config"]["layers"])
      if (l["class_name"] == "CustomizedDenseLayer") l["config"] = {{"name", "cd"}, {"units", 4}};
    {
      std::ofstream out(path, std::ios::trunc);
      out << py.dump();
    }
    bool threw = false;
    try {
      readModelFile(path);
    } catch (const Error& e) {
      threw = std::string(e.what()).find("CustomizedDenseLayer") != std::string::npos;
      if (!threw) qWarning() << e.what();
    }
    QVERIFY(threw);
  }

  // .keras (Keras 3 config.json: class_name and registered_name "Custom>Class") and .h5 (Keras 2
  // model_config) write a CustomLayer as its registered class too (read back as the class, so the
  // name was written), with the same predictions.
  void kerasArchiveAndH5RegisteredClass() {
    json cfg = customLayerConfigFor("CustomizedDenseLayer", denseClass());
    ModelSpec spec =
        makeSpec({inputNode("in", {3}), node("cd", "CustomLayer", {"in"}, cfg)}, {"in"}, {"cd"});
    Model model(spec, 5);
    ModelFile written;
    written.spec = spec;
    for (auto& [name, var] : model.namedWeights()) written.weights.emplace_back(name, var->value);
    Tensor x({2, 3});
    for (Index i = 0; i < x.size(); ++i) x[i] = 0.1f * float(i) - 0.2f;
    RunContext ctx;
    model.forward({&x}, false, ctx);
    const Tensor expected = model.output(0);
    for (const char* name : {"custom.keras", "custom.h5"}) {
      const std::string path = file(name);
      writeKerasFile(path, kerasFileFormatForPath(path), written);
      ModelFile back = readAnyModelFile(path);
      const NodeSpec* cd = back.spec.find("cd");
      QVERIFY2(cd, name);
      QCOMPARE(cd->className, std::string("CustomLayer"));
      QCOMPARE(cd->config["custom_class"].get<std::string>(), std::string("CustomizedDenseLayer"));
      QCOMPARE(cd->config["call"], denseClass()["call"]);
      Model again(back.spec, 0);
      again.loadNamedWeights(back.weights);
      RunContext ctx2;
      again.forward({&x}, false, ctx2);
      const Tensor& y = again.output(0);
      QCOMPARE(y.shape(), expected.shape());
      for (Index i = 0; i < y.size(); ++i) QCOMPARE(y[i], expected[i]);
    }
    // What the files say: the class name, and Keras 3's registered name in config.json.
    const json h5Config =
        json::parse(h5::H5Node::openFile(file("custom.h5")).stringAttr("model_config"));
    QVERIFY2(h5Config.dump().find(R"("class_name":"CustomizedDenseLayer")") != std::string::npos,
             h5Config.dump().c_str());
    int err = 0;
    zip_t* z = zip_open(file("custom.keras").c_str(), ZIP_RDONLY, &err);
    QVERIFY(z);
    zip_stat_t st;
    QCOMPARE(zip_stat(z, "config.json", 0, &st), 0);
    std::string text(st.size, '\0');
    zip_file_t* f = zip_fopen(z, "config.json", 0);
    QVERIFY(f);
    QCOMPARE(zip_fread(f, text.data(), st.size), zip_int64_t(st.size));
    zip_fclose(f);
    zip_discard(z);
    QVERIFY2(
        text.find(R"("class_name":"CustomizedDenseLayer")") != std::string::npos &&
            text.find(R"("registered_name":"Custom>CustomizedDenseLayer")") != std::string::npos,
        text.c_str());
  }
};

QTEST_GUILESS_MAIN(TestCustomClasses)
#include "tst_engine_customclasses.moc"
