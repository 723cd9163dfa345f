#include <filesystem>
#include <iostream>
#include <memory>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Error.h"
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
    throw UsageError("train: --data " + args.value("--data") +
                     " has its own validation set; --validation-split is not used with it");
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
  run.fit(data.train, callbacks, &observer);
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
