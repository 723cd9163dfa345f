#include "engine/train/AdaptLayers.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/layers/Adaptable.h"

namespace tessel {

void adaptLayer(Layer& layer, const Array& data, Index begin, Index count, Index batchSize) {
  auto* a = dynamic_cast<Adaptable*>(&layer);
  if (!a) throw Error("layer '" + layer.name() + "': " + layer.className() + " has no adapt()");
  if (count < 0) count = data.rows() - begin;
  if (begin < 0 || count < 0 || begin + count > data.rows())
    throw Error("layer '" + layer.name() + "': adapt() rows out of range");
  if (batchSize <= 0) batchSize = 1024;
  a->resetState();
  Tensor chunk;
  std::vector<Index> idx;
  for (Index start = begin; start < begin + count; start += batchSize) {
    const Index n = std::min(batchSize, begin + count - start);
    idx.resize(size_t(n));
    for (Index i = 0; i < n; ++i) idx[size_t(i)] = start + i;
    data.gather(idx.data(), n, chunk);
    a->updateState(chunk);
  }
  a->finalizeState();
}

std::vector<std::string> adaptInputNormalizations(Model& model, const std::vector<Array>& x,
                                                  Index rows) {
  std::vector<std::string> done;
  for (const NodeSpec& node : model.spec().nodes) {
    if (node.className != "Normalization" || node.inputs.size() != 1) continue;
    Layer* layer = model.layer(node.name);
    auto* a = dynamic_cast<Adaptable*>(layer);
    if (!a || a->adapted()) continue;
    for (size_t i = 0; i < model.numInputs() && i < x.size(); ++i) {
      if (model.inputName(i) != node.inputs[0]) continue;
      adaptLayer(*layer, x[i], 0, std::min(rows, x[i].rows()));
      done.push_back(node.name);
      break;
    }
  }
  return done;
}

}  // namespace tessel
