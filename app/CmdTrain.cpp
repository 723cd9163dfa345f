#include <filesystem>
#include <iostream>
#include <memory>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Error.h"
#include "engine/train/Trainer.h"

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
  fit.out = &std::cout;
  const long long patience = args.intValue("--early-stopping-patience", -1, 0, 1000000);
  const std::string savePath = args.value("--save");
  if (args.has("--save") && savePath.empty()) throw UsageError("train: --save needs a path");

  LoadedModel m = loadModel(path, fit.seed);
  CompileOptions compile = compileOptions(m, args);
  CliData data = loadData(args, *m.model, /*needY=*/true, /*needTrain=*/true);
  if (data.valid) {
    if (args.has("--validation-split"))
      throw UsageError("train: --data " + args.value("--data") +
                       " has its own validation set; --validation-split is not used with it");
    fit.validationData = *data.valid;
  }
  Trainer trainer(*m.model, compile);

  std::vector<std::unique_ptr<Callback>> owned;
  if (patience >= 0)
    owned.push_back(makeCallback(
        {{"class_name", "EarlyStopping"},
         {"config",
          {{"monitor", data.valid || fit.validationSplit > 0 ? "val_loss" : "loss"},
           {"patience", patience}}}}));
  if (args.has("--csv-log"))
    owned.push_back(makeCallback(
        {{"class_name", "CSVLogger"}, {"config", {{"filename", args.value("--csv-log")}}}}));
  std::vector<Callback*> callbacks;
  for (auto& c : owned) callbacks.push_back(c.get());

  FailureObserver observer;
  History history = trainer.fit(data.train, fit, callbacks, &observer);
  std::cout.flush();

  if (data.test) {
    Logs test = trainer.evaluate(*data.test, fit.batchSize);
    std::cout << "Test: " << formatLogs(test) << std::endl;
  }
  if (!savePath.empty()) {
    std::filesystem::path out(savePath);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    NamedWeights weights;
    for (auto& [name, var] : m.model->namedWeights()) weights.emplace_back(name, var->value);
    writeModelFile(savePath, m.model->spec(), weights, compile.toTrainingConfig());
    std::cout << "Saved " << savePath << std::endl;
  }
  if (!observer.failure.empty())
    throw Error("training stopped: " + observer.failure +
                " (the weights of the last good epoch were kept)");
  return 0;
}

}  // namespace tessel::app
