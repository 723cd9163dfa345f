#pragma once
// keras.layers.Bidirectional (Keras 2): runs a recurrent layer (SimpleRNN, LSTM, GRU; config
// `layer` = {"class_name", "config"}) forwards and a copy of it backwards (go_backwards flipped)
// over the same input, and merges the two outputs (merge_mode concat / sum / mul / ave).
//   x is (N, T, F); yf, yb are (N, T, U) (return_sequences; yb is reversed back into time order)
//   or (N, U); y is (N, ..., 2U) for concat, else (N, ..., U).
// Weights: the forward layer's (kernel, recurrent_kernel, bias) then the backward layer's, named
// "forward_<layer name>/kernel", ... as Keras writes them. With return_sequences the inner layers
// output zeros at masked steps (Keras forces zero_output_for_mask); the input mask passes on.
// merge_mode null: two outputs [forward, backward] (both in time order). With the wrapped
// layer's return_state the forward layer's states then the backward layer's follow, as Keras
// returns them: [output(s)..., h_fwd, (c_fwd,) h_bwd, (c_bwd)]. Initial states (Keras
// initial_state=[...]) as extra inputs in the same order: the first half goes to the forward
// layer, the second half to the backward layer. backward_layer is refused.
#include <memory>

#include "engine/layers/RecurrentLayer.h"

namespace tessel {

class Bidirectional : public Layer {
 public:
  explicit Bidirectional(const json& config);

  Shape outputShape(const std::vector<Shape>& inputs) const override;
  std::vector<std::string> outputNames() const override;
  std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
  MaskOut maskOutOf(size_t k, const std::vector<bool>& inputMasked) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;
  bool supportsMasking() const override { return true; }
  MaskOut maskOut(const std::vector<bool>& inputMasked) const override;

  RecurrentLayer& forwardLayer() { return *fwd_; }
  RecurrentLayer& backwardLayer() { return *bwd_; }
  const std::string& mergeMode() const { return merge_; }

 private:
  // x (or shapes) and the initial states of one direction: {x, h, (c)} from {x, h_f, (c_f,) h_b,
  // (c_b)}; {x} alone when there are no states.
  template <class T>
  std::vector<T> directionInputs(const std::vector<T>& all, bool backwardHalf) const;
  void swapVariables();  // exchanges the stored values / grads with the inner layers'
  std::unique_ptr<RecurrentLayer> fwd_, bwd_;
  size_t firstState() const { return merge_.empty() ? 2 : 1; }
  std::string merge_ = "concat";  // "" for merge_mode null (two outputs)
  bool returnSequences_ = false, returnState_ = false;
  int states_ = 0;
  Tensor yf_, yb_, ybTime_, dyf_, dyb_, dxf_, dxb_;
  Tensor stateBuf_[4];                          // h_fwd, c_fwd, h_bwd, c_bwd (inner outputs)
  std::vector<Tensor*> fwdStates_, bwdStates_;  // the inner layers' extra outputs
  std::vector<const Tensor*> fwdStateGrads_, bwdStateGrads_;
};

}  // namespace tessel
