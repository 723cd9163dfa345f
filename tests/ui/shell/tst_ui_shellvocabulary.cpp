// Training a text model in the studio writes the vocabulary the data stage adapted on the training
// split into the model's TextVectorization node (Keras: vocabularies are saved with the model):
// MainWindow::train() (the Train button's path) on a tiny CSV for one epoch, then the node config
// in the editor's document, the run's recorded spec, an exported model.json and the project after
// save / close / reopen all hold the vocabulary an independent TextVectorization adapts on the same
// training rows. The change is one undo step; a second training pushes nothing.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "engine/data/TextDataset.h"
#include "engine/data/TextVectorization.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/TextLayers.h"
#include "engine/store/Project.h"
#include "engine/train/CompileOptions.h"
#include "tests/engine/train/TrainTestUtil.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/project/ProjectSession.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;
using tessel::test::denseNode;
using tessel::test::inputNode;
using tessel::test::makeSpec;
using tessel::test::node;

namespace {

constexpr int kLen = 5;

QString writeCsv(const QTemporaryDir& dir) {
  const char* pos[] = {"good", "great", "fine", "nice"};
  const char* neg[] = {"bad", "awful", "poor", "sad"};
  const char* filler[] = {"the", "movie", "was", "plot", "really", "quite"};
  QString text = "text,label\n";
  for (int i = 0; i < 40; ++i) {
    const bool p = i % 2 == 0;
    QStringList w;
    w << filler[i % 6] << (p ? pos[(i / 2) % 4] : neg[(i / 3) % 4]) << filler[(i * 7) % 6];
    if (i % 5 == 0) w << (p ? "Great!" : "Awful.");
    text += w.join(' ') + "," + (p ? "pos" : "neg") + "\n";
  }
  const QString path = dir.filePath("reviews.csv");
  QFile f(path);
  f.open(QIODevice::WriteOnly);
  f.write(text.toUtf8());
  return path;
}

DataSettings settingsFor(const QString& csv) {
  DataSettings s;
  s.kind = "text";
  s.path = csv.toStdString();
  s.fractions = {0.7, 0.3, 0.0};
  s.splitSeed = 5;
  s.options = {{"source", "csv"},
               {"vectorization", {{"max_tokens", 30}, {"output_sequence_length", kLen}}}};
  return s;
}

// The vocabulary adapted independently: a fresh TextVectorization with the settings' config,
// adapted on the texts of the training rows.
json independentVocabulary(const DataSettings& s) {
  const TextData td = prepareTextData(s);
  std::vector<std::string> train;
  for (Index r : td.train) train.push_back(td.samples.texts[size_t(r)]);
  TextVectorization tv(s.options["vectorization"]);
  tv.adapt(train);
  return tv.config()["vocabulary"];
}

json vocabularyIn(const ModelSpec& spec) {
  for (const NodeSpec& n : spec.nodes)
    if (n.className == "TextVectorization") return n.config.value("vocabulary", json());
  return nullptr;
}

}  // namespace

class TestUiShellVocabulary : public QObject {
  Q_OBJECT

  QTemporaryDir settingsDir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_shellvocabulary");
  }

  void trainingStoresAdaptedVocabulary() {
    QTemporaryDir tmp;
    const QString csv = writeCsv(tmp);
    const DataSettings data = settingsFor(csv);
    const json expected = independentVocabulary(data);
    QVERIFY(expected.is_array() && expected.size() > 6);
    QCOMPARE(expected[0], json(""));
    QCOMPARE(expected[1], json("[UNK]"));

    // A model whose TextVectorization has no vocabulary yet.
    const ModelSpec spec = makeSpec({inputNode("text", {kLen}),
                                     node("text_vectorization", "TextVectorization", {"text"},
                                          {{"max_tokens", 30}, {"output_sequence_length", kLen}}),
                                     node("embedding", "Embedding", {"text_vectorization"},
                                          {{"input_dim", 30}, {"output_dim", 4}}),
                                     node("pool", "GlobalAveragePooling1D", {"embedding"}),
                                     denseNode("label", 2, "pool", "softmax")},
                                    {"text"}, {"label"});
    QVERIFY(vocabularyIn(spec).is_null());
    CompileOptions compile;
    compile.losses = {"sparse_categorical_crossentropy"};
    compile.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}};
    const QString modelPath = tmp.filePath("in/model.json");
    QDir().mkpath(tmp.filePath("in"));
    writeModelFile(modelPath.toStdString(), spec, {}, compile.toTrainingConfig());

    const QString project = tmp.filePath("text.tessel");
    qint64 id = 0;
    {
      MainWindow window;
      window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
        return QMessageBox::Save;
      });
      window.resize(1200, 800);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      QVERIFY(window.newProject(project));
      QVERIFY2(window.openModel(modelPath), qPrintable(window.lastMessage()));
      id = window.currentModelId();
      QVERIFY(id > 0);
      window.session()->setDataSettings(id, data.toJson());
      QSpinBox* epochs = window.dashboard()->compilePanel()->epochsBox();
      epochs->setValue(1);
      QUndoStack* stack = window.editor()->undoStack();
      const int steps = stack->count();

      QVERIFY2(window.train(), qPrintable(window.lastMessage()));
      QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 60000);
      const ModelSpec trained = window.editor()->document()->spec();
      QCOMPARE(vocabularyIn(trained), expected);
      // vocabulary_size as Keras 3 writes it; the built data says the same.
      for (const NodeSpec& n : trained.nodes)
        if (n.className == "TextVectorization")
          QCOMPARE(n.config.value("vocabulary_size", json()), json(expected.size()));
      QCOMPARE(window.lastBuiltData()->settings.options["vectorization"]["vocabulary"], expected);
      // One undo step, undone and redone.
      QCOMPARE(stack->count(), steps + 1);
      QCOMPARE(stack->undoText(), QString("Store adapted vocabulary"));
      stack->undo();
      QVERIFY(vocabularyIn(window.editor()->document()->spec()).is_null());
      stack->redo();
      QCOMPARE(vocabularyIn(window.editor()->document()->spec()), expected);

      // The run recorded the model with its vocabulary.
      {
        Project p = Project::open(project.toStdString(), true);
        const auto runs = p.runs(id);
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(vocabularyIn(ModelSpec::fromKerasJson(runs[0].spec)), expected);
      }
      // Exported model.json (full model) carries it, and the data stage reads it back.
      const QString exported = tmp.filePath("out/model.json");
      QDir().mkpath(tmp.filePath("out"));
      QVERIFY2(window.exportModel(exported, MainWindow::ExportKind::FullModel),
               qPrintable(window.lastMessage()));
      const ModelFile file = readModelFile(exported.toStdString());
      const auto config = textVectorizationConfig(file.spec);
      QVERIFY(config);
      QCOMPARE((*config)["vocabulary"], expected);

      // Training again with the vocabulary in place pushes nothing.
      QVERIFY2(window.train(), qPrintable(window.lastMessage()));
      QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 60000);
      QCOMPARE(stack->count(), steps + 1);
      QVERIFY(window.saveProject());
      QVERIFY(window.closeProject());
    }
    // A fresh window reopens the project: the stored model has it.
    {
      MainWindow window;
      QVERIFY(window.openProject(project));
      QVERIFY(window.showModel(id));
      QCOMPARE(vocabularyIn(window.editor()->document()->spec()), expected);
      QCOMPARE(vocabularyIn(ModelSpec::fromKerasJson(window.session()->model(id)->spec)), expected);
    }
  }
};

QTEST_MAIN(TestUiShellVocabulary)
#include "tst_ui_shellvocabulary.moc"
