// The callback catalog: every entry builds from its Keras defaults, its config round-trips
// (config -> callback -> toJson -> callback -> the same toJson), unknown classes and keys are
// rejected, and the callbacks' own C++ defaults are Keras's as the catalog writes them.
#include <QtTest>

#include <cmath>

#include "engine/callbacks/CSVLogger.h"
#include "engine/callbacks/EarlyStopping.h"
#include "engine/callbacks/ReduceLROnPlateau.h"
#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Error.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

CallbackContext quietContext() {
  CallbackContext c;
  c.out = nullptr;
  c.saver = [](const std::string&, bool) {};
  return c;
}

// The entry's defaults, with the editor's suggestion for each parameter Keras has no default for.
json defaultsOf(const CallbackEntry& e) {
  json config = e.defaultConfig();
  for (const ParamSpec& p : e.params)
    if (p.required) config[p.key] = p.suggested;
  return config;
}

std::string thrownBy(const json& spec) {
  try {
    makeCallback(spec, quietContext());
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestCallbackCatalog : public QObject {
  Q_OBJECT
 private slots:
  void listsTheEngineCallbacks() {
    std::vector<std::string> names;
    for (const CallbackEntry& e : callbackCatalog().all()) {
      names.push_back(e.className);
      QVERIFY2(!e.doc.empty(), e.className.c_str());
      QVERIFY2(e.create != nullptr, e.className.c_str());
      for (const ParamSpec& p : e.params) QVERIFY2(!p.doc.empty(), p.key.c_str());
    }
    const std::vector<std::string> want{"EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau",
                                        "CSVLogger",     "TerminateOnNaN",  "LearningRateScheduler",
                                        "ResetStates"};
    QCOMPARE(names, want);
  }

  // Every entry: built from its defaults, toJson names the class and gives back every parameter
  // (with the defaults), and building from that JSON gives the same JSON again.
  void everyEntryBuildsFromDefaultsAndRoundTrips() {
    for (const CallbackEntry& e : callbackCatalog().all()) {
      const json spec{{"class_name", e.className}, {"config", defaultsOf(e)}};
      std::unique_ptr<Callback> cb = makeCallback(spec, quietContext());
      QVERIFY2(cb != nullptr, e.className.c_str());
      const json first = cb->toJson();
      QCOMPARE(first.at("class_name").get<std::string>(), e.className);
      QCOMPARE(first.at("config").size(), e.params.size());
      for (const ParamSpec& p : e.params) {
        QVERIFY2(first["config"].contains(p.key), (e.className + "." + p.key).c_str());
        if (!p.required)
          QVERIFY2(first["config"][p.key] == p.defaultValue,
                   (e.className + "." + p.key + " = " + first["config"][p.key].dump()).c_str());
      }
      const json second = makeCallback(first, quietContext())->toJson();
      QVERIFY2(second == first, (first.dump() + " vs " + second.dump()).c_str());
    }
  }

  // Keras's defaults (keras.callbacks) as the catalog holds them, and the callbacks' C++ defaults
  // agree with them.
  void kerasDefaults() {
    const CallbackEntry& es = callbackCatalog().get("EarlyStopping");
    const json esWant{{"monitor", "val_loss"},
                      {"min_delta", 0.0},
                      {"patience", 0},
                      {"verbose", 0},
                      {"mode", "auto"},
                      {"baseline", nullptr},
                      {"restore_best_weights", false},
                      {"start_from_epoch", 0}};
    QCOMPARE(es.defaultConfig(), esWant);
    QCOMPARE(EarlyStopping().toJson()["config"], esWant);
    const CallbackEntry& rl = callbackCatalog().get("ReduceLROnPlateau");
    QCOMPARE(ReduceLROnPlateau().toJson()["config"], rl.defaultConfig());
    QCOMPARE(rl.defaultConfig()["factor"].get<double>(), 0.1);
    QCOMPARE(rl.defaultConfig()["patience"], json(10));
    QCOMPARE(rl.defaultConfig()["min_delta"].get<double>(), 1e-4);
    QCOMPARE(CSVLogger("x.csv").toJson()["config"],
             (json{{"filename", "x.csv"}, {"separator", ","}, {"append", false}}));
    const json mc = callbackCatalog().get("ModelCheckpoint").defaultConfig();
    QCOMPARE(mc["save_freq"], json("epoch"));
    QCOMPARE(mc["monitor"], json("val_loss"));
    QVERIFY(mc["initial_value_threshold"].is_null());
    QVERIFY(!mc.contains("filepath"));  // required, as in Keras
  }

  void configReachesTheCallback() {
    auto cb = makeCallback({{"class_name", "EarlyStopping"},
                            {"config", {{"patience", 3}, {"monitor", "loss"}, {"baseline", 0.5}}}},
                           quietContext());
    auto* es = dynamic_cast<EarlyStopping*>(cb.get());
    QVERIFY(es != nullptr);
    QCOMPARE(es->options().patience, 3);
    QCOMPARE(es->options().monitor, std::string("loss"));
    QCOMPARE(*es->options().baseline, 0.5);
    // A spec without config, and Keras 2.13+'s "module" key.
    QVERIFY(makeCallback({{"class_name", "TerminateOnNaN"}}) != nullptr);
    QVERIFY(makeCallback({{"module", "keras.callbacks"},
                          {"class_name", "ReduceLROnPlateau"},
                          {"config", {{"factor", 0.5}}}}) != nullptr);
  }

  void rejectsUnknownClassesKeysAndValues() {
    QVERIFY2(thrownBy({{"class_name", "EarlyStoping"}}).find("unknown callback 'EarlyStoping'") !=
                 std::string::npos,
             thrownBy({{"class_name", "EarlyStoping"}}).c_str());
    const std::string key =
        thrownBy({{"class_name", "EarlyStopping"}, {"config", {{"patiense", 3}}}});
    QVERIFY2(key.find("unknown config key 'patiense'") != std::string::npos, key.c_str());
    QVERIFY(!thrownBy({{"class_name", "CSVLogger"}, {"config", {{"filename", "a"}, {"x", 1}}}})
                 .empty());
    QVERIFY(!thrownBy({{"class_name", "EarlyStopping"}, {"confg", json::object()}}).empty());
    QVERIFY(!thrownBy({{"class_name", "EarlyStopping"}, {"config", {{"mode", "up"}}}}).empty());
    QVERIFY(!thrownBy({{"class_name", "EarlyStopping"}, {"config", {{"patience", -1}}}}).empty());
    QVERIFY(
        !thrownBy({{"class_name", "ModelCheckpoint"}, {"config", {{"save_freq", 10}}}}).empty());
    const std::string missing = thrownBy({{"class_name", "CSVLogger"}});
    QVERIFY2(missing.find("'filename' is required") != std::string::npos, missing.c_str());
    QVERIFY(
        !thrownBy({{"class_name", "ReduceLROnPlateau"}, {"config", {{"factor", 1.0}}}}).empty());
    QVERIFY(!thrownBy(json::array()).empty());
    // ModelCheckpoint needs a way to save.
    QVERIFY_THROWS_EXCEPTION(Error, makeCallback({{"class_name", "ModelCheckpoint"},
                                                  {"config", {{"filepath", "m.json"}}}},
                                                 CallbackContext{}));
  }

  // LearningRateScheduler from a serialized schedule: lr(epoch) = schedule(epoch).
  void learningRateSchedulerFromASchedule() {
    Model m(makeSpec({inputNode("x", {2}), denseNode("d", 1, "x")}, {"x"}, {"d"}), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    auto cb = makeCallback(
        {{"class_name", "LearningRateScheduler"},
         {"config",
          {{"schedule",
            {{"class_name", "ExponentialDecay"},
             {"config",
              {{"initial_learning_rate", 0.01}, {"decay_steps", 1}, {"decay_rate", 0.5}}}}}}}},
        quietContext());
    Dataset d;
    d.x.resize(1), d.y.resize(1);
    linearData(16, d.x[0], d.y[0]);
    FitOptions o;
    o.epochs = 3, o.verbose = 0;
    History h = t.fit(d, o, {cb.get()});
    const std::vector<double>& lr = h["lr"];
    QCOMPARE(lr.size(), size_t(3));
    for (int e = 0; e < 3; ++e)
      QVERIFY2(std::fabs(lr[size_t(e)] - 0.01 * std::pow(0.5, e)) < 1e-9,
               std::to_string(lr[size_t(e)]).c_str());
  }
};

QTEST_APPLESS_MAIN(TestCallbackCatalog)
#include "tst_engine_callbackcatalog.moc"
