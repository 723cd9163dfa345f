// How the editor looks: screenshots of wide & deep model and the Fashion-MNIST CNN (from the
// templates, auto-laid-out by Graphviz) in the light palette, the same in a dark QPalette, and at
// device pixel ratio 2 (rendered into a 2x pixmap). The PNGs go to $TESSEL_SCREENSHOT_DIR, or
// <build>/editor_screenshots; they are for a human to look at. The test checks what a program
// can: the canvas and node bodies follow the palette, icons are SVG (sharp at 2x), nothing has
// an error, no boxes overlap.
#include <QDir>
#include <QPainter>
#include <QStyleFactory>
#include <QUndoStack>

#include "EditorTestSupport.h"
#include "ui/editor/EditorResources.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/ModelTemplates.h"
#include "ui/editor/SummaryPanel.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::test;

namespace {

QString outDir() {
  QString dir = qEnvironmentVariable("TESSEL_SCREENSHOT_DIR");
  if (dir.isEmpty()) dir = TESSEL_BINARY_DIR "/editor_screenshots";
  QDir().mkpath(dir);
  return dir;
}

QPalette darkPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
  p.setColor(QPalette::WindowText, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
  p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
  p.setColor(QPalette::Text, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
  p.setColor(QPalette::ButtonText, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xf0));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x37, 0x3b));
  p.setColor(QPalette::ToolTipText, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8f, 0x94));
  return p;
}

// Opens a template in a 1500 x 900 editor, auto-laid-out, one node selected.
void openTemplate(GraphEditorWidget& w, const QString& name, const QString& select) {
  w.resize(1500, 900);
  w.splitter()->setSizes({210, 990, 300});
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.newFromTemplate(name);
  w.autoLayout();
  QCOMPARE(w.undoStack()->count(), 1);
  if (!select.isEmpty()) w.selectNode(select, false);
  QCoreApplication::processEvents();
}

}  // namespace

class TestUiEditorLook : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QApplication::setStyle(QStyleFactory::create("Fusion")); }

  void screenshots_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("select");
    QTest::newRow("wide_deep") << "Wide & deep"
                               << "editor_wide_deep"
                               << "concatenate";
    QTest::newRow("cnn") << "CNN (Fashion-MNIST)"
                         << "editor_seed_cnn"
                         << "dense";
    QTest::newRow("two_outputs") << "Two outputs (wide & deep)"
                                 << "editor_two_outputs"
                                 << "";
  }

  void screenshots() {
    QFETCH(QString, name);
    QFETCH(QString, file);
    QFETCH(QString, select);
    GraphEditorWidget w;
    openTemplate(w, name, select);
    const QStringList nodes = w.document()->nodeNames();
    for (int i = 0; i < nodes.size(); ++i) {
      NodeItem* a = w.scene()->nodeItem(nodes[i]);
      QVERIFY2(!a->hasError() && !a->hasFix(), qPrintable(nodes[i]));
      for (int j = i + 1; j < nodes.size(); ++j)
        QVERIFY(
            !a->sceneBoundingRect().intersects(w.scene()->nodeItem(nodes[j])->sceneBoundingRect()));
    }
    QVERIFY(w.summaryPanel()->totalParams() > 0);
    const QString path = outDir() + "/" + file + ".png";
    QVERIFY(w.grab().save(path));
    qInfo("saved %s", qPrintable(path));
  }

  void darkPaletteAndDoubleScale() {
    GraphEditorWidget w;
    w.setPalette(darkPalette());
    openTemplate(w, "Wide & deep", "dense_1");
    const QImage dark = w.grab().toImage();
    QVERIFY(dark.save(outDir() + "/editor_wide_deep_dark.png"));
    // The canvas background (a corner of the view, away from nodes) is dark.
    QWidget* vp = w.view()->viewport();
    const QPoint corner = vp->mapTo(&w, QPoint(4, 4));
    QVERIFY2(dark.pixelColor(corner).lightness() < 80, qPrintable(dark.pixelColor(corner).name()));
    // A node body (below its header band) follows the dark Base colour; its text is light.
    NodeItem* node = w.scene()->nodeItem("dense_1");
    const QPoint body = vp->mapTo(&w, w.view()->mapFromScene(node->mapToScene(QPointF(170, 40))));
    QVERIFY2(dark.pixelColor(body).lightness() < 90, qPrintable(dark.pixelColor(body).name()));

    // 2x: the whole editor rendered into a pixmap of twice the size.
    QPixmap hi(w.size() * 2);
    hi.setDevicePixelRatio(2);
    hi.fill(Qt::transparent);
    w.render(&hi);
    QCOMPARE(hi.size(), w.size() * 2);
    QVERIFY(hi.save(outDir() + "/editor_wide_deep_dark_2x.png"));
    // Light at 2x too.
    GraphEditorWidget light;
    openTemplate(light, "CNN (Fashion-MNIST)", "conv2d");
    QPixmap hiLight(light.size() * 2);
    hiLight.setDevicePixelRatio(2);
    light.render(&hiLight);
    QVERIFY(hiLight.save(outDir() + "/editor_seed_cnn_2x.png"));
    const QImage lightImage = light.grab().toImage();
    QVERIFY(
        lightImage.pixelColor(light.view()->viewport()->mapTo(&light, QPoint(4, 4))).lightness() >
        200);

    // Palette icons are SVG: a 2x request gives a 2x pixmap, not a scaled-up 1x one.
    for (const QString g : {"Core", "Convolution", "Pooling", "Normalization", "Regularization",
                            "Merging", "Reshaping", "Preprocessing", "Activation", "Input"}) {
      QVERIFY2(groupIconPath(g).endsWith(g.toLower() + ".svg"), qPrintable(g));
      const QPixmap p = groupIcon(g).pixmap(QSize(16, 16), 2.0);
      QCOMPARE(p.size(), QSize(32, 32));
    }
    // The palette tree shows them.
    QVERIFY(!light.palette()->itemFor("Dense")->icon(0).isNull());
  }
};

QTEST_MAIN(TestUiEditorLook)
#include "tst_ui_editorlook.moc"
