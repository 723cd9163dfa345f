// Hyperparameter search sub-commands: `tessel search PROJECT` runs (or resumes) a search whose
// trials are runs of the project (engine/session/SearchRun.h); `tessel trials PROJECT` prints or
// exports every trial's hyperparameters, scores and final metrics.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/core/KerasFormat.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"

namespace tessel::app {

namespace {

namespace fs = std::filesystem;

// --data-settings FILE (a relative source path is relative to FILE's folder), else the model's.
DataSettings searchData(const ModelRecord& model, const Args& args) {
  if (args.has("--data-settings")) {
    const std::string file = args.value("--data-settings");
    DataSettings d = DataSettings::fromJson(readJsonFile(file));
    const fs::path base = fs::absolute(file).parent_path();
    auto resolve = [&](std::string& p) {
      if (!p.empty() && fs::path(p).is_relative()) p = (base / p).lexically_normal().string();
    };
    resolve(d.path);
    resolve(d.trainFile);
    resolve(d.validationFile);
    resolve(d.testFile);
    resolve(d.annotationsPath);
    return d;
  }
  if (model.dataSettings.is_object() && !model.dataSettings.empty())
    return DataSettings::fromJson(model.dataSettings);
  throw UsageError("search: model '" + model.name +
                   "' has no data set settings; give --data-settings FILE.json");
}

SearchSpace searchSpace(const ModelRecord& model, const Args& args) {
  if (args.has("--space")) return SearchSpace::fromJson(readJsonFile(args.value("--space")));
  if (model.compileSettings.is_object() && model.compileSettings.contains("search_space"))
    return SearchSpace::fromJson(model.compileSettings["search_space"]);
  throw UsageError(
      "search: no search space: give --space FILE.json or mark parameters to "
      "search in the studio");
}

SearchSettings searchSettings(const Args& args) {
  SearchSettings s;
  s.tuner.kind = args.value("--tuner", "random");
  s.tuner.maxTrials = static_cast<int>(args.intValue("--trials", 10, 1, 1000000));
  s.tuner.seed = seedOption(args);
  s.folds = static_cast<int>(args.intValue("--cv", 3, 1, 1000000));
  s.objective = args.value("--objective", "val_loss");
  s.direction = args.value("--direction", "");
  if (s.direction != "" && s.direction != "min" && s.direction != "max")
    throw UsageError("search: --direction must be min or max");
  s.epochs = static_cast<int>(args.intValue("--epochs", 10, 1, 1000000));
  s.tuner.maxEpochs = s.epochs;
  s.tuner.factor = static_cast<int>(args.intValue("--factor", 3, 2, 1000));
  s.patience = static_cast<int>(args.intValue("--early-stopping-patience", -1, 0, 1000000));
  s.maxSeconds = args.doubleValue("--max-time", 0, 0, 1e9);
  s.baseline = args.has("--baseline");
  s.parallel = static_cast<int>(args.intValue("--parallel", 1, 1, 1024));
  return s;
}

std::string fullNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string valueText(const json& v) {
  if (v.is_number_float()) return kerasNumber(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

void printSummary(const SearchRun& search) {
  auto best = search.best();
  const auto& s = search.settings();
  if (!best) {
    std::cout << "search " << search.searchId() << ": no finished trial yet\n";
    return;
  }
  std::cout << "Best trial #" << best->index + 1 << " (run " << best->runId << "): " << s.objective
            << " " << kerasNumber(*best->score) << " ± " << kerasNumber(best->spread) << " over "
            << best->foldScores.size() << " fold(s)";
  for (auto it = best->values.begin(); it != best->values.end(); ++it)
    std::cout << " - " << it.key() << ": " << valueText(it.value());
  std::cout << "\n";
  int epochs = 0, continued = 0, trials = 0;
  for (const auto& t : search.trials()) {
    ++trials;
    for (int e : t.epochsTrained) epochs += e;
    continued += t.initialEpoch > 0;
  }
  std::cout << "Epochs trained over " << trials << " trial(s): " << epochs;
  if (continued) std::cout << " (" << continued << " promoted trial(s) continued their parent's)";
  std::cout << "\n";
  for (const auto& t : search.trials())
    if (t.baseline && t.score)
      std::cout << "Model's own settings (trial #" << t.index + 1 << "): " << s.objective << " "
                << kerasNumber(*t.score) << " ± " << kerasNumber(t.spread) << "\n";
}

}  // namespace

int cmdSearch(const Args& args) {
  Project project = Project::open(args.positional()[0]);
  applyThreads(args);
  const int verbose = static_cast<int>(args.intValue("--verbose", 1, 0, 2));
  if (args.has("--resume")) {
    const auto id = args.intValue("--resume", 0, 1, 1LL << 62);
    SearchRun search(project, id);
    if (args.has("--parallel"))
      search.setParallel(static_cast<int>(args.intValue("--parallel", 1, 1, 1024)));
    std::cout << "resuming search " << id << " (" << search.trials().size()
              << " trial(s) recorded)\n";
    search.run(verbose ? &std::cout : nullptr, verbose);
    printSummary(search);
    return 0;
  }
  ModelRecord model = projectModel(project, args);
  SearchSpace space = searchSpace(model, args);
  SearchSettings settings = searchSettings(args);
  ModelSpec spec = ModelSpec::fromKerasJson(model.spec);
  RunSettings base;
  const json trainingConfig = RunSettings::trainingConfigOf(model.compileSettings);
  if (trainingConfig.is_null())
    throw Error("search: model '" + model.name + "' has no compile settings (loss, optimizer)");
  base.compile = CompileOptions::fromTrainingConfig(trainingConfig, spec.outputs);
  base.fit.batchSize = static_cast<int>(args.intValue("--batch-size", 32, 1, 1 << 24));
  base.data = searchData(model, args);

  // Everything is checked before the search is recorded or any trial runs.
  std::int64_t id = 0;
  std::unique_ptr<SearchRun> search;
  project.begin();
  try {
    id = SearchRun::create(project, model.id, space, settings, spec, base);
    search = std::make_unique<SearchRun>(project, id);
    search->validate();
    project.commit();
  } catch (...) {
    project.rollback();
    throw;
  }
  std::cout << "search " << id << " of model '" << model.name << "': " << settings.tuner.kind
            << ", " << settings.tuner.maxTrials << " trial(s), cv=" << settings.folds
            << ", objective " << settings.objective << " (" << (settings.maximize() ? "max" : "min")
            << ")"
            << (settings.parallel > 1 ? ", " + std::to_string(settings.parallel) + " at a time"
                                      : "")
            << "\n";
  std::cout.flush();
  search->run(verbose ? &std::cout : nullptr, verbose);
  printSummary(*search);
  return 0;
}

int cmdTrials(const Args& args) {
  Project project = Project::open(args.positional()[0], /*readOnly=*/true);
  const bool csv = args.has("--csv"), asJson = args.has("--json");
  if (csv && asJson) throw UsageError("trials: give --csv or --json, not both");
  std::vector<SearchRecord> searches;
  if (args.has("--search")) {
    auto s = project.search(args.intValue("--search", 0, 1, 1LL << 62));
    if (!s) throw Error("project has no search " + args.value("--search"));
    searches.push_back(*s);
  } else {
    searches = project.searches();
  }
  // One row per trial: its values and the final (last epoch) value of every metric of its run.
  struct Row {
    std::int64_t search;
    SearchTrial trial;
    std::string objective;
    std::map<std::string, double> final;
  };
  std::vector<Row> rows;
  std::vector<std::string> params, metrics;
  std::set<std::string> seenParams, seenMetrics;
  for (const auto& s : searches) {
    for (const auto& t : SearchRun::trialsOf(project, s.id)) {
      Row r{s.id, t, s.config["settings"].value("objective", ""), {}};
      for (auto it = t.values.begin(); it != t.values.end(); ++it)
        if (seenParams.insert(it.key()).second) params.push_back(it.key());
      if (t.runId)
        for (const auto& m : project.epochMetrics(t.runId)) {
          r.final[m.name] = m.value;  // epochs ascend: the last one stays
          if (seenMetrics.insert(m.name).second) metrics.push_back(m.name);
        }
      rows.push_back(std::move(r));
    }
  }
  if (asJson) {
    json out = json::array();
    for (const auto& r : rows) {
      json o = {{"search", r.search},
                {"trial", r.trial.index + 1},
                {"run", r.trial.runId},
                {"status", r.trial.status},
                {"objective", r.objective},
                {"score", r.trial.score ? json(*r.trial.score) : json()},
                {"spread", r.trial.spread},
                {"fold_scores", r.trial.foldScores},
                {"baseline", r.trial.baseline},
                {"hyperparameters", r.trial.values},
                {"epochs_trained", r.trial.epochsTrained},
                {"continues_trial", r.trial.parent >= 0 ? json(r.trial.parent + 1) : json()},
                {"initial_epoch", r.trial.initialEpoch},
                {"final_metrics", r.final}};
      out.push_back(o);
    }
    std::cout << out.dump(1) << "\n";
    return 0;
  }
  if (csv) {
    auto quote = [](const std::string& s) {
      if (s.find_first_of(",\"\n") == std::string::npos) return s;
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    std::cout << "search,trial,run,status,objective,score,spread,folds";
    for (const auto& p : params) std::cout << "," << quote(p);
    for (const auto& m : metrics) std::cout << "," << quote(m);
    std::cout << "\n";
    for (const auto& r : rows) {
      std::cout << r.search << "," << r.trial.index + 1 << "," << r.trial.runId << ","
                << r.trial.status << "," << quote(r.objective) << ","
                << (r.trial.score ? fullNumber(*r.trial.score) : "") << ","
                << fullNumber(r.trial.spread) << "," << r.trial.foldScores.size();
      for (const auto& p : params)
        std::cout << "," << (r.trial.values.contains(p) ? quote(valueText(r.trial.values[p])) : "");
      for (const auto& m : metrics) {
        auto it = r.final.find(m);
        std::cout << "," << (it == r.final.end() ? "" : fullNumber(it->second));
      }
      std::cout << "\n";
    }
    return 0;
  }
  std::printf("%-7s %-6s %-5s %-9s %-28s %s\n", "search", "trial", "run", "status", "score",
              "hyperparameters");
  for (const auto& r : rows) {
    std::string score = r.trial.score ? r.objective + " " + kerasNumber(*r.trial.score) + " ± " +
                                            kerasNumber(r.trial.spread)
                                      : "-";
    std::string values;
    for (auto it = r.trial.values.begin(); it != r.trial.values.end(); ++it)
      values += (values.empty() ? "" : ", ") + it.key() + "=" + valueText(it.value());
    if (r.trial.baseline) values += " (model's own)";
    std::printf("%-7lld %-6d %-5lld %-9s %-28s %s\n", static_cast<long long>(r.search),
                r.trial.index + 1, static_cast<long long>(r.trial.runId), r.trial.status.c_str(),
                score.c_str(), values.c_str());
  }
  return 0;
}

}  // namespace tessel::app
