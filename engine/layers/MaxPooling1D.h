#pragma once
// keras.layers.MaxPooling1D (see Pooling2D.h).
#include "engine/layers/Pooling2D.h"

namespace tessel {

class MaxPooling1D : public Pooling2D {
 public:
  explicit MaxPooling1D(const json& config) : Pooling2D("MaxPooling1D", config, 1, true) {}
};

}  // namespace tessel
