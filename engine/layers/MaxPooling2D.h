#pragma once
// keras.layers.MaxPooling2D (see Pooling2D.h).
#include "engine/layers/Pooling2D.h"

namespace tessel {

class MaxPooling2D : public Pooling2D {
 public:
  explicit MaxPooling2D(const json& config) : Pooling2D("MaxPooling2D", config, 2, true) {}
};

}  // namespace tessel
