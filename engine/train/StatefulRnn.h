#pragma once
// Stateful recurrent layers (Keras 2 stateful=True on SimpleRNN / LSTM / GRU, also wrapped in
// Bidirectional): the model-level part. A stateful layer needs a fixed batch size, taken from the
// batch_input_shape (or batch_size) of the model inputs it depends on; Model's constructor calls
// fixStatefulBatch for every layer it builds. resetStates is Keras's model.reset_states(): every
// stateful layer's kept states back to zero (Keras users call it between independent sequences,
// e.g. from a callback at the end of each epoch; fit never resets on its own).
#include <string>
#include <vector>

#include "engine/core/Error.h"  // before ModelSpec.h, which uses SpecError
#include "engine/graph/ModelSpec.h"

namespace tessel {

class Layer;
class Model;
class RecurrentLayer;

// The stateful recurrent layers inside `layer` (itself, or a Bidirectional's two), else none.
std::vector<RecurrentLayer*> statefulRecurrentLayers(Layer& layer);
// For a stateful layer (or a Bidirectional wrapping one) at `node`: sets its fixed batch size,
// the batch dimension of the model inputs upstream of it. Throws SpecError(BadValue) naming the
// node when an upstream input has no batch size or two inputs disagree. No-op otherwise.
void fixStatefulBatch(const ModelSpec& spec, const std::string& node, Layer& layer);
// Keras model.reset_states(): zeros every stateful layer's states; returns how many layers.
int resetStates(Model& model);
// True when the model has a stateful recurrent layer.
bool hasStatefulLayers(Model& model);

}  // namespace tessel
