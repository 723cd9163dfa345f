// The data dialog's TFRecord source and Pipeline tab, driven through real widgets: choosing the
// kind and typing a glob of GZIP shards shows the feature specification proposed from the first
// records (name, Keras type, dtype, shape, first values, role); a role changed in its combo, the
// pipeline steps (listed in tf.data's order) typed into their spin boxes and OK give settings
// that build into streamed training data. A file that is not a TFRecord shows the reader's
// error. With TESSEL_SCREENSHOTS=<dir> it writes data_tfrecord.png and data_pipeline.png.
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <stb_image_write.h>

#include "engine/data/DatasetBuilder.h"
#include "engine/data/RowSource.h"
#include "engine/data/TfExample.h"
#include "engine/io/TfRecordWriter.h"
#include "ui/data/DataImportDialog.h"
#include "ui/data/PipelinePage.h"
#include "ui/data/TfRecordSourcePage.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

void appendPng(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
}

}  // namespace

namespace {

// 24 samples in 3 GZIP shards: an 8x8 grey "image", "hours" (4 floats), "age", "label".
QString writeShards(const QString& dir) {
  std::vector<std::unique_ptr<TfRecordWriter>> w;
  for (int s = 0; s < 3; ++s)
    w.push_back(std::make_unique<TfRecordWriter>(
        (dir + QString("/train-%1-of-3.tfrecord.gz").arg(s)).toStdString(),
        TfRecordCompression::Gzip));
  for (int i = 0; i < 24; ++i) {
    unsigned char px[64];
    for (int k = 0; k < 64; ++k) px[k] = static_cast<unsigned char>((k * 4 + i * 9) % 256);
    std::string png;
    stbi_write_png_to_func(appendPng, &png, 8, 8, 1, px, 8);
    TfExample e;
    e.features["image"] = TfFeatureValue::ofBytes({png});
    e.features["hours"] = TfFeatureValue::ofFloats({15.5f, 9.5f, 7.0f, 8.0f + float(i)});
    e.features["age"] = TfFeatureValue::ofInts({40 + i});
    e.features["label"] = TfFeatureValue::ofInts({i % 4});
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

void typePath(DataImportDialog& d, const QString& path) {
  d.pathEdit()->setFocus();
  d.pathEdit()->selectAll();
  QTest::keyClicks(d.pathEdit(), path);
  QTest::keyClick(d.pathEdit(), Qt::Key_Return);
}

void showTab(DataImportDialog& d, int tab) {
  QTabBar* bar = d.tabs()->tabBar();
  QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(tab).center());
  QCOMPARE(d.tabs()->currentIndex(), tab);
}

void typeInto(QSpinBox* s, const QString& text) {
  s->setFocus();
  s->selectAll();
  QTest::keyClicks(s, text);
  QTest::keyClick(s, Qt::Key_Tab);
}

int rowOf(QTableWidget* t, const QString& feature) {
  for (int r = 0; r < t->rowCount(); ++r)
    if (t->item(r, 0)->text() == feature) return r;
  return -1;
}

void screenshot(QWidget& w, const QString& name) {
  const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS");
  if (dir.isEmpty()) return;
  QCoreApplication::processEvents();
  QVERIFY(w.grab().save(dir + "/" + name));
}

}  // namespace

class TestUiTfRecordSource : public QObject {
  Q_OBJECT
 private slots:
  void proposesTheSpecAndBuildsThePipeline() {
    QTemporaryDir dir;
    const QString pattern = writeShards(dir.path());
    DataImportDialog d;
    d.resize(900, 640);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseKind(d, "tfrecord");
    typePath(d, pattern);
    QVERIFY2(d.errorText().isEmpty(), qPrintable(d.errorText()));
    QVERIFY2(d.resultLabel()->text().contains("3 file(s), gzip; 4 feature(s) proposed"),
             qPrintable(d.resultLabel()->text()));
    TfRecordSourcePage* page = d.tfrecordPage();
    QTableWidget* t = page->featureTable();
    QCOMPARE(t->rowCount(), 4);
    const int image = rowOf(t, "image"), hours = rowOf(t, "hours"), label = rowOf(t, "label");
    QVERIFY(image >= 0 && hours >= 0 && label >= 0);
    QCOMPARE(page->typeCombo(image)->currentText(), QString("FixedLenFeature"));
    QCOMPARE(page->dtypeCombo(image)->currentText(), QString("string (image)"));
    QCOMPARE(page->shapeEdit(image)->text(), QString("(8, 8, 1)"));
    QCOMPARE(page->shapeEdit(hours)->text(), QString("(4,)"));
    QCOMPARE(t->item(hours, 4)->text(), QString("15.5, 9.5, 7, 8"));
    QCOMPARE(page->roleCombo(label)->currentText(), QString("label"));
    QCOMPARE(page->roleCombo(hours)->currentText(), QString("input"));
    screenshot(d, "data_tfrecord.png");

    // "hours" and "age" are left out: the image alone is the input.
    for (const char* f : {"hours", "age"}) {
      QComboBox* role = page->roleCombo(rowOf(t, f));
      role->setFocus();
      QTest::keyClick(role, Qt::Key_End);
      QCOMPARE(role->currentText(), QString("ignore"));
    }

    showTab(d, DataImportDialog::PipelineTab);
    PipelinePage* p = d.pipelinePage();
    QCOMPARE(p->stepNames(),
             (QStringList{"1. interleave: cycle length", "2. skip", "3. take", "4. cache",
                          "5. shuffle buffer", "6. batch", "7. prefetch"}));
    QVERIFY(p->prefetchSpin()->isEnabled() && p->cycleLengthSpin()->isEnabled());
    typeInto(p->shuffleBufferSpin(), "16");
    typeInto(p->prefetchSpin(), "2");
    typeInto(p->takeSpin(), "20");
    QVERIFY2(p->memoryLabel()->text().contains("16 records"), qPrintable(p->memoryLabel()->text()));
    screenshot(d, "data_pipeline.png");

    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));
    const nlohmann::json j = d.settings();
    QCOMPARE(j["kind"], "tfrecord");
    QCOMPARE(j["options"]["inputs"], nlohmann::json::array({"image"}));
    QCOMPARE(j["options"]["labels"], nlohmann::json::array({"label"}));
    QCOMPARE(j["pipeline"]["shuffle_buffer"], 16);
    QCOMPARE(j["pipeline"]["prefetch"], 2);
    QCOMPARE(j["pipeline"]["take"], 20);

    const BuiltData b = buildDataset(j);
    QCOMPARE(b.train.x.size(), size_t(1));
    QCOMPARE(b.train.x[0].shape()[1], Index(8));
    QVERIFY(b.train.x[0].rowSource()->sequentialOnly());
    // take 20 with the default fractions 0.8 / 0.1 / 0.1: 16 / 2 / 2 records.
    QCOMPARE(b.train.size(), Index(16));

    // Loading the settings again keeps the roles and the pipeline.
    DataImportDialog again;
    again.setSettings(j);
    QCOMPARE(again.settings()["options"]["inputs"], nlohmann::json::array({"image"}));
    QCOMPARE(again.pipelinePage()->shuffleBufferSpin()->value(), 16);
  }

  void aFreshDialogAddsNoPipelineSteps() {
    DataImportDialog d;
    QCOMPARE(d.pipelinePage()->takeSpin()->text(), QString("all"));
    QVERIFY(!d.settings().contains("pipeline"));
  }

  void aFileThatIsNotATfRecordShowsTheError() {
    QTemporaryDir dir;
    const QString path = dir.filePath("notes.tfrecord");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a tfrecord file at all");
    f.close();
    DataImportDialog d;
    d.show();
    chooseKind(d, "tfrecord");
    typePath(d, path);
    QVERIFY2(d.errorText().contains("notes.tfrecord: record 0"), qPrintable(d.errorText()));
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d.result() != QDialog::Accepted);
  }
};

QTEST_MAIN(TestUiTfRecordSource)
#include "tst_ui_tfrecordsource.moc"
