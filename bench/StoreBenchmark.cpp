#include "bench/StoreBenchmark.h"

#include <chrono>
#include <filesystem>

#include "engine/store/Project.h"

namespace tessel::bench {

StoreBenchmarkResult runStoreBenchmark(const std::string& path, int runs, int epochs,
                                       int batchRows) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  StoreBenchmarkResult r;
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", ".lock"})
    std::filesystem::remove(path + suffix, ec);
  auto t0 = Clock::now();
  {
    auto p = Project::create(path);
    p.setTrainingMode(true);
    auto model = p.addModel("model", json::object());
    std::vector<std::pair<std::string, double>> loss(1, {"loss", 0.0});
    for (int run = 0; run < runs; ++run) {
      RunRecord rec;
      rec.modelId = model;
      rec.name = "run " + std::to_string(run + 1);
      rec.status = RunStatus::Finished;
      auto id = p.createRun(rec);
      long long step = 0;
      for (int e = 0; e < epochs; ++e) {
        p.begin();
        for (int b = 0; b < batchRows; ++b, ++step) {
          loss[0].second = 1.0 / (1.0 + step);
          p.addBatchMetrics(id, e, step, loss);
          ++r.batchRows;
        }
        double v = 1.0 / (1.0 + e + run);
        p.addEpochMetrics(
            id, e, {{"loss", v}, {"accuracy", 1 - v}, {"val_loss", v}, {"val_accuracy", 1 - v}});
        p.commit();
      }
    }
  }
  r.createSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.fileMiB = double(std::filesystem::file_size(path)) / (1 << 20);
  auto t1 = Clock::now();
  auto p = Project::open(path);
  auto t2 = Clock::now();
  double sum = 0;
  for (const auto& run : p.runs()) sum += p.bestMetric(run.id, "val_loss").value_or(0);
  auto t3 = Clock::now();
  (void)sum;
  r.openMs = ms(t2 - t1);
  r.listRunsMs = ms(t3 - t2);
  return r;
}

}  // namespace tessel::bench
