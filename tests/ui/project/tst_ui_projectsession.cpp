// The project session without a window: models of a .tessel file, dirty state from the undo
// stacks, save / save as / untitled projects, deferred saves while a worker holds the file,
// autosave, and the example project generated from the bundled model.json files.
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "engine/store/Project.h"
#include "tests/support/TinyModel.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

// Input(3) -> Dense(3, tanh) -> Dense(1): the shared tiny model, its node "dense" with 3 units.
json smallSpec(const std::string& name = "small") {
  return testutil::tinyTopology(3, name);
}

int unitsIn(const json& spec, const std::string& node) {
  for (const auto& l : spec["config"]["layers"])
    if (l["config"]["name"] == node) return l["config"].value("units", -1);
  return -1;
}

}  // namespace

class TestUiProjectSession : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    ExampleLibrary::setExtraRoot(TESSEL_SOURCE_DIR "/resources/examples");
  }

  // Edit through the undo stack -> dirty; save -> clean and in the file; undo past the save
  // point -> dirty again.
  void editSaveReopen() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    ProjectSession s;
    QVERIFY(s.create(path));
    QCOMPARE(s.displayName(), QString("p.tessel"));
    QString error;
    const qint64 id = s.addModel("small", smallSpec(), json::object(), nullptr, &error);
    QVERIFY2(id > 0, qPrintable(error));
    QVERIFY(!s.isDirty());

    GraphDocument doc;
    QUndoStack stack;
    doc.fromJson(s.model(id)->spec);
    s.attach(id, &doc, &stack);
    QSignalSpy dirty(&s, &ProjectSession::dirtyChanged);
    stack.push(new SetConfigCommand(&doc, "dense", "units", json(7)));
    stack.push(new MoveNodesCommand(&doc, {{"dense", {doc.position("dense"), QPointF(123, 45)}}}));
    QVERIFY(s.isDirty());
    QVERIFY(s.isModelDirty(id));
    QCOMPARE(dirty.count(), 1);
    QVERIFY2(s.save(&error), qPrintable(error));
    QVERIFY(!s.isDirty());
    QCOMPARE(dirty.count(), 2);

    {
      Project p = Project::open(path.toStdString(), true);
      auto rec = p.model(id);
      QVERIFY(rec);
      QCOMPARE(unitsIn(rec->spec, "dense"), 7);
      QCOMPARE(rec->layout["dense"][0].get<double>(), 123.0);
      QCOMPARE(rec->layout["dense"][1].get<double>(), 45.0);
    }
    stack.undo();
    QVERIFY(s.isDirty());

    ProjectSession again;
    QVERIFY(again.open(path, &error));
    QCOMPARE(again.models().size(), 1);
    QCOMPARE(unitsIn(again.models().front().spec, "dense"), 7);
  }

  void renameDeleteAndUniqueNames() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    ProjectSession s;
    QVERIFY(s.create(path));
    const qint64 a = s.addModel("m", smallSpec());
    const qint64 b = s.addModel("m", smallSpec());
    QCOMPARE(s.model(b)->name, QString("m_1"));
    QString error;
    QVERIFY(!s.renameModel(b, "m", &error));
    QVERIFY(error.contains("already"));
    QVERIFY(s.renameModel(b, "second"));
    QVERIFY(s.deleteModel(a));
    Project p = Project::open(path.toStdString(), true);
    auto models = p.models();
    QCOMPARE(models.size(), size_t(1));
    QCOMPARE(models[0].name, std::string("second"));
  }

  // An untitled project lives in memory until Save As creates the file.
  void untitledSaveAs() {
    QTemporaryDir tmp;
    ProjectSession s;
    s.newUntitled();
    QVERIFY(s.isUntitled());
    const qint64 a =
        s.addModel("one", smallSpec("one"), json::object(),
                   json{{"loss", "mse"},
                        {"optimizer_config", {{"class_name", "SGD"}, {"config", json::object()}}}});
    s.addModel("two", smallSpec("two"));
    QVERIFY(a < 0);
    QVERIFY(s.isDirty());
    QString error;
    QVERIFY(!s.save(&error));
    QVERIFY(error.contains("Save As"));
    const QString path = tmp.filePath("new.tessel");
    QVERIFY2(s.saveAs(path, &error), qPrintable(error));
    QVERIFY(!s.isDirty());
    QVERIFY(!s.isUntitled());
    QVERIFY(s.models()[0].id > 0);
    Project p = Project::open(path.toStdString(), true);
    auto models = p.models();
    QCOMPARE(models.size(), size_t(2));
    QCOMPARE(models[0].name, std::string("one"));
    QCOMPARE(models[0].compileSettings["compile"]["loss"], json("mse"));
  }

  // Save As of a file-backed project: the copy keeps the runs and gets the unsaved edits, the
  // original keeps what was saved.
  void saveAsCopiesRunsAndEdits() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("a.tessel"), copy = tmp.filePath("b.tessel");
    ProjectSession s;
    QVERIFY(s.create(path));
    const qint64 id = s.addModel("small", smallSpec());
    {
      Project p = Project::open(path.toStdString());
      RunRecord r;
      r.modelId = id;
      r.name = "first";
      p.setRunStatus(p.createRun(r), RunStatus::Finished);
    }
    GraphDocument doc;
    QUndoStack stack;
    doc.fromJson(s.model(id)->spec);
    s.attach(id, &doc, &stack);
    stack.push(new SetConfigCommand(&doc, "dense", "units", json(9)));
    QString error;
    QVERIFY2(s.saveAs(copy, &error), qPrintable(error));
    QCOMPARE(s.path(), QFileInfo(copy).absoluteFilePath());
    QVERIFY(!s.isDirty());
    QCOMPARE(s.runs(id).size(), size_t(1));
    Project original = Project::open(path.toStdString(), true);
    QCOMPARE(unitsIn(original.model(id)->spec, "dense"), 3);
    Project copied = Project::open(copy.toStdString(), true);
    QCOMPARE(unitsIn(copied.model(id)->spec, "dense"), 9);
    QCOMPARE(copied.runs(id).size(), size_t(1));
  }

  // While the write blocker is on (a training worker holds the file) saving is deferred.
  void blockedSaveIsDeferred() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    ProjectSession s;
    QVERIFY(s.create(path));
    const qint64 id = s.addModel("small", smallSpec());
    GraphDocument doc;
    QUndoStack stack;
    doc.fromJson(s.model(id)->spec);
    s.attach(id, &doc, &stack);
    bool blocked = true;
    s.setWriteBlocker([&] { return blocked; });
    stack.push(new SetConfigCommand(&doc, "dense", "units", json(5)));
    QString error;
    QVERIFY(!s.save(&error));
    QVERIFY(s.pendingSave());
    QVERIFY(s.isDirty());
    QVERIFY(!s.addModel("other", smallSpec(), json::object(), nullptr, &error));
    QVERIFY(error.contains("training"));
    QVERIFY(!s.autosaveNow());
    blocked = false;
    QVERIFY(s.flushPending(&error));
    QVERIFY(!s.pendingSave());
    QVERIFY(!s.isDirty());
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(unitsIn(p.model(id)->spec, "dense"), 5);
  }

  void autosaveWritesWhenDirty() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    ProjectSession s;
    QVERIFY(s.create(path));
    s.setAutosaveInterval(50);
    const qint64 id = s.addModel("small", smallSpec());
    GraphDocument doc;
    QUndoStack stack;
    doc.fromJson(s.model(id)->spec);
    s.attach(id, &doc, &stack);
    stack.push(new SetConfigCommand(&doc, "dense", "units", json(11)));
    QVERIFY(s.isDirty());
    QTRY_VERIFY_WITH_TIMEOUT(!s.isDirty(), 3000);
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(unitsIn(p.model(id)->spec, "dense"), 11);
  }

  void openRefusesBadFiles() {
    QTemporaryDir tmp;
    QFile f(tmp.filePath("bad.tessel"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, 'x'));
    f.close();
    ProjectSession s;
    QString error;
    QVERIFY(!s.open(f.fileName(), &error));
    QVERIFY2(error.contains("not a Tessel project"), qPrintable(error));
    QVERIFY(!s.hasProject());
    QVERIFY(!s.open(tmp.filePath("missing.tessel"), &error));
  }

  // The example project: every bundled model with its training config, seed classifier first,
  // generated into the (test-mode) data folder once.
  void exampleProject() {
    const auto examples = ExampleLibrary::models();
    if (examples.isEmpty()) QSKIP("no bundled examples");
    QCOMPARE(examples.front().name, QString("fashion_mnist_mlp"));
    QTemporaryDir tmp;
    const QString path = tmp.filePath("ex.tessel");
    QString error;
    QVERIFY2(ExampleLibrary::writeExampleProject(path, &error), qPrintable(error));
    ProjectSession s;
    QVERIFY(s.open(path, &error));
    QCOMPARE(s.models().size(), examples.size());
    QCOMPARE(s.models().front().name, QString("fashion_mnist_mlp"));
    QCOMPARE(s.models().front().compileSettings["compile"]["loss"],
             json("sparse_categorical_crossentropy"));

    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QFile::remove(QDir(dataDir).filePath(ExampleLibrary::kProjectFileName));
    const QString generated = ExampleLibrary::ensureExampleProject(&error);
    QVERIFY2(!generated.isEmpty(), qPrintable(error));
    QVERIFY(!generated.startsWith(TESSEL_SOURCE_DIR));
    const QDateTime made = QFileInfo(generated).lastModified();
    QCOMPARE(ExampleLibrary::ensureExampleProject(&error), generated);
    QCOMPARE(QFileInfo(generated).lastModified(), made);
    QFile::remove(generated);
  }
};

QTEST_MAIN(TestUiProjectSession)
#include "tst_ui_projectsession.moc"
