// kerasNumber: Keras's progress-bar number format ("%.4f" above 1e-3 in absolute value, else
// "%.4e", so 0 prints "0.0000e+00"), shared by the trainer's progress lines and the command line.
#include <QtTest>

#include "engine/core/KerasFormat.h"

using namespace tessel;

class TestKerasFormat : public QObject {
  Q_OBJECT

 private slots:
  void asKerasProgbar() {
    QCOMPARE(kerasNumber(0.0), std::string("0.0000e+00"));
    QCOMPARE(kerasNumber(-0.0), std::string("-0.0000e+00"));
    QCOMPARE(kerasNumber(0.30124), std::string("0.3012"));
    QCOMPARE(kerasNumber(12.5), std::string("12.5000"));
    QCOMPARE(kerasNumber(-0.002), std::string("-0.0020"));
    QCOMPARE(kerasNumber(1e-3), std::string("1.0000e-03"));  // not above 1e-3
    QCOMPARE(kerasNumber(5e-4), std::string("5.0000e-04"));
    QCOMPARE(kerasNumber(-2.5e-7), std::string("-2.5000e-07"));
  }
};

QTEST_APPLESS_MAIN(TestKerasFormat)
#include "tst_engine_kerasformat.moc"
