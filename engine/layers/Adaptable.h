#pragma once
// Layers that learn state from data before training (Keras's `layer.adapt(data)`): today
// Normalization. The state is computed in streaming form, as Keras 2's preprocessing layers do:
// resetState, updateState per batch, finalizeState. Kept apart from the Layer contract; find it
// with dynamic_cast<Adaptable*>(layer).
// Model-level helpers (adapt from a data Array, adapt the Normalization layers fed by model
// inputs before fit) are in engine/train/AdaptLayers.h.
#include "engine/tensor/Tensor.h"

namespace tessel {

class Adaptable {
 public:
  virtual ~Adaptable() = default;
  // True when the layer has its state: adapted, loaded with adapted weights, or given it in its
  // config (Normalization with mean and variance).
  virtual bool adapted() const = 0;
  // The layer must be built. batch is (n, ...) with the layer's input shape after the batch axis;
  // updateState throws Error naming the layer when it does not fit.
  virtual void resetState() = 0;
  virtual void updateState(const Tensor& batch) = 0;
  virtual void finalizeState() = 0;

  // Keras layer.adapt(data) for data (N, ...) held in one tensor.
  void adapt(const Tensor& data) {
    resetState();
    updateState(data);
    finalizeState();
  }
};

}  // namespace tessel
