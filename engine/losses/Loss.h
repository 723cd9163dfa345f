#pragma once
// Keras losses. A loss computes one value per sample (Keras's reduction "none"), and the gradient
// of sum_i scale[i] * loss_i with respect to y_pred. The trainer chooses scale[i] =
// sample_weight[i] * loss_weight / batch_size, which is Keras's sum_over_batch_size reduction.
// yTrue has the shape of yPred, except for sparse losses where it is (N,) or (N, 1) class ids
// stored as floats.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/tensor/Tensor.h"

namespace tessel {

class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;   // Keras name: "sparse_categorical_crossentropy"
  virtual nlohmann::json config() const;  // {"from_logits": ..., ...}
  // out[i] = loss of sample i, i in [0, N).
  virtual void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const = 0;
  // dPred (resized to yPred's shape) = d/dyPred sum_i scale[i] * loss_i.
  virtual void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                        Tensor& dPred) const = 0;
  // Throws Error with a clear message if yTrue does not fit (e.g. class id out of range for a
  // sparse loss, wrong shape). Called once per data set, not per batch.
  virtual void checkLabels(const Tensor& yTrue, const Shape& predShape) const;
};

// "mse", "mean_squared_error", "MeanSquaredError", {"class_name": ..., "config": ...}; throws Error
// listing the known names when unknown.
std::unique_ptr<Loss> makeLoss(const nlohmann::json& spec);

}  // namespace tessel
