#pragma once
// The "monitor / mode / min_delta" logic shared by EarlyStopping, ModelCheckpoint and
// ReduceLROnPlateau. Each Keras 2 callback infers "auto" slightly differently; the caller says
// which direction "auto" means.
#include <cmath>
#include <limits>
#include <string>

#include "engine/core/Error.h"

namespace tessel {

struct Monitor {
  bool greater = false;  // improvement = larger value ("max" mode)
  double minDelta = 0;   // >= 0

  // mode: "auto" | "min" | "max"; autoGreater: what "auto" means for this monitor.
  static Monitor make(const std::string& callback, const std::string& mode, bool autoGreater,
                      double minDelta) {
    Monitor m;
    if (mode == "min")
      m.greater = false;
    else if (mode == "max")
      m.greater = true;
    else if (mode == "auto")
      m.greater = autoGreater;
    else
      throw Error(callback + ": mode '" + mode + "' is unknown (auto, min or max)");
    m.minDelta = std::fabs(minDelta);
    return m;
  }
  // Keras: max mode is current > best + min_delta, min mode is current < best - min_delta.
  bool improved(double current, double best) const {
    return greater ? current > best + minDelta : current < best - minDelta;
  }
  double worst() const {
    return greater ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
  }
  static bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
};

}  // namespace tessel
