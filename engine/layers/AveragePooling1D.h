#pragma once
// keras.layers.AveragePooling1D (see Pooling2D.h).
#include "engine/layers/Pooling2D.h"

namespace tessel {

class AveragePooling1D : public Pooling2D {
 public:
  explicit AveragePooling1D(const json& config) : Pooling2D("AveragePooling1D", config, 1, false) {}
};

}  // namespace tessel
