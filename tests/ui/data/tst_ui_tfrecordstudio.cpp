// TFRecord shards from the data dialog to a trained run, through real widgets: the feature
// specification proposed from the first records is edited in its table (an image's decoded
// shape, a dtype, the label picked in its role combo, features left out), a dtype that does not
// fit the records is refused on OK with the reader's clear error, prefetch is set on the
// Pipeline tab (for every source kind, not only TFRecord), and one epoch trained through the
// studio's TrainingController ends with the accuracy and loss that `tessel train --tfrecord`
// reports for the same shards and specification (features.json beside the shards), same seed.
// With TESSEL_SCREENSHOTS=<dir> it writes h19_tfrecord_dialog.png.
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <stb_image_write.h>

#include <fstream>

#include "app/CliTestUtil.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/TfExample.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfRecordWriter.h"
#include "ui/data/DataImportDialog.h"
#include "ui/data/PipelinePage.h"
#include "ui/data/TfRecordSourcePage.h"
#include "ui/training/TrainingController.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

void appendPng(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
}

// 240 samples in 3 GZIP shards: an 8x8 grey image whose brightness pattern depends on the class,
// "hours" (4 floats), "age" (int64) and the class in "species" (int64, 4 classes; not a name the
// proposal takes for a label, so the label is picked by hand).
QString writeShards(const QString& dir) {
  std::vector<std::unique_ptr<TfRecordWriter>> w;
  for (int s = 0; s < 3; ++s)
    w.push_back(std::make_unique<TfRecordWriter>(
        (dir + QString("/train-%1-of-3.tfrecord.gz").arg(s)).toStdString(),
        TfRecordCompression::Gzip));
  for (int i = 0; i < 240; ++i) {
    const int c = (i * 7) % 4;
    unsigned char px[64];
    for (int k = 0; k < 64; ++k)
      px[k] = static_cast<unsigned char>(((k / 16) == c ? 200 : 30) + (i * 13 + k * 5) % 40);
    std::string png;
    stbi_write_png_to_func(appendPng, &png, 8, 8, 1, px, 8);
    TfExample e;
    e.features["image"] = TfFeatureValue::ofBytes({png});
    e.features["hours"] = TfFeatureValue::ofFloats({15.5f, 9.5f, 7.0f, 8.0f + float(i)});
    e.features["age"] = TfFeatureValue::ofInts({40 + i % 9});
    e.features["species"] = TfFeatureValue::ofInts({c});
    w[size_t(i % 3)]->write(e.serialize());
  }
  for (auto& x : w) x->close();
  return dir + "/train-*.tfrecord.gz";
}

void chooseKind(DataImportDialog& d, const QString& kind) {
  QComboBox* c = d.kindCombo();
  c->setFocus();
  QTest::keyClick(c, Qt::Key_Home);
  for (int i = 0; i < c->count() && c->currentData().toString() != kind; ++i)
    QTest::keyClick(c, Qt::Key_Down);
  QCOMPARE(c->currentData().toString(), kind);
}

void typeText(QLineEdit* e, const QString& text) {
  e->setFocus();
  e->selectAll();
  QTest::keyClicks(e, text);
  QTest::keyClick(e, Qt::Key_Return);
}

void showTab(DataImportDialog& d, int tab) {
  QTabBar* bar = d.tabs()->tabBar();
  QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(tab).center());
  QCOMPARE(d.tabs()->currentIndex(), tab);
}

void typeInto(QAbstractSpinBox* s, const QString& text) {
  s->setFocus();
  s->selectAll();
  QTest::keyClicks(s, text);
  QTest::keyClick(s, Qt::Key_Tab);
}

// Picks `text` in a combo with the keyboard (Home, then Down until it is current).
void pick(QComboBox* c, const QString& text) {
  c->setFocus();
  QTest::keyClick(c, Qt::Key_Home);
  for (int i = 0; i < c->count() && c->currentText() != text; ++i) QTest::keyClick(c, Qt::Key_Down);
  QCOMPARE(c->currentText(), text);
}

void pressOk(DataImportDialog& d) {
  QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

constexpr const char* kModel = R"({"class_name": "Sequential", "config": {"name": "tfr", "layers": [
  {"class_name": "Flatten", "config": {"name": "flatten", "batch_input_shape": [null, 4, 4, 1]}},
  {"class_name": "Dense", "config": {"name": "dense", "units": 4, "activation": "softmax"}}]}})";

// "accuracy" of a CSVLogger file's last row.
double csvValue(const QString& path, const QString& column) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return -1;
  const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  if (lines.size() < 2) return -1;
  const int k = lines.front().split(',').indexOf(column);
  return k < 0 ? -1 : lines.back().split(',').value(k).toDouble();
}

}  // namespace

class TestUiTfRecordStudio : public QObject {
  Q_OBJECT
 private slots:
  void editedSpecTrainsLikeTheCli() {
    QTemporaryDir dir;
    const QString pattern = writeShards(dir.path());
    DataImportDialog d;
    d.resize(1000, 640);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));

    // Prefetch is offered for every source, not only TFRecord.
    chooseKind(d, "image_folder");
    QVERIFY(d.pipelinePage()->prefetchSpin()->isEnabled());
    QVERIFY(!d.pipelinePage()->cycleLengthSpin()->isEnabled());

    chooseKind(d, "tfrecord");
    typeText(d.pathEdit(), pattern);
    QVERIFY2(d.errorText().isEmpty(), qPrintable(d.errorText()));
    TfRecordSourcePage* page = d.tfrecordPage();
    QTableWidget* t = page->featureTable();
    QCOMPARE(t->rowCount(), 4);
    const int image = page->rowOf("image"), species = page->rowOf("species"),
              hours = page->rowOf("hours"), age = page->rowOf("age");
    QVERIFY(image >= 0 && species >= 0 && hours >= 0 && age >= 0);
    // The proposal: no label among the keys it knows, every feature an input.
    QCOMPARE(page->roleCombo(species)->currentText(), QString("input"));
    QCOMPARE(page->dtypeCombo(species)->currentText(), QString("int64"));
    QCOMPARE(page->shapeEdit(image)->text(), QString("(8, 8, 1)"));

    // Edit: the image decoded at 4x4, "species" the label, "hours" and "age" left out, and a
    // dtype that does not fit the records (species is int64 in them).
    typeText(page->shapeEdit(image), "(4, 4, 1)");
    pick(page->roleCombo(species), "label");
    pick(page->roleCombo(hours), "ignore");
    pick(page->roleCombo(age), "ignore");
    pick(page->dtypeCombo(species), "float32");
    // The Type and Default cells are editable too (a VarLenFeature keeps (length,) values).
    pick(page->typeCombo(hours), "VarLenFeature");
    typeText(page->shapeEdit(hours), "(6,)");
    typeText(page->defaultEdit(age), "0");

    // Split: every record trains (as `tessel train --tfrecord`); no normalisation.
    showTab(d, DataImportDialog::SplitTab);
    typeInto(d.validationFractionSpin(), "0");
    typeInto(d.testFractionSpin(), "0");
    typeInto(d.trainFractionSpin(), "1");
    showTab(d, DataImportDialog::NormalizationTab);
    pick(d.normalizationCombo(), d.normalizationCombo()->itemText(0));
    QCOMPARE(d.normalizationCombo()->currentData().toString(), QString("none"));
    showTab(d, DataImportDialog::PipelineTab);
    typeInto(d.pipelinePage()->prefetchSpin(), "2");
    showTab(d, DataImportDialog::SourceTab);
    if (const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS"); !shots.isEmpty()) {
      QCoreApplication::processEvents();
      QVERIFY(d.grab().save(shots + "/h19_tfrecord_dialog.png"));
    }

    pressOk(d);
    QVERIFY(d.result() != QDialog::Accepted);
    QVERIFY2(d.errorText().contains("feature 'species' is int64 in the record but float32 in "
                                    "the specification"),
             qPrintable(d.errorText()));
    // A shape that does not parse is named too.
    typeText(page->shapeEdit(image), "(4, four)");
    pressOk(d);
    QVERIFY2(d.errorText().contains("feature 'image': shape '(4, four)'"),
             qPrintable(d.errorText()));
    typeText(page->shapeEdit(image), "(4, 4, 1)");
    pick(page->dtypeCombo(species), "int64");
    pressOk(d);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));

    const nlohmann::json j = d.settings();
    QCOMPARE(j["options"]["inputs"], nlohmann::json::array({"image"}));
    QCOMPARE(j["options"]["labels"], nlohmann::json::array({"species"}));
    QCOMPARE(j["options"]["features"].size(), size_t(2));  // left-out features are not kept
    QCOMPARE(j["options"]["features"][0]["image"]["height"], 4);
    QCOMPARE(j["options"]["features"][1]["dtype"], "int64");
    QCOMPARE(j["pipeline"]["prefetch"], 2);
    QCOMPARE(DataSettings::fromJson(j).normalization, std::string("none"));

    // The studio's run: the data built from the dialog's settings, trained by the controller.
    const ModelSpec spec = ModelSpec::fromKerasJson(nlohmann::json::parse(kModel));
    BuiltData built = buildDataset(DataSettings::fromJson(j));
    QCOMPARE(built.train.size(), Index(240));
    QCOMPARE(built.train.prefetch, 2);
    QCOMPARE(built.train.x[0].shape(), (Shape{240, 4, 4, 1}));
    fitDatasetToModel(built.train, spec);
    CompileOptions compile;
    compile.losses = {"sparse_categorical_crossentropy"};
    compile.metrics = {{"accuracy"}};
    compile.optimizer = "adam";
    FitOptions fit;
    fit.epochs = 1, fit.batchSize = 16, fit.seed = 3, fit.verbose = 0;
    TrainingController controller;
    controller.setDataSettings(j);
    QSignalSpy ends(&controller, &TrainingController::epochEnd);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy failed(&controller, &TrainingController::failed);
    QVERIFY(controller.start(spec, compile, built.train, fit));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
    QCOMPARE(ends.count(), 1);
    const QVariantMap logs = ends[0][1].toMap();
    const double accuracy = logs.value("accuracy").toDouble(), loss = logs.value("loss").toDouble();
    QVERIFY(accuracy > 0.25);  // better than chance: it trained on the images

    // The CLI on the same shards, with the dialog's specification beside them.
    {
      nlohmann::json features = j["options"];
      features.erase("compression");
      std::ofstream(dir.filePath("features.json").toStdString()) << features.dump(2);
      std::ofstream(dir.filePath("model.json").toStdString()) << kModel;
    }
    const testutil::Run r = testutil::runTessel({"train",        dir.filePath("model.json"),
                                                 "--tfrecord",   pattern,
                                                 "--prefetch",   "2",
                                                 "--epochs",     "1",
                                                 "--batch-size", "16",
                                                 "--seed",       "3",
                                                 "--optimizer",  "adam",
                                                 "--loss",       "sparse_categorical_crossentropy",
                                                 "--metrics",    "accuracy",
                                                 "--verbose",    "0",
                                                 "--csv-log",    dir.filePath("cli.csv")});
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const double cliAccuracy = csvValue(dir.filePath("cli.csv"), "accuracy"),
                 cliLoss = csvValue(dir.filePath("cli.csv"), "loss");
    qInfo("studio accuracy %.6f loss %.6f; CLI accuracy %.6f loss %.6f", accuracy, loss,
          cliAccuracy, cliLoss);
    QCOMPARE(accuracy, cliAccuracy);
    QCOMPARE(float(loss), float(cliLoss));
  }
};

QTEST_MAIN(TestUiTfRecordStudio)
#include "tst_ui_tfrecordstudio.moc"
