// Project-file sub-commands: new, import, train PROJECT (records a run), runs, resume, export.
// A run records its RunSettings (compile, fit, callbacks, data) as the studio does, so `resume`
// rebuilds the same data and compile settings, restores the last checkpoint (weights + optimizer
// state) and continues the same epoch count and curves.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/OnnxImport.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/CreateRun.h"
#include "engine/session/ExportModel.h"
#include "engine/session/ImportModelFile.h"
#include "engine/session/RecordedSettings.h"
#include "engine/session/ResumeRun.h"
#include "engine/session/RunCallbacks.h"
#include "engine/session/RunSettings.h"
#include "engine/session/TrainingRun.h"
#include "engine/store/Project.h"

namespace tessel::app {

namespace {

LoadedModel modelFromRecord(const json& spec, const json& trainingConfig, std::uint64_t seed) {
  LoadedModel m;
  m.file.spec = ModelSpec::fromKerasJson(spec);
  m.file.trainingConfig = trainingConfig;
  m.model = std::make_unique<Model>(m.file.spec, seed);
  return m;
}

// Trains `settings` on `data` into run `runId` (continuing from `resumeFrom` when given).
int trainRecorded(Project& project, std::int64_t runId, const ModelSpec& spec,
                  const RunSettings& settings, const CliData& data, int verbose,
                  const Checkpoint* resumeFrom) {
  TrainingRun run(spec, settings);
  if (resumeFrom) run.restore(*resumeFrom);
  run.setValidationData(data.valid);
  run.fitOptions().verbose = verbose;
  run.fitOptions().out = &std::cout;
  run.record(project, runId);
  auto owned = makeCallbacks(settings.callbacksJson());
  std::vector<Callback*> callbacks;
  for (auto& c : owned) callbacks.push_back(c.get());
  History h = run.fit(data.train, callbacks);
  std::cout.flush();
  auto record = project.run(runId);
  std::cout << "run " << runId << ": " << runStatusName(record->status) << " after "
            << record->epochsDone << " epoch(s)\n";
  if (record->status == RunStatus::Failed)
    throw Error("training stopped: " + h.stopReason + " (the best checkpoint is kept)");
  if (data.test && record->status == RunStatus::Finished)
    std::cout << "Test: " << formatLogs(run.evaluateTest(*data.test)) << std::endl;
  return 0;
}

// A run recorded with its `train` command line: settings and data rebuilt from it.
int resumeFromArgv(Project& project, const RunRecord& record, const Checkpoint& checkpoint) {
  const Args args(*findCommand("train"), recordedArgv(record));
  applyThreads(args);
  FitOptions fit = fitOptions(args);
  LoadedModel m = modelFromRecord(record.spec, runTrainingConfig(record), fit.seed);
  DataSettings source = dataSettings(args);
  CliData data = loadData(source, *m.model, /*needY=*/true, /*needTrain=*/true, "resume");
  RunSettings settings = trainSettings(m, args, data.settings, data.valid.has_value());
  if (checkpoint.epoch + 1 >= settings.fit.epochs) {
    project.setRunStatus(record.id, RunStatus::Finished);
    std::cout << "run " << record.id << " had already finished all " << settings.fit.epochs
              << " epochs\n";
    return 0;
  }
  return trainRecorded(project, record.id, m.file.spec, settings, data, fit.verbose, &checkpoint);
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
  if (isKerasFile(args.positional()[1])) return cmdImportKeras(args);
  Project project = Project::open(args.positional()[0]);
  if (isOnnxPath(args.positional()[1])) {  // graph and weights: a model and an imported run
    ModelFile file = readOnnxModel(args.positional()[1]);
    const std::string name = args.value("--name", file.spec.name);
    ImportedModel m = importModelFile(project, name, file, args.positional()[1]);
    std::cout << "imported " << args.positional()[1] << " as model '" << name << "' ("
              << file.spec.nodes.size() << " layers) with its weights as run " << m.runId << "\n";
    return 0;
  }
  ModelFile file = readModelFile(args.positional()[1]);
  std::string name = args.value("--name", file.spec.name);
  ModelRecord rec;
  rec.id = project.addModel(name, file.spec.toKerasJson());
  rec = *project.model(rec.id);
  if (!file.trainingConfig.is_null()) rec.compileSettings = {{"compile", file.trainingConfig}};
  project.updateModel(rec);
  std::cout << "imported " << args.positional()[1] << " as model '" << name << "'\n";
  return 0;
}

int trainProject(const Args& args, const std::vector<std::string>& /*argv*/) {
  Project project = Project::open(args.positional()[0]);
  ModelRecord model = projectModel(project, args);
  applyThreads(args);
  FitOptions fit = fitOptions(args);
  const json trainingConfig = model.compileSettings.is_object()
                                  ? RunSettings::trainingConfigOf(model.compileSettings)
                                  : json();
  LoadedModel m = modelFromRecord(model.spec, trainingConfig, fit.seed);
  DataSettings source = dataSettings(args);
  CliData data = loadData(source, *m.model, /*needY=*/true, /*needTrain=*/true, "train");
  if (data.valid && args.has("--validation-split"))
    throw UsageError("train: --data " + args.value("--data") +
                     " has its own validation set; --validation-split is not used with it");
  RunSettings settings = trainSettings(m, args, data.settings, data.valid.has_value());
  auto runId = createRun(project, model.id, m.file.spec, settings, args.value("--run-name"));
  std::cout << "run " << runId << " of model '" << model.name << "'\n";
  return trainRecorded(project, runId, m.file.spec, settings, data, fit.verbose, nullptr);
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
  auto record = project.run(runId);
  if (!record) throw Error("project has no run " + args.positional()[1]);
  if (record->status == RunStatus::Finished)
    throw Error("run " + args.positional()[1] + " has finished; nothing to resume");
  ResumePoint p = resumePoint(project, runId);
  std::cout << "resuming run " << runId << " after epoch " << p.initialEpoch << "\n";
  if (!recordedArgv(p.run).empty()) return resumeFromArgv(project, p.run, p.checkpoint);
  applyThreads(args);
  if (p.allEpochsDone) {
    project.setRunStatus(runId, RunStatus::Finished);
    std::cout << "run " << runId << " had already finished all " << p.settings.fit.epochs
              << " epochs\n";
    return 0;
  }
  if (!p.settings.data)
    throw Error("run " + args.positional()[1] +
                " does not record its data settings; resume it in the studio");
  Model shapes(p.spec, 0);
  CliData data = loadData(*p.settings.data, shapes, /*needY=*/true, /*needTrain=*/true, "resume");
  return trainRecorded(project, runId, p.spec, p.settings, data, 1, &p.checkpoint);
}

int cmdExport(const Args& args) {
  Project project = Project::open(args.positional()[0], /*readOnly=*/true);
  std::int64_t runId = args.intValue("--run", 0, 1, 1LL << 62);
  auto run = project.run(runId);
  if (!run) throw Error("project has no run " + std::to_string(runId));
  auto checkpoint = pickCheckpoint(project, runId, args.value("--checkpoint", "best"));
  if (!checkpoint) throw Error("run " + std::to_string(runId) + " has no checkpoint");
  ModelFile file = runModelFile(*run, *checkpoint);
  std::string out = args.value("--out");
  std::filesystem::path p(out);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  writeModelFile(out, file.spec, file.weights, file.trainingConfig);
  std::cout << "exported " << checkpointDescription(*run, *checkpoint) << " to " << out << "\n";
  return 0;
}

}  // namespace tessel::app
