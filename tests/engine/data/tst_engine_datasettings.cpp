// DataSettings: JSON round trip, a stable hash (fixed expected value), validation messages.
#include <QtTest>

#include <functional>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DataSettings.h"
#include "engine/data/FashionLocalization.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

class TestDataSettings : public QObject {
  Q_OBJECT

 private slots:
  void roundTripAndHash() {
    DataSettings d;
    d.kind = "fashion_mnist_localization";
    LocalizationOptions lo;
    lo.count = 5000;
    lo.seed = 3;
    d.options = lo.toJson();
    d.fractions = {0.7, 0.2, 0.1};
    d.splitSeed = 11;
    d.normalization = "rescale";
    d.augmentation.flipHorizontal = true;
    d.augmentation.zoom = 0.1;
    const auto j = d.toJson();
    const DataSettings back = DataSettings::fromJson(j);
    QCOMPARE(back.toJson(), j);
    QCOMPARE(back.hash(), d.hash());
    QCOMPARE(back.hash().size(), size_t(16));
    // Through text, as the project file stores it.
    QCOMPARE(DataSettings::fromJson(nlohmann::json::parse(j.dump(2))).hash(), d.hash());
    QCOMPARE(LocalizationOptions::fromJson(back.options).toJson(), lo.toJson());
    // Any change changes the hash.
    DataSettings e = d;
    e.augmentation.zoom = 0.2;
    QVERIFY(e.hash() != d.hash());
    e = d;
    e.splitSeed = 12;
    QVERIFY(e.hash() != d.hash());
    // The hash is FNV-1a 64 of the compact dump: fixed for fixed settings.
    QCOMPARE(QString::fromStdString(DataSettings().hash()),
             QString("%1").arg(fnv1a64(DataSettings().toJson().dump()), 16, 16, QChar('0')));
  }

  void csvOptions() {
    CsvSpec spec;
    spec.naValues = {"?"};
    spec.columns = {{"a"}, {"b", ColumnRole::Label}};
    DataSettings d;
    d.kind = "csv";
    d.path = "/data/x.csv";
    d.options = spec.toJson();
    const DataSettings back = DataSettings::fromJson(d.toJson());
    QCOMPARE(CsvSpec::fromJson(back.options).toJson(), spec.toJson());
  }

  void validation() {
    QVERIFY(errorOf([] {
              DataSettings::fromJson({{"kind", "parquet"}});
            }).contains("unknown kind 'parquet'"));
    QVERIFY(errorOf([] {
              DataSettings::fromJson({{"split", {{"fractions", {0.8, 0.3, 0.1}}}}});
            }).contains("sum to more than 1"));
    QVERIFY(errorOf([] {
              DataSettings::fromJson({{"normalization", {{"mode", "minmax"}}}});
            }).contains("unknown normalization"));
    QVERIFY(errorOf([] {
              DataSettings::fromJson({{"augmentation", {{"zoom", -1}}}});
            }).contains("augmentation"));
    QVERIFY(errorOf([] {
              DataSettings::fromJson({{"split", {{"seed", "x"}}}});
            }).contains("malformed"));
    QVERIFY(errorOf([] {
              DataSettings::fromJson(nlohmann::json::array());
            }).contains("expected a JSON object"));
  }
};

QTEST_APPLESS_MAIN(TestDataSettings)
#include "tst_engine_datasettings.moc"
