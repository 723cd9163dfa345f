#include "engine/layers/LayerRegistry.h"

namespace tessel {

// Placeholder until the Preprocessing layer family lands (issue: convolutional and normalisation
// layers).
void registerPreprocessingLayers(LayerRegistry&) {}

}  // namespace tessel
