#pragma once
// keras.layers.Normalization: y = (x - mean) / max(sqrt(variance), 1e-7) with one mean and
// variance per index of the kept `axis` (axes), broadcast over the others (invert: y = mean +
// x * max(sqrt(variance), 1e-7)); the same in training and inference. dy/dx = 1 / max(...).
// mean and variance either come from the config (then the layer has no weights) or from adapt()
// (Adaptable); then the layer has Keras 2's three non-trainable weights mean, variance (kept
// shape) and count (a scalar, int64 in Keras, a float here), so the summary shows 2 * C + 1.
// Config as Keras 2 writes it: axis (a list, [-1] by default; an int or null is accepted), mean,
// variance (null or number or list), invert.
#include <vector>

#include "engine/layers/Adaptable.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Normalization : public Layer, public Adaptable {
 public:
  explicit Normalization(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  bool adapted() const override;
  void resetState() override;
  void updateState(const Tensor& batch) override;
  void finalizeState() override;

  // For the GPU plan: per value of one sample (the built input shape without the batch), the
  // mean and the denominator max(sqrt(variance), epsilon) that forward() uses, from the current
  // weights (or config); invert(): forward computes mean + x * denominator instead of
  // (x - mean) / denominator.
  void sampleStats(std::vector<float>& mean, std::vector<float>& denom);
  bool invert() const { return invert_; }

 private:
  struct Plan {
    std::vector<Index> keptAxes;   // sorted, positive
    Shape keptShape;               // mean/variance shape
    Index kept = 1;                // product of keptShape
    std::vector<Index> keptIndex;  // per element of one sample: its mean/variance index
  };
  Plan plan(const Shape& input) const;  // throws SpecError naming the layer
  void refreshDenominators();           // mean_/denom_ from the weights or the config

  std::vector<int> axes_;  // as configured (may be negative)
  std::vector<float> configMean_, configVariance_;
  bool fromConfig_ = false, invert_ = false;
  Shape builtShape_;  // input shape (batch kNone)
  Plan plan_;
  std::vector<float> mean_, denom_;  // (kept) what forward uses
  // adapt() accumulators (double), Keras 2's combination of batch moments.
  double count_ = 0;
  std::vector<double> accMean_, accVar_, bMean_, bVar_;
  bool adapted_ = false;
};

}  // namespace tessel
