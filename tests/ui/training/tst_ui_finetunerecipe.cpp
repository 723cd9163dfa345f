// "Fine-tune in two phases" in the compile panel, driven through its real widgets (keyboard on
// the group's check box, the spin boxes and the base-layer list): live validation, the recipe in
// the panel's settings, the pre-flight refusing a recipe with nothing to train, and Start running
// both phases of the tiny model as ONE recorded run (head epochs + fine-tune epochs in its
// history, the "fine_tune" marker between them in the project and in the live plot, the recipe
// in the run's settings; resuming it is refused). With TESSEL_SCREENSHOTS=<dir>:
// finetune_recipe_panel.png and finetune_recipe_dashboard.png.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"
#include "tests/support/TinyModel.h"
#include "tests/ui/training/DashboardTestSupport.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/FineTuneRecipeBox.h"
#include "ui/training/LossPlot.h"
#include "ui/training/PreflightList.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

// Types `value` into a spin box as a user does: select all, type.
void typeInto(QAbstractSpinBox* box, const QString& value) {
  QLineEdit* edit = box->findChild<QLineEdit*>();
  QVERIFY(edit);
  box->setFocus();
  QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(edit, value);
  QTest::keyClick(edit, Qt::Key_Enter);
}

// Toggles a checkable group box with the keyboard (Space on the focused box).
void toggle(QGroupBox* box) {
  box->setFocus();
  QTest::keyClick(box, Qt::Key_Space);
}

// Picks `layer` in the base-layer list with the keyboard (Down from the first entry).
void pickBase(QComboBox* combo, const QString& layer) {
  const int target = combo->findData(layer);
  QVERIFY(target >= 0);
  combo->setFocus();
  QTest::keyClick(combo, Qt::Key_Home);
  for (int i = 0; i < target; ++i) QTest::keyClick(combo, Qt::Key_Down);
  QCOMPARE(combo->currentData().toString(), layer);
}

void shot(QWidget* w, const QString& name) {
  if (const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !dir.isEmpty()) {
    QTest::qWait(50);  // the posted layout requests (a longer status line) first
    QVERIFY(w->grab().save(dir + "/" + name));
  }
}

}  // namespace

class TestFineTuneRecipe : public QObject {
  Q_OBJECT

 private slots:
  void validatesLiveAndStoresTheRecipe() {
    CompilePanel panel;
    panel.resize(480, 1400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setModel(ModelSpec::fromKerasJson(tinyTopology()));
    FineTuneRecipeBox* box = panel.fineTuneBox();
    QVERIFY(!box->isChecked());
    QVERIFY(box->config().is_null());
    QVERIFY(!panel.settings().contains("fine_tune"));
    QVERIFY(panel.epochsBox()->isEnabled());

    QSignalSpy changed(&panel, &CompilePanel::changed);
    toggle(box);
    QVERIFY(box->isChecked());
    QVERIFY(changed.count() > 0);
    QVERIFY(!panel.epochsBox()->isEnabled());  // the recipe's epochs count now
    // The base list: the graph's flags, then the layers in Keras order (no InputLayer).
    QComboBox* base = box->baseEndBox();
    QCOMPARE(base->count(), 3);
    QCOMPARE(base->itemData(1).toString(), QString("dense"));
    QCOMPARE(base->itemData(2).toString(), QString("dense_1"));

    typeInto(box->headEpochsBox(), "2");
    typeInto(box->unfreezeLastBox(), "2");
    typeInto(box->lrFactorBox(), "0.5");
    typeInto(box->fineTuneEpochsBox(), "3");
    pickBase(base, "dense");
    QVERIFY2(box->problem().isEmpty(), qPrintable(box->problem()));
    // Phase 1: dense_1 only (8 + 1); phase 2: dense (3 * 8 + 8) and dense_1.
    QVERIFY2(box->statusText().contains("Phase 1: 9 trainable parameters for 2 epochs"),
             qPrintable(box->statusText()));
    QVERIFY2(box->statusText().contains("the last 2 layers, 41 trainable parameters"),
             qPrintable(box->statusText()));
    QVERIFY(box->statusText().contains("5 epochs in all"));

    const nlohmann::json recipe = panel.settings().at("fine_tune");
    QCOMPARE(recipe.at("head_epochs").get<int>(), 2);
    QCOMPARE(recipe.at("unfreeze_last").get<int>(), 2);
    QCOMPARE(recipe.at("lr_factor").get<double>(), 0.5);
    QCOMPARE(recipe.at("fine_tune_epochs").get<int>(), 3);
    QCOMPARE(recipe.at("base_end").get<std::string>(), std::string("dense"));
    // The stored settings read back into another panel (the model's compile settings).
    CompilePanel other;
    other.setModel(ModelSpec::fromKerasJson(tinyTopology()));
    other.setSettings(panel.settings());
    QVERIFY(other.fineTuneBox()->isChecked());
    QCOMPARE(other.fineTuneBox()->config(), recipe);
    QVERIFY(!other.epochsBox()->isEnabled());
    // And RunSettings (the run's settings) accepts the key.
    QCOMPARE(RunSettings::fromJson(panel.settings()).fineTune, recipe);
    shot(box, "finetune_recipe_panel.png");

    // Everything up to the output frozen: phase 1 has nothing to train.
    pickBase(base, "dense_1");
    QVERIFY2(box->problem().contains("phase 1 has nothing to train"), qPrintable(box->problem()));
    QVERIFY(box->statusLabel()->styleSheet().contains("#c00000"));
    shot(box, "finetune_recipe_error.png");
    // Unfreezing 0 layers: phase 2 has nothing to train.
    pickBase(base, "dense");
    typeInto(box->unfreezeLastBox(), "0");
    QVERIFY2(box->problem().contains("phase 2 has nothing to train"), qPrintable(box->problem()));
    typeInto(box->unfreezeLastBox(), "1");  // dense_1 only: allowed, with a warning
    QVERIFY(box->problem().isEmpty());
    QVERIFY(box->statusText().contains("Warning: phase 2 trains no more than phase 1"));

    // A graph that lost the base layer: kept in the list, reported.
    panel.setModel(ModelSpec::fromKerasJson(tinyTopology(8, "tiny")));
    QVERIFY(box->problem().isEmpty());
    nlohmann::json stale = recipe;
    stale["base_end"] = "conv_gone";
    box->setConfig(stale);
    QVERIFY(box->isChecked());
    QVERIFY2(box->problem().contains("'conv_gone' is not in the graph"),
             qPrintable(box->problem()));

    // Off again: no recipe in the settings, the fit epochs count.
    toggle(box);
    QVERIFY(!box->isChecked());
    QVERIFY(box->problem().isEmpty());
    QVERIFY(!panel.settings().contains("fine_tune"));
    QVERIFY(panel.epochsBox()->isEnabled());
  }

  void preflightRefusesABadRecipe() {
    QTemporaryDir dir;
    const QString path = dir.filePath("bad.tessel");
    TrainingDashboard dash;
    dash.resize(1400, 900);
    openTinyDashboard(dash, path);
    FineTuneRecipeBox* box = dash.compilePanel()->fineTuneBox();
    toggle(box);
    pickBase(box->baseEndBox(), "dense_1");
    QVERIFY(!box->problem().isEmpty());
    QTest::mouseClick(dash.trainingPanel()->startButton(), Qt::LeftButton);
    QVERIFY(!dash.trainingPanel()->controller()->isRunning());
    QVERIFY(dash.preflightList()->errorCount() > 0);
    QVERIFY(Project::open(path.toStdString(), true).runs().empty());
  }

  void trainRunsBothPhasesAsOneRun() {
    QTemporaryDir dir;
    const QString path = dir.filePath("ft.tessel");
    TrainingDashboard dash;
    dash.resize(1400, 900);
    const qint64 modelId = openTinyDashboard(dash, path);
    CompilePanel* c = dash.compilePanel();
    c->optimizerBox()->setCurrentText("Adam");
    typeInto(c->learningRateBox(), "0.01");
    typeInto(c->batchSizeBox(), "16");
    typeInto(c->validationSplitBox(), "0.25");
    FineTuneRecipeBox* box = c->fineTuneBox();
    toggle(box);
    typeInto(box->headEpochsBox(), "2");
    pickBase(box->baseEndBox(), "dense");
    typeInto(box->unfreezeLastBox(), "2");
    typeInto(box->lrFactorBox(), "0.5");
    typeInto(box->fineTuneEpochsBox(), "3");
    QVERIFY(box->problem().isEmpty());

    TrainingPanel* panel = dash.trainingPanel();
    TrainingController* controller = panel->controller();
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY(controller->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() == 1, 60000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
    QCOMPARE(finished[0][0].toString(), QString("finished"));
    QTRY_VERIFY(!controller->isRunning());

    // One run of the model, 2 + 3 epochs, finished, with the recipe in its settings.
    Project project = Project::open(path.toStdString(), true);
    const std::vector<RunRecord> runs = project.runs();
    QCOMPARE(runs.size(), size_t(1));
    const RunRecord& run = runs[0];
    QCOMPARE(run.modelId, modelId);
    QCOMPARE(run.status, RunStatus::Finished);
    QCOMPARE(run.epochsDone, 5);
    QVERIFY(run.settings.contains("fine_tune"));
    QCOMPARE(run.settings["fine_tune"], box->config());
    QCOMPARE(run.settings["fit"]["epochs"].get<int>(), 5);
    const RunSettings settings = RunSettings::fromJson(run.settings);
    QCOMPARE(settings.fineTune["base_end"].get<std::string>(), std::string("dense"));

    // The history: epochs 0..4 of loss and val_loss, each once.
    std::set<int> lossEpochs, valEpochs;
    for (const MetricPoint& m : project.epochMetrics(run.id)) {
      if (m.name == "loss") QVERIFY(lossEpochs.insert(m.epoch).second);
      if (m.name == "val_loss") QVERIFY(valEpochs.insert(m.epoch).second);
    }
    QCOMPARE(lossEpochs, (std::set<int>{0, 1, 2, 3, 4}));
    QCOMPARE(valEpochs, (std::set<int>{0, 1, 2, 3, 4}));

    // The marker between the phases: recorded once at epoch 2 with phase 2's learning rate
    // (Adam 0.01 x 0.5) and the unfrozen layers.
    const std::vector<RunEvent> marks = eventsOf(path, run.id, "fine_tune");
    QCOMPARE(marks.size(), size_t(1));
    QCOMPARE(marks[0].epoch, 2);
    QCOMPARE(marks[0].payload["learning_rate"].get<double>(), 0.005);
    QCOMPARE(marks[0].payload["unfrozen"], (nlohmann::json{"dense", "dense_1"}));
    // The live plot shows it too, and the curve has all five epochs.
    QVERIFY(panel->plot()->eventMarkerKinds().contains("fine_tune"));
    QCOMPARE(panel->plot()->epochValues("loss").size(), 5);
    QVERIFY(panel->statusLabel()->text().contains("5/5") ||
            panel->statusLabel()->text().contains("finished"));
    shot(&dash, "finetune_recipe_dashboard.png");

    // Resuming it is refused with a message (phase 2's graph and learning rate are not the
    // recorded ones), and nothing is added to the run.
    QSignalSpy refused(controller, &TrainingController::failed);
    QVERIFY(controller->resumeRun(path, run.id, tinyData()));
    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, 20000);
    QVERIFY2(refused[0][0].toString().contains("cannot be resumed"),
             qPrintable(refused[0][0].toString()));
    QCOMPARE(Project::open(path.toStdString(), true).run(run.id)->epochsDone, 5);
  }
};

QTEST_MAIN(TestFineTuneRecipe)
#include "tst_ui_finetunerecipe.moc"
