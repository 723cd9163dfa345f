// The window's panels follow the model shown, and the bundled examples train as shipped
// (offscreen, real widgets):
// - every example opens with data settings whose data fits it (the pre-flight check passes);
//   the wide & deep regression trains on scikit-learn's diabetes table from its example folder;
// - File > Export writes an ONNX model, a Keras training script and TensorBoard logs of the
//   model's runs (paths through the window's dialog seams);
// - after a run, showing another model or starting a new project empties the loss plot, the
//   pre-flight list, the histograms, the training panel's job and the previews.
#include <qcustomplot.h>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolBar>
#include <QtTest>
#include <cmath>

#include "engine/data/FashionMnist.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"
#include "engine/train/CompileOptions.h"
#include "ui/MainWindow.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/preview/EmbeddingView.h"
#include "ui/preview/ExplainView.h"
#include "ui/preview/InferenceView.h"
#include "ui/preview/MisclassifiedView.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewGrid.h"
#include "ui/preview/PreviewPanel.h"
#include "ui/project/BuiltinData.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/HistogramView.h"
#include "ui/training/LossPlot.h"
#include "ui/training/PreflightCheck.h"
#include "ui/training/PreflightList.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

void setEpochs(MainWindow& w, int epochs) {
  QSpinBox* box = w.dashboard()->compilePanel()->epochsBox();
  box->setFocus();
  box->selectAll();
  QTest::keyClicks(box, QString::number(epochs));
  QTest::keyClick(box, Qt::Key_Enter);
  QCOMPARE(box->value(), epochs);
}

void clickModel(MainWindow& w, qint64 id) {
  ProjectTree* tree = w.projectTree();
  QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                    tree->visualItemRect(tree->modelItem(id)).center());
}

// Presses Train (toolbar) and waits for the run to end.
void trainToEnd(MainWindow& w) {
  QTest::mouseClick(w.mainToolBar()->widgetForAction(w.trainAction()), Qt::LeftButton);
  QVERIFY2(w.isTraining(), qPrintable(w.lastMessage()));
  QTRY_VERIFY_WITH_TIMEOUT(!w.isTraining(), 60000);
}

// Every panel of the dashboard and the previews is empty.
void checkPanelsEmpty(MainWindow& w) {
  TrainingDashboard* d = w.dashboard();
  QVERIFY(!d->hasData());
  // The pre-flight list holds no check of the previous model, only the one line saying what
  // Start will use or what is missing for the model now shown.
  QVERIFY(d->preflightList()->count() <= 1);
  for (int i = 0; i < d->preflightList()->count(); ++i)
    QVERIFY2(!d->preflightList()->item(i)->text().contains(QStringLiteral("parameters:")),
             qPrintable(d->preflightList()->item(i)->text()));
  QVERIFY(d->histogramView()->histograms().isEmpty());
  QVERIFY(!d->trainingPanel()->hasJob());
  QVERIFY(d->trainingPanel()->plot()->epochValues("loss").isEmpty());
  QCOMPARE(d->trainingPanel()->plot()->batchPointCount(), 0);
  QCOMPARE(d->trainingPanel()->progressBar()->value(), 0);
  QVERIFY(w.previewPanel()->grid()->records().empty());
  QCOMPARE(w.previewPanel()->confusionCount(), 0);
  // The single-image, misclassified, explain and embedding views forget the old model too.
  InferenceView* single = w.previewPanel()->inferenceView();
  QVERIFY(single->topLabels().isEmpty());
  QVERIFY(single->inputTensor().size() == 0);
  QVERIFY(!single->explainButton()->isEnabled());
  QVERIFY(w.previewPanel()->misclassifiedView()->grid()->records().empty());
  QVERIFY(w.previewPanel()->explainView()->overlay().isNull());
  QVERIFY(w.previewPanel()->embeddingView()->findChild<QComboBox*>()->count() == 0);
}

}  // namespace

class TestUiShellPanels : public QObject {
  Q_OBJECT

  QTemporaryDir settingsDir_;

  QString exampleProject(QTemporaryDir& tmp) {
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
    QCoreApplication::setApplicationName("tst_ui_shellpanels");
    ExampleLibrary::setExtraRoot(TESSEL_SOURCE_DIR "/resources/examples");
    if (ExampleLibrary::models().isEmpty()) QSKIP("no bundled examples under resources/examples");
  }

  // Each example's data settings (its data.json, stored with the model in the example project)
  // give data whose shapes fit the model: the pre-flight check finds no error.
  void examplesShipDataThatFits() {
    QTemporaryDir tmp;
    const QString path = exampleProject(tmp);
    QVERIFY(!path.isEmpty());
    ProjectSession session;
    QVERIFY(session.open(path));
    for (const ExampleModel& e : ExampleLibrary::models()) {
      const ProjectSession::Model* m = session.model(session.modelIdByName(e.name));
      QVERIFY(m);
      // The Fashion-MNIST examples train on the built-in data chosen for them (no data.json).
      const std::string kind =
          BuiltinData::settingsFor(ModelSpec::fromKerasJson(m->spec), m->dataSettings).kind;
      if (e.name.startsWith("wide_deep")) QCOMPARE(kind, std::string("csv"));
      if (kind.rfind("fashion_mnist", 0) == 0 && !fashionMnistAvailable()) {
        qInfo("%s: Fashion-MNIST not installed, not built", qPrintable(e.name));
        continue;
      }
      const ModelSpec spec = ModelSpec::fromKerasJson(m->spec);
      BuiltinData data;
      std::optional<Dataset> validation;
      Dataset train;
      try {
        train = data.forModel(spec, m->dataSettings, 256, &validation);
      } catch (const std::exception& ex) {
        QFAIL(qPrintable(e.name + ": " + QString::fromUtf8(ex.what())));
      }
      // The two-input wide & deep: wide part 5 features, deep part 6 (3 shared); the second
      // output trains on the same label.
      if (e.name == "wide_deep_multi_input" || e.name == "wide_deep_multi_output") {
        QCOMPARE(train.x.size(), size_t(2));
        QCOMPARE(train.x[0].shape().back(), Index(5));
        QCOMPARE(train.x[1].shape().back(), Index(6));
        QCOMPARE(train.y.size(), spec.outputs.size());
      }
      const json tc = RunSettings::trainingConfigOf(m->compileSettings);
      FitOptions fit;
      if (validation) fit.validationData = *validation;
      const PreflightCheck::Result r = PreflightCheck::run(
          spec, CompileOptions::fromTrainingConfig(tc, spec.outputs), train, fit);
      QString errors;
      for (const PreflightItem& item : r.items)
        if (item.severity == PreflightItem::Severity::Error)
          errors += QString::fromStdString(item.message) + "; ";
      QVERIFY2(errors.isEmpty(), qPrintable(e.name + ": " + errors));
    }
  }

  // The wide & deep example trains as shipped (a finite loss on the diabetes table); then
  // File > Export writes ONNX, Python and TensorBoard; then another model shows empty panels.
  void trainExportAndSwitch() {
    QTemporaryDir tmp;
    const QString path = exampleProject(tmp);
    MainWindow window;
    QVERIFY(window.openProject(path));
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const qint64 wide = window.session()->modelIdByName("wide_deep");
    clickModel(window, wide);
    QCOMPARE(window.currentModelId(), wide);
    QCOMPARE(window.session()->model(wide)->dataSettings["kind"], json("csv"));
    const int defaultEpochs = window.dashboard()->compilePanel()->epochsBox()->value();
    QVERIFY(defaultEpochs != 3);
    setEpochs(window, 3);
    trainToEnd(window);
    TrainingPanel* panel = window.trainingPanel();
    const QVector<double> loss = panel->plot()->epochValues("loss");
    QVERIFY2(loss.size() == 3,
             qPrintable(panel->statusLabel()->text() + " | " + window.lastMessage()));
    for (double v : loss) QVERIFY2(std::isfinite(v), qPrintable(QString::number(v)));
    QVERIFY(loss.back() < loss.front());
    QVERIFY(window.lastBuiltData()->train.x[0].shape() == (Shape{353, 8}));

    // File > Export: ONNX, the Python script, TensorBoard logs of the model's runs.
    QString next;
    window.setPathPolicy([&](const QString&, const QString&, bool) { return next; });
    window.prompts()->setFolderPolicy([&](const QString&) { return tmp.filePath("tb"); });
    auto* exportMenu = window.findChild<QMenu*>("menuExport");
    QVERIFY(exportMenu);
    auto exportAction = [&](const QString& name) -> QAction* {
      for (QAction* a : exportMenu->actions())
        if (a->objectName() == name) return a;
      return nullptr;
    };
    next = tmp.filePath("wide.onnx");
    QVERIFY(exportAction("actionExportOnnx"));
    exportAction("actionExportOnnx")->trigger();
    QVERIFY2(window.lastMessage().contains("weights of run"), qPrintable(window.lastMessage()));
    QVERIFY(QFileInfo(next).size() > 1000);
    next = tmp.filePath("wide.py");
    exportAction("actionExportPython")->trigger();
    QFile py(next);
    QVERIFY(py.open(QIODevice::ReadOnly));
    const QString script = QString::fromUtf8(py.readAll());
    QVERIFY2(script.contains("layers.Dense(") && script.contains("epochs=3"),
             qPrintable(script.left(2000)));
    exportAction("actionExportTensorBoard")->trigger();
    QStringList events;
    for (QDirIterator it(tmp.filePath("tb"), QDir::Files, QDirIterator::Subdirectories);
         it.hasNext();)
      events << it.next();
    QVERIFY2(!events.isEmpty() && events.front().contains("events.out.tfevents"),
             qPrintable(window.lastMessage()));

    // The panels of the run are full; another model shows them empty.
    QVERIFY(window.dashboard()->preflightList()->count() > 0);
    QVERIFY(!window.dashboard()->histogramView()->histograms().isEmpty());
    clickModel(window, window.session()->modelIdByName("wide_deep_multi_input"));
    checkPanelsEmpty(window);
    QCOMPARE(window.trainingPanel()->plot()->customPlot()->xAxis->range().upper, 1.0);
    // The compile panel shows this model's settings: it stored no fit settings, so the defaults.
    QCOMPARE(window.dashboard()->compilePanel()->epochsBox()->value(), defaultEpochs);
    clickModel(window, wide);
    QCOMPARE(window.dashboard()->compilePanel()->epochsBox()->value(), 3);
  }

  // A classifier's previews (sample grid, confusion matrix) go when a new project is started.
  void newProjectEmptiesPreviews() {
    if (!fashionMnistAvailable()) QSKIP("Fashion-MNIST (dataset-fashion-mnist) not installed");
    QTemporaryDir tmp;
    const QString path = exampleProject(tmp);
    MainWindow window;
    window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Discard;
    });
    QVERIFY(window.openProject(path));
    window.setTrainSampleLimit(256);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.session()->model(window.currentModelId())->name, QString("fashion_mnist_mlp"));
    setEpochs(window, 1);
    trainToEnd(window);
    QVERIFY(!window.previewPanel()->grid()->records().empty());
    QCOMPARE(window.previewPanel()->confusionCount(), 1);
    QVERIFY(!window.trainingPanel()->plot()->epochValues("loss").isEmpty());
    // An image classified in the single-image view and the misclassified gallery filled.
    QImage shirt(28, 28, QImage::Format_Grayscale8);
    shirt.fill(Qt::white);
    const QString png = tmp.filePath("shirt.png");
    QVERIFY(shirt.save(png));
    QVERIFY(window.previewPanel()->inferenceView()->browseTo(png));
    QVERIFY(!window.previewPanel()->inferenceView()->topLabels().isEmpty());
    QVERIFY(!window.previewPanel()->misclassifiedView()->grid()->records().empty());
    QVERIFY(window.newProject(tmp.filePath("fresh.tessel")));
    checkPanelsEmpty(window);
  }
};

QTEST_MAIN(TestUiShellPanels)
#include "tst_ui_shellpanels.moc"
