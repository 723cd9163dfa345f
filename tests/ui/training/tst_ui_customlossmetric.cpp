// Custom losses and metrics in the compile panel with real widgets (offscreen): "custom…" in the
// loss combo opens an expression editor over y_true, y_pred and sample_weight; a typo is shown at
// its character and blocks OK; the seed's customized_mse typed in trains one epoch from the
// training panel to the same loss as the built-in "mse" (its expression runs the built-in kernel,
// bit for bit), and a custom metric (the metrics field's ƒ+ button) averages like Keras's
// MeanMetricWrapper, equal to "mae". Both are kept in the compile settings and in the project file.
#include <QAbstractItemView>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/store/Project.h"
#include "tests/support/StateOutputModel.h"
#include "tests/support/TinyModel.h"
#include "ui/expr/CustomFunctionDialog.h"
#include "ui/expr/ExpressionField.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/LossMetricEditor.h"
#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

const char* kSeedLoss = "tf.reduce_mean(tf.square(y_pred - y_true))";

ModelSpec tiny() {
  return ModelSpec::fromKerasJson(tinyTopology());
}

// Picks `text` from the combo's popup list (opened, item made current, Return).
void pick(QComboBox* combo, const QString& text) {
  const int i = combo->findText(text);
  QVERIFY2(i >= 0, qPrintable(text));
  combo->showPopup();
  QAbstractItemView* list = combo->view();
  list->setCurrentIndex(list->model()->index(i, 0));
  QTest::keyClick(list, Qt::Key_Return);
}

void typeInto(QLineEdit* e, const QString& text) {
  e->setFocus();
  e->selectAll();
  QTest::keyClick(e, Qt::Key_Delete);
  QTest::keyClicks(e, text);
}

QPushButton* okButton(CustomFunctionDialog* d) {
  return d->buttons()->button(QDialogButtonBox::Ok);
}

// Trains one epoch from the training panel's Start button with the compile panel's settings;
// returns the epoch logs shown on the plot.
std::map<QString, double> trainOneEpoch(const CompilePanel& compile, const QStringList& keys) {
  TrainingPanel panel;
  FitOptions fit = compile.fitOptions();
  fit.epochs = 1;
  fit.seed = 3;
  panel.setJob(tiny(), compile.compileOptions(), tinyData(), fit);
  QSignalSpy finished(panel.controller(), &TrainingController::finished);
  QTest::mouseClick(panel.startButton(), Qt::LeftButton);
  [&] { QTRY_VERIFY_WITH_TIMEOUT(!panel.controller()->isRunning(), 30000); }();
  std::map<QString, double> out;
  if (finished.count() != 1 || finished.at(0).at(0).toString() != "finished") return out;
  for (const QString& k : keys) {
    const QVector<double> v = panel.plot()->epochValues(k);
    if (v.size() == 1) out[k] = v[0];
  }
  return out;
}

}  // namespace

class TestUiCustomLossMetric : public QObject {
  Q_OBJECT

 private slots:
  void customLossAndMetricTrainLikeTheBuiltIns() {
    CompilePanel p;
    p.resize(900, 700);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    p.setModel(tiny());
    LossMetricEditor* editor = p.lossMetricEditor();
    QComboBox* loss = p.lossBox(0);
    QCOMPARE(loss->currentText(), QString("mse"));
    QCOMPARE(loss->itemText(loss->count() - 1), LossMetricEditor::customItem());

    // "custom…" opens the editor over y_true, y_pred, sample_weight of the output (None, 1).
    pick(loss, LossMetricEditor::customItem());
    CustomFunctionDialog* d = editor->customDialog();
    QVERIFY(d);
    QTRY_VERIFY(d->isVisible());
    typeInto(d->nameEdit(), "customized_mse");
    ExpressionField* f = d->expressionField();
    typeInto(f->lineEdit(), "tf.reduce_mean(tf.square(y_pred - y_tru))");
    QVERIFY(!f->isValid());
    QCOMPARE(f->errorColumn(), 35);
    QVERIFY(f->errorText().contains("unknown name 'y_tru'"));
    QVERIFY(!okButton(d)->isEnabled());
    typeInto(f->lineEdit(), kSeedLoss);
    QVERIFY(f->isValid());
    QCOMPARE(f->shapeText(), QString("()"));  // one number for the batch
    QVERIFY(okButton(d)->isEnabled());
    QTest::mouseClick(okButton(d), Qt::LeftButton);
    QCOMPARE(loss->currentText(), QString("customized_mse"));
    const json customLoss = {{"class_name", "ExpressionLoss"},
                             {"config", {{"name", "customized_mse"}, {"expression", kSeedLoss}}}};
    QCOMPARE(p.trainingConfig()["loss"], customLoss);

    // The metrics field's button adds a custom metric by name.
    QAction* addMetric = editor->customMetricAction(0);
    QVERIFY(addMetric);
    addMetric->trigger();
    d = editor->customDialog();
    QVERIFY(d);
    typeInto(d->nameEdit(), "my_mae");
    typeInto(d->expressionField()->lineEdit(), "K.mean(K.abs(y_pred - y_true), axis=-1)");
    QCOMPARE(d->expressionField()->shapeText(), QString("(None,)"));  // one value per sample
    QTest::mouseClick(okButton(d), Qt::LeftButton);
    QCOMPARE(editor->metricsEdit(0)->text(), QString("mae, my_mae"));
    const json metrics = p.trainingConfig()["metrics"];
    QCOMPARE(metrics[0], json("mae"));
    QCOMPARE(metrics[1]["class_name"], json("ExpressionMetric"));
    QCOMPARE(metrics[1]["config"]["name"], json("my_mae"));

    // Cancel leaves the loss as it was.
    pick(loss, LossMetricEditor::customItem());
    QVERIFY(editor->customDialog());
    QCOMPARE(editor->customDialog()->expressionField()->text(), QString(kSeedLoss));
    editor->customDialog()->reject();
    QCOMPARE(loss->currentText(), QString("customized_mse"));

    // Saved in the project's compile settings and read back into a new panel.
    QTemporaryDir dir;
    const std::string path = dir.filePath("p.tessel").toStdString();
    {
      auto project = Project::create(path);
      const auto id = project.addModel("tiny", tinyTopology());
      ModelRecord m = *project.model(id);
      m.compileSettings = p.settings();
      project.updateModel(m);
    }
    CompilePanel q;
    q.setModel(tiny());
    q.setSettings(Project::open(path, true).model("tiny")->compileSettings);
    QCOMPARE(q.lossBox(0)->currentText(), QString("customized_mse"));
    QCOMPARE(q.lossMetricEditor()->metricsEdit(0)->text(), QString("mae, my_mae"));
    QCOMPARE(q.trainingConfig(), p.trainingConfig());

    // One epoch from the training panel: the same loss as the built-in mse run.
    const auto custom = trainOneEpoch(q, {"loss", "mae", "my_mae"});
    CompilePanel builtin;
    builtin.setModel(tiny());
    QCOMPARE(builtin.lossBox(0)->currentText(), QString("mse"));
    const auto reference = trainOneEpoch(builtin, {"loss", "mae"});
    QCOMPARE(custom.size(), size_t(3));
    QCOMPARE(reference.size(), size_t(2));
    QCOMPARE(custom.at("loss"), reference.at("loss"));
    QCOMPARE(custom.at("mae"), reference.at("mae"));
    QVERIFY(std::abs(custom.at("my_mae") - reference.at("mae")) < 1e-6);
  }

  void screenshot() {
    CompilePanel p;
    p.resize(900, 640);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    p.setModel(tiny());
    pick(p.lossBox(0), LossMetricEditor::customItem());
    CustomFunctionDialog* d = p.lossMetricEditor()->customDialog();
    QVERIFY(d);
    typeInto(d->expressionField()->lineEdit(), "tf.reduce_mean(tf.square(y_pred - y_tru))");
    const QString dir = qEnvironmentVariable("TESSEL_SHOTS");
    if (!dir.isEmpty()) {
      QVERIFY(d->grab().save(dir + "/h16_custom_loss_error.png"));
      typeInto(d->expressionField()->lineEdit(), kSeedLoss);
      QVERIFY(d->grab().save(dir + "/h16_custom_loss.png"));
      QTest::mouseClick(okButton(d), Qt::LeftButton);
      QVERIFY(p.grab().save(dir + "/h16_compile_custom.png"));
    }
  }

  // Outputs [per_step (None, 6, 2), lstm's state h (None, 5)]: the custom loss editor of each
  // row works on that output's tensor, h's shape for the state (not the LSTM's sequence output).
  void stateOutputShapeInCustomDialog() {
    CompilePanel p;
    p.resize(900, 700);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    p.setModel(testutil::lstmStateModel({"per_step", "h"}));
    LossMetricEditor* editor = p.lossMetricEditor();
    QCOMPARE(editor->outputNames(), QStringList({"per_step", "lstm"}));
    const QStringList want = {"(None, 6, 2)", "(None, 5)"};
    for (int row = 0; row < 2; ++row) {
      pick(p.lossBox(row), LossMetricEditor::customItem());
      CustomFunctionDialog* d = editor->customDialog();
      QVERIFY(d);
      QTRY_VERIFY(d->isVisible());
      typeInto(d->expressionField()->lineEdit(), "tf.square(y_pred - y_true)");
      QVERIFY(d->expressionField()->isValid());
      QCOMPARE(d->expressionField()->shapeText(), want[row]);
      d->reject();
      QTRY_VERIFY(!editor->customDialog());
    }
  }
};

QTEST_MAIN(TestUiCustomLossMetric)
#include "tst_ui_customlossmetric.moc"
