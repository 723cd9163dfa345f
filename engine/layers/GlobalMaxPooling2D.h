#pragma once
// keras.layers.GlobalMaxPooling2D (see GlobalPooling.h).
#include "engine/layers/GlobalPooling.h"

namespace tessel {

class GlobalMaxPooling2D : public GlobalPooling {
 public:
  explicit GlobalMaxPooling2D(const json& config)
      : GlobalPooling("GlobalMaxPooling2D", config, 2, true) {}
};

}  // namespace tessel
