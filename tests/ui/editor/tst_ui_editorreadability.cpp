// The editor stays readable: "Fit to Window" on the largest example graph (the box detector)
// never zooms below the legible zoom; zoomed out further by the wheel, nodes draw their class
// name large instead of unreadable text; the canvas tool bar fits at 1024 x 700; the palette
// tells GlobalAveragePooling1D from 2D at its default width; summary columns follow a longer
// shape. With TESSEL_SCREENSHOTS=<dir> it writes editor_1280.png and editor_1920.png.
#include <QDir>
#include <QSpinBox>
#include <QStyleFactory>
#include <QTableWidget>
#include <QToolBar>
#include <QTreeWidget>
#include <QUndoStack>
#include <QWheelEvent>

#include "EditorTestSupport.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/ModelTemplates.h"
#include "ui/editor/SummaryPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

// The largest bundled template by node count.
QString largestTemplate() {
  QString best;
  size_t most = 0;
  for (const QString& name : ModelTemplates::names()) {
    const size_t n = ModelTemplates::spec(name).nodes.size();
    if (n > most) most = n, best = name;
  }
  return best;
}

// The image of the palette row of `className`.
QImage paletteRow(LayerPalette* palette, const QString& className) {
  QTreeWidget* tree = palette->tree();
  QTreeWidgetItem* item = palette->itemFor(className);
  tree->scrollToItem(item);
  return tree->viewport()->grab(tree->visualItemRect(item)).toImage();
}

}  // namespace

class TestUiEditorReadability : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QApplication::setStyle(QStyleFactory::create("Fusion")); }

  void fitKeepsLabelsLegible() {
    GraphEditorWidget w;
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QString name = largestTemplate();
    w.newFromTemplate(name);
    w.autoLayout();
    QTest::keyClick(w.view(), Qt::Key_0, Qt::ControlModifier);  // Fit to Window
    QVERIFY2(w.view()->zoom() >= GraphView::kMinLegibleZoom - 1e-9,
             qPrintable(QString::number(w.view()->zoom())));
    // The graph's first node (top left) is in view.
    QRectF bounds = w.scene()->itemsBoundingRect();
    const QRectF visible = w.view()->mapToScene(w.view()->viewport()->rect()).boundingRect();
    QVERIFY(visible.contains(bounds.topLeft() + QPointF(40, 40)));
    // A small graph still fits whole.
    GraphEditorWidget small;
    small.resize(1024, 700);
    small.show();
    QVERIFY(QTest::qWaitForWindowExposed(&small));
    small.newFromTemplate(ModelTemplates::names().first());
    small.fitAction()->trigger();
    QVERIFY(small.view()->zoom() >= GraphView::kMinLegibleZoom);
  }

  void zoomedOutNodesShowTheirClass() {
    GraphEditorWidget w;
    setupWindow(w, {900, 600}, {200, 150});
    QVERIFY(dropLayer(w, "GlobalAveragePooling2D", QPointF(200, 150)));
    NodeItem* node = w.scene()->nodeItem("global_average_pooling2d");
    QVERIFY(node);
    // Wheel out to about 0.3.
    for (int i = 0; i < 9; ++i) {
      const QPoint at = toView(w, QPointF(200, 150));
      QWheelEvent wheel(at, w.view()->viewport()->mapToGlobal(at), {}, QPoint(0, -120),
                        Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(w.view()->viewport(), &wheel);
    }
    QVERIFY(w.view()->zoom() < NodeItem::kDetailedZoom);
    QCOMPARE(NodeItem::abbreviation("GlobalAveragePooling2D"), QString("GAP2D"));
    // Drawn compact: a filled box with white text (some white pixels inside the box).
    const QRect box = w.view()->mapFromScene(node->sceneBoundingRect()).boundingRect();
    const QImage img = w.view()->viewport()->grab(box).toImage();
    int white = 0;
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x)
        if (img.pixelColor(x, y).lightness() > 240) ++white;
    QVERIFY2(white > 8, qPrintable(QString::number(white)));
  }

  void toolBarFitsAt1024() {
    GraphEditorWidget w;
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QToolBar* bar = w.toolBar();
    QVERIFY2(bar->sizeHint().width() <= bar->width(),
             qPrintable(QString("%1 > %2").arg(bar->sizeHint().width()).arg(bar->width())));
    for (QAction* a : bar->actions()) {
      QWidget* button = bar->widgetForAction(a);
      QVERIFY(button && button->isVisible());
      QVERIFY(bar->rect().contains(button->geometry()));
      QVERIFY(!a->toolTip().isEmpty());
    }
  }

  void paletteTellsSimilarNamesApart() {
    GraphEditorWidget w;
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    LayerPalette* palette = w.palette();
    for (const QString cls : {"GlobalAveragePooling1D", "GlobalAveragePooling2D"})
      QVERIFY(palette->itemFor(cls)->toolTip(0).contains(cls));
    const QImage one = paletteRow(palette, "GlobalAveragePooling1D");
    const QImage two = paletteRow(palette, "GlobalAveragePooling2D");
    QVERIFY(!one.isNull() && one.size() == two.size());
    QVERIFY(one != two);
  }

  void summaryColumnsFollowTheirContents() {
    GraphEditorWidget w;
    setupWindow(w);
    QVERIFY(dropLayer(w, "InputLayer", QPointF(100, 150)));
    QVERIFY(dropLayer(w, "Dense", QPointF(500, 150)));
    dragEdge(w, "input_1", "dense", 0);
    QTableWidget* table = w.summaryPanel()->table();
    clickNode(w, "dense");
    auto* units = qobject_cast<QSpinBox*>(w.inspector()->editorFor("units"));
    QVERIFY(units);
    units->setFocus();
    units->selectAll();
    QTest::keyClicks(units, "123456789");
    QTest::keyClick(units, Qt::Key_Return);
    const QString shape = w.summaryPanel()->cellText("dense", SummaryPanel::ShapeColumn);
    QCOMPARE(shape, QString("(None, 123456789)"));
    QVERIFY(table->columnWidth(SummaryPanel::ShapeColumn) >=
            table->fontMetrics().horizontalAdvance(shape));
    const QString params = w.summaryPanel()->cellText("dense", SummaryPanel::ParamsColumn);
    QVERIFY(table->columnWidth(SummaryPanel::ParamsColumn) >=
            table->fontMetrics().horizontalAdvance(params));
    const int row = w.summaryPanel()->rowOf("dense");
    QCOMPARE(table->item(row, SummaryPanel::ShapeColumn)->toolTip(), shape);
  }

  void screenshots() {
    const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS");
    if (dir.isEmpty()) QSKIP("TESSEL_SCREENSHOTS is not set");
    QDir().mkpath(dir);
    for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
      GraphEditorWidget w;
      w.resize(size);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      w.newFromTemplate("Wide & deep");
      w.autoLayout();
      w.selectNode("dense", false);
      QCoreApplication::processEvents();
      QVERIFY(w.grab().save(dir + QString("/editor_%1.png").arg(size.width())));
    }
  }
};

QTEST_MAIN(TestUiEditorReadability)
#include "tst_ui_editorreadability.moc"
