#pragma once
// keras.layers.Conv2D (and, with rank 1, Conv1D): im2col + Eigen GEMM, NHWC, fused bias and
// activation. Kernel as Keras: (kh, kw, in/groups, filters) — (k, in/groups, filters) for 1-D.
//   forward:  col (M, Kg) = im2col(x),  y (M, F) = act(col · W + b),  M = N·OH·OW
//   backward: dz = dy · act'(y),  dW = colᵀ · dz,  db = Σ dz,  dx = col2im(dz · Wᵀ)
// Buffers (col, dz, dcol) are sized on the first batch and reused.
#include <vector>

#include "engine/layers/ConvDeps.h"
#include "engine/layers/ConvUtils.h"
#include "engine/layers/Layer.h"

namespace tessel {

class Conv2D : public Layer {
 public:
  explicit Conv2D(const json& config) : Conv2D("Conv2D", config, 2) {}
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;

 protected:
  Conv2D(const std::string& className, const json& config, int rank);
  ConvGeom geometry(const Shape& in) const;  // from an input shape (batch may be kNone)

  int rank_;
  Index filters_, groups_;
  std::vector<Index> kernel_, strides_, dilation_;  // (h, w); height 1 for rank 1
  std::string padding_;
  bool useBias_;
  FusedActivation act_;
  json activityReg_;  // activity_regularizer spec (null: none); Keras 2 divides it by the batch
  ConvGeom geom_;
  Tensor col_, z_, dz_, dcol_;
  // Fast path (groups 1, AVX-512): per-thread, per-sample buffers instead of the whole-batch col.
  // colT_ (threads, oh*ow*K), dcolT_ (threads, oh*ow*K), dWT_ (threads, K*F), wt_ (F, K).
  bool fastPath(const ConvGeom& g) const;
  void forwardFast(const Tensor& X, Tensor& y, float* z);
  void backwardFast(const Tensor& X, const float* dz, Tensor* dX);
  // Stride 1, no dilation: no im2col; per-thread zero-padded input xpT_ (threads, Hp*Wp*C) and
  // output/gradient on the padded grid gridT_ (threads, rows*F), one GEMM per kernel row.
  bool direct() const;
  void padSample(const float* x, float* xp) const;
  Tensor colT_, dcolT_, dWT_, wt_, xpT_, gridT_;
  std::vector<char> used_;
};

}  // namespace tessel
