// TFRecord framing: records written by TfRecordWriter (uncompressed, GZIP, ZLIB) read back by
// TfRecordReader with both CRCs of every record checked; corrupt, truncated and lying inputs
// refused with the file and record number; shard listing; and the cross-check with an independent
// Python writer/reader (tests/engine/data/tfrecord_python.py: framing by hand, the official
// tf.train.Example layout through python3-protobuf), skipped with a message without it.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/TfExample.h"
#include "engine/io/Crc32c.h"
#include "engine/io/TfRecordReader.h"
#include "engine/io/TfRecordWriter.h"

using namespace tessel;

namespace {

QString errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Records of varied sizes: empty, small, one over the reader's 64 KiB buffer, one over 1 MiB.
std::vector<std::string> sampleRecords() {
  Rng rng(7);
  std::vector<std::string> out;
  for (size_t size :
       {size_t(0), size_t(1), size_t(17), size_t(70000), size_t(1200000), size_t(5)}) {
    std::string r(size, '\0');
    for (char& c : r) c = static_cast<char>(rng.nextU32() & 0xff);
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> readRecords(const std::string& path,
                                     TfRecordCompression c = TfRecordCompression::Auto) {
  TfRecordReader r(path, c);
  std::vector<std::string> out;
  std::string rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}

// One uncompressed record with the given (possibly lying) length field and a valid length CRC.
std::string frameWithLength(std::uint64_t length, const std::string& data) {
  std::string f(12, '\0');
  for (int i = 0; i < 8; ++i) f[size_t(i)] = char(length >> (8 * i));
  const std::uint32_t crc = maskedCrc32c(f.data(), 8);
  for (int i = 0; i < 4; ++i) f[size_t(8 + i)] = char(crc >> (8 * i));
  return f + data;
}

QString pythonPath() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool pythonProtobuf() {
  QProcess p;
  p.start(pythonPath(), {"-c", "import google.protobuf"});
  return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QString script() {
  return QString(TESSEL_SOURCE_DIR) + "/tests/engine/data/tfrecord_python.py";
}

}  // namespace

class TestTfRecord : public QObject {
  Q_OBJECT
 private slots:
  void roundTripEveryCompression_data() {
    QTest::addColumn<QString>("compression");
    QTest::newRow("none") << "none";
    QTest::newRow("gzip") << "gzip";
    QTest::newRow("zlib") << "zlib";
  }
  void roundTripEveryCompression() {
    QFETCH(QString, compression);
    QTemporaryDir dir;
    const std::string path = dir.filePath("r.tfrecord").toStdString();
    const auto c = tfRecordCompression(compression.toStdString());
    const auto records = sampleRecords();
    {
      TfRecordWriter w(path, c);
      for (const auto& r : records) w.write(r);
      w.close();
      QCOMPARE(w.recordsWritten(), std::int64_t(records.size()));
    }
    // Explicit and detected compression read the same records, every CRC checked.
    QVERIFY(readRecords(path, c) == records);
    TfRecordReader detect(path);
    QCOMPARE(int(detect.compression()), int(c));
    QVERIFY(readRecords(path) == records);
    if (c != TfRecordCompression::None) {
      // Compressed: the file is not a plain TFRecord.
      QVERIFY(!errorOf([&] { readRecords(path, TfRecordCompression::None); }).isEmpty());
    }
  }

  void uncompressedLayoutIsTheTfRecordFraming() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("a.tfrecord").toStdString();
    {
      TfRecordWriter w(path);
      w.write(std::string("hello"));
    }
    const std::string b = readAll(path);
    QCOMPARE(b.size(), size_t(8 + 4 + 5 + 4));
    QCOMPARE(std::uint8_t(b[0]), std::uint8_t(5));
    for (int i = 1; i < 8; ++i) QCOMPARE(b[size_t(i)], '\0');
    std::uint32_t lc = 0, dc = 0;
    std::memcpy(&lc, b.data() + 8, 4);
    std::memcpy(&dc, b.data() + 17, 4);
    QCOMPARE(lc, maskedCrc32c(b.data(), 8));
    QCOMPARE(dc, maskedCrc32c("hello", 5));
    QCOMPARE(crc32c("123456789", 9), 0xE3069283u);
  }

  // The hardware CRC32C path (8 bytes at a time, then the tail) against the bitwise definition,
  // for every length 0..300 and every start alignment, whole and continued in two parts.
  void crc32cMatchesTheBitwiseDefinition() {
    auto bitwise = [](const unsigned char* p, size_t n, std::uint32_t crc) {
      crc = ~crc;
      for (size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
      }
      return ~crc;
    };
    std::vector<unsigned char> bytes(320);
    std::uint32_t state = 12345;
    for (auto& b : bytes)
      b = static_cast<unsigned char>((state = state * 1664525u + 1013904223u) >> 24);
    for (size_t start = 0; start < 8; ++start)
      for (size_t n = 0; n + start <= 308; n += 7) {
        const unsigned char* p = bytes.data() + start;
        const std::uint32_t want = bitwise(p, n, 0);
        QCOMPARE(crc32c(p, n), want);
        const size_t half = n / 3;
        QCOMPARE(crc32c(p + half, n - half, crc32c(p, half)), want);
      }
  }

  void corruptDataCrcNamesFileAndRecord() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("c.tfrecord").toStdString();
    {
      TfRecordWriter w(path);
      for (int i = 0; i < 5; ++i) w.write(std::string(10, char('a' + i)));
    }
    std::string b = readAll(path);
    b[size_t(3 * 26 + 12 + 4)] ^= 0x01;  // a data byte of record 3 (26 bytes per record)
    writeAll(path, b);
    const QString e = errorOf([&] { readRecords(path); });
    QVERIFY2(e.contains(QString::fromStdString(path)) && e.contains("record 3") &&
                 e.contains("data CRC"),
             qPrintable(e));
  }

  void corruptLengthCrcIsRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("l.tfrecord").toStdString();
    {
      TfRecordWriter w(path);
      w.write(std::string("abc"));
      w.write(std::string("defg"));
    }
    std::string b = readAll(path);
    b[size_t(19)] ^= 0x40;  // length byte of record 1 (record 0 is 19 bytes)
    writeAll(path, b);
    const QString e = errorOf([&] { readRecords(path, TfRecordCompression::None); });
    QVERIFY2(e.contains("record 1") && e.contains("length CRC"), qPrintable(e));
  }

  void lyingLengthIsRefusedWithoutAllocating() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("big.tfrecord").toStdString();
    // 2^63 with a VALID length CRC: only the per-record limit stops it.
    writeAll(path, frameWithLength(std::uint64_t(1) << 63, "xyz"));
    QString e = errorOf([&] { readRecords(path, TfRecordCompression::None); });
    QVERIFY2(e.contains("record 0") && e.contains("9223372036854775808") &&
                 e.contains("kMaxRecordBytes"),
             qPrintable(e));
    // Under the limit but far beyond the file: refused as truncated after the bytes present.
    writeAll(path, frameWithLength(200u << 20, std::string(100, 'q')));
    e = errorOf([&] { readRecords(path, TfRecordCompression::None); });
    QVERIFY2(e.contains("truncated") && e.contains("209715200") && e.contains("after 100"),
             qPrintable(e));
    // A lower limit applies as given.
    writeAll(path, frameWithLength(3, "abc"));
    e = errorOf([&] {
      TfRecordReader r(path, TfRecordCompression::None, 2);
      std::string rec;
      r.next(rec);
    });
    QVERIFY2(e.contains("over the limit of 2 bytes"), qPrintable(e));
  }

  void truncatedFilesAreRefused_data() {
    QTest::addColumn<QString>("compression");
    QTest::newRow("none") << "none";
    QTest::newRow("gzip") << "gzip";
  }
  void truncatedFilesAreRefused() {
    QFETCH(QString, compression);
    QTemporaryDir dir;
    const std::string path = dir.filePath("t.tfrecord").toStdString();
    const auto c = tfRecordCompression(compression.toStdString());
    {
      TfRecordWriter w(path, c);
      for (int i = 0; i < 50; ++i) w.write(std::string(1000, char(i)));
    }
    const std::string b = readAll(path);
    // (A cut at a record boundary is a valid, shorter file: the cuts fall inside records.)
    for (size_t cut : {size_t(5), b.size() / 2 + 7, b.size() - 3}) {
      writeAll(path, b.substr(0, cut));
      const QString e = errorOf([&] { readRecords(path, c); });
      QVERIFY2(e.contains(QString::fromStdString(path)) && e.contains("record "),
               qPrintable(QString::number(cut) + ": " + e));
    }
  }

  void shardsAreListedByFolderAndGlob() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    for (const char* n : {"b-00001-of-00002.tfrecord", "b-00000-of-00002.tfrecord", "notes.txt"})
      TfRecordWriter(d + "/" + n).close();
    const auto byFolder = listTfRecordFiles(d);
    QCOMPARE(byFolder.size(), size_t(2));
    QVERIFY(byFolder[0] < byFolder[1]);
    QCOMPARE(listTfRecordFiles(d + "/b-*").size(), size_t(2));
    QCOMPARE(listTfRecordFiles(d + "/b-00001-of-00002.tfrecord").size(), size_t(1));
    QVERIFY(errorOf([&] { listTfRecordFiles(d + "/none-*"); }).contains("no TFRecord files"));
    QVERIFY(errorOf([] { tfRecordCompression("lzma"); }).contains("gzip"));
  }

  void pythonWrittenFilesAreRead() {
    if (!pythonProtobuf()) QSKIP("python3-protobuf not found (apt-get install python3-protobuf)");
    QTemporaryDir dir;
    QProcess p;
    p.start(pythonPath(), {script(), "write", dir.path()});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const std::string d = dir.path().toStdString();
    std::vector<std::vector<std::string>> all;
    for (const char* f : {"/plain.tfrecord", "/gzip.tfrecord.gz", "/zlib.tfrecord.zz"})
      all.push_back(readRecords(d + f));
    QCOMPARE(all[0].size(), size_t(5));
    QVERIFY(all[1] == all[0] && all[2] == all[0]);
    for (size_t i = 0; i < all[0].size(); ++i) {
      const TfExample e = TfExample::parse(all[0][i], "py");
      QCOMPARE(e.features.at("age").ints, std::vector<std::int64_t>{std::int64_t(40 + i)});
      QCOMPARE(e.features.at("hours").floats, (std::vector<float>{15.5f + float(i), 9.5f, 7, 8}));
      QCOMPARE(e.features.at("favorite_books").bytes,
               (std::vector<std::string>{"machine learning", "cc150"}));
      QCOMPARE(e.features.at("label").ints, std::vector<std::int64_t>{std::int64_t(i % 3)});
      QVERIFY(!e.sequence);
    }
    const auto seq = readRecords(d + "/sequence.tfrecord");
    QCOMPARE(seq.size(), size_t(2));
    const TfExample s = TfExample::parse(seq[1], "py");
    QVERIFY(s.sequence);
    QCOMPARE(s.featureLists.at("frames").size(), size_t(3));
    QCOMPARE(s.featureLists.at("frames")[2].floats, (std::vector<float>{2, 12}));
  }

  void tesselWrittenFilesParseInPython_data() {
    QTest::addColumn<QString>("compression");
    QTest::newRow("none") << "none";
    QTest::newRow("gzip") << "gzip";
    QTest::newRow("zlib") << "zlib";
  }
  void tesselWrittenFilesParseInPython() {
    QFETCH(QString, compression);
    if (!pythonProtobuf()) QSKIP("python3-protobuf not found (apt-get install python3-protobuf)");
    QTemporaryDir dir;
    const std::string path = dir.filePath("t.tfrecord").toStdString();
    {
      TfRecordWriter w(path, tfRecordCompression(compression.toStdString()));
      for (int i = 0; i < 3; ++i) {
        TfExample e;
        e.features["hours"] = TfFeatureValue::ofFloats({1.5f * float(i), -2.25f});
        e.features["age"] = TfFeatureValue::ofInts({-7, std::int64_t(1) << 40, i});
        e.features["name"] = TfFeatureValue::ofBytes({std::string("tessel\0x", 8)});
        w.write(e.serialize());
      }
    }
    QProcess p;
    p.start(pythonPath(), {script(), "read", QString::fromStdString(path), compression});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[2].constData(),
             "{\"age\": {\"int64\": [-7, 1099511627776, 2]}, \"hours\": {\"float\": [3.0, "
             "-2.25]}, \"name\": {\"bytes\": [8], \"head\": [\"74657373656c0078\"]}}");
  }
};

QTEST_APPLESS_MAIN(TestTfRecord)
#include "tst_engine_tfrecord.moc"
