#include "engine/layers/LayerRegistry.h"

namespace tessel {

// Placeholder until the Conv layer family lands (issue: convolutional and normalisation layers).
void registerConvLayers(LayerRegistry&) {}

}  // namespace tessel
