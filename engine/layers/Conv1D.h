#pragma once
// keras.layers.Conv1D: Conv2D on (batch, 1, steps, channels). Kernel (k, in/groups, filters);
// padding valid / same / causal (all padding before, as Keras).
#include "engine/layers/Conv2D.h"

namespace tessel {

class Conv1D : public Conv2D {
 public:
  explicit Conv1D(const json& config) : Conv2D("Conv1D", config, 1) {}
};

}  // namespace tessel
