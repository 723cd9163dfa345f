// EpochIterator: the rows of each training step, as Keras's epoch iterator over in-memory arrays.
#include <QtTest>

#include <algorithm>
#include <vector>

#include "engine/train/EpochIterator.h"

using namespace tessel;

namespace {

// The rows of every step of `epoch`, in order.
std::vector<Index> epochRows(EpochIterator& it, int epoch) {
  std::vector<Index> rows;
  it.beginEpoch(epoch);
  for (int s = 0; s < it.stepsPerEpoch(); ++s) {
    const Index* r = nullptr;
    const Index n = it.next(&r);
    rows.insert(rows.end(), r, r + n);
  }
  return rows;
}

std::vector<Index> sorted(std::vector<Index> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<Index> range(Index n) {
  std::vector<Index> v(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

class TestEpochIterator : public QObject {
  Q_OBJECT
 private slots:
  // One pass per epoch: every row once, the last step short, a new order each epoch.
  void onePassPerEpoch() {
    EpochIterator it(10, 4, 0, true, 7);
    QCOMPARE(it.stepsPerEpoch(), 3);
    it.beginEpoch(0);
    const Index* r = nullptr;
    QCOMPARE(it.next(&r), Index(4));
    QCOMPARE(it.next(&r), Index(4));
    QCOMPARE(it.next(&r), Index(2));
    const std::vector<Index> e0 = epochRows(it, 0), e1 = epochRows(it, 1);
    QCOMPARE(sorted(e0), range(10));
    QCOMPARE(sorted(e1), range(10));
    QVERIFY(e0 != e1);
    QVERIFY(e0 != range(10));
  }

  void noShuffleKeepsOrder() {
    EpochIterator it(5, 2, 0, false, 7);
    QCOMPARE(epochRows(it, 0), range(5));
    QCOMPARE(epochRows(it, 3), range(5));
  }

  // The order of an epoch depends on (seed, epoch) only: a run resumed at initial_epoch=k sees
  // the same rows as the uninterrupted run.
  void resumeReproducesTheEpoch() {
    EpochIterator full(12, 5, 0, true, 3);
    std::vector<Index> third;
    for (int e = 0; e < 3; ++e) third = epochRows(full, e);
    EpochIterator resumed(12, 5, 0, true, 3);
    QCOMPARE(epochRows(resumed, 2), third);
    EpochIterator otherSeed(12, 5, 0, true, 4);
    QVERIFY(epochRows(otherSeed, 2) != third);
  }

  // steps_per_epoch: the pass continues across epochs and is reshuffled when it runs out.
  void stepsPerEpochContinuesThePass() {
    EpochIterator it(10, 4, 2, true, 1);
    QCOMPARE(it.stepsPerEpoch(), 2);
    const std::vector<Index> e0 = epochRows(it, 0);  // 8 rows of the first pass
    const std::vector<Index> e1 = epochRows(it, 1);  // 2 rows ending it, then 4 of a new pass
    QCOMPARE(e0.size(), size_t(8));
    QCOMPARE(e1.size(), size_t(6));
    std::vector<Index> firstPass(e0);
    firstPass.insert(firstPass.end(), e1.begin(), e1.begin() + 2);
    QCOMPARE(sorted(firstPass), range(10));
  }

  void epochSeedDependsOnSeedAndEpoch() {
    QVERIFY(EpochIterator::epochSeed(1, 0) != EpochIterator::epochSeed(1, 1));
    QVERIFY(EpochIterator::epochSeed(1, 0) != EpochIterator::epochSeed(2, 0));
    QCOMPARE(EpochIterator::epochSeed(0, 0), std::uint64_t(1));
  }
};

QTEST_APPLESS_MAIN(TestEpochIterator)
#include "tst_engine_epochiterator.moc"
