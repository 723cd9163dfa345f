#include "engine/layers/Subtract.h"

namespace tessel {

// Exactly two inputs, as Keras. (TF.js has no Subtract layer.)
Subtract::Subtract(const json& config) : MergeLayer("Subtract", config, 2, 2) {}

// y = x0 - x1
void Subtract::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  checkSameShapes(x);
  y.resize(x[0]->shape());
  y.array() = x[0]->array() - x[1]->array();
}

// dx0 = dy, dx1 = -dy
void Subtract::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                        const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.size() > 0 && dx[0]) dx[0]->copyFrom(dy);
  if (dx.size() > 1 && dx[1]) {
    dx[1]->resize(dy.shape());
    dx[1]->array() = -dy.array();
  }
}

}  // namespace tessel
