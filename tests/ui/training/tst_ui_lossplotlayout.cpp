// The loss plot keeps its curves readable: the legend sits outside the axes, a click on a legend
// entry hides and shows its curve, marker labels of neighbouring epochs are stacked so that no
// two overlap (a label with no room is hidden and named by the hover readout), and log scale and
// export still work.
#include <qcustomplot.h>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/training/LossPlot.h"

using namespace tessel::ui;

namespace {

TrainingEvent marker(const QString& kind, int epoch, qint64 step) {
  TrainingEvent e;
  e.kind = kind;
  e.epoch = epoch;
  e.step = step;
  return e;
}

}  // namespace

class TestLossPlotLayout : public QObject {
  Q_OBJECT

  // Ten epochs of 20 steps with loss, val_loss and accuracy.
  static void fill(LossPlot& plot) {
    plot.setStepsPerEpoch(10, 20);
    QVector<QPointF> batches;
    for (int s = 1; s <= 200; ++s) batches << QPointF(s, 2.0 / (1 + 0.05 * s));
    plot.addBatchPoints(batches);
    for (int e = 0; e < 10; ++e)
      plot.addEpoch(e, {{"loss", 2.0 / (1 + e)},
                        {"val_loss", 2.2 / (1 + e)},
                        {"accuracy", 0.5 + 0.04 * e},
                        {"val_accuracy", 0.48 + 0.04 * e}});
  }

 private slots:
  void legendOutsideTheAxes() {
    LossPlot plot;
    plot.resize(700, 360);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    fill(plot);
    QCustomPlot* cp = plot.customPlot();
    QTest::qWait(30);  // the queued range update and replot
    cp->replot();
    QVERIFY(cp->legend->visible());
    QVERIFY(cp->legend->itemCount() >= 6);
    const QRect legend = cp->legend->outerRect();
    const QRect axes = cp->axisRect()->outerRect();
    QVERIFY(!legend.isEmpty());
    QVERIFY2(!legend.intersects(cp->axisRect()->rect()),
             qPrintable(QStringLiteral("legend %1,%2 %3x%4")
                            .arg(legend.x())
                            .arg(legend.y())
                            .arg(legend.width())
                            .arg(legend.height())));
    QVERIFY(legend.left() >= axes.right() - 1);

    // A click on the "val_loss" entry hides that curve; a second click shows it again.
    QCPAbstractLegendItem* entry = cp->legend->itemWithPlottable(plot.epochGraph("val_loss"));
    QVERIFY(entry);
    QTest::mouseClick(cp, Qt::LeftButton, {}, entry->rect().center());
    QVERIFY(!plot.seriesVisible("val_loss"));
    QVERIFY(plot.seriesVisible("loss"));
    QTest::mouseClick(cp, Qt::LeftButton, {}, entry->rect().center());
    QVERIFY(plot.seriesVisible("val_loss"));

    // Log scale and export are kept.
    plot.setLogScale(true);
    QCOMPARE(cp->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QTemporaryDir dir;
    QVERIFY(plot.saveImage(dir.filePath("curves.png")));
    QVERIFY(QFileInfo(dir.filePath("curves.png")).size() > 1000);
  }

  void markerLabelsNeverOverlap() {
    LossPlot plot;
    plot.resize(700, 360);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    fill(plot);
    // Best epoch, a checkpoint and a learning-rate change at neighbouring epochs, a pause and a
    // resume a few steps apart.
    TrainingEvent lr = marker("lr_change", 4, 100);
    lr.payload.insert("to", 0.0005);
    plot.addEvents({marker("best_epoch", 4, 100), marker("checkpoint", 4, 100), lr,
                    marker("checkpoint", 5, 120), marker("pause", 5, 103),
                    marker("resume", 5, 104)});
    QCustomPlot* cp = plot.customPlot();
    QTest::qWait(30);  // the queued range update and replot
    cp->replot();
    const QList<QRectF> rects = plot.markerLabelRects();
    QCOMPARE(rects.size(), plot.eventMarkerCount());
    int shown = 0;
    for (int i = 0; i < rects.size(); ++i) {
      if (rects[i].isEmpty()) continue;
      ++shown;
      QVERIFY(cp->axisRect()->rect().contains(rects[i].center().toPoint()));
      for (int j = i + 1; j < rects.size(); ++j)
        QVERIFY2(!rects[i].intersects(rects[j]), qPrintable(QStringLiteral("labels %1 and %2 "
                                                                           "overlap")
                                                                .arg(plot.eventMarkerKinds()[i])
                                                                .arg(plot.eventMarkerKinds()[j])));
    }
    QCOMPARE(shown, rects.size());  // there is room for all six at this size

    // A small plot: labels without room are hidden, never stacked over others; the hover
    // readout names the markers at the mouse.
    plot.resize(330, 200);
    QTest::qWait(20);
    QTest::qWait(30);  // the queued range update and replot
    cp->replot();
    const QList<QRectF> small = plot.markerLabelRects();
    for (int i = 0; i < small.size(); ++i)
      for (int j = i + 1; j < small.size(); ++j)
        if (!small[i].isEmpty() && !small[j].isEmpty()) QVERIFY(!small[i].intersects(small[j]));
    const QPoint atBest(static_cast<int>(cp->xAxis->coordToPixel(100)),
                        cp->axisRect()->rect().center().y());
    QVERIFY2(plot.readoutAt(atBest).contains("best (epoch 5)"), qPrintable(plot.readoutAt(atBest)));
  }
};

QTEST_MAIN(TestLossPlotLayout)
#include "tst_ui_lossplotlayout.moc"
