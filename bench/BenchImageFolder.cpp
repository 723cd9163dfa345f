// `tessel-bench imagefolder`: proof that an image folder trains lazily within a bounded cache
// (engine/data/ImageFolder.h, RowSource.h): 100,000 images must not need 100,000 images of RAM.
//   1. A class-per-subfolder folder of --images PNG files (28x28 grayscale, stb_image_write) is
//      generated from Debian's Fashion-MNIST (the 60,000 training then the 10,000 test images,
//      cycled with a small deterministic shift when more than 70,000 are asked for, so files
//      differ), one folder per class named after the keras.io class names ('/' -> '_'). A marker
//      file (.tessel-bench-imagefolder) lets the next run reuse the folder. The generation runs in
//      a child process so that loading Fashion-MNIST does not count in this process's peak RSS.
//   2. The data set is built by buildDataset, as the studio does: kind image_folder, grayscale,
//      --size x --size, rescale 1/255, fractions 0.9 / 0.1 / 0, cache_mb --cache-mb.
//   3. A small CNN (Conv2D 16 3x3 relu -> MaxPooling2D -> Flatten -> Dense 10 softmax; Adam,
//      sparse_categorical_crossentropy, accuracy; batch 32) is fitted for --epochs with the
//      validation split, printing per epoch the training samples/s and the validation accuracy.
//   4. Memory: peak_rss_mib (getrusage), the RSS before the data set was built (baseline),
//      all_in_memory_mib = N * size * size bytes (every image gathered as uint8) and
//      rss_ratio = peak_rss / (baseline + all_in_memory); the cache's bound, peak, hits, misses.
// --eager gathers x (train and validation) into in-memory uint8 Arrays first (the folder read
// with cache_mb 0, the lazy arrays dropped), for a side-by-side of lazy and eager runs.
//
// Options: --images N (100000), --size S (28), --cache-mb M (64), --epochs N (1), --dir DIR
// (/tmp/tessel-bench-imagefolder-N), --eager, --batch-size N (32), --threads N, e.g.
//   tessel-bench imagefolder --images 100000 --size 64 --cache-mb 64
// The last line is `samples_per_s=N` (training loop only, as the other benchmarks).
#include <stb_image_write.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/CliSupport.h"
#include "app/cli/Args.h"
#include "bench/BenchImageFolder.h"
#include "bench/BenchRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/RowSource.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kMarker = ".tessel-bench-imagefolder";
constexpr const char* kMarkerTag = "tessel-bench-imagefolder";
constexpr int kSide = 28;  // Fashion-MNIST images are 28x28

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// ---- options -------------------------------------------------------------------------------

struct FolderBenchOptions {
  long long images = 100000;
  int size = 28;
  double cacheMb = 64;
  int epochs = 1;
  int batchSize = 32;
  std::string dir;  // "" = /tmp/tessel-bench-imagefolder-<images>
  bool eager = false;
};

// --images, --size, --cache-mb, --dir, --eager, --batch-size (this benchmark's options, parsed
// with the common ones by tessel-bench) and --epochs.
FolderBenchOptions parseOptions(const BenchOptions& o) {
  FolderBenchOptions f;
  f.epochs = o.epochs;
  if (o.args) {
    const app::Args& args = *o.args;
    f.images = args.intValue("--images", f.images, 10, 100000000);
    f.size = static_cast<int>(args.intValue("--size", f.size, 4, 1024));
    f.cacheMb = args.doubleValue("--cache-mb", f.cacheMb, 0, 1 << 20);
    f.batchSize = static_cast<int>(args.intValue("--batch-size", f.batchSize, 1, 1 << 20));
    f.eager = args.has("--eager");
    f.dir = args.value("--dir");
    if (args.has("--dir") && f.dir.empty())
      throw app::UsageError("imagefolder: --dir needs a folder");
  }
  if (f.dir.empty()) f.dir = "/tmp/tessel-bench-imagefolder-" + std::to_string(f.images);
  return f;
}

// ---- memory --------------------------------------------------------------------------------

// Current resident set size in MiB (/proc/self/statm); -1 when unknown.
double currentRssMiB() {
  std::ifstream in("/proc/self/statm");
  long long pages = 0, resident = 0;
  if (!(in >> pages >> resident)) return -1;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

// ---- the image folder ----------------------------------------------------------------------

// keras.io class names as folder names ("T-shirt/top" -> "T-shirt_top").
std::vector<std::string> classFolderNames() {
  std::vector<std::string> out;
  for (const char* c : kFashionMnistClassNames) {
    std::string s = c;
    std::replace(s.begin(), s.end(), '/', '_');
    out.push_back(s);
  }
  return out;
}

std::string markerDone(long long images) {
  return std::string(kMarkerTag) + " images=" + std::to_string(images) + " side=28 format=png\n";
}

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(p.string() + ": cannot write (" + std::strerror(errno) + ")");
}

struct FolderFacts {
  long long files = 0;
  std::uintmax_t bytes = 0;      // file sizes (apparent)
  std::uintmax_t diskBytes = 0;  // allocated blocks (what `du` shows)
};

FolderFacts scanFolder(const fs::path& dir) {
  FolderFacts f;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".png") continue;
    ++f.files;
    f.bytes += it->file_size(ec);
    struct stat st {};
    if (::stat(it->path().c_str(), &st) == 0) f.diskBytes += std::uintmax_t(st.st_blocks) * 512;
  }
  return f;
}

// Image k of the generated folder: Fashion-MNIST image k % 70000 (training file then test file),
// shifted by cycle k / 70000 (cycle 0 unshifted; then the 8 neighbours, at distance 1, 2, ...),
// zero filled (the background).
void shiftedImage(const std::uint8_t* src, long long cycle, std::uint8_t* dst) {
  static const int kDy[8] = {0, 1, 0, -1, 1, -1, 1, -1};
  static const int kDx[8] = {1, 0, -1, 0, 1, -1, -1, 1};
  int dy = 0, dx = 0;
  if (cycle > 0) {
    const int dist = 1 + static_cast<int>((cycle - 1) / 8);
    dy = kDy[(cycle - 1) % 8] * dist;
    dx = kDx[(cycle - 1) % 8] * dist;
  }
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      const int sy = y - dy, sx = x - dx;
      dst[y * kSide + x] =
          (sy >= 0 && sy < kSide && sx >= 0 && sx < kSide) ? src[sy * kSide + sx] : 0;
    }
}

// Writes the folder (in the calling process). Throws Error naming the file that failed.
void writeFolder(const fs::path& dir, long long images, int threads,
                 const std::string& fashionDir = kFashionMnistDir) {
  FashionMnist f = loadFashionMnist(fashionDir);
  // The full training file (first 5000 = xValid, then xTrain), then the test file.
  const Array* parts[3][2] = {{&f.xValid, &f.yValid}, {&f.xTrain, &f.yTrain}, {&f.xTest, &f.yTest}};
  std::vector<const std::uint8_t*> pixels;
  std::vector<int> labels;
  for (auto& p : parts) {
    const std::uint8_t* x = p[0]->dataAs<std::uint8_t>();
    const std::uint8_t* y = p[1]->dataAs<std::uint8_t>();
    for (Index i = 0; i < p[0]->rows(); ++i) {
      pixels.push_back(x + i * kSide * kSide);
      labels.push_back(y[i]);
    }
  }
  const long long sourceCount = static_cast<long long>(pixels.size());
  const std::vector<std::string> classes = classFolderNames();
  for (const auto& c : classes) fs::create_directories(dir / c);
  const int digits = std::max<int>(6, static_cast<int>(std::to_string(images - 1).size()));

  std::atomic<long long> next{0};
  std::mutex errorMutex;
  std::string error;
  auto work = [&] {
    std::vector<std::uint8_t> buf(kSide * kSide);
    char name[64];
    for (long long k = next.fetch_add(1); k < images; k = next.fetch_add(1)) {
      {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error.empty()) return;
      }
      const long long src = k % sourceCount;
      shiftedImage(pixels[size_t(src)], k / sourceCount, buf.data());
      std::snprintf(name, sizeof name, "%0*lld.png", digits, k);
      const fs::path p = dir / classes[size_t(labels[size_t(src)])] / name;
      if (!stbi_write_png(p.c_str(), kSide, kSide, 1, buf.data(), kSide)) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (error.empty()) error = p.string() + ": cannot write (" + std::strerror(errno) + ")";
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (!error.empty()) throw Error(error);
}

// Runs writeFolder in a child process (its memory -- Fashion-MNIST, encoders -- is not this
// process's peak RSS); an error in the child comes back as an Error with its message.
void writeFolderInChild(const fs::path& dir, long long images, int threads,
                        const std::string& fashionDir) {
  int fds[2];
  if (pipe(fds) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    int rc = 0;
    std::string message;
    try {
      writeFolder(dir, images, threads, fashionDir);
    } catch (const std::exception& e) {
      message = e.what(), rc = 1;
    } catch (...) {
      message = "unexpected failure", rc = 1;
    }
    if (!message.empty()) {
      ssize_t w = write(fds[1], message.data(), message.size());
      (void)w;
    }
    close(fds[1]);
    _exit(rc);
  }
  close(fds[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) message.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    throw Error("generating " + dir.string() + ": the writer process was killed by signal " +
                std::to_string(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(message.empty() ? "generating " + dir.string() + " failed" : message);
}

// Makes sure dir holds the generated folder of `images` images; returns its facts. Prints whether
// it was generated (and how long that took) or reused.
FolderFacts ensureFolder(const std::string& dirText, long long images, int threads,
                         const std::string& fashionDir = kFashionMnistDir) {
  const fs::path dir = dirText;
  const fs::path marker = dir / kMarker;
  const std::vector<std::string> classes = classFolderNames();
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw Error("bench imagefolder: --dir " + dirText + ": exists and is not a folder");
  if (fs::is_directory(dir, ec)) {
    const bool ours = fs::is_regular_file(marker, ec) && readText(marker).rfind(kMarkerTag, 0) == 0;
    if (!ours && !fs::is_empty(dir, ec))
      throw Error("bench imagefolder: --dir " + dirText +
                  ": not empty and not a folder made by this benchmark (no " + kMarker +
                  "); give a new or empty folder");
    if (ours) {
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (n != kMarker && std::find(classes.begin(), classes.end(), n) == classes.end())
          throw Error("bench imagefolder: --dir " + dirText + ": holds '" + n +
                      "', which this benchmark did not write; give a new or empty folder");
      }
      if (readText(marker) == markerDone(images)) {
        const auto t0 = Clock::now();
        FolderFacts facts = scanFolder(dir);
        if (facts.files == images) {
          std::printf("folder: reused %s (%lld PNG files, scanned in %.1f s)\n", dirText.c_str(),
                      facts.files, seconds(t0));
          return facts;
        }
        std::printf("folder: %s holds %lld images instead of %lld; writing it again\n",
                    dirText.c_str(), facts.files, images);
      }
      // Ours but for another count, or incomplete: remove what we wrote, and only that.
      for (const auto& c : classes) fs::remove_all(dir / c, ec);
      fs::remove(marker, ec);
    }
  }
  fs::create_directories(dir, ec);
  if (ec)
    throw Error("bench imagefolder: --dir " + dirText + ": cannot create the folder (" +
                ec.message() + ")");
  {
    std::ofstream probe(marker, std::ios::binary | std::ios::trunc);
    probe << kMarkerTag << " incomplete\n";
    probe.close();
    if (!probe)
      throw Error("bench imagefolder: --dir " + dirText + ": cannot write into the folder (" +
                  std::strerror(errno) + ")");
  }
  if (!fashionMnistAvailable(fashionDir))
    throw Error("Fashion-MNIST not found in " + fashionDir +
                " (install the Debian package dataset-fashion-mnist)");
  std::printf("folder: writing %lld PNG images into %s (%d thread(s)) ...\n", images,
              dirText.c_str(), threads);
  std::fflush(stdout);
  const auto t0 = Clock::now();
  writeFolderInChild(dir, images, threads, fashionDir);
  const double genSeconds = seconds(t0);
  writeText(marker, markerDone(images));
  FolderFacts facts = scanFolder(dir);
  if (facts.files != images)
    throw Error(dirText + ": wrote " + std::to_string(facts.files) + " images, expected " +
                std::to_string(images));
  std::printf("generate_s=%.1f (%.0f images/s)\n", genSeconds, double(images) / genSeconds);
  return facts;
}

// ---- the model and the run -----------------------------------------------------------------

std::string cnnJson(int size) {
  using json = nlohmann::json;
  json layers = json::array();
  layers.push_back({{"class_name", "Conv2D"},
                    {"config",
                     {{"name", "conv2d"},
                      {"batch_input_shape", {nullptr, size, size, 1}},
                      {"filters", 16},
                      {"kernel_size", {3, 3}},
                      {"activation", "relu"}}}});
  layers.push_back({{"class_name", "MaxPooling2D"},
                    {"config", {{"name", "max_pooling2d"}, {"pool_size", {2, 2}}}}});
  layers.push_back({{"class_name", "Flatten"}, {"config", {{"name", "flatten"}}}});
  layers.push_back({{"class_name", "Dense"},
                    {"config", {{"name", "dense"}, {"units", 10}, {"activation", "softmax"}}}});
  json model = {{"class_name", "Sequential"},
                {"config", {{"name", "imagefolder_cnn"}, {"layers", layers}}}};
  return model.dump();
}

// Every row of x read into an in-memory uint8 array (same shape, scale and offset), in chunks.
Array gatherUint8(const Array& x) {
  Array raw = x;
  raw.scale = 1.0f, raw.offset = 0.0f;
  Array out(DType::UInt8, x.shape());
  std::uint8_t* dst = out.bytes();
  const Index per = x.rowSize();
  constexpr Index kChunk = 1024;
  std::vector<Index> idx(kChunk);
  Tensor t;
  for (Index begin = 0; begin < x.rows(); begin += kChunk) {
    const Index n = std::min(kChunk, x.rows() - begin);
    for (Index k = 0; k < n; ++k) idx[size_t(k)] = begin + k;
    raw.gather(idx.data(), n, t);
    const float* src = t.data();
    for (Index j = 0; j < n * per; ++j)
      dst[begin * per + j] = static_cast<std::uint8_t>(std::clamp(src[j], 0.0f, 255.0f));
  }
  out.scale = x.scale, out.offset = x.offset;
  return out;
}

// Times the training loop of each epoch (epoch begin to the last batch's end) and the
// validation pass after it (last batch's end to epoch end); prints one line per epoch.
class EpochTimer : public TrainObserver {
 public:
  explicit EpochTimer(Index samples) : samples_(samples) {}
  void onEpochBegin(int) override { begin_ = last_ = Clock::now(); }
  void onBatchEnd(int, int, const Logs&) override { last_ = Clock::now(); }
  void onEpochEnd(int epoch, const Logs& logs) override {
    const double train = std::chrono::duration<double>(last_ - begin_).count();
    const double valid = seconds(last_);
    trainSeconds += train;
    ++epochs;
    valAccuracy = findLog(logs, "val_accuracy").value_or(-1);
    std::printf("epoch %d train_s %.1f samples_per_s %.0f", epoch + 1, train,
                double(samples_) / train);
    for (const auto& [k, v] : logs) std::printf(" %s %.4f", k.c_str(), v);
    std::printf(" val_s %.1f\n", valid);
    std::fflush(stdout);
  }
  double trainSeconds = 0, valAccuracy = -1;
  int epochs = 0;

 private:
  Index samples_;
  Clock::time_point begin_, last_;
};

// Long by design: one benchmark's measurements in the order it prints them.
int runImageFolder(const BenchOptions& o) {
  const FolderBenchOptions f = parseOptions(o);
  const int threads =
      o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());

  std::printf(
      "bench imagefolder: %lld images, %dx%d grayscale, cache_mb %g, %d epoch(s), batch %d, "
      "%d thread(s), %s\n",
      f.images, f.size, f.size, f.eager ? 0.0 : f.cacheMb, f.epochs, f.batchSize,
      std::max(threads, 1), f.eager ? "EAGER (x gathered into memory as uint8 first)" : "lazy");
  std::fflush(stdout);
  const FolderFacts facts = ensureFolder(f.dir, f.images, std::max(threads, 1));
  std::printf("folder_bytes=%ju (%.1f MiB in files, %.1f MiB on disk)\n", facts.bytes,
              double(facts.bytes) / 1048576.0, double(facts.diskBytes) / 1048576.0);

  ModelSpec spec = ModelSpec::fromKerasJson(nlohmann::json::parse(cnnJson(f.size)));
  Model model(spec, /*seed=*/0);
  CompileOptions compile;
  compile.losses = {"sparse_categorical_crossentropy"};
  compile.metrics = {{"accuracy"}};
  compile.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}};
  Trainer trainer(model, compile);

  // The studio's path: DataSettings -> buildDataset. Eager runs read the folder without a cache
  // (every image decoded once while gathering), so the cache does not add to their memory.
  const double baselineMiB = currentRssMiB();
  DataSettings settings;
  settings.kind = "image_folder";
  settings.path = f.dir;
  settings.options = {{"height", f.size},
                      {"width", f.size},
                      {"grayscale", true},
                      {"cache_mb", f.eager ? 0.0 : f.cacheMb}};
  settings.fractions = {0.9, 0.1, 0.0};
  settings.splitSeed = 0;
  settings.normalization = "rescale";
  settings.rescale = 1.0 / 255.0;
  auto t0 = Clock::now();
  BuiltData built = buildDataset(settings);
  const double buildSeconds = seconds(t0);
  if (!built.validation) throw Error("bench imagefolder: the data set has no validation split");
  Dataset train = built.train;
  Dataset valid = *built.validation;
  built = BuiltData{};  // the run holds only train and valid
  const std::shared_ptr<const RowSource> source = train.x[0].rowSource();
  std::printf("data: %s, %s -> train %lld, validation %lld (built in %.1f s)\n",
              source ? source->name().c_str() : "in memory", arrayShapeText(train.x[0]).c_str(),
              static_cast<long long>(train.size()), static_cast<long long>(valid.size()),
              buildSeconds);
  double materialiseSeconds = 0;
  if (f.eager) {
    t0 = Clock::now();
    train.x[0] = gatherUint8(train.x[0]);
    valid.x[0] = gatherUint8(valid.x[0]);
    materialiseSeconds = seconds(t0);
    std::printf("eager: x gathered into memory as uint8 (%.1f MiB) in %.1f s\n",
                double(train.x[0].byteSize() + valid.x[0].byteSize()) / 1048576.0,
                materialiseSeconds);
  }
  fitDatasetToModel(train, spec);
  fitDatasetToModel(valid, spec);

  FitOptions options;
  options.epochs = f.epochs;
  options.batchSize = f.batchSize;
  options.shuffle = true;
  options.verbose = 0;
  options.validationData = valid;
  std::printf(
      "model: Conv2D 16 3x3 relu -> MaxPooling2D -> Flatten -> Dense 10 softmax, %lld "
      "parameters; Adam 0.001\n",
      static_cast<long long>(model.parameterCount()));
  std::fflush(stdout);
  EpochTimer timer(train.size());
  t0 = Clock::now();
  History h = trainer.fit(train, options, {}, &timer);
  const double fitSeconds = seconds(t0);
  if (!h.stopReason.empty()) std::printf("stopped: %s\n", h.stopReason.c_str());

  const double peak = app::peakRssMiB();
  const double allInMemory = double(f.images) * f.size * f.size / 1048576.0;
  std::printf("fit_s=%.1f (training loops %.1f s, validation and the rest %.1f s)\n", fitSeconds,
              timer.trainSeconds, fitSeconds - timer.trainSeconds);
  if (f.eager) std::printf("materialise_s=%.1f\n", materialiseSeconds);
  std::printf("val_accuracy=%.4f\n", timer.valAccuracy);
  if (source) {
    const RowSource::CacheStats c = source->cacheStats();
    const double requests = double(c.hits + c.misses);
    std::printf(
        "cache_bound_mib=%.1f cache_peak_mib=%.1f cache_used_mib=%.1f cache_entries=%zu "
        "cache_hits=%lld cache_misses=%lld hit_rate=%.3f\n",
        double(c.boundBytes) / 1048576.0, double(c.peakBytes) / 1048576.0,
        double(c.usedBytes) / 1048576.0, c.entries, static_cast<long long>(c.hits),
        static_cast<long long>(c.misses), requests > 0 ? double(c.hits) / requests : 0.0);
  }
  std::printf("baseline_rss_mib=%.1f\n", baselineMiB);
  std::printf("rss_now_mib=%.1f\n", currentRssMiB());
  std::printf("peak_rss_mib=%.1f\n", peak);
  std::printf("peak_over_baseline_mib=%.1f\n", peak - baselineMiB);
  std::printf("all_in_memory_mib=%.1f\n", allInMemory);
  std::printf("rss_ratio=%.3f (peak_rss / (baseline_rss + all_in_memory))\n",
              peak / (baselineMiB + allInMemory));
  std::printf("samples_per_s=%.0f\n", timer.trainSeconds > 0
                                          ? double(train.size()) * timer.epochs / timer.trainSeconds
                                          : 0.0);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void ensureFashionImageFolder(const std::string& dir, long long images, int threads,
                              const std::string& fashionDir) {
  ensureFolder(dir, images, threads, fashionDir);
}

TESSEL_REGISTER_BENCH(imagefolder, "imagefolder",
                      "a folder of N Fashion-MNIST PNGs (default 100,000) trained lazily through "
                      "the bounded image cache (small CNN, Adam); prints samples/s, validation "
                      "accuracy, cache hits/misses and peak RSS against all images in memory",
                      runImageFolder,
                      {{"--images", "N", false, "images in the generated folder (default 100000)"},
                       {"--size", "S", false, "images are read as SxS grayscale (default 28)"},
                       {"--cache-mb", "M", false, "bound of the image cache in MB (default 64)"},
                       {"--dir", "DIR", false,
                        "the generated folder, reused when it holds N images (default "
                        "/tmp/tessel-bench-imagefolder-N)"},
                       {"--eager", nullptr, false,
                        "gather every image into memory (uint8) before training, for comparison"},
                       {"--batch-size", "N", false, "samples per batch (default 32)"}});

}  // namespace tessel::bench
