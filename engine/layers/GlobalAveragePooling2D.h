#pragma once
// keras.layers.GlobalAveragePooling2D (see GlobalPooling.h).
#include "engine/layers/GlobalPooling.h"

namespace tessel {

class GlobalAveragePooling2D : public GlobalPooling {
 public:
  explicit GlobalAveragePooling2D(const json& config)
      : GlobalPooling("GlobalAveragePooling2D", config, 2, false) {}
};

}  // namespace tessel
