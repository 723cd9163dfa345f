#include "engine/core/KerasFormat.h"

#include <cmath>
#include <cstdio>

namespace tessel {

std::string kerasNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  return buf;
}

}  // namespace tessel
