#pragma once
// keras.layers.Dense: y = activation(x · kernel + bias) on the last axis of any-rank input.
//   x is (N, ..., in), kernel is (in, units), bias is (units), y is (N, ..., units).
// The activation is fused: z = x · kernel + bias is kept in a reused buffer for backward.
#include "engine/layers/Activations.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Layer.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

class Dense : public Layer {
 public:
  explicit Dense(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;
  bool supportsMasking() const override { return true; }  // Keras 2: the mask passes on

  Index units() const { return units_; }
  ActivationFn activation() const { return activation_; }
  // Internal per-batch buffers (pre-activation z, and dL/dz), exposed for the allocation test.
  const Tensor& preActivationBuffer() const { return z_; }
  const Tensor& gradientBuffer() const { return dz_; }

 private:
  Shape outShape_;  // scratch for forward()
  Index units_ = 0;
  Index inputDim_ = -1;  // set by build()
  ActivationFn activation_ = ActivationFn::Linear;
  bool useBias_ = true;
  Initializer kernelInit_, biasInit_;
  Regularizer kernelReg_, biasReg_, activityReg_;
  Tensor z_;   // (rows, units) pre-activation; unused for a linear activation (z is y)
  Tensor dz_;  // (rows, units) dL/dz; unused when dL/dz is dy itself
};

}  // namespace tessel
