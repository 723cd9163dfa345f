#pragma once
// Keras SparseCategoricalCrossentropy: labels are class ids (floats holding integers), one per
// output position: (N,) or (N, 1) for an (N, C) output, (N, T) or (N, T, 1) for (N, T, C).
//   from_logits: logsumexp(x) - x_y (exact; tfjs-layers clips the logits themselves, a bug that
//                is not followed).
//   else (Keras 2 backend): c = clip(p, 1e-7, 1 - 1e-7), loss = -log(c_y / sum_j c_j); zero
//                gradient where p was clipped. (tfjs-layers clips, normalises and clips again:
//                equal unless a normalised probability falls below 1e-7.)
#include "engine/losses/Loss.h"

namespace tessel {

class SparseCategoricalCrossentropy : public Loss {
 public:
  explicit SparseCategoricalCrossentropy(bool fromLogits,
                                         std::string name = "sparse_categorical_crossentropy")
      : fromLogits_(fromLogits), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string className() const override { return "SparseCategoricalCrossentropy"; }
  nlohmann::json config() const override;
  void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const override;
  void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                Tensor& dPred) const override;
  void checkLabels(const Tensor& yTrue, const Shape& predShape) const override;
  bool sparseLabels() const override { return true; }
  bool fromLogits() const { return fromLogits_; }

 private:
  Index classOf(float label, Index classes) const;  // throws Error when out of range
  double position(Index y, const float* x, Index c, double scale, float* g) const;
  bool fromLogits_;
  std::string name_;
};

}  // namespace tessel
