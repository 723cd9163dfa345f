// TextVectorization on the host. TF.js 4.22 has no TextVectorization, so the expected values are
// the printed outputs of Keras's documented examples
//   https://keras.io/api/layers/preprocessing_layers/text/text_vectorization
//   (same in
//   https://tensorflow.org/versions/r2.13/api_docs/python/tf/keras/layers/TextVectorization)
// and hand-checked cases (standardize, split, ngrams order, truncation, tf_idf).
#include <QtTest>

#include <cmath>

#include "DataTestUtil.h"
#include "engine/data/TextVectorization.h"

using namespace tessel;
using tessel::testutil::errorOf;
using json = nlohmann::json;
using Strings = std::vector<std::string>;

class TestTextVectorization : public QObject {
  Q_OBJECT
 private slots:
  // Keras docs example 1: max_tokens=5000, output_sequence_length=4, adapt(["foo", "bar",
  // "baz"]); predict([["foo qux bar"], ["qux baz"]]) -> [[2, 1, 4, 0], [1, 3, 0, 0]].
  void kerasAdaptExample() {
    TextVectorization tv(json{{"max_tokens", 5000}, {"output_sequence_length", 4}});
    tv.adapt({"foo", "bar", "baz"});
    QCOMPARE(tv.vocabulary(), (Strings{"", "[UNK]", "foo", "baz", "bar"}));
    std::int64_t width = 0;
    const auto out = tv.vectorize({"foo qux bar", "qux baz"}, width);
    QCOMPARE(width, std::int64_t(4));
    QCOMPARE(out, (std::vector<float>{2, 1, 4, 0, 1, 3, 0, 0}));
  }

  // Keras docs example 2: vocabulary=["earth", "wind", "and", "fire"], output_sequence_length=4;
  // [["earth wind and fire"], ["fire and earth michigan"]] -> [[2, 3, 4, 5], [5, 4, 2, 1]].
  void kerasVocabularyExample() {
    TextVectorization tv(
        {{"output_sequence_length", 4}, {"vocabulary", Strings{"earth", "wind", "and", "fire"}}});
    QCOMPARE(tv.vocabulary(), (Strings{"", "[UNK]", "earth", "wind", "and", "fire"}));
    std::int64_t width = 0;
    const auto out = tv.vectorize({"earth wind and fire", "fire and earth michigan"}, width);
    QCOMPARE(out, (std::vector<float>{2, 3, 4, 5, 5, 4, 2, 1}));
  }

  // string.punctuation is removed, not replaced by a space; lower case covers accented capitals.
  void standardizeModes() {
    TextVectorization d;
    QCOMPARE(d.standardize("Hello, World! Don't (STOP)."), std::string("hello world dont stop"));
    QCOMPARE(d.standardize("\xc3\x89T\xc3\x89 \xd0\x9c\xd0\x98\xd0\xa0"),  // ÉTÉ МИР
             std::string("\xc3\xa9t\xc3\xa9 \xd0\xbc\xd0\xb8\xd1\x80"));   // été мир
    TextVectorization lower(json{{"standardize", "lower"}});
    QCOMPARE(lower.standardize("A.b"), std::string("a.b"));
    TextVectorization strip(json{{"standardize", "strip_punctuation"}});
    QCOMPARE(strip.standardize("A.b"), std::string("Ab"));
    TextVectorization none(json{{"standardize", nullptr}});
    QCOMPARE(none.standardize("A.b"), std::string("A.b"));
    QVERIFY(errorOf([] { TextVectorization(json{{"standardize", "upper"}}); }).contains("upper"));
  }

  void splitModes() {
    TextVectorization ws;
    QCOMPARE(ws.split("  a\tb\n\nc  "), (Strings{"a", "b", "c"}));
    TextVectorization ch(json{{"split", "character"}});
    QCOMPARE(ch.tokens("Ab \xc3\xa9"), (Strings{"a", "b", " ", "\xc3\xa9"}));
    TextVectorization none(json{{"split", nullptr}});
    QCOMPARE(none.tokens("New York"), (Strings{"new york"}));
  }

  // ngrams=2 on "a b c": unigrams, then bigrams; (2,) only bigrams; width > length gives none.
  void ngrams() {
    TextVectorization two(json{{"ngrams", 2}});
    QCOMPARE(two.tokens("a b c"), (Strings{"a", "b", "c", "a b", "b c"}));
    TextVectorization onlyTri(json{{"ngrams", json::array({3})}});
    QCOMPARE(onlyTri.tokens("a b c d"), (Strings{"a b c", "b c d"}));
    QCOMPARE(onlyTri.tokens("a b"), Strings{});
    QVERIFY(errorOf([] { TextVectorization(json{{"ngrams", 0}}); }).contains("ngrams"));
  }

  // A text longer than output_sequence_length keeps its FIRST tokens (as Keras); shorter ones are
  // padded with 0 at the end. Without output_sequence_length: padded to the longest text.
  void truncateAndPad() {
    TextVectorization tv(
        json{{"output_sequence_length", 3}, {"vocabulary", Strings{"a", "b", "c"}}});
    std::int64_t width = 0, truncated = 0;
    const auto out = tv.vectorize({"a b c a b", "c"}, width, &truncated);
    QCOMPARE(out, (std::vector<float>{2, 3, 4, 4, 0, 0}));
    QCOMPARE(truncated, std::int64_t(1));
    TextVectorization free(json{{"vocabulary", Strings{"a", "b"}}});
    const auto o2 = free.vectorize({"a", "b a z"}, width);
    QCOMPARE(width, std::int64_t(3));
    QCOMPARE(o2, (std::vector<float>{2, 0, 0, 3, 2, 1}));
  }

  // multi_hot / count: [UNK] is column 0, no mask column; pad_to_max_tokens widens the row.
  void multiHotAndCount() {
    TextVectorization mh(json{{"output_mode", "multi_hot"}, {"max_tokens", 4}});
    mh.adapt({"b b a", "c b"});  // counts b 3, a 1, c 1 -> [UNK], b, c, a (cut at 4)
    QCOMPARE(mh.vocabulary(), (Strings{"[UNK]", "b", "c", "a"}));
    std::int64_t width = 0;
    QCOMPARE(mh.vectorize({"a a zz"}, width), (std::vector<float>{1, 0, 0, 1}));
    TextVectorization cnt(json{{"output_mode", "count"},
                               {"max_tokens", 6},
                               {"pad_to_max_tokens", true},
                               {"vocabulary", Strings{"b", "c"}}});
    QCOMPARE(cnt.vectorize({"b b x c"}, width), (std::vector<float>{1, 2, 1, 0, 0, 0}));
    QCOMPARE(width, std::int64_t(6));
    QVERIFY(errorOf([] {
              TextVectorization(json{{"output_mode", "count"}, {"output_sequence_length", 2}});
            }).contains("output_sequence_length"));
  }

  // tf_idf after adapt on 2 docs: "x" in both: ln(1 + 2/3) = 0.5108256, "y" in one: ln(1 + 2/2) =
  // 0.6931472; OOV = mean 0.6019864. "x x q" -> [0.6019864, 1.0216512, 0].
  void tfIdf() {
    TextVectorization tv(json{{"output_mode", "tf_idf"}});
    tv.adapt({"x y", "x"});
    QCOMPARE(tv.vocabulary(), (Strings{"[UNK]", "x", "y"}));
    std::int64_t width = 0;
    const auto row = tv.vectorize({"x x q"}, width);
    QVERIFY(std::abs(row[0] - 0.6019864f) < 1e-5f);
    QVERIFY(std::abs(row[1] - 1.0216512f) < 1e-5f);
    QCOMPARE(row[2], 0.0f);
    // The config round-trips the vocabulary and idf weights.
    TextVectorization copy(tv.config());
    QCOMPARE(copy.vectorize({"x x q"}, width), row);
  }

  void configRoundTrip() {
    TextVectorization tv(json{{"max_tokens", 10}, {"ngrams", 2}, {"output_sequence_length", 5}});
    tv.adapt({"the cat sat", "the dog"});
    const json c = tv.config();
    QCOMPARE(c["vocabulary"].size(), size_t(9));  // "", [UNK], the + 6 tokens seen once
    QCOMPARE(c["vocabulary_size"].get<int>(), 9);
    QCOMPARE(c["ngrams"].get<int>(), 2);
    TextVectorization back(c);
    std::int64_t w1 = 0, w2 = 0;
    QCOMPARE(back.vectorize({"the cat ran"}, w1), tv.vectorize({"the cat ran"}, w2));
  }

  void invalidUtf8() {
    TextVectorization tv(json{{"vocabulary", Strings{"a"}}});
    std::int64_t width = 0;
    QVERIFY(errorOf([&] { tv.vectorize({"ok", "bad \xff"}, width); }).contains("text 2"));
    QVERIFY(errorOf([&] { TextVectorization().adapt({"\xc3"}); }).contains("UTF-8"));
    QVERIFY(errorOf([&] { TextVectorization().adapt({}); }).contains("no tokens"));
  }
};

QTEST_APPLESS_MAIN(TestTextVectorization)
#include "tst_engine_data_textvectorization.moc"
