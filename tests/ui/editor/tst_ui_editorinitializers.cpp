// The inspector's initializer, regularizer and constraint editors, driven by keys: a Dense's
// kernel_initializer is a combo listing the engine's initializer catalog, showing GlorotUniform
// for Keras's "glorot_uniform"; choosing RandomNormal and typing its stddev changes the node's
// config to {"class_name": "RandomNormal", "config": {...}}, each edit one undo step; the
// kernel_regularizer offers None / L1 / L2 / L1L2 with their factors; constraints offer None.
#include <QAbstractItemView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QUndoStack>

#include "EditorTestSupport.h"
#include "engine/catalog/InitializerCatalog.h"
#include "engine/catalog/RegularizerCatalog.h"
#include "ui/editor/CatalogObjectEditor.h"
#include "ui/editor/GraphDocument.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

QStringList items(QComboBox* combo) {
  QStringList out;
  for (int i = 0; i < combo->count(); ++i) out << combo->itemText(i);
  return out;
}

// Picks `text` from the combo's popup list (opened, item made current, Return).
void pick(QComboBox* combo, const QString& text) {
  const int i = combo->findText(text);
  QVERIFY(i >= 0);
  combo->showPopup();
  QAbstractItemView* list = combo->view();
  list->setCurrentIndex(list->model()->index(i, 0));
  QTest::keyClick(list, Qt::Key_Return);
  QCOMPARE(combo->currentText(), text);
}

void typeNumber(QWidget* field, const QString& text) {
  auto* spin = qobject_cast<QDoubleSpinBox*>(field);
  QVERIFY(spin);
  spin->setFocus();
  spin->selectAll();
  QTest::keyClicks(spin, text);
  QTest::keyClick(spin, Qt::Key_Return);
}

}  // namespace

class TestUiEditorInitializers : public QObject {
  Q_OBJECT

 private slots:
  void kernelInitializerFromTheCatalog() {
    GraphEditorWidget w;
    setupWindow(w);
    QVERIFY(dropLayer(w, "Dense", QPointF(300, 150)));
    clickNode(w, "dense");
    auto* editor =
        qobject_cast<CatalogObjectEditor*>(w.inspector()->editorFor("kernel_initializer"));
    QVERIFY(editor);
    QStringList catalog;
    for (const auto& e : initializerCatalog().all()) catalog << QString::fromStdString(e.className);
    QCOMPARE(items(editor->combo()), catalog);
    QCOMPARE(editor->combo()->currentText(), QString("GlorotUniform"));
    QVERIFY(editor->fieldFor("seed"));

    const int steps = w.undoStack()->count();
    pick(editor->combo(), "RandomNormal");
    QCOMPARE(w.undoStack()->count(), steps + 1);
    json expected = {{"class_name", "RandomNormal"},
                     {"config", {{"mean", 0.0}, {"stddev", 0.05}, {"seed", nullptr}}}};
    QCOMPARE(w.document()->node("dense")->config["kernel_initializer"], expected);
    QVERIFY(editor->fieldFor("mean") && editor->fieldFor("stddev"));

    typeNumber(editor->fieldFor("stddev"), "0.2");
    QCOMPARE(w.undoStack()->count(), steps + 2);
    expected["config"]["stddev"] = 0.2;
    QCOMPARE(w.document()->node("dense")->config["kernel_initializer"], expected);
    // The seed: typed, then cleared back to None.
    auto* seed = qobject_cast<QLineEdit*>(editor->fieldFor("seed"));
    QVERIFY(seed);
    seed->setFocus();
    QTest::keyClicks(seed, "42");
    QTest::keyClick(seed, Qt::Key_Return);
    QCOMPARE(w.document()->node("dense")->config["kernel_initializer"]["config"]["seed"], json(42));

    // Undo, step by step: the editor follows the document.
    w.undoStack()->undo();
    QCOMPARE(w.document()->node("dense")->config["kernel_initializer"], expected);
    w.undoStack()->undo();
    QCOMPARE(w.document()->node("dense")->config["kernel_initializer"]["config"]["stddev"],
             json(0.05));
    QCOMPARE(qobject_cast<QDoubleSpinBox*>(editor->fieldFor("stddev"))->value(), 0.05);
    w.undoStack()->undo();
    QCOMPARE(editor->combo()->currentText(), QString("GlorotUniform"));
    QVERIFY(!editor->fieldFor("stddev"));
  }

  void regularizersAndConstraints() {
    GraphEditorWidget w;
    setupWindow(w);
    QVERIFY(dropLayer(w, "Dense", QPointF(300, 150)));
    clickNode(w, "dense");
    auto* reg = qobject_cast<CatalogObjectEditor*>(w.inspector()->editorFor("kernel_regularizer"));
    QVERIFY(reg);
    QStringList expected{"None"};
    for (const auto& e : regularizerCatalog().all())
      expected << QString::fromStdString(e.className);
    QCOMPARE(items(reg->combo()), expected);
    QCOMPARE(reg->combo()->currentText(), QString("None"));
    pick(reg->combo(), "L1L2");
    typeNumber(reg->fieldFor("l2"), "0.001");
    const json want = {{"class_name", "L1L2"}, {"config", {{"l1", 0.0}, {"l2", 0.001}}}};
    QCOMPARE(w.document()->node("dense")->config["kernel_regularizer"], want);
    pick(reg->combo(), "None");
    QVERIFY(w.document()->node("dense")->config["kernel_regularizer"].is_null());

    auto* constraint =
        qobject_cast<CatalogObjectEditor*>(w.inspector()->editorFor("kernel_constraint"));
    QVERIFY(constraint);
    QCOMPARE(items(constraint->combo()), QStringList{"None"});
    QVERIFY(!constraint->combo()->isEnabled());
  }
};

QTEST_MAIN(TestUiEditorInitializers)
#include "tst_ui_editorinitializers.moc"
