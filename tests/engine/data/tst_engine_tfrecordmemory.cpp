// Streaming TFRecord training keeps its memory bounded: about 180 MiB of shards (far more than
// any window or buffer of the pipeline) are written in a temporary folder, built and fitted for
// one epoch with a shuffle buffer and prefetch, and the growth of the process's peak RSS is
// checked against the bound the stream documents (TfRecordStream.h, BatchPrefetcher.h):
//
//   growth <= W*(S + 64)                   main window: W = max(1024, 2 B) decoded rows (+ the
//                                          vector and deque overhead of a row)
//           + 1024*(L + 64)                the label-only pass's window
//           + (P + 3)*B*S                  prefetch: P ready batches, the one being filled, the
//                                          one the trainer holds, the trainer's own tensors
//           + K*(R + 128) + 3 R            shuffle buffer of K serialized records (+ where they
//                                          come from), the record read, its parsed copy, a
//                                          decoded image
//           + F*171 KiB                    one reader per open shard (zlib's window + buffers)
//           + N*L                          the label check's column (4 bytes per label value)
//           + 20 MiB                       fixed: model, OpenMP and reader thread stacks and
//                                          arenas, allocator slack
// (S: bytes of one decoded sample, float32; L: label bytes per sample; R: largest record; B
// batch; P prefetch; F shards; N samples.) Two data sets: encoded 64x64 RGB noise PNGs decoded to
// 16x16 grey (records 12 KiB, samples 1 KiB), and raw 1,024-float rows without images (records
// and samples 4 KiB; here the label check once kept every decoded row of the stream: peak
// growth 2 N S, 240 MiB, which this test catches). Memory, never time, is asserted.
#include <QTemporaryDir>
#include <QtTest>

#include <malloc.h>
#include <stb_image_write.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/TfExample.h"
#include "engine/io/TfRecordWriter.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr int kShards = 6, kBatch = 32, kPrefetch = 4, kShuffle = 512;

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 when missing.
long statusKiB(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  return -1;
}

// The peak RSS of a stretch of code: VmHWM after resetting it (/proc/self/clear_refs "5"),
// and VmRSS sampled every millisecond in case the kernel refuses the reset.
class PeakRss {
 public:
  PeakRss() {
    malloc_trim(0);  // what earlier tests freed is not resident memory this one can reuse
    std::ofstream("/proc/self/clear_refs") << "5";
    start_ = statusKiB("VmRSS");
    hwmReset_ = statusKiB("VmHWM") <= start_ + 1024;
    sampled_ = start_;
    thread_ = std::thread([this] {
      while (!stop_) {
        const long r = statusKiB("VmRSS");
        if (r > sampled_) sampled_ = r;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  ~PeakRss() { finish(); }
  // Growth of the peak over the start, in bytes.
  double growth() {
    finish();
    const long peak = hwmReset_ ? std::max(statusKiB("VmHWM"), sampled_.load()) : sampled_.load();
    return double(peak - start_) * 1024.0;
  }
  bool exact() const { return hwmReset_; }

 private:
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long start_ = 0;
  bool hwmReset_ = false;
  std::atomic<long> sampled_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void appendPng(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
}

// Writes n records made by `make` to kShards shards (the first two GZIP, so that zlib readers are
// open too) in a child process, so that writing leaves nothing in this process's heap. Returns
// the largest record's size.
std::size_t writeShards(const std::string& dir, int n,
                        const std::function<std::string(int)>& make) {
  int pipeFd[2];
  if (pipe(pipeFd) != 0) qFatal("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipeFd[0]);
    std::size_t largest = 0;
    std::vector<std::unique_ptr<TfRecordWriter>> w;
    for (int s = 0; s < kShards; ++s)
      w.push_back(std::make_unique<TfRecordWriter>(
          dir + "/part-" + std::to_string(s) + ".tfrecord",
          s < 2 ? TfRecordCompression::Gzip : TfRecordCompression::None));
    for (int i = 0; i < n; ++i) {
      const std::string r = make(i);
      largest = std::max(largest, r.size());
      w[size_t(i % kShards)]->write(r);
    }
    for (auto& x : w) x->close();
    if (write(pipeFd[1], &largest, sizeof largest) != ssize_t(sizeof largest)) _exit(2);
    _exit(0);
  }
  close(pipeFd[1]);
  std::size_t largest = 0;
  const bool got = read(pipeFd[0], &largest, sizeof largest) == ssize_t(sizeof largest);
  close(pipeFd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) qFatal("writing the shards failed");
  return largest;
}

double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

// Builds the shards' data set, fits `spec` for one epoch, and checks the peak RSS growth.
void streamAndCheck(const std::string& dir, const nlohmann::json& features, const ModelSpec& spec,
                    Index n, double sampleBytes, double recordBytes) {
  std::uintmax_t onDisk = 0;
  for (int s = 0; s < kShards; ++s)
    onDisk += std::filesystem::file_size(dir + "/part-" + std::to_string(s) + ".tfrecord");
  DataSettings s;
  s.kind = "tfrecord";
  s.path = dir + "/part-*.tfrecord";
  s.fractions = {1, 0, 0};
  s.options = features;
  s.pipeline.shuffleBuffer = kShuffle;
  s.pipeline.prefetch = kPrefetch;
  Model model(spec, 1);
  CompileOptions c;
  c.losses = {"sparse_categorical_crossentropy"};
  c.optimizer = sgd(0.01);
  Trainer trainer(model, c);
  FitOptions o;
  o.epochs = 1, o.batchSize = kBatch, o.verbose = 0;

  PeakRss peak;
  History h;
  {
    const BuiltData built = buildDataset(s);
    QCOMPARE(built.train.size(), n);
    h = trainer.fit(built.train, o);
  }
  const double growth = peak.growth();
  QCOMPARE(h.epochs.size(), size_t(1));

  const double S = sampleBytes, L = 4, R = recordBytes, W = std::max(1024, 2 * kBatch);
  const double bound = W * (S + 64) + 1024 * (L + 64) + (kPrefetch + 3) * kBatch * S +
                       kShuffle * (R + 128) + 3 * R + kShards * 171 * 1024.0 + double(n) * L +
                       20 * 1024.0 * 1024.0;
  qInfo("%lld records, %.1f MiB of shards; peak RSS growth %.1f MiB (%s), bound %.1f MiB",
        static_cast<long long>(n), mib(double(onDisk)), mib(growth),
        peak.exact() ? "VmHWM" : "sampled VmRSS", mib(bound));
  QVERIFY2(double(onDisk) > 2 * bound, "the shards must be much larger than the bound");
  QVERIFY2(growth <= bound, qPrintable(QString("peak RSS grew by %1 MiB, the bound is %2 MiB")
                                           .arg(mib(growth))
                                           .arg(mib(bound))));
}

// Under AddressSanitizer the resident set holds shadow memory and the freed-memory quarantine:
// the bound is checked in the normal build only (the parse test runs in both).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

class TestTfRecordMemory : public QObject {
  Q_OBJECT
 private slots:
  // The label-only parse (TfExample::parse with `only`) gives the named features exactly as the
  // full parse does and nothing else; bytes that are not an Example fail as the full parse does.
  void parsingOnlyTheLabel() {
    TfExample e;
    e.features["image"] = TfFeatureValue::ofBytes({std::string(5000, 'x')});
    e.features["label"] = TfFeatureValue::ofInts({7});
    e.features["score"] = TfFeatureValue::ofFloats({0.5f, 1.5f});
    e.featureLists["steps"] = {TfFeatureValue::ofInts({1, 2}), TfFeatureValue::ofInts({3})};
    e.sequence = true;
    const std::string bytes = e.serialize();
    const TfExample full = TfExample::parse(bytes, "r");
    const TfExample only = TfExample::parse(bytes, "r", {"label", "steps", "absent"});
    QCOMPARE(only.features.size(), size_t(1));
    QCOMPARE(only.features.at("label").ints, full.features.at("label").ints);
    QCOMPARE(only.featureLists.size(), size_t(1));
    QCOMPARE(only.featureLists.at("steps").size(), size_t(2));
    QCOMPARE(only.featureLists.at("steps")[1].ints, std::vector<std::int64_t>{3});
    QVERIFY(only.sequence);
    const TfExample score = TfExample::parse(bytes, "r", {"score"});
    QCOMPARE(score.features.at("score").floats, (std::vector<float>{0.5f, 1.5f}));
    // Damaged bytes: a lying length inside the features, a truncated record.
    std::string lying = bytes;
    lying[1] = char(0xFF);
    for (const std::string& bad : {lying, bytes.substr(0, bytes.size() / 2)}) {
      QString fullError, onlyError;
      try {
        TfExample::parse(bad, "file: record 3");
      } catch (const Error& err) {
        fullError = err.what();
      }
      try {
        TfExample::parse(bad, "file: record 3", {"label"});
      } catch (const Error& err) {
        onlyError = err.what();
      }
      QVERIFY(fullError.contains("file: record 3: not a tf.train.Example"));
      QCOMPARE(onlyError, fullError);
    }
  }

  // 64x64 RGB noise PNGs (incompressible, ~12 KiB a record) decoded and resized to 16x16 grey.
  void encodedImagesStreamInBoundedMemory() {
    if (kSanitized) QSKIP("peak RSS is not meaningful under AddressSanitizer");
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    constexpr int kRecords = 7000;
    const std::size_t largest = writeShards(d, kRecords, [](int i) {
      static std::vector<std::string> pngs;
      if (pngs.empty()) {
        Rng rng(3);
        for (int k = 0; k < 64; ++k) {
          std::vector<unsigned char> px(64 * 64 * 3);
          for (auto& p : px) p = static_cast<unsigned char>(rng.below(256));
          std::string png;
          stbi_write_png_to_func(appendPng, &png, 64, 64, 3, px.data(), 64 * 3);
          pngs.push_back(std::move(png));
        }
      }
      TfExample e;
      e.features["image"] = TfFeatureValue::ofBytes({pngs[size_t(i % 64)]});
      e.features["label"] = TfFeatureValue::ofInts({i % 10});
      return e.serialize();
    });
    const nlohmann::json features = {
        {"features",
         {{{"name", "image"},
           {"type", "FixedLenFeature"},
           {"dtype", "string"},
           {"image", {{"height", 16}, {"width", 16}, {"channels", 1}}}},
          {{"name", "label"}, {"type", "FixedLenFeature"}, {"dtype", "int64"}}}},
        {"labels", {"label"}}};
    const ModelSpec spec =
        makeSpec({inputNode("image", {16, 16, 1}), node("f", "Flatten", {"image"}),
                  denseNode("out", 10, "f", "softmax")},
                 {"image"}, {"out"});
    streamAndCheck(d, features, spec, kRecords, (16 * 16 + 1) * 4.0, double(largest));
  }

  // Rows of 1,024 raw floats and no image: every feature is read by the main pass, and the label
  // check must not keep the decoded rows.
  void rawFloatRowsStreamInBoundedMemory() {
    if (kSanitized) QSKIP("peak RSS is not meaningful under AddressSanitizer");
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    constexpr int kRecords = 25000;
    const std::size_t largest = writeShards(d, kRecords, [](int i) {
      static Rng rng(5);  // random values: the GZIP shards do not shrink
      std::vector<float> x(1024);
      for (float& v : x) v = rng.uniform(-1, 1) + float(i % 10) * 0.01f;
      TfExample e;
      e.features["x"] = TfFeatureValue::ofFloats(std::move(x));
      e.features["label"] = TfFeatureValue::ofInts({i % 10});
      return e.serialize();
    });
    const nlohmann::json features = {
        {"features",
         {{{"name", "x"}, {"type", "FixedLenFeature"}, {"dtype", "float32"}, {"shape", {1024}}},
          {{"name", "label"}, {"type", "FixedLenFeature"}, {"dtype", "int64"}}}},
        {"labels", {"label"}}};
    const ModelSpec spec =
        makeSpec({inputNode("x", {1024}), denseNode("out", 10, "x", "softmax")}, {"x"}, {"out"});
    streamAndCheck(d, features, spec, kRecords, (1024 + 1) * 4.0, double(largest));
  }
};

QTEST_APPLESS_MAIN(TestTfRecordMemory)
#include "tst_engine_tfrecordmemory.moc"
