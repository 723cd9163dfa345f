#include <QtTest>

#include <string>

#include "engine/core/Error.h"
#include "engine/session/RecordedSettings.h"
#include "engine/session/RunSettings.h"

using namespace tessel;

namespace {

// Every field set away from its default: two outputs with per-output losses, loss weights and
// metrics, Adam with an ExponentialDecay schedule, every fit key, two callbacks, data settings
// with split files, normalisation and augmentation, an import source.
RunSettings everyField() {
  RunSettings s;
  s.compile.losses = {"sparse_categorical_crossentropy", "mse"};
  s.compile.lossWeights = {1.0, 0.25};
  s.compile.metrics = {{"accuracy"}, {"mae", "mse"}};
  s.compile.optimizer = {
      {"class_name", "Adam"},
      {"config",
       {{"learning_rate",
         {{"class_name", "ExponentialDecay"},
          {"config",
           {{"initial_learning_rate", 0.01}, {"decay_steps", 100}, {"decay_rate", 0.9}}}}},
        {"beta_1", 0.8}}}};
  s.fit.epochs = 7;
  s.fit.batchSize = 64;
  s.fit.validationSplit = 0.2;
  s.fit.shuffle = false;
  s.fit.seed = 12345678901234ull;
  s.fit.classWeight = {{0, 1.0}, {3, 2.5}};
  s.fit.device = "cuda:1";
  s.fit.deterministic = true;
  s.fit.tf32 = true;
  s.callbacks = {{"EarlyStopping", {{"monitor", "val_loss"}, {"patience", 3}}},
                 {"ReduceLROnPlateau", {{"factor", 0.5}}}};
  DataSettings d;
  d.kind = "csv";
  d.path = "/data/iris.csv";
  d.options = {{"label", "species"}};
  d.fractions = {0.7, 0.2, 0.1};
  d.splitSeed = 9;
  d.normalization = "standardize_per_feature";
  d.augmentation.flipHorizontal = true;
  d.augmentation.rotation = 0.1;
  s.data = d;
  s.imported = {{"file", "/models/model.json"}, {"optimizer_state", true}};
  return s;
}

const std::vector<std::string> kOutputs = {"class", "box"};

// The message of the Error that fromJson throws for `j` ("" when it does not throw).
std::string errorOf(const nlohmann::json& j) {
  try {
    RunSettings::fromJson(j, kOutputs);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestRunSettings : public QObject {
  Q_OBJECT
 private slots:
  void modelSettingsReadTheCompileKeyAndTheOlderForm() {
    const json tc = {{"loss", "mse"}};
    QCOMPARE(RunSettings::trainingConfigOf({{"compile", tc}, {"fit", {{"epochs", 2}}}}), tc);
    QCOMPARE(RunSettings::trainingConfigOf({{"training_config", tc}}), tc);
    QVERIFY(RunSettings::trainingConfigOf(json::object()).is_null());
    QVERIFY(RunSettings::trainingConfigOf(json()).is_null());
  }

  void defaultsAreKerasFitDefaults() {
    RunSettings s;
    nlohmann::json j = s.toJson();
    QCOMPARE(j["fit"]["epochs"].get<int>(), 1);
    QCOMPARE(j["fit"]["batch_size"].get<int>(), 32);
    QCOMPARE(j["fit"]["shuffle"].get<bool>(), true);
    QCOMPARE(j["fit"]["validation_split"].get<double>(), 0.0);
    QVERIFY(j["callbacks"].is_array() && j["callbacks"].empty());
    QVERIFY(!j.contains("compile"));  // not compiled yet
    QVERIFY(!j.contains("data"));
    QVERIFY(!j.contains("imported"));
    QVERIFY(!j["fit"].contains("deterministic"));  // Keras's default: not written
    QVERIFY(!j["fit"].contains("tf32"));
    QCOMPARE(RunSettings::fromJson(j).toJson(), j);
    QCOMPARE(RunSettings::fromJson(nlohmann::json::object()).toJson(), j);
    QVERIFY(s.dataHash().empty());
  }

  void everyFieldRoundTrips() {
    const RunSettings s = everyField();
    const nlohmann::json j = s.toJson();
    const RunSettings back = RunSettings::fromJson(j, kOutputs);
    QCOMPARE(back.toJson(), j);
    // Typed fields, one by one.
    QVERIFY(back.fit == s.fit);
    QVERIFY(back.callbacks == s.callbacks);
    QCOMPARE(back.compile.losses.size(), size_t(2));
    QCOMPARE(back.compile.losses[1], nlohmann::json("mse"));
    QCOMPARE(back.compile.lossWeights, s.compile.lossWeights);
    QCOMPARE(back.compile.metrics.size(), size_t(2));
    QCOMPARE(back.compile.metrics[1].size(), size_t(2));
    // The optimizer is recorded with its whole Keras config: the keys given, and the defaults.
    QCOMPARE(back.compile.toTrainingConfig(), j["compile"]);
    const nlohmann::json& adam = j["compile"]["optimizer_config"];
    QCOMPARE(adam["class_name"], nlohmann::json("Adam"));
    QCOMPARE(adam["config"]["beta_1"].get<double>(), 0.8);
    QCOMPARE(adam["config"]["beta_2"].get<double>(), 0.999);
    QCOMPARE(adam["config"]["learning_rate"]["config"]["decay_steps"].get<int>(), 100);
    QVERIFY(back.data.has_value());
    QCOMPARE(back.data->toJson(), s.data->toJson());
    QCOMPARE(back.dataHash(), s.data->hash());
    QCOMPARE(back.imported, s.imported);
    // The text form too (what the project file stores).
    QCOMPARE(RunSettings::fromJson(nlohmann::json::parse(j.dump()), kOutputs).toJson().dump(),
             j.dump());
    // The schedule stays inside the optimizer config.
    QCOMPARE(j["compile"]["optimizer_config"]["config"]["learning_rate"]["class_name"],
             nlohmann::json("ExponentialDecay"));
  }

  void fitOptionsCarryTheFitFields() {
    const RunSettings s = everyField();
    FitOptions o = s.fitOptions(2);
    QCOMPARE(o.epochs, 7);
    QCOMPARE(o.batchSize, 64);
    QCOMPARE(o.validationSplit, 0.2);
    QCOMPARE(o.shuffle, false);
    QCOMPARE(o.seed, std::uint64_t(12345678901234ull));
    QCOMPARE(o.classWeight.at(3), 2.5);
    QCOMPARE(o.verbose, 2);
    QCOMPARE(o.device, std::string("cuda:1"));
    QVERIFY(o.deterministic);
    QVERIFY(o.tf32);
    QVERIFY(RunSettings::fitFrom(o) == s.fit);
  }

  void dictFormsNeedTheOutputNames() {
    nlohmann::json j = {{"compile", {{"loss", {{"class", "mse"}, {"box", "mae"}}}}}};
    RunSettings s = RunSettings::fromJson(j, kOutputs);
    QCOMPARE(s.compile.losses.size(), size_t(2));
    QCOMPARE(s.compile.losses[1], nlohmann::json("mae"));
    QVERIFY(errorOf(j).empty());
    QVERIFY_THROWS_EXCEPTION(Error, RunSettings::fromJson(j));
  }

  void malformedInputNamesTheKey() {
    struct Case {
      nlohmann::json j;
      const char* expected;
    };
    const std::vector<Case> cases = {
        {nlohmann::json::array(), "expected a JSON object"},
        {{{"fitt", nlohmann::json::object()}}, "unknown key 'fitt'"},
        {{{"fit", 3}}, "fit must be a JSON object"},
        {{{"fit", {{"epochs", 0}}}}, "fit.epochs"},
        {{{"fit", {{"epochs", "ten"}}}}, "fit.epochs"},
        {{{"fit", {{"epochs", 2.5}}}}, "fit.epochs"},
        {{{"fit", {{"batch_size", -1}}}}, "fit.batch_size"},
        {{{"fit", {{"validation_split", 1.0}}}}, "fit.validation_split"},
        {{{"fit", {{"validation_split", "0.1"}}}}, "fit.validation_split"},
        {{{"fit", {{"shuffle", 1}}}}, "fit.shuffle"},
        {{{"fit", {{"deterministic", "yes"}}}}, "fit.deterministic must be true or false"},
        {{{"fit", {{"tf32", 1}}}}, "fit.tf32 must be true or false"},
        {{{"fit", {{"seed", -3}}}}, "fit.seed"},
        {{{"fit", {{"class_weight", {{"cat", 1.0}}}}}}, "fit.class_weight key 'cat'"},
        {{{"fit", {{"class_weight", {{"1", "heavy"}}}}}}, "fit.class_weight['1']"},
        {{{"fit", {{"class_weight", {1, 2}}}}}, "fit.class_weight must be"},
        {{{"fit", {{"verbose", 1}}}}, "unknown key 'fit.verbose'"},
        {{{"callbacks", {{"class_name", "EarlyStopping"}}}}, "callbacks must be a list"},
        {{{"callbacks", {42}}}, "callbacks[0]"},
        {{{"callbacks", {{{"config", nlohmann::json::object()}}}}}, "callbacks[0]"},
        {{{"callbacks", {{{"class_name", "EarlyStopping"}, {"config", 5}}}}},
         "callbacks[0].config"},
        {{{"callbacks", {{{"class_name", "EarlyStopping"}, {"args", 5}}}}},
         "unknown key 'callbacks[0].args'"},
        {{{"compile", {{"metrics", {"accuracy"}}}}}, "compile: training_config: 'loss'"},
        {{{"compile", "adam"}}, "compile: training_config must be a JSON object"},
        {{{"compile", {{"loss", "mse"}, {"loss_weights", "heavy"}}}}, "loss_weights"},
        {{{"data", {{"kind", "tape"}}}}, "unknown kind 'tape'"},
        {{{"data", {{"split", {{"fractions", {0.9, 0.9, 0.9}}}}}}}, "sum to more than 1"},
        {{{"imported", "file.json"}}, "imported must be a JSON object"},
        {{{"fine_tune", {{"head_epochs", 0}}}}, "fine-tune recipe: head_epochs"},
        {{{"fine_tune", {{"unfreeze", 3}}}}, "fine-tune recipe: unknown key 'unfreeze'"},
    };
    for (const Case& c : cases) {
      const std::string message = errorOf(c.j);
      QVERIFY2(message.rfind("run settings: ", 0) == 0,
               qPrintable(QString::fromStdString(c.j.dump() + " -> '" + message + "'")));
      QVERIFY2(message.find(c.expected) != std::string::npos,
               qPrintable(QString::fromStdString(c.j.dump() + " -> '" + message + "'")));
    }
  }

  void fineTuneRecipeRoundTrips() {
    // A two-phase run keeps its recipe (FineTuneRecipe's JSON, every key written back).
    const RunSettings s = RunSettings::fromJson(
        {{"fit", {{"epochs", 5}}}, {"fine_tune", {{"head_epochs", 2}, {"base_end", "dense"}}}});
    QCOMPARE(s.fineTune["head_epochs"].get<int>(), 2);
    QCOMPARE(s.fineTune["fine_tune_epochs"].get<int>(), 5);  // the recipe's default
    QCOMPARE(s.fineTune["base_end"].get<std::string>(), std::string("dense"));
    QCOMPARE(s.toJson()["fine_tune"], s.fineTune);
    QCOMPARE(RunSettings::fromJson(s.toJson()).fineTune, s.fineTune);
    // A one-phase run writes no key.
    QVERIFY(!RunSettings::fromJson({{"fit", {{"epochs", 5}}}}).toJson().contains("fine_tune"));
  }

  void recordedRunsOfEitherForm() {
    RunRecord current;
    current.id = 4;
    current.settings = everyField().toJson();
    current.settings.erase("compile");
    current.settings["compile"] = {{"loss", "mse"}, {"optimizer_config", "sgd"}};
    RunSettings s = recordedSettings(current);
    QCOMPARE(s.fit.epochs, 7);
    QCOMPARE(runTrainingConfig(current)["loss"], nlohmann::json("mse"));
    QVERIFY(recordedArgv(current).empty());

    // A run recorded with its command line: compile from training_config, seed from the record.
    RunRecord argv;
    argv.id = 5;
    argv.seed = 11;
    argv.settings = {{"argv", {"p.tessel", "--data", "fashion-mnist", "--epochs", "3"}},
                     {"compile", {{"training_config", {{"loss", "mae"}}}}}};
    QCOMPARE(recordedArgv(argv).size(), size_t(5));
    QCOMPARE(runTrainingConfig(argv)["loss"], nlohmann::json("mae"));
    RunSettings a = recordedSettings(argv);
    QCOMPARE(a.compile.losses.front(), nlohmann::json("mae"));
    QCOMPARE(a.fit.seed, std::uint64_t(11));
    QVERIFY(!a.data);

    RunRecord broken;
    broken.id = 6;
    broken.settings = {{"fit", {{"epochs", -1}}}};
    try {
      recordedSettings(broken);
      QFAIL("malformed settings were accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).rfind("run 6: run settings: fit.epochs", 0) == 0, e.what());
    }
    RunRecord none;
    QVERIFY(runTrainingConfig(none).is_null());
  }
};

QTEST_APPLESS_MAIN(TestRunSettings)
#include "tst_engine_runsettings.moc"
