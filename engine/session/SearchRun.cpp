#include "engine/session/SearchRun.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <thread>

#include <omp.h>
#include <Eigen/Core>

#include "engine/core/Error.h"
#include "engine/core/KerasFormat.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/search/ApplyHyperparameters.h"
#include "engine/search/KFold.h"
#include "engine/session/CreateRun.h"
#include "engine/session/RunCallbacks.h"
#include "engine/session/TrainingRun.h"
#include "engine/store/RunRecorder.h"

namespace tessel {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- settings ------------------------------------------------------------------------------

bool SearchSettings::maximize() const {
  if (!direction.empty()) return direction == "max";
  auto ends = [&](const std::string& s) {
    return objective.size() >= s.size() &&
           objective.compare(objective.size() - s.size(), s.size(), s) == 0;
  };
  return ends("acc") || ends("accuracy") || ends("auc");
}

json SearchSettings::toJson() const {
  return {{"tuner", tuner.kind},
          {"max_trials", tuner.maxTrials},
          {"seed", tuner.seed},
          {"max_epochs", tuner.maxEpochs},
          {"factor", tuner.factor},
          {"hyperband_iterations", tuner.hyperbandIterations},
          {"num_initial_points", tuner.numInitialPoints},
          {"alpha", tuner.alpha},
          {"beta", tuner.beta},
          {"folds", folds},
          {"objective", objective},
          {"direction", maximize() ? "max" : "min"},
          {"epochs", epochs},
          {"patience", patience},
          {"max_seconds", maxSeconds},
          {"baseline", baseline},
          {"parallel", parallel}};
}

SearchSettings SearchSettings::fromJson(const json& j) {
  if (!j.is_object()) throw Error("search settings: expected a JSON object");
  SearchSettings s;
  try {
    s.tuner.kind = j.value("tuner", s.tuner.kind);
    s.tuner.maxTrials = j.value("max_trials", s.tuner.maxTrials);
    s.tuner.seed = j.value("seed", s.tuner.seed);
    s.tuner.maxEpochs = j.value("max_epochs", s.tuner.maxEpochs);
    s.tuner.factor = j.value("factor", s.tuner.factor);
    s.tuner.hyperbandIterations = j.value("hyperband_iterations", s.tuner.hyperbandIterations);
    s.tuner.numInitialPoints = j.value("num_initial_points", s.tuner.numInitialPoints);
    s.tuner.alpha = j.value("alpha", s.tuner.alpha);
    s.tuner.beta = j.value("beta", s.tuner.beta);
    s.folds = j.value("folds", s.folds);
    s.objective = j.value("objective", s.objective);
    s.direction = j.value("direction", s.direction);
    s.epochs = j.value("epochs", s.epochs);
    s.patience = j.value("patience", s.patience);
    s.maxSeconds = j.value("max_seconds", s.maxSeconds);
    s.baseline = j.value("baseline", s.baseline);
    s.parallel = j.value("parallel", s.parallel);
  } catch (const json::exception& e) {
    throw Error(std::string("search settings: ") + e.what());
  }
  if (s.folds < 1) throw Error("search settings: folds (cv) must be >= 1");
  if (s.epochs < 1) throw Error("search settings: epochs must be >= 1");
  if (s.direction != "" && s.direction != "min" && s.direction != "max")
    throw Error("search settings: direction must be min or max, got '" + s.direction + "'");
  if (s.objective.empty()) throw Error("search settings: the objective is empty");
  if (s.parallel < 1) throw Error("search settings: parallel (trials at a time) must be >= 1");
  return s;
}

// ---- trials in the project ------------------------------------------------------------------

namespace {

SearchTrial trialFrom(const TrialRecord& r) {
  SearchTrial t;
  const json& p = r.params;
  t.id = r.id;
  t.runId = r.runId;
  t.index = p.value("index", 0);
  t.values = p.value("values", json::object());
  t.baseline = p.value("baseline", false);
  t.status = p.value("status", "running");
  t.score = r.score;
  t.foldScores = p.value("fold_scores", std::vector<double>());
  t.spread = p.value("spread", 0.0);
  t.epochs = p.value("epochs", 0);
  t.bracket = p.value("bracket", -1);
  t.round = p.value("round", -1);
  t.epochsTrained = p.value("epochs_trained", std::vector<int>());
  t.parent = p.value("parent", -1);
  t.initialEpoch = p.value("initial_epoch", 0);
  return t;
}

TrialRecord recordFrom(const SearchTrial& t, std::int64_t searchId) {
  TrialRecord r;
  r.id = t.id;
  r.searchId = searchId;
  r.runId = t.runId;
  r.score = t.score;
  r.params = {{"index", t.index},   {"values", t.values},
              {"epochs", t.epochs}, {"bracket", t.bracket},
              {"round", t.round},   {"baseline", t.baseline},
              {"status", t.status}, {"fold_scores", t.foldScores},
              {"spread", t.spread}, {"epochs_trained", t.epochsTrained},
              {"parent", t.parent}, {"initial_epoch", t.initialEpoch}};
  return r;
}

Dataset subset(const Dataset& d, const std::vector<Index>& rows) {
  Dataset out;
  for (const auto& a : d.x) out.x.push_back(a.takeRows(rows));
  for (const auto& a : d.y) out.y.push_back(a.takeRows(rows));
  if (!d.sampleWeight.empty())
    for (Index i : rows) out.sampleWeight.push_back(d.sampleWeight[i]);
  out.augment = d.augment;
  out.augmentBoxOutput = d.augmentBoxOutput;
  return out;
}

std::string hms(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ldh %02ldm %02lds", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::string valueText(const json& v) {
  if (v.is_number_float()) return kerasNumber(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// Forwards epoch ends to the search observer and stops with the search.
class TrialCallback : public Callback {
 public:
  TrialCallback(SearchObserver* o, const SearchTrial& t, int fold)
      : observer(o), trial(t), fold(fold) {}
  void onEpochEnd(int epoch, const Logs& logs) override {
    if (observer) observer->onEpochEnd(trial, fold, epoch, logs);
  }
  SearchObserver* observer;
  const SearchTrial& trial;
  int fold;
};

}  // namespace

struct SearchRun::Data {
  Dataset train;
  std::optional<Dataset> validation;
};

std::int64_t SearchRun::create(Project& project, std::int64_t modelId, const SearchSpace& space,
                               const SearchSettings& settings, const ModelSpec& spec,
                               const RunSettings& base) {
  checkTargets(space, spec.toKerasJson(), base.toJson());
  makeTuner(space, settings.tuner);  // bad tuner settings fail here
  json config = {{"space", space.toJson()},
                 {"settings", settings.toJson()},
                 {"spec", spec.toKerasJson()},
                 {"run_settings", base.toJson()}};
  return project.createSearch(modelId, config);
}

SearchRun::SearchRun(Project& project, std::int64_t searchId)
    : project_(project), searchId_(searchId) {
  auto record = project.search(searchId);
  if (!record) throw Error("project has no search " + std::to_string(searchId));
  modelId_ = record->modelId;
  const json& c = record->config;
  if (!c.is_object() || !c.contains("space") || !c.contains("settings") || !c.contains("spec") ||
      !c.contains("run_settings"))
    throw Error("search " + std::to_string(searchId) + " has a malformed configuration");
  space_ = SearchSpace::fromJson(c["space"]);
  settings_ = SearchSettings::fromJson(c["settings"]);
  spec_ = ModelSpec::fromKerasJson(c["spec"]);
  base_ = RunSettings::fromJson(c["run_settings"], spec_.outputs);
}

SearchRun::~SearchRun() = default;

void SearchRun::setData(Dataset train, std::optional<Dataset> validation) {
  data_ = std::make_unique<Data>();
  data_->train = std::move(train);
  data_->validation = std::move(validation);
}

void SearchRun::loadData() {
  if (data_) return;
  if (!base_.data) throw Error("search: the model has no data set settings");
  BuiltData built = buildDataset(*base_.data);
  fitDatasetToModel(built.train, spec_);
  if (built.validation) fitDatasetToModel(*built.validation, spec_);
  setData(std::move(built.train), std::move(built.validation));
}

void SearchRun::validate() {
  makeTuner(space_, settings_.tuner);
  checkTargets(space_, spec_.toKerasJson(), base_.toJson());
  if (base_.compile.losses.empty())
    throw Error("search: the model has no loss (set its compile settings first)");
  loadData();
  const Index n = data_->train.size();
  if (settings_.folds > n)
    throw Error("search: cv=" + std::to_string(settings_.folds) + " folds is more than the " +
                std::to_string(n) + " training samples");
  const bool validation =
      settings_.folds >= 2 || data_->validation.has_value() || base_.fit.validationSplit > 0;
  Model model(spec_, 0);
  Trainer trainer(model, base_.compile);
  std::vector<std::string> logged;
  for (const auto& name : trainer.logNames()) logged.push_back(name);
  if (validation)
    for (const auto& name : trainer.logNames()) logged.push_back("val_" + name);
  if (std::find(logged.begin(), logged.end(), settings_.objective) == logged.end()) {
    std::string list;
    for (const auto& name : logged) list += (list.empty() ? "" : ", ") + name;
    throw Error("search: the objective '" + settings_.objective +
                "' is never logged by this model (logged: " + list + ")");
  }
}

void SearchRun::requestStop() {
  stop_ = true;
  std::lock_guard<std::mutex> lock(trainerMutex_);
  for (Trainer* t : trainers_) t->requestStop();
}

std::vector<SearchTrial> SearchRun::trialsOf(const Project& project, std::int64_t searchId) {
  std::vector<SearchTrial> out;
  for (const auto& r : project.trials(searchId)) out.push_back(trialFrom(r));
  std::stable_sort(out.begin(), out.end(),
                   [](const SearchTrial& a, const SearchTrial& b) { return a.index < b.index; });
  return out;
}

std::vector<SearchTrial> SearchRun::trials() const {
  return trialsOf(project_, searchId_);
}

std::optional<SearchTrial> SearchRun::best() const {
  std::optional<SearchTrial> best;
  for (const auto& t : trials()) {
    if (t.status != "finished" || !t.score) continue;
    if (!best || (settings_.maximize() ? *t.score > *best->score : *t.score < *best->score))
      best = t;
  }
  return best;
}

double SearchRun::foldScore(const std::vector<double>& values) const {
  double best = settings_.maximize() ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity();
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    best = settings_.maximize() ? std::max(best, v) : std::min(best, v);
  }
  return best;
}

namespace {

// Observer calls from several trial threads, one at a time.
class SerialObserver : public SearchObserver {
 public:
  explicit SerialObserver(SearchObserver* inner) : inner_(inner) {}
  void onTrialBegin(const SearchTrial& t) override {
    std::lock_guard<std::mutex> lock(m_);
    inner_->onTrialBegin(t);
  }
  void onEpochEnd(const SearchTrial& t, int fold, int epoch, const Logs& logs) override {
    std::lock_guard<std::mutex> lock(m_);
    inner_->onEpochEnd(t, fold, epoch, logs);
  }
  void onTrialEnd(const SearchTrial& t) override {
    std::lock_guard<std::mutex> lock(m_);
    inner_->onTrialEnd(t);
  }
  void onFoldBegin(const SearchTrial& t, int fold, Model& model) override {
    std::lock_guard<std::mutex> lock(m_);
    inner_->onFoldBegin(t, fold, model);
  }
  void onFoldEnd(const SearchTrial& t, int fold, Model& model) override {
    std::lock_guard<std::mutex> lock(m_);
    inner_->onFoldEnd(t, fold, model);
  }

 private:
  SearchObserver* inner_;
  std::mutex m_;
};

// Eigen's thread count follows each thread's OpenMP setting while the search runs N trials at a
// time (Eigen::setNbThreads would fix one count for every thread); restored after.
class ThreadShare {
 public:
  explicit ThreadShare(int parallel) : total_(Eigen::nbThreads()) {
    if (parallel <= 1) return;
    active_ = true;
    ompBefore_ = omp_get_max_threads();
    perTrial_ = std::max(1, total_ / parallel);
    Eigen::setNbThreads(0);  // <= 0: omp_get_max_threads() of the calling thread
  }
  ~ThreadShare() {
    if (active_) Eigen::setNbThreads(total_ == ompBefore_ ? 0 : total_);
  }
  int perTrial() const { return perTrial_; }

 private:
  int total_;
  int ompBefore_ = 0, perTrial_ = 0;
  bool active_ = false;
};

}  // namespace

int SearchRun::run(std::ostream* out, int verbose, SearchObserver* observer) {
  validate();
  stop_ = false;
  const auto started = Clock::now();
  auto tuner = makeTuner(space_, settings_.tuner);
  const int parallel = std::max(1, settings_.parallel);
  std::map<int, SearchTrial> done;        // finished or failed, by index
  std::map<int, SearchTrial> unfinished;  // interrupted: restarted with the same values
  std::map<int, SearchTrial> running;     // started by this call
  for (const auto& t : trials())
    (t.status == "finished" || t.status == "failed" ? done : unfinished)[t.index] = t;

  std::optional<SerialObserver> serial;
  if (observer && parallel > 1) observer = &serial.emplace(observer);
  ThreadShare threads(parallel);

  std::mutex m;  // done, running, completed, error
  std::condition_variable cv;
  std::vector<SearchTrial> completed;  // by the trial threads, not yet recorded here
  std::exception_ptr error;
  std::map<int, std::thread> workers;  // by trial index, joined when the trial is collected
  bool tunerDone = false, budgetSpent = false;
  int ran = 0;

  auto report = [&](const SearchTrial& trial) {
    if (!out) return;
    std::optional<SearchTrial> b;
    {
      std::lock_guard<std::mutex> lock(projectMutex_);
      b = best();
    }
    std::lock_guard<std::mutex> lock(outMutex_);
    *out << "\nTrial " << trial.index + 1 << " Complete ["
         << hms(std::chrono::duration<double>(Clock::now() - started).count()) << "]\n";
    if (trial.score)
      *out << settings_.objective << ": " << kerasNumber(*trial.score) << " ± "
           << kerasNumber(trial.spread) << " (" << trial.foldScores.size() << " fold"
           << (trial.foldScores.size() == 1 ? "" : "s") << ")\n";
    else
      *out << settings_.objective << ": failed\n";
    if (b) *out << "\nBest " << settings_.objective << " So Far: " << kerasNumber(*b->score);
    *out << "\nTotal elapsed time: "
         << hms(std::chrono::duration<double>(Clock::now() - started).count()) << "\n\n";
    out->flush();
  };
  // Under m: trials the threads finished.
  auto collect = [&]() {
    std::vector<SearchTrial> list;
    list.swap(completed);
    for (auto& t : list) {
      running.erase(t.index);
      if (auto w = workers.find(t.index); w != workers.end()) {
        w->second.join();  // it has handed its trial over: only its return is left
        workers.erase(w);
      }
      if (t.status == "running") continue;  // stopped by requestStop: stays unfinished
      done[t.index] = t;
      ++ran;
      report(t);
    }
  };
  auto known = [&](int i) -> const SearchTrial* {
    if (auto it = done.find(i); it != done.end()) return &it->second;
    if (auto it = running.find(i); it != running.end()) return &it->second;
    return nullptr;
  };

  if (out && settings_.tuner.kind == "hyperband" && settings_.folds >= 2) {
    std::lock_guard<std::mutex> o(outMutex_);
    *out << "Hyperband with cv=" << settings_.folds
         << ": promoted trials retrain from scratch (k folds have no single checkpoint to "
            "continue)\n";
  }
  std::unique_lock<std::mutex> lock(m);
  for (;;) {
    collect();
    if (error && !stop_) requestStop();
    bool canStart = !stop_ && !tunerDone && !budgetSpent && !error &&
                    static_cast<int>(running.size()) < parallel;
    if (canStart && settings_.maxSeconds > 0 &&
        std::chrono::duration<double>(Clock::now() - started).count() >= settings_.maxSeconds) {
      budgetSpent = true;
      canStart = false;
      if (out) {
        std::lock_guard<std::mutex> o(outMutex_);
        *out << "Search: the time budget of " << settings_.maxSeconds << " s is spent\n";
      }
    }
    if (!canStart) {
      if (running.empty()) break;
      cv.wait(lock);
      continue;
    }
    // The next trial: the first index neither done nor running.
    int k = 0;
    while (known(k)) ++k;
    SearchTrial trial;
    trial.index = k;
    bool hasBaseline = false;
    for (const auto& [i, t] : done) hasBaseline |= t.baseline;
    for (const auto& [i, t] : running) hasBaseline |= t.baseline;
    if (settings_.baseline && !hasBaseline) {
      trial.baseline = true;
      trial.epochs = settings_.epochs;
      json spec = spec_.toKerasJson(), settings = base_.toJson();
      trial.values = json::object();
      for (const auto& p : space_.parameters()) {
        json v = currentValue(p.target, spec, settings);
        if (!v.is_null() && space_.isActive(p, trial.values)) trial.values[p.name] = v;
      }
    } else {
      std::vector<TrialOutcome> previous;
      std::vector<int> previousIndex;  // previous[j] is trial previousIndex[j]
      bool pending = false;
      for (int i = 0; i < k; ++i) {
        const SearchTrial* t = known(i);
        pending |= running.count(i) > 0;
        if (t->baseline) continue;
        previousIndex.push_back(i);
        TrialOutcome o;
        o.values = t->values;
        if (t->score) o.loss = settings_.maximize() ? -*t->score : *t->score;
        o.bracket = t->bracket;
        o.round = t->round;
        previous.push_back(o);
      }
      if (pending && tuner->readsScores(previous.size())) {  // after the running trials
        cv.wait(lock);
        continue;
      }
      auto plan = tuner->plan(previous);
      if (!plan) {
        tunerDone = true;
        continue;
      }
      trial.values = plan->values;
      trial.epochs = plan->epochs > 0 ? plan->epochs : settings_.epochs;
      trial.bracket = plan->bracket;
      trial.round = plan->round;
      if (plan->parent >= 0 && plan->parent < static_cast<int>(previousIndex.size()))
        trial.parent = previousIndex[plan->parent];
    }
    // An interrupted trial at this index is restarted: its row is reused, its old run deleted.
    if (auto it = unfinished.find(k); it != unfinished.end()) {
      trial.id = it->second.id;
      if (it->second.runId) {
        std::lock_guard<std::mutex> p(projectMutex_);
        project_.deleteRun(it->second.runId);
      }
      if (!trial.baseline) trial.values = it->second.values;
      unfinished.erase(it);
    }
    running[k] = trial;
    if (parallel == 1) {  // on this thread, with all its threads
      lock.unlock();
      runTrial(trial, out, verbose, observer);
      lock.lock();
      completed.push_back(trial);
      continue;
    }
    workers[k] = std::thread([this, trial, out, verbose, observer, &m, &cv, &completed, &error,
                              perTrial = threads.perTrial()]() mutable {
      omp_set_num_threads(perTrial);
      try {
        runTrial(trial, out, verbose, observer);
      } catch (...) {
        std::lock_guard<std::mutex> l(m);
        if (!error) error = std::current_exception();
        trial.status = "running";  // not recorded as done
      }
      std::lock_guard<std::mutex> l(m);
      completed.push_back(trial);
      cv.notify_all();
    });
  }
  lock.unlock();
  for (auto& [i, w] : workers) w.join();
  if (error) std::rethrow_exception(error);
  return ran;
}

void SearchRun::runTrial(SearchTrial& trial, std::ostream* out, int verbose,
                         SearchObserver* observer) {
  // The trial's model and settings.
  json specJson = spec_.toKerasJson(), settingsJson = base_.toJson();
  applyHyperparameters(space_, trial.values, specJson, settingsJson);
  settingsJson["fit"]["epochs"] = trial.epochs;
  settingsJson["fit"]["seed"] = settings_.tuner.seed;
  json callbacks = json::array();
  if (settings_.patience >= 0)
    callbacks.push_back({{"class_name", "EarlyStopping"},
                         {"config",
                          {{"monitor", settings_.objective},
                           {"patience", settings_.patience},
                           {"mode", settings_.maximize() ? "max" : "min"}}}});
  settingsJson["callbacks"] = callbacks;
  const ModelSpec spec = ModelSpec::fromKerasJson(specJson);
  const RunSettings settings = RunSettings::fromJson(settingsJson, spec.outputs);

  const bool parallel = settings_.parallel > 1;
  // A Hyperband promotion without folds continues its parent's final checkpoint; a trial that
  // may be promoted (not its bracket's last round) saves one.
  const bool singleFit = settings_.folds < 2;
  const bool savesCheckpoint = singleFit && trial.bracket >= 0 && trial.round >= 0 &&
                               trial.round < trial.bracket && settings_.tuner.kind == "hyperband";
  std::optional<Checkpoint> start;
  std::string scratchReason;
  std::int64_t parentRun = 0;
  trial.initialEpoch = 0;
  // Row and run, in one transaction.
  std::unique_lock<std::mutex> projectLock(projectMutex_);
  if (trial.parent >= 0 && singleFit) {
    for (const auto& t : trials())
      if (t.index == trial.parent && t.status == "finished" && t.runId) {
        parentRun = t.runId;
        start = project_.checkpoint(t.runId, "last");
      }
    if (start && start->epoch + 1 < trial.epochs) {
      trial.initialEpoch = start->epoch + 1;
    } else {
      scratchReason = start ? "trial " + std::to_string(trial.parent + 1) + " trained " +
                                  std::to_string(start->epoch + 1) + " epochs already"
                            : "trial " + std::to_string(trial.parent + 1) + " left no checkpoint";
      start.reset();
    }
  }
  project_.begin();
  try {
    RunRecord record = newRunRecord(modelId_, spec, settings);
    record.name = "search " + std::to_string(searchId_) + " trial " +
                  std::to_string(trial.index + 1) + (trial.baseline ? " (baseline)" : "");
    record.status = RunStatus::Running;
    trial.runId = project_.createRun(record);
    trial.status = "running";
    trial.score.reset();
    trial.foldScores.clear();
    trial.epochsTrained.clear();
    if (trial.id)
      project_.updateTrial(recordFrom(trial, searchId_));
    else
      trial.id = project_.addTrial(recordFrom(trial, searchId_));
    project_.commit();
  } catch (...) {
    project_.rollback();
    throw;
  }
  std::optional<SearchTrial> bestSoFar;
  if (out) bestSoFar = best();
  projectLock.unlock();
  if (out) {
    std::lock_guard<std::mutex> outLock(outMutex_);
    *out << "Search: Running Trial #" << trial.index + 1
         << (trial.baseline ? " (the model's own settings)" : "") << "\n\n";
    char line[160];
    std::snprintf(line, sizeof line, "%-18s|%-18s|%s\n", "Value", "Best Value So Far",
                  "Hyperparameter");
    *out << line;
    const auto& b = bestSoFar;
    for (const auto& p : space_.parameters()) {
      if (!trial.values.contains(p.name)) continue;
      std::string bestText = b && b->values.contains(p.name) ? valueText(b->values[p.name]) : "?";
      std::snprintf(line, sizeof line, "%-18s|%-18s|%s\n", valueText(trial.values[p.name]).c_str(),
                    bestText.c_str(), p.name.c_str());
      *out << line;
    }
    if (trial.initialEpoch > 0)
      *out << "(continues trial " << trial.parent + 1 << " from its epoch " << trial.initialEpoch
           << ": epochs " << trial.initialEpoch + 1 << ".." << trial.epochs << ")\n";
    else if (trial.epochs != settings_.epochs)
      *out << "(" << trial.epochs << " epochs"
           << (scratchReason.empty() ? "" : ", from scratch: " + scratchReason) << ")\n";
    *out << "\n";
    out->flush();
  }
  if (observer) observer->onTrialBegin(trial);

  // The folds.
  std::vector<FoldSplit> folds;
  if (settings_.folds >= 2)
    folds = kFold(data_->train.size(), settings_.folds, true, settings_.tuner.seed);
  const int foldCount = std::max(1, settings_.folds);
  std::vector<History> histories;
  std::string failure;
  std::optional<Checkpoint> finalCheckpoint;
  for (int f = 0; f < foldCount && failure.empty(); ++f) {
    TrainingRun run(spec, settings);
    if (start) {
      try {
        run.restore(*start);  // weights, optimizer state, fit from initialEpoch
      } catch (const Error& e) {
        failure = std::string("cannot continue trial ") + std::to_string(trial.parent + 1) + ": " +
                  e.what();
        break;
      }
    }
    Dataset train;
    if (settings_.folds >= 2) {
      train = subset(data_->train, folds[f].train);
      run.setValidationData(subset(data_->train, folds[f].test));
    } else {
      train = data_->train;
      run.setValidationData(data_->validation);
    }
    run.fitOptions().verbose = verbose >= 2 && !parallel ? 2 : 0;  // whole lines only
    if (out) run.fitOptions().out = out;
    auto owned = makeCallbacks(settings.callbacksJson());
    TrialCallback forward(observer, trial, f);
    std::vector<Callback*> list;
    for (auto& c : owned) list.push_back(c.get());
    list.push_back(&forward);
    {
      std::lock_guard<std::mutex> lock(trainerMutex_);
      trainers_.insert(&run.trainer());
      if (stop_) run.trainer().requestStop();
    }
    if (observer) observer->onFoldBegin(trial, f, run.model());
    History h;
    try {
      h = run.fit(train, list);
    } catch (const Error& e) {
      failure = e.what();
    }
    if (observer && !stop_) observer->onFoldEnd(trial, f, run.model());
    {
      std::lock_guard<std::mutex> lock(trainerMutex_);
      trainers_.erase(&run.trainer());
    }
    if (stop_) {  // the row stays "running": a resume restarts this trial
      std::lock_guard<std::mutex> lock(projectMutex_);
      project_.setRunStatus(trial.runId, RunStatus::Stopped);
      return;
    }
    if (!failure.empty()) break;
    if (!h.stopReason.empty() && !h.values.count(settings_.objective)) failure = h.stopReason;
    auto it = h.values.find(settings_.objective);
    if (failure.empty() && it == h.values.end())
      failure = "the objective '" + settings_.objective + "' was not logged";
    if (!failure.empty()) break;
    double score = foldScore(it->second);
    if (!std::isfinite(score)) {
      failure = h.stopReason.empty() ? "no finite " + settings_.objective : h.stopReason;
      break;
    }
    trial.foldScores.push_back(score);
    trial.epochsTrained.push_back(static_cast<int>(h.epochs.size()));
    if (savesCheckpoint && !h.epochs.empty())
      finalCheckpoint = makeCheckpoint(run.trainer(), "last", h.epochs.back(),
                                       run.trainer().optimizer().iterations());
    histories.push_back(std::move(h));
    if (out && foldCount > 1) {
      std::lock_guard<std::mutex> outLock(outMutex_);
      *out << (parallel ? "trial " + std::to_string(trial.index + 1) + " " : std::string())
           << "fold " << f + 1 << "/" << foldCount << ": " << settings_.objective << ": "
           << kerasNumber(score) << " (" << trial.epochsTrained.back() << " epochs)\n";
      out->flush();
    }
  }

  // Scores, curves and status, in one transaction.
  if (failure.empty()) {
    double mean = 0;
    for (double s : trial.foldScores) mean += s;
    mean /= trial.foldScores.size();
    double var = 0;
    for (double s : trial.foldScores) var += (s - mean) * (s - mean);
    trial.spread = std::sqrt(var / trial.foldScores.size());
    trial.score = mean;
    trial.status = "finished";
  } else {
    trial.status = "failed";
    trial.score.reset();
    if (out) {
      std::lock_guard<std::mutex> outLock(outMutex_);
      *out << "trial " << trial.index + 1 << " failed: " << failure << "\n";
    }
  }
  projectLock.lock();
  project_.begin();
  try {
    int maxEpochs = 0;
    for (const auto& h : histories) maxEpochs = std::max<int>(maxEpochs, h.epochs.size());
    for (int e = 0; e < maxEpochs; ++e) {
      std::vector<std::pair<std::string, double>> logs;
      for (const auto& key : histories.front().keys) {
        double sum = 0;
        int n = 0;
        for (const auto& h : histories) {
          auto it = h.values.find(key);
          if (it != h.values.end() && e < static_cast<int>(it->second.size())) {
            sum += it->second[e];
            ++n;
          }
        }
        if (n) logs.emplace_back(key, sum / n);
      }
      project_.addEpochMetrics(trial.runId, trial.initialEpoch + e, logs);
    }
    if (trial.initialEpoch > 0)
      project_.addEvent(trial.runId, {0,
                                      trial.initialEpoch,
                                      0,
                                      "resume",
                                      {{"from_checkpoint_epoch", trial.initialEpoch - 1},
                                       {"from_run", parentRun},
                                       {"from_trial", trial.parent + 1}},
                                      ""});
    if (finalCheckpoint && failure.empty()) project_.saveCheckpoint(trial.runId, *finalCheckpoint);
    for (size_t f = 0; f < trial.foldScores.size(); ++f)
      project_.addEvent(
          trial.runId,
          {0,
           trial.epochsTrained[f],
           0,
           "fold_end",
           {{"fold", f}, {"score", trial.foldScores[f]}, {"epochs", trial.epochsTrained[f]}},
           ""});
    json params = recordFrom(trial, searchId_).params;
    if (!failure.empty()) params["message"] = failure;
    TrialRecord record = recordFrom(trial, searchId_);
    record.params = params;
    project_.updateTrial(record);
    project_.setRunEpochsDone(trial.runId, trial.initialEpoch + maxEpochs);
    project_.setRunStatus(trial.runId, failure.empty() ? RunStatus::Finished : RunStatus::Failed);
    project_.commit();
  } catch (...) {
    project_.rollback();
    throw;
  }
  projectLock.unlock();
  if (observer) observer->onTrialEnd(trial);
}

}  // namespace tessel
