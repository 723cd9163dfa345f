#include "engine/callbacks/ProgressLogger.h"

#include "engine/core/KerasFormat.h"

#include <cmath>
#include <cstdio>

namespace tessel {

void ProgressLogger::onTrainBegin(const FitOptions& options, int stepsPerEpoch) {
  epochs_ = options.epochs;
  steps_ = stepsPerEpoch;
}

void ProgressLogger::onEpochBegin(int epoch) {
  epochStart_ = std::chrono::steady_clock::now();
  done_ = 0;
  out_ << "Epoch " << epoch + 1 << "/" << epochs_ << "\n" << std::flush;
}

void ProgressLogger::onEpochEnd(int, const Logs& logs) {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - epochStart_).count();
  std::string line =
      std::to_string(done_) + "/" + std::to_string(steps_) + " - " + formatTime(secs);
  for (const auto& [k, v] : logs) line += " - " + k + ": " + formatValue(v);
  out_ << line << "\n" << std::flush;
}

void ProgressLogger::onFailed(const std::string& message) {
  out_ << message << "\n" << std::flush;
}

std::string ProgressLogger::formatValue(double v) {
  return kerasNumber(v);
}

std::string ProgressLogger::formatTime(double seconds) {
  char buf[64];
  if (seconds >= 1)
    std::snprintf(buf, sizeof buf, "%.0fs", seconds);
  else if (seconds >= 1e-3)
    std::snprintf(buf, sizeof buf, "%.0fms", seconds * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0fus", seconds * 1e6);
  return buf;
}

}  // namespace tessel
