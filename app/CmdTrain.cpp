#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Error.h"
#include "engine/layers/TextLayers.h"
#include "engine/session/FineTuneRecipe.h"
#include "engine/session/RunCallbacks.h"
#include "engine/session/TrainingRun.h"

namespace tessel::app {

namespace {

// Remembers a numeric failure (NaN/Inf loss) reported by fit().
class FailureObserver : public TrainObserver {
 public:
  void onFailed(const std::string& message) override { failure = message; }
  std::string failure;
};

// "E1,N,F,E2" -> the recipe.
FineTuneRecipe parseFineTune(const std::string& text, const std::string& baseEnd) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string p; std::getline(in, p, ',');) parts.push_back(p);
  if (parts.size() != 4)
    throw UsageError("--fine-tune wants E1,N,F,E2 (e.g. 5,20,0.1,5), got '" + text + "'");
  try {
    return FineTuneRecipe::fromJson({{"head_epochs", std::stoi(parts[0])},
                                     {"unfreeze_last", std::stoi(parts[1])},
                                     {"lr_factor", std::stod(parts[2])},
                                     {"fine_tune_epochs", std::stoi(parts[3])},
                                     {"base_end", baseEnd}});
  } catch (const std::invalid_argument&) {
    throw UsageError("--fine-tune wants numbers E1,N,F,E2, got '" + text + "'");
  }
}

}  // namespace

// tessel train MODEL (--data NAME | --x ... --y ...) [options]: Keras fit().
int cmdTrain(const Args& args) {
  const std::string path = args.positional()[0];
  if (isProjectPath(path)) return trainProject(args, args.raw());
  applyThreads(args);
  FitOptions fit = fitOptions(args);
  args.intValue("--early-stopping-patience", -1, 0, 1000000);  // a bad value is reported first
  const std::string savePath = args.value("--save");
  if (args.has("--save") && savePath.empty()) throw UsageError("train: --save needs a path");

  LoadedModel m = loadModel(path, fit.seed);
  compileOptions(m, args);  // a missing loss is reported before the data is read
  DataSettings source = dataSettings(args);
  CliData data = loadData(source, *m.model, /*needY=*/true, /*needTrain=*/true, "train");
  if (data.valid && args.has("--validation-split"))
    throw UsageError(
        "train: the data set has its own validation set; --validation-split is "
        "not used with it");
  // Text data: the vocabulary adapted on the training split goes into the model's
  // TextVectorization (so --save writes it, as Keras's model.save after adapt).
  if (data.settings.kind == "text" && data.settings.options.contains("vectorization"))
    storeTextVocabulary(m.file.spec, data.settings.options["vectorization"]);
  const RunSettings settings = trainSettings(m, args, data.settings, data.valid.has_value());

  TrainingRun run(m.file.spec, settings);
  if (m.hasWeights) run.loadWeights(m.file.weights);
  run.setValidationData(data.valid);
  run.fitOptions().verbose = fit.verbose;
  run.fitOptions().out = &std::cout;

  auto owned = makeCallbacks(settings.callbacksJson());
  if (args.has("--csv-log"))
    owned.push_back(makeCallback(
        {{"class_name", "CSVLogger"}, {"config", {{"filename", args.value("--csv-log")}}}}));
  std::vector<Callback*> callbacks;
  for (auto& c : owned) callbacks.push_back(c.get());

  FailureObserver observer;
  if (args.has("--fine-tune")) {
    // Two phases, each its own TrainingRun (engine/session/FineTuneRecipe.h); the weights the
    // second phase ends with are loaded back for the test and --save below.
    FineTuneHooks hooks;
    if (m.hasWeights) hooks.initialWeights = &m.file.weights;
    hooks.callbacks = callbacks;
    hooks.callbacks.push_back(&observer);
    hooks.prepare = [&](TrainingRun& r) {
      r.setValidationData(data.valid);
      r.fitOptions().verbose = fit.verbose;
      r.fitOptions().out = &std::cout;
    };
    const FineTuneResult result = fitTwoPhase(
        m.file.spec, settings, parseFineTune(args.value("--fine-tune"), args.value("--base-end")),
        data.train, hooks);
    run.loadWeights(result.weights);
    std::cout << "Fine-tuned: phase 2 trained " << result.unfrozen.size()
              << " layers at learning rate " << result.phase2LearningRate << std::endl;
  } else {
    run.fit(data.train, callbacks, &observer);
  }
  std::cout.flush();

  if (data.test) std::cout << "Test: " << formatLogs(run.evaluateTest(*data.test)) << std::endl;
  if (!savePath.empty()) {
    std::filesystem::path out(savePath);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    NamedWeights weights;
    for (auto& [name, var] : run.model().namedWeights()) weights.emplace_back(name, var->value);
    writeModelFile(savePath, run.model().spec(), weights, settings.compile.toTrainingConfig());
    std::cout << "Saved " << savePath << std::endl;
  }
  if (!observer.failure.empty())
    throw Error("training stopped: " + observer.failure +
                " (the weights of the last good epoch were kept)");
  return 0;
}

}  // namespace tessel::app
