// Project-file sub-commands: new, import, train PROJECT (records a run), runs, resume, export.
// A run records the exact argv of its `train` call in its settings, so `resume` rebuilds the
// same data and compile settings, restores the last checkpoint (weights + optimizer state) and
// continues the same epoch count and curves.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Trainer.h"

namespace tessel::app {

namespace {

std::string hashText(const std::string& text) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(text));
  return buf;
}

ModelRecord pickModel(const Project& project, const Args& args) {
  if (args.has("--model")) {
    auto m = project.model(args.value("--model"));
    if (!m) throw Error("project has no model named '" + args.value("--model") + "'");
    return *m;
  }
  auto all = project.models();
  if (all.empty()) throw Error("project has no model yet (add one with `tessel import`)");
  return all.front();
}

LoadedModel modelFromRecord(const json& spec, const json& trainingConfig, std::uint64_t seed) {
  LoadedModel m;
  m.file.spec = ModelSpec::fromKerasJson(spec);
  m.file.trainingConfig = trainingConfig;
  m.model = std::make_unique<Model>(m.file.spec, seed);
  return m;
}

// Trains with `args` (the train command's options) and records into run `runId`.
int trainRecorded(Project& project, std::int64_t runId, const json& spec,
                  const json& trainingConfig, const Args& args, const Checkpoint* resumeFrom) {
  applyThreads(args);
  FitOptions fit = fitOptions(args);
  LoadedModel m = modelFromRecord(spec, trainingConfig, fit.seed);
  CompileOptions compile = compileOptions(m, args);
  CliData data = loadData(args, *m.model, /*needY=*/true, /*needTrain=*/true);
  if (data.valid) fit.validationData = *data.valid;
  Trainer trainer(*m.model, compile);
  if (resumeFrom) {
    restoreCheckpoint(trainer, *resumeFrom);
    fit.initialEpoch = resumeFrom->epoch + 1;
    if (fit.initialEpoch >= fit.epochs) {
      project.setRunStatus(runId, RunStatus::Finished);
      std::cout << "run " << runId << " had already finished all " << fit.epochs << " epochs\n";
      return 0;
    }
  }
  bool validation = data.valid || fit.validationSplit > 0;
  RunRecorder recorder(project, runId, trainer, validation ? "val_loss" : "loss");
  History h = trainer.fit(data.train, fit, {}, &recorder);
  std::cout.flush();
  auto run = project.run(runId);
  std::cout << "run " << runId << ": " << runStatusName(run->status) << " after " << run->epochsDone
            << " epoch(s)\n";
  if (run->status == RunStatus::Failed)
    throw Error("training stopped: " + h.stopReason + " (the best checkpoint is kept)");
  return 0;
}

}  // namespace

bool isProjectPath(const std::string& path) {
  if (path.size() > 7 && path.substr(path.size() - 7) == ".tessel") return true;
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, 16);
  return in.gcount() == 16 && std::string(header, 15) == "SQLite format 3";
}

int cmdNew(const Args& args) {
  Project::create(args.positional()[0]);
  std::cout << "created " << args.positional()[0] << "\n";
  return 0;
}

int cmdImport(const Args& args) {
  Project project = Project::open(args.positional()[0]);
  ModelFile file = readModelFile(args.positional()[1]);
  std::string name = args.value("--name", file.spec.name);
  ModelRecord rec;
  rec.id = project.addModel(name, file.spec.toKerasJson());
  rec = *project.model(rec.id);
  if (!file.trainingConfig.is_null())
    rec.compileSettings = {{"training_config", file.trainingConfig}};
  project.updateModel(rec);
  std::cout << "imported " << args.positional()[1] << " as model '" << name << "'\n";
  return 0;
}

int trainProject(const Args& args, const std::vector<std::string>& argv) {
  Project project = Project::open(args.positional()[0]);
  ModelRecord model = pickModel(project, args);
  RunRecord run;
  run.modelId = model.id;
  run.name = args.value("--run-name", "run " + std::to_string(project.runs(model.id).size() + 1));
  run.spec = model.spec;
  run.settings = {{"argv", argv}, {"compile", model.compileSettings}};
  run.seed = seedOption(args);
  run.graphHash = hashText(model.spec.dump());
  run.dataHash = hashText(args.value("--data") + "|" + json(args.values("--x")).dump() + "|" +
                          json(args.values("--y")).dump());
  run.engineVersion = TESSEL_VERSION;
  auto runId = project.createRun(run);
  std::cout << "run " << runId << " of model '" << model.name << "'\n";
  return trainRecorded(project, runId, model.spec,
                       model.compileSettings.value("training_config", json()), args, nullptr);
}

int cmdRuns(const Args& args) {
  Project project = Project::open(args.positional()[0], /*readOnly=*/true);
  std::printf("%-5s %-16s %-12s %-7s %-21s %-12s %s\n", "run", "model", "status", "epochs",
              "started", "best loss", "best val_loss");
  for (const auto& r : project.runs()) {
    auto model = project.model(r.modelId);
    auto best = project.bestMetric(r.id, "loss");
    auto bestVal = project.bestMetric(r.id, "val_loss");
    std::printf("%-5lld %-16s %-12s %-7d %-21s %-12s %s\n", static_cast<long long>(r.id),
                model ? model->name.c_str() : "?", runStatusName(r.status), r.epochsDone,
                r.startedAt.c_str(), best ? kerasNumber(*best).c_str() : "-",
                bestVal ? kerasNumber(*bestVal).c_str() : "-");
  }
  return 0;
}

int cmdResume(const Args& args) {
  Project project = Project::open(args.positional()[0]);
  std::int64_t runId = std::stoll(args.positional()[1]);
  auto run = project.run(runId);
  if (!run) throw Error("project has no run " + args.positional()[1]);
  if (run->status == RunStatus::Finished)
    throw Error("run " + args.positional()[1] + " has finished; nothing to resume");
  auto checkpoint = project.checkpoint(runId, "last");
  if (!checkpoint)
    throw Error("run " + args.positional()[1] +
                " has no checkpoint yet (it ended before its first epoch); train it again");
  auto argv = run->settings.value("argv", std::vector<std::string>{});
  const CommandSpec* train = findCommand("train");
  Args trainArgs(*train, argv);
  std::cout << "resuming run " << runId << " after epoch " << checkpoint->epoch + 1 << "\n";
  return trainRecorded(project, runId, run->spec, runTrainingConfig(*run), trainArgs, &*checkpoint);
}

int cmdExport(const Args& args) {
  Project project = Project::open(args.positional()[0], /*readOnly=*/true);
  std::int64_t runId = args.intValue("--run", 0, 1, 1LL << 62);
  auto run = project.run(runId);
  if (!run) throw Error("project has no run " + std::to_string(runId));
  std::string kind = args.value("--checkpoint", "best");
  auto checkpoint = project.checkpoint(runId, kind);
  if (!checkpoint) checkpoint = project.checkpoint(runId, "last");
  if (!checkpoint) throw Error("run " + std::to_string(runId) + " has no checkpoint");
  json trainingConfig = runTrainingConfig(*run);
  LoadedModel m = modelFromRecord(run->spec, trainingConfig, 0);
  CompileOptions compile;
  compile.losses = {"mse"};
  if (!trainingConfig.is_null()) compile = CompileOptions::fromTrainingConfig(trainingConfig);
  Trainer trainer(*m.model, compile);
  restoreCheckpoint(trainer, *checkpoint);
  NamedWeights weights;
  for (auto& [name, var] : m.model->namedWeights()) weights.emplace_back(name, var->value);
  std::string out = args.value("--out");
  std::filesystem::path p(out);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  writeModelFile(out, m.model->spec(), weights, trainingConfig);
  std::cout << "exported run " << runId << " (" << checkpoint->kind << " checkpoint, epoch "
            << checkpoint->epoch + 1 << ") to " << out << "\n";
  return 0;
}

}  // namespace tessel::app
