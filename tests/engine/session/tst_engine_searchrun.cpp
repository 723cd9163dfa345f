// SearchRun: trials recorded as runs of the project (values, fold scores, curves), the bad
// inputs refused before any trial, stop and resume without losing or repeating a trial.
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <omp.h>
#include <Eigen/Core>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"

using namespace tessel;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The wide & deep regressor (8 features, Dense 30 -> Dense 30, concatenated with the input).
ModelFile wideDeep() {
  return readModelFile(std::string(TESSEL_SOURCE_DIR) + "/resources/examples/wide_deep/model.json");
}

// y = sum of the first three features + 0.1 noise, n samples.
Dataset synthetic(Index n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> x(n * 8), y(n);
  for (Index i = 0; i < n; ++i) {
    for (int j = 0; j < 8; ++j) x[i * 8 + j] = rng.normal();
    y[i] = x[i * 8] + x[i * 8 + 1] - x[i * 8 + 2] + 0.1 * rng.normal();
  }
  Dataset d;
  d.x.push_back(Array::fromValues(DType::Float32, {n, 8}, x));
  d.y.push_back(Array::fromValues(DType::Float32, {n, 1}, y));
  return d;
}

const char* kSpace = R"({"hyperparameters": [
    {"name": "learning_rate", "target": "optimizer.learning_rate", "distribution": "reciprocal",
     "min": 3e-4, "max": 3e-2},
    {"name": "units", "target": "layers.dense.units", "distribution": "int", "min": 4,
     "max": 32, "step": 4}]})";

// Stops the search when trial `at` begins.
struct StopAt : SearchObserver {
  SearchRun* run = nullptr;
  int at = -1;
  int epochs = 0;
  void onTrialBegin(const SearchTrial& t) override {
    if (t.index == at) run->requestStop();
  }
  void onEpochEnd(const SearchTrial&, int, int, const Logs&) override { ++epochs; }
};

// Where the trials ran: the thread of each trial's start and the OpenMP threads its epochs had.
struct Placement : SearchObserver {
  std::set<std::thread::id> threads;
  std::set<int> ompThreads;
  void onTrialBegin(const SearchTrial&) override { threads.insert(std::this_thread::get_id()); }
  void onEpochEnd(const SearchTrial&, int, int, const Logs&) override {
    ompThreads.insert(omp_get_max_threads());
  }
};

// Each trial's first epoch index, its weights before and after training (the last fold's).
struct Continuation : SearchObserver {
  std::map<int, int> firstEpoch;
  std::map<int, NamedWeights> begin, end;
  static NamedWeights copy(Model& m) {
    NamedWeights w;
    for (auto& [name, var] : m.namedWeights()) w.emplace_back(name, var->value);
    return w;
  }
  void onEpochEnd(const SearchTrial& t, int, int epoch, const Logs&) override {
    if (!firstEpoch.count(t.index)) firstEpoch[t.index] = epoch;
  }
  void onFoldBegin(const SearchTrial& t, int, Model& m) override { begin[t.index] = copy(m); }
  void onFoldEnd(const SearchTrial& t, int, Model& m) override { end[t.index] = copy(m); }
};

bool sameWeights(const NamedWeights& a, const NamedWeights& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first || a[i].second.shape() != b[i].second.shape()) return false;
    for (Index k = 0; k < a[i].second.size(); ++k)
      if (a[i].second.data()[k] != b[i].second.data()[k]) return false;
  }
  return true;
}

// Hyperband (9, 3) without folds: 23 trials in KerasTuner's brackets.
SearchSettings hyperbandNoFolds() {
  SearchSettings s;
  s.tuner.kind = "hyperband";
  s.tuner.maxTrials = 100;
  s.tuner.maxEpochs = 9;
  s.tuner.seed = 5;
  s.folds = 1;
  s.epochs = 9;
  return s;
}

}  // namespace

class TestSearchRun : public QObject {
  Q_OBJECT
 private:
  fs::path dir_;
  std::string path(const char* name) { return (dir_ / name).string(); }

  std::int64_t newSearch(Project& p, SearchSettings s, const char* space = kSpace) {
    ModelFile m = wideDeep();
    auto existing = p.model("wide_deep");
    auto modelId = existing ? existing->id : p.addModel("wide_deep", m.spec.toKerasJson());
    RunSettings base;
    base.compile = CompileOptions::fromTrainingConfig(m.trainingConfig);
    base.fit.batchSize = 16;
    return SearchRun::create(p, modelId, SearchSpace::fromJson(json::parse(space)), s, m.spec,
                             base);
  }

 private slots:
  void initTestCase() {
    dir_ = fs::temp_directory_path() / ("tst_searchrun_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void cleanupTestCase() { fs::remove_all(dir_); }

  void trialsAreRunsWithFoldScores() {
    Project p = Project::create(path("a.tessel"));
    SearchSettings s;
    s.tuner.maxTrials = 3;
    s.tuner.seed = 1;
    s.folds = 3;
    s.epochs = 4;
    s.patience = 1;
    SearchRun search(p, newSearch(p, s));
    search.setData(synthetic(90, 0), std::nullopt);
    std::ostringstream out;
    StopAt observer;
    QCOMPARE(search.run(&out, 1, &observer), 3);
    QVERIFY2(out.str().find("Search: Running Trial #3") != std::string::npos, out.str().c_str());
    QVERIFY(out.str().find("Best val_loss So Far: ") != std::string::npos);
    QVERIFY(out.str().find("|learning_rate") != std::string::npos);
    QVERIFY(observer.epochs >= 9);

    auto trials = search.trials();
    QCOMPARE(trials.size(), size_t(3));
    std::set<std::int64_t> runs;
    for (const auto& t : trials) {
      QCOMPARE(t.status, std::string("finished"));
      QCOMPARE(t.foldScores.size(), size_t(3));
      double mean = (t.foldScores[0] + t.foldScores[1] + t.foldScores[2]) / 3;
      QVERIFY(t.score && std::abs(*t.score - mean) < 1e-9);
      QVERIFY(t.spread >= 0);
      for (int e : t.epochsTrained) QVERIFY(e >= 1 && e <= 4);
      auto run = p.run(t.runId);
      QVERIFY(run);
      QCOMPARE(run->status, RunStatus::Finished);
      // The run trained the trial's values.
      QCOMPARE(run->settings["compile"]["optimizer_config"]["config"]["learning_rate"],
               t.values["learning_rate"]);
      bool found = false;
      for (const auto& l : run->spec["config"]["layers"])
        if (l["name"] == "dense") found = l["config"]["units"] == t.values["units"];
      QVERIFY(found);
      // Curves and one fold_end event per fold.
      bool hasVal = false;
      for (const auto& m : p.epochMetrics(t.runId)) hasVal |= m.name == "val_loss";
      QVERIFY(hasVal);
      int foldEvents = 0;
      for (const auto& e : p.events(t.runId)) foldEvents += e.kind == "fold_end";
      QCOMPARE(foldEvents, 3);
      runs.insert(t.runId);
    }
    QCOMPARE(runs.size(), size_t(3));
    auto best = search.best();
    QVERIFY(best);
    for (const auto& t : trials) QVERIFY(*best->score <= *t.score);
    QCOMPARE(p.integrityCheck(), std::string("ok"));
  }

  void badInputIsRefusedBeforeAnyTrial() {
    Project p = Project::create(path("b.tessel"));
    SearchSettings s;
    s.objective = "val_accuracy";
    SearchRun never(p, newSearch(p, s));
    never.setData(synthetic(30, 0), std::nullopt);
    try {
      never.run();
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("'val_accuracy' is never logged"), e.what());
      QVERIFY(QString(e.what()).contains("val_loss"));
    }
    s.objective = "val_loss";
    s.folds = 50;
    SearchRun tooMany(p, newSearch(p, s));
    tooMany.setData(synthetic(30, 0), std::nullopt);
    try {
      tooMany.run();
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("more than the 30 training samples"), e.what());
    }
    // Without validation data and cv=1 only "loss" is logged.
    s.folds = 1;
    SearchRun noValidation(p, newSearch(p, s));
    noValidation.setData(synthetic(30, 0), std::nullopt);
    QVERIFY_THROWS_EXCEPTION(Error, noValidation.run());
    // A target the model lacks.
    QVERIFY_THROWS_EXCEPTION(
        Error, newSearch(p, s, R"([{"target": "layers.nope.units", "distribution": "choice",
                                     "values": [3]}])"));
    QCOMPARE(p.trials(never.searchId()).size(), size_t(0));
    QCOMPARE(p.runs().size(), size_t(0));
  }

  void resumeKeepsFinishedAndRestartsTheInterrupted() {
    SearchSettings s;
    s.tuner.maxTrials = 4;
    s.tuner.seed = 3;
    s.folds = 2;
    s.epochs = 2;
    // Uninterrupted reference.
    Project ref = Project::create(path("ref.tessel"));
    SearchRun whole(ref, newSearch(ref, s));
    whole.setData(synthetic(40, 1), std::nullopt);
    QCOMPARE(whole.run(), 4);

    Project p = Project::create(path("c.tessel"));
    const auto id = newSearch(p, s);
    {
      SearchRun first(p, id);
      first.setData(synthetic(40, 1), std::nullopt);
      StopAt stop;
      stop.run = &first;
      stop.at = 2;
      QCOMPARE(first.run(nullptr, 1, &stop), 2);
      auto t = first.trials();
      QCOMPARE(t.size(), size_t(3));
      QCOMPARE(t[2].status, std::string("running"));
      QCOMPARE(p.run(t[2].runId)->status, RunStatus::Stopped);
    }
    SearchRun second(p, id);
    second.setData(synthetic(40, 1), std::nullopt);
    QCOMPARE(second.run(), 2);
    auto trials = second.trials();
    auto reference = whole.trials();
    QCOMPARE(trials.size(), size_t(4));
    for (size_t i = 0; i < 4; ++i) {
      QCOMPARE(trials[i].index, int(i));
      QCOMPARE(trials[i].status, std::string("finished"));
      QCOMPARE(trials[i].values, reference[i].values);
      QVERIFY(std::abs(*trials[i].score - *reference[i].score) < 1e-6);
    }
    // The stopped trial's run was replaced: one run per trial.
    QCOMPARE(p.runs().size(), size_t(4));
    // Nothing left to do: a third run runs nothing.
    SearchRun third(p, id);
    third.setData(synthetic(40, 1), std::nullopt);
    QCOMPARE(third.run(), 0);
    QCOMPARE(p.integrityCheck(), std::string("ok"));
  }

  void hyperbandTrialsUseTheirRoundsEpochs() {
    Project p = Project::create(path("d.tessel"));
    SearchSettings s;
    s.tuner.kind = "hyperband";
    s.tuner.maxTrials = 100;
    s.tuner.maxEpochs = 3;
    s.folds = 2;
    s.epochs = 3;
    s.baseline = true;
    SearchRun search(p, newSearch(p, s));
    search.setData(synthetic(40, 2), std::nullopt);
    // Baseline + KerasTuner's (3, 3) schedule: bracket 1 = 3 trials of 1 epoch then 1 of 3,
    // bracket 0 = 2 trials of 3 epochs.
    QCOMPARE(search.run(), 7);
    auto trials = search.trials();
    QVERIFY(trials[0].baseline);
    QCOMPARE(trials[0].values["units"], json(30));
    QVERIFY(std::abs(trials[0].values["learning_rate"].get<double>() - 0.01) < 1e-6);
    std::vector<int> epochs;
    for (const auto& t : trials) epochs.push_back(t.epochs);
    QCOMPARE(epochs, (std::vector<int>{3, 1, 1, 1, 3, 3, 3}));
    for (const auto& t : trials)
      for (int e : t.epochsTrained) QCOMPARE(e, t.epochs);
  }

  // KerasTuner's Hyperband continues a promoted trial from its parent's checkpoint: the first
  // epoch follows the parent's last, the weights are the parent's final ones, and only the extra
  // epochs are trained (9 + 3 x 2 + 6 + 15 + 2 x 6 + 27 = 75 epochs for (9, 3), not 87).
  void hyperbandPromotionsContinueTheParentsCheckpoint() {
    Project p = Project::create(path("hb_continue.tessel"));
    SearchRun search(p, newSearch(p, hyperbandNoFolds()));
    search.setData(synthetic(40, 2), synthetic(20, 3));
    Continuation seen;
    std::ostringstream out;
    QCOMPARE(search.run(&out, 1, &seen), 23);
    QVERIFY2(out.str().find("(continues trial ") != std::string::npos, out.str().c_str());
    QVERIFY(out.str().find("retrain from scratch") == std::string::npos);
    auto trials = search.trials();
    QCOMPARE(trials.size(), size_t(23));
    int total = 0, promoted = 0;
    for (const auto& t : trials) {
      QCOMPARE(t.status, std::string("finished"));
      QCOMPARE(t.epochsTrained.size(), size_t(1));
      total += t.epochsTrained[0];
      if (t.round <= 0) {
        QCOMPARE(t.parent, -1);
        QCOMPARE(t.initialEpoch, 0);
        QCOMPARE(seen.firstEpoch[t.index], 0);
        QCOMPARE(t.epochsTrained[0], t.epochs);
        continue;
      }
      ++promoted;
      QVERIFY(t.parent >= 0 && t.parent < t.index);
      const SearchTrial& parent = trials[t.parent];
      QCOMPARE(parent.values, t.values);
      QCOMPARE(parent.round, t.round - 1);
      const int parentLast = parent.initialEpoch + parent.epochsTrained[0] - 1;
      QCOMPARE(parentLast, parent.epochs - 1);  // no early stopping here
      QCOMPARE(t.initialEpoch, parentLast + 1);
      QCOMPARE(seen.firstEpoch[t.index], parentLast + 1);
      QCOMPARE(t.epochsTrained[0], t.epochs - parent.epochs);
      QVERIFY(sameWeights(seen.begin[t.index], seen.end[t.parent]));
      QVERIFY(!sameWeights(seen.begin[t.index], seen.begin[t.parent]));
      // The run's curves start at the continued epoch, with a "resume" event.
      auto metrics = p.epochMetrics(t.runId);
      QVERIFY(!metrics.empty());
      int first = 1 << 30;
      for (const auto& m : metrics) first = std::min(first, m.epoch);
      QCOMPARE(first, t.initialEpoch);
      bool resumed = false;
      for (const auto& e : p.events(t.runId))
        resumed |= e.kind == "resume" && e.payload["from_trial"] == t.parent + 1;
      QVERIFY(resumed);
    }
    QCOMPARE(promoted, 3 + 1 + 2);
    QCOMPARE(total, 75);
    // Only trials that may be promoted keep a checkpoint.
    for (const auto& t : trials) QCOMPARE(bool(p.checkpoint(t.runId, "last")), t.round < t.bracket);
    QCOMPARE(p.integrityCheck(), std::string("ok"));
  }

  // With folds every trial retrains from scratch, and the output says so.
  void hyperbandWithFoldsRetrains() {
    Project p = Project::create(path("hb_folds.tessel"));
    SearchSettings s = hyperbandNoFolds();
    s.tuner.maxEpochs = s.epochs = 3;
    s.folds = 2;
    SearchRun search(p, newSearch(p, s));
    search.setData(synthetic(40, 2), std::nullopt);
    std::ostringstream out;
    QCOMPARE(search.run(&out), 6);
    QVERIFY2(out.str().find("Hyperband with cv=2: promoted trials retrain from scratch") !=
                 std::string::npos,
             out.str().c_str());
    for (const auto& t : search.trials()) {
      QCOMPARE(t.initialEpoch, 0);
      for (int e : t.epochsTrained) QCOMPARE(e, t.epochs);
      QVERIFY(!p.checkpoint(t.runId, "last"));
    }
  }

  // Stopped at a promoted trial and resumed: it continues its parent again, every trial is
  // trained once and scores as in the uninterrupted search.
  void hyperbandContinuationSurvivesResume() {
    Project ref = Project::create(path("hb_ref.tessel"));
    SearchRun whole(ref, newSearch(ref, hyperbandNoFolds()));
    whole.setData(synthetic(40, 2), synthetic(20, 3));
    QCOMPARE(whole.run(), 23);
    auto reference = whole.trials();

    Project p = Project::create(path("hb_resume.tessel"));
    const auto id = newSearch(p, hyperbandNoFolds());
    for (int stopAt : {10, 12}) {  // round 1 of bracket 2, then its round 2
      SearchRun part(p, id);
      part.setData(synthetic(40, 2), synthetic(20, 3));
      StopAt stop;
      stop.run = &part;
      stop.at = stopAt;
      part.run(nullptr, 1, &stop);
      auto t = part.trials();
      QCOMPARE(t.size(), size_t(stopAt + 1));
      QCOMPARE(t[stopAt].status, std::string("running"));
    }
    SearchRun rest(p, id);
    rest.setData(synthetic(40, 2), synthetic(20, 3));
    Continuation seen;
    QCOMPARE(rest.run(nullptr, 1, &seen), 23 - 12);
    QCOMPARE(seen.firstEpoch[12], 3);  // the restarted promotion continued its parent's epoch 2
    auto trials = rest.trials();
    QCOMPARE(trials.size(), size_t(23));
    int total = 0;
    for (size_t i = 0; i < trials.size(); ++i) {
      QCOMPARE(trials[i].status, std::string("finished"));
      QCOMPARE(trials[i].values, reference[i].values);
      QCOMPARE(trials[i].parent, reference[i].parent);
      QCOMPARE(trials[i].initialEpoch, reference[i].initialEpoch);
      QCOMPARE(trials[i].epochsTrained, reference[i].epochsTrained);
      QVERIFY(std::abs(*trials[i].score - *reference[i].score) < 1e-6);
      total += trials[i].epochsTrained[0];
    }
    QCOMPARE(total, 75);
    QCOMPARE(p.runs().size(), size_t(23));  // one run per trial
    QCOMPARE(p.integrityCheck(), std::string("ok"));
  }

  // N trials at a time (threads divided): every trial gets the values, seed and so the score it
  // gets in the sequential search, for a tuner whose plans read no scores (random) and for one
  // that waits for the running trials before a promotion round (hyperband).
  void parallelTrialsEqualTheSequentialSearch_data() {
    QTest::addColumn<QString>("tuner");
    QTest::newRow("random") << "random";
    QTest::newRow("hyperband") << "hyperband";
  }
  void parallelTrialsEqualTheSequentialSearch() {
    QFETCH(QString, tuner);
    std::vector<std::vector<SearchTrial>> results;
    for (int parallel : {1, 2}) {
      Project p = Project::create(
          path(("par_" + tuner.toStdString() + std::to_string(parallel) + ".tessel").c_str()));
      SearchSettings s;
      s.tuner.kind = tuner.toStdString();
      s.tuner.maxTrials = 4;
      s.tuner.seed = 3;
      s.tuner.maxEpochs = 3;  // hyperband: rounds of 3 x 1 epoch, then the best for 3
      s.folds = 2;
      s.epochs = 2;
      s.parallel = parallel;
      SearchRun search(p, newSearch(p, s));
      QCOMPARE(search.settings().parallel, parallel);  // recorded with the search
      search.setData(synthetic(32, 0), std::nullopt);
      std::ostringstream out;
      Placement placement;
      const int threads = Eigen::nbThreads();
      QCOMPARE(search.run(&out, 1, &placement), 4);
      QVERIFY2(out.str().find("Trial 4 Complete") != std::string::npos, out.str().c_str());
      QCOMPARE(Eigen::nbThreads(), threads);  // the caller's setting is back
      if (parallel == 1) {                    // on the caller's thread with all its threads
        QCOMPARE(placement.threads, std::set<std::thread::id>{std::this_thread::get_id()});
        QCOMPARE(placement.ompThreads, std::set<int>{omp_get_max_threads()});
      } else {  // on trial threads, the threads divided
        QVERIFY(!placement.threads.count(std::this_thread::get_id()));
        QVERIFY(placement.threads.size() >= 2);
        QCOMPARE(placement.ompThreads, std::set<int>{std::max(1, threads / 2)});
      }
      results.push_back(search.trials());
      for (const auto& t : results.back()) {
        QCOMPARE(t.status, std::string("finished"));
        QCOMPARE(p.run(t.runId)->status, RunStatus::Finished);
      }
      QCOMPARE(p.integrityCheck(), std::string("ok"));
    }
    QCOMPARE(results[1].size(), results[0].size());
    for (size_t i = 0; i < results[0].size(); ++i) {
      const SearchTrial &a = results[0][i], &b = results[1][i];
      QCOMPARE(b.index, a.index);
      QCOMPARE(b.values, a.values);
      QCOMPARE(b.epochs, a.epochs);
      QCOMPARE(b.round, a.round);
      QCOMPARE(b.foldScores, a.foldScores);
      QCOMPARE(*b.score, *a.score);
    }
    if (tuner == "hyperband")  // the promoted trial is the best of the first round's three
      QCOMPARE(results[1][3].round, 1);
  }

  void parallelStopKeepsTheRunningTrialsForTheResume() {
    Project p = Project::create(path("par_stop.tessel"));
    SearchSettings s;
    s.tuner.maxTrials = 3;
    s.folds = 2;
    s.epochs = 2;
    s.parallel = 2;
    SearchRun search(p, newSearch(p, s));
    search.setData(synthetic(32, 0), std::nullopt);
    StopAt observer;
    observer.run = &search;
    observer.at = 1;  // the second trial's start stops both running trials
    search.run(nullptr, 1, &observer);
    int finished = 0;
    for (const auto& t : search.trials()) finished += t.status == "finished";
    QVERIFY(finished < 3);
    search.setParallel(1);
    search.run();
    auto trials = search.trials();
    QCOMPARE(trials.size(), size_t(3));
    for (size_t i = 0; i < trials.size(); ++i) {
      QCOMPARE(trials[i].index, int(i));
      QCOMPARE(trials[i].status, std::string("finished"));
    }
    QCOMPARE(p.runs().size(), size_t(3));  // no trial run twice
    QCOMPARE(p.integrityCheck(), std::string("ok"));
  }

  void timeBudgetStopsNewTrials() {
    Project p = Project::create(path("e.tessel"));
    SearchSettings s;
    s.maxSeconds = 1e-9;
    SearchRun search(p, newSearch(p, s));
    search.setData(synthetic(30, 0), std::nullopt);
    std::ostringstream out;
    QCOMPARE(search.run(&out), 0);
    QVERIFY(out.str().find("time budget") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestSearchRun)
#include "tst_engine_searchrun.moc"
