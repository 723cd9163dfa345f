// "Search this parameter…" where parameters are edited: a right-click on a layer parameter in the
// editor's inspector or on a compile-panel field opens the distribution dialog (prefilled from the
// current value); OK writes the entry into the model's search space (the Search tab's editor, saved
// with the model); the field is tinted with a "searched: …" tool tip; momentum searched with the
// optimizer is offered "only when optimizer is SGD"; "Stop searching" removes the entry.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "engine/io/TfjsModel.h"
#include "engine/search/ApplyHyperparameters.h"
#include "engine/search/SearchSpace.h"
#include "engine/store/Project.h"
#include "tests/support/Screenshot.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/NodeInspector.h"
#include "ui/project/ProjectSession.h"
#include "ui/search/SearchMarks.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/LossMetricEditor.h"
#include "ui/training/OptimizerEditor.h"
#include "ui/training/ParamForm.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;
using json = nlohmann::json;

namespace {

const std::string kExamples = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/";

// A right-click on `w` (the event the window system sends); the menu it pops up.
QMenu* rightClick(QWidget* w) {
  const QPoint at(4, 4);
  QContextMenuEvent e(QContextMenuEvent::Mouse, at, w->mapToGlobal(at));
  QApplication::sendEvent(w, &e);
  return qobject_cast<QMenu*>(QApplication::activePopupWidget());
}

// Clicks the menu entry with this object name.
bool clickEntry(QMenu* menu, const char* name) {
  if (!menu) return false;
  for (QAction* a : menu->actions())
    if (a->objectName() == name) {
      QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
      return true;
    }
  return false;
}

void type(QLineEdit* edit, const QString& text) {
  edit->selectAll();
  QTest::keyClick(edit, Qt::Key_Delete);
  QTest::keyClicks(edit, text);
}

void clickOk(SearchParameterDialog* d) {
  QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

void shot(QWidget* w, const QString& name) {
  tessel::testutil::saveScreenshot(w, name);
}

}  // namespace

class TestSearchMarks : public QObject {
  Q_OBJECT
 private slots:
  void markFromTheInspectorAndTheCompilePanel() {
    QTemporaryDir dir;
    const QString path = dir.filePath("marks.tessel");
    {
      Project p = Project::create(path.toStdString());
      p.addModel("wide_deep", readModelFile(kExamples + "model.json").spec.toKerasJson());
    }
    MainWindow window;
    window.resize(1400, 900);
    window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Discard;
    });
    QVERIFY(window.openProject(path));
    window.show();
    auto* marks = window.findChild<SearchMarks*>();
    QVERIFY(marks);
    SearchSpaceEditor* space = window.findChild<SearchPanel*>()->spaceEditor();
    auto saved = [&] {
      const ProjectSession::Model* m = window.session()->model(window.currentModelId());
      return m && m->compileSettings.is_object() ? m->compileSettings.value("search_space", json())
                                                 : json();
    };

    // 1. A layer parameter in the inspector: dense.units (30) -> int 8..64 step 8.
    NodeInspector* inspector = window.editor()->inspector();
    window.editor()->selectNode(QString("dense"));
    QTRY_COMPARE(inspector->node(), QString("dense"));
    auto* units = qobject_cast<QSpinBox*>(inspector->editorFor("units"));
    QVERIFY(units);
    QCOMPARE(units->value(), 30);
    QMenu* menu = rightClick(units);
    QVERIFY(menu);
    QVERIFY(!menu->findChild<QAction*>("stopSearching"));
    QVERIFY(clickEntry(menu, "searchParameter"));
    SearchParameterDialog* d = marks->dialog();
    QVERIFY(d && d->isVisible());
    QCOMPARE(d->distributionBox()->currentData().toString(), QString("int"));
    QCOMPARE(d->minEdit()->text(), QString("7"));  // prefilled from 30: [30/4, 4 x 30]
    QCOMPARE(d->maxEdit()->text(), QString("120"));
    QVERIFY(!d->conditionBox());
    type(d->minEdit(), "8");
    type(d->maxEdit(), "64");
    type(d->stepEdit(), "8");
    clickOk(d);
    QTRY_VERIFY(!marks->dialog());
    json e = space->entry("layers.dense.units");
    QCOMPARE(e.value("distribution", ""), std::string("int"));
    QCOMPARE(e["min"], json(8));
    QCOMPARE(e["max"], json(64));
    QCOMPARE(e["step"], json(8));
    QVERIFY(units->property("tesselSearched").toBool());
    QVERIFY2(units->toolTip().startsWith("searched: int 8..64 step 8"),
             qPrintable(units->toolTip()));
    QCOMPARE(saved()["hyperparameters"].size(), size_t(1));  // saved with the model
    // Another node and back: the new form's field is marked again.
    window.editor()->selectNode(QString("dense_1"));
    QTRY_COMPARE(inspector->node(), QString("dense_1"));
    QVERIFY(!inspector->editorFor("units")->property("tesselSearched").toBool());
    window.editor()->selectNode(QString("dense"));
    QTRY_COMPARE(inspector->node(), QString("dense"));
    QVERIFY(inspector->editorFor("units")->property("tesselSearched").toBool());
    QVERIFY(window.editor()->inspectorShown());
    // Marked: the menu edits the entry (the dialog shows it) or stops searching it.
    menu = rightClick(inspector->editorFor("units"));
    QVERIFY(menu->findChild<QAction*>("stopSearching"));
    QVERIFY(menu->findChild<QAction*>("searchParameter")->text().startsWith("Edit search"));
    QVERIFY(clickEntry(menu, "searchParameter"));
    QCOMPARE(marks->dialog()->minEdit()->text(), QString("8"));
    QCOMPARE(marks->dialog()->stepEdit()->text(), QString("8"));
    QTest::mouseClick(marks->dialog()->buttons()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!marks->dialog());
    QCOMPARE(space->entry("layers.dense.units")["max"], json(64));
    // Renaming the layer in the inspector renames its target (and the name made from it); undo
    // renames it back.
    QLineEdit* name = inspector->nameEditor();
    name->selectAll();
    QTest::keyClicks(name, "hidden");
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(inspector->node(), QString("hidden"));
    QVERIFY(space->entry("layers.dense.units").is_null());
    QCOMPARE(space->entry("layers.hidden.units").value("name", ""), std::string("hidden_units"));
    QVERIFY(inspector->editorFor("units")->property("tesselSearched").toBool());
    window.editor()->undoStack()->undo();
    QCOMPARE(inspector->node(), QString("dense"));
    QCOMPARE(space->entry("layers.dense.units").value("name", ""), std::string("dense_units"));
    QCOMPARE(saved()["hyperparameters"][0]["target"], json("layers.dense.units"));
    QTest::qWait(100);  // the new form laid out
    shot(window.editor(), "h17_inspector_marked.png");

    // 2. The compile panel's learning rate: log-uniform from lr/10..10 lr, edited to 1e-4..1e-1.
    CompilePanel* compile = window.dashboard()->compilePanel();
    QDoubleSpinBox* lr = compile->learningRateBox();
    QVERIFY(lr);
    QVERIFY(clickEntry(rightClick(lr), "searchParameter"));
    d = marks->dialog();
    QVERIFY(d);
    QCOMPARE(d->distributionBox()->currentData().toString(), QString("log_uniform"));
    QCOMPARE(d->minEdit()->text().toDouble(), lr->value() / 10);
    // A non-positive bound is refused in the dialog, nothing is written.
    type(d->minEdit(), "0");
    clickOk(d);
    QVERIFY(d->isVisible());
    QVERIFY(d->findChildren<QLabel*>().size() > 0);
    QVERIFY(space->entry("optimizer.learning_rate").is_null());
    type(d->minEdit(), "1e-4");
    type(d->maxEdit(), "1e-1");
    clickOk(d);
    QTRY_VERIFY(!marks->dialog());
    QVERIFY2(lr->toolTip().startsWith("searched: log-uniform 0.0001..0.1"),
             qPrintable(lr->toolTip()));

    // 3. The optimizer: a choice of SGD and Adam.
    QComboBox* optimizer = compile->optimizerBox();
    QVERIFY(clickEntry(rightClick(optimizer), "searchParameter"));
    d = marks->dialog();
    QCOMPARE(d->distributionBox()->currentData().toString(), QString("choice"));
    type(d->valuesEdit(), "SGD, Adam");
    clickOk(d);
    QTRY_VERIFY(!marks->dialog());
    QCOMPARE(space->entry("optimizer")["values"], json({"SGD", "Adam"}));

    // 4. Momentum (SGD's): offered only when the optimizer is SGD, checked by default.
    optimizer->setCurrentIndex(optimizer->findText("SGD"));
    QTRY_VERIFY(compile->optimizerEditor()->paramForm()->field("momentum"));
    QWidget* momentum = compile->optimizerEditor()->paramForm()->field("momentum");
    QTRY_VERIFY(!marks->targetOf(momentum).isEmpty());
    QVERIFY(clickEntry(rightClick(momentum), "searchParameter"));
    d = marks->dialog();
    QVERIFY(d->conditionBox());
    QVERIFY(d->conditionBox()->isChecked());
    QCOMPARE(d->conditionValues()->text(), QString("SGD"));
    QCOMPARE(d->distributionBox()->currentData().toString(), QString("uniform"));
    clickOk(d);
    QTRY_VERIFY(!marks->dialog());
    e = space->entry("optimizer.momentum");
    QCOMPARE(e["condition"], json({{"parameter", "optimizer"}, {"values", {"SGD"}}}));
    QVERIFY2(momentum->toolTip().contains("(only when optimizer is SGD)"),
             qPrintable(momentum->toolTip()));
    // The optimizer is still marked after its form was rebuilt for SGD.
    QVERIFY(compile->learningRateBox()->property("tesselSearched").toBool());

    // The model's space, as the Search tab and `tessel search` read it.
    SearchSpace parsed = SearchSpace::fromJson(saved());
    QCOMPARE(parsed.size(), size_t(4));
    QCOMPARE(parsed.find("optimizer_momentum")->conditionParameter, std::string("optimizer"));
    QCOMPARE(space->marked(), QStringList({"layers.dense.units", "optimizer.learning_rate",
                                           "optimizer", "optimizer.momentum"}));
    QCOMPARE(space->table()->item(3, 7)->text(), QString("optimizer = SGD"));
    shot(compile, "h17_compile_marked.png");

    // 5. Stop searching: the learning rate, then the optimizer (momentum's condition goes too).
    QMenu* again = rightClick(compile->learningRateBox());
    QVERIFY(again->findChild<QAction*>("stopSearching"));
    QVERIFY(clickEntry(again, "stopSearching"));
    QVERIFY(space->entry("optimizer.learning_rate").is_null());
    QVERIFY(!compile->learningRateBox()->property("tesselSearched").toBool());
    QVERIFY(!compile->learningRateBox()->toolTip().startsWith("searched"));
    QVERIFY(clickEntry(rightClick(optimizer), "stopSearching"));
    QVERIFY(!space->entry("optimizer.momentum").contains("condition"));
    QCOMPARE(SearchSpace::fromJson(saved()).size(), size_t(2));
  }

  // A model with two outputs: the loss weight of each output (compile panel's outputs table).
  void markALossWeight() {
    QTemporaryDir dir;
    const QString path = dir.filePath("weights.tessel");
    const ModelSpec spec =
        readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep_multi_output/model.json")
            .spec;
    {
      Project p = Project::create(path.toStdString());
      p.addModel("multi", spec.toKerasJson());
    }
    MainWindow window;
    QVERIFY(window.openProject(path));
    window.show();
    auto* marks = window.findChild<SearchMarks*>();
    SearchSpaceEditor* space = window.findChild<SearchPanel*>()->spaceEditor();
    CompilePanel* compile = window.dashboard()->compilePanel();
    QTRY_COMPARE(compile->outputNames().size(), 2);
    QTableWidget* table = compile->lossMetricEditor()->table();
    QWidget* weight = nullptr;
    QTRY_VERIFY((weight = table->cellWidget(1, 2)) && !marks->targetOf(weight).isEmpty());
    const QString target = "loss_weights." + compile->outputNames()[1];
    QCOMPARE(marks->targetOf(weight), target);
    QVERIFY(clickEntry(rightClick(weight), "searchParameter"));
    SearchParameterDialog* d = marks->dialog();
    QVERIFY(d);
    QCOMPARE(d->distributionBox()->currentData().toString(), QString("uniform"));
    type(d->minEdit(), "0.1");
    type(d->maxEdit(), "2");
    clickOk(d);
    QTRY_VERIFY(!marks->dialog());
    QVERIFY2(weight->toolTip().startsWith("searched: uniform 0.1..2"),
             qPrintable(weight->toolTip()));
    // The target exists in the model and the compile settings a search starts from.
    SearchSpace parsed = space->space();
    json keras = spec.toKerasJson(), settings = compile->settings();
    checkTargets(parsed, keras, settings);
    applyHyperparameters(parsed, {{parsed.parameters()[0].name, 0.5}}, keras, settings);
    const json lw = settings["compile"]["loss_weights"];
    QVERIFY2(lw.is_object() ? lw[compile->outputNames()[1].toStdString()] == json(0.5)
                            : lw[1] == json(0.5),
             lw.dump().c_str());
  }

  void describeNamesTheDistribution() {
    QCOMPARE(SearchMarks::describe(
                 json::parse(R"({"distribution": "reciprocal", "min": 0.0003, "max": 0.03})")),
             QString("log-uniform 0.0003..0.03"));
    QCOMPARE(SearchMarks::describe(json::parse(R"({"distribution": "choice",
                 "values": [32, 64]})")),
             QString("choice 32, 64"));
    QCOMPARE(SearchMarks::describe(json::parse(R"({"distribution": "uniform", "min": 0,
                 "max": 0.9, "condition": {"parameter": "opt", "values": ["SGD"]}})")),
             QString("uniform 0..0.9 (only when opt is SGD)"));
  }
};

QTEST_MAIN(TestSearchMarks)
#include "tst_ui_searchmarks.moc"
