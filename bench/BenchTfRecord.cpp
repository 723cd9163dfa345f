// `tessel-bench tfrecord`: training speed and peak RSS from TFRecord shards against the same
// samples in memory (IDX), with and without the prefetch thread.
//   1. --samples Fashion-MNIST training images (the IDX source as the studio loads it, split
//      seed 0) are exported once to --shards GZIP shards of tf.train.Example (PNG bytes + int64
//      label) in --dir (default /tmp/tessel-bench-tfrecord-N), in a child process so that it does
//      not count in this process's peak RSS; a marker file lets the next run reuse them.
//   2. --source idx: the same samples from IDX in memory; --source tfrecord: streamed from the
//      shards through the pipeline (--prefetch P batches, --shuffle-buffer B, --cache memory).
//   3. A small CNN (Conv2D 16 3x3 relu -> MaxPooling2D -> Flatten -> Dense 10 softmax; Adam 0.001;
//      batch 32; rescale 1/255) is fitted for --epochs with no validation. Keras's fit ignores
//      shuffle for a stream; the idx run is not shuffled either, so both read the same order.
// Prints fit_s, peak_rss_mib and its baseline, and last `samples_per_s=N` (fit wall time: the
// label check, decoding and every training step). Run one configuration per process, e.g.
//   tessel-bench tfrecord --samples 60000 --source idx
//   tessel-bench tfrecord --samples 60000 --source tfrecord --prefetch 0
//   tessel-bench tfrecord --samples 60000 --source tfrecord --prefetch 8
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/CliSupport.h"
#include "app/cli/Args.h"
#include "app/cli/UsageError.h"
#include "bench/BenchRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/TfRecordExport.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

DataSettings idxSettings() {
  DataSettings s;
  s.kind = "idx";
  s.path = kFashionMnistDir;
  s.fractions = {1, 0, 0};
  s.normalization = "rescale";
  return s;
}

// The shards of `samples` images in dir (written by a child process when missing).
void ensureShards(const std::string& dir, long long samples, int shards) {
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
      DataSettings s = idxSettings();
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

int runTfRecord(const BenchOptions& o) {
  if (!fashionMnistAvailable())
    throw Error("bench tfrecord: Fashion-MNIST not installed (dataset-fashion-mnist)");
  const app::Args* args = o.args;
  const long long samples = std::min<long long>(o.samples, 60000);
  const std::string source = args ? args->value("--source", "tfrecord") : "tfrecord";
  const int shards = args ? int(args->intValue("--shards", 10, 1, 10000)) : 10;
  const int prefetch = args ? int(args->intValue("--prefetch", 0, 0, 1 << 16)) : 0;
  const long long buffer = args ? args->intValue("--shuffle-buffer", 0, 0, 1LL << 40) : 0;
  const std::string cache = args ? args->value("--cache") : "";
  std::string dir = args ? args->value("--dir") : "";
  if (dir.empty()) dir = "/tmp/tessel-bench-tfrecord-" + std::to_string(samples);
  if (source != "idx" && source != "tfrecord")
    throw app::UsageError("tfrecord: --source is idx or tfrecord");
  if (source == "tfrecord") ensureShards(dir, samples, shards);

  const double baseline = app::peakRssMiB();
  DataSettings s = idxSettings();
  BuildOptions limit;
  limit.trainLimit = samples;
  if (source == "tfrecord") {
    s.kind = "tfrecord";
    s.path = dir;
    s.pipeline.prefetch = prefetch;
    s.pipeline.shuffleBuffer = buffer;
    s.pipeline.cache = cache;
  }
  auto t0 = Clock::now();
  BuiltData built = buildDataset(s, limit);
  const double buildSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  Dataset train = built.train;
  built = BuiltData{};
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
  std::printf("source=%s samples=%lld shards=%d prefetch=%d shuffle_buffer=%lld cache=%s\n",
              source.c_str(), static_cast<long long>(train.size()), shards, prefetch, buffer,
              cache.empty() ? "none" : cache.c_str());
  std::printf("build_s=%.2f (%s)\n", buildSeconds,
              source == "idx" ? "IDX read into memory" : "every record read and checked once");
  std::fflush(stdout);
  t0 = Clock::now();
  const History h = trainer.fit(train, fit);
  const double fitSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("loss=%.4f accuracy=%.4f\n", h["loss"].back(), h["accuracy"].back());
  std::printf("fit_s=%.2f\n", fitSeconds);
  std::printf("baseline_rss_mib=%.1f\n", baseline);
  std::printf("peak_rss_mib=%.1f\n", app::peakRssMiB());
  std::printf("samples_per_s=%.0f\n", double(train.size()) * o.epochs / fitSeconds);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(tfrecord, "tfrecord",
                      "the small image CNN trained from Fashion-MNIST TFRecord shards (GZIP, "
                      "streamed, optional prefetch/cache) or the same samples from IDX in memory; "
                      "prints samples/s and peak RSS",
                      runTfRecord,
                      {{"--source", "idx|tfrecord", false, "where the samples come from"},
                       {"--shards", "N", false, "number of GZIP shards written (default 10)"},
                       {"--prefetch", "P", false, "batches decoded ahead (default 0)"},
                       {"--shuffle-buffer", "B", false, "streaming shuffle buffer (default 0)"},
                       {"--cache", "memory|FILE", false, "the pipeline's cache step"},
                       {"--dir", "DIR", false,
                        "the shards' folder (default /tmp/tessel-bench-tfrecord-N)"}});

}  // namespace tessel::bench
