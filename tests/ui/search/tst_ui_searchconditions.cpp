// Conditions in the Search tab's space editor (and the inspector's "Search this parameter…"
// dialog), driven through their widgets: a parameter is made
// active only when any choice parameter has some values (a layer's units only when another
// layer's activation is relu or tanh, momentum only when the optimizer is SGD); the rows are
// reordered so every condition names an earlier parameter, a cycle is refused, renaming and
// unmarking follow; the conditions are saved with the model's search_space and `tessel search
// PROJECT` (no --space) honours them: a conditional parameter is in exactly the trials where its
// condition holds.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/io/TfjsModel.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"
#include "tests/support/SearchTab.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/NodeInspector.h"
#include "ui/project/ProjectSession.h"
#include "ui/search/SearchMarks.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"

using namespace tessel;
using namespace tessel::ui;
using json = nlohmann::json;

namespace {
const std::string kExamples = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/";
const QString kTessel = QStringLiteral(TESSEL_BINARY_DIR "/app/tessel");

using testutil::showSearchTab;

int rowOf(SearchSpaceEditor* e, const QString& target) {
  for (int r = 0; r < e->table()->rowCount(); ++r)
    if (e->table()->item(r, 1)->text() == target) return r;
  return -1;
}

// A click on the row's name cell (selects the row).
void selectRow(SearchSpaceEditor* e, const QString& target) {
  const int r = rowOf(e, target);
  QVERIFY2(r >= 0, qPrintable(target));
  QTableWidget* t = e->table();
  t->scrollToItem(t->item(r, 0));
  QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, t->visualItemRect(t->item(r, 0)).center());
  QCOMPARE(t->currentRow(), r);
}

QStringList comboItems(QComboBox* box) {
  QStringList out;
  for (int i = 0; i < box->count(); ++i) out << box->itemText(i);
  return out;
}

// Chooses `name` in the condition's parameter box (keyboard), checks `values` (click + space).
void setConditionByHand(SearchSpaceEditor* e, const QString& name, const QStringList& values) {
  QComboBox* box = e->conditionParameterBox();
  QVERIFY(box->isEnabled());
  const int i = box->findText(name);
  QVERIFY2(i >= 0, qPrintable(comboItems(box).join(", ")));
  box->setFocus();
  while (box->currentIndex() < i) QTest::keyClick(box, Qt::Key_Down);
  while (box->currentIndex() > i) QTest::keyClick(box, Qt::Key_Up);
  QCOMPARE(box->currentText(), name);
  QListWidget* list = e->conditionValueList();
  QVERIFY(!e->setConditionButton()->isEnabled());  // nothing checked yet
  for (const QString& v : values) {
    const auto found = list->findItems(v, Qt::MatchExactly);
    QCOMPARE(found.size(), 1);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                      list->visualItemRect(found[0]).center());
    QTest::keyClick(list, Qt::Key_Space);
    QCOMPARE(found[0]->checkState(), Qt::Checked);
  }
  QVERIFY(e->setConditionButton()->isEnabled());
  QTest::mouseClick(e->setConditionButton(), Qt::LeftButton);
}

// A right-click on `w`; the menu it pops up; its "Search this parameter…" entry clicked.
SearchParameterDialog* searchFromMenu(QWidget* w, SearchMarks* marks) {
  const QPoint at(4, 4);
  QContextMenuEvent e(QContextMenuEvent::Mouse, at, w->mapToGlobal(at));
  QApplication::sendEvent(w, &e);
  auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
  if (!menu) return nullptr;
  for (QAction* a : menu->actions())
    if (a->objectName() == "searchParameter") {
      QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
      return marks->dialog();
    }
  return nullptr;
}

}  // namespace

class TestSearchConditions : public QObject {
  Q_OBJECT
 private slots:
  void conditionsOnAnyChoiceParameter() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cond.tessel");
    {
      Project p = Project::create(path.toStdString());
      p.addModel("wide_deep", readModelFile(kExamples + "model.json").spec.toKerasJson());
    }
    {
      MainWindow window;
      window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
        return QMessageBox::Discard;
      });
      window.resize(1280, 800);
      window.show();
      QVERIFY(window.openProject(path));
      SearchPanel* panel = showSearchTab(window);
      QVERIFY(panel);
      SearchSpaceEditor* editor = panel->spaceEditor();
      // The conditional ones first: setting a condition moves them after their parameter.
      for (const char* target :
           {"layers.dense_1.units", "optimizer.momentum", "layers.dense.activation", "optimizer"}) {
        editor->candidateBox()->setCurrentIndex(editor->candidateBox()->findText(target));
        QTest::mouseClick(editor->markButton(), Qt::LeftButton);
      }
      QCOMPARE(editor->marked().size(), 4);

      // Nothing selected: nothing to condition.
      QVERIFY(!editor->conditionParameterBox()->isEnabled());
      selectRow(editor, "layers.dense_1.units");
      QCOMPARE(comboItems(editor->conditionParameterBox()),
               (QStringList{"(always)", "dense_activation", "optimizer"}));
      setConditionByHand(editor, "dense_activation", {"relu", "tanh"});
      selectRow(editor, "optimizer.momentum");
      setConditionByHand(editor, "optimizer", {"SGD"});

      QCOMPARE(editor->marked(), (QStringList{"layers.dense.activation", "layers.dense_1.units",
                                              "optimizer", "optimizer.momentum"}));
      QTableWidget* t = editor->table();
      QCOMPARE(t->item(rowOf(editor, "layers.dense_1.units"), 7)->text(),
               QString("dense_activation = relu | tanh"));
      QCOMPARE(t->item(rowOf(editor, "optimizer.momentum"), 7)->text(), QString("optimizer = SGD"));
      // Selecting a conditioned row shows its condition.
      selectRow(editor, "layers.dense_1.units");
      QCOMPARE(editor->conditionParameterBox()->currentText(), QString("dense_activation"));
      QVERIFY(editor->clearConditionButton()->isEnabled());

      // A cycle is refused: the activation on the optimizer, then the optimizer on it.
      QVERIFY(editor->setCondition("layers.dense.activation", "optimizer", json{"Adam"}));
      QVERIFY(!editor->conditionParents("optimizer").contains("dense_activation"));
      QVERIFY(!editor->setCondition("optimizer", "dense_activation", json{"relu"}));
      QVERIFY(!editor->setCondition("optimizer", "optimizer", json{"SGD"}));
      QVERIFY(!editor->setCondition("layers.dense_1.units", "dense_activation", json{"gelu"}));
      QCOMPARE(editor->marked().front(), QString("optimizer"));  // moved before the activation
      // ... and cleared with the Clear button.
      selectRow(editor, "layers.dense.activation");
      QTest::mouseClick(editor->clearConditionButton(), Qt::LeftButton);
      QVERIFY(!editor->entry("layers.dense.activation").contains("condition"));
      QVERIFY(!editor->clearConditionButton()->isEnabled());

      // Renaming the optimizer parameter (typed into its name cell) renames the condition.
      const int opt = rowOf(editor, "optimizer");
      selectRow(editor, "optimizer");
      QTest::keyClick(t, Qt::Key_F2);  // edit the name cell
      QLineEdit* cell = nullptr;
      QTRY_VERIFY((cell = t->findChild<QLineEdit*>()));
      cell->selectAll();
      QTest::keyClicks(cell, "opt");
      QTest::keyClick(cell, Qt::Key_Return);
      QTRY_COMPARE(t->item(opt, 0)->text(), QString("opt"));  // committed queued
      QCOMPARE(editor->entry("optimizer.momentum")["condition"]["parameter"], json("opt"));
      QCOMPARE(t->item(rowOf(editor, "optimizer.momentum"), 7)->text(), QString("opt = SGD"));
      QVERIFY(editor->space().find("opt"));  // the space reads

      selectRow(editor, "layers.dense_1.units");
      const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS");
      QCOMPARE(editor->findChild<QLabel*>("conditionLabel")->text(),
               QString("dense_1_units only when"));
      QApplication::processEvents();  // the layout follows the label
      // The window fits 1280x800 with the condition row; the user drags the splitter down to see
      // the four rows, as here for the screenshot.
      QVERIFY(window.minimumSizeHint().height() <= 800);
      auto* splitter = panel->findChild<QSplitter*>();
      QVERIFY(splitter);
      QList<int> sizes = splitter->sizes();
      sizes[0] += 60;
      sizes[1] -= 60;
      splitter->setSizes(sizes);
      QApplication::processEvents();
      if (!shots.isEmpty() && QDir(shots).exists()) {
        panel->grab().save(shots + "/search_conditions.png");
        window.grab().save(shots + "/search_conditions_window_1280.png");
      }

      QVERIFY(window.saveProject());
      // Reopened: the conditions are back.
      QVERIFY(window.closeProject());
      QVERIFY(window.openProject(path));
      QTRY_COMPARE(editor->marked().size(), 4);
      QCOMPARE(editor->entry("layers.dense_1.units")["condition"],
               (json{{"parameter", "dense_activation"}, {"values", {"relu", "tanh"}}}));
    }
    // On disk, in the model's search_space.
    {
      Project p = Project::open(path.toStdString(), /*readOnly=*/true);
      const SearchSpace space =
          SearchSpace::fromJson(p.models().front().compileSettings["search_space"]);
      QCOMPARE(space.find("dense_1_units")->conditionParameter, std::string("dense_activation"));
      QCOMPARE(space.find("optimizer_momentum")->conditionParameter, std::string("opt"));
    }
    // The CLI, no --space: each conditional parameter in exactly the trials where it holds.
    QProcess cli;
    cli.start(kTessel, {"search", path, "--data-settings",
                        QString::fromStdString(kExamples + "data.json"), "--trials", "10", "--cv",
                        "2", "--epochs", "1", "--seed", "0", "--threads", "1", "--verbose", "0"});
    QVERIFY(cli.waitForFinished(300000));
    const QString out = cli.readAllStandardOutput() + cli.readAllStandardError();
    QVERIFY2(cli.exitCode() == 0, qPrintable(out));
    Project p = Project::open(path.toStdString(), /*readOnly=*/true);
    const auto trials = SearchRun::trialsOf(p, 1);
    QCOMPARE(trials.size(), size_t(10));
    int withUnits = 0, withMomentum = 0;
    for (const auto& trial : trials) {
      const json& v = trial.values;
      const std::string act = v["dense_activation"], optimizer = v["opt"];
      const bool units = act == "relu" || act == "tanh";
      QCOMPARE(v.contains("dense_1_units"), units);
      QCOMPARE(v.contains("optimizer_momentum"), optimizer == "SGD");
      withUnits += units;
      withMomentum += optimizer == "SGD";
    }
    // Both sides of each condition occur (seed 0).
    QVERIFY(withUnits > 0 && withUnits < 10);
    QVERIFY(withMomentum > 0 && withMomentum < 10);

    // Unmarking a parameter clears the conditions that name it.
    SearchSpaceEditor editor;
    editor.setSpaceJson(p.models().front().compileSettings["search_space"]);
    editor.unmark("layers.dense.activation");
    QVERIFY(!editor.entry("layers.dense_1.units").contains("condition"));
    QVERIFY(editor.entry("optimizer.momentum").contains("condition"));
  }

  // "Search this parameter…" in the inspector: the dialog offers a condition on any choice
  // parameter of the space (here another layer's activation), unchecked unless an optimizer's.
  void conditionFromTheInspectorDialog() {
    QTemporaryDir dir;
    const QString path = dir.filePath("dialog.tessel");
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
    NodeInspector* inspector = window.editor()->inspector();

    // dense's activation: a choice.
    window.editor()->selectNode(QString("dense"));
    QTRY_COMPARE(inspector->node(), QString("dense"));
    SearchParameterDialog* d = searchFromMenu(inspector->editorFor("activation"), marks);
    QVERIFY(d);
    QVERIFY(!d->conditionBox());  // no choice parameter in the space yet
    QCOMPARE(d->distributionBox()->currentData().toString(), QString("choice"));
    QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!marks->dialog());
    QVERIFY(space->entry("layers.dense.activation").is_object());

    // dense_1's units, only when dense's activation is relu or tanh.
    window.editor()->selectNode(QString("dense_1"));
    QTRY_COMPARE(inspector->node(), QString("dense_1"));
    QWidget* units = inspector->editorFor("units");
    d = searchFromMenu(units, marks);
    QVERIFY(d && d->conditionBox());
    QVERIFY(!d->conditionBox()->isChecked());
    QVERIFY(!d->conditionParameterBox()->isEnabled());
    QCOMPARE(d->conditionParameterBox()->currentText(), QString("dense_activation"));
    QCOMPARE(d->conditionValues()->text(), QString("relu"));  // its first value
    QTest::mouseClick(d->conditionBox(), Qt::LeftButton);
    QVERIFY(d->conditionBox()->isChecked() && d->conditionValues()->isEnabled());
    d->conditionValues()->selectAll();
    QTest::keyClicks(d->conditionValues(), "relu, tanh");
    const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS");
    if (!shots.isEmpty() && QDir(shots).exists())
      d->grab().save(shots + "/search_condition_dialog.png");
    QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!marks->dialog());
    QCOMPARE(space->entry("layers.dense_1.units")["condition"],
             (json{{"parameter", "dense_activation"}, {"values", {"relu", "tanh"}}}));
    QVERIFY2(units->toolTip().contains("(only when dense_activation is relu, tanh)"),
             qPrintable(units->toolTip()));
    QVERIFY(space->space().find("dense_1_units"));  // valid: the activation comes first

    // An empty value list is refused in the dialog.
    d = searchFromMenu(units, marks);
    QVERIFY(d && d->conditionBox()->isChecked());
    d->conditionValues()->selectAll();
    QTest::keyClick(d->conditionValues(), Qt::Key_Delete);
    QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d->isVisible());
    d->reject();
  }
};

QTEST_MAIN(TestSearchConditions)
#include "tst_ui_searchconditions.moc"
