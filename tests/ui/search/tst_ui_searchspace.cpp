// The search space is saved in the project with the model: the Search tab's editor marks two
// parameters of the wide & deep model, File > Save writes them into the model's compile settings
// ("search_space"), reopening the project shows them marked again, and `tessel search PROJECT`
// without --space runs on exactly those parameters.
#include <QApplication>
#include <QComboBox>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <set>

#include <qcustomplot.h>

#include "engine/io/TfjsModel.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"
#include "tests/support/SearchTab.h"
#include "ui/MainWindow.h"
#include "ui/project/ProjectSession.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/search/TrialsView.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;
using json = nlohmann::json;

namespace {
const std::string kExamples = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/";
const QString kTessel = QStringLiteral(TESSEL_BINARY_DIR "/app/tessel");

using testutil::showSearchTab;
}  // namespace

class TestSearchSpace : public QObject {
  Q_OBJECT
 private slots:
  void markedParametersAreSavedWithTheModel() {
    QTemporaryDir dir;
    const QString path = dir.filePath("space.tessel");
    {
      Project p = Project::create(path.toStdString());
      p.addModel("wide_deep", readModelFile(kExamples + "model.json").spec.toKerasJson());
    }
    const QStringList targets = {"layers.dense.units", "optimizer.learning_rate"};
    {
      MainWindow window;
      window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
        return QMessageBox::Discard;
      });
      QVERIFY(window.openProject(path));
      SearchPanel* panel = showSearchTab(window);
      QVERIFY(panel);
      SearchSpaceEditor* editor = panel->spaceEditor();
      QVERIFY(editor->marked().isEmpty());
      for (const QString& target : targets) {
        const int i = editor->candidateBox()->findText(target);
        QVERIFY2(i >= 0, qPrintable(target));
        editor->candidateBox()->setCurrentIndex(i);
        QTest::mouseClick(editor->markButton(), Qt::LeftButton);
      }
      QCOMPARE(editor->marked(), targets);
      QVERIFY(window.session()->isDirty());
      QVERIFY(window.saveProject());
      QVERIFY(!window.session()->isDirty());
      // Closed and reopened while the Search tab is shown: the tab follows.
      QVERIFY(window.closeProject());
      QTRY_VERIFY(editor->marked().isEmpty());
      QVERIFY(window.openProject(path));
      QTRY_COMPARE(editor->marked(), targets);
      QVERIFY(!window.session()->isDirty());
    }
    // On disk: the model's compile settings hold the space, in the form SearchSpace reads.
    {
      Project p = Project::open(path.toStdString(), /*readOnly=*/true);
      const json saved = p.models().front().compileSettings.value("search_space", json());
      QVERIFY2(saved.is_object(), saved.dump().c_str());
      SearchSpace space = SearchSpace::fromJson(saved);
      QCOMPARE(space.parameters().size(), size_t(2));
      QVERIFY(space.find("dense_units"));
      QVERIFY(space.find("optimizer_learning_rate"));
    }
    // Reopened: the Search tab shows them marked again.
    {
      MainWindow window;
      QVERIFY(window.openProject(path));
      SearchPanel* panel = showSearchTab(window);
      QVERIFY(panel);
      QCOMPARE(panel->spaceEditor()->marked(), targets);
      QVERIFY(!window.session()->isDirty());  // loading the space is no edit
    }
    // The CLI, no --space: the saved space.
    QProcess cli;
    cli.start(kTessel, {"search", path, "--data-settings",
                        QString::fromStdString(kExamples + "data.json"), "--trials", "2", "--cv",
                        "2", "--epochs", "1", "--seed", "0", "--threads", "1", "--parallel", "2"});
    QVERIFY(cli.waitForFinished(300000));
    const QString out = cli.readAllStandardOutput() + cli.readAllStandardError();
    QVERIFY2(cli.exitCode() == 0, qPrintable(out));
    QVERIFY2(out.contains("dense_units") && out.contains("optimizer_learning_rate"),
             qPrintable(out));
    QVERIFY2(out.contains("2 at a time") && out.contains("Trial 2 Complete"), qPrintable(out));
    Project p = Project::open(path.toStdString(), /*readOnly=*/true);
    auto search = p.search(1);
    QVERIFY(search);
    QCOMPARE(SearchSpace::fromJson(search->config["space"]).parameters().size(), size_t(2));
  }

  // "Train best on all data" after a tiny search from the Search tab: a normal run (no search,
  // no folds) of the model with the best trial's units and learning rate, for the search's epochs.
  void trainBestOnAllData() {
    QTemporaryDir dir;
    const QString path = dir.filePath("best.tessel");
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
    for (const QString target : {"layers.dense.units", "optimizer.learning_rate"}) {
      const int i = panel->spaceEditor()->candidateBox()->findText(target);
      QVERIFY2(i >= 0, qPrintable(target));
      panel->spaceEditor()->candidateBox()->setCurrentIndex(i);
      QTest::mouseClick(panel->spaceEditor()->markButton(), Qt::LeftButton);
    }
    panel->trialsBox()->setValue(2);
    panel->foldsBox()->setValue(2);
    panel->epochsBox()->setValue(3);
    QVERIFY(!panel->trialsView()->trainBestButton()->isEnabled());
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY2(panel->isRunning(), qPrintable(panel->status()));
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 300000);
    QVERIFY2(panel->status().contains("finished"), qPrintable(panel->status()));
    auto best = panel->trialsView()->bestTrial();
    QVERIFY(best);
    std::set<std::int64_t> before;
    {
      Project p = Project::open(path.toStdString(), /*readOnly=*/true);
      for (const auto& r : p.runs()) before.insert(r.id);
    }
    QVERIFY(before.size() >= 2);  // the trials

    // Selecting two trials in the table overlays their runs' curves in the runs browser.
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTableView* table = panel->trialsView()->table();
    auto rowCentre = [&](int r) { return table->visualRect(table->model()->index(r, 0)).center(); };
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rowCentre(0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier, rowCentre(1));
    const QList<qint64> selected = panel->trialsView()->selectedRunIds();
    QCOMPARE(selected.size(), 2);
    RunsBrowser* runs = window.dashboard()->runsBrowser();
    QList<qint64> shown = runs->selectedRunIds();
    std::sort(shown.begin(), shown.end());
    QList<qint64> expected = selected;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(shown, expected);
    QVERIFY(runs->overlayPlot()->graphCount() >= 2);
    QCOMPARE(runs->overlayPlot()->graph(0)->dataCount(), 3);  // 3 epochs
    if (const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !shots.isEmpty()) {
      window.resize(1280, 800);
      QApplication::processEvents();
      QVERIFY(window.grab().save(shots + "/studio_search.png"));
    }
    QVERIFY(panel->trialsView()->trainBestButton()->isEnabled());
    QTest::mouseClick(panel->trialsView()->trainBestButton(), Qt::LeftButton);
    QVERIFY2(window.isTraining(), qPrintable(window.lastMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 300000);

    Project p = Project::open(path.toStdString(), /*readOnly=*/true);
    std::vector<RunRecord> added;
    for (const auto& r : p.runs())
      if (!before.count(r.id)) added.push_back(r);
    QCOMPARE(added.size(), size_t(1));
    const RunRecord& run = added.front();
    QCOMPARE(run.status, RunStatus::Finished);
    QCOMPARE(run.epochsDone, 3);
    QCOMPARE(run.settings["fit"]["epochs"], json(3));
    const double lr = run.settings["compile"]["optimizer_config"]["config"]["learning_rate"],
                 bestLr = best->values["optimizer_learning_rate"];
    QVERIFY2(std::abs(lr - bestLr) <= 1e-6 * bestLr,  // the optimizer keeps a float32
             qPrintable(QString("%1 vs %2").arg(lr).arg(bestLr)));
    bool units = false;
    for (const auto& layer : run.spec["config"]["layers"])
      if (layer["name"] == "dense") {
        QCOMPARE(layer["config"]["units"], best->values["dense_units"]);
        units = true;
      }
    QVERIFY(units);
  }
};

QTEST_MAIN(TestSearchSpace)
#include "tst_ui_searchspace.moc"
