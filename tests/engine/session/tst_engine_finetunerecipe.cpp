// The two-phase fine-tuning recipe (engine/session/FineTuneRecipe.h): phase 1 trains with the
// base frozen, phase 2 unfreezes the last N layers at the learning rate times the factor; one
// history, and one project run with a "fine_tune" event between the phases.
#include <QTemporaryDir>
#include <QtTest>

#include "engine/core/Error.h"
#include "engine/graph/FineTune.h"
#include "engine/session/FineTuneRecipe.h"
#include "engine/store/Project.h"
#include "engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

// x (4) -> d1 Dense 8 -> bn -> d2 Dense 3 -> out Dense 1; model.layers [x, d1, bn, d2, out].
ModelSpec smallModel() {
  return makeSpec({inputNode("x", {4}), denseNode("d1", 8, "x", "relu"),
                   node("bn", "BatchNormalization", {"d1"}), denseNode("d2", 3, "bn", "tanh"),
                   denseNode("out", 1, "d2")},
                  {"x"}, {"out"});
}

Dataset data() {
  Rng rng(2);
  Tensor x({64, 4}), y({64, 1});
  for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-2, 2);
  for (Index i = 0; i < 64; ++i) y[i] = 0.5f * x[4 * i] - x[4 * i + 2];
  Dataset d;
  d.x = {Array::fromTensor(x)};
  d.y = {Array::fromTensor(y)};
  return d;
}

RunSettings settings() {
  RunSettings s;
  s.compile = CompileOptions{{"mse"}, {}, {}, sgd(0.05)};
  s.fit.batchSize = 16;
  s.fit.shuffle = false;
  s.fit.seed = 3;
  return s;
}

const Tensor& weight(const FineTuneResult& r, const std::string& name) {
  for (const auto& [n, t] : r.weights)
    if (n == name) return t;
  throw Error("no weight " + name);
}

FineTuneRecipe recipe() {
  FineTuneRecipe r;
  r.baseEnd = "bn";
  r.headEpochs = 2;
  r.unfreezeLast = 3;  // bn, d2, out
  r.lrFactor = 0.1;
  r.fineTuneEpochs = 3;
  return r;
}

}  // namespace

class TestFineTuneRecipe : public QObject {
  Q_OBJECT
 private slots:
  void phasesFreezeAndUnfreeze() {
    const FineTuneRecipe r = recipe();
    const ModelSpec one = r.phase1(smallModel());
    QVERIFY(!isTrainable(*one.find("d1")) && !isTrainable(*one.find("bn")));
    QVERIFY(isTrainable(*one.find("d2")));
    const ModelSpec two = r.phase2(smallModel());
    QVERIFY(!isTrainable(*two.find("d1")));
    QVERIFY(isTrainable(*two.find("bn")) && isTrainable(*two.find("d2")));
  }

  void json() {
    const FineTuneRecipe r = recipe();
    const FineTuneRecipe back = FineTuneRecipe::fromJson(r.toJson());
    QCOMPARE(back.toJson(), r.toJson());
    QVERIFY_THROWS_EXCEPTION(Error, FineTuneRecipe::fromJson({{"head_epochs", 0}}));
    QVERIFY_THROWS_EXCEPTION(Error, FineTuneRecipe::fromJson({{"lr_factor", -1}}));
    QVERIFY_THROWS_EXCEPTION(Error, FineTuneRecipe::fromJson({{"epochs", 3}}));
  }

  void twoPhasesOneRun() {
    QTemporaryDir dir;
    Project project = Project::create((dir.path() + "/p.tessel").toStdString());
    const ModelSpec spec = smallModel();
    const std::int64_t model = project.addModel("m", spec.toKerasJson());
    RunRecord run;
    run.modelId = model;
    run.name = "fine-tune";
    run.spec = spec.toKerasJson();
    const std::int64_t runId = project.createRun(run);

    // The initial weights, from the same seed as the recipe's phase 1.
    Model initial(recipe().phase1(spec), settings().fit.seed);
    const std::vector<float> d1 = initial.layer("d1")->variables()[0].value.toVector();
    const std::vector<float> gamma = initial.layer("bn")->variables()[0].value.toVector();

    const FineTuneResult r =
        fitTwoPhase(spec, settings(), recipe(), data(), {nullptr, &project, runId, {}, {}, {}});
    QCOMPARE(r.history.epochs, (std::vector<int>{0, 1, 2, 3, 4}));
    QCOMPARE(r.history["loss"].size(), size_t(5));
    QVERIFY(r.history["loss"].back() < r.history["loss"].front());
    QCOMPARE(r.unfrozen, (std::vector<std::string>{"bn", "d2", "out"}));
    QVERIFY(std::fabs(r.phase2LearningRate - 0.005) < 1e-12);
    // d1 frozen throughout; bn frozen in phase 1 only, so its gamma moved in phase 2.
    QCOMPARE(weight(r, "d1/kernel").toVector(), d1);
    QVERIFY(weight(r, "bn/gamma").toVector() != gamma);

    // One run: 5 epochs of curves, the marker at epoch 2 (the first epoch of phase 2).
    int epochRows = 0;
    for (const MetricPoint& p : project.epochMetrics(runId)) epochRows += p.name == "loss";
    QCOMPARE(epochRows, 5);
    bool marker = false;
    for (const RunEvent& e : project.events(runId))
      if (e.kind == "fine_tune") {
        marker = true;
        QCOMPARE(e.epoch, 2);
        QCOMPARE(e.payload.at("unfreeze_last").get<int>(), 3);
      }
    QVERIFY(marker);
  }
};

QTEST_APPLESS_MAIN(TestFineTuneRecipe)
#include "tst_engine_finetunerecipe.moc"
