#pragma once
// keras.layers.Dot: batchwise dot product of two inputs along one axis of each (Keras 2's
// backend.batch_dot, which TF.js ports). Config: `axes`, an int (the same axis of both inputs) or
// a pair [axis of x0, axis of x1], negative counting from the end, never the batch axis; and
// `normalize` (default false): L2-normalize both inputs along those axes first, so that the
// output is the cosine similarity.
//
// x0 is (N, ...a0..., K, ...b0...) and x1 is (N, ...a1..., K, ...b1...) with K on the dot axes;
// y is (N, ...a0..., ...b0..., ...a1..., ...b1...), or (N, 1) when that leaves only the batch
// axis (two rank-2 inputs). Per sample, x0 is packed into X (P, K) with P = |a0|·|b0| rows and x1
// into Z (Q, K), so that
//   forward:  y_n = X Zᵀ (P, Q)
//   backward: dX = dy_n Z (P, K), dZ = dy_nᵀ X (Q, K), unpacked into dx0, dx1.
// With normalize, each row r of X (and of Z) is first divided by sqrt(max(Σ r², 1e-12)) (Keras 2's
// tf.linalg.l2_normalize; TF.js clamps at 1e-7, which only differs for rows with Σ r² < 1e-7),
// and backward maps the row gradient g to (g - x̂ (g·x̂)) / ‖r‖ (g / sqrt(1e-12) where clamped).
#include <array>

#include "engine/layers/MergeLayer.h"

namespace tessel {

class Dot : public MergeLayer {
 public:
  explicit Dot(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  // One input seen per sample as (outer, K, inner): the dims before the dot axis, the dot axis,
  // the dims after it; rows = outer * inner. (Public for the GPU plan.)
  struct Packing {
    Index outer = 1, k = 1, inner = 1;
    Index rows() const { return outer * inner; }
  };
  // The dot axes (positive, >= 1) for inputs of these shapes (batch included); throws
  // ShapeMismatch naming both shapes when one is out of range or on the batch axis.
  std::array<int, 2> resolveAxes(const Shape& s0, const Shape& s1) const;
  static Packing packing(const Shape& s, int axis);
  bool normalize() const { return normalize_; }

 private:
  // Input i packed per sample ((outer, K, inner) -> (rows, K)) into packed_[i], its rows
  // normalized when asked (1 / norm in invNorm_[i], clamped_[i] where Σ r² <= 1e-12).
  void packInput(int i, const Tensor& x);
  // grad_[i], the gradient of the packed (normalized) rows -> dx, the raw input's gradient.
  void unpackGradient(int i, Tensor& dx);

  std::array<int, 2> axes_{};  // as configured (may be negative)
  bool normalize_ = false;
  std::array<Packing, 2> pack_;
  Tensor packed_[2], grad_[2];
  std::vector<float> invNorm_[2];
  std::vector<unsigned char> clamped_[2];
};

}  // namespace tessel
