#pragma once
// Keras's model.layers order of a functional model, shared by the HDF5 / .keras readers and
// writers (engine/io/KerasH5) and the fine-tuning operations (engine/graph/FineTune).
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel {

// The layer order Keras gives a model built from `spec` (model.layers, InputLayers included):
// by decreasing depth from the outputs, ties in the order a depth-first walk from the outputs
// meets them (map_graph). Saved files list layers in this order, and load_weights by order and
// the Keras 3 layer paths follow it. A chain keeps its order.
std::vector<std::string> kerasLayerOrder(const ModelSpec& spec);
// `spec` with its nodes in kerasLayerOrder (what the writers here write).
ModelSpec inKerasLayerOrder(const ModelSpec& spec);

}  // namespace tessel
