// `tessel-bench tfrecord`: training speed and peak RSS from TFRecord shards against the same
// samples in memory (IDX) and as an image folder, with and without prefetch.
//   1. --samples Fashion-MNIST training images (the IDX source as the studio loads it, split
//      seed 0) are exported once to --shards GZIP shards of tf.train.Example (PNG bytes + int64
//      label) in --dir (default /tmp/tessel-bench-tfrecord-N), in a child process so that it does
//      not count in this process's peak RSS; a marker file lets the next run reuse them. The image
//      folder source uses `tessel-bench imagefolder`'s generated folder of N PNGs
//      (/tmp/tessel-bench-imagefolder-N).
//   2. --source idx: the samples from IDX in memory; tfrecord: streamed from the shards through
//      the pipeline (--shuffle-buffer B, --cache memory); imagefolder: decoded lazily from the
//      PNG files (first epoch: every image decoded, as the cache starts empty). --prefetch P:
//      the data settings' prefetch step (fit gathers P batches ahead on a reader thread).
//   3. A small CNN (Conv2D 16 3x3 relu -> MaxPooling2D -> Flatten -> Dense 10 softmax; Adam 0.001;
//      batch 32; rescale 1/255) is fitted for --epochs with no validation and no shuffle (Keras's
//      fit ignores shuffle for a stream; the others read in order too). --repeat K: the data set
//      is built anew and fitted K times (a fresh model each time); the best is reported.
// Prints fit_s, peak_rss_mib and its baseline, and last `samples_per_s=N` (the best fit's wall
// time: the label check, decoding and every training step).
//    Also printed: epoch 1 (from fit's start: the label check, and for an image folder every
//    image decoded) and epochs 2..E apart (`epoch1_samples_per_s`, `later_samples_per_s`).
// --cache memory: the pipeline's cache step. TFRecord: the decoded records are kept in memory
// (read once while the data set is built); image folder: the decoded images are kept in memory
// after their first read (the folder's image cache bounded by nothing, as tf.data's
// map(decode).cache(): epoch 1 decodes, epochs 2+ read memory). Without it the image folder's
// cache is off (cache_mb 0: every epoch decodes every image).
// --compute-threads K: the training's OpenMP/Eigen threads (as --threads); with --prefetch the
// reader thread comes on top, so on a machine of more than K cores the reader has a core of its
// own. --fashion-dir DIR: the Fashion-MNIST IDX files (default Debian's; bench/data/pack.sh packs
// a subset).
// --compare: every source with prefetch 0 and with --prefetch P (default 8), the image folder
// and TFRecord with and without the cache step, for each K of --compute-threads K1,K2,... (the
// ratio is to IDX without prefetch at the same K), each in its own process (so each has its own
// peak RSS), R rounds of all of them (--repeat R; round robin, so that the machine's load changes
// fall on every configuration alike); prints a table of the best samples/s (overall, epoch 1,
// epochs 2+), its peak RSS, its CPU time per sample and the ratio to IDX without prefetch, e.g.
//   OMP_NUM_THREADS=2 tessel-bench tfrecord --compare --prefetch 8 --samples 20000 --repeat 3
//   tessel-bench tfrecord --compare --epochs 3 --compute-threads 2,4 --samples 20000 --repeat 3
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/CliSupport.h"
#include "app/cli/Args.h"
#include "app/cli/UsageError.h"
#include "bench/BenchImageFolder.h"
#include "bench/BenchRegistry.h"
#include "engine/callbacks/Callback.h"
#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/RowSource.h"
#include "engine/data/TfRecordExport.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

DataSettings idxSettings(const std::string& fashionDir) {
  DataSettings s;
  s.kind = "idx";
  s.path = fashionDir;
  s.fractions = {1, 0, 0};
  s.normalization = "rescale";
  return s;
}

// The shards of `samples` images in dir (written by a child process when missing).
void ensureShards(const std::string& dir, long long samples, int shards,
                  const std::string& fashionDir) {
  const fs::path marker = fs::path(dir) / ".tessel-bench-tfrecord";
  {
    std::ifstream in(marker);
    long long n = 0;
    int s = 0;
    if (in >> n >> s && n == samples && s == shards) return;
  }
  std::printf("writing %lld samples to %d GZIP shards in %s ...\n", samples, shards, dir.c_str());
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) throw Error("bench tfrecord: fork failed");
  if (pid == 0) {
    try {
      DataSettings s = idxSettings(fashionDir);
      s.normalization = "none";
      BuildOptions o;
      o.trainLimit = samples;
      fs::remove_all(dir);
      exportTfRecords(buildDataset(s, o).train, {dir, shards, TfRecordCompression::Gzip, "train"});
      std::ofstream(marker) << samples << " " << shards << "\n";
      _exit(0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench tfrecord: %s\n", e.what());
      _exit(1);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("bench tfrecord: writing the shards failed");
}

std::string cnnJson() {
  using json = nlohmann::json;
  json layers = json::array();
  layers.push_back({{"class_name", "Conv2D"},
                    {"config",
                     {{"name", "conv2d"},
                      {"batch_input_shape", {nullptr, 28, 28, 1}},
                      {"filters", 16},
                      {"kernel_size", {3, 3}},
                      {"activation", "relu"}}}});
  layers.push_back({{"class_name", "MaxPooling2D"},
                    {"config", {{"name", "max_pooling2d"}, {"pool_size", {2, 2}}}}});
  layers.push_back({{"class_name", "Flatten"}, {"config", {{"name", "flatten"}}}});
  layers.push_back({{"class_name", "Dense"},
                    {"config", {{"name", "dense"}, {"units", 10}, {"activation", "softmax"}}}});
  return json{{"class_name", "Sequential"},
              {"config", {{"name", "tfrecord_cnn"}, {"layers", layers}}}}
      .dump();
}

struct Config {
  std::string source = "tfrecord", dir, folder, cache, fashionDir = kFashionMnistDir;
  long long samples = 0, buffer = 0;
  int shards = 10, prefetch = 0, repeat = 1;
  std::vector<int> computeThreads;  // --compute-threads (compare: one table block each)
  bool gatherOnly = false;          // time the data path alone (batches gathered, nothing trained)
};

// The data settings of one source.
DataSettings settingsOf(const Config& c) {
  DataSettings s = idxSettings(c.fashionDir);
  if (c.source == "tfrecord") {
    s.kind = "tfrecord";
    s.path = c.dir;
    s.pipeline.shuffleBuffer = c.buffer;
    s.pipeline.cache = c.cache;
  } else if (c.source == "imagefolder") {
    s.kind = "image_folder";
    s.path = c.folder;
    // The cache step: every decoded image kept after its first read (a bound no folder reaches);
    // without it, none kept (every epoch decodes).
    s.options = {{"height", 28},
                 {"width", 28},
                 {"grayscale", true},
                 {"cache_mb", c.cache == "memory" ? 1e9 : 0.0}};
  }
  s.pipeline.prefetch = c.prefetch;
  return s;
}

// Wall and CPU time from fit's start to the end of its first epoch.
struct FirstEpochClock : Callback {
  Clock::time_point start;
  double cpuStart = 0, wall = -1, cpu = -1;
  double (*cpuNow)() = nullptr;
  void onEpochEnd(int, const Logs&) override {
    if (wall >= 0) return;
    wall = std::chrono::duration<double>(Clock::now() - start).count();
    cpu = cpuNow() - cpuStart;
  }
};

// The machine: cores and the load average now.
std::string machineLine() {
  std::string load = "?";
  std::ifstream in("/proc/loadavg");
  std::getline(in, load);
  return "cores=" + std::to_string(omp_get_num_procs()) + " loadavg=\"" + load + "\"";
}

void setComputeThreads(int k) {
  Eigen::setNbThreads(k);
  omp_set_num_threads(k);
}

// User + system CPU seconds of this process (every thread).
double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// One configuration in this process: built and fitted c.repeat times; prints the best.
int runOne(const BenchOptions& o, const Config& c) {
  const double baseline = app::peakRssMiB();
  BuildOptions limit;
  limit.trainLimit = c.samples;
  std::printf(
      "source=%s samples=%lld shards=%d prefetch=%d shuffle_buffer=%lld cache=%s "
      "compute_threads=%d epochs=%d %s\n",
      c.source.c_str(), c.samples, c.shards, c.prefetch, c.buffer,
      c.cache.empty() ? "none" : c.cache.c_str(), omp_get_max_threads(), o.epochs,
      machineLine().c_str());
  double best = 0, bestFit = 0, bestCpu = 0;
  // Epoch 1 (from fit's start) and epochs 2..E apart, the best of the runs each.
  double bestFirst = 0, bestFirstCpu = 0, bestLater = 0, bestLaterCpu = 0;
  for (int r = 0; r < c.repeat; ++r) {
    auto t0 = Clock::now();
    BuiltData built = buildDataset(settingsOf(c), limit);
    const double buildSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
    Dataset train = built.train;
    built = BuiltData{};
    if (c.gatherOnly) {
      // Every batch of every epoch gathered in order into reused tensors, as fit reads them
      // without shuffle: the data path's cost alone (read, decode, convert).
      std::vector<Tensor> xs(train.x.size()), ys(train.y.size());
      std::vector<Index> rows;
      const Index n = train.size();
      t0 = Clock::now();
      const double cpu0 = cpuSeconds();
      for (int e = 0; e < o.epochs; ++e)
        for (Index b = 0; b < n; b += 32) {
          const Index m = std::min<Index>(32, n - b);
          rows.resize(size_t(m));
          for (Index i = 0; i < m; ++i) rows[size_t(i)] = b + i;
          for (size_t k = 0; k < xs.size(); ++k) train.x[k].gather(rows.data(), m, xs[k]);
          for (size_t k = 0; k < ys.size(); ++k) train.y[k].gather(rows.data(), m, ys[k]);
        }
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      const double cpu = cpuSeconds() - cpu0;
      const double sps = double(n) * o.epochs / s;
      std::printf("run %d: build_s=%.2f gather_s=%.3f samples_per_s=%.0f cpu_us_per_sample=%.2f\n",
                  r + 1, buildSeconds, s, sps, cpu * 1e6 / (double(n) * o.epochs));
      std::fflush(stdout);
      if (sps > best) best = sps, bestFit = s, bestCpu = cpu;
      continue;
    }
    ModelSpec spec = ModelSpec::fromKerasJson(nlohmann::json::parse(cnnJson()));
    fitDatasetToModel(train, spec);
    Model model(spec, 0);
    CompileOptions compile;
    compile.losses = {"sparse_categorical_crossentropy"};
    compile.metrics = {{"accuracy"}};
    compile.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}};
    Trainer trainer(model, compile);
    FitOptions fit;
    fit.epochs = o.epochs;
    fit.batchSize = 32;
    fit.shuffle = false;
    fit.verbose = 0;
    FirstEpochClock first;
    first.cpuNow = cpuSeconds;
    t0 = first.start = Clock::now();
    const double cpu0 = first.cpuStart = cpuSeconds();
    const History h = trainer.fit(train, fit, {&first});
    const double fitSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const double fitCpu = cpuSeconds() - cpu0;
    const double n = double(train.size());
    const double sps = n * o.epochs / fitSeconds;
    const double firstSps = n / first.wall;
    std::printf("run %d: build_s=%.2f fit_s=%.2f samples_per_s=%.0f epoch1_samples_per_s=%.0f",
                r + 1, buildSeconds, fitSeconds, sps, firstSps);
    if (o.epochs > 1) {
      const double laterSps = n * (o.epochs - 1) / (fitSeconds - first.wall);
      const double laterCpu = fitCpu - first.cpu;
      std::printf(" later_samples_per_s=%.0f", laterSps);
      if (laterSps > bestLater) bestLater = laterSps, bestLaterCpu = laterCpu;
    }
    std::printf(" loss=%.4f accuracy=%.4f", h["loss"].back(), h["accuracy"].back());
    if (const auto src = train.x[0].rowSource()) {
      const RowSource::CacheStats cs = src->cacheStats();
      if (cs.hits + cs.misses > 0)
        std::printf(" cache_hits=%lld cache_misses=%lld cache_mib=%.1f", (long long)cs.hits,
                    (long long)cs.misses, double(cs.usedBytes) / 1048576.0);
    }
    std::printf("\n");
    std::fflush(stdout);
    if (sps > best) best = sps, bestFit = fitSeconds, bestCpu = fitCpu;
    if (firstSps > bestFirst) bestFirst = firstSps, bestFirstCpu = first.cpu;
  }
  std::printf("fit_s=%.2f\n", bestFit);
  std::printf("cpu_s=%.3f (user + system CPU of every thread during that fit)\n", bestCpu);
  std::printf("baseline_rss_mib=%.1f\n", baseline);
  std::printf("peak_rss_mib=%.1f\n", app::peakRssMiB());
  if (!c.gatherOnly) {
    const double n = double(c.samples);
    std::printf("epoch1_samples_per_s=%.0f\n", bestFirst);
    std::printf("epoch1_cpu_us_per_sample=%.1f\n", bestFirstCpu * 1e6 / n);
    if (o.epochs > 1) {
      std::printf("later_samples_per_s=%.0f\n", bestLater);
      std::printf("later_cpu_us_per_sample=%.1f\n", bestLaterCpu * 1e6 / (n * (o.epochs - 1)));
    }
  }
  std::printf("samples_per_s=%.0f\n", best);
  return 0;
}

// The value of `key=` on the last line that has it in text; -1 when missing.
double valueOf(const std::string& text, const std::string& key) {
  const size_t at = text.rfind("\n" + key + "=");
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + key.size() + 2);
}

// Every source with prefetch 0 and P (and the cache step), for each compute thread count K, each
// configuration in a child process of this program.
int runCompare(const BenchOptions& o, const Config& base) {
  struct Row {
    int threads;  // 0: as this process (--threads / OMP_NUM_THREADS)
    std::string source;
    int prefetch;
    std::string cache;
    double sps = -1, rss = -1, cpu = -1, first = -1, later = -1, firstCpu = -1, laterCpu = -1;
  };
  std::vector<int> ks = base.computeThreads;
  if (ks.empty()) ks.push_back(0);
  std::vector<Row> rows;
  for (int k : ks) {
    for (const char* source : {"idx", "tfrecord", "imagefolder"})
      for (int p : {0, base.prefetch}) {
        if (base.gatherOnly && p != 0) continue;  // gathering alone has no prefetch step
        rows.push_back({k, source, p, ""});
      }
    // The pipeline's cache step (decoded samples kept in memory after the first pass).
    rows.push_back({k, "tfrecord", 0, "memory"});
    for (int p : {0, base.prefetch}) {
      if (base.gatherOnly && p != 0) continue;
      rows.push_back({k, "imagefolder", p, "memory"});
    }
  }
  const std::string self = fs::read_symlink("/proc/self/exe").string();  // (popen runs a shell)
  const std::string before = machineLine();
  std::printf("compare: %s\n", before.c_str());
  // Round robin (every configuration once, R times) so that a change of the machine's load
  // falls on all of them alike; the best of the R runs is kept (each column on its own).
  for (int k = 0; k < base.repeat; ++k)
    for (Row& r : rows) {
      std::string cmd = "'" + self + "' tfrecord --source " + r.source + " --prefetch " +
                        std::to_string(r.prefetch) + " --samples " + std::to_string(base.samples) +
                        " --epochs " + std::to_string(o.epochs) + " --shards " +
                        std::to_string(base.shards) + " --dir '" + base.dir + "' --folder '" +
                        base.folder + "' --fashion-dir '" + base.fashionDir + "'";
      if (base.gatherOnly) cmd += " --gather-only";
      if (!r.cache.empty()) cmd += " --cache " + r.cache;
      const int threads = r.threads > 0 ? r.threads : o.threads;
      if (threads > 0) cmd += " --threads " + std::to_string(threads);
      std::printf("== %s\n", cmd.c_str());
      std::fflush(stdout);
      FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
      if (!pipe) throw Error("bench tfrecord: cannot run " + cmd);
      std::string out = "\n";
      char buf[512];
      while (std::fgets(buf, sizeof buf, pipe)) {
        out += buf;
        std::fputs(buf, stdout);
      }
      if (pclose(pipe) != 0) throw Error("bench tfrecord: a run failed: " + cmd);
      const double sps = valueOf(out, "samples_per_s");
      if (sps > r.sps)
        r.sps = sps, r.rss = valueOf(out, "peak_rss_mib"), r.cpu = valueOf(out, "cpu_s");
      r.first = std::max(r.first, valueOf(out, "epoch1_samples_per_s"));
      r.later = std::max(r.later, valueOf(out, "later_samples_per_s"));
      if (r.first == valueOf(out, "epoch1_samples_per_s"))
        r.firstCpu = valueOf(out, "epoch1_cpu_us_per_sample");
      if (r.later == valueOf(out, "later_samples_per_s"))
        r.laterCpu = valueOf(out, "later_cpu_us_per_sample");
    }
  auto ratio = [](double v, double ref) { return v > 0 && ref > 0 ? v / ref : 0.0; };
  const bool later = o.epochs > 1 && !base.gatherOnly;
  std::printf(
      "\nsamples=%lld epochs=%d repeat=%d (best of each); before: %s; after: %s\n"
      "vs_idx: the ratio to IDX in memory without prefetch at the same compute threads; e1: "
      "epoch 1 (from fit's start); e2+: epochs 2..%d\n",
      base.samples, o.epochs, base.repeat, before.c_str(), machineLine().c_str(), o.epochs);
  std::printf("\n%7s %-12s %8s %6s %10s %7s %10s %7s %10s %7s %9s %8s %8s %8s\n", "threads",
              "source", "prefetch", "cache", "samples/s", "vs_idx", "e1/s", "e1_vs", "e2+/s",
              "e2+_vs", "rss_mib", "cpu_us", "e1_cpu", "e2+_cpu");
  const Row* idx = nullptr;
  for (const Row& r : rows) {
    if (r.source == "idx" && r.prefetch == 0) idx = &r;
    const int threads =
        r.threads > 0 ? r.threads : (o.threads > 0 ? o.threads : omp_get_max_threads());
    std::printf("%7d %-12s %8d %6s %10.0f %6.2fx %10.0f %6.2fx", threads, r.source.c_str(),
                r.prefetch, r.cache.empty() ? "none" : r.cache.c_str(), r.sps,
                ratio(r.sps, idx->sps), r.first, ratio(r.first, idx->first));
    if (later)
      std::printf(" %10.0f %6.2fx", r.later, ratio(r.later, idx->later));
    else
      std::printf(" %10s %7s", "-", "-");
    std::printf(" %9.1f %8.1f %8.1f", r.rss, r.cpu * 1e6 / double(base.samples * o.epochs),
                r.firstCpu);
    if (later)
      std::printf(" %8.1f\n", r.laterCpu);
    else
      std::printf(" %8s\n", "-");
  }
  std::printf("samples_per_s=%.0f\n", rows[base.gatherOnly ? 1 : 3].sps);  // TFRecord
  return 0;
}

int runTfRecord(const BenchOptions& o) {
  const app::Args* args = o.args;
  Config c;
  if (args && args->has("--fashion-dir")) c.fashionDir = args->value("--fashion-dir");
  if (!fashionMnistAvailable(c.fashionDir))
    throw Error("bench tfrecord: Fashion-MNIST not found in " + c.fashionDir +
                " (install dataset-fashion-mnist, or give --fashion-dir)");
  if (args && args->has("--compute-threads")) {
    const std::string list = args->value("--compute-threads");
    size_t at = 0;
    while (at <= list.size()) {
      const size_t comma = std::min(list.find(',', at), list.size());
      const std::string item = list.substr(at, comma - at);
      char* end = nullptr;
      const long k = std::strtol(item.c_str(), &end, 10);
      if (item.empty() || *end != '\0' || k < 1 || k > 1024)
        throw app::UsageError("tfrecord: --compute-threads takes K or K1,K2,... (1..1024), got '" +
                              list + "'");
      c.computeThreads.push_back(int(k));
      at = comma + 1;
    }
  }
  c.samples = std::min<long long>(o.samples, 60000);
  c.source = args ? args->value("--source", "tfrecord") : "tfrecord";
  c.shards = args ? int(args->intValue("--shards", 10, 1, 10000)) : 10;
  const bool compare = args && args->has("--compare");
  c.prefetch = args ? int(args->intValue("--prefetch", compare ? 8 : 0, 0, 1 << 16)) : 0;
  c.repeat = args ? int(args->intValue("--repeat", 1, 1, 100)) : 1;
  c.buffer = args ? args->intValue("--shuffle-buffer", 0, 0, 1LL << 40) : 0;
  c.cache = args ? args->value("--cache") : "";
  c.dir = args ? args->value("--dir") : "";
  c.gatherOnly = args && args->has("--gather-only");
  if (c.dir.empty()) c.dir = "/tmp/tessel-bench-tfrecord-" + std::to_string(c.samples);
  c.folder = args ? args->value("--folder") : "";
  if (c.folder.empty()) c.folder = "/tmp/tessel-bench-imagefolder-" + std::to_string(c.samples);
  if (c.source != "idx" && c.source != "tfrecord" && c.source != "imagefolder")
    throw app::UsageError("tfrecord: --source is idx, tfrecord or imagefolder");
  if (!compare && c.computeThreads.size() > 1)
    throw app::UsageError("tfrecord: several --compute-threads need --compare");
  const int writers = o.threads > 0 ? o.threads : 2;
  if (compare || c.source == "tfrecord") ensureShards(c.dir, c.samples, c.shards, c.fashionDir);
  if (compare || c.source == "imagefolder")
    ensureFashionImageFolder(c.folder, c.samples, writers, c.fashionDir);
  if (compare) return runCompare(o, c);
  if (!c.computeThreads.empty()) setComputeThreads(c.computeThreads[0]);
  return runOne(o, c);
}

}  // namespace

TESSEL_REGISTER_BENCH(
    tfrecord, "tfrecord",
    "the small image CNN trained from Fashion-MNIST TFRecord shards (GZIP, "
    "streamed, optional prefetch/cache), the same samples from IDX in memory or "
    "as an image folder (--compare: all of them); prints samples/s and peak RSS",
    runTfRecord,
    {{"--source", "idx|tfrecord|imagefolder", false,
      "where the samples come from (default tfrecord)"},
     {"--compare", nullptr, false, "every source with prefetch 0 and P, each in its own process"},
     {"--repeat", "K", false, "fits per configuration, the best is reported"},
     {"--shards", "N", false, "number of GZIP shards written (default 10)"},
     {"--prefetch", "P", false, "batches gathered ahead (default 0; 8 with --compare)"},
     {"--shuffle-buffer", "B", false, "streaming shuffle buffer (default 0)"},
     {"--cache", "memory|FILE", false,
      "the pipeline's cache step (image folder: memory keeps every decoded image)"},
     {"--gather-only", nullptr, false,
      "time the data path alone: every batch gathered in order, nothing trained"},
     {"--compute-threads", "K[,K2...]", false,
      "training threads (as --threads); --compare: a table block for each K"},
     {"--fashion-dir", "DIR", false,
      "the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)"},
     {"--dir", "DIR", false, "the shards' folder (default /tmp/tessel-bench-tfrecord-N)"},
     {"--folder", "DIR", false, "the image folder (default /tmp/tessel-bench-imagefolder-N)"}});

}  // namespace tessel::bench
