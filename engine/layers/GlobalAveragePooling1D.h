#pragma once
// keras.layers.GlobalAveragePooling1D (see GlobalPooling.h).
#include "engine/layers/GlobalPooling.h"

namespace tessel {

class GlobalAveragePooling1D : public GlobalPooling {
 public:
  explicit GlobalAveragePooling1D(const json& config)
      : GlobalPooling("GlobalAveragePooling1D", config, 1, false) {}
};

}  // namespace tessel
