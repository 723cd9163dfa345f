// The data import dialog driven with real events (offscreen): a CSV's preview table and column
// combos change the feature width, OK returns the DataSettings JSON; a bad CSV shows the message
// and returns nothing. The Split / Normalisation / Augmentation tabs and the image-folder options
// (cache, box target, max rows) filled by clicks and typing give exactly the expected
// DataSettings JSON; setSettings -> settings() round-trips every field; the hash follows an
// augmentation factor; bad fractions and a missing given file keep the dialog open with the
// message. Screenshots of each tab: /tmp/dataui_<tab>.png. And the main window trains the bundled
// localization example on the generated 64x64 set (default data settings) with the right shapes.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QGroupBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "tests/ui/data/DataDialogTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/data/DataImportDialog.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

void writeFile(const QString& path, const QByteArray& text) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(text);
}

// Chooses the CSV source and types the path (Enter = editingFinished).
void chooseCsv(DataImportDialog& d, const QString& path) {
  const bool shown = d.isVisible();
  d.kindCombo()->setFocus();
  // Fashion-MNIST, localization, IDX, CSV: three steps down.
  for (int i = d.kindCombo()->currentIndex(); i < 3; ++i)
    QTest::keyClick(d.kindCombo(), Qt::Key_Down);
  QCOMPARE(d.kindCombo()->currentData().toString(), QString("csv"));
  d.pathEdit()->setFocus();
  d.pathEdit()->selectAll();
  QTest::keyClicks(d.pathEdit(), path);
  QTest::keyClick(d.pathEdit(), Qt::Key_Return);
  QCOMPARE(d.isVisible(), shown);  // Enter in the path loads it; it does not press OK
}

// A screenshot once the pending layout requests have run.
bool shot(QWidget& w, const QString& path) {
  QCoreApplication::processEvents();
  return w.grab().save(path);
}

// Clicks the tab's title.
void showTab(DataImportDialog& d, int tab) {
  QTabBar* bar = d.tabs()->tabBar();
  QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(tab).center());
  QCOMPARE(d.tabs()->currentIndex(), tab);
}

// Clicks a check box / radio button on its indicator.
void clickIndicator(QAbstractButton* b) {
  QTest::mouseClick(b, Qt::LeftButton, {}, QPoint(8, b->height() / 2));
}

// Chooses a source kind with the arrow keys.
void chooseKind(DataImportDialog& d, const QString& kind) {
  QComboBox* c = d.kindCombo();
  c->setFocus();
  QTest::keyClick(c, Qt::Key_Home);
  for (int i = 0; i < c->count() && c->currentData().toString() != kind; ++i)
    QTest::keyClick(c, Qt::Key_Down);
  QCOMPARE(c->currentData().toString(), kind);
}

// Moves a combo to the item whose data is `value` with the arrow keys.
void chooseData(QComboBox* c, const QString& value) {
  c->setFocus();
  QTest::keyClick(c, Qt::Key_Home);
  for (int i = 0; i < c->count() && c->currentData().toString() != value; ++i)
    QTest::keyClick(c, Qt::Key_Down);
  QCOMPARE(c->currentData().toString(), value);
}

// root/<class>/<i>.png: `perClass` 12x10 RGB images for each class.
void writeImageFolder(const QString& root, const QStringList& classes, int perClass) {
  for (const QString& c : classes) {
    QVERIFY(QDir().mkpath(root + "/" + c));
    for (int i = 0; i < perClass; ++i) {
      QImage img(12, 10, QImage::Format_RGB32);
      img.fill(QColor(20 * i, c.size() * 30, 200));
      QVERIFY(img.save(QString("%1/%2/%3.png").arg(root, c).arg(i)));
    }
  }
}

// Every top-level field of the DataSettings JSON, named when it differs.
void compareSettings(const nlohmann::json& got, const nlohmann::json& expected) {
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    QVERIFY2(got.contains(it.key()), qPrintable(QString::fromStdString(it.key())));
    QVERIFY2(got[it.key()] == it.value(),
             qPrintable(QString::fromStdString(it.key() + ": got " + got[it.key()].dump() +
                                               ", expected " + it.value().dump())));
  }
  QCOMPARE(got.size(), expected.size());
  QVERIFY(got == expected);
}

bool itemEnabled(QComboBox* c, int row) {
  auto* model = qobject_cast<QStandardItemModel*>(c->model());
  return model && model->item(row)->isEnabled();
}

}  // namespace

class TestUiDataImport : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale::c());  // "0.25" typed into the spin boxes
  }

  void csvPreviewRolesAndOk() {
    QTemporaryDir tmp;
    const QString csv = tmp.filePath("small.csv");
    writeFile(csv,
              "a,b,color,label\n"
              "1,2,red,0\n"
              "3,4,green,1\n"
              "5,6,blue,0\n"
              "7,?,red,1\n");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseCsv(d, csv);
    QVERIFY2(d.errorText().isEmpty() || d.errorText().contains("?"), qPrintable(d.errorText()));
    // na_value "?" → the missing b is accepted only as na (numeric feature without default:
    // a bad row); skip it.
    d.naValueEdit()->setFocus();
    QTest::keyClicks(d.naValueEdit(), "?");
    QTest::keyClick(d.naValueEdit(), Qt::Key_Return);
    QVERIFY(d.formatLabel()->text().contains("','"));
    QVERIFY(d.formatLabel()->text().contains("header"));
    QTableWidget* t = d.previewTable();
    QCOMPARE(t->columnCount(), 4);
    QVERIFY2(t->rowCount() >= 4,
             qPrintable(QString::number(t->rowCount())));  // the combo row + the data rows
    QCOMPARE(t->item(1, 2)->text(), QString("red"));
    // Suggested: a, b numeric, color one-hot (3 values), label the label → width 5.
    QCOMPARE(d.columnCombo(2)->currentIndex(), 1);
    QCOMPARE(d.columnCombo(3)->currentIndex(), 4);
    QCOMPARE(d.featureWidth(), 5);
    QVERIFY2(d.resultLabel()->text().contains("feature width 5"),
             qPrintable(d.resultLabel()->text()));
    // color → categorical (index): one value.
    QComboBox* color = d.columnCombo(2);
    color->setFocus();
    QTest::keyClick(color, Qt::Key_Down);
    QCOMPARE(color->currentIndex(), 2);
    QCOMPARE(d.featureWidth(), 3);
    // ... → ignore (the last choice): width 2.
    QTest::keyClick(color, Qt::Key_End);
    QCOMPARE(color->currentText(), QString("ignore"));
    QCOMPARE(d.featureWidth(), 2);
    QVERIFY(d.resultLabel()->text().contains("feature width 2"));
    QVERIFY(shot(d, TESSEL_BINARY_DIR "/tst_ui_dataimport_csv.png"));
    // Bad rows: skip (row 5 has "?" in b, a numeric feature without a default).
    d.badRowsCombo()->setFocus();
    QTest::keyClick(d.badRowsCombo(), Qt::Key_Down);
    QCOMPARE(d.badRowsCombo()->currentData().toString(), QString("skip"));

    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));
    const nlohmann::json j = d.settings();
    DataSettings s = DataSettings::fromJson(j);
    QCOMPARE(s.kind, std::string("csv"));
    QCOMPARE(QString::fromStdString(s.path), csv);
    QCOMPARE(j["options"]["bad_rows"], nlohmann::json("skip"));
    const nlohmann::json& cols = j["options"]["columns"];
    QCOMPARE(cols.size(), size_t(3));  // a, b, label (color ignored)
    QCOMPARE(cols[2]["role"], nlohmann::json("label"));
    QCOMPARE(j["options"]["na_values"][1], nlohmann::json("?"));
    QVERIFY2(d.summary().contains("feature width 2"), qPrintable(d.summary()));

    // The same settings build the data: 3 good rows, x width 2, one y.
    DataSettings all = s;
    all.fractions = {1.0, 0.0, 0.0};
    BuiltData b = buildDataset(all);
    QCOMPARE(b.train.x[0].shape(), (Shape{3, 2}));
    QCOMPARE(b.train.y.size(), size_t(1));
    QVERIFY(!b.validation);

    // Re-opening with the stored settings restores the column choices.
    DataImportDialog again;
    again.setSettings(j);
    QCOMPARE(again.kindCombo()->currentData().toString(), QString("csv"));
    QCOMPARE(again.columnCombo(2)->currentText(), QString("ignore"));
    QCOMPARE(again.featureWidth(), 2);
  }

  void irisCsv() {
    const QString iris = "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";
    if (!QFile::exists(iris)) QSKIP("python3-sklearn's iris.csv is not installed");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseCsv(d, iris);
    QVERIFY2(d.errorText().isEmpty(), qPrintable(d.errorText()));
    QVERIFY(d.formatLabel()->text().contains("scikit-learn"));
    QCOMPARE(d.previewTable()->columnCount(), 5);
    QCOMPARE(d.featureWidth(), 4);
    // The first feature ignored: 3.
    QComboBox* c0 = d.columnCombo(0);
    c0->setFocus();
    QTest::keyClick(c0, Qt::Key_End);
    QCOMPARE(d.featureWidth(), 3);
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(d.result(), int(QDialog::Accepted));
    BuiltData b = buildDataset(d.settings());
    // 150 rows split 0.8 / 0.1 / 0.1: 15 test, 15 validation, 120 train.
    QCOMPARE(b.train.x[0].shape(), (Shape{120, 3}));
    QVERIFY(b.validation);
    QCOMPARE(b.validation->x[0].rows(), Index(15));
  }

  void badCsvReturnsNothing() {
    QTemporaryDir tmp;
    const QString csv = tmp.filePath("bad.csv");
    // Text in a numeric column after the 50 lines the format is sniffed from: line 62.
    QByteArray text = "x,y,label\n";
    for (int i = 0; i < 60; ++i)
      text += QByteArray::number(i) + "," + QByteArray::number(i * 2) + ",1\n";
    text += "9,oops,0\n";
    writeFile(csv, text);
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseCsv(d, csv);
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d.result() != QDialog::Accepted);
    QVERIFY(d.isVisible());
    // The message names the file and the line.
    QVERIFY2(d.errorText().contains("bad.csv:62"), qPrintable(d.errorText()));
  }

  // Every new control of an image-folder source set with real events; OK gives exactly the
  // expected DataSettings JSON. Screenshots of the four tabs.
  void imageFolderEveryTabToJson() {
    QTemporaryDir tmp;
    const QString root = tmp.filePath("images");
    writeImageFolder(root, {"cat", "dog"}, 3);
    const QString boxes = tmp.filePath("boxes.csv");
    writeFile(boxes, "filename,y_min,x_min,y_max,x_max,label\ncat/0.png,0.1,0.1,0.5,0.5,cat\n");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseKind(d, "image_folder");
    // An image source starts with Keras's Rescaling(1/255) and offers the augmentation.
    QCOMPARE(d.normalizationCombo()->currentData().toString(), QString("rescale"));
    QCOMPARE(d.rescaleEdit()->text(), QString("1/255"));
    QVERIFY(d.augmentationGroup()->isEnabled());
    QVERIFY(!itemEnabled(d.normalizationCombo(), 3));  // per feature: CSV only

    // Source.
    typeText(d.pathEdit(), root);
    QVERIFY2(d.resultLabel()->text().contains("6 images, 2 classes"),
             qPrintable(d.resultLabel()->text() + d.errorText()));
    typeNumber(d.findChild<QSpinBox*>("heightSpin"), "32");
    typeNumber(d.maxRowsSpin(), "500");
    typeNumber(d.cacheSpin(), "64");
    QVERIFY(!d.boxTargetCombo()->isEnabled());  // no annotations yet
    chooseData(d.annotationsCombo(), "csv");
    QVERIFY(d.boxTargetCombo()->isEnabled());
    typeText(d.annotationsPathEdit(), boxes);
    chooseData(d.boxTargetCombo(), "largest");
    QVERIFY(shot(d, "/tmp/dataui_source.png"));

    // Split: fractions 0.6 / 0.2 / 0.2, seed 42.
    showTab(d, DataImportDialog::SplitTab);
    QVERIFY(d.fractionsRadio()->isChecked());
    QVERIFY(!d.trainFileEdit()->isEnabled());
    typeNumber(d.trainFractionSpin(), "0.6");
    typeNumber(d.validationFractionSpin(), "0.2");
    typeNumber(d.testFractionSpin(), "0.2");
    typeNumber(d.seedSpin(), "42");
    QVERIFY2(d.fractionSumLabel()->text().startsWith("Sum 1"),
             qPrintable(d.fractionSumLabel()->text()));
    QVERIFY(shot(d, "/tmp/dataui_split.png"));

    // Normalisation: rescale by 1/127.5, then standardize_global (the factor is kept).
    showTab(d, DataImportDialog::NormalizationTab);
    QVERIFY(d.rescaleEdit()->isEnabled());
    typeText(d.rescaleEdit(), "1/127.5");
    QComboBox* norm = d.normalizationCombo();
    norm->setFocus();
    QTest::keyClick(norm, Qt::Key_Down);
    QCOMPARE(norm->currentData().toString(), QString("standardize_global"));
    QTest::keyClick(norm, Qt::Key_Down);  // the disabled per-feature item is skipped
    QCOMPARE(norm->currentData().toString(), QString("standardize_global"));
    QVERIFY(!d.rescaleEdit()->isEnabled());
    QVERIFY(d.statisticsEdit()->isReadOnly());
    QVERIFY2(d.statisticsEdit()->text().contains("not fitted"),
             qPrintable(d.statisticsEdit()->text()));
    QVERIFY(shot(d, "/tmp/dataui_normalisation.png"));

    // Augmentation.
    showTab(d, DataImportDialog::AugmentationTab);
    clickIndicator(d.flipHorizontalCheck());
    QVERIFY(d.flipHorizontalCheck()->isChecked());
    QVERIFY(!d.flipVerticalCheck()->isChecked());
    typeNumber(d.rotationSpin(), "0.1");
    typeNumber(d.zoomSpin(), "0.2");
    typeNumber(d.translateSpin(), "0.15");
    typeNumber(d.contrastSpin(), "0.3");
    typeNumber(d.brightnessSpin(), "0.25");
    typeNumber(d.augmentationSeedSpin(), "7");
    QVERIFY(d.augmentationHint()->text().contains("training batches only"));
    QVERIFY(d.augmentationHint()->text().contains("boxes follow"));
    QVERIFY(shot(d, "/tmp/dataui_augmentation.png"));

    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));

    DataSettings e;
    e.kind = "image_folder";
    e.path = root.toStdString();
    e.options = {{"height", 32},    {"width", 64},    {"grayscale", false},
                 {"max_rows", 500}, {"cache_mb", 64}, {"box_target", "largest"}};
    e.annotations = "csv";
    e.annotationsPath = boxes.toStdString();
    e.fractions = {0.6, 0.2, 0.2};
    e.splitSeed = 42;
    e.normalization = "standardize_global";
    e.rescale = 1.0 / 127.5;
    e.augmentation.flipHorizontal = true;
    e.augmentation.rotation = 0.1;
    e.augmentation.zoom = 0.2;
    e.augmentation.translate = 0.15;
    e.augmentation.contrast = 0.3;
    e.augmentation.brightness = 0.25;
    e.augmentation.seed = 7;
    compareSettings(d.settings(), e.toJson());
    QCOMPARE(DataSettings::fromJson(d.settings()).hash(), e.hash());
  }

  // setSettings -> settings() gives back every field (values with more digits than the boxes
  // show included); the fitted statistics are shown and kept, and forgotten when the source
  // changes.
  void roundTripEveryField() {
    QTemporaryDir tmp;
    const QString root = tmp.filePath("images");
    writeImageFolder(root, {"a", "b"}, 2);
    DataSettings s;
    s.kind = "image_folder";
    s.path = root.toStdString();
    s.options = {{"height", 24},    {"width", 20},     {"grayscale", true},
                 {"max_rows", 123}, {"cache_mb", 100}, {"box_target", "largest"}};
    s.annotations = "voc";
    s.annotationsPath = tmp.filePath("voc").toStdString();
    s.fractions = {1.0 / 3.0, 0.25, 0.125};
    s.splitSeed = 12345;
    s.normalization = "standardize_global";
    s.rescale = 1.0 / 127.5;
    s.mean = 33.5;
    s.std = 70.25;
    auto& a = s.augmentation;
    a.flipHorizontal = false;
    a.flipVertical = true;
    a.rotation = 0.123456;
    a.zoom = 0.2;
    a.translate = 0.1;
    a.contrast = 0.3;
    a.brightness = 0.4;
    a.seed = 77;
    DataImportDialog d;
    d.setSettings(s.toJson());
    QVERIFY2(d.errorText().isEmpty(), qPrintable(d.errorText()));
    compareSettings(d.settings(), s.toJson());
    QVERIFY(d.hasFittedStatistics());
    QCOMPARE(d.statisticsEdit()->text(), QString("mean 33.5, std 70.25"));
    QVERIFY(d.flipVerticalCheck()->isChecked());
    QCOMPARE(d.boxTargetCombo()->currentData().toString(), QString("largest"));
    QCOMPARE(d.cacheSpin()->value(), 100);
    QCOMPARE(d.maxRowsSpin()->value(), 123);

    // Given files (image folders: folders).
    DataSettings g = s;
    g.trainFile = root.toStdString();
    g.validationFile = tmp.filePath("valid").toStdString();
    g.testFile = tmp.filePath("test").toStdString();
    g.normalization = "rescale";
    g.mean = 0;
    g.std = 1;
    g.options.erase("max_rows");  // absent = all images
    DataImportDialog dg;
    dg.setSettings(g.toJson());
    QVERIFY(dg.givenFilesRadio()->isChecked());
    QVERIFY(dg.trainFileEdit()->isEnabled());
    QVERIFY(!dg.trainFractionSpin()->isEnabled());
    QCOMPARE(dg.maxRowsSpin()->value(), 0);
    QCOMPARE(dg.maxRowsSpin()->text(), QString("all"));
    QCOMPARE(dg.rescaleEdit()->text(), QString("0.00784313725490196"));
    compareSettings(dg.settings(), g.toJson());

    // The user types another path: the statistics belong to the old source.
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.pathEdit()->setFocus();
    QTest::keyClick(d.pathEdit(), Qt::Key_End);
    QTest::keyClicks(d.pathEdit(), "/");
    QVERIFY(!d.hasFittedStatistics());
    const DataSettings after = DataSettings::fromJson(d.settings());
    QCOMPARE(after.mean, 0.0);
    QCOMPARE(after.std, 1.0);
    QVERIFY(d.statisticsEdit()->text().contains("not fitted"));
    // setFittedStatistics (the window after a load) shows them again.
    d.setFittedStatistics(2.5, 4.0);
    QCOMPARE(DataSettings::fromJson(d.settings()).mean, 2.5);
    QCOMPARE(DataSettings::fromJson(d.settings()).std, 4.0);
  }

  // CSV: standardize_per_feature is the CSV default and the only one of the two standardisations
  // offered; "none" really gives the raw values (the columns' standardize flags follow the mode);
  // given files round-trip; augmentation is off for tables.
  void csvNormalizationAndGivenFiles() {
    QTemporaryDir tmp;
    const QString csv = tmp.filePath("t.csv");
    writeFile(csv, "a,b,label\n1,10,0\n3,20,1\n5,60,0\n");
    const QString valid = tmp.filePath("v.csv");
    writeFile(valid, "a,b,label\n2,30,1\n");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseCsv(d, csv);
    QCOMPARE(d.normalizationCombo()->currentData().toString(), QString("standardize_per_feature"));
    QVERIFY(!itemEnabled(d.normalizationCombo(), 1));
    QVERIFY(!itemEnabled(d.normalizationCombo(), 2));
    QVERIFY(itemEnabled(d.normalizationCombo(), 3));
    QVERIFY(!d.augmentationGroup()->isEnabled());
    showTab(d, DataImportDialog::SplitTab);
    typeNumber(d.trainFractionSpin(), "1");
    typeNumber(d.validationFractionSpin(), "0");
    typeNumber(d.testFractionSpin(), "0");
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));
    {
      BuiltData b = buildDataset(d.settings());
      // a = 1, 3, 5 standardised: mean 0.
      double sum = 0;
      for (Index r = 0; r < 3; ++r) sum += b.train.x[0].value(r * 2);
      QVERIFY(std::abs(sum) < 1e-5);
    }
    // none: the raw values (1 + 3 + 5 = 9, 10 + 20 + 60 = 90).
    d.show();
    showTab(d, DataImportDialog::NormalizationTab);
    chooseData(d.normalizationCombo(), "none");
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));
    const nlohmann::json none = d.settings();
    QCOMPARE(none["normalization"]["mode"], nlohmann::json("none"));
    QCOMPARE(none["options"]["columns"][0]["standardize"], nlohmann::json(false));
    {
      BuiltData b = buildDataset(none);
      double a = 0, bsum = 0;
      for (Index r = 0; r < 3; ++r) {
        a += b.train.x[0].value(r * 2);
        bsum += b.train.x[0].value(r * 2 + 1);
      }
      QCOMPARE(a, 9.0);
      QCOMPARE(bsum, 90.0);
    }
    // Stored "none" with standardised columns (written before the choice existed) shows what
    // the import does: per feature.
    nlohmann::json legacy = none;
    for (auto& c : legacy["options"]["columns"])
      if (c.value("role", std::string("feature")) == "feature") c["standardize"] = true;
    DataImportDialog old;
    old.setSettings(legacy);
    QCOMPARE(old.normalizationCombo()->currentData().toString(),
             QString("standardize_per_feature"));

    // Given files: no source path, the training file is previewed; round trip.
    DataSettings g = DataSettings::fromJson(none);
    g.path.clear();
    g.trainFile = csv.toStdString();
    g.validationFile = valid.toStdString();
    g.testFile = valid.toStdString();
    g.splitSeed = 9;
    DataImportDialog dg;
    dg.setSettings(g.toJson());
    QVERIFY2(dg.errorText().isEmpty(), qPrintable(dg.errorText()));
    QCOMPARE(dg.previewTable()->columnCount(), 3);
    QCOMPARE(dg.featureWidth(), 2);
    compareSettings(dg.settings(), g.toJson());
    dg.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dg));
    QTest::mouseClick(dg.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(dg.result() == QDialog::Accepted, qPrintable(dg.errorText()));
    compareSettings(dg.settings(), g.toJson());
  }

  // DataSettings::hash() follows the augmentation controls.
  void hashFollowsAugmentation() {
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseKind(d, "idx");
    showTab(d, DataImportDialog::AugmentationTab);
    QVERIFY(d.augmentationGroup()->isEnabled());
    const std::string h0 = DataSettings::fromJson(d.settings()).hash();
    typeNumber(d.zoomSpin(), "0.1");
    const std::string h1 = DataSettings::fromJson(d.settings()).hash();
    QVERIFY(h1 != h0);
    typeNumber(d.zoomSpin(), "0.2");
    const std::string h2 = DataSettings::fromJson(d.settings()).hash();
    QVERIFY(h2 != h1 && h2 != h0);
    typeNumber(d.zoomSpin(), "0");
    QCOMPARE(DataSettings::fromJson(d.settings()).hash(), h0);
    clickIndicator(d.flipVerticalCheck());
    QVERIFY(DataSettings::fromJson(d.settings()).hash() != h0);
    QCOMPARE(DataSettings::fromJson(d.settings()).augmentation.flipVertical, true);
    // The built-in sets are images too; CSV is not.
    chooseKind(d, "fashion_mnist");
    QVERIFY(d.augmentationGroup()->isEnabled());
    QVERIFY(!d.normalizationCombo()->isEnabled());
    chooseKind(d, "csv");
    QVERIFY(!d.augmentationGroup()->isEnabled());
  }

  // Fractions summing to 1.2 and a missing given file keep the dialog open with the message.
  void splitErrorsKeepDialogOpen() {
    QTemporaryDir tmp;
    const QString csv = tmp.filePath("t.csv");
    writeFile(csv, "a,b,label\n1,10,0\n3,20,1\n5,60,0\n7,80,1\n");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseCsv(d, csv);
    showTab(d, DataImportDialog::SplitTab);
    typeNumber(d.trainFractionSpin(), "0.7");
    typeNumber(d.validationFractionSpin(), "0.3");
    typeNumber(d.testFractionSpin(), "0.2");
    QVERIFY(d.fractionSumLabel()->text().contains("at most 1"));
    showTab(d, DataImportDialog::SourceTab);
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d.result() != QDialog::Accepted);
    QVERIFY(d.isVisible());
    QVERIFY2(d.errorText().contains("sum to 1.2") && d.errorText().contains("at most 1"),
             qPrintable(d.errorText()));
    QCOMPARE(d.tabs()->currentIndex(), int(DataImportDialog::SplitTab));

    // Given files: the validation file does not exist.
    clickIndicator(d.givenFilesRadio());
    QVERIFY(d.givenFilesRadio()->isChecked());
    QVERIFY(d.trainFileEdit()->isEnabled());
    QVERIFY(!d.trainFractionSpin()->isEnabled());
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d.isVisible());
    QVERIFY2(d.errorText().contains("training file"), qPrintable(d.errorText()));
    typeText(d.trainFileEdit(), csv);
    const QString missing = tmp.filePath("missing_valid.csv");
    typeText(d.validationFileEdit(), missing);
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d.result() != QDialog::Accepted);
    QVERIFY(d.isVisible());
    QVERIFY2(d.errorText().contains(missing) && d.errorText().contains("validation"),
             qPrintable(d.errorText()));
    QVERIFY(shot(d, "/tmp/dataui_split_error.png"));
    // Fixed: accepted, the fractions (still 1.2) are not used with given files.
    typeText(d.validationFileEdit(), csv);
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));
    const DataSettings s = DataSettings::fromJson(d.settings());
    QCOMPARE(QString::fromStdString(s.trainFile), csv);
    QCOMPARE(QString::fromStdString(s.validationFile), csv);
    QVERIFY(s.testFile.empty());
    // The unused fractions (1.2) are stored as the defaults, which DataSettings accepts.
    QCOMPARE(s.fractions, DataSettings().fractions);
  }

  // The wide & deep example with two inputs routes its CSV columns ("inputs" / "outputs"); the
  // page has no editor for that routing, so opening the dialog on those settings and pressing OK
  // keeps it, and the data still builds one x per model input.
  void csvRoutingSurvivesTheDialog() {
    QFile f(TESSEL_SOURCE_DIR "/resources/examples/wide_deep_multi_input/data.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    nlohmann::json j = nlohmann::json::parse(f.readAll().toStdString());
    j["path"] = TESSEL_SOURCE_DIR "/resources/examples/wide_deep/diabetes.csv";
    QVERIFY(j["options"].contains("inputs"));
    DataImportDialog d;
    d.setSettings(j);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(d.result() == QDialog::Accepted, qPrintable(d.errorText()));
    const nlohmann::json got = d.settings();
    QCOMPARE(got["options"]["inputs"], j["options"]["inputs"]);
    QCOMPARE(got["options"].contains("outputs"), j["options"].contains("outputs"));
    const BuiltData built = buildDataset(DataSettings::fromJson(got));
    QCOMPARE(built.train.x.size(), j["options"]["inputs"].size());
  }

  // The generated Fashion-MNIST sequence set (CTC strips) is a source of its own: its fields
  // typed, min <= max kept, augmentation off (a flipped strip no longer reads in its label's
  // order), the settings round-trip, and they build (N, 28, 28*max, 1) strips with (N, max) labels.
  void sequenceSourceFields() {
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseKind(d, "fashion_mnist_sequence");
    auto* count = d.findChild<QSpinBox*>("seqCountSpin");
    auto* valid = d.findChild<QSpinBox*>("seqValidSpin");
    auto* maxLen = d.findChild<QSpinBox*>("seqLengthSpin");
    auto* minLen = d.findChild<QSpinBox*>("seqMinLengthSpin");
    QVERIFY(count && valid && maxLen && minLen);
    QVERIFY(count->isVisible());
    QVERIFY(!d.pathEdit()->isEnabled());
    QVERIFY(!d.flipVerticalCheck()->isEnabled());
    typeNumber(count, "96");
    typeNumber(valid, "32");
    typeNumber(minLen, "5");  // above the max (4): the max follows
    QCOMPARE(maxLen->value(), 5);
    typeNumber(maxLen, "3");  // below the min: the min follows
    QCOMPARE(minLen->value(), 3);
    typeNumber(minLen, "2");
    // The result line follows the fields.
    QVERIFY2(d.resultLabel()->text().contains("x (96, 28, 84, 1), y (96, 3)"),
             qPrintable(d.resultLabel()->text()));
    QVERIFY(d.resultLabel()->text().contains("validation 32 strips"));
    if (const QByteArray dir = qgetenv("TESSEL_SCREENSHOTS"); !dir.isEmpty())
      d.grab().save(QString::fromLocal8Bit(dir) + "/dataimport_sequence_source.png");
    const DataSettings s = DataSettings::fromJson(d.settings());
    QCOMPARE(s.kind, std::string("fashion_mnist_sequence"));
    QCOMPARE(s.options.value("count", 0), 96);
    QCOMPARE(s.options.value("validation_count", 0), 32);
    QCOMPARE(s.options.value("length", 0), 3);
    QCOMPARE(s.options.value("min_length", 0), 2);
    QVERIFY(s.options.value("seed", 0) >= 1);
    DataImportDialog back;
    back.setSettings(s.toJson());
    compareSettings(back.settings(), s.toJson());
    QCOMPARE(back.findChild<QSpinBox*>("seqLengthSpin")->value(), 3);

    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    const BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].shape(), (Shape{96, 28, 84, 1}));
    QCOMPARE(b.train.y[0].shape(), (Shape{96, 3}));
    QVERIFY(b.validation);
    QCOMPARE(b.validation->x[0].shape(), (Shape{32, 28, 84, 1}));
    // 2..3 items per strip: label columns beyond the count are the blank 0.
    for (Index r = 0; r < 96; ++r) {
      int items = 0;
      for (Index c = 0; c < 3; ++c) items += b.train.y[0].value(r * 3 + c) != 0;
      QVERIFY2(items >= 2 && items <= 3, qPrintable(QString::number(items)));
    }
  }

  // The bundled localization example trains on the generated 64x64 set by default: one x
  // (N, 64, 64, 1) and two targets, class (N,) and box (N, 4).
  void localizationExampleData() {
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    ExampleLibrary::setExtraRoot(TESSEL_SOURCE_DIR "/resources/examples");
    if (ExampleLibrary::modelPath("fashion_mnist_localization").isEmpty())
      QSKIP("no localization example");
    MainWindow window;
    window.setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Ok;
    });
    window.setTrainSampleLimit(64);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const qint64 id = window.newModelFromExample("fashion_mnist_localization");
    QVERIFY(id != 0);
    QCOMPARE(window.currentModelId(), id);
    QVERIFY(window.session()->model(id)->dataSettings.is_null() ||
            window.session()->model(id)->dataSettings.empty());

    Dataset given;
    QObject::connect(window.dashboard(), &TrainingDashboard::jobPrepared,
                     [&](const ModelSpec&, const CompileOptions&, const Dataset& data,
                         const FitOptions&) { given = data; });
    QVERIFY2(window.train(), qPrintable(window.lastMessage()));
    QVERIFY(window.lastBuiltData());
    QCOMPARE(window.lastBuiltData()->settings.kind, std::string("fashion_mnist_localization"));
    QCOMPARE(given.x.size(), size_t(1));
    QCOMPARE(given.x[0].shape(), (Shape{64, 64, 64, 1}));
    QCOMPARE(given.y.size(), size_t(2));
    QCOMPARE(given.y[0].shape(), (Shape{64}));
    QCOMPARE(given.y[1].shape(), (Shape{64, 4}));
    // Pixels in [0, 1], boxes ordered.
    for (Index i = 0; i < 64 * 64; ++i)
      QVERIFY(given.x[0].value(i) >= 0 && given.x[0].value(i) <= 1);
    for (Index r = 0; r < 64; ++r) {
      QVERIFY(given.y[1].value(r * 4) <= given.y[1].value(r * 4 + 2));
      QVERIFY(given.y[1].value(r * 4 + 1) <= given.y[1].value(r * 4 + 3));
    }
    QVERIFY(window.lastBuiltData()->validation);
    QCOMPARE(window.lastBuiltData()->validation->x[0].shape(), (Shape{64, 64, 64, 1}));
    QVERIFY(window.dashboard()->confirmStopTraining(false));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isTraining(), 10000);

    // Stored data settings win over the default: Fashion-MNIST does not fit a 64x64 input.
    DataSettings fm;
    fm.kind = "fashion_mnist";
    window.session()->setDataSettings(id, fm.toJson());
    QVERIFY(!window.train());
    QVERIFY2(window.lastMessage().contains("2 output"), qPrintable(window.lastMessage()));
  }
};

QTEST_MAIN(TestUiDataImport)
#include "tst_ui_dataimport.moc"
