// The two-phase fine-tune recipe's run in the runs browser: one curve of 5 epochs and a dashed
// marker between epoch 2 and 3 labelled with the unfrozen layer count and the learning rate; the
// live loss plot labels the same event. With TESSEL_SCREENSHOTS=<dir>: finetune_runs.png.
#include <qcustomplot.h>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/session/FineTuneRecipe.h"
#include "engine/store/Project.h"
#include "tests/engine/train/TrainTestUtil.h"
#include "ui/training/LossPlot.h"
#include "ui/training/RunsBrowser.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::test;

class TestFineTuneMarker : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void markerInTheRunsBrowser() {
    const QString path = dir_.filePath("ft.tessel");
    qint64 runId = 0;
    {
      Project project = Project::create(path.toStdString());
      const ModelSpec spec = makeSpec(
          {inputNode("x", {2}), denseNode("d1", 8, "x", "tanh"), denseNode("out", 1, "d1")}, {"x"},
          {"out"});
      RunRecord run;
      run.modelId = project.addModel("m", spec.toKerasJson());
      run.name = "fine-tune";
      run.spec = spec.toKerasJson();
      runId = project.createRun(run);
      RunSettings s;
      s.compile = CompileOptions{{"mse"}, {}, {}, sgd(0.1)};
      s.fit.batchSize = 16;
      FineTuneRecipe r;
      r.baseEnd = "d1";
      r.headEpochs = 2;
      r.unfreezeLast = 2;
      r.fineTuneEpochs = 3;
      Dataset d;
      d.x.resize(1), d.y.resize(1);
      linearData(64, d.x[0], d.y[0]);
      FineTuneHooks hooks;
      hooks.project = &project;
      hooks.runId = runId;
      fitTwoPhase(spec, s, r, d, hooks);
    }
    RunsBrowser browser;
    browser.resize(1000, 600);
    browser.setProject(path);
    browser.selectRuns({runId});
    browser.show();
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    QCustomPlot* plot = browser.overlayPlot();
    QCOMPARE(plot->graphCount(), 1);
    QCOMPARE(plot->graph(0)->dataCount(), 5);
    int lines = 0;
    QString label;
    for (int i = 0; i < plot->itemCount(); ++i) {
      if (auto* l = qobject_cast<QCPItemStraightLine*>(plot->item(i));
          l && l->objectName() == "fineTuneMarker") {
        ++lines;
        QCOMPARE(l->point1->coords().x(), 2.5);
      }
      if (auto* t = qobject_cast<QCPItemText*>(plot->item(i))) label = t->text();
    }
    QCOMPARE(lines, 1);
    QCOMPARE(label, QString("fine-tune\nlast 2 · lr 0.01"));
    if (const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !shots.isEmpty())
      QVERIFY(browser.grab().save(shots + "/finetune_runs.png"));
  }

  void liveLossPlotLabel() {
    LossPlot plot;
    TrainingEvent e;
    e.kind = "fine_tune";
    e.epoch = 2;
    e.step = 8;
    e.payload = {{"unfreeze_last", 20}, {"learning_rate", 1e-4}};
    plot.addEvents({e});
    QCOMPARE(plot.eventMarkerCount(), 1);
    QCOMPARE(plot.eventMarkerKinds(), QStringList{"fine_tune"});
  }
};

QTEST_MAIN(TestFineTuneMarker)
#include "tst_ui_finetunemarker.moc"
