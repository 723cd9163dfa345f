#include <QtTest>

#include "engine/tensor/Tensor.h"

using namespace tessel;

class TestTensor : public QObject {
  Q_OBJECT
 private slots:
  void shapeToStringIsKerasStyle() {
    QCOMPARE(QString::fromStdString(shapeToString({kNone, 28, 28, 1})),
             QString("(None, 28, 28, 1)"));
    QCOMPARE(QString::fromStdString(shapeToString({kNone})), QString("(None,)"));
    QCOMPARE(QString::fromStdString(shapeToString({})), QString("()"));
  }
  void resizeKeepsCapacity() {
    Tensor t({4, 8});
    const float* before = t.data();
    t.resize({2, 8});
    QCOMPARE(t.size(), Index(16));
    QCOMPARE(t.data(), before);
    t.resize({4, 8});
    QCOMPARE(t.data(), before);
  }
  void matrixViewIsRowMajor() {
    Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
    auto m = t.matrix();
    QCOMPARE(m(1, 0), 4.0f);
    QCOMPARE(m.cols(), Index(3));
    QVERIFY(reinterpret_cast<std::uintptr_t>(t.data()) % EIGEN_MAX_ALIGN_BYTES == 0);
  }
  void rejectsUnknownDimensionAndBadValues() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Tensor({kNone, 3}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Tensor({2, 2}, {1, 2, 3}));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, Tensor({2}).dim(3));
  }
};

QTEST_APPLESS_MAIN(TestTensor)
#include "tst_engine_tensor.moc"
