#include <QtTest>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/data/StandardScaler.h"

using namespace tessel;

// StandardScaler against hand-computed statistics (sklearn semantics).
class TestScaler : public QObject {
  Q_OBJECT
 private slots:
  // x = [[1, 10], [3, 10], [5, 10], [7, 10]]: column 0 has mean 4 and population variance
  // (9 + 1 + 1 + 9) / 4 = 5; column 1 is constant, so its scale is 1 (sklearn).
  void perFeature() {
    Array x = Array::fromValues(DType::Float32, {4, 2}, {1, 10, 3, 10, 5, 10, 7, 10});
    StandardScaler s;
    s.fitPerFeature(x);
    QVERIFY(!s.isGlobal());
    QCOMPARE(s.features(), Index(2));
    QCOMPARE(s.samplesSeen(), Index(4));
    QCOMPARE(s.mean()[0], 4.0);
    QCOMPARE(s.mean()[1], 10.0);
    QCOMPARE(s.var()[0], 5.0);
    QCOMPARE(s.var()[1], 0.0);
    QCOMPARE(s.scale()[0], std::sqrt(5.0));
    QCOMPARE(s.scale()[1], 1.0);
    Array z = s.transform(x);
    QCOMPARE(z.dtype(), DType::Float32);
    const float r5 = float(std::sqrt(5.0));
    std::vector<float> want = {-3 / r5, 0, -1 / r5, 0, 1 / r5, 0, 3 / r5, 0};
    std::vector<float> got = z.toTensor().toVector();
    for (size_t i = 0; i < want.size(); ++i) QVERIFY(std::abs(got[i] - want[i]) < 1e-6f);

    Tensor t({1, 2}, {9, 12});
    s.transformInPlace(t);
    QVERIFY(std::abs(t[0] - 5 / r5) < 1e-6f);
    QCOMPARE(t[1], 2.0f);
    s.inverseTransformInPlace(t);
    QVERIFY(std::abs(t[0] - 9.0f) < 1e-5f);

    QVERIFY_THROWS_EXCEPTION(Error, s.transform(Array(DType::Float32, {2, 3})));
  }

  // uint8 {0, 2, 4, 6} seen through scale 0.5, offset 1 is {1, 2, 3, 4}: mean 2.5, var 1.25.
  void globalKeepsDtypeAndComposesAffine() {
    Array x = Array::fromValues(DType::UInt8, {2, 2}, {0, 2, 4, 6});
    x.scale = 0.5f;
    x.offset = 1.0f;
    StandardScaler s;
    s.fitGlobal(x);
    QVERIFY(s.isGlobal());
    QCOMPARE(s.samplesSeen(), Index(4));
    QCOMPARE(s.mean()[0], 2.5);
    QCOMPARE(s.var()[0], 1.25);
    Array z = s.transform(x);
    QCOMPARE(z.dtype(), DType::UInt8);
    QCOMPARE(z.bytes(), x.bytes());  // no copy of the pixels
    const double sd = std::sqrt(1.25);
    for (int i = 0; i < 4; ++i) QVERIFY(std::abs(z.value(i) - float((i + 1 - 2.5) / sd)) < 1e-6f);
    // A second fit on the transformed data gives mean 0, std 1.
    StandardScaler again;
    again.fitGlobal(z);
    QVERIFY(std::abs(again.mean()[0]) < 1e-6);
    QVERIFY(std::abs(again.scale()[0] - 1.0) < 1e-6);
  }

  // The float path (two-pass in double) on a float array, and a constant array.
  void globalFloatAndConstant() {
    Array x = Array::fromValues(DType::Float64, {5}, {2, 4, 4, 4, 5 + 1e9});
    StandardScaler s;
    s.fitGlobal(x);
    double m = (2 + 4 + 4 + 4 + 5 + 1e9) / 5.0;
    double v = 0;
    for (double e : {2.0, 4.0, 4.0, 4.0, 5.0 + 1e9}) v += (e - m) * (e - m);
    QVERIFY(std::abs(s.mean()[0] - m) < 1e-6);
    QVERIFY(std::abs(s.var()[0] / (v / 5) - 1.0) < 1e-12);

    Array c = Array::fromValues(DType::Float32, {3, 1}, {0.1, 0.1, 0.1});
    s.fitGlobal(c);
    QCOMPARE(s.scale()[0], 1.0);  // constant: scale 1, values are only centred
    QVERIFY(std::abs(s.transform(c).value(2)) < 1e-7f);
    QVERIFY_THROWS_EXCEPTION(Error, s.fitGlobal(Array()));
  }

  void restoredScaler() {
    StandardScaler s({72.94}, {90.02}, true, 55000);
    Array x = Array::fromValues(DType::UInt8, {1}, {255});
    QVERIFY(std::abs(s.transform(x).value(0) - float((255 - 72.94) / 90.02)) < 1e-5f);
    QVERIFY_THROWS_EXCEPTION(Error, StandardScaler({1, 2}, {1}, false));
    QVERIFY_THROWS_EXCEPTION(Error, StandardScaler().transform(x));
  }
};

QTEST_APPLESS_MAIN(TestScaler)
#include "tst_engine_scaler.moc"
