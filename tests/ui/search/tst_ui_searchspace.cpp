// The search space is saved in the project with the model: the Search tab's editor marks two
// parameters of the wide & deep model, File > Save writes them into the model's compile settings
// ("search_space"), reopening the project shows them marked again, and `tessel search PROJECT`
// without --space runs on exactly those parameters.
#include <QComboBox>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/io/TfjsModel.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"
#include "ui/MainWindow.h"
#include "ui/project/ProjectSession.h"
#include "ui/search/SearchPanel.h"
#include "ui/search/SearchSpaceEditor.h"

using namespace tessel;
using namespace tessel::ui;
using json = nlohmann::json;

namespace {
const std::string kExamples = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/";
const QString kTessel = QStringLiteral(TESSEL_BINARY_DIR "/app/tessel");

SearchPanel* showSearchTab(MainWindow& window) {
  QTabWidget* tabs = window.workspaceTabs();
  for (int i = 0; i < tabs->count(); ++i)
    if (tabs->tabText(i) == "Search") {
      tabs->setCurrentIndex(i == 0 ? 1 : 0);  // leave it first: showing the tab syncs it
      tabs->setCurrentIndex(i);
      return qobject_cast<SearchPanel*>(tabs->widget(i));
    }
  return nullptr;
}
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
    cli.start(kTessel,
              {"search", path, "--data-settings", QString::fromStdString(kExamples + "data.json"),
               "--trials", "2", "--cv", "2", "--epochs", "1", "--seed", "0", "--threads", "1"});
    QVERIFY(cli.waitForFinished(300000));
    const QString out = cli.readAllStandardOutput() + cli.readAllStandardError();
    QVERIFY2(cli.exitCode() == 0, qPrintable(out));
    QVERIFY2(out.contains("dense_units") && out.contains("optimizer_learning_rate"),
             qPrintable(out));
    Project p = Project::open(path.toStdString(), /*readOnly=*/true);
    auto search = p.search(1);
    QVERIFY(search);
    QCOMPARE(SearchSpace::fromJson(search->config["space"]).parameters().size(), size_t(2));
  }
};

QTEST_MAIN(TestSearchSpace)
#include "tst_ui_searchspace.moc"
