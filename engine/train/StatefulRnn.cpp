#include "engine/train/StatefulRnn.h"

#include <set>

#include "engine/layers/Bidirectional.h"
#include "engine/layers/RecurrentLayer.h"
#include "engine/train/Model.h"

namespace tessel {

std::vector<RecurrentLayer*> statefulRecurrentLayers(Layer& layer) {
  std::vector<RecurrentLayer*> out;
  if (auto* r = dynamic_cast<RecurrentLayer*>(&layer)) {
    if (r->stateful()) out.push_back(r);
  } else if (auto* b = dynamic_cast<Bidirectional*>(&layer)) {
    for (RecurrentLayer* r : {&b->forwardLayer(), &b->backwardLayer()})
      if (r->stateful()) out.push_back(r);
  }
  return out;
}

void fixStatefulBatch(const ModelSpec& spec, const std::string& node, Layer& layer) {
  std::vector<RecurrentLayer*> rnns = statefulRecurrentLayers(layer);
  if (rnns.empty()) return;
  const std::string howTo =
      "a stateful RNN needs a fixed batch size: give the model input a batch size "
      "(batch_input_shape with a number first, e.g. [32, 10, 8] on the Sequential's first layer, "
      "or batch_size / batch_shape on the Input layer)";
  // The model inputs this node depends on.
  std::set<std::string> seen;
  std::vector<std::string> todo{node};
  Index batch = kNone;
  std::string first;
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!seen.insert(name).second) continue;
    const NodeSpec* n = spec.find(name);
    if (!n) continue;
    if (n->isInput()) {
      const Index b = inputLayerShape(*n)[0];
      if (b == kNone || b < 1)
        throw SpecError(SpecErrorKind::BadValue, node, howTo + " (input '" + name + "' has none)");
      if (batch != kNone && b != batch)
        throw SpecError(SpecErrorKind::BadValue, node,
                        "a stateful RNN needs one batch size, but input '" + first + "' has " +
                            std::to_string(batch) + " and input '" + name + "' has " +
                            std::to_string(b));
      batch = b;
      first = name;
      continue;
    }
    for (const std::string& in : n->inputs) todo.push_back(in);
  }
  if (batch == kNone) throw SpecError(SpecErrorKind::BadValue, node, howTo);
  for (RecurrentLayer* r : rnns) r->setStatefulBatch(batch);
}

int resetStates(Model& model) {
  int count = 0;
  for (Layer* l : model.layers())
    for (RecurrentLayer* r : statefulRecurrentLayers(*l)) {
      r->resetStates();
      ++count;
    }
  return count;
}

bool hasStatefulLayers(Model& model) {
  for (Layer* l : model.layers())
    if (!statefulRecurrentLayers(*l).empty()) return true;
  return false;
}

}  // namespace tessel
