// "New model from template": every template loads from the bundled resources without errors,
// is exactly the bundled example, and survives template -> model.json (TF.js writer) -> import
// (TF.js reader) -> editor document with the identical Keras JSON.
#include <QTemporaryDir>
#include <QtTest>

#include "engine/io/TfjsModel.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/ModelTemplates.h"

using namespace tessel;
using namespace tessel::ui;

class TestUiEditorTemplates : public QObject {
  Q_OBJECT

 private slots:
  void names() {
    QCOMPARE(templateNames(), (QStringList{"Sequential classifier (Fashion-MNIST MLP)",
                                           "Wide & deep", "Wide & deep, two inputs",
                                           "Two outputs (wide & deep)", "CNN (Fashion-MNIST)"}));
    QVERIFY_THROWS_EXCEPTION(Error, ModelTemplates::spec("no such template"));
  }

  void roundTrip_data() {
    QTest::addColumn<QString>("name");
    for (const QString& n : templateNames()) QTest::newRow(qPrintable(n)) << n;
  }

  void roundTrip() {
    QFETCH(QString, name);
    const ModelSpec spec = ModelTemplates::spec(name);
    QVERIFY(!spec.nodes.empty());
    // Exactly the bundled example.
    const ModelFile bundled =
        readModelFile(TESSEL_SOURCE_DIR "/resources/examples/" +
                      ModelTemplates::exampleFor(name).toStdString() + "/model.json");
    QVERIFY(spec == bundled.spec);
    // Into the editor (laid out by dot), valid.
    GraphDocument doc;
    ModelTemplates::load(&doc, name);
    QVERIFY2(doc.report().ok(), doc.report().ok() ? "" : doc.report().errors.front().what());
    QCOMPARE(doc.nodeNames().size(), static_cast<int>(spec.nodes.size()));
    const std::string keras = doc.spec().toKerasJson().dump();
    // Export as model.json, import again.
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    writeModelFile(path, doc.spec(), {});
    const ModelFile back = readModelFile(path);
    QVERIFY(back.spec == doc.spec());
    GraphDocument imported;
    imported.setModel(back.spec);
    QCOMPARE(imported.spec().toKerasJson().dump(), keras);
    // With the layout too: the editor's own JSON round-trips exactly.
    GraphDocument again;
    again.fromJson(doc.toJson());
    QCOMPARE(again.toJson().dump(), doc.toJson().dump());
  }
};

QTEST_GUILESS_MAIN(TestUiEditorTemplates)
#include "tst_ui_editortemplates.moc"
