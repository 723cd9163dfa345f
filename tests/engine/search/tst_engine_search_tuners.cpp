// The search engine: spaces (validation, sampling, encoding), the four tuners, k-fold splits,
// the Gaussian process and applying values to a model.
#include <QtTest>

#include <cmath>
#include <set>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/search/ApplyHyperparameters.h"
#include "engine/search/GaussianProcess.h"
#include "engine/search/KFold.h"
#include "engine/search/SearchSpace.h"
#include "engine/search/Tuner.h"

using namespace tessel;
using json = nlohmann::json;

namespace {

SearchSpace space(const char* text) {
  return SearchSpace::fromJson(json::parse(text));
}

// Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; global minimum 0.397887.
double branin(double x1, double x2) {
  const double pi = 3.14159265358979323846;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

// Trials a tuner needs until Branin < 1.0 (cap + 1 when it never gets there).
int trialsToBranin(const std::string& kind, std::uint64_t seed, int cap) {
  SearchSpace s = space(R"({"hyperparameters": [
      {"name": "x1", "target": "layers.f.x1", "distribution": "uniform", "min": -5, "max": 10},
      {"name": "x2", "target": "layers.f.x2", "distribution": "uniform", "min": 0, "max": 15}]})");
  TunerSettings settings;
  settings.kind = kind;
  settings.maxTrials = cap;
  settings.seed = seed;
  auto tuner = makeTuner(s, settings);
  std::vector<TrialOutcome> done;
  while (auto plan = tuner->plan(done)) {
    double f = branin(plan->values["x1"].get<double>(), plan->values["x2"].get<double>());
    done.push_back({plan->values, f});
    if (f < 1.0) return static_cast<int>(done.size());
  }
  return cap + 1;
}

QString errorOf(const char* text) {
  try {
    space(text);
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestSearchTuners : public QObject {
  Q_OBJECT
 private slots:
  void gridEnumeratesExactly() {
    SearchSpace s = space(R"([
        {"name": "act", "target": "layers.dense.activation", "distribution": "choice",
         "values": ["relu", "tanh", "selu"]},
        {"name": "units", "target": "layers.dense.units", "distribution": "int",
         "min": 1, "max": 5, "step": 2}])");
    TunerSettings settings;
    settings.kind = "grid";
    settings.maxTrials = 100;
    auto tuner = makeTuner(s, settings);
    std::vector<TrialOutcome> done;
    while (auto plan = tuner->plan(done)) done.push_back({plan->values, 0.0});
    QCOMPARE(done.size(), size_t(9));
    std::set<std::string> seen;
    for (const auto& t : done) seen.insert(t.values.dump());
    QCOMPARE(seen.size(), size_t(9));
    QCOMPARE(done[0].values, json({{"act", "relu"}, {"units", 1}}));
    QCOMPARE(done[1].values, json({{"act", "relu"}, {"units", 3}}));
    QCOMPARE(done[8].values, json({{"act", "selu"}, {"units", 5}}));

    // Conditions: momentum exists only with SGD, so SGD x 2 momenta + Adam = 3 points.
    SearchSpace c = space(R"([
        {"name": "optimizer", "target": "optimizer", "distribution": "choice",
         "values": ["SGD", "Adam"]},
        {"name": "momentum", "target": "optimizer.momentum", "distribution": "choice",
         "values": [0.0, 0.9], "condition": {"parameter": "optimizer", "values": ["SGD"]}}])");
    auto grid = c.grid();
    QCOMPARE(grid.size(), size_t(3));
    QCOMPARE(grid[2], json({{"optimizer", "Adam"}}));
    // A budget smaller than the grid stops early.
    settings.maxTrials = 4;
    auto small = makeTuner(s, settings);
    done.clear();
    while (auto plan = small->plan(done)) done.push_back({plan->values, 0.0});
    QCOMPARE(done.size(), size_t(4));
  }

  void randomIsReproducible() {
    SearchSpace s = space(R"([
        {"name": "lr", "target": "optimizer.learning_rate", "distribution": "reciprocal",
         "min": 3e-4, "max": 3e-2},
        {"name": "units", "target": "layers.dense.units", "distribution": "int",
         "min": 1, "max": 100},
        {"name": "rate", "target": "layers.drop.rate", "distribution": "uniform",
         "min": 0, "max": 0.5}])");
    auto run = [&](std::uint64_t seed) {
      TunerSettings settings;
      settings.maxTrials = 200;
      settings.seed = seed;
      auto tuner = makeTuner(s, settings);
      std::vector<TrialOutcome> done;
      while (auto plan = tuner->plan(done)) done.push_back({plan->values, 1.0});
      return done;
    };
    auto a = run(7), b = run(7), c = run(8);
    QCOMPARE(a.size(), size_t(200));
    int same = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      QCOMPARE(a[i].values, b[i].values);
      same += a[i].values == c[i].values;
    }
    QCOMPARE(same, 0);
    // In range; the reciprocal distribution is uniform in log space: about half below the
    // geometric mean of the bounds (3e-3), and units take their integer values.
    int below = 0;
    for (const auto& t : a) {
      double lr = t.values["lr"].get<double>();
      QVERIFY(lr >= 3e-4 && lr <= 3e-2);
      below += lr < 3e-3;
      QVERIFY(t.values["units"].is_number_integer());
      QVERIFY(t.values["units"].get<int>() >= 1 && t.values["units"].get<int>() <= 100);
      QVERIFY(t.values["rate"].get<double>() >= 0 && t.values["rate"].get<double>() < 0.5);
    }
    QVERIFY2(below > 70 && below < 130, qPrintable(QString::number(below)));
  }

  void hyperbandBracketsEqualKerasTuners() {
    // KerasTuner HyperbandOracle(max_epochs=27, factor=3): _get_size / _get_epochs per
    // (bracket, round), brackets 3 .. 0.
    auto schedule = hyperbandSchedule(27, 3);
    std::vector<std::array<int, 4>> expected = {
        {3, 0, 27, 1}, {3, 1, 9, 3},  {3, 2, 3, 9}, {3, 3, 1, 27}, {2, 0, 12, 3},
        {2, 1, 4, 9},  {2, 2, 2, 27}, {1, 0, 6, 9}, {1, 1, 2, 27}, {0, 0, 4, 27}};
    QCOMPARE(schedule.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      QCOMPARE(schedule[i].bracket, expected[i][0]);
      QCOMPARE(schedule[i].round, expected[i][1]);
      QCOMPARE(schedule[i].size, expected[i][2]);
      QCOMPARE(schedule[i].epochs, expected[i][3]);
    }
    // KerasTuner's own test: (max_epochs=8, factor=2).
    auto eight = hyperbandSchedule(8, 2);
    QCOMPARE(eight.front().size, 8);
    QCOMPARE(eight.front().epochs, 1);
    QCOMPARE(eight[3].size, 1);
    QCOMPARE(eight[3].epochs, 8);
    QCOMPARE(eight.back().size, 4);
    QCOMPARE(eight.back().epochs, 8);
    QVERIFY_THROWS_EXCEPTION(Error, hyperbandSchedule(8, 1));

    // The tuner runs the schedule: 70 trials; round 1 of bracket 3 takes the best 9 of round 0.
    SearchSpace s = space(R"([{"name": "x", "target": "epochs", "distribution": "uniform",
                                "min": 0, "max": 1}])");
    TunerSettings settings;
    settings.kind = "hyperband";
    settings.maxTrials = 1000;
    auto tuner = makeTuner(s, settings);
    std::vector<TrialOutcome> done;
    std::vector<int> parents;
    while (auto plan = tuner->plan(done)) {
      double x = plan->values["x"].get<double>();
      // A promotion names the trial it continues (same values), round 0 none.
      if (plan->round == 0) QCOMPARE(plan->parent, -1);
      if (plan->round > 0) {
        QVERIFY(plan->parent >= 0 && plan->parent < int(done.size()));
        QCOMPARE(done[plan->parent].values, plan->values);
        QCOMPARE(done[plan->parent].round, plan->round - 1);
        QCOMPARE(done[plan->parent].bracket, plan->bracket);
      }
      parents.push_back(plan->parent);
      done.push_back({plan->values, x, plan->bracket, plan->round});
      if (done.size() == 1) QCOMPARE(plan->epochs, 1);
      if (done.size() == 28) QCOMPARE(plan->epochs, 3);
    }
    QCOMPARE(done.size(), size_t(70));
    // No trial is continued twice.
    std::set<int> continued;
    for (int p : parents)
      if (p >= 0) QVERIFY(continued.insert(p).second);
    std::vector<double> round0;
    for (int i = 0; i < 27; ++i) round0.push_back(*done[i].loss);
    std::sort(round0.begin(), round0.end());
    for (int i = 0; i < 9; ++i) QCOMPARE(*done[27 + i].loss, round0[i]);
  }

  void bayesianBeatsRandomOnBranin() {
    double bayes = 0, random = 0;
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      bayes += trialsToBranin("bayesian", seed, 150);
      random += trialsToBranin("random", seed, 150);
    }
    bayes /= 5;
    random /= 5;
    qInfo("Branin < 1.0 after, averaged over seeds 0-4: bayesian %.1f trials, random %.1f", bayes,
          random);
    QVERIFY(bayes < random);
  }

  void badSpacesGiveClearErrors() {
    QVERIFY(errorOf(R"({"hyperparameters": []})").contains("the space is empty"));
    QVERIFY(errorOf("[]").contains("the space is empty"));
    QVERIFY(errorOf(R"([{"target": "optimizer.learning_rate", "distribution": "log_uniform",
                         "min": 0, "max": 0.1}])")
                .contains("needs bounds > 0"));
    QVERIFY(errorOf(R"([{"target": "optimizer.learning_rate", "distribution": "reciprocal",
                         "min": -1, "max": 0.1}])")
                .contains("parameter 'optimizer.learning_rate'"));
    QVERIFY(errorOf(R"([{"target": "batch_size", "distribution": "int", "min": 64,
                         "max": 16}])")
                .contains("min must be <= max"));
    QVERIFY(errorOf(R"([{"target": "batch_size", "distribution": "gaussian"}])")
                .contains("unknown distribution 'gaussian'"));
    QVERIFY(errorOf(R"([{"target": "layers.dense.units", "distribution": "choice",
                         "values": []}])")
                .contains("non-empty \"values\""));
    QVERIFY(errorOf(R"([{"target": "weights", "distribution": "choice", "values": [1]}])")
                .contains("target 'weights'"));
    QVERIFY(errorOf(R"([{"name": "m", "target": "optimizer.momentum", "distribution": "choice",
                         "values": [0.9], "condition": {"parameter": "opt", "values": ["SGD"]}},
                        {"name": "opt", "target": "optimizer", "distribution": "choice",
                         "values": ["SGD"]}])")
                .contains("not an earlier parameter"));
    // Grid search over a continuous parameter without a step.
    SearchSpace s = space(R"([{"target": "optimizer.learning_rate", "distribution": "uniform",
                               "min": 0.001, "max": 0.1}])");
    QVERIFY_THROWS_EXCEPTION(Error, s.grid());
    TunerSettings settings;
    settings.kind = "annealing";
    QVERIFY_THROWS_EXCEPTION(Error, makeTuner(s, settings));
  }

  void encodeDecodeRoundTrip() {
    SearchSpace s = space(R"([
        {"name": "opt", "target": "optimizer", "distribution": "choice", "values": ["SGD", "Adam"]},
        {"name": "lr", "target": "optimizer.learning_rate", "distribution": "log_uniform",
         "min": 1e-4, "max": 1e-1},
        {"name": "units", "target": "layers.d.units", "distribution": "int", "min": 10,
         "max": 50, "step": 10}])");
    json v = {{"opt", "Adam"}, {"lr", 1e-2}, {"units", 30}};
    auto x = s.encode(v);
    QCOMPARE(x.size(), size_t(3));
    QCOMPARE(x[0], 0.75);
    QVERIFY(std::abs(x[1] - 2.0 / 3.0) < 1e-12);
    QCOMPARE(x[2], 0.5);
    json back = s.decode(x);
    QCOMPARE(back["opt"], json("Adam"));
    QVERIFY(std::abs(back["lr"].get<double>() - 1e-2) < 1e-12);
    QCOMPARE(back["units"], json(30));
    QCOMPARE(SearchSpace::fromJson(s.toJson()).toJson(), s.toJson());
  }

  void kFoldHasSklearnSemantics() {
    auto folds = kFold(10, 3, /*shuffle=*/false);
    QCOMPARE(folds.size(), size_t(3));
    QCOMPARE(folds[0].test, (std::vector<Index>{0, 1, 2, 3}));
    QCOMPARE(folds[1].test, (std::vector<Index>{4, 5, 6}));
    QCOMPARE(folds[2].test, (std::vector<Index>{7, 8, 9}));
    QCOMPARE(folds[1].train, (std::vector<Index>{0, 1, 2, 3, 7, 8, 9}));
    auto shuffled = kFold(100, 3, true, 5);
    std::vector<int> count(100, 0);
    for (const auto& f : shuffled) {
      QCOMPARE(f.train.size() + f.test.size(), size_t(100));
      QVERIFY(std::is_sorted(f.test.begin(), f.test.end()));
      for (Index i : f.test) ++count[i];
    }
    for (int c : count) QCOMPARE(c, 1);
    QCOMPARE(shuffled[0].test, kFold(100, 3, true, 5)[0].test);
    QVERIFY(shuffled[0].test != kFold(100, 3, true, 6)[0].test);
    try {
      kFold(2, 3);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("greater than the number of samples: n_samples=2"));
    }
  }

  void gaussianProcessInterpolates() {
    Eigen::MatrixXd x(3, 1);
    x << 0.0, 0.5, 1.0;
    Eigen::VectorXd y(3);
    y << 1.0, -2.0, 4.0;
    GaussianProcess gp(1e-10);
    gp.fit(x, y);
    for (int i = 0; i < 3; ++i) {
      double mu, sigma;
      gp.predict(x.row(i).transpose(), mu, sigma);
      QVERIFY(std::abs(mu - y(i)) < 1e-4);
      QVERIFY(sigma < 1e-3);
    }
    double mu, sigma;
    Eigen::VectorXd far(1);
    far << 0.25;
    gp.predict(far, mu, sigma);
    QVERIFY(sigma > 0.01);
    QCOMPARE(GaussianProcess::matern52(0), 1.0);
  }

  void applyWritesSpecAndSettings() {
    json spec = {{"class_name", "Functional"},
                 {"config",
                  {{"layers",
                    {{{"name", "dense"}, {"class_name", "Dense"}, {"config", {{"units", 30}}}}}}}}};
    json settings = {
        {"compile",
         {{"optimizer_config",
           {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}, {"momentum", 0.0}}}}}}},
        {"fit", {{"batch_size", 32}}}};
    SearchSpace s = space(R"([
        {"name": "units", "target": "layers.dense.units", "distribution": "int", "min": 1,
         "max": 9},
        {"name": "lr", "target": "optimizer.learning_rate", "distribution": "uniform",
         "min": 0, "max": 1},
        {"name": "opt", "target": "optimizer", "distribution": "choice", "values": ["Adam"]},
        {"name": "batch", "target": "batch_size", "distribution": "choice", "values": [64]}])");
    checkTargets(s, spec, settings);
    QCOMPARE(currentValue("layers.dense.units", spec, settings), json(30));
    QCOMPARE(currentValue("optimizer.learning_rate", spec, settings), json(0.01));
    applyHyperparameters(s, {{"units", 7}, {"lr", 0.5}, {"opt", "Adam"}, {"batch", 64}}, spec,
                         settings);
    QCOMPARE(spec["config"]["layers"][0]["config"]["units"], json(7));
    QCOMPARE(settings["compile"]["optimizer_config"],
             json({{"class_name", "Adam"}, {"config", {{"learning_rate", 0.5}}}}));
    QCOMPARE(settings["fit"]["batch_size"], json(64));
    SearchSpace bad = space(R"([{"target": "layers.nope.units", "distribution": "choice",
                                 "values": [1]}])");
    QVERIFY_THROWS_EXCEPTION(Error, checkTargets(bad, spec, settings));
  }

  // "loss_weights.<output>": one output's weight in compile.loss_weights (a list by output
  // order, null = all 1, or a dict by output name).
  void lossWeightTargets() {
    json spec = {{"class_name", "Functional"},
                 {"config",
                  {{"layers", json::array()}, {"output_layers", {{"main", 0, 0}, {"aux", 0, 0}}}}}};
    json settings = {{"compile", {{"loss_weights", nullptr}}}};
    SearchSpace s = space(R"([{"name": "w", "target": "loss_weights.aux",
                                "distribution": "uniform", "min": 0, "max": 1}])");
    checkTargets(s, spec, settings);
    QCOMPARE(currentValue("loss_weights.aux", spec, settings), json(1.0));
    applyHyperparameters(s, {{"w", 0.25}}, spec, settings);
    QCOMPARE(settings["compile"]["loss_weights"], json({1.0, 0.25}));
    QCOMPARE(currentValue("loss_weights.aux", spec, settings), json(0.25));
    json byName = {{"compile", {{"loss_weights", {{"main", 1.0}, {"aux", 0.5}}}}}};
    applyHyperparameters(s, {{"w", 0.75}}, spec, byName);
    QCOMPARE(byName["compile"]["loss_weights"]["aux"], json(0.75));
    SearchSpace bad = space(R"([{"target": "loss_weights.nope", "distribution": "uniform",
                                 "min": 0, "max": 1}])");
    QVERIFY_THROWS_EXCEPTION(Error, checkTargets(bad, spec, settings));
    QVERIFY_THROWS_EXCEPTION(Error, space(R"([{"target": "loss_weights.", "distribution":
                                               "uniform", "min": 0, "max": 1}])"));
  }

  // Which plans read earlier scores (a parallel search waits for the running trials there):
  // grid and random never, hyperband in promotion rounds, bayesian after its initial points.
  void readsScoresOnlyWhereThePlanDoes() {
    SearchSpace s = space(R"([{"name": "x", "target": "epochs", "distribution": "int",
                                "min": 0, "max": 9}])");
    TunerSettings settings;
    settings.maxTrials = 100;
    for (const char* kind : {"grid", "random"}) {
      settings.kind = kind;
      auto tuner = makeTuner(s, settings);
      for (size_t i : {0, 1, 5, 50}) QVERIFY(!tuner->readsScores(i));
    }
    settings.kind = "hyperband";  // (9, 3): bracket 2 rounds of 9, 3, 1 trials, ...
    settings.maxEpochs = 9;
    auto hyperband = makeTuner(s, settings);
    QVERIFY(!hyperband->readsScores(0));
    QVERIFY(!hyperband->readsScores(8));
    QVERIFY(hyperband->readsScores(9));
    QVERIFY(hyperband->readsScores(12));
    QVERIFY(!hyperband->readsScores(13));  // bracket 1, round 0
    settings.kind = "bayesian";            // 3 initial points for one parameter
    auto bayesian = makeTuner(s, settings);
    QVERIFY(!bayesian->readsScores(2));
    QVERIFY(bayesian->readsScores(3));
  }
};

QTEST_APPLESS_MAIN(TestSearchTuners)
#include "tst_engine_search_tuners.moc"
