#pragma once
// Keras losses. A loss computes one value per sample (Keras's reduction "none"), and the gradient
// of sum_i scale[i] * loss_i with respect to y_pred. The trainer chooses scale[i] =
// sample_weight[i] * loss_weight / batch_size, which is Keras's sum_over_batch_size reduction.
// yTrue has the shape of yPred, except for sparse losses where it is (N,) or (N, 1) class ids
// stored as floats.
//
// Per-sample value of an output (N, d1, ..., dk): Keras reduces the last axis (mean for the
// elementwise losses, sum over classes for the crossentropies / KL divergence), and its
// sum_over_batch_size reduction then averages the remaining (N, d1, ..., dk-1) values. Here the
// d1..dk-1 positions are averaged into the sample's value, so that sum_i loss_i / N is Keras's
// loss. A rank-1 output (N,) is treated as (N, 1), as Keras's data adapter expands 1-D targets.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/tensor/Tensor.h"

namespace tessel {

class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;  // Keras name: "sparse_categorical_crossentropy"
  virtual std::string className() const { return name(); }  // "SparseCategoricalCrossentropy"
  virtual nlohmann::json config() const;  // {"name": ..., "reduction": "auto", "from_logits": ...}
  // out[i] = loss of sample i, i in [0, N).
  virtual void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const = 0;
  // dPred (resized to yPred's shape) = d/dyPred sum_i scale[i] * loss_i. scale may be nullptr
  // (all ones).
  virtual void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                        Tensor& dPred) const = 0;
  // Throws Error with a clear message if yTrue does not fit (e.g. class id out of range for a
  // sparse loss, wrong shape). Called once per data set, not per batch. predShape may have kNone
  // as its batch dimension. The default checks that each sample has as many label values as the
  // output has values.
  virtual void checkLabels(const Tensor& yTrue, const Shape& predShape) const;
  // True for the sparse losses (labels are class ids, one per output position).
  virtual bool sparseLabels() const { return false; }
  // A loss that weighs its samples itself (a custom loss reading sample_weight) keeps `w` (the
  // batch's sample_weight x class_weight, nullptr: ones) for the next perSample / gradient and
  // returns true: the trainer then weighs its values by 1. The default keeps nothing.
  virtual bool takeSampleWeights(const float* w) {
    (void)w;
    return false;
  }
  // {"class_name": className(), "config": config()} as Keras serializes a loss object.
  nlohmann::json toJson() const;
};

// "mse", "mean_squared_error", "MeanSquaredError", {"class_name": ..., "config": ...}; throws Error
// listing the known names when unknown.
std::unique_ptr<Loss> makeLoss(const nlohmann::json& spec);

}  // namespace tessel
