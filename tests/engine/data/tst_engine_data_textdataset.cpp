// Text data sets (DataSettings kind "text"): the four sources, adapt on the training split only,
// seq2seq shifting, and the bad inputs the issue lists (each error names the file and line).
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "DataTestUtil.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/Fortunes.h"
#include "engine/data/TextDataset.h"

using namespace tessel;
using tessel::testutil::errorOf;
using tessel::testutil::writeText;
using json = nlohmann::json;

namespace {

DataSettings textSettings(const std::string& path, json options) {
  DataSettings s;
  s.kind = "text";
  s.path = path;
  s.options = std::move(options);
  s.fractions = {1.0, 0.0, 0.0};
  return s;
}

std::vector<float> rowOf(const Array& a, Index r) {
  Tensor t = a.toTensor();
  const Index w = a.shape()[1];
  return std::vector<float>(t.data() + r * w, t.data() + (r + 1) * w);
}

// The split shuffles the rows: find a row by its values.
bool hasRow(const Array& a, const std::vector<float>& want) {
  for (Index r = 0; r < a.rows(); ++r)
    if (rowOf(a, r) == want) return true;
  return false;
}

}  // namespace

class TestTextDataset : public QObject {
  Q_OBJECT
 private slots:
  void csvColumnWithLabels() {
    QTemporaryDir dir;
    const std::string csv = dir.filePath("reviews.csv").toStdString();
    writeText(csv,
              "id,review,sentiment\n1,\"Great movie, great cast\",pos\n2,Terrible plot,neg\n"
              "3,great fun,pos\n");
    DataSettings s = textSettings(csv, {{"source", "csv"},
                                        {"text_column", "review"},
                                        {"label_column", "sentiment"},
                                        {"vectorization", {{"output_sequence_length", 4}}}});
    BuiltData b = buildDataset(s);
    QCOMPARE(b.classNames, (std::vector<std::string>{"neg", "pos"}));
    QCOMPARE(b.train.x[0].shape(), (Shape{3, 4}));
    // vocabulary: great (3), then ties high to low: terrible, plot, movie, fun, cast
    const json vocab = b.settings.options["vectorization"]["vocabulary"];
    QCOMPARE(vocab.get<std::vector<std::string>>(),
             (std::vector<std::string>{"", "[UNK]", "great", "terrible", "plot", "movie", "fun",
                                       "cast"}));
    QVERIFY(hasRow(b.train.x[0], {2, 5, 2, 7}));
    for (Index r = 0; r < 3; ++r)  // "terrible plot" is the negative review
      QCOMPARE(b.train.y[0].raw(r), rowOf(b.train.x[0], r)[0] == 3 ? 0.0 : 1.0);
    // Building again from the written-back settings uses that vocabulary (no second adapt).
    BuiltData again = buildDataset(b.settings);
    QCOMPARE(rowOf(again.train.x[0], 1), rowOf(b.train.x[0], 1));
  }

  // The vocabulary comes from the TRAINING split only: a word seen only in validation is OOV.
  void adaptOnTrainingSplitOnly() {
    QTemporaryDir dir;
    const std::string csv = dir.filePath("t.tsv").toStdString();
    std::string text = "text\tlabel\n";
    for (int i = 0; i < 40; ++i)
      text += "word" + std::to_string(i) + " common\t" + (i % 2 ? "a" : "b") + "\n";
    writeText(csv, text);
    DataSettings s = textSettings(csv, {{"source", "csv"}});
    s.fractions = {0.5, 0.5, 0.0};
    s.splitSeed = 3;
    TextData td = prepareTextData(s);
    QCOMPARE(td.train.size(), size_t(20));
    QCOMPARE(td.validation.size(), size_t(20));
    const auto vocab = td.source->vocabulary();
    QCOMPARE(vocab.size(), size_t(2 + 1 + 20));  // "", [UNK], common, 20 training words
    for (Index r : td.validation) {
      const std::string w =
          td.samples.texts[size_t(r)].substr(0, td.samples.texts[size_t(r)].find(' '));
      QCOMPARE(td.source->lookup().index(w), std::int64_t(1));  // OOV
    }
  }

  void textFolder() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    std::filesystem::create_directories(root / "neg");
    std::filesystem::create_directories(root / "pos");
    writeText((root / "pos" / "a.txt").string(), "Loved it");
    writeText((root / "pos" / "b.txt").string(), "loved the music");
    writeText((root / "neg" / "c.txt").string(), "Hated it");
    writeText((root / "neg" / "ignored.md").string(), "not read");
    BuiltData b = buildDataset(textSettings(root.string(), {{"source", "folder"}}));
    QCOMPARE(b.classNames, (std::vector<std::string>{"neg", "pos"}));
    QCOMPARE(b.train.x[0].shape(), (Shape{3, 64}));  // the default output_sequence_length
    QCOMPARE(b.train.y[0].raw(0) + b.train.y[0].raw(1) + b.train.y[0].raw(2), 2.0);  // 2 pos
    // An empty text file is named.
    writeText((root / "pos" / "empty.txt").string(), "");
    const QString e = errorOf([&] {
      buildDataset(textSettings(root.string(), {{"source", "folder"}}));
    });
    QVERIFY2(e.contains("empty.txt") && e.contains("empty"), qPrintable(e));
  }

  // Sentence pairs: the target is "[start] ... [end]"; decoder input = ids[:-1], target = ids[1:].
  void sentencePairs() {
    QTemporaryDir dir;
    const std::string tsv = dir.filePath("pairs.tsv").toStdString();
    writeText(tsv, "Go.\tVe.\nHi.\tHola.\nRun!\tCorre.\n");
    DataSettings s = textSettings(tsv, {{"source", "pairs"},
                                        {"vectorization", {{"output_sequence_length", 3}}},
                                        {"target_vectorization", {{"output_sequence_length", 4}}}});
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x.size(), size_t(2));
    QCOMPARE(b.train.x[0].shape(), (Shape{3, 3}));
    QCOMPARE(b.train.x[1].shape(), (Shape{3, 4}));
    QCOMPARE(b.train.y[0].shape(), (Shape{3, 4}));
    const auto tv =
        b.settings.options["target_vectorization"]["vocabulary"].get<std::vector<std::string>>();
    // [start] and [end] 3 times each; ties high to low: [start] > [end]; ve, hola, corre once.
    QCOMPARE(tv,
             (std::vector<std::string>{"", "[UNK]", "[start]", "[end]", "ve", "hola", "corre"}));
    for (Index r = 0; r < 3; ++r) {  // decoder target = decoder input shifted left by one
      const auto in = rowOf(b.train.x[1], r), out = rowOf(b.train.y[0], r);
      QCOMPARE(in[0], 2.0f);  // [start]
      QCOMPARE(std::vector<float>(in.begin() + 1, in.end()),
               std::vector<float>(out.begin(), out.end() - 1));
    }
    QVERIFY(hasRow(b.train.x[1], {2, 4, 3, 0}));  // [start] ve [end]
    QVERIFY(hasRow(b.train.y[0], {4, 3, 0, 0}));  // ve [end]
    writeText(tsv, "Go.\tVe.\nno tab here\n");
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains(QString::fromStdString(tsv) + ":2:") && e.contains("tab"), qPrintable(e));
  }

  void fortunesFromAFolder() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    writeText((root / "cats").string(), "Cats purr.\n%\nA cat sleeps\nall day.\n%\n");
    writeText((root / "dogs").string(), "Dogs bark.\n%\nDogs fetch.\n");
    writeText((root / "cats.dat").string(), "\x01\x02");
    std::filesystem::create_directories(root / "off");
    const auto cats = fortuneCategories(root.string());
    QCOMPARE(cats.size(), size_t(2));
    QCOMPARE(cats[0], (std::pair<std::string, int>("cats", 2)));
    const auto entries = readFortuneFile((root / "cats").string());
    QCOMPARE(entries[1].text, std::string("A cat sleeps\nall day."));
    QCOMPARE(entries[1].line, 3);
    BuiltData b = buildDataset(
        textSettings(root.string(), {{"source", "fortunes"}, {"categories", {"dogs", "cats"}}}));
    QCOMPARE(b.classNames, (std::vector<std::string>{"cats", "dogs"}));
    QCOMPARE(b.train.x[0].rows(), Index(4));
    writeText((root / "bad").string(), "ok\n%\nbad \xff byte\n");
    const QString e = errorOf([&] { readFortuneFile((root / "bad").string()); });
    QVERIFY2(e.contains("/bad:3:") && e.contains("UTF-8"), qPrintable(e));
  }

  // The real Debian package (skipped when it is not installed).
  void debianFortunes() {
    if (!fortunesAvailable()) QSKIP("the fortunes package is not installed");
    DataSettings s = textSettings("", {{"source", "fortunes"}});
    s.fractions = {0.8, 0.2, 0.0};
    TextData td = prepareTextData(s);
    QCOMPARE(td.samples.classNames, defaultFortuneCategories());
    QVERIFY(td.samples.texts.size() > 4000);
    QCOMPARE(td.source->vocabulary().size(), size_t(10000));  // max_tokens 10000
    const auto rows = textPreview(td, 3);
    QCOMPARE(rows.size(), size_t(3));
    QCOMPARE(rows[0].ids.size(), size_t(64));
    QVERIFY(!rows[0].tokens.empty());
  }

  void oneClassIsAnError() {
    QTemporaryDir dir;
    const std::string csv = dir.filePath("one.csv").toStdString();
    writeText(csv, "text,label\nhello,x\nworld,x\n");
    const QString e = errorOf([&] { buildDataset(textSettings(csv, {{"source", "csv"}})); });
    QVERIFY2(e.contains("one.csv") && e.contains("only one class") && e.contains("'x'"),
             qPrintable(e));
  }

  void badCsvInputs() {
    QTemporaryDir dir;
    const std::string empty = dir.filePath("empty.csv").toStdString();
    writeText(empty, "");
    QVERIFY(errorOf([&] {
              buildDataset(textSettings(empty, {{"source", "csv"}}));
            }).contains("empty.csv: the file is empty"));
    const std::string csv = dir.filePath("c.csv").toStdString();
    writeText(csv, "text,label\nfine,a\ncaf\xe9,b\n");
    const QString u = errorOf([&] { buildDataset(textSettings(csv, {{"source", "csv"}})); });
    QVERIFY2(u.contains("c.csv:3:") && u.contains("UTF-8"), qPrintable(u));
    const QString col = errorOf([&] {
      buildDataset(textSettings(csv, {{"source", "csv"}, {"text_column", "body"}}));
    });
    QVERIFY2(col.contains("'body'") && col.contains("text, label"), qPrintable(col));
  }

  // A vocabulary file with a repeated token: named with its line.
  void vocabularyFileWithDuplicates() {
    QTemporaryDir dir;
    const std::string csv = dir.filePath("c.csv").toStdString();
    writeText(csv, "text,label\nthe cat,a\nthe dog,b\n");
    const std::string vocab = dir.filePath("vocab.txt").toStdString();
    writeText(vocab, "the\ncat\nthe\n");
    DataSettings s = textSettings(csv, {{"source", "csv"}, {"vocabulary_file", vocab}});
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains(QString::fromStdString(vocab) + ":3:") && e.contains("'the'"),
             qPrintable(e));
    writeText(vocab, "the\ncat\n");
    BuiltData b = buildDataset(s);
    std::vector<float> dog(64, 0.0f);  // "the" -> 2, "dog" -> OOV 1
    dog[0] = 2, dog[1] = 1;
    QVERIFY(hasRow(b.train.x[0], dog));
  }

  // A text longer than output_sequence_length keeps its first tokens (Keras truncates).
  void longTextIsTruncated() {
    QTemporaryDir dir;
    const std::string csv = dir.filePath("c.csv").toStdString();
    writeText(csv, "text,label\na b c d e f,x\nb,y\n");
    BuiltData b = buildDataset(
        textSettings(csv, {{"source", "csv"}, {"vectorization", {{"output_sequence_length", 2}}}}));
    QCOMPARE(b.train.x[0].shape(), (Shape{2, 2}));
    // vocab: b (2), then f e d c a -> a b = [7, 2]
    QVERIFY(hasRow(b.train.x[0], {7, 2}));
  }

  void multiHotOutput() {
    QTemporaryDir dir;
    const std::string csv = dir.filePath("c.csv").toStdString();
    writeText(csv, "text,label\nred red blue,x\ngreen,y\n");
    BuiltData b = buildDataset(
        textSettings(csv, {{"source", "csv"}, {"vectorization", {{"output_mode", "count"}}}}));
    QCOMPARE(b.train.x[0].shape(), (Shape{2, 4}));  // [UNK], red, green, blue
    QVERIFY(hasRow(b.train.x[0], {0, 2, 0, 1}));
  }

  // Given files: train / validation / test CSVs; the vocabulary comes from the training file,
  // the classes too (an unknown validation class names the file and line).
  void givenFiles() {
    QTemporaryDir dir;
    const std::string train = dir.filePath("train.csv").toStdString(),
                      valid = dir.filePath("valid.csv").toStdString(),
                      test = dir.filePath("test.csv").toStdString();
    writeText(train, "text,label\nred apple,fruit\ngreen leek,veg\nred cherry,fruit\n");
    writeText(valid, "text,label\nred leek,veg\nblue plum,fruit\n");
    writeText(test, "text,label\nkale,veg\n");
    DataSettings s =
        textSettings("", {{"source", "csv"}, {"vectorization", {{"output_sequence_length", 2}}}});
    s.trainFile = train;
    s.validationFile = valid;
    s.testFile = test;
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].rows(), Index(3));
    QCOMPARE(b.validation->x[0].rows(), Index(2));
    QCOMPARE(b.test->x[0].rows(), Index(1));
    // vocabulary: red (2), then leek, green, cherry, apple; "blue plum" is all OOV
    QVERIFY(hasRow(b.validation->x[0], {1, 1}));
    QCOMPARE(b.validation->y[0].raw(0), 1.0);  // veg
    writeText(valid, "text,label\nred leek,veg\nblue plum,nut\n");
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains("valid.csv:3:") && e.contains("'nut'"), qPrintable(e));
  }

  void settingsKindText() {
    json j = textSettings("x.csv", {{"source", "csv"}}).toJson();
    QCOMPARE(DataSettings::fromJson(j).kind, std::string("text"));
    QVERIFY(errorOf([] {
              buildDataset(textSettings("", {{"source", "csv"}}));
            }).contains("no file"));
    QVERIFY(errorOf([] {
              buildDataset(textSettings("x", {{"source", "web"}}));
            }).contains("unknown source"));
  }
};

QTEST_APPLESS_MAIN(TestTextDataset)
#include "tst_engine_data_textdataset.moc"
