// Model files through the real File menu actions (offscreen): on a project with a trained tiny
// run (Adam), "Full model" writes the optimizer state as TF.js does (group "optimizer", "iter"
// first) bit for bit from the run's last checkpoint; "Load weights into this model" reads it into
// a fresh copy of the model (matched by name, kept as an imported run with its optimizer state),
// and a weights-only export of the copy is byte-identical to the original's; a file whose weights
// do not fit shows a message naming them and changes nothing; a new training run of the copy
// starts from the loaded weights.
#include <QAction>
#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include "engine/io/TfjsModel.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/support/TinyModel.h"
#include "ui/MainWindow.h"
#include "ui/project/ProjectSession.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

const json kAdam = json::parse(R"({"loss": "mean_squared_error",
  "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.01}}})");

QByteArray readBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool bitEqual(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * 4) == 0;
}

// The optimizer slots of a checkpoint as "<variable>/<slot>" tensors (Adam: m, v).
NamedWeights checkpointSlots(const Checkpoint& c, const std::vector<std::string>& vars) {
  NamedWeights out;
  size_t offset = 0;
  for (const auto& slot : c.meta["slots"]) {
    const std::string name = slot["name"];  // "m/0"
    const size_t slash = name.find('/');
    Tensor t(slot["shape"].get<Shape>());
    std::memcpy(t.data(), c.optimizer.data() + offset, size_t(t.size()) * 4);
    offset += size_t(t.size()) * 4;
    out.emplace_back(vars[std::stoul(name.substr(slash + 1))] + "/" + name.substr(0, slash),
                     std::move(t));
  }
  return out;
}

// Records in the asked questions.
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

// A main window on the project at `path`: questions are recorded by `answers`, file dialogs
// return `next`.
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
  // File > Export > Full model into <tmp>/full/model.json (its path).
  QString exportFull(const QTemporaryDir& tmp) {
    QDir(tmp.path()).mkpath("full");
    next = tmp.filePath("full/model.json");
    window.findChild<QAction*>("actionExportFull")->trigger();
    return next;
  }
};

}  // namespace

class TestUiModelFiles : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;

  // A project holding the tiny model (Adam, mse) and one run of it trained for 2 epochs of 8
  // steps, recorded with its checkpoints. Returns the model id.
  static qint64 makeTrainedProject(const QString& path) {
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
    return modelId;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_modelfiles");
  }

  void fullModelWithOptimizerStateLoadsIntoACopy() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    const qint64 tinyId = makeTrainedProject(path);
    OpenWindow open(path);
    MainWindow& window = open.window;
    Answers& answers = open.answers;
    QString& next = open.next;
    QVERIFY(open.opened);
    QCOMPARE(window.currentModelId(), tinyId);
    for (const char* d : {"full", "copyfull", "w_orig", "w_copy"}) QDir(tmp.path()).mkpath(d);

    // Full model: the trained run's weights and its Adam state after 16 steps.
    next = tmp.filePath("full/model.json");
    window.findChild<QAction*>("actionExportFull")->trigger();
    QVERIFY2(window.lastMessage().contains("Adam optimizer state (16 steps)"),
             qPrintable(window.lastMessage()));
    QFile f(next);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const json manifest = json::parse(f.readAll().toStdString());
    const json& specs = manifest["weightsManifest"][0]["weights"];
    QCOMPARE(specs.size(), size_t(4 + 1 + 8));  // 4 weights, iter, m and v of each
    QVERIFY(!specs[3].contains("group"));
    QCOMPARE(specs[4]["name"], json("iter"));
    QCOMPARE(specs[4]["dtype"], json("int32"));
    for (size_t i = 4; i < specs.size(); ++i) QCOMPARE(specs[i]["group"], json("optimizer"));
    QCOMPARE(specs[5]["name"], json("dense/kernel/m"));
    QCOMPARE(specs[12]["name"], json("dense_1/bias/v"));

    ModelFile full = readModelFile(next.toStdString());
    QCOMPARE(full.trainingConfig["optimizer_config"]["class_name"], json("Adam"));
    QCOMPARE(full.trainingConfig["loss"], json("mean_squared_error"));
    QCOMPARE(full.optimizerWeights[0].second[0], 16.0f);
    // Bit for bit the checkpoint's weights and moments.
    Project p = Project::open(path.toStdString(), true);
    const auto runs = p.runs(tinyId);
    QCOMPARE(runs.size(), size_t(1));
    const Checkpoint last = *p.checkpoint(runs[0].id, "last");
    const std::vector<std::string> vars = {"dense/kernel", "dense/bias", "dense_1/kernel",
                                           "dense_1/bias"};
    NamedWeights moments = checkpointSlots(last, vars);
    QCOMPARE(moments.size(), size_t(8));
    for (const auto& [name, t] : moments) {
      bool found = false;
      for (const auto& [n, w] : full.optimizerWeights)
        if (n == name) found = bitEqual(w, t);
      QVERIFY2(found, name.c_str());
    }

    // A fresh copy of the model (same graph, initial weights), then Load weights from the file.
    QString error;
    const qint64 copyId =
        window.session()->addModel("tiny_copy", tinyTopology(), json::object(), kAdam, &error);
    QVERIFY2(copyId, qPrintable(error));
    QVERIFY(window.showModel(copyId));
    next = tmp.filePath("full/model.json");
    QAction* load = window.findChild<QAction*>("actionLoadWeights");
    QVERIFY(load && load->isEnabled());
    load->trigger();
    QVERIFY2(window.lastMessage().contains("Loaded 4 weights") &&
                 window.lastMessage().contains("Adam optimizer state (16 steps)"),
             qPrintable(window.lastMessage()));
    QVERIFY(answers.titles.isEmpty());
    {
      Project q = Project::open(path.toStdString(), true);
      const auto copyRuns = q.runs(copyId);
      QCOMPARE(copyRuns.size(), size_t(1));
      QCOMPARE(copyRuns[0].settings["imported"]["optimizer_state"], json(true));
      const Checkpoint imported = *q.checkpoint(copyRuns[0].id, "last");
      QCOMPARE(imported.meta["iterations"], json(16));
      QCOMPARE(imported.optimizer, last.optimizer);  // the moments, byte for byte
      QCOMPARE(imported.weights, last.weights);
    }

    // Weights-only exports of the original and of the copy: identical bytes.
    next = tmp.filePath("w_copy/weights.json");
    window.findChild<QAction*>("actionExportWeights")->trigger();
    QVERIFY2(window.lastMessage().contains("weights of run"), qPrintable(window.lastMessage()));
    // The copy's full model carries the same optimizer state again.
    next = tmp.filePath("copyfull/model.json");
    window.findChild<QAction*>("actionExportFull")->trigger();
    ModelFile copyFull = readModelFile(next.toStdString());
    QCOMPARE(copyFull.optimizerWeights.size(), full.optimizerWeights.size());
    for (size_t i = 0; i < full.optimizerWeights.size(); ++i) {
      QCOMPARE(copyFull.optimizerWeights[i].first, full.optimizerWeights[i].first);
      QVERIFY(bitEqual(copyFull.optimizerWeights[i].second, full.optimizerWeights[i].second));
    }
    QVERIFY(window.showModel(tinyId));
    next = tmp.filePath("w_orig/weights.json");
    window.findChild<QAction*>("actionExportWeights")->trigger();
    const QByteArray origShard = readBytes(tmp.filePath("w_orig/group1-shard1of1.bin"));
    QCOMPARE(origShard.size(), 41 * 4);
    QCOMPARE(readBytes(tmp.filePath("w_copy/group1-shard1of1.bin")), origShard);
    QCOMPARE(readBytes(tmp.filePath("w_copy/weights.json")),
             readBytes(tmp.filePath("w_orig/weights.json")));
    QVERIFY(answers.titles.isEmpty());

    // A weights-only manifest loads as well (into another copy): weights, no optimizer state.
    const qint64 copy2 =
        window.session()->addModel("tiny_copy", tinyTopology(), json::object(), kAdam, &error);
    QVERIFY(window.showModel(copy2));
    next = tmp.filePath("w_orig/weights.json");
    load->trigger();
    QVERIFY2(window.lastMessage().contains("Loaded 4 weights"), qPrintable(window.lastMessage()));
    Project r = Project::open(path.toStdString(), true);
    const auto copy2Runs = r.runs(copy2);
    QCOMPARE(copy2Runs.size(), size_t(1));
    QCOMPARE(copy2Runs[0].settings["imported"]["optimizer_state"], json(false));
    QCOMPARE(r.checkpoint(copy2Runs[0].id, "last")->weights, last.weights);
    // In the runs browser it is "imported", and Resume stays disabled (no optimizer to continue).
    RunsBrowser* browser = window.dashboard()->runsBrowser();
    browser->refresh();
    QCOMPARE(browser->table()->rowCount(), 1);
    QCOMPARE(browser->table()->item(0, 1)->text(), QString("imported"));
    QTest::mouseClick(browser->table()->viewport(), Qt::LeftButton, {},
                      browser->table()->visualItemRect(browser->table()->item(0, 1)).center());
    QCOMPARE(browser->table()->selectionModel()->selectedRows().size(), 1);
    QVERIFY(!browser->resumeButton()->isEnabled());
  }

  // File > Import model.json of a full model: a new model whose weights and Adam moments are
  // kept as an imported run; Resume on that run continues the optimizer (step 16 onwards).
  void importedFullModelResumesWithItsMoments() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    makeTrainedProject(path);
    OpenWindow open(path);
    MainWindow& window = open.window;
    QVERIFY(open.opened);
    open.exportFull(tmp);

    window.findChild<QAction*>("actionImportModel")->trigger();
    QVERIFY2(window.lastMessage().contains("kept as an imported run with Adam optimizer state"),
             qPrintable(window.lastMessage()));
    const qint64 importedId = window.currentModelId();
    QCOMPARE(window.session()->models().size(), 2);
    std::int64_t runId = 0;
    {
      Project p = Project::open(path.toStdString(), true);
      const auto runs = p.runs(importedId);
      QCOMPARE(runs.size(), size_t(1));
      runId = runs[0].id;
      const Checkpoint original =
          *p.checkpoint(p.runs(window.session()->models()[0].id)[0].id, "last");
      const Checkpoint imported = *p.checkpoint(runId, "last");
      QCOMPARE(imported.optimizer, original.optimizer);
      QCOMPARE(imported.weights, original.weights);
      QCOMPARE(imported.meta["iterations"], json(16));
    }

    window.dashboard()->setData(tinyData(64));
    window.dashboard()->resumeRun(runId);
    QVERIFY(window.isTraining());
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 15000);
    Project p = Project::open(path.toStdString(), true);
    const Checkpoint resumed = *p.checkpoint(runId, "last");
    // One more epoch of 64 / 32 = 2 steps after the imported 16.
    QCOMPARE(resumed.meta["iterations"], json(18));
    QCOMPARE(resumed.epoch, 1);
    bool sawResume = false;
    for (const auto& e : p.events(runId)) sawResume |= e.kind == "resume";
    QVERIFY(sawResume);
  }

  void mismatchedWeightsChangeNothing() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    const qint64 tinyId = makeTrainedProject(path);
    // Dense(5) where the model has Dense(8); and a file with a renamed weight.
    QDir(tmp.path()).mkpath("bad");
    QDir(tmp.path()).mkpath("renamed");
    const ModelSpec five = ModelSpec::fromKerasJson(tinyTopology(5));
    Model fiveModel(five, 1);
    NamedWeights fiveWeights;
    for (auto& [name, var] : fiveModel.namedWeights()) fiveWeights.emplace_back(name, var->value);
    writeModelFile(tmp.filePath("bad/model.json").toStdString(), five, fiveWeights);
    const ModelSpec eight = ModelSpec::fromKerasJson(tinyTopology());
    Model eightModel(eight, 1);
    NamedWeights renamed;
    for (auto& [name, var] : eightModel.namedWeights())
      renamed.emplace_back(name == "dense_1/bias" ? "output/bias" : name, var->value);
    writeModelFile(tmp.filePath("renamed/model.json").toStdString(), eight, renamed);

    MainWindow window;
    Answers answers;
    window.setAskPolicy(answers.policy());
    QString next;
    window.setPathPolicy([&](const QString&, const QString&, bool) { return next; });
    QVERIFY(window.openProject(path));
    QCOMPARE(window.currentModelId(), tinyId);
    const QByteArray before = readBytes(path);

    next = tmp.filePath("bad/model.json");
    window.findChild<QAction*>("actionLoadWeights")->trigger();
    QCOMPARE(answers.titles, QStringList{"Load weights"});
    QString text = answers.texts.last();
    QVERIFY2(text.contains("nothing was loaded") && text.contains("wrong shape") &&
                 text.contains("dense/kernel (3, 5) (the model has (3, 8))") &&
                 text.contains("dense_1/kernel (5, 1)"),
             qPrintable(text));

    next = tmp.filePath("renamed/model.json");
    window.findChild<QAction*>("actionLoadWeights")->trigger();
    QCOMPARE(answers.titles.size(), 2);
    text = answers.texts.last();
    QVERIFY2(text.contains("missing from the file: dense_1/bias") &&
                 text.contains("not in the model: output/bias") && !text.contains("wrong shape"),
             qPrintable(text));
    QCOMPARE(window.lastMessage(), text);

    // Nothing changed: one run, the same file.
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(p.runs(tinyId).size(), size_t(1));
    QCOMPARE(readBytes(path), before);
  }

  // Keras: model.load_weights(f); model.fit(...) starts from the loaded weights. With a learning
  // rate of 0 the new run ends exactly where the loaded weights are.
  void newRunStartsFromLoadedWeights() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    makeTrainedProject(path);
    OpenWindow open(path);
    MainWindow& window = open.window;
    Answers& answers = open.answers;
    QString& next = open.next;
    QVERIFY(open.opened);
    open.exportFull(tmp);
    const ModelFile full = readModelFile(next.toStdString());

    json frozen = json::parse(R"({"loss": "mean_squared_error",
      "optimizer_config": {"class_name": "SGD", "config": {"learning_rate": 0.0}}})");
    QString error;
    const qint64 copyId =
        window.session()->addModel("frozen", tinyTopology(), json::object(), frozen, &error);
    QVERIFY2(copyId, qPrintable(error));
    QVERIFY(window.showModel(copyId));
    window.findChild<QAction*>("actionLoadWeights")->trigger();
    QVERIFY2(window.lastMessage().contains("Loaded 4 weights"), qPrintable(window.lastMessage()));

    window.dashboard()->setData(tinyData(64));
    window.dashboard()->startTraining();
    QVERIFY2(window.isTraining(), qPrintable(answers.texts.join("\n")));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 15000);
    QTRY_VERIFY2(window.lastMessage().contains("Training starts from the imported weights"),
                 qPrintable(window.lastMessage()));

    Project p = Project::open(path.toStdString(), true);
    const auto runs = p.runs(copyId);
    QCOMPARE(runs.size(), size_t(2));  // the imported one, then the trained one
    QVERIFY(runs[0].settings.contains("imported"));
    QVERIFY(!runs[1].settings.contains("imported"));
    const Checkpoint trained = *p.checkpoint(runs[1].id, "last");
    QVERIFY(trained.epoch >= 0);
    // Unchanged by the zero learning rate: exactly the loaded weights.
    QCOMPARE(trained.weights, p.checkpoint(runs[0].id, "last")->weights);
    std::vector<std::uint8_t> loaded;
    for (const auto& [name, t] : full.weights) {
      const auto* b = reinterpret_cast<const std::uint8_t*>(t.data());
      loaded.insert(loaded.end(), b, b + size_t(t.size()) * 4);
    }
    QCOMPARE(trained.weights, loaded);
  }
};

QTEST_MAIN(TestUiModelFiles)
#include "tst_ui_modelfiles.moc"
