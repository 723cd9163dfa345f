// The studio's search: mark two parameters of the wide & deep model, run a 4-trial search on the
// diabetes data from the panel (worker thread), brush the objective axis of the parallel
// coordinates (the table follows), apply the best trial to the graph as one undo step, and grab
// a screenshot of the trials view.
#include <QComboBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QXmlStreamReader>
#include <QtTest>

#include <fstream>

#include <qcustomplot.h>

#include "engine/data/DatasetBuilder.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"
#include "tests/support/Screenshot.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/search/ObjectiveScatterPlot.h"
#include "ui/search/ParallelCoordinatesPlot.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/search/TrialsView.h"

using namespace tessel;
using namespace tessel::ui;
using json = nlohmann::json;

namespace {
const std::string kExamples = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/";
}

class TestTrialsView : public QObject {
  Q_OBJECT
 private slots:
  void markSearchBrushApplyBest() {
    QTemporaryDir dir;
    const QString projectPath = dir.filePath("s.tessel");
    ModelFile model = readModelFile(kExamples + "model.json");
    qint64 modelId = 0;
    {
      Project p = Project::create(projectPath.toStdString());
      modelId = p.addModel("wide_deep", model.spec.toKerasJson());
    }
    json dataJson = json::parse(std::ifstream(kExamples + "data.json"));
    dataJson["path"] = kExamples + "diabetes.csv";
    BuiltData data = buildDataset(dataJson);
    fitDatasetToModel(data.train, model.spec);

    GraphDocument doc;
    doc.setModel(model.spec);
    QUndoStack stack;
    SearchPanel panel;
    panel.setSettings({{"compile", model.trainingConfig}, {"fit", {{"batch_size", 32}}}});
    panel.setDocument(&doc, &stack);
    panel.setProject(projectPath, modelId);
    panel.setData(data.train, std::nullopt, dataJson);
    json applied;
    panel.setSettingsHandler([&](const json& s) { applied = s; });

    // Mark two parameters through the widgets.
    SearchSpaceEditor* editor = panel.spaceEditor();
    for (const char* target : {"layers.dense.units", "optimizer.learning_rate"}) {
      int i = editor->candidateBox()->findText(target);
      QVERIFY2(i >= 0, target);
      editor->candidateBox()->setCurrentIndex(i);
      QTest::mouseClick(editor->markButton(), Qt::LeftButton);
    }
    QCOMPARE(editor->marked(), (QStringList{"layers.dense.units", "optimizer.learning_rate"}));
    auto space = editor->space();
    QCOMPARE(space.find("dense_units")->min, 7.0);              // 30 / 4
    QCOMPARE(space.find("optimizer_learning_rate")->max, 0.1);  // 0.01 * 10

    // A 4-trial search, 2 folds, 5 epochs each, on the worker thread.
    panel.trialsBox()->setValue(4);
    panel.foldsBox()->setValue(2);
    panel.epochsBox()->setValue(5);
    // Two trials at a time (typed into the spin box), the threads divided between them.
    panel.parallelBox()->selectAll();
    QTest::keyClicks(panel.parallelBox(), "2");
    QCOMPARE(panel.parallelBox()->value(), 2);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QVERIFY2(panel.isRunning(), qPrintable(panel.status()));
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 300000);
    QVERIFY2(panel.status().contains("finished"), qPrintable(panel.status()));
    {
      Project p = Project::open(projectPath.toStdString(), /*readOnly=*/true);
      QCOMPARE(p.searches().size(), size_t(1));
      QCOMPARE(p.searches().front().config["settings"]["parallel"], json(2));
      for (const auto& t : SearchRun::trialsOf(p, p.searches().front().id))
        QCOMPARE(t.status, std::string("finished"));
    }
    TrialsView* view = panel.trialsView();
    QCOMPARE(view->model()->rowCount(), 4);
    QCOMPARE(view->proxy()->rowCount(), 4);
    // Sorted by objective, best first.
    double first = view->proxy()->index(0, TrialsView::kObjectiveColumn).data().toDouble();
    double last = view->proxy()->index(3, TrialsView::kObjectiveColumn).data().toDouble();
    QVERIFY(first <= last);
    // Sort by a hyperparameter by clicking its header.
    view->table()->sortByColumn(3, Qt::AscendingOrder);
    QVERIFY(view->proxy()->index(0, 3).data().toDouble() <=
            view->proxy()->index(3, 3).data().toDouble());

    // Brush the lower half of the objective axis (axis 2): the worst trial leaves the table.
    ParallelCoordinatesPlot* plot = view->plot();
    panel.resize(1100, 900);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    plot->plot()->replot();
    QPoint from = plot->pixelOf(2, 0.0), to = plot->pixelOf(2, 0.5);
    QTest::mousePress(plot->plot(), Qt::LeftButton, {}, from);
    QTest::mouseMove(plot->plot(), to);
    QTest::mouseRelease(plot->plot(), Qt::LeftButton, {}, to);
    QCOMPARE(plot->brushes().size(), size_t(1));
    const auto [lo, hi] = plot->brushes().begin()->second;
    // Pixel rounding: the ends are within a pixel or so of 0 and 0.5.
    QVERIFY2(std::abs(lo) < 0.05 && std::abs(hi - 0.5) < 0.05,
             qPrintable(QString("%1..%2").arg(lo).arg(hi)));
    const int kept = view->proxy()->rowCount();
    QVERIFY2(kept >= 1 && kept < 4, qPrintable(QString::number(kept)));
    for (int r = 0; r < kept; ++r)
      QVERIFY(view->proxy()->index(r, TrialsView::kObjectiveColumn).data().toDouble() <=
              first + hi * (last - first) + 1e-9);

    tessel::testutil::saveScreenshot(view, "search_trials.png");

    // The scatter of the objective vs a hyperparameter: every finished trial, the combo picks it.
    ObjectiveScatterPlot* scatter = view->scatter();
    QCOMPARE(scatter->parameterBox()->count(), 2);
    QCOMPARE(scatter->pointCount(), 4);
    scatter->parameterBox()->setCurrentIndex(
        scatter->parameterBox()->findText("optimizer_learning_rate"));
    QCOMPARE(scatter->parameter(), QString("optimizer_learning_rate"));
    QCOMPARE(scatter->plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(scatter->pointCount(), 4);
    QCOMPARE(scatter->plot()->xAxis->label(), QString("optimizer_learning_rate"));
    // Each point sits at its trial's value and score.
    for (const auto& d : *scatter->plot()->graph(1)->data())
      QCOMPARE(d.value, *view->bestTrial()->score);
    tessel::testutil::saveScreenshot(&panel, "search_panel.png");

    // Export both plots as PNG, then SVG, through the button.
    QTemporaryDir out;
    QString target = out.filePath("search.png");
    view->setExportPathProvider([&] { return target; });
    QTest::mouseClick(view->exportButton(), Qt::LeftButton);
    for (const char* name : {"search_parallel.png", "search_scatter.png"}) {
      QImage image(out.filePath(name));
      QVERIFY2(!image.isNull(), name);
      const QWidget* w = QString(name).contains("parallel") ? static_cast<QWidget*>(plot->plot())
                                                            : scatter->plot();
      QCOMPARE(image.size(), w->size() * w->devicePixelRatio());
    }
    QCOMPARE(view->exportPlots(out.filePath("small.png"), 320, 200).size(), 2);
    QCOMPARE(QImage(out.filePath("small_scatter.png")).size(), QSize(320, 200));
    target = out.filePath("search.svg");
    QTest::mouseClick(view->exportButton(), Qt::LeftButton);
    for (const char* name : {"search_parallel.svg", "search_scatter.svg"}) {
      QFile f(out.filePath(name));
      QVERIFY2(f.open(QIODevice::ReadOnly), name);
      QXmlStreamReader xml(&f);
      QString root;
      int paths = 0;
      while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement) {
          if (root.isEmpty()) root = xml.name().toString();
          // Qt's SVG writer draws lines as <polyline>, filled shapes as <path>.
          if (xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline"))
            ++paths;
        }
      QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
      QCOMPARE(root, QString("svg"));
      QVERIFY2(paths > 0, name);
    }

    // Apply the best trial: one undo step for the graph and the learning rate in the settings.
    auto best = view->bestTrial();
    QVERIFY(best);
    QTest::mouseClick(view->applyBestButton(), Qt::LeftButton);
    QCOMPARE(stack.count(), 1);
    QCOMPARE(doc.node("dense")->config["units"], best->values["dense_units"]);
    QCOMPARE(applied["compile"]["optimizer_config"]["config"]["learning_rate"],
             best->values["optimizer_learning_rate"]);
    stack.undo();  // the graph and the settings together
    QCOMPARE(doc.node("dense")->config["units"], json(30));
    QCOMPARE(applied["compile"]["optimizer_config"]["config"]["learning_rate"],
             model.trainingConfig["optimizer_config"]["config"]["learning_rate"]);

    // Clicking the axis without dragging clears its brush.
    QTest::mouseClick(plot->plot(), Qt::LeftButton, {}, plot->pixelOf(2, 0.3));
    QCOMPARE(plot->brushes().size(), size_t(0));
    QCOMPARE(view->proxy()->rowCount(), 4);
  }

  // The main window has a Search tab whose panel takes the current model when shown.
  void mainWindowHasASearchTab() {
    MainWindow window;
    QTabWidget* tabs = window.workspaceTabs();
    int index = -1;
    for (int i = 0; i < tabs->count(); ++i)
      if (tabs->tabText(i) == "Search") index = i;
    QVERIFY(index >= 0);
    auto* panel = qobject_cast<SearchPanel*>(tabs->widget(index));
    QVERIFY(panel);
    tabs->setCurrentIndex(index);
    QVERIFY(panel->spaceEditor()->candidates().contains("optimizer.learning_rate"));
    // No project file yet: a search cannot start, and says why.
    QVERIFY(!panel->start());
    QVERIFY(!panel->status().isEmpty());
  }
};

QTEST_MAIN(TestTrialsView)
#include "tst_ui_trialsview.moc"
