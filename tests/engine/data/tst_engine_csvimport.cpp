// CSV import: sniffing (delimiter, header, scikit-learn's first line, gzip), feature columns
// (numeric standardised on the training split, categorical one-hot / index with out-of-vocabulary
// buckets, crossed hash buckets) against hand-computed rows, na_value, malformed rows (refused or
// skipped, with file:line), and scikit-learn's bundled CSVs as real files.
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/CsvReader.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

const std::string kSklearn = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";

float at(const Array& a, Index r, Index c) {
  return a.value(r * a.rowSize() + c);
}

bool sklearnAvailable() {
  return std::ifstream(kSklearn + "iris.csv").good();
}

}  // namespace

class TestCsvImport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private slots:
  void fnvHash() {
    // Published FNV-1a 64 test vectors.
    QCOMPARE(fnv1a64(""), 0xcbf29ce484222325ull);
    QCOMPARE(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  }

  // A first line that looks like sklearn's "n_samples,n_features,class..." header but with
  // numbers no count can be (found by fuzz_csv: 8.9e110 cast to size_t) is read as data.
  void sklearnHeaderWithHugeCountsIsNotOne() {
    const auto p = path("huge.csv");
    writeText(p, "8.88889e110,3,a,b\n1,2,3,4\n3,4,5,6\n5,6,7,8\n");
    const CsvFormat f = sniffCsv(p);
    QVERIFY(!f.sklearnHeader);
    writeText(p, "3,1e300,a,b\n1,2,3,4\n3,4,5,6\n5,6,7,8\n");
    QVERIFY(!sniffCsv(p).sklearnHeader);
  }

  void splitting() {
    QCOMPARE(splitCsvLine("a,\"b,c\",\"say \"\"hi\"\"\", d ", ','),
             (std::vector<std::string>{"a", "b,c", "say \"hi\"", "d"}));
    QCOMPARE(splitCsvLine("1,,3,", ','), (std::vector<std::string>{"1", "", "3", ""}));
    QCOMPARE(splitCsvLine("  59 2\t32.1   101.0 ", ' '),
             (std::vector<std::string>{"59", "2", "32.1", "101.0"}));
    // A quoted field spanning two lines, CRLF line ends and blank lines.
    const auto p = path("multi.csv");
    writeText(p, "x,note\r\n1,\"two\r\nlines\"\r\n\r\n2,plain\r\n");
    CsvReader r(p, ',');
    std::vector<std::string> f;
    QVERIFY(r.next(f));
    QCOMPARE(f, (std::vector<std::string>{"x", "note"}));
    QVERIFY(r.next(f));
    QCOMPARE(f, (std::vector<std::string>{"1", "two\nlines"}));
    QCOMPARE(r.line(), std::int64_t(2));
    QVERIFY(r.next(f));
    QCOMPARE(f, (std::vector<std::string>{"2", "plain"}));
    QCOMPARE(r.line(), std::int64_t(5));
    QVERIFY(!r.next(f));
  }

  void featureColumnsByHand() {
    const auto p = path("people.csv");
    writeText(p,
              "age;color;size;label\n"
              "30;red;S;yes\n"
              "?;blue;M;no\n"
              "50;green;S;yes\n"
              "40;red;L;no\n");
    const std::vector<std::string> na = {"", "?"};
    const CsvFormat fmt = sniffCsv(p, na);
    QCOMPARE(fmt.delimiter, ';');
    QVERIFY(fmt.header);
    QCOMPARE(fmt.columnNames, (std::vector<std::string>{"age", "color", "size", "label"}));
    QCOMPARE(fmt.numeric, (std::vector<bool>{true, false, false, false}));

    CsvSpec spec;
    spec.naValues = na;
    CsvColumnSpec age{"age"};
    age.defaultValue = 40.0;
    CsvColumnSpec color{"color", ColumnRole::Feature, ColumnType::Categorical};
    color.vocabulary = {"red", "blue"};
    color.numOovBuckets = 2;
    CsvColumnSpec size{"size", ColumnRole::Feature, ColumnType::Categorical};
    size.encoding = CategoricalEncoding::Index;  // learned vocabulary: L, M, S
    CsvColumnSpec label{"label", ColumnRole::Label, ColumnType::Categorical};
    spec.columns = {age, color, size, label};
    spec.crossed = {{{"color", "size"}, 5, CategoricalEncoding::Index}};
    const CsvImport imp = importCsv(p, spec);

    // Width: age 1 + color (2 + 2 oov) + size index 1 + crossed index 1 = 7.
    QCOMPARE(imp.featureWidth(), Index(7));
    QCOMPARE(imp.featureNames,
             (std::vector<std::string>{"age", "color=red", "color=blue", "color#oov0", "color#oov1",
                                       "size", "color_X_size"}));
    // age 30, 40 (the default for '?'), 50, 40: mean 40, population std sqrt(50).
    const float s = float(10.0 / std::sqrt(50.0));
    // green is out of vocabulary: slot 2 + fnv1a64("green") % 2 = 2 + 0.
    // crossed: fnv1a64("red_X_S") % 5 = 2, "blue_X_M" -> 4, "green_X_S" -> 0, "red_X_L" -> 2.
    const float expected[4][7] = {{-s, 1, 0, 0, 0, 2, 2},
                                  {0, 0, 1, 0, 0, 1, 4},
                                  {s, 0, 0, 1, 0, 2, 0},
                                  {0, 1, 0, 0, 0, 0, 2}};
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 7; ++c)
        QVERIFY2(std::abs(at(imp.x, r, c) - expected[r][c]) < 1e-6,
                 qPrintable(QString("row %1 col %2").arg(r).arg(c)));
    // Labels: learned sorted vocabulary {no, yes}.
    QCOMPARE(imp.labelVocabularies[0], (std::vector<std::string>{"no", "yes"}));
    QCOMPARE(imp.y.toTensor().toVector(), (std::vector<float>{1, 0, 1, 0}));
    QCOMPARE(imp.rowLines, (std::vector<std::int64_t>{2, 3, 4, 5}));
    QCOMPARE(imp.fitted[0].mean, 40.0);

    // One-hot crossed column: 5 buckets.
    spec.crossed[0].encoding = CategoricalEncoding::OneHot;
    const CsvImport oneHot = importCsv(p, spec);
    QCOMPARE(oneHot.featureWidth(), Index(11));
    QCOMPARE(at(oneHot.x, 1, 6 + 4), 1.0f);
    QCOMPARE(at(oneHot.x, 1, 6 + 2), 0.0f);

    // Without oov buckets, an unknown value is all zeros (one-hot) / -1 (index), as TF's
    // default_value.
    spec.columns[1].numOovBuckets = 0;
    spec.columns[1].encoding = CategoricalEncoding::Index;
    const CsvImport noOov = importCsv(p, spec);
    QCOMPARE(at(noOov.x, 2, 1), -1.0f);
    QCOMPARE(at(noOov.x, 1, 1), 1.0f);

    // The preview: first rows as text and encoded, and the feature width.
    const CsvPreview pv = previewCsv(p, spec, 2);
    QCOMPARE(pv.rows.size(), size_t(2));
    QCOMPARE(pv.rows[1], (std::vector<std::string>{"?", "blue", "M", "no"}));
    QCOMPARE(pv.featureWidth, noOov.featureWidth());
    QCOMPARE(pv.x.rows(), Index(2));
  }

  void standardisedOnTrainingSplitOnly() {
    const auto p = path("numbers.csv");
    std::string text = "v,t\n";
    for (int i = 0; i < 10; ++i) text += std::to_string(i * i) + "," + std::to_string(i % 2) + "\n";
    writeText(p, text);
    CsvSpec spec;
    spec.columns = {{"v"}, {"t", ColumnRole::Label}};
    spec.fractions = {0.6, 0.2, 0.2};
    spec.seed = 7;
    const CsvImport imp = importCsv(p, spec);
    QCOMPARE(imp.trainRows.size(), size_t(6));
    QCOMPARE(imp.validRows.size(), size_t(2));
    QCOMPARE(imp.testRows.size(), size_t(2));
    double sum = 0, sq = 0;
    for (Index r : imp.trainRows) sum += double(r * r);
    const double mean = sum / 6;
    for (Index r : imp.trainRows) sq += (double(r * r) - mean) * (double(r * r) - mean);
    const double sd = std::sqrt(sq / 6);
    QVERIFY(std::abs(imp.fitted[0].mean - mean) < 1e-12);
    QVERIFY(std::abs(imp.fitted[0].scale - sd) < 1e-12);
    for (Index r = 0; r < 10; ++r)
      QVERIFY(std::abs(at(imp.x, r, 0) - float((double(r * r) - mean) / sd)) < 1e-5);
    // Same seed, same split.
    QCOMPARE(importCsv(p, spec).trainRows, imp.trainRows);
  }

  void malformedRows() {
    const auto p = path("bad.csv");
    writeText(p,
              "a,b,label\n"
              "1,2,0\n"
              "3,4\n"
              "5,6,1\n"
              "seven,8,0\n"
              "9,10,1\n");
    CsvSpec spec;
    spec.columns = {{"a"}, {"b"}, {"label", ColumnRole::Label}};
    // Refused: the first bad row, with file and line, and nothing imported.
    const QString refused = errorOf([&] { importCsv(p, spec); });
    QVERIFY2(refused.contains(QString::fromStdString(p) + ":3: expected 3 fields"),
             qPrintable(refused));
    QVERIFY(refused.contains("nothing imported"));
    spec.badRows = BadRows::Skip;
    const CsvImport imp = importCsv(p, spec);
    QCOMPARE(imp.x.rows(), Index(3));
    QCOMPARE(imp.skippedRows, Index(2));
    QCOMPARE(imp.issues.size(), size_t(2));
    QCOMPARE(imp.issues[0].line, std::int64_t(3));
    QCOMPARE(imp.issues[1].line, std::int64_t(5));
    QVERIFY(QString::fromStdString(imp.issues[1].text())
                .contains(":5: 'seven' in numeric column 'a' is not a number"));
    QCOMPARE(imp.rowLines, (std::vector<std::int64_t>{2, 4, 6}));
    // A missing numeric value without a default is a bad row too.
    writeText(p, "a,label\n1,0\n,1\n");
    spec.columns = {{"a"}, {"label", ColumnRole::Label}};
    spec.badRows = BadRows::Refuse;
    QVERIFY(errorOf([&] { importCsv(p, spec); }).contains(":3: missing value"));
    // Unknown column names and missing files name what is wrong.
    spec.columns = {{"nope"}};
    QVERIFY(errorOf([&] { importCsv(p, spec); }).contains("no column named 'nope'"));
    QVERIFY(errorOf([&] {
              importCsv(path("missing.csv"), spec);
            }).contains("missing.csv: no such file"));
  }

  void specJsonRoundTrip() {
    CsvSpec spec;
    spec.naValues = {"?"};
    CsvColumnSpec c{"color", ColumnRole::Feature, ColumnType::Categorical};
    c.vocabulary = {"a", "b"};
    c.numOovBuckets = 3;
    c.encoding = CategoricalEncoding::Index;
    CsvColumnSpec n{"x"};
    n.defaultValue = 2.5;
    n.standardize = false;
    spec.columns = {c, n};
    spec.crossed = {{{"color", "x"}, 10, CategoricalEncoding::OneHot}};
    spec.badRows = BadRows::Skip;
    spec.fractions = {0.7, 0.2, 0.1};
    spec.seed = 42;
    const auto j = spec.toJson();
    QCOMPARE(CsvSpec::fromJson(j).toJson(), j);
    QVERIFY(errorOf([] { CsvSpec::fromJson({{"bad_rows", "maybe"}}); }).contains("bad_rows"));
  }

  void sklearnIris() {
    if (!sklearnAvailable()) QSKIP("python3-sklearn's bundled CSVs are not installed");
    const auto p = kSklearn + "iris.csv";
    const CsvFormat f = sniffCsv(p);
    QVERIFY(f.sklearnHeader);
    QCOMPARE(f.skipLines, 1);
    QVERIFY(!f.header);
    QCOMPARE(f.sklearnSamples, Index(150));
    QCOMPARE(f.sklearnFeatures, Index(4));
    QCOMPARE(f.classNames, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
    const CsvImport imp = importCsv(p, CsvSpec{});  // suggested: 4 numeric features + label
    QCOMPARE(imp.x.rows(), Index(150));
    QCOMPARE(imp.featureWidth(), Index(4));
    // sklearn StandardScaler().fit_transform(iris.data)[0] and [149].
    const double first[4] = {-0.9006811702978099, 1.0190043519716065, -1.3402265266227635,
                             -1.3154442950077407};
    const double last[4] = {0.06866179325140129, -0.1319794793216258, 0.7627582691805523,
                            0.7906706536370729};
    for (int c = 0; c < 4; ++c) {
      QVERIFY(std::abs(at(imp.x, 0, c) - first[c]) < 1e-5);
      QVERIFY(std::abs(at(imp.x, 149, c) - last[c]) < 1e-5);
    }
    QCOMPARE(at(imp.y, 0, 0), 0.0f);
    QCOMPARE(at(imp.y, 149, 0), 2.0f);
  }

  void sklearnWineBreastCancerDiabetes() {
    if (!sklearnAvailable()) QSKIP("python3-sklearn's bundled CSVs are not installed");
    // wine: first line "178,13,class_0,class_1,class_2" has 5 fields, the rows 14.
    const CsvImport wine = importCsv(kSklearn + "wine_data.csv", CsvSpec{});
    QVERIFY(wine.format.sklearnHeader);
    QCOMPARE(wine.x.rows(), Index(178));
    QCOMPARE(wine.featureWidth(), Index(13));
    QVERIFY(std::abs(at(wine.x, 0, 0) - 1.5186125409891542) < 1e-5);
    QVERIFY(std::abs(at(wine.x, 0, 12) - 1.013008926747691) < 1e-5);
    QCOMPARE(at(wine.y, 177, 0), 2.0f);
    // breast cancer: 569 rows of 30 features + the label (357 benign = 1).
    const CsvImport bc = importCsv(kSklearn + "breast_cancer.csv", CsvSpec{});
    QCOMPARE(bc.format.classNames, (std::vector<std::string>{"malignant", "benign"}));
    QCOMPARE(bc.x.rows(), Index(569));
    QCOMPARE(bc.featureWidth(), Index(30));
    double benign = 0;
    for (Index r = 0; r < 569; ++r) benign += at(bc.y, r, 0);
    QCOMPARE(benign, 357.0);
    QVERIFY(std::abs(at(bc.x, 0, 0) - 1.0970639814699807) < 1e-5);
    // diabetes: gzip, blank-separated, no header; the target is another file, so every column is
    // a feature here (the last one, S6, as the suggested label).
    const auto dp = kSklearn + "diabetes_data_raw.csv.gz";
    const CsvFormat df = sniffCsv(dp);
    QCOMPARE(df.delimiter, ' ');
    QVERIFY(!df.header && !df.sklearnHeader);
    QCOMPARE(df.columnNames.size(), size_t(10));
    const CsvImport db = importCsv(dp, CsvSpec{});
    QCOMPARE(db.x.rows(), Index(442));
    QCOMPARE(db.featureWidth(), Index(9));
    QVERIFY(std::abs(db.fitted[0].mean - 48.51809954751131) < 1e-9);
    QVERIFY(std::abs(db.fitted[0].scale - 13.09419020798002) < 1e-9);
    QVERIFY(std::abs(at(db.x, 0, 0) - 0.8005000909564214) < 1e-5);
    QCOMPARE(at(db.y, 0, 0), 87.0f);
  }
};

QTEST_APPLESS_MAIN(TestCsvImport)
#include "tst_engine_csvimport.moc"
