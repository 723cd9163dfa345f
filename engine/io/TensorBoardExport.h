#pragma once
// A project's runs as TensorBoard logs, laid out as Keras's TensorBoard callback does:
//   DIR/run-<id>/train/events...       epoch_<metric> (step = epoch), batch_<metric> (step =
//                                      global batch index) for every training metric
//   DIR/run-<id>/validation/events...  epoch_<metric> for every val_<metric>, "val_" dropped
// Wall times: the run's start time plus one second per epoch (the project stores no per-epoch
// clock), so TensorBoard's "relative" axis orders the points.
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

class Project;

struct TensorBoardExportResult {
  std::vector<std::string> files;  // event files written
  int scalars = 0;                 // scalar records written
};

// Every run of `project` (or only `runId` when not 0). Throws Error for an unknown run.
TensorBoardExportResult exportTensorBoard(const Project& project, const std::string& dir,
                                          std::int64_t runId = 0);

}  // namespace tessel
