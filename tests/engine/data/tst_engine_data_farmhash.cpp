// engine/data/FarmHash: Fingerprint64 written by hand, checked against the npm package
// farmhash-modern (tests/fixtures/farmhash/make_fixture.js wrote fingerprint64.json: every length
// branch 0..200 bytes, 1000 bytes, UTF-8 text; rows where that oracle has its known bug, lengths
// over 64 that are multiples of 64, are checked against BigQuery's FARM_FINGERPRINT instead, see
// tests/fixtures/farmhash/README.md), and StringLookup's OOV buckets with
// num_oov_indices > 1 as Keras prints them (tf.strings.to_hash_bucket_fast = Fingerprint64 mod n).
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/data/FarmHash.h"
#include "engine/data/TextLookup.h"

using namespace tessel;

class TestFarmHash : public QObject {
  Q_OBJECT
 private slots:
  void matchesFarmhashModern() {
    std::ifstream in(TESSEL_FIXTURES_DIR "/farmhash/fingerprint64.json");
    QVERIFY(in);
    const nlohmann::json f = nlohmann::json::parse(in);
    const auto& rows = f["rows"];
    QVERIFY(rows.size() > 200);
    int checked = 0, skipped = 0;
    for (const auto& r : rows) {
      const std::string text = r["text"];
      if (r.value("oracle_bug", false)) {
        QVERIFY(text.size() > 64 && text.size() % 64 == 0);
        ++skipped;
        continue;
      }
      const std::uint64_t want = std::stoull(r["fingerprint64"].get<std::string>());
      QVERIFY2(farmFingerprint64(text) == want,
               qPrintable(QString("length %1: %2").arg(text.size()).arg(text.c_str())));
      ++checked;
    }
    qInfo("%d strings, lengths 0..1000 bytes, equal to farmhash-modern (%d left to BigQuery)",
          checked, skipped);
    QCOMPARE(skipped, 3);
    QCOMPARE(farmFingerprint64(""), std::uint64_t(0x9ae16a3b2f90404fULL));  // k2
  }

  // BigQuery: SELECT len, FARM_FINGERPRINT(REPEAT('a', len)) for len 126..130 (signed INT64), as
  // quoted in seiflotfy/rust-farmhash issue #18; 128 is where the Rust crate (and farmhash-modern)
  // differ.
  void matchesBigQueryAtMultiplesOf64() {
    const std::pair<int, std::int64_t> bq[] = {{126, 6261940804893177895LL},
                                               {127, 7531535164187061522LL},
                                               {128, -4747627967806356490LL},
                                               {129, -266561011801984384LL},
                                               {130, 7135893960687184995LL}};
    for (const auto& [n, want] : bq)
      QCOMPARE(std::int64_t(farmFingerprint64(std::string(size_t(n), 'a'))), want);
  }

  // StringLookup(vocabulary=["a", "b", "c", "d"], num_oov_indices=2) on
  // [["a", "c", "d"], ["m", "z", "b"]] -> [[2, 4, 5], [0, 1, 3]] (Keras docs, StringLookup,
  // "Lookups with multiple OOV indices").
  void stringLookupOovBucketsAsKeras() {
    LookupOptions o;
    o.numOovIndices = 2;
    TextLookup l(o);
    l.setVocabulary({"a", "b", "c", "d"});
    QCOMPARE(l.lookup({"a", "c", "d"}), (std::vector<std::int64_t>{2, 4, 5}));
    QCOMPARE(l.lookup({"m", "z", "b"}), (std::vector<std::int64_t>{0, 1, 3}));
    QCOMPARE(hashBucketFast("m", 2), std::int64_t(0));
    QCOMPARE(hashBucketFast("z", 2), std::int64_t(1));
    // With a mask token the OOV slots start at 1.
    o.maskToken = "";
    o.numOovIndices = 5;
    TextLookup m(o);
    m.setVocabulary({"a", "b"});
    for (const char* t : {"zebra", "über", "x"})
      QCOMPARE(m.index(t), 1 + std::int64_t(farmFingerprint64(t) % 5));
  }
};

QTEST_APPLESS_MAIN(TestFarmHash)
#include "tst_engine_data_farmhash.moc"
