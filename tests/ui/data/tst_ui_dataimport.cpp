// The data import dialog driven with real events (offscreen): a CSV's preview table and column
// combos change the feature width, OK returns the DataSettings JSON; a bad CSV shows the message
// and returns nothing. And the main window trains the bundled localization example on the
// generated 64x64 set (default data settings) with the right shapes.
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/data/DataSettings.h"
#include "engine/data/FashionMnist.h"
#include "ui/MainWindow.h"
#include "ui/data/DataImportDialog.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

void writeFile(const QString& path, const QByteArray& text) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(text);
}

// Chooses the CSV source and types the path (Enter = editingFinished).
void chooseCsv(DataImportDialog& d, const QString& path) {
  d.kindCombo()->setFocus();
  // Fashion-MNIST, localization, IDX, CSV: three steps down.
  for (int i = d.kindCombo()->currentIndex(); i < 3; ++i)
    QTest::keyClick(d.kindCombo(), Qt::Key_Down);
  QCOMPARE(d.kindCombo()->currentData().toString(), QString("csv"));
  d.pathEdit()->setFocus();
  d.pathEdit()->selectAll();
  QTest::keyClicks(d.pathEdit(), path);
  QTest::keyClick(d.pathEdit(), Qt::Key_Return);
}

}  // namespace

class TestUiDataImport : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

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
    d.grab().save(TESSEL_BINARY_DIR "/tst_ui_dataimport_csv.png");
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
