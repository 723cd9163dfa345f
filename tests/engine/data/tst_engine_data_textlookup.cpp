// TextLookup (Keras's IndexLookup: StringLookup, IntegerLookup). TF.js 4.22 has no
// StringLookup / IntegerLookup / TextVectorization (tfjs-layers 4.22 dist/layers/preprocessing/
// holds only category_encoding, center_crop, image_resizing, random_height/width), so the
// expected values are the printed outputs of Keras's documented examples:
//   https://keras.io/api/layers/preprocessing_layers/categorical/string_lookup
//   https://keras.io/api/layers/preprocessing_layers/categorical/integer_lookup
//   (same examples in
//   https://tensorflow.org/versions/r2.13/api_docs/python/tf/keras/layers/StringLookup)
// plus hand-checked cases (adapt order, OOV, mask, tf_idf numbers worked out in the comments).
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "DataTestUtil.h"
#include "engine/data/TextLookup.h"

using namespace tessel;
using tessel::testutil::errorOf;
using tessel::testutil::writeText;

namespace {

using Docs = std::vector<std::vector<std::string>>;
using Ids = std::vector<std::int64_t>;

std::vector<float> encode(const TextLookup& l, const std::vector<std::string>& doc) {
  std::vector<float> row(size_t(l.depth()), 0.0f);
  l.encodeDocument(doc, row.data());
  return row;
}

LookupOptions integerOptions() {
  LookupOptions o;
  o.integerKeys = true;
  o.oovToken = "-1";
  return o;
}

}  // namespace

class TestTextLookup : public QObject {
  Q_OBJECT
 private slots:
  // StringLookup(vocabulary=["a","b","c","d"]) on [["a","c","d"],["d","z","b"]]
  //   -> [[1, 3, 4], [4, 0, 2]]   (Keras docs, "Creating a lookup layer with a known vocabulary")
  void stringKnownVocabulary() {
    TextLookup l;
    l.setVocabulary({"a", "b", "c", "d"});
    QCOMPARE(l.lookup({"a", "c", "d"}), (Ids{1, 3, 4}));
    QCOMPARE(l.lookup({"d", "z", "b"}), (Ids{4, 0, 2}));
    QCOMPARE(l.vocabulary(), (std::vector<std::string>{"[UNK]", "a", "b", "c", "d"}));
  }

  // StringLookup().adapt([["a","c","d"],["d","z","b"]]): get_vocabulary() ->
  // ['[UNK]', 'd', 'z', 'c', 'b', 'a'] and layer(data) -> [[5, 3, 1], [1, 2, 4]] (Keras docs,
  // "Creating a lookup layer with an adapted vocabulary"): count descending, ties token descending.
  void stringAdapt() {
    TextLookup l;
    l.adapt(Docs{{"a", "c", "d"}, {"d", "z", "b"}});
    QCOMPARE(l.vocabulary(), (std::vector<std::string>{"[UNK]", "d", "z", "c", "b", "a"}));
    QCOMPARE(l.lookup({"a", "c", "d"}), (Ids{5, 3, 1}));
    QCOMPARE(l.lookup({"d", "z", "b"}), (Ids{1, 2, 4}));
  }

  // One-hot: vocab a..d, data ["a","b","c","d","z"] -> identity rows, z -> OOV column 0.
  void stringOneHot() {
    LookupOptions o;
    o.outputMode = "one_hot";
    TextLookup l(o);
    l.setVocabulary({"a", "b", "c", "d"});
    QCOMPARE(encode(l, {"a"}), (std::vector<float>{0, 1, 0, 0, 0}));
    QCOMPARE(encode(l, {"d"}), (std::vector<float>{0, 0, 0, 0, 1}));
    QCOMPARE(encode(l, {"z"}), (std::vector<float>{1, 0, 0, 0, 0}));
  }

  // Multi-hot [["a","c","d","d"],["d","z","b","z"]] -> [[0,1,0,1,1],[1,0,1,0,1]];
  // count -> [[0,1,0,1,2],[2,0,1,0,1]] (Keras docs).
  void stringMultiHotAndCount() {
    LookupOptions o;
    o.outputMode = "multi_hot";
    TextLookup m(o);
    m.setVocabulary({"a", "b", "c", "d"});
    QCOMPARE(encode(m, {"a", "c", "d", "d"}), (std::vector<float>{0, 1, 0, 1, 1}));
    QCOMPARE(encode(m, {"d", "z", "b", "z"}), (std::vector<float>{1, 0, 1, 0, 1}));
    o.outputMode = "count";
    TextLookup c(o);
    c.setVocabulary({"a", "b", "c", "d"});
    QCOMPARE(encode(c, {"a", "c", "d", "d"}), (std::vector<float>{0, 1, 0, 1, 2}));
    QCOMPARE(encode(c, {"d", "z", "b", "z"}), (std::vector<float>{2, 0, 1, 0, 1}));
  }

  // TF-IDF with idf_weights [0.25, 0.75, 0.6, 0.4]: [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0,
  // 0.4]] (OOV weight = mean 0.5, "z" twice -> 1.0); with the special token given
  // (vocab ["[UNK]","a","b","c","d"], idf [0.9, ...]) the second row starts with 1.8.
  void stringTfIdf() {
    LookupOptions o;
    o.outputMode = "tf_idf";
    TextLookup l(o);
    l.setVocabulary({"a", "b", "c", "d"}, {0.25, 0.75, 0.6, 0.4});
    const auto r0 = encode(l, {"a", "c", "d", "d"}), r1 = encode(l, {"d", "z", "b", "z"});
    const std::vector<float> e0{0, 0.25f, 0, 0.6f, 0.8f}, e1{1.0f, 0, 0.75f, 0, 0.4f};
    for (size_t i = 0; i < 5; ++i) {
      QVERIFY(std::abs(r0[i] - e0[i]) < 1e-6f);
      QVERIFY(std::abs(r1[i] - e1[i]) < 1e-6f);
    }
    TextLookup s(o);
    s.setVocabulary({"[UNK]", "a", "b", "c", "d"}, {0.9, 0.25, 0.75, 0.6, 0.4});
    QVERIFY(std::abs(encode(s, {"d", "z", "b", "z"})[0] - 1.8f) < 1e-6f);
    QVERIFY(errorOf([] {
              LookupOptions t;
              t.outputMode = "tf_idf";
              TextLookup(t).setVocabulary({"a"});
            }).contains("idf_weights"));
  }

  // Inverse lookup: [[1,3,4],[4,0,2]] -> [["a","c","d"],["d","[UNK]","b"]] (Keras docs).
  void stringInvert() {
    LookupOptions o;
    o.invert = true;
    TextLookup l(o);
    l.setVocabulary({"a", "b", "c", "d"});
    QCOMPARE(l.token(1), std::string("a"));
    QCOMPARE(l.token(3), std::string("c"));
    QCOMPARE(l.token(0), std::string("[UNK]"));
    QCOMPARE(l.token(2), std::string("b"));
    QCOMPARE(l.token(17), std::string("[UNK]"));
    o.outputMode = "multi_hot";
    QVERIFY(errorOf([&] { TextLookup bad(o); }).contains("invert"));
  }

  // Mask token: int mode maps it to 0 and shifts OOV to 1; other modes drop it.
  void maskToken() {
    LookupOptions o;
    o.maskToken = "";
    TextLookup l(o);
    l.setVocabulary({"a", "b"});
    QCOMPARE(l.vocabulary(), (std::vector<std::string>{"", "[UNK]", "a", "b"}));
    QCOMPARE(l.lookup({"", "a", "q", "b"}), (Ids{0, 2, 1, 3}));
    o.outputMode = "multi_hot";
    TextLookup m(o);
    m.setVocabulary({"a", "b"});
    QCOMPARE(m.depth(), std::int64_t(3));
    QCOMPARE(encode(m, {"", "b"}), (std::vector<float>{0, 0, 1}));
    // The mask in the middle of a given vocabulary is refused.
    o.outputMode = "int";
    QVERIFY(errorOf([&] { TextLookup(o).setVocabulary({"a", "", "b"}); }).contains("mask"));
  }

  // IntegerLookup(vocabulary=[12, 36, 1138, 42]) on [[12,1138,42],[42,1000,36]] ->
  // [[1,3,4],[4,0,2]]; adapted: [-1, 42, 1138, 1000, 36, 12] and [[5,2,1],[1,3,4]] (ties sort
  // numerically, high to low); num_oov_indices=2 with the known vocabulary: [[2,4,5],[5,0,3]]
  // (floormod(1000, 2) = 0) (Keras docs, IntegerLookup).
  void integerLookup() {
    TextLookup l(integerOptions());
    l.setVocabulary({"12", "36", "1138", "42"});
    QCOMPARE(l.lookup({"12", "1138", "42"}), (Ids{1, 3, 4}));
    QCOMPARE(l.lookup({"42", "1000", "36"}), (Ids{4, 0, 2}));
    TextLookup a(integerOptions());
    a.adapt(Docs{{"12", "1138", "42"}, {"42", "1000", "36"}});
    QCOMPARE(a.vocabulary(), (std::vector<std::string>{"-1", "42", "1138", "1000", "36", "12"}));
    QCOMPARE(a.lookup({"12", "1138", "42"}), (Ids{5, 2, 1}));
    LookupOptions two = integerOptions();
    two.numOovIndices = 2;
    TextLookup t(two);
    t.setVocabulary({"12", "36", "1138", "42"});
    QCOMPARE(t.lookup({"12", "1138", "42"}), (Ids{2, 4, 5}));
    QCOMPARE(t.lookup({"42", "1000", "36"}), (Ids{5, 0, 3}));
    QCOMPARE(t.lookup({"7"}), (Ids{1}));  // floormod(7, 2) = 1
    QVERIFY(errorOf([] {
              TextLookup(integerOptions()).setVocabulary({"12", "x"});
            }).contains("not an integer"));
  }

  // Hand-checked adapt: counts {the:3, cat:2, sat:2, a:1, mat:1}; max_tokens 4 keeps [UNK] + the
  // 3 most frequent: "the", then the tie cat/sat broken high to low: "sat", "cat".
  void adaptOrderAndMaxTokens() {
    LookupOptions o;
    o.maxTokens = 4;
    TextLookup l(o);
    l.adapt(Docs{{"the", "cat", "sat"}, {"the", "mat"}, {"a", "cat", "sat", "the"}});
    QCOMPARE(l.vocabulary(), (std::vector<std::string>{"[UNK]", "the", "sat", "cat"}));
    QCOMPARE(l.lookup({"mat", "cat"}), (Ids{0, 3}));
  }

  // tf_idf from adapt: 3 documents; "the" in 3 docs: idf = ln(1 + 3/4) = 0.5596158;
  // "cat" in 2: ln(1 + 3/3) = 0.6931472; "sat" in 2: 0.6931472; "mat" in 1: ln(1 + 3/2) =
  // 0.9162907; "a" in 1: 0.9162907. OOV weight = their mean = 0.7556983.
  void tfIdfAdaptNumbers() {
    LookupOptions o;
    o.outputMode = "tf_idf";
    TextLookup l(o);
    l.adapt(Docs{{"the", "cat", "sat", "the"}, {"the", "mat"}, {"a", "cat", "sat", "the"}});
    QCOMPARE(l.vocabulary(), (std::vector<std::string>{"[UNK]", "the", "sat", "cat", "mat", "a"}));
    const auto& w = l.idfWeights();
    QCOMPARE(w.size(), size_t(6));
    QVERIFY(std::abs(w[1] - 0.5596158) < 1e-6);
    QVERIFY(std::abs(w[2] - 0.6931472) < 1e-6);
    QVERIFY(std::abs(w[4] - 0.9162907) < 1e-6);
    QVERIFY(std::abs(w[0] - 0.7556983) < 1e-6);
    const auto row = encode(l, {"the", "the", "zebra"});
    QVERIFY(std::abs(row[1] - 2 * 0.5596158f) < 1e-5f);
    QVERIFY(std::abs(row[0] - 0.7556983f) < 1e-5f);
  }

  void padToMaxTokens() {
    LookupOptions o;
    o.outputMode = "multi_hot";
    o.maxTokens = 6;
    o.padToMaxTokens = true;
    TextLookup l(o);
    l.setVocabulary({"a", "b"});
    QCOMPARE(l.depth(), std::int64_t(6));
    QCOMPARE(encode(l, {"b"}), (std::vector<float>{0, 0, 1, 0, 0, 0}));
  }

  void zeroOovIsAnError() {
    LookupOptions o;
    o.numOovIndices = 0;
    TextLookup l(o);
    l.setVocabulary({"a"});
    QCOMPARE(l.index("a"), std::int64_t(0));
    QVERIFY(errorOf([&] { l.index("b"); }).contains("num_oov_indices"));
  }

  void repeatedVocabulary() {
    QVERIFY(errorOf([] { TextLookup().setVocabulary({"a", "b", "a"}); }).contains("'a'"));
    LookupOptions o;
    o.maxTokens = 3;
    QVERIFY(errorOf([&] { TextLookup(o).setVocabulary({"a", "b", "c"}); }).contains("max_tokens"));
    QVERIFY(errorOf([] { TextLookup().index("a"); }).contains("no vocabulary"));
  }

  // Vocabulary files: one token per line; a repeated token names the file and the line.
  void vocabularyFile() {
    QTemporaryDir dir;
    const std::string good = dir.filePath("vocab.txt").toStdString();
    writeText(good, "the\r\ncat\nsat\n\n");
    QCOMPARE(readVocabularyFile(good), (std::vector<std::string>{"the", "cat", "sat"}));
    const std::string dup = dir.filePath("dup.txt").toStdString();
    writeText(dup, "the\ncat\nsat\ncat\n");
    const QString e = errorOf([&] { readVocabularyFile(dup); });
    QVERIFY2(e.contains(QString::fromStdString(dup) + ":4:") && e.contains("line 2"),
             qPrintable(e));
    const std::string bad = dir.filePath("bad.txt").toStdString();
    writeText(bad, "ok\ncaf\xe9\n");
    const QString u = errorOf([&] { readVocabularyFile(bad); });
    QVERIFY2(u.contains(QString::fromStdString(bad) + ":2:") && u.contains("UTF-8"), qPrintable(u));
    const std::string empty = dir.filePath("empty.txt").toStdString();
    writeText(empty, "\n\n");
    QVERIFY(errorOf([&] { readVocabularyFile(empty); }).contains("no token"));
    QVERIFY(errorOf([&] {
              readVocabularyFile(dir.filePath("none").toStdString());
            }).contains("cannot open"));
  }

  void utf8Validation() {
    QCOMPARE(invalidUtf8Offset("plain"), std::int64_t(-1));
    QCOMPARE(invalidUtf8Offset("caf\xc3\xa9"), std::int64_t(-1));
    QCOMPARE(invalidUtf8Offset("ab\xff"), std::int64_t(2));
    QCOMPARE(invalidUtf8Offset("a\xc3"), std::int64_t(1));         // truncated
    QCOMPARE(invalidUtf8Offset("\xc0\xaf"), std::int64_t(0));      // overlong '/'
    QCOMPARE(invalidUtf8Offset("\xed\xa0\x80"), std::int64_t(0));  // surrogate
  }
};

QTEST_APPLESS_MAIN(TestTextLookup)
#include "tst_engine_data_textlookup.moc"
