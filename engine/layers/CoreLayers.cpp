#include "engine/layers/LayerRegistry.h"

namespace tessel {

void registerCoreLayers(LayerRegistry&) {}

}  // namespace tessel
