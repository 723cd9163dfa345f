// The studio window's room and its Start: the editor gets most of the window at the default size
// and at 1280x800 (Design / Train / Evaluate are pages), its canvas at least a quarter and more
// than half the height, with the overview map small; the page shown and
// the dock layout come back in a new window; Start is enabled for a model whose data can be
// built, trains through the window when clicked, and says what is missing otherwise, with a
// "Choose data…" button that opens the data dialog. Screenshots (TESSEL_SCREENSHOTS=<dir>):
// studio_design_1280.png (nothing selected) and studio_design_1280_selected.png.
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>

#include "ui/MainWindow.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/LayerPalette.h"
#include "ui/editor/NodeInspector.h"
#include "ui/editor/NodeItem.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/PreflightList.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

double area(const QSize& s) {
  return static_cast<double>(s.width()) * s.height();
}

void clickModel(MainWindow& w, qint64 id) {
  QTreeWidgetItem* item = w.projectTree()->modelItem(id);
  QVERIFY(item);
  QTest::mouseClick(w.projectTree()->viewport(), Qt::LeftButton, {},
                    w.projectTree()->visualItemRect(item).center());
  QCOMPARE(w.currentModelId(), id);
}

}  // namespace

class TestUiWorkspace : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  QString exampleProject(const QString& name) {
    const QString path = tmp_.filePath(name);
    QString error;
    if (!ExampleLibrary::writeExampleProject(path, &error)) qWarning() << error;
    return path;
  }

  // The editor takes the centre below the page tabs (most of the window) and its canvas is no
  // strip: at least a quarter of the window (the editor's own palette, properties and summary
  // table share the rest), with the overview map small on it.
  void checkCanvasShare(MainWindow& w) {
    QTest::qWait(50);  // the queued fit and minimap refit run
    const double window = area(w.size());
    QVERIFY(area(w.editor()->size()) > 0.6 * window);
    QWidget* canvas = w.editor()->view()->viewport();
    QVERIFY(canvas->isVisible());
    const double share = area(canvas->size()) / window;
    QVERIFY2(share > 0.25 && canvas->height() > 0.5 * w.height(),
             qPrintable(QStringLiteral("canvas %1x%2 in %3x%4 (%5)")
                            .arg(canvas->width())
                            .arg(canvas->height())
                            .arg(w.width())
                            .arg(w.height())
                            .arg(share)));
    if (auto* map = w.editor()->findChild<QWidget*>("graphMinimap"); map && map->isVisible())
      QVERIFY(area(map->size()) < 0.25 * area(canvas->size()));
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_workspace");
    QSettings().clear();
  }

  void canvasGetsMostOfTheWindow() {
    MainWindow w;
    QVERIFY(w.openProject(exampleProject("room.tessel")));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.currentPage(), MainWindow::Page::Design);
    checkCanvasShare(w);  // the default size
    w.resize(1280, 800);
    checkCanvasShare(w);
    if (const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS",
                                                 qEnvironmentVariable("TESSEL_SCREENSHOT_DIR"));
        !dir.isEmpty())
      QVERIFY(w.grab().save(dir + "/studio_design_1280.png"));
    // The pages are tabs of the centre: Train shows the dashboard in the same room.
    QTabWidget* tabs = w.workspaceTabs();
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(1).center());
    QCOMPARE(w.currentPage(), MainWindow::Page::Train);
    QVERIFY(w.dashboard()->isVisible());
    QVERIFY(area(w.dashboard()->size()) > 0.5 * area(w.size()));
  }

  // The inspector takes room only while a layer is selected: clicking a node opens it beside the
  // canvas, clicking the empty canvas gives the room back; the palette shows every name whole.
  void inspectorTakesRoomOnlyWhenNeeded() {
    MainWindow w;
    QVERIFY(w.openProject(exampleProject("inspector.tessel")));
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::qWait(50);
    GraphEditorWidget* editor = w.editor();
    QWidget* canvas = editor->view()->viewport();
    QVERIFY(!editor->inspectorShown());
    QVERIFY(!editor->inspector()->isVisible() || editor->inspector()->width() == 0);
    const int wide = canvas->width();
    QVERIFY2(area(canvas->size()) > 0.35 * area(w.size()),
             qPrintable(QStringLiteral("%1x%2").arg(canvas->width()).arg(canvas->height())));
    // Every palette name fits without elision.
    QTreeWidget* tree = editor->palette()->tree();
    QTreeWidgetItem* longest = editor->palette()->itemFor("GlobalAveragePooling2D");
    QVERIFY(longest);
    tree->scrollToItem(longest);
    const QRect cell = tree->visualItemRect(longest);
    QVERIFY2(cell.left() + tree->iconSize().width() + 8 +
                     tree->fontMetrics().horizontalAdvance(longest->text(0)) <=
                 tree->viewport()->width(),
             qPrintable(QString::number(tree->viewport()->width())));

    NodeItem* dense = editor->scene()->nodeItem("dense");
    QVERIFY(dense);
    editor->view()->centerOn(dense);
    const QPoint onNode = editor->view()->mapFromScene(dense->sceneBoundingRect().center());
    QTest::mouseClick(canvas, Qt::LeftButton, {}, onNode);
    QVERIFY(editor->inspectorShown());
    QVERIFY(editor->inspector()->isVisible());
    QVERIFY(editor->inspector()->width() >= 200);
    QVERIFY(canvas->width() < wide);
    // The clicked node stays under the pointer when the canvas narrows.
    QVERIFY(dense->sceneBoundingRect().contains(editor->view()->mapToScene(onNode)));
    QTest::qWait(20);  // the new form lays out
    QVERIFY(editor->inspector()->findChild<QLineEdit*>()->isVisible());
    if (const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !dir.isEmpty())
      QVERIFY(w.grab().save(dir + "/studio_design_1280_selected.png"));
    // A click on empty canvas far from every node gives the room back.
    QPoint empty = onNode;
    for (int y = 5; y < canvas->height(); y += 10) {
      empty = QPoint(5, y);
      if (!editor->view()->itemAt(empty)) break;
    }
    QTest::mouseClick(canvas, Qt::LeftButton, {}, empty);
    QVERIFY(!editor->inspectorShown());
    QCOMPARE(canvas->width(), wide);
  }

  void layoutComesBackInANewWindow() {
    {
      MainWindow w;
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      auto* treeDock = w.findChild<QDockWidget*>("projectDock");
      QVERIFY(treeDock);
      w.resizeDocks({treeDock}, {300}, Qt::Horizontal);
      w.showPage(MainWindow::Page::Evaluate);
      QTRY_VERIFY2(std::abs(treeDock->width() - 300) <= 12,
                   qPrintable(QString::number(treeDock->width())));
      QVERIFY(w.close());  // closing saves the layout
    }
    MainWindow again;
    QCOMPARE(again.currentPage(), MainWindow::Page::Design);
    again.restoreLayout();
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.currentPage(), MainWindow::Page::Evaluate);
    auto* treeDock = again.findChild<QDockWidget*>("projectDock");
    QVERIFY2(std::abs(treeDock->width() - 300) <= 12,
             qPrintable(QString::number(treeDock->width())));
    QSettings().clear();
  }

  void startSaysWhatIsMissing() {
    MainWindow w;
    QVERIFY(w.openProject(exampleProject("start.tessel")));
    w.setTrainSampleLimit(256);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.showPage(MainWindow::Page::Train);
    TrainingDashboard* dash = w.dashboard();
    QPushButton* start = w.trainingPanel()->startButton();

    // The Fashion-MNIST MLP trains on the built-in data: Start is enabled before any run and
    // the pre-flight list names the data.
    const qint64 mlp = w.session()->models().front().id;
    QCOMPARE(w.currentModelId(), mlp);
    QVERIFY2(start->isEnabled(), qPrintable(start->toolTip()));
    QVERIFY(dash->missingForStart().isEmpty());
    QCOMPARE(dash->preflightList()->count(), 1);
    QVERIFY2(dash->preflightList()->item(0)->text().contains("Fashion-MNIST"),
             qPrintable(dash->preflightList()->item(0)->text()));

    // Another model whose data is a CSV file never chosen: Start is disabled and says why.
    qint64 other = 0;
    for (const auto& m : w.session()->models())
      if (m.id != mlp) other = m.id;
    QVERIFY(other);
    w.session()->setDataSettings(other, {{"kind", "csv"}, {"path", ""}});
    clickModel(w, other);
    QVERIFY(!start->isEnabled());
    QVERIFY(start->toolTip().contains("No data file chosen"));
    QCOMPARE(dash->preflightList()->errorCount(), 1);
    QVERIFY(dash->preflightList()->item(0)->text().contains("No data file chosen"));
    QVERIFY(dash->preflightList()->item(0)->text().contains("Choose data"));

    // "Choose data…" opens the window's data dialog for this model.
    QString seen;
    QTimer::singleShot(0, [&seen] {
      QWidget* dialog = QApplication::activeModalWidget();
      if (!dialog) return;
      seen = dialog->objectName();
      QMetaObject::invokeMethod(dialog, "reject", Qt::QueuedConnection);
    });
    QTest::mouseClick(dash->chooseDataButton(), Qt::LeftButton);
    QCOMPARE(seen, QString("dataImportDialog"));

    // Back to the MLP: Start trains it through the window (the data is built at Start).
    clickModel(w, mlp);
    QSpinBox* epochs = dash->compilePanel()->epochsBox();
    epochs->setValue(1);
    QVERIFY(start->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(w.isTraining() || w.lastBuiltData().has_value());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isTraining(), 15000);
    QVERIFY(w.lastBuiltData().has_value());
    QVERIFY2(w.trainingPanel()->statusLabel()->text().startsWith("finished"),
             qPrintable(w.trainingPanel()->statusLabel()->text()));
  }
};

QTEST_MAIN(TestUiWorkspace)
#include "tst_ui_workspace.moc"
