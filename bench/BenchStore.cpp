// `tessel-bench store`: the project file's two performance claims.
//  1. Opening a project with 100 runs x 100 epochs x 1,000 batch rows and listing its runs with
//     their best val_loss (what the runs browser does).
//  2. The cost of recording a run (batch rows committed every second, epoch rows, checkpoints)
//     on `tessel-bench fashion-mlp` throughput: the same training with and without a RunRecorder,
//     twice each, interleaved; the last line is the recorded run's samples/s.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "bench/BenchRegistry.h"
#include "bench/StoreBenchmark.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

namespace fs = std::filesystem;

// Runs benchFashionModel with stdout captured; returns its samples_per_s.
double trainedSamplesPerSecond(const BenchOptions& o, const ObserverFactory& factory) {
  std::fflush(stdout);
  char path[] = "/tmp/tessel-bench-XXXXXX";
  int fd = mkstemp(path);
  int saved = dup(1);
  dup2(fd, 1);
  benchFashionModel(fashionMlpJson(), o, 32, 0.01, factory);
  std::fflush(stdout);
  dup2(saved, 1);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(path);
  std::smatch m;
  std::string s = text.str();
  if (!std::regex_search(s, m, std::regex("samples_per_s=([0-9.]+)"))) return 0;
  return std::stod(m[1]);
}

int runStore(const BenchOptions& o) {
  fs::path dir = fs::temp_directory_path() / ("tessel-bench-store-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::printf("bench store: writing 100 runs x 100 epochs x 1000 batch rows ...\n");
  std::fflush(stdout);
  auto r = runStoreBenchmark((dir / "big.tessel").string(), 100, 100, 1000);
  std::printf("project %.0f MiB, %lld batch rows, written in %.1f s\n", r.fileMiB, r.batchRows,
              r.createSeconds);
  std::printf("open_ms=%.1f list_runs_ms=%.1f\n", r.openMs, r.listRunsMs);
  fs::remove(dir / "big.tessel");

  BenchOptions t = o;
  std::string projectPath = (dir / "record.tessel").string();
  Project project = Project::create(projectPath);
  auto modelId = project.addModel("fashion-mlp", json::parse(fashionMlpJson()));
  auto recorded = [&](Trainer& trainer) -> std::unique_ptr<TrainObserver> {
    RunRecord rec;
    rec.modelId = modelId;
    rec.name = "bench";
    auto id = project.createRun(rec);
    return std::make_unique<RunRecorder>(project, id, trainer, "loss");
  };
  double plain = 0, withRecorder = 0;
  for (int i = 0; i < 2; ++i) {
    plain += trainedSamplesPerSecond(t, {});
    withRecorder += trainedSamplesPerSecond(t, recorded);
  }
  plain /= 2, withRecorder /= 2;
  std::printf(
      "fashion-mlp samples/s without recording %.0f, recording into the project %.0f: "
      "overhead %.2f %%\n",
      plain, withRecorder, 100.0 * (plain - withRecorder) / plain);
  fs::remove_all(dir);
  std::printf("samples_per_s=%.0f\n", withRecorder);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(store, "store",
                      "project file: open + list 100 runs x 100 epochs x 1000 batch rows; "
                      "cost of recording a fashion-mlp run",
                      runStore);

}  // namespace tessel::bench
