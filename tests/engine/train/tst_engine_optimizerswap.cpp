// Trainer::reconfigureOptimizer: settings changed between two fits (as the studio does while a run
// is paused) keep the optimizer's moments and iteration count for the same class, so an
// unchanged config continues bit for bit; a new learning rate or class takes effect.
#include <QtTest>

#include "engine/core/Error.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

ModelSpec linearSpec() {
  return makeSpec({inputNode("x", {2}), denseNode("d", 1, "x")}, {"x"}, {"d"});
}

json adam(double lr) {
  return {{"class_name", "Adam"}, {"config", {{"learning_rate", lr}}}};
}

std::vector<float> weightsOf(Model& m) {
  std::vector<float> out;
  for (auto& [name, v] : m.namedWeights())
    for (Index i = 0; i < v->value.size(); ++i) out.push_back(v->value[i]);
  return out;
}

Dataset linearDataset() {
  Dataset d;
  d.x.resize(1), d.y.resize(1);
  linearData(96, d.x[0], d.y[0]);
  return d;
}

FitOptions fitOptions(int epochs, int initialEpoch) {
  FitOptions o;
  o.epochs = epochs, o.initialEpoch = initialEpoch, o.batchSize = 16, o.verbose = 0, o.seed = 5;
  return o;
}

}  // namespace

class TestOptimizerSwap : public QObject {
  Q_OBJECT
 private slots:
  void sameConfigContinuesBitForBit() {
    Dataset d = linearDataset();
    Model straight(linearSpec(), 1);
    Trainer ts(straight, CompileOptions{{"mse"}, {}, {}, adam(0.01)});
    ts.fit(d, fitOptions(4, 0));

    Model swapped(linearSpec(), 1);
    Trainer tw(swapped, CompileOptions{{"mse"}, {}, {}, adam(0.01)});
    tw.fit(d, fitOptions(2, 0));
    const long long it = tw.optimizer().iterations();
    QCOMPARE(it, 12LL);  // 2 epochs x 6 batches
    tw.reconfigureOptimizer(adam(0.01));
    QCOMPARE(tw.optimizer().iterations(), it);
    tw.fit(d, fitOptions(4, 2));
    QCOMPARE(weightsOf(swapped), weightsOf(straight));
  }

  void newLearningRateKeepsMoments() {
    Dataset d = linearDataset();
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, adam(0.01)});
    t.fit(d, fitOptions(1, 0));
    std::vector<std::vector<float>> before;
    for (Tensor* s : t.optimizer().state()) before.emplace_back(s->data(), s->data() + s->size());
    QVERIFY(!before.empty());
    t.reconfigureOptimizer(adam(0.002));
    QCOMPARE(t.optimizer().name(), std::string("Adam"));
    QCOMPARE(t.optimizer().learningRate(), 0.002);
    QCOMPARE(t.optimizer().iterations(), 6LL);
    auto after = t.optimizer().state();
    QCOMPARE(after.size(), before.size());
    for (size_t i = 0; i < after.size(); ++i)
      QCOMPARE(std::vector<float>(after[i]->data(), after[i]->data() + after[i]->size()),
               before[i]);
    // The training config follows the running optimizer.
    QCOMPARE(t.compileOptions().optimizer["config"]["learning_rate"].get<double>(), 0.002);
  }

  void otherClassStartsFreshSlots() {
    Dataset d = linearDataset();
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, adam(0.01)});
    t.fit(d, fitOptions(1, 0));
    t.reconfigureOptimizer(
        {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.05}, {"momentum", 0.9}}}});
    QCOMPARE(t.optimizer().name(), std::string("SGD"));
    QCOMPARE(t.optimizer().iterations(), 6LL);
    for (Tensor* s : t.optimizer().state())
      for (Index i = 0; i < s->size(); ++i) QCOMPARE((*s)[i], 0.0f);  // fresh momentum
    History h = t.fit(d, fitOptions(3, 1));
    QVERIFY(h["loss"].back() < h["loss"].front());
  }

  void badSpecKeepsTheOldOptimizer() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, adam(0.01)});
    QVERIFY_THROWS_EXCEPTION(Error, t.reconfigureOptimizer({{"class_name", "NoSuchOptimizer"}}));
    QCOMPARE(t.optimizer().name(), std::string("Adam"));
    QCOMPARE(t.optimizer().learningRate(), 0.01);
  }
};

QTEST_APPLESS_MAIN(TestOptimizerSwap)
#include "tst_engine_optimizerswap.moc"
