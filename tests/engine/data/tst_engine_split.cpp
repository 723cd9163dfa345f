#include <QtTest>

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/data/Split.h"

using namespace tessel;

class TestSplit : public QObject {
  Q_OBJECT
 private slots:
  // Keras 2: split_at = floor(n * (1 - split)); the validation set is the LAST part.
  void validationSplitIndices() {
    QCOMPARE(validationSplit(10, 0.2).splitAt, Index(8));
    QCOMPARE(validationSplit(100, 0.3).splitAt, Index(70));
    QCOMPARE(validationSplit(60000, 0.1).splitAt, Index(54000));
    QCOMPARE(validationSplit(1000, 0.15).splitAt, Index(850));
    // 1 - 0.8 is 0.19999999999999996 in double: Keras takes 1 training sample, not 2.
    QCOMPARE(validationSplit(10, 0.8).splitAt, Index(1));
    QCOMPARE(validationSplit(10, 0.8).validCount(), Index(9));
    QCOMPARE(validationSplit(10, 0.0).splitAt, Index(10));
    QCOMPARE(validationSplit(10, 0.0).validCount(), Index(0));
    QVERIFY_THROWS_EXCEPTION(Error, validationSplit(5, 0.8));  // split_at == 0
    QCOMPARE(validationSplit(3, 0.1).splitAt, Index(2));
    QVERIFY_THROWS_EXCEPTION(Error, validationSplit(1, 0.5));
    QVERIFY_THROWS_EXCEPTION(Error, validationSplit(10, 1.0));
    QVERIFY_THROWS_EXCEPTION(Error, validationSplit(10, -0.1));
  }

  void validationSplitArrays() {
    Array x = Array::fromValues(DType::Int32, {5, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    Array y = Array::fromValues(DType::UInt8, {5}, {0, 1, 2, 3, 4});
    ArraySplit s = applyValidationSplit({x, y}, 0.4);
    QCOMPARE(s.train[0].shape(), (Shape{3, 2}));
    QCOMPARE(s.valid[0].shape(), (Shape{2, 2}));
    QCOMPARE(s.valid[0].raw(0), 6.0);  // rows 3 and 4
    QCOMPARE(s.valid[1].raw(1), 4.0);
    QCOMPARE(s.train[1].raw(2), 2.0);
    QVERIFY_THROWS_EXCEPTION(Error, applyValidationSplit({x, Array(DType::UInt8, {4})}, 0.2));
  }

  void trainValidTestSplit() {
    std::vector<double> v(20);
    for (int i = 0; i < 20; ++i) v[i] = i;
    Array x = Array::fromValues(DType::Float32, {20}, v);
    Array y = Array::fromValues(DType::Int64, {20}, v);
    ArraySplit s = trainValidTest({x, y}, {0.7, 0.2, 0.1}, 42);
    QCOMPARE(s.train[0].rows(), Index(14));
    QCOMPARE(s.valid[0].rows(), Index(4));
    QCOMPARE(s.test[0].rows(), Index(2));
    // Every sample exactly once, x and y rows stay paired.
    std::vector<int> seen(20, 0);
    for (const ArraySplit* p : {&s}) {
      for (int part = 0; part < 3; ++part) {
        const std::vector<Array>& arrs = part == 0 ? p->train : part == 1 ? p->valid : p->test;
        for (Index i = 0; i < arrs[0].rows(); ++i) {
          QCOMPARE(arrs[0].raw(i), arrs[1].raw(i));
          ++seen[static_cast<size_t>(arrs[0].raw(i))];
        }
      }
    }
    for (int c : seen) QCOMPARE(c, 1);
    // Same seed, same split; shuffled (not the identity).
    ArraySplit s2 = trainValidTest({x, y}, {0.7, 0.2, 0.1}, 42);
    QCOMPARE(s2.train[0].toTensor().toVector(), s.train[0].toTensor().toVector());
    QVERIFY(s.train[0].toTensor().toVector() != x.rowsRange(0, 14).toTensor().toVector());
    // Without shuffling: train, valid, test in order.
    ArraySplit o = trainValidTest({x}, {0.5, 0.25, 0.25}, 0, false);
    QCOMPARE(o.train[0].raw(0), 0.0);
    QCOMPARE(o.valid[0].raw(0), 10.0);
    QCOMPARE(o.test[0].raw(0), 15.0);
    QVERIFY_THROWS_EXCEPTION(Error, trainValidTest({x}, {0.8, 0.2, 0.2}, 0));
  }

  void shuffledIndicesIsAPermutation() {
    Rng rng(7);
    std::vector<Index> p = shuffledIndices(100, rng);
    std::vector<Index> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (Index i = 0; i < 100; ++i) QCOMPARE(sorted[i], i);
    QVERIFY(p != sorted);
  }
};

QTEST_APPLESS_MAIN(TestSplit)
#include "tst_engine_split.moc"
