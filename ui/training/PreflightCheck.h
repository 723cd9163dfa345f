#pragma once
// The checks run before training starts (no engine run, no Qt): data shapes vs each Input,
// label type and class count vs each output layer and its loss (10 classes but Dense(1)), a
// memory estimate for the batch size vs free RAM, parameter count. Each finding comes with a fix
// in words.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

namespace tessel::ui {

struct PreflightItem {
  enum class Severity { Info, Warning, Error };
  Severity severity = Severity::Info;
  std::string code;     // "input_shape", "label_classes", "label_type", "memory", "params", ...
  std::string message;  // one line
  std::string fix;      // one line, may be empty
};

class PreflightCheck {
 public:
  struct Result {
    std::vector<PreflightItem> items;
    std::int64_t parameters = 0;
    std::int64_t estimatedBytes = 0;  // weights, grads, optimizer slots, activations of a batch
    bool ok() const;                  // no Error item
  };

  // freeRamBytes: nullopt = read MemAvailable from /proc/meminfo (no memory item when unknown).
  static Result run(const ModelSpec& spec, const CompileOptions& compile, const Dataset& data,
                    const FitOptions& fit, std::optional<std::int64_t> freeRamBytes = std::nullopt);
  // MemAvailable of /proc/meminfo in bytes (nullopt when unreadable).
  static std::optional<std::int64_t> availableMemory(const std::string& meminfo = "/proc/meminfo");
};

}  // namespace tessel::ui
