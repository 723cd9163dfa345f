// Every "new model from template" of the studio (ui/editor/ModelTemplates) survives Keras 2 ->
// spec -> Keras 3 JSON -> spec unchanged, and builds into a model afterwards.
#include <QtTest>

#include "engine/io/Keras3Json.h"
#include "engine/train/Model.h"
#include "ui/editor/ModelTemplates.h"

using namespace tessel;

class TestTemplatesRoundTrip : public QObject {
  Q_OBJECT

 private slots:
  void everyTemplate() {
    const QStringList names = ui::ModelTemplates::names();
    QVERIFY(names.size() >= 5);
    for (const QString& name : names) {
      ModelSpec spec = ui::ModelTemplates::spec(name);
      ModelSpec keras2 = ModelSpec::fromKerasJson(json::parse(spec.toKerasJson().dump()));
      ModelSpec keras3 = ModelSpec::fromKerasJson(json::parse(toKeras3Json(keras2).dump()));
      QVERIFY2(keras2 == spec, qPrintable(name));
      QVERIFY2(keras3 == spec, qPrintable(name));
      Model m(keras3, 0);
      QVERIFY(m.parameterCount() > 0);
    }
  }
};

QTEST_APPLESS_MAIN(TestTemplatesRoundTrip)
#include "tst_app_templatesroundtrip.moc"
