#pragma once
// keras.layers.AveragePooling2D (see Pooling2D.h).
#include "engine/layers/Pooling2D.h"

namespace tessel {

class AveragePooling2D : public Pooling2D {
 public:
  explicit AveragePooling2D(const json& config) : Pooling2D("AveragePooling2D", config, 2, false) {}
};

}  // namespace tessel
