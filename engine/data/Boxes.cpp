#include "engine/data/Boxes.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "engine/core/Error.h"

namespace tessel {

float boxIou(const float* a, const float* b) {
  const float ay1 = std::min(a[0], a[2]), ax1 = std::min(a[1], a[3]);
  const float ay2 = std::max(a[0], a[2]), ax2 = std::max(a[1], a[3]);
  const float by1 = std::min(b[0], b[2]), bx1 = std::min(b[1], b[3]);
  const float by2 = std::max(b[0], b[2]), bx2 = std::max(b[1], b[3]);
  const float areaA = (ay2 - ay1) * (ax2 - ax1);
  const float areaB = (by2 - by1) * (bx2 - bx1);
  if (areaA <= 0.0f || areaB <= 0.0f) return 0.0f;
  const float ih = std::max(0.0f, std::min(ay2, by2) - std::max(ay1, by1));
  const float iw = std::max(0.0f, std::min(ax2, bx2) - std::max(ax1, bx1));
  const float inter = ih * iw;
  return inter / (areaA + areaB - inter);
}

std::vector<Index> nonMaxSuppression(const float* boxes, const float* scores, Index n,
                                     Index maxOutputSize, float iouThreshold,
                                     float scoreThreshold) {
  if (!(iouThreshold >= 0.0f && iouThreshold <= 1.0f))
    throw Error("non_max_suppression: iou_threshold must be in [0, 1], got " +
                std::to_string(iouThreshold));
  if (maxOutputSize < 0)
    throw Error("non_max_suppression: max_output_size must be >= 0, got " +
                std::to_string(maxOutputSize));
  std::vector<Index> order;
  order.reserve(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i)
    if (scores[i] > scoreThreshold) order.push_back(i);
  // Decreasing score; stable, so equal scores keep the lower index first.
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return scores[a] > scores[b]; });
  std::vector<Index> kept;
  for (Index i : order) {
    if (static_cast<Index>(kept.size()) >= maxOutputSize) break;
    bool suppressed = false;
    for (Index k : kept)
      if (boxIou(boxes + 4 * i, boxes + 4 * k) >= iouThreshold) {
        suppressed = true;
        break;
      }
    if (!suppressed) kept.push_back(i);
  }
  return kept;
}

}  // namespace tessel
