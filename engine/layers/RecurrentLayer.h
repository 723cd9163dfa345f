#pragma once
// The part keras.layers.SimpleRNN, LSTM and GRU share (Keras 2's RNN + its cell): config, weights,
// the loop over time with masks, dropout masks fixed across time steps, and full backpropagation
// through time. A cell (SimpleRNN.cpp, LSTM.cpp, GRU.cpp) supplies one step forward and backward
// for the whole batch.
//   x is (N, T, F); optional initial states h0 (N, U) (and c0 (N, U) for LSTM) as extra inputs;
//   kernel W is (F, G*U), recurrent_kernel R is (U, G*U), G gates side by side in Keras order;
//   y is (N, T, U) with return_sequences (in processing order: reversed with go_backwards, as
//   Keras), else (N, U), the last output.
// Masks (Keras 2 backend.rnn): where the step mask is 0 the state is carried over and the output
// is the previous output (zero before any real step), or zero with zeroOutputForMask (what
// Bidirectional sets when returning sequences). Dropout (training only): one input mask per gate
// (or one for all when recurrent_dropout is 0, Keras's implementation 2) and one recurrent mask
// per gate, drawn once per batch and used at every time step.
// return_state: outputs [y, h_T] (SimpleRNN, GRU) or [y, h_T, c_T] (LSTM) through
// RunContext::extraOutput; their gradients (RunContext::extraOutputGrad) seed backpropagation.
// stateful=true (Keras 2): the final state(s) of sample row k of one batch are the initial
// state(s) of row k of the next call (training, evaluation and prediction alike) until
// resetStates(); gradients stop at the batch boundary (truncated BPTT); initial states fed as
// inputs win over the kept ones (as Keras). It needs a fixed batch size: Model (or whoever builds
// the layer) calls setStatefulBatch(N) from the model input's batch_input_shape; forward throws an
// Error naming the layer without one or on a batch of another size.
// Refused with a clear SpecError naming the node: a 2-D input, time_major=true; unroll=true is
// accepted (same numerics).
#include "engine/layers/Activations.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Layer.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

class RecurrentLayer : public Layer {
 public:
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  std::vector<std::string> outputNames() const override;
  std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  double regularization(bool addGrads) override;
  bool supportsMasking() const override { return true; }
  // The input's mask passes on with return_sequences (Keras RNN.compute_mask), else none.
  MaskOut maskOut(const std::vector<bool>& inputMasked) const override;

  Index units() const { return units_; }
  bool returnSequences() const { return returnSequences_; }
  bool returnState() const { return returnState_; }
  bool goBackwards() const { return goBackwards_; }
  int gates() const { return gates_; }
  int stateCount() const { return states_; }
  // Bidirectional: the output of a masked step is zero instead of the previous output.
  void setZeroOutputForMask(bool on) { zeroOutputForMask_ = on; }

  // stateful=true: the fixed batch size (sets the kept states to zero), the kept state k (h, then
  // c for LSTM; (N, U), empty before setStatefulBatch) and Keras reset_states() (zeros).
  bool stateful() const { return stateful_; }
  Index statefulBatch() const { return statefulBatch_; }
  void setStatefulBatch(Index n);
  void resetStates();
  const Tensor& keptState(int k) const { return kept_[k]; }
  // Keras reset_states(states): sets the kept state k to `value` ((N, U)); throws Error otherwise.
  void setKeptState(int k, const Tensor& value);

 protected:
  // gates: G (SimpleRNN 1, GRU 3, LSTM 4); states: 1 (h) or 2 (h, c).
  RecurrentLayer(std::string className, const json& config, int gates, int states);

  // The number of values of the bias (Keras shape), and the input part of the bias (G*U values
  // added to x·W), nullptr when there is none; the recurrent part is the cell's business.
  virtual Shape biasShape() const;
  virtual void initBias(Tensor& bias, Rng& rng) const;
  virtual Index inputBiasOffset() const { return 0; }
  // One step for the whole batch. p (N, G*U) holds x_t·W + input bias on entry; the cell adds
  // the recurrent part and applies its activations, keeping pre-activations in p and activations
  // in a (N, G*U); it may keep more in its own per-step buffers (t is the processing step).
  // Writes the new state(s) hNew (N, U) and, for LSTM, cNew.
  virtual void cellForward(Index t, UnalignedMatrixMap p, UnalignedMatrixMap a,
                           const ConstUnalignedMatrixMap& hPrev, const float* cPrev,
                           UnalignedMatrixMap hNew, float* cNew) = 0;
  // dh (N, U) = dL/dhNew, dc = dL/dcNew (LSTM): writes dp (N, G*U) = dL/d(x_t·W + input bias),
  // ADDS dL/dhPrev into dhPrev and writes dL/dcPrev into dcPrev (LSTM); accumulates the
  // recurrent weights' gradients (and a recurrent bias's).
  virtual void cellBackward(Index t, const ConstUnalignedMatrixMap& p,
                            const ConstUnalignedMatrixMap& a, const ConstUnalignedMatrixMap& hPrev,
                            const float* cPrev, const float* dh, const float* dc,
                            UnalignedMatrixMap dp, UnalignedMatrixMap dhPrev, float* dcPrev) = 0;
  // Called at the start of forward with the batch and step count (cells size their buffers).
  virtual void cellPrepare(Index n, Index steps) {
    (void)n;
    (void)steps;
  }

  // For cells: out.block(gates g0..g0+count) += (hPrev * recurrent dropout mask_g) · R_g.
  void addRecurrent(const ConstUnalignedMatrixMap& hPrev, Eigen::Ref<MatrixRM> out, int g0,
                    int count);
  // Backward of addRecurrent: dR_g += (hPrev * mask_g)^T dOut_g; dhPrev += (dOut_g R_g^T) * mask_g.
  void backRecurrent(const ConstUnalignedMatrixMap& hPrev, const Eigen::Ref<const MatrixRM>& dOut,
                     UnalignedMatrixMap dhPrev, int g0, int count);
  // Activation over the columns [col, col + width) of every row of a (rows, ld) buffer.
  static void activateBlock(ActivationFn fn, const float* z, float* y, Index rows, Index ld,
                            Index col, Index width);
  // dz = dy * f'(z) over the same block (dz and dy (rows, width) contiguous).
  static void activateBlockBackward(ActivationFn fn, const float* z, const float* y,
                                    const float* dy, float* dz, Index rows, Index ld, Index col,
                                    Index width);

  Tensor& gradOf(int var);  // the variable's grad, or a scratch when it is frozen
  Variable& kernelVar() { return vars_[0]; }
  Variable& recurrentVar() { return vars_[1]; }
  Variable* biasVar() { return useBias_ ? &vars_[2] : nullptr; }

  Index units_ = 0;
  int gates_ = 1, states_ = 1;
  Index inputDim_ = -1;
  ActivationFn activation_ = ActivationFn::Tanh;
  ActivationFn recurrentActivation_ = ActivationFn::Sigmoid;
  bool useBias_ = true;
  bool returnSequences_ = false, goBackwards_ = false, zeroOutputForMask_ = false;
  bool returnState_ = false;
  bool stateful_ = false;
  Index statefulBatch_ = 0;  // 0: not fixed yet
  Tensor kept_[2];           // stateful: the states carried to the next batch (h, c)
  double dropout_ = 0.0, recurrentDropout_ = 0.0;
  bool recurrentDropActive_ = false;  // in the current forward/backward
  Tensor recMask_;                    // (G, N, U) recurrent dropout masks (already scaled)
  Index batch_ = 0;

 public:
  // The input dropout masks of a training batch of n samples, drawn from ctx.rng exactly as
  // forward() draws them (the GPU executor draws them on the host this way): (masks, n, inputs)
  // scaled keep / (1 - dropout) values, masks = 1 without recurrent dropout (Keras's one mask per
  // sample for every step); empty when the layer has no dropout or ctx is not training.
  const Tensor& drawInputDropout(Index n, RunContext& ctx) {
    drawDropoutMasks(n, ctx);
    static const Tensor kNoMask;
    return inputMasks_ > 0 ? inMask_ : kNoMask;
  }

 private:
  void drawDropoutMasks(Index n, RunContext& ctx);
  Initializer kernelInit_, recurrentInit_, biasInit_;
  Regularizer kernelReg_, recurrentReg_, biasReg_, activityReg_;
  Tensor gradScratch_[3];
  Tensor hm_;  // (N, U) hPrev * recurrent dropout mask

  // Per-batch buffers (processing step t; time index ti = go_backwards ? T-1-t : t).
  Index steps_ = 0;
  int inputMasks_ = 0;  // input dropout masks in use: 0 (none), 1 or G
  Tensor inMask_;       // (inputMasks_, N, F) scaled input dropout masks
  Tensor xd_;           // (inputMasks_, N*T, F) dropped inputs
  Tensor xw_;           // (N*T, G*U) x·W + input bias, row n*T + ti
  Tensor p_, a_;        // (T, N, G*U) pre-activations, activations
  Tensor h_, c_;        // (T+1, N, U) states after each step (h_[0] = h0)
  Tensor out_;          // (N, U) output carried across masked steps
  Tensor stepMask_;     // (T, N) the step masks in processing order (empty: none)
  Tensor dxw_;          // (N*T, G*U)
  Tensor dh_, dc_, dhPrev_, dcPrev_, dOut_, dp_, dyAct_, cellDh_, cellDc_, part_;
};

}  // namespace tessel
