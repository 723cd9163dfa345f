#pragma once
// Benchmarks of the project file (run by `tessel-bench store`; not a test).
#include <string>

namespace tessel::bench {

struct StoreBenchmarkResult {
  double createSeconds = 0;  // writing the synthetic project
  double openMs = 0;         // Project::open (header, version, quick_check, lock)
  double listRunsMs = 0;     // runs() + best val_loss of every run
  double fileMiB = 0;
  long long batchRows = 0;
};

// Writes a project with `runs` runs × `epochs` epochs (4 epoch metrics each) × `batchRows` batch
// loss rows per epoch at `path` (replaced), then measures opening it and listing the runs with
// their best metric, as the runs browser does.
StoreBenchmarkResult runStoreBenchmark(const std::string& path, int runs, int epochs,
                                       int batchRows);

}  // namespace tessel::bench
