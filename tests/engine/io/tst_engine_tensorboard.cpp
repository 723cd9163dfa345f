// TensorBoard export: a project's run metrics written as event files are read back by a reader
// written here (TFRecord framing + the protobuf wire format, independent of the writer's
// generated code) that checks every length and data CRC, the file_version record, and every
// tag, step and value.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/core/Error.h"
#include "engine/io/Crc32c.h"
#include "engine/io/TensorBoardExport.h"
#include "engine/io/TensorBoardWriter.h"
#include "engine/store/Project.h"

using namespace tessel;
namespace fs = std::filesystem;

namespace {

struct Scalar {
  std::string tag;
  std::int64_t step = 0;
  float value = 0;
  double wallTime = 0;
};

struct EventFile {
  std::string fileVersion;
  std::vector<Scalar> scalars;
  int records = 0;
};

std::uint64_t varint(const std::string& b, size_t& p) {
  std::uint64_t v = 0;
  for (int shift = 0; p < b.size(); shift += 7) {
    auto c = static_cast<unsigned char>(b[p++]);
    v |= std::uint64_t(c & 0x7F) << shift;
    if (!(c & 0x80)) return v;
  }
  throw Error("truncated varint");
}

template <class T>
T fixed(const std::string& b, size_t& p) {
  if (p + sizeof(T) > b.size()) throw Error("truncated fixed field");
  T v;
  std::memcpy(&v, b.data() + p, sizeof(T));
  p += sizeof(T);
  return v;
}

// Calls f(field, wireType, payload-or-empty, varint-or-fixed64 bits, position) for each field.
void fields(const std::string& msg,
            const std::function<void(int, int, const std::string&, std::uint64_t)>& f) {
  size_t p = 0;
  while (p < msg.size()) {
    std::uint64_t key = varint(msg, p);
    int field = int(key >> 3), wire = int(key & 7);
    if (wire == 0) {
      f(field, wire, {}, varint(msg, p));
    } else if (wire == 1) {
      f(field, wire, {}, fixed<std::uint64_t>(msg, p));
    } else if (wire == 5) {
      f(field, wire, {}, fixed<std::uint32_t>(msg, p));
    } else if (wire == 2) {
      std::uint64_t n = varint(msg, p);
      if (p + n > msg.size()) throw Error("truncated length-delimited field");
      f(field, wire, msg.substr(p, n), 0);
      p += n;
    } else {
      throw Error("unexpected wire type " + std::to_string(wire));
    }
  }
}

EventFile readEvents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EventFile out;
  size_t p = 0;
  while (p < b.size()) {
    if (p + 12 > b.size()) throw Error("truncated record header");
    std::uint64_t len = fixed<std::uint64_t>(b, p);
    std::uint32_t lenCrc = fixed<std::uint32_t>(b, p);
    if (lenCrc != maskedCrc32c(b.data() + p - 12, 8)) throw Error("length CRC mismatch");
    if (p + len + 4 > b.size()) throw Error("truncated record data");
    std::string data = b.substr(p, len);
    p += len;
    std::uint32_t dataCrc = fixed<std::uint32_t>(b, p);
    if (dataCrc != maskedCrc32c(data.data(), data.size())) throw Error("data CRC mismatch");
    ++out.records;
    Scalar s;
    bool hasSummary = false;
    fields(data, [&](int field, int wire, const std::string& payload, std::uint64_t bits) {
      if (field == 1 && wire == 1) std::memcpy(&s.wallTime, &bits, 8);
      if (field == 2 && wire == 0) s.step = static_cast<std::int64_t>(bits);
      if (field == 3 && wire == 2) out.fileVersion = payload;
      if (field == 5 && wire == 2) {
        hasSummary = true;
        fields(payload, [&](int vf, int vw, const std::string& value, std::uint64_t) {
          if (vf != 1 || vw != 2) return;
          fields(value, [&](int f2, int w2, const std::string& text, std::uint64_t b2) {
            if (f2 == 1 && w2 == 2) s.tag = text;
            if (f2 == 2 && w2 == 5) {
              auto u = static_cast<std::uint32_t>(b2);
              std::memcpy(&s.value, &u, 4);
            }
          });
        });
      }
    });
    if (out.records == 1 && out.fileVersion.empty()) throw Error("first record is no file_version");
    if (hasSummary) out.scalars.push_back(s);
  }
  return out;
}

std::string eventFileIn(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      files.push_back(e.path().string());
  if (files.size() != 1) return {};
  return files[0];
}

}  // namespace

class TestTensorBoard : public QObject {
  Q_OBJECT

 private slots:
  void crc32cKnownValues() {
    // RFC 3720 / iSCSI check value, and 32 zero bytes (RFC 3720 B.4: 0x8A9136AA).
    QCOMPARE(crc32c("123456789", 9), 0xE3069283u);
    std::string zeros(32, '\0');
    QCOMPARE(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
    std::uint32_t c = crc32c("", 0);
    QCOMPARE(maskedCrc32c("", 0), ((c >> 15) | (c << 17)) + 0xa282ead8u);
  }

  void projectRunsReadBack() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string projectPath = tmp.filePath("p.tessel").toStdString();
    std::int64_t run1 = 0, run2 = 0;
    {
      Project p = Project::create(projectPath);
      auto model = p.addModel("m", json::object());
      RunRecord r;
      r.modelId = model;
      r.name = "first";
      r.startedAt = "2026-11-26T01:00:00Z";
      run1 = p.createRun(r);
      r.name = "second";
      run2 = p.createRun(r);
      for (int e = 0; e < 3; ++e)
        p.addEpochMetrics(run1, e,
                          {{"loss", 1.0 / (e + 1)},
                           {"accuracy", 0.5 + 0.1 * e},
                           {"val_loss", 1.5 / (e + 1)},
                           {"val_accuracy", 0.4 + 0.1 * e}});
      p.addBatchMetrics(run1, 0, 0, {{"loss", 2.0}});
      p.addBatchMetrics(run1, 0, 1, {{"loss", 1.75}});
      p.addEpochMetrics(run2, 0, {{"loss", 0.125}, {"mae", std::nan("")}});
    }
    Project p = Project::open(projectPath, true);
    fs::path dir = tmp.filePath("logs").toStdString();
    auto result = exportTensorBoard(p, dir.string());
    QCOMPARE(result.files.size(), size_t(3));  // run1 train + validation, run2 train
    QCOMPARE(result.scalars, 12 + 2 + 2);

    std::string train = eventFileIn(dir / ("run-" + std::to_string(run1)) / "train");
    std::string valid = eventFileIn(dir / ("run-" + std::to_string(run1)) / "validation");
    std::string train2 = eventFileIn(dir / ("run-" + std::to_string(run2)) / "train");
    QVERIFY(!train.empty() && !valid.empty() && !train2.empty());
    QVERIFY(!fs::exists(dir / ("run-" + std::to_string(run2)) / "validation"));

    EventFile t = readEvents(train);
    QCOMPARE(t.fileVersion, std::string("brain.Event:2"));
    std::map<std::pair<std::string, std::int64_t>, float> got;
    auto at = [&](const std::string& tag, std::int64_t step) { return got[{tag, step}]; };
    for (const auto& s : t.scalars) got[{s.tag, s.step}] = s.value;
    QCOMPARE(t.scalars.size(), size_t(8));
    for (int e = 0; e < 3; ++e) {
      QCOMPARE(at("epoch_loss", e), float(1.0 / (e + 1)));
      QCOMPARE(at("epoch_accuracy", e), float(0.5 + 0.1 * e));
    }
    QCOMPARE(at("batch_loss", 0), 2.0f);
    QCOMPARE(at("batch_loss", 1), 1.75f);
    for (const auto& s : t.scalars)
      if (s.tag.rfind("epoch_", 0) == 0)                  // start time + epoch + 1 seconds
        QCOMPARE(s.wallTime, 1795654800.0 + s.step + 1);  // 2026-11-26T01:00:00Z

    EventFile v = readEvents(valid);
    QCOMPARE(v.fileVersion, std::string("brain.Event:2"));
    QCOMPARE(v.scalars.size(), size_t(6));
    got.clear();
    for (const auto& s : v.scalars) got[{s.tag, s.step}] = s.value;
    for (int e = 0; e < 3; ++e) {
      QCOMPARE(at("epoch_loss", e), float(1.5 / (e + 1)));
      QCOMPARE(at("epoch_accuracy", e), float(0.4 + 0.1 * e));
    }
    EventFile t2 = readEvents(train2);
    QCOMPARE(t2.scalars.size(), size_t(2));
    for (const auto& s : t2.scalars) {
      if (s.tag == "epoch_mae")
        QVERIFY(std::isnan(s.value));
      else
        QCOMPARE(s.value, 0.125f);
    }

    // Only one run.
    fs::path one = tmp.filePath("one").toStdString();
    auto r2 = exportTensorBoard(p, one.string(), run2);
    QCOMPARE(r2.files.size(), size_t(1));
    QVERIFY(!fs::exists(one / ("run-" + std::to_string(run1))));
    QVERIFY_THROWS_EXCEPTION(Error, exportTensorBoard(p, one.string(), 999));
  }

  void readerCatchesCorruption() {
    QTemporaryDir tmp;
    std::string path;
    {
      TensorBoardWriter w(tmp.path().toStdString(), 1000.0);
      w.addScalar("epoch_loss", 0.5, 3, 1001.0);
      w.flush();
      path = w.path();
    }
    EventFile ok = readEvents(path);
    QCOMPARE(ok.records, 2);
    QCOMPARE(ok.scalars.at(0).value, 0.5f);
    QCOMPARE(ok.scalars.at(0).step, std::int64_t(3));
    QCOMPARE(ok.scalars.at(0).wallTime, 1001.0);
    // Flip one bit in the last record's data: its data CRC must no longer match.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-6, std::ios::end);
    char c;
    f.get(c);
    f.seekp(-6, std::ios::end);
    f.put(static_cast<char>(c ^ 0x10));
    f.close();
    bool caught = false;
    try {
      readEvents(path);
    } catch (const Error& e) {
      caught = std::string(e.what()).find("CRC") != std::string::npos;
    }
    QVERIFY(caught);
  }
};

QTEST_APPLESS_MAIN(TestTensorBoard)
#include "tst_engine_tensorboard.moc"
