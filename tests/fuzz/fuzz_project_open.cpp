// libFuzzer target: arbitrary bytes opened as a project file must give a clean tessel::Error or
// a usable project — never a crash, a hang or a sanitizer report.
// Build and run: see README.md ("Fuzzing the project file").
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/core/Error.h"
#include "engine/store/Project.h"

// With TESSEL_FUZZ_SEED_DIR set, writes a small valid project there first (a seed corpus entry
// with a model, a run, metrics, an event and a checkpoint), so mutations start from real pages.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("TESSEL_FUZZ_SEED_DIR");
  if (!dir) return 0;
  std::string seed = std::string(dir) + "/seed.tessel";
  if (std::filesystem::exists(seed)) return 0;
  auto p = tessel::Project::create(seed);
  tessel::RunRecord r;
  r.modelId = p.addModel("m", {{"class_name", "Functional"}}, {{"dense", {{"x", 1}}}});
  r.status = tessel::RunStatus::Running;
  auto run = p.createRun(r);
  p.addEpochMetrics(run, 0, {{"loss", 0.5}, {"accuracy", 0.9}});
  p.addBatchMetrics(run, 0, 0, {{"loss", 0.6}});
  tessel::RunEvent e;
  e.kind = "best_epoch";
  p.addEvent(run, e);
  tessel::Checkpoint c;
  c.kind = "last";
  c.weights.assign(5000, 3);
  p.saveCheckpoint(run, c);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("tessel-fuzz-" + std::to_string(getpid()) + ".tessel"))
                                      .string();
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  try {
    auto p = tessel::Project::open(path);
    for (const auto& m : p.models()) (void)m.spec.dump();
    for (const auto& r : p.runs()) {
      p.epochMetrics(r.id);
      p.batchMetrics(r.id);
      p.events(r.id);
      p.checkpoint(r.id, "last");
      p.bestMetric(r.id, "loss");
    }
    p.integrityCheck();
  } catch (const tessel::Error&) {
  } catch (const nlohmann::json::exception&) {
  }
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return 0;
}
