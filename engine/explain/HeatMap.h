#pragma once
// A per-pixel explanation of one model output for one input image: height × width values in
// [0, 1] (row-major), the explained output/unit and its score (pre-softmax logit where the
// output is a softmax).
#include <string>
#include <vector>

#include "engine/tensor/Shape.h"

namespace tessel {

struct HeatMap {
  Index height = 0, width = 0;
  std::vector<float> values;  // height * width, row-major, in [0, 1]
  int output = 0;             // model output index
  int unit = -1;              // explained unit of that output (class or box coordinate)
  float score = 0;            // the explained value
  std::string layer;          // Grad-CAM: the layer whose activations were weighted

  bool empty() const { return values.empty(); }
  float at(Index y, Index x) const { return values[static_cast<size_t>(y * width + x)]; }
  // Position of the largest value (first one in row-major order); {-1, -1} when empty.
  std::pair<Index, Index> peak() const {
    if (values.empty()) return {-1, -1};
    size_t best = 0;
    for (size_t i = 1; i < values.size(); ++i)
      if (values[i] > values[best]) best = i;
    return {static_cast<Index>(best) / width, static_cast<Index>(best) % width};
  }
};

}  // namespace tessel
