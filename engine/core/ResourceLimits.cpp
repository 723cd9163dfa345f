#include "engine/core/ResourceLimits.h"

namespace tessel {

std::int64_t boundedProduct(const Shape& shape, std::int64_t limit) {
  std::int64_t p = 1;
  for (Index d : shape) {
    if (d < 0) return -1;
    if (d != 0 && p > limit / d) return -1;
    p *= d;
  }
  return p > limit ? -1 : p;
}

std::string byteSizeText(std::int64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + " " + units[u];
}

std::string countText(std::int64_t count) {
  std::string digits = std::to_string(count < 0 ? -count : count), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return count < 0 ? "-" + out : out;
}

}  // namespace tessel
