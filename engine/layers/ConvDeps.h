#pragma once
// The conv/norm layers' only contact with the shared activation, initializer and regularizer
// code (Activations.h, Initializers.h, Regularizers.h): one place to adapt.
#include "engine/layers/Activations.h"
#include "engine/layers/Layer.h"

namespace tessel {

// A Keras activation applied in place after the bias (fused into the conv loops). Values are
// viewed as (rows, cols); softmax normalises each row (the channel axis).
class FusedActivation {
 public:
  FusedActivation() = default;
  // Throws SpecError BadValue naming `node` for an unknown activation.
  FusedActivation(const json& spec, const std::string& node);
  bool isLinear() const { return fn_ == ActivationFn::Linear; }
  // True when backward() needs the pre-activation z; otherwise y stands in for z (relu, relu6,
  // elu, selu: z > 0 ⟺ y > 0; sigmoid, tanh, softmax use y only) and z may be nullptr.
  bool needsPreactivation() const { return needsZ_; }
  // v (rows, cols) ← act(v).
  void forward(float* v, Index rows, Index cols) const;
  // dz = dy · act'(z) for (rows, cols) values.
  void backward(const float* z, const float* y, const float* dy, float* dz, Index rows,
                Index cols) const;

 private:
  ActivationFn fn_ = ActivationFn::Linear;
  bool needsZ_ = false;
};

// Fills `t` (already shaped as the Keras variable) from a Keras initializer spec; throws
// SpecError BadValue naming `node` for a bad spec.
void initializeTensor(const json& spec, Tensor& t, Rng& rng, const std::string& node);

// Weight penalty of a Keras regularizer spec (null → 0); adds its gradient to `grad` when given.
double regularizationPenalty(const json& spec, const Tensor& w, Tensor* grad);

}  // namespace tessel
