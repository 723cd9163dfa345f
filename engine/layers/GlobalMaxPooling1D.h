#pragma once
// keras.layers.GlobalMaxPooling1D (see GlobalPooling.h).
#include "engine/layers/GlobalPooling.h"

namespace tessel {

class GlobalMaxPooling1D : public GlobalPooling {
 public:
  explicit GlobalMaxPooling1D(const json& config)
      : GlobalPooling("GlobalMaxPooling1D", config, 1, true) {}
};

}  // namespace tessel
