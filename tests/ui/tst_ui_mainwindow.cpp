// The project window with real widgets (offscreen): the example project opens with its models in
// the tree; an edit marks the title, Save (toolbar button) clears it and writes the file; the
// unsaved-changes prompt on close; recent files; new model from an example; import / export of
// model.json (architecture, weights only, full); and training the Fashion-MNIST MLP from the Train
// button, then closing the window mid-training: the run is `stopped` in the project file and the
// file passes PRAGMA integrity_check. Screenshots: studio_editor.png, studio_training.png in
// $TESSEL_SCREENSHOT_DIR or the build directory.
#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QtTest>

#include "engine/data/DataSettings.h"
#include "engine/data/FashionMnist.h"
#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewGrid.h"
#include "ui/preview/PreviewPanel.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/TrainingController.h"

namespace {
// Screenshots go to $TESSEL_SCREENSHOT_DIR when set (README's screenshot command), else the build.
QString shotPath(const char* name) {
  QString dir = qEnvironmentVariable("TESSEL_SCREENSHOT_DIR");
  if (dir.isEmpty()) dir = QStringLiteral(TESSEL_BINARY_DIR);
  QDir().mkpath(dir);
  return dir + QLatin1Char('/') + QLatin1String(name);
}
}  // namespace
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

// The title as the window manager shows it ("[*]" replaced by the modified mark).
QString shownTitle(const QWidget& w) {
  QString t = w.windowTitle();
  return t.replace("[*]", w.isWindowModified() ? "*" : "");
}

void clickAction(MainWindow& w, QAction* action) {
  QWidget* button = w.mainToolBar()->widgetForAction(action);
  QVERIFY(button);
  QTest::mouseClick(button, Qt::LeftButton);
}

int darkPixels(const QImage& img) {
  int dark = 0;
  for (int y = 0; y < img.height(); y += 2)
    for (int x = 0; x < img.width(); x += 2)
      if (qGray(img.pixel(x, y)) < 100) ++dark;
  return dark;
}

// Answers every question with `answer` and records the questions.
struct Answers {
  QStringList asked;
  QMessageBox::StandardButton answer = QMessageBox::Discard;
  MainWindow::AskPolicy policy() {
    return [this](const QString& title, const QString&, QMessageBox::StandardButtons buttons) {
      asked << title;
      return (buttons & answer) ? answer : QMessageBox::Ok;
    };
  }
};

}  // namespace

class TestUiMainWindow : public QObject {
  Q_OBJECT

  // Types the epoch count into the dashboard's compile panel.
  static void setEpochs(MainWindow& w, int epochs) {
    w.dashboard()->show();
    QSpinBox* box = w.dashboard()->compilePanel()->epochsBox();
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, QString::number(epochs));
    QTest::keyClick(box, Qt::Key_Enter);
    QCOMPARE(box->value(), epochs);
  }

  QTemporaryDir settingsDir_;

  QString makeExampleProject(QTemporaryDir& tmp) {
    const QString path = tmp.filePath("Examples.tessel");
    QString error;
    if (!ExampleLibrary::writeExampleProject(path, &error)) return {};
    return path;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_mainwindow");
    ExampleLibrary::setExtraRoot(TESSEL_SOURCE_DIR "/resources/examples");
    if (ExampleLibrary::models().isEmpty()) QSKIP("no bundled examples under resources/examples");
  }

  void opensExampleProjectWithTreeAndSummary() {
    QTemporaryDir tmp;
    const QString path = makeExampleProject(tmp);
    QVERIFY(!path.isEmpty());
    MainWindow window;
    QVERIFY(window.openProject(path));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(shownTitle(window), QString("Examples.tessel — Tessel Studio"));
    ProjectTree* tree = window.projectTree();
    QCOMPARE(tree->topLevelItemCount(), ExampleLibrary::models().size());
    QCOMPARE(tree->topLevelItem(0)->text(0), QString("fashion_mnist_mlp"));
    // The seed classifier: 784*100+100 + 19*(100*100+100) + 100*10+10 = 271410 parameters.
    const QString text = window.summaryText();
    QVERIFY2(text.contains("Layer (type)") && text.contains("Total params: 271,410"),
             qPrintable(text));
    // InputLayer + Flatten + 20 Dense + AlphaDropout + Dense.
    QCOMPARE(window.editor()->document()->spec().nodes.size(), size_t(24));

    // Clicking another model in the tree shows it.
    QTreeWidgetItem* cnn = tree->modelItem(window.session()->modelIdByName("fashion_mnist_cnn"));
    QVERIFY(cnn);
    QRect r = tree->visualItemRect(cnn);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, r.center());
    QCOMPARE(window.currentModelId(), window.session()->modelIdByName("fashion_mnist_cnn"));
    QVERIFY2(window.summaryText().contains("Conv2D"), qPrintable(window.summaryText()));
    QVERIFY(MainWindow::recentProjects().contains(QFileInfo(path).absoluteFilePath()));

    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                      tree->visualItemRect(tree->topLevelItem(0)).center());
    QTest::qWait(200);  // layouts of the docks settle
    QPixmap shot = window.grab();
    QVERIFY(shot.save(shotPath("studio_editor.png")));
    QVERIFY(darkPixels(shot.toImage()) > 200);
  }

  // An edit marks the title; the Save button writes the model and clears the mark; the edit is
  // in the file when the project is opened again.
  void editMarksTitleAndSaveClearsIt() {
    QTemporaryDir tmp;
    const QString path = makeExampleProject(tmp);
    MainWindow window;
    QVERIFY(window.openProject(path));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const qint64 id = window.currentModelId();
    QVERIFY(!window.editor()->addLayerAtCentre("Dropout").isEmpty());
    QCOMPARE(shownTitle(window), QString("Examples.tessel* — Tessel Studio"));
    QVERIFY(window.projectTree()->modelItem(id)->text(0).endsWith("*"));
    // The dashboard follows the graph once the edits settle.
    QTRY_COMPARE(window.dashboard()->model().nodes.size(), size_t(25));
    QCOMPARE(window.dashboard()->modelId(), id);
    clickAction(window, window.saveAction());
    QCOMPARE(shownTitle(window), QString("Examples.tessel — Tessel Studio"));
    Project p = Project::open(path.toStdString(), true);
    QVERIFY(p.model(id)->spec.dump().find("\"Dropout\"") != std::string::npos);
    QCOMPARE(p.model(id)->layout.size(), size_t(25));
  }

  // Closing with unsaved edits asks: Cancel keeps the window, Discard closes without writing.
  void unsavedChangesPromptOnClose() {
    QTemporaryDir tmp;
    const QString path = makeExampleProject(tmp);
    Answers answers;
    MainWindow window;
    window.setAskPolicy(answers.policy());
    QVERIFY(window.openProject(path));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.editor()->addLayerAtCentre("Dropout");
    answers.answer = QMessageBox::Cancel;
    QVERIFY(!window.close());
    QVERIFY(window.isVisible());
    QCOMPARE(answers.asked, QStringList{"Unsaved changes"});
    answers.answer = QMessageBox::Discard;
    QVERIFY(window.close());
    QVERIFY(!window.isVisible());
    Project p = Project::open(path.toStdString(), true);
    QVERIFY(p.model(window.currentModelId())->spec.dump().find("\"Dropout\"") == std::string::npos);

    // Save writes it instead.
    MainWindow second;
    second.setAskPolicy(answers.policy());
    QVERIFY(second.openProject(path));
    second.editor()->addLayerAtCentre("Dropout");
    answers.answer = QMessageBox::Save;
    QVERIFY(second.close());
    Project q = Project::open(path.toStdString(), true);
    QVERIFY(q.model(second.currentModelId())->spec.dump().find("\"Dropout\"") != std::string::npos);
  }

  void recentMenuOpensProject() {
    QTemporaryDir tmp;
    const QString a = makeExampleProject(tmp);
    const QString b = tmp.filePath("b.tessel");
    QVERIFY(QFile::copy(a, b));
    MainWindow window;
    QVERIFY(window.openProject(a));
    QVERIFY(window.openProject(b));
    QCOMPARE(MainWindow::recentProjects().value(0), QFileInfo(b).absoluteFilePath());
    QCOMPARE(MainWindow::recentProjects().value(1), QFileInfo(a).absoluteFilePath());
    emit window.recentMenu()->aboutToShow();
    QAction* first = nullptr;
    for (QAction* act : window.recentMenu()->actions())
      if (act->data().toString() == QFileInfo(a).absoluteFilePath()) first = act;
    QVERIFY(first);
    first->trigger();
    QCOMPARE(window.session()->path(), QFileInfo(a).absoluteFilePath());
  }

  // New model from an example, then export it three ways and read every file back.
  void newModelAndExports() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("new.tessel");
    MainWindow window;
    QVERIFY(window.newProject(path));
    // A new project starts with one blank model.
    QCOMPARE(window.projectTree()->topLevelItemCount(), 1);
    QAction* example = window.findChild<QAction*>("actionExample_wide_deep");
    QVERIFY(example);
    example->trigger();
    QCOMPARE(window.projectTree()->topLevelItemCount(), 2);
    QCOMPARE(window.session()->models().back().name, QString("wide_deep"));
    const ModelSpec spec = window.editor()->document()->spec();

    QString next;
    window.setPathPolicy([&](const QString&, const QString&, bool) { return next; });
    QDir(tmp.path()).mkpath("arch");
    QDir(tmp.path()).mkpath("weights");
    QDir(tmp.path()).mkpath("full");
    next = tmp.filePath("arch/model.json");
    window.findChild<QAction*>("actionExportArchitecture")->trigger();
    ModelFile arch = readModelFile(next.toStdString());
    QVERIFY(arch.spec == spec);
    QVERIFY(arch.weights.empty());
    QVERIFY(arch.trainingConfig.is_null());

    next = tmp.filePath("full/model.json");
    window.findChild<QAction*>("actionExportFull")->trigger();
    ModelFile full = readModelFile(next.toStdString());
    QVERIFY(full.spec == spec);
    QVERIFY(!full.weights.empty());
    QCOMPARE(full.trainingConfig["loss"], json("mean_squared_error"));

    next = tmp.filePath("weights/weights.json");
    window.findChild<QAction*>("actionExportWeights")->trigger();
    QFile f(next);
    QVERIFY(f.open(QIODevice::ReadOnly));
    json manifest = json::parse(f.readAll().toStdString());
    QCOMPARE(manifest["format"], json("weights-manifest"));
    QVERIFY(!manifest.contains("modelTopology"));
    QCOMPARE(manifest["weightsManifest"][0]["weights"].size(), full.weights.size());
    QVERIFY(QFileInfo::exists(tmp.filePath("weights/group1-shard1of1.bin")));

    // Import the architecture back as a second model.
    QVERIFY(window.openModel(tmp.filePath("arch/model.json")));
    QCOMPARE(window.projectTree()->topLevelItemCount(), 3);
    QVERIFY(window.editor()->document()->spec() == spec);
  }

  // A template from the editor's list becomes a model of the project, laid out, with the
  // training config of its example; leaving an edited model autosaves it.
  void templateModelAndAutosaveOnSwitch() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("t.tessel");
    MainWindow window;
    QVERIFY(window.newProject(path));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QAction* wideDeep = window.findChild<QAction*>("actionTemplate_wide_deep");
    QVERIFY(wideDeep);
    wideDeep->trigger();
    QAction* mlp = window.findChild<QAction*>("actionTemplate_fashion_mnist_mlp");
    QVERIFY(mlp);
    mlp->trigger();
    QCOMPARE(window.projectTree()->topLevelItemCount(), 3);  // the blank "model" and these two
    const qint64 wide = window.session()->modelIdByName("wide_deep");
    const qint64 seed = window.session()->modelIdByName("fashion_mnist_mlp");
    QCOMPARE(window.currentModelId(), seed);
    {
      Project p = Project::open(path.toStdString(), true);
      QCOMPARE(p.model(wide)->layout.size(), p.model(wide)->spec["config"]["layers"].size());
      QCOMPARE(p.model(wide)->compileSettings["compile"]["loss"], json("mean_squared_error"));
    }
    window.editor()->addLayerAtCentre("Dropout");
    QVERIFY(window.isWindowModified());
    // Click the other model in the tree: the edited one is written on the way out.
    ProjectTree* tree = window.projectTree();
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                      tree->visualItemRect(tree->modelItem(wide)).center());
    QCOMPARE(window.currentModelId(), wide);
    QVERIFY(!window.isWindowModified());
    Project p = Project::open(path.toStdString(), true);
    QVERIFY(p.model(seed)->spec.dump().find("\"Dropout\"") != std::string::npos);
  }

  // A model.json opened with no project is an untitled project: Save asks for a file.
  void untitledProjectSaveAsksForFile() {
    QTemporaryDir tmp;
    MainWindow window;
    QStringList captions;
    window.setPathPolicy([&](const QString& caption, const QString&, bool save) {
      captions << caption;
      return save ? tmp.filePath("saved") : QString();
    });
    QVERIFY(window.openModel(ExampleLibrary::modelPath("wide_deep")));
    QVERIFY(window.session()->isUntitled());
    QVERIFY(window.isWindowModified());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    clickAction(window, window.saveAction());
    QCOMPARE(captions.size(), 1);
    QCOMPARE(window.session()->path(), QFileInfo(tmp.filePath("saved.tessel")).absoluteFilePath());
    QCOMPARE(shownTitle(window), QString("saved.tessel — Tessel Studio"));
    Project p = Project::open(tmp.filePath("saved.tessel").toStdString(), true);
    QCOMPARE(p.models().size(), size_t(1));
  }

  void badModelFileShowsError() {
    QTemporaryDir tmp;
    const QString bad = tmp.filePath("model.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"modelTopology\": {\"class_name\": \"Sequential\", \"config\": ");  // truncated
    f.close();
    MainWindow window;
    QVERIFY(!window.openModel(bad));
    QVERIFY2(window.summaryText().contains("Could not open"), qPrintable(window.summaryText()));
    QVERIFY(!window.openModel(tmp.filePath("missing.json")));
    // A model.json with no project open starts an untitled one.
    QVERIFY(window.openModel(ExampleLibrary::modelPath("fashion_mnist_mlp")));
    QVERIFY(window.session()->isUntitled());
    QVERIFY2(shownTitle(window).startsWith("model.json*"), qPrintable(shownTitle(window)));
  }

  // Train the Fashion-MNIST MLP from the Train button on a small Fashion-MNIST subset, close the
  // window mid-training through the real question box: the worker stops, the run is `stopped`
  // in the project file, the file is healthy.
  void closeWhileTrainingStopsRun() {
    if (!fashionMnistAvailable()) QSKIP("Fashion-MNIST (dataset-fashion-mnist) not installed");
    QTemporaryDir tmp;
    const QString path = makeExampleProject(tmp);
    qint64 modelId = 0;
    {
      MainWindow window;
      QVERIFY(window.openProject(path));
      window.setTrainSampleLimit(480);
      window.resize(1600, 1000);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      setEpochs(window, 200);
      modelId = window.currentModelId();
      clickAction(window, window.trainAction());
      QVERIFY2(window.isTraining(), qPrintable(window.lastMessage()));
      TrainingPanel* panel = window.trainingPanel();
      // Past the first epoch end, so the curves have an epoch point.
      QTRY_VERIFY_WITH_TIMEOUT(panel->currentStep() > 20, 120000);
      QTRY_VERIFY_WITH_TIMEOUT(window.projectTree()->modelItem(modelId)->childCount() == 1, 5000);
      QTreeWidgetItem* runItem = window.projectTree()->modelItem(modelId)->child(0);
      QVERIFY(runItem->text(0).contains("running"));
      // Updated live at epoch ends (at least one has passed).
      const QRegularExpression epochs("running · [1-9][0-9]* epoch");
      QTRY_VERIFY2(epochs.match(runItem->text(0)).hasMatch(), qPrintable(runItem->text(0)));
      QApplication::processEvents();
      QPixmap shot = window.grab();
      QVERIFY(shot.save(shotPath("studio_training.png")));

      // The real question box: press Yes (stop training) when it shows, Save if asked next.
      QString question;
      QTimer poll;
      poll.setInterval(20);
      QObject::connect(&poll, &QTimer::timeout, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || !box->isVisible()) return;
        if (question.isEmpty()) question = box->text();
        QAbstractButton* b = box->button(QMessageBox::Yes);
        if (!b) b = box->button(QMessageBox::Save);
        if (b) QTest::mouseClick(b, Qt::LeftButton);
      });
      poll.start();
      QVERIFY(window.close());
      QVERIFY2(question.contains("training"), qPrintable(question));
      QVERIFY(!window.isVisible());
      QVERIFY(!window.isTraining());
      QCOMPARE(TrainingController::activeWorkers(), 0);
    }
    Project p = Project::open(path.toStdString(), true);
    auto runs = p.runs(modelId);
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runStatusName(runs[0].status), runStatusName(RunStatus::Stopped));
    QVERIFY(!p.batchMetrics(runs[0].id).empty());
    QCOMPARE(p.integrityCheck(), std::string("ok"));
    // The epochs typed into the compile panel were saved with the model and used by the run.
    QCOMPARE(p.model(modelId)->compileSettings["fit"]["epochs"], json(200));
    QCOMPARE(runs[0].settings["fit"]["epochs"], json(200));
    // The run records the data settings it trained on and their hash.
    QVERIFY2(runs[0].settings.contains("data"), runs[0].settings.dump().c_str());
    QCOMPARE(runs[0].settings["data"]["kind"], json("fashion_mnist"));
    QCOMPARE(runs[0].dataHash.size(), size_t(16));
    QCOMPARE(runs[0].dataHash, DataSettings::fromJson(runs[0].settings["data"]).hash());

    // Export the full model again: the weights come from the run's last checkpoint.
    MainWindow again;
    QVERIFY(again.openProject(path));
    QDir(tmp.path()).mkpath("export");
    const QString out = tmp.filePath("export/model.json");
    again.setPathPolicy([&](const QString&, const QString&, bool) { return out; });
    again.findChild<QAction*>("actionExportFull")->trigger();
    QVERIFY2(again.lastMessage().contains("weights of run"), qPrintable(again.lastMessage()));
    ModelFile exported = readModelFile(out.toStdString());
    QCOMPARE(exported.weights.size(), size_t(42));  // 21 Dense layers: kernel + bias
    QCOMPARE(exported.trainingConfig["loss"], json("sparse_categorical_crossentropy"));
    QVERIFY(!exported.optimizerWeights.empty());  // full model: optimizer state included
  }

  // Cancel in the question keeps training and the window.
  // Image-folder data chosen for a model: the run trains on it (its record says so) and the
  // previews name the classes after the subfolders, not Fashion-MNIST's.
  void imageFolderClassNamesReachPreviews() {
    QTemporaryDir tmp;
    const QString path = makeExampleProject(tmp);
    for (const QString c : {"boot", "shirt"}) {
      QVERIFY(QDir(tmp.path()).mkpath("imgs/" + c));
      for (int i = 0; i < 6; ++i) {
        QImage img(28, 28, QImage::Format_Grayscale8);
        img.fill(c == "boot" ? 40 + i : 200 - i);
        QVERIFY(img.save(tmp.filePath(QString("imgs/%1/%2.png").arg(c).arg(i))));
      }
    }
    MainWindow window;
    QVERIFY(window.openProject(path));
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const qint64 id = window.currentModelId();
    DataSettings s;
    s.kind = "image_folder";
    s.path = tmp.filePath("imgs").toStdString();
    s.options = {{"height", 28}, {"width", 28}, {"grayscale", true}};
    s.fractions = {0.5, 0.5, 0.0};
    s.normalization = "rescale";
    window.session()->setDataSettings(id, s.toJson());
    setEpochs(window, 2);
    clickAction(window, window.trainAction());
    QVERIFY2(window.isTraining(), qPrintable(window.lastMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 30000);
    QCOMPARE(window.previewPanel()->grid()->classNames(), QStringList({"boot", "shirt"}));
    Project p = Project::open(path.toStdString(), true);
    auto runs = p.runs(id);
    QVERIFY(!runs.empty());
    QCOMPARE(runs.back().settings["data"]["kind"], json("image_folder"));
    QCOMPARE(runStatusName(runs.back().status), runStatusName(RunStatus::Finished));
  }

  void closeWhileTrainingCancelKeepsTraining() {
    if (!fashionMnistAvailable()) QSKIP("Fashion-MNIST (dataset-fashion-mnist) not installed");
    QTemporaryDir tmp;
    const QString path = makeExampleProject(tmp);
    Answers answers;
    answers.answer = QMessageBox::Cancel;
    MainWindow window;
    window.setAskPolicy(answers.policy());
    QVERIFY(window.openProject(path));
    window.setTrainSampleLimit(1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    setEpochs(window, 200);
    QVERIFY(window.train());
    QVERIFY(!window.close());
    QVERIFY(window.isTraining());
    QVERIFY(window.isVisible());
    // Closing the project asks too; Yes stops the run.
    answers.answer = QMessageBox::Yes;
    QVERIFY(window.closeProject());
    QVERIFY(!window.isTraining());
    QCOMPARE(answers.asked.count("Training in progress"), 2);
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(runStatusName(p.runs()[0].status), runStatusName(RunStatus::Stopped));
  }
};

QTEST_MAIN(TestUiMainWindow)
#include "tst_ui_mainwindow.moc"
