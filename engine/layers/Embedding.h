#pragma once
// keras.layers.Embedding (Keras 2): turns integer ids into dense vectors.
//   x is (N, ...) of ids (floats holding integers in [0, input_dim)), embeddings E is
//   (input_dim, output_dim), y is (N, ..., output_dim) with y[i] = E[x[i]].
// mask_zero: id 0 is padding; the output carries the mask x != 0 (shape of x), and input_dim must
// count it. input_length (Keras 2): when set, the input's second axis must have that length.
// Backward: dE[id] += dy rows (scatter-add); ids have no gradient (dx is zero).
#include "engine/layers/Initializers.h"
#include "engine/layers/Layer.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

class Embedding : public Layer {
 public:
  explicit Embedding(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;
  MaskOut maskOut(const std::vector<bool>&) const override {
    return maskZero_ ? MaskOut::Own : MaskOut::None;
  }

  Index inputDim() const { return inputDim_; }
  Index outputDim() const { return outputDim_; }
  bool maskZero() const { return maskZero_; }

 private:
  Index inputDim_ = 0, outputDim_ = 0;
  bool maskZero_ = false;
  Index inputLength_ = -1;
  Initializer init_;
  Regularizer reg_, activityReg_;
  Shape outShape_;
  Tensor dyAct_;
};

}  // namespace tessel
