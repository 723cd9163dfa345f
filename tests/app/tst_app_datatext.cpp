// `tessel data text` and `tessel data fortunes`: a text set vectorized as the studio does, with
// its sizes, vocabulary, truncation count and (--preview) texts with their tokens and ids; bad
// inputs (a vocabulary file with a repeated token, a label column with one class) exit 1 with
// the file and line named, usage errors exit 2.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "CliTestUtil.h"
#include "engine/data/Fortunes.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

}  // namespace

class TestAppDataText : public QObject {
  Q_OBJECT
 private slots:
  void csvPreview() {
    QTemporaryDir dir;
    const QString csv = dir.filePath("r.csv");
    writeFile(
        csv, "review,sentiment\n\"The cat, the CAT!\",a\nA dog,b\nthe end of a very long text,a\n");
    Run r = runTessel({"data", "text", "--csv", csv, "--text-column", "review", "--label",
                       "sentiment", "--sequence-length", "3", "--preview", "--rows", "3"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("3 samples, 2 classes: a (2), b (1)"), qPrintable(r.out));
    // Fractions 0.8/0.1/0.1 of 3 rows: 1 training row... the split is printed.
    QVERIFY2(r.out.contains("Split (seed 0): train "), qPrintable(r.out));
    QVERIFY2(r.out.contains("output_sequence_length 3"), qPrintable(r.out));
    QVERIFY2(r.out.contains("   tokens:") && r.out.contains("   ids:"), qPrintable(r.out));
  }

  void badInputs() {
    QTemporaryDir dir;
    const QString csv = dir.filePath("one.csv");
    writeFile(csv, "text,label\nhello,x\nworld,x\n");
    Run r = runTessel({"data", "text", "--csv", csv});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("one.csv") && r.err.contains("only one class"), qPrintable(r.err));
    const QString two = dir.filePath("two.csv"), vocab = dir.filePath("v.txt");
    writeFile(two, "text,label\nhello,x\nworld,y\nhi,x\nyo,y\nhey,x\nok,y\n");
    writeFile(vocab, "hello\nworld\nhello\n");
    r = runTessel({"data", "text", "--csv", two, "--vocabulary", vocab});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("v.txt:3:") && r.err.contains("repeated token 'hello'"),
             qPrintable(r.err));
    r = runTessel({"data", "text"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("give one source"), qPrintable(r.err));
  }

  // --save-model writes the adapted vocabulary into the model's TextVectorization; --model then
  // vectorizes with it (no second adapt).
  void vocabularySavedIntoTheModel() {
    QTemporaryDir dir;
    const QString csv = dir.filePath("c.csv"), model = dir.filePath("m.json"),
                  out = dir.filePath("out.json");
    writeFile(csv, "text,label\nthe cat,x\nthe dog,y\na cat,x\na dog,y\ncat cat,x\ndog,y\n");
    writeFile(model, R"({"class_name": "Functional", "config": {"name": "m", "layers": [
      {"class_name": "InputLayer", "name": "text", "config": {"name": "text",
       "batch_input_shape": [null, 4]}, "inbound_nodes": []},
      {"class_name": "TextVectorization", "name": "tv", "config": {"name": "tv",
       "max_tokens": 20, "output_sequence_length": 4}, "inbound_nodes": [[["text", 0, 0, {}]]]},
      {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
       "inbound_nodes": [[["tv", 0, 0, {}]]]}],
      "input_layers": [["text", 0, 0]], "output_layers": [["d", 0, 0]]}})");
    Run r = runTessel({"data", "text", "--csv", csv, "--model", model, "--save-model", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("max_tokens 20") && r.out.contains("output_sequence_length 4") &&
                 r.out.contains("in layer 'tv'"),
             qPrintable(r.out));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray saved = f.readAll();
    QVERIFY2(saved.contains("\"vocabulary\"") && saved.contains("\"[UNK]\""), saved.constData());
    r = runTessel({"data", "text", "--csv", csv, "--model", out});
    QVERIFY2(r.code == 0 && r.out.contains("(given in the settings or the model)"),
             qPrintable(r.out + r.err));
  }

  void fortunesPreview() {
    if (!fortunesAvailable()) QSKIP("the fortunes package is not installed");
    Run r = runTessel({"data", "fortunes", "--preview", "--rows", "2"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("5 classes: computers"), qPrintable(r.out));
    QVERIFY2(r.out.contains("Vocabulary size: 10000 (adapted on the training split)"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("#2 ["), qPrintable(r.out));
    r = runTessel({"data", "fortunes", "--list"});
    QVERIFY2(r.code == 0 && r.out.contains("science "), qPrintable(r.out));
  }
};

QTEST_APPLESS_MAIN(TestAppDataText)
#include "tst_app_datatext.moc"
