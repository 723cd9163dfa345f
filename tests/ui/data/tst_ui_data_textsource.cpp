// The data dialog's Text source, driven through real widgets (keys and clicks): choosing the kind
// and a CSV with a text and a label column shows the first training texts with their labels,
// tokens and ids (vocabulary adapted on the training split); changing the sequence length changes
// the ids' padding; switching the text source to fortunes fills the package's folder and previews
// fortunes; OK gives settings that build into (N, L) ids. A label column with one class and an
// empty text file in a class folder are shown as errors naming the file. With
// TESSEL_SCREENSHOTS=<dir> it writes data_text_csv.png and data_text_fortunes.png.
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "engine/data/DatasetBuilder.h"
#include "engine/data/Fortunes.h"
#include "tests/ui/data/DataDialogTestSupport.h"
#include "ui/data/DataImportDialog.h"
#include "ui/data/TextSourcePage.h"

using namespace tessel;
using namespace tessel::ui;
using tessel::testutil::typeNumber;
using tessel::testutil::typeText;

namespace {

void writeText(const QString& path, const std::string& text) {
  std::ofstream(path.toStdString(), std::ios::binary) << text;
}

// Picks a combo entry with the keyboard (Home, then Down until its data matches).
void chooseData(QComboBox* c, const QString& data) {
  c->setFocus();
  QTest::keyClick(c, Qt::Key_Home);
  for (int i = 0; i < c->count() && c->currentData().toString() != data; ++i)
    QTest::keyClick(c, Qt::Key_Down);
  QCOMPARE(c->currentData().toString(), data);
}

void screenshot(QWidget& w, const QString& name) {
  const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS");
  if (dir.isEmpty()) return;
  QCoreApplication::processEvents();
  QVERIFY(w.grab().save(dir + "/" + name));
}

TextSourcePage* textPage(DataImportDialog& d) {
  auto* page = d.findChild<TextSourcePage*>();
  Q_ASSERT(page);
  return page;
}

}  // namespace

class TestUiTextSource : public QObject {
  Q_OBJECT
 private slots:
  void csvPreviewShowsTokensAndIds() {
    QTemporaryDir dir;
    const QString csv = dir.filePath("reviews.csv");
    writeText(csv,
              "review,sentiment\n\"A great, great movie!\",pos\nDull plot,neg\n"
              "Great cast,pos\nSo dull,neg\nLoved it,pos\nBoring,neg\nFine acting,pos\n"
              "Too long,neg\nGreat fun,pos\nNot good,neg\n");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseData(d.kindCombo(), "text");
    TextSourcePage* page = textPage(d);
    QVERIFY(page->isVisible());
    typeText(page->textColumnEdit(), "review");
    typeText(page->labelColumnEdit(), "sentiment");
    typeText(d.pathEdit(), csv);
    QVERIFY2(d.errorLabel()->text().isEmpty(), qPrintable(d.errorLabel()->text()));
    QVERIFY2(d.resultLabel()->text().contains("10 texts, 2 classes -> x (N, 64) token ids"),
             qPrintable(d.resultLabel()->text()));
    QTableWidget* t = page->previewTable();
    QCOMPARE(t->rowCount(), 8);  // the training split of 10 (0.8/0.1/0.1)
    // Every previewed row: its tokens are the standardized words, its ids their vocabulary ids.
    bool sawGreat = false;
    for (int r = 0; r < t->rowCount(); ++r) {
      const QString text = t->item(r, 1)->text(), tokens = t->item(r, 2)->text();
      QString expected = text.toLower();
      expected.remove(QRegularExpression("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]"));
      QCOMPARE(tokens, expected.split(' ', Qt::SkipEmptyParts).join(" | "));
      QVERIFY(
          t->item(r, 3)->text().contains(QString("(+%1 padding)").arg(64 - tokens.count('|') - 1)));
      if (text == "A great, great movie!") {
        QCOMPARE(tokens, QString("a | great | great | movie"));
        QCOMPARE(t->item(r, 0)->text(), QString("pos"));
        QVERIFY2(t->item(r, 3)->text().contains("(+60 padding)"),
                 qPrintable(t->item(r, 3)->text()));
        sawGreat = true;
      }
    }
    QVERIFY(page->vocabularyLabel()->text().contains("adapted on the training split"));
    // A shorter sequence length: fewer padding ids.
    typeNumber(page->sequenceLengthSpin(), "6");
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->item(r, 1)->text() == "A great, great movie!")
        QVERIFY2(t->item(r, 3)->text().endsWith("(+2 padding)"), qPrintable(t->item(r, 3)->text()));
    QVERIFY(sawGreat || t->rowCount() == 8);  // the text may be in validation/test
    screenshot(d, "data_text_csv.png");
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(d.result(), int(QDialog::Accepted));
    const DataSettings s = DataSettings::fromJson(d.settings());
    QCOMPARE(s.kind, std::string("text"));
    QCOMPARE(s.options["text_column"], nlohmann::json("review"));
    const BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].shape()[1], Index(6));
    QCOMPARE(b.classNames, (std::vector<std::string>{"neg", "pos"}));
  }

  void badInputsAreNamed() {
    QTemporaryDir dir;
    const QString csv = dir.filePath("one.csv");
    writeText(csv, "text,label\nhello,x\nworld,x\n");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseData(d.kindCombo(), "text");
    typeText(d.pathEdit(), csv);
    QVERIFY2(d.errorLabel()->text().contains("one.csv") &&
                 d.errorLabel()->text().contains("only one class"),
             qPrintable(d.errorLabel()->text()));
    QTest::mouseClick(d.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(d.result() != int(QDialog::Accepted));
    QVERIFY(d.errorLabel()->text().contains("only one class"));
    // A class folder with an empty text file.
    const std::filesystem::path root = dir.filePath("folder").toStdString();
    std::filesystem::create_directories(root / "a");
    std::filesystem::create_directories(root / "b");
    writeText(QString::fromStdString((root / "a" / "1.txt").string()), "some text");
    writeText(QString::fromStdString((root / "b" / "2.txt").string()), "");
    chooseData(textPage(d)->sourceCombo(), "folder");
    typeText(d.pathEdit(), QString::fromStdString(root.string()));
    QVERIFY2(d.errorLabel()->text().contains("2.txt") && d.errorLabel()->text().contains("empty"),
             qPrintable(d.errorLabel()->text()));
  }

  void fortunes() {
    if (!fortunesAvailable()) QSKIP("the fortunes package is not installed");
    DataImportDialog d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    chooseData(d.kindCombo(), "text");
    TextSourcePage* page = textPage(d);
    chooseData(page->sourceCombo(), "fortunes");
    QCOMPARE(d.pathEdit()->text(), QString(kFortunesDir));
    QVERIFY2(d.errorLabel()->text().isEmpty(), qPrintable(d.errorLabel()->text()));
    QVERIFY2(d.resultLabel()->text().contains("5 classes"), qPrintable(d.resultLabel()->text()));
    QVERIFY(page->previewTable()->rowCount() == 8);
    QVERIFY(page->vocabularyLabel()->text().contains("10000 tokens"));
    QVERIFY2(page->vocabularyLabel()->text().contains("longer than 64 tokens: truncated"),
             qPrintable(page->vocabularyLabel()->text()));
    typeText(page->categoriesEdit(), "computers, science");
    QVERIFY2(d.resultLabel()->text().contains("2 classes"), qPrintable(d.resultLabel()->text()));
    screenshot(d, "data_text_fortunes.png");
  }
};

QTEST_MAIN(TestUiTextSource)
#include "tst_ui_data_textsource.moc"
