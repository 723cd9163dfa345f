// The compile panel offers exactly the catalogs' entries: its optimizer, loss, metric and schedule
// lists equal the catalogs (in catalog order), the fields it shows for each optimizer hold the
// catalog's Keras defaults (Adam's epsilon 1e-7, ...), and every optimizer, loss and metric it
// offers passes the name checks the command line's --optimizer / --loss / --metrics use and builds
// in the engine.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QtTest>

#include "engine/catalog/CompileNames.h"
#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"
#include "engine/catalog/OptimizerCatalog.h"
#include "engine/catalog/ScheduleCatalog.h"
#include "engine/graph/ModelSpec.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"
#include "engine/optimizers/Optimizer.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/LossMetricEditor.h"
#include "ui/training/OptimizerEditor.h"
#include "ui/training/ParamForm.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

ModelSpec classifier() {
  json m = {{"class_name", "Sequential"},
            {"config",
             {{"name", "clf"},
              {"layers",
               {{{"class_name", "Dense"},
                 {"config",
                  {{"name", "dense"},
                   {"units", 10},
                   {"activation", "softmax"},
                   {"batch_input_shape", {nullptr, 4}}}}}}}}}};
  return ModelSpec::fromKerasJson(m);
}

QStringList items(const QComboBox* box) {
  QStringList out;
  for (int i = 0; i < box->count(); ++i) out << box->itemText(i);
  return out;
}

template <typename Entry>
QString shortName(const Entry& e) {
  return QString::fromStdString(e.aliases.empty() ? e.className : e.aliases.front());
}

// The value a ParamForm field shows, as JSON (null for an empty None field).
json shown(QWidget* w) {
  if (auto* b = qobject_cast<QCheckBox*>(w)) return b->isChecked();
  if (auto* s = qobject_cast<QSpinBox*>(w)) return s->value();
  if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) return d->value();
  if (auto* e = qobject_cast<QLineEdit*>(w))
    return e->text().isEmpty() ? json(nullptr) : json(e->text().toStdString());
  return json("?");
}

}  // namespace

class TestCompileCatalogsPanel : public QObject {
  Q_OBJECT

 private slots:
  void listsAreTheCatalogs() {
    CompilePanel p;
    p.setModel(classifier());
    QStringList optimizers, losses, metrics, schedules{QStringLiteral("None")};
    for (const OptimizerEntry& e : optimizerCatalog().all())
      optimizers << QString::fromStdString(e.className);
    // The custom loss entry (ExpressionLoss) is "custom…", which opens its expression editor.
    for (const LossEntry& e : lossCatalog().all())
      losses << (e.className == "ExpressionLoss" ? LossMetricEditor::customItem() : shortName(e));
    for (const std::string& n : resolvedMetricNames()) metrics << QString::fromStdString(n);
    for (const MetricEntry& e : metricCatalog().all()) metrics << shortName(e);
    for (const ScheduleEntry& e : scheduleCatalog().all())
      schedules << QString::fromStdString(e.className);
    QCOMPARE(items(p.optimizerBox()), optimizers);
    QCOMPARE(items(p.lossBox(0)), losses);
    QCOMPARE(CompilePanel::metricNames(), metrics);
    QCOMPARE(items(p.optimizerEditor()->scheduleBox()), schedules);
    // The metrics field tells which names it takes.
    auto* metricsEdit = p.lossMetricEditor()->metricsEdit(0);
    for (const QString& m : metrics) QVERIFY2(metricsEdit->toolTip().contains(m), qPrintable(m));
  }

  void optimizerFieldsShowTheCatalogDefaults() {
    CompilePanel p;
    p.setModel(classifier());
    for (const OptimizerEntry& e : optimizerCatalog().all()) {
      p.optimizerBox()->setCurrentText(QString::fromStdString(e.className));
      ParamForm* form = p.optimizerEditor()->paramForm();
      QVERIFY(form);
      for (const ParamSpec& param : e.params) {
        QWidget* field = form->field(param.key);
        QVERIFY2(field, (e.className + "." + param.key).c_str());
        const json value = shown(field);
        if (param.defaultValue.is_number())
          QCOMPARE(value.get<double>(), param.defaultValue.get<double>());
        else
          QCOMPARE(value, param.defaultValue);
      }
      // Panel and static defaults are the catalog's.
      QCOMPARE(CompilePanel::optimizerDefaults(QString::fromStdString(e.className)),
               e.defaultConfig());
      // What the panel hands to training builds in the engine with the same values.
      const json oc = p.trainingConfig()["optimizer_config"];
      QCOMPARE(oc["class_name"], json(e.className));
      auto built = makeOptimizer(oc);
      for (const ParamSpec& param : e.params) {
        if (param.defaultValue.is_number())
          QCOMPARE(built->config()[param.key].get<double>(), param.defaultValue.get<double>());
        else
          QCOMPARE(built->config()[param.key], param.defaultValue);
      }
    }
    p.optimizerBox()->setCurrentText("Adam");
    auto* eps = p.optimizerEditor()->paramForm()->findChild<QDoubleSpinBox*>("epsilon");
    QVERIFY(eps);
    QCOMPARE(eps->value(), 1e-7);
  }

  void everyOfferedNamePassesTheCliChecks() {
    CompilePanel p;
    p.setModel(classifier());
    for (const QString& o : items(p.optimizerBox())) {
      QCOMPARE(optimizerNameError(o.toStdString()), std::string());
      QVERIFY(makeOptimizer(o.toStdString()));
    }
    for (const QString& l : items(p.lossBox(0))) {
      if (l == LossMetricEditor::customItem()) continue;  // an editor, not a name
      QCOMPARE(lossNameError(l.toStdString()), std::string());
      QVERIFY(makeLoss(l.toStdString()));
    }
    auto loss = makeLoss("sparse_categorical_crossentropy");
    for (const QString& m : CompilePanel::metricNames()) {
      QCOMPARE(metricNameError(m.toStdString()), std::string());
      QVERIFY(makeMetric(m.toStdString(), loss.get(), {kNone, 10}));
      // Chosen in the panel, the whole compile settings pass the engine's parser.
      p.lossMetricEditor()->metricsEdit(0)->setText(m);
      QCOMPARE(p.compileOptions().metrics.at(0).at(0), json(m.toStdString()));
    }
    QVERIFY(!optimizerNameError("adadelta").empty());
  }

  void everyScheduleStartsFromAValidConfig() {
    CompilePanel p;
    p.setModel(classifier());
    p.optimizerBox()->setCurrentText("SGD");
    p.learningRateBox()->setValue(0.05);
    QComboBox* schedule = p.optimizerEditor()->scheduleBox();
    for (int i = 1; i < schedule->count(); ++i) {
      schedule->setCurrentIndex(i);
      const json lr = p.trainingConfig()["optimizer_config"]["config"]["learning_rate"];
      QCOMPARE(QString::fromStdString(lr.value("class_name", std::string())),
               schedule->itemText(i));
      if (lr["config"].contains("initial_learning_rate"))
        QCOMPARE(lr["config"]["initial_learning_rate"].get<double>(), 0.05);
      auto opt = makeOptimizer(p.trainingConfig()["optimizer_config"]);
      QVERIFY(opt->schedule());
    }
  }
};

QTEST_MAIN(TestCompileCatalogsPanel)
#include "tst_ui_compilecatalogs.moc"
