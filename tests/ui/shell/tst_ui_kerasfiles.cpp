// Keras files through the real File menu actions (offscreen): on a project with a trained tiny
// run (Adam), Export Model > Keras 2 .h5 writes the run's weights and Adam moments
// (optimizer_weights), > .keras and > .weights.h5 its weights; Import Model reads the .h5 and
// the .keras back as new models whose imported runs hold the same weights bit for bit (and the
// .h5's optimizer state); Load Weights reads a .weights.h5 into a model; a bad archive and
// weights that do not fit are refused with a message naming the problem and change nothing.
#include <QAction>
#include <QDir>
#include <QFile>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/io/KerasArchive.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/support/TinyModel.h"
#include "ui/MainWindow.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

const json kAdam = json::parse(R"({"loss": "mean_squared_error",
  "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.01}}})");

struct Answers {
  QStringList titles, texts;
  MainWindow::AskPolicy policy() {
    return [this](const QString& title, const QString& text, QMessageBox::StandardButtons) {
      titles << title;
      texts << text;
      return QMessageBox::Ok;
    };
  }
};

struct OpenWindow {
  MainWindow window;
  Answers answers;
  QString next;
  bool opened = false;
  explicit OpenWindow(const QString& path) {
    window.setAskPolicy(answers.policy());
    window.setPathPolicy([this](const QString&, const QString&, bool) { return next; });
    opened = window.openProject(path);
  }
  void trigger(const char* action, const QString& path) {
    next = path;
    QAction* a = window.findChild<QAction*>(action);
    QVERIFY2(a && a->isEnabled(), action);
    a->trigger();
  }
};

// A project holding the tiny model (Adam, mse) and one run of 2 epochs of 8 steps.
void makeTrainedProject(const QString& path) {
  Project project = Project::create(path.toStdString());
  const qint64 modelId = project.addModel("tiny", tinyTopology());
  ModelRecord rec = *project.model(modelId);
  rec.compileSettings = {{"compile", kAdam}};
  project.updateModel(rec);
  const ModelSpec spec = ModelSpec::fromKerasJson(tinyTopology());
  RunRecord run;
  run.modelId = modelId;
  run.name = "run 1";
  run.spec = spec.toKerasJson();
  run.settings = {{"compile", kAdam}, {"fit", {{"epochs", 2}, {"batch_size", 32}}}};
  const auto runId = project.createRun(run);
  Model model(spec, 3);
  Trainer trainer(model, CompileOptions::fromTrainingConfig(kAdam, spec.outputs));
  RunRecorder recorder(project, runId, trainer, "loss");
  FitOptions fit;
  fit.epochs = 2;
  fit.batchSize = 32;
  fit.verbose = 0;
  trainer.fit(tinyData(256), fit, {}, &recorder);
}

NamedWeights lastWeights(const QString& project, qint64 modelId) {
  Project p = Project::open(project.toStdString(), true);
  const auto runs = p.runs(modelId);
  if (runs.empty()) return {};
  return checkpointWeights(ModelSpec::fromKerasJson(runs.back().spec),
                           *p.checkpoint(runs.back().id, "last"));
}

bool sameWeights(const NamedWeights& a, const NamedWeights& b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || a[i].second.shape() != b[i].second.shape() ||
        std::memcmp(a[i].second.data(), b[i].second.data(),
                    static_cast<size_t>(a[i].second.size()) * 4) != 0)
      return false;
  return true;
}

}  // namespace

class TestUiKerasFiles : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_kerasfiles");
  }

  void exportThenImportKerasFiles() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    makeTrainedProject(path);
    OpenWindow open(path);
    MainWindow& window = open.window;
    QVERIFY(open.opened);
    const qint64 originalId = window.currentModelId();
    // The Export Model menu with the Keras entries, for a look (TESSEL_SCREENSHOT_DIR).
    if (QMenu* menu = window.findChild<QMenu*>("menuExport")) {
      QString dir = qEnvironmentVariable("TESSEL_SCREENSHOT_DIR");
      if (dir.isEmpty()) dir = TESSEL_BINARY_DIR "/keras_screenshots";
      QDir().mkpath(dir);
      menu->adjustSize();
      QVERIFY(menu->grab().save(dir + "/export_menu.png"));
    }
    const NamedWeights trained = lastWeights(path, originalId);

    open.trigger("actionExportKerasH5", tmp.filePath("tiny.h5"));
    QVERIFY2(window.lastMessage().contains("Adam optimizer state (16 steps)"),
             qPrintable(window.lastMessage()));
    const ModelFile h5 = readAnyModelFile(tmp.filePath("tiny.h5").toStdString());
    QVERIFY(sameWeights(h5.weights, trained));
    QCOMPARE(h5.optimizerWeights.front().second.data()[0], 16.0f);
    open.trigger("actionExportKeras", tmp.filePath("tiny.keras"));
    open.trigger("actionExportKerasWeights", tmp.filePath("tiny.weights.h5"));
    QVERIFY(QFile::exists(tmp.filePath("tiny.keras")));
    QVERIFY(QFile::exists(tmp.filePath("tiny.weights.h5")));

    // Import Model: the .h5 with its Adam state, then the .keras.
    open.trigger("actionImportModel", tmp.filePath("tiny.h5"));
    QVERIFY2(window.lastMessage().contains("kept as an imported run with Adam optimizer state"),
             qPrintable(window.lastMessage()));
    const qint64 fromH5 = window.currentModelId();
    QVERIFY(fromH5 != originalId);
    QVERIFY(sameWeights(lastWeights(path, fromH5), trained));
    open.trigger("actionImportModel", tmp.filePath("tiny.keras"));
    QVERIFY2(window.lastMessage().contains("kept as an imported run"),
             qPrintable(window.lastMessage()));
    const qint64 fromKeras = window.currentModelId();
    QVERIFY(sameWeights(lastWeights(path, fromKeras), trained));
    QCOMPARE(window.session()->models().size(), 3);

    // Load Weights (.weights.h5, by layer order) into the imported model: a second run.
    open.trigger("actionLoadWeights", tmp.filePath("tiny.weights.h5"));
    QVERIFY2(window.lastMessage().startsWith("Loaded 4 weights"), qPrintable(window.lastMessage()));
    {
      Project p = Project::open(path.toStdString(), true);
      QCOMPARE(p.runs(fromKeras).size(), size_t(2));
    }
    QVERIFY(sameWeights(lastWeights(path, fromKeras), trained));
  }

  void badFilesChangeNothing() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    makeTrainedProject(path);
    OpenWindow open(path);
    MainWindow& window = open.window;
    QVERIFY(open.opened);
    const QString fixtures = TESSEL_FIXTURES_DIR "/h5/";
    open.trigger("actionImportModel", fixtures + "no_config.keras");
    QVERIFY(window.summaryText().contains("no config.json"));
    open.trigger("actionImportModel", fixtures + "unknown_layer.h5");
    QVERIFY(window.summaryText().contains("'my_attention' (MyAttention)"));
    QCOMPARE(window.session()->models().size(), 1);
    // The MLP fixture's dense_1 is (8, 3); the tiny model's is (8, 1): named, nothing loaded.
    open.trigger("actionLoadWeightsByName", fixtures + "mlp_weights_byname.h5");
    QVERIFY(!open.answers.texts.isEmpty());
    QVERIFY2(open.answers.texts.last().contains("layer 'dense_1'") &&
                 open.answers.texts.last().contains("dense_1/kernel:0"),
             qPrintable(open.answers.texts.last()));
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(p.runs().size(), size_t(1));
  }
};

QTEST_MAIN(TestUiKerasFiles)
#include "tst_ui_kerasfiles.moc"
