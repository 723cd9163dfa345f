#include "engine/io/TensorBoardExport.h"

#include <ctime>
#include <filesystem>
#include <memory>

#include "engine/core/Error.h"
#include "engine/io/TensorBoardWriter.h"
#include "engine/store/Project.h"

namespace tessel {

namespace {

// "2026-11-26T00:35:35Z" (or with fractions / without Z) -> seconds since the epoch; now() when
// it does not parse.
double isoToSeconds(const std::string& iso) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6 &&
      std::sscanf(iso.c_str(), "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
    return TensorBoardWriter::now();
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = 0;
  return static_cast<double>(timegm(&tm)) + s;
}

}  // namespace

TensorBoardExportResult exportTensorBoard(const Project& project, const std::string& dir,
                                          std::int64_t runId) {
  std::vector<RunRecord> runs;
  if (runId != 0) {
    auto r = project.run(runId);
    if (!r) throw Error("project has no run " + std::to_string(runId));
    runs.push_back(*r);
  } else {
    runs = project.runs();
  }
  TensorBoardExportResult result;
  for (const auto& run : runs) {
    const double start = isoToSeconds(run.startedAt);
    const auto runDir = std::filesystem::path(dir) / ("run-" + std::to_string(run.id));
    std::unique_ptr<TensorBoardWriter> train, validation;
    auto writer = [&](bool val) -> TensorBoardWriter& {
      auto& w = val ? validation : train;
      if (!w) {
        w = std::make_unique<TensorBoardWriter>((runDir / (val ? "validation" : "train")).string(),
                                                start);
        result.files.push_back(w->path());
      }
      return *w;
    };
    for (const auto& p : project.epochMetrics(run.id)) {
      const bool val = p.name.rfind("val_", 0) == 0;
      const std::string metric = val ? p.name.substr(4) : p.name;
      writer(val).addScalar("epoch_" + metric, p.value, p.epoch, start + p.epoch + 1);
      ++result.scalars;
    }
    for (const auto& p : project.batchMetrics(run.id)) {
      writer(false).addScalar("batch_" + p.name, p.value, p.step, start + p.epoch + 0.5);
      ++result.scalars;
    }
    if (train) train->flush();
    if (validation) validation->flush();
  }
  return result;
}

}  // namespace tessel
