#pragma once
// Keras CategoricalCrossentropy: labels one-hot (or a distribution) over the last axis (C).
//   from_logits: -sum_j t_j log softmax(x)_j (exact log-softmax, as Keras's
//                softmax_cross_entropy_with_logits; tfjs-layers instead takes softmax and clips
//                it to [1e-7, 1 - 1e-7], which only differs when a probability is below 1e-7).
//   else:        q = p / sum(p) over the last axis, clipped to [1e-7, 1 - 1e-7] (Keras 2 and
//                tfjs-layers), -sum_j t_j log q_j; zero gradient where q was clipped.
// label_smoothing s: t becomes t (1 - s) + s / C.
#include "engine/losses/Loss.h"

namespace tessel {

class CategoricalCrossentropy : public Loss {
 public:
  explicit CategoricalCrossentropy(bool fromLogits, double labelSmoothing,
                                   std::string name = "categorical_crossentropy")
      : fromLogits_(fromLogits), labelSmoothing_(labelSmoothing), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "CategoricalCrossentropy"; }
  nlohmann::json config() const override;
  void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const override;
  void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                Tensor& dPred) const override;
  bool fromLogits() const { return fromLogits_; }

 private:
  // Loss of one position; t and x are C values. If g is not null, g = c * dLoss/dx.
  double position(const float* t, const float* x, Index c, double scale, float* g) const;
  bool fromLogits_;
  double labelSmoothing_;
  std::string name_;
};

}  // namespace tessel
