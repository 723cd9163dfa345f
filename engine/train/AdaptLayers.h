#pragma once
// Keras's `layer.adapt(data)` for the engine's Adaptable layers (Normalization), from data held
// in an Array, and the automatic adapt before fit.
#include <string>
#include <vector>

#include "engine/data/Array.h"
#include "engine/layers/Layer.h"
#include "engine/train/Model.h"

namespace tessel {

// layer.adapt(data rows [begin, begin + count)) in chunks of batchSize rows (count -1: to the
// end). The layer must be built and Adaptable; throws Error otherwise or when the data's shape
// does not fit.
void adaptLayer(Layer& layer, const Array& data, Index begin = 0, Index count = -1,
                Index batchSize = 1024);

// The automatic adapt before fit: every Normalization layer that has no state yet (no mean and
// variance in its config, not adapted, no adapted weights loaded) and whose input is directly a
// model input i is adapted on rows [0, rows) of x[i] (the training rows). Normalization layers
// deeper in the graph are left alone (they would need the upstream layers' outputs; Keras users
// call adapt() on them explicitly: adaptLayer). Returns the names of the layers adapted.
std::vector<std::string> adaptInputNormalizations(Model& model, const std::vector<Array>& x,
                                                  Index rows);

}  // namespace tessel
