// "Apply best to model" is one undo step for the graph and the compile settings: the settings
// child of the step turns only the values the step changed, keeps a value edited by hand since,
// and copes with a panel that rounds what it shows; in the studio, Apply best after a search from
// the Search tab and the editor's Undo action put the layer units and the compile panel's
// learning rate back together, Redo applies both again.
#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <cmath>
#include <fstream>

#include "engine/io/TfjsModel.h"
#include "engine/search/SearchSpace.h"
#include "engine/store/Project.h"
#include "tests/support/SearchTab.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/search/ApplyBest.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/search/TrialsView.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;
using json = nlohmann::json;

namespace {
const std::string kExamples = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/";

using testutil::showSearchTab;

double lrOf(const json& settings) {
  return settings["compile"]["optimizer_config"]["config"]["learning_rate"].get<double>();
}
}  // namespace

class TestApplyBest : public QObject {
  Q_OBJECT
 private slots:
  // The step without a window: a "panel" that keeps 4 decimals of the learning rate.
  void graphAndSettingsAreOneStep() {
    ModelFile model = readModelFile(kExamples + "model.json");
    GraphDocument doc;
    doc.setModel(model.spec);
    QUndoStack stack;
    json panel = {{"compile", model.trainingConfig}, {"fit", {{"batch_size", 32}}}};
    auto rounded = [](json s) {
      auto& lr = s["compile"]["optimizer_config"]["config"]["learning_rate"];
      lr = std::round(lr.get<double>() * 1e4) / 1e4;
      return s;
    };
    int sets = 0;
    auto get = [&] { return panel; };
    auto set = [&](const json& s) {
      panel = rounded(s);
      ++sets;
    };
    const SearchSpace space = SearchSpace::fromJson(json::parse(R"([
        {"name": "units", "target": "layers.dense.units", "distribution": "int", "min": 1,
         "max": 100},
        {"name": "lr", "target": "optimizer.learning_rate", "distribution": "log_uniform",
         "min": 1e-4, "max": 1e-1},
        {"name": "batch", "target": "batch_size", "distribution": "choice",
         "values": [16, 64]}])"));
    const json before = panel;
    QCOMPARE(applyTrialValues(&doc, &stack, space,
                              {{"units", 12}, {"lr", 0.0234567}, {"batch", 64}}, get, set),
             3);
    QCOMPARE(stack.count(), 1);
    QCOMPARE(stack.undoText(), QString("Apply best trial"));
    QCOMPARE(doc.node("dense")->config["units"], json(12));
    QCOMPARE(lrOf(panel), 0.0235);  // as the panel keeps it
    QCOMPARE(panel["fit"]["batch_size"], json(64));
    QCOMPARE(sets, 1);

    stack.undo();  // both back, though the panel rounded the value the step wrote
    QCOMPARE(doc.node("dense")->config["units"], json(30));
    QCOMPARE(panel, rounded(before));
    stack.redo();
    QCOMPARE(doc.node("dense")->config["units"], json(12));
    QCOMPARE(lrOf(panel), 0.0235);
    QCOMPARE(panel["fit"]["batch_size"], json(64));

    // A value edited by hand since (the compile panel has no undo of its own) is kept; the
    // others go back.
    panel["fit"]["batch_size"] = 128;
    stack.undo();
    QCOMPARE(panel["fit"]["batch_size"], json(128));
    QCOMPARE(lrOf(panel), lrOf(rounded(before)));
    QCOMPARE(doc.node("dense")->config["units"], json(30));

    // Only compile values: still one step (nothing in the graph).
    QUndoStack second;
    const SearchSpace lrOnly =
        SearchSpace::fromJson(json::parse(R"([{"name": "lr", "target": "optimizer.learning_rate",
                         "distribution": "log_uniform", "min": 1e-4, "max": 1e-1}])"));
    QCOMPARE(applyTrialValues(&doc, &second, lrOnly, {{"lr", 0.05}}, get, set), 1);
    QCOMPARE(second.count(), 1);
    QCOMPARE(lrOf(panel), 0.05);
    second.undo();
    QCOMPARE(lrOf(panel), lrOf(rounded(before)));
    // Nothing to change: nothing pushed.
    QCOMPARE(applyTrialValues(&doc, &second, lrOnly, {{"lr", lrOf(panel)}}, get, set), 0);
    QCOMPARE(second.count(), 1);
  }

  // In the studio: a 2-trial search from the Search tab, Apply best, the editor's Undo / Redo.
  void applyBestInTheStudioUndoesTogether() {
    QTemporaryDir dir;
    const QString path = dir.filePath("apply.tessel");
    {
      ModelFile file = readModelFile(kExamples + "model.json");
      Project p = Project::create(path.toStdString());
      p.addModel("wide_deep", file.spec.toKerasJson());
      ModelRecord m = p.models().front();
      json data = json::parse(std::ifstream(kExamples + "data.json"));
      data["path"] = kExamples + "diabetes.csv";
      m.dataSettings = data;
      m.compileSettings = {{"compile", file.trainingConfig}};
      p.updateModel(m);
    }
    MainWindow window;
    window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Discard;
    });
    QVERIFY(window.openProject(path));
    SearchPanel* panel = showSearchTab(window);
    QVERIFY(panel);
    for (const char* target : {"layers.dense.units", "optimizer.learning_rate"}) {
      const int i = panel->spaceEditor()->candidateBox()->findText(target);
      QVERIFY2(i >= 0, target);
      panel->spaceEditor()->candidateBox()->setCurrentIndex(i);
      QTest::mouseClick(panel->spaceEditor()->markButton(), Qt::LeftButton);
    }
    panel->trialsBox()->setValue(2);
    panel->foldsBox()->setValue(2);
    panel->epochsBox()->setValue(2);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY2(panel->isRunning(), qPrintable(panel->status()));
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 300000);
    auto best = panel->trialsView()->bestTrial();
    QVERIFY(best);
    const double bestLr = best->values["optimizer_learning_rate"].get<double>();
    const int bestUnits = best->values["dense_units"].get<int>();

    GraphEditorWidget* editor = window.editor();
    // The optimizer's form is rebuilt when settings are set: the box is looked up each time.
    auto lr = [&window] { return window.dashboard()->compilePanel()->learningRateBox(); };
    QVERIFY(lr());
    const double lrBefore = lr()->value();
    QCOMPARE(lrBefore, 0.01);
    const int stepsBefore = editor->undoStack()->count();
    QTest::mouseClick(panel->trialsView()->applyBestButton(), Qt::LeftButton);
    QCOMPARE(editor->undoStack()->count(), stepsBefore + 1);
    QCOMPARE(editor->document()->node("dense")->config["units"], json(bestUnits));
    QVERIFY2(std::abs(lr()->value() - bestLr) <= 1e-8 + 1e-6 * bestLr,
             qPrintable(QString("%1 vs %2").arg(lr()->value()).arg(bestLr)));

    QVERIFY(editor->undoAction()->isEnabled());
    editor->undoAction()->trigger();
    QCOMPARE(editor->document()->node("dense")->config["units"], json(30));
    QCOMPARE(lr()->value(), lrBefore);
    editor->redoAction()->trigger();
    QCOMPARE(editor->document()->node("dense")->config["units"], json(bestUnits));
    QVERIFY(std::abs(lr()->value() - bestLr) <= 1e-8 + 1e-6 * bestLr);
  }
};

QTEST_MAIN(TestApplyBest)
#include "tst_ui_applybest.moc"
