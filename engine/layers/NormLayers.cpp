#include "engine/layers/LayerRegistry.h"

namespace tessel {

// Placeholder until the Norm layer family lands (issue: convolutional and normalisation layers).
void registerNormLayers(LayerRegistry&) {}

}  // namespace tessel
