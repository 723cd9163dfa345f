#pragma once
// keras.layers.BatchNormalization. x is viewed as (outer, C, inner) around `axis` (-1: inner = 1).
//   training:  mean, var = batch moments over outer × inner (biased var),
//              y = gamma · (x - mean) / sqrt(var + eps) + beta,
//              moving = moving - (moving - batch) · (1 - momentum)   (TF.js / Keras 2 non-fused:
//              the biased batch variance feeds moving_variance, no n/(n-1) correction)
//   inference: the same with moving_mean / moving_variance. A non-trainable layer always runs in
//              inference mode (Keras 2 TF2 behaviour).
//   backward (training): dx = gamma·invstd/m · (m·dy - Σdy - x̂·Σ(dy·x̂)), m = outer·inner.
// Variables in Keras order: gamma (if scale), beta (if center), moving_mean, moving_variance.
#include "engine/layers/Layer.h"

namespace tessel {

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 private:
  int axisFor(size_t rank) const;  // resolved axis; throws SpecError when out of range
  Variable* gamma();
  Variable* beta();
  Variable& movingMean() { return vars_[vars_.size() - 2]; }
  Variable& movingVariance() { return vars_[vars_.size() - 1]; }

  int axis_;
  double momentum_, epsilon_;
  bool center_, scale_;
  bool usedBatchStats_ = false;       // mode of the last forward
  std::vector<float> mean_, invStd_;  // (C) statistics used by the last forward
  std::vector<double> sumDy_, sumDyXhat_;
};

}  // namespace tessel
