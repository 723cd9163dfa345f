#include <QtTest>

#include <cmath>

#include "engine/core/Rng.h"

using namespace tessel;

class TestRng : public QObject {
  Q_OBJECT
 private slots:
  void sameSeedSameStream() {
    Rng a(42), b(42), c(43);
    bool differ = false;
    for (int i = 0; i < 100; ++i) {
      auto x = a.nextU64();
      QCOMPARE(x, b.nextU64());
      differ |= x != c.nextU64();
    }
    QVERIFY(differ);
  }
  void moments() {
    Rng r(7);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0, maxTrunc = 0;
    for (int i = 0; i < n; ++i) {
      float u = r.uniform();
      QVERIFY(u >= 0.0f && u < 1.0f);
      su += u;
      double z = r.normal();
      sn += z, sn2 += z * z;
      maxTrunc = std::max(maxTrunc, std::fabs(double(r.truncatedNormal(0, 1))));
    }
    QVERIFY(std::fabs(su / n - 0.5) < 0.01);
    QVERIFY(std::fabs(sn / n) < 0.01);
    QVERIFY(std::fabs(sn2 / n - 1.0) < 0.02);
    QVERIFY(maxTrunc <= 2.0);
  }
  void belowIsInRange() {
    Rng r(1);
    int counts[3] = {0, 0, 0};
    for (int i = 0; i < 3000; ++i) counts[r.below(3)]++;
    for (int c : counts) QVERIFY(c > 900 && c < 1100);
  }
};

QTEST_APPLESS_MAIN(TestRng)
#include "tst_engine_rng.moc"
