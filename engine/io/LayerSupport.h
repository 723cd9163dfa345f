#pragma once
// Which layers of an imported model the engine cannot build. An imported file with such layers is
// refused with every one of them listed by name, never silently dropped.
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel {

// "name (ClassName)" of every node whose class the layer registry does not know, in node order.
std::vector<std::string> unsupportedLayers(const ModelSpec& spec);
// Throws Error "<source>: 2 layers are not supported by Tessel: 'lstm' (LSTM), 'gru' (GRU)"
// when unsupportedLayers(spec) is not empty.
void requireSupportedLayers(const ModelSpec& spec, const std::string& source);

}  // namespace tessel
