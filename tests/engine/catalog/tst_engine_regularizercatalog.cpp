// The regularizer catalog: every entry, serialized as Keras writes it ({"class_name", "config"})
// with its catalog defaults, is read by Regularizer::fromJson with those factors; every name
// (class and alias) is one the engine reads, with the factors Keras 2 gives it; the catalog is
// what paramValueError accepts for a Regularizer parameter (no other name), and null is none.
#include <QtTest>

#include "engine/catalog/ParamSpec.h"
#include "engine/catalog/RegularizerCatalog.h"
#include "engine/layers/Regularizers.h"

using namespace tessel;

class TestRegularizerCatalog : public QObject {
  Q_OBJECT

 private slots:
  void entriesAreKerasRegularizers() {
    QStringList names;
    for (const auto& e : regularizerCatalog().all()) names << QString::fromStdString(e.className);
    QCOMPARE(names, (QStringList{"L1", "L2", "L1L2"}));
  }

  void defaultsRoundTripThroughTheEngine() {
    for (const auto& e : regularizerCatalog().all()) {
      const json config = e.defaultConfig();
      const Regularizer r =
          Regularizer::fromJson({{"class_name", e.className}, {"config", config}});
      QVERIFY(r.active);
      QCOMPARE(r.l1, config.value("l1", 0.0));
      QCOMPARE(r.l2, config.value("l2", 0.0));
    }
    // Keras 2's defaults: L1 / L2 0.01, L1L2 zero.
    QCOMPARE(regularizerCatalog().get("L1").defaultConfig()["l1"].get<double>(), 0.01);
    QCOMPARE(regularizerCatalog().get("L2").defaultConfig()["l2"].get<double>(), 0.01);
    QCOMPARE(regularizerCatalog().get("L1L2").defaultConfig()["l1"].get<double>(), 0.0);
  }

  void aliasesAreNamesTheEngineReads() {
    for (const auto& e : regularizerCatalog().all())
      for (const std::string& alias : e.aliases) {
        const Regularizer byAlias = Regularizer::fromJson(alias);
        const json def = e.defaultConfig();
        QCOMPARE(byAlias.l1, def.value("l1", 0.0));
        QCOMPARE(byAlias.l2, def.value("l2", 0.0));
        QCOMPARE(regularizerCatalog().find(alias), &e);
      }
  }

  void paramValueErrorAgrees() {
    ParamSpec p = paramspec::param("kernel_regularizer", ParamType::Regularizer, nullptr, "");
    QVERIFY(paramValueError(p, nullptr).empty());
    for (const auto& e : regularizerCatalog().all())
      QVERIFY(
          paramValueError(p, {{"class_name", e.className}, {"config", e.defaultConfig()}}).empty());
    QVERIFY(!paramValueError(p, {{"class_name", "L3"}, {"config", json::object()}}).empty());
    QVERIFY(regularizerCatalog().find("L3") == nullptr);
    // A negative factor is refused by both.
    QVERIFY(!paramValueError(p, {{"class_name", "L2"}, {"config", {{"l2", -1.0}}}}).empty());
    QVERIFY(!regularizerCatalog().get("L2").params[0].defaultValue.is_null());
    QCOMPARE(regularizerCatalog().get("L2").params[0].min, 0.0);
  }
};

QTEST_APPLESS_MAIN(TestRegularizerCatalog)
#include "tst_engine_regularizercatalog.moc"
