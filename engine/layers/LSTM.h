#pragma once
// keras.layers.LSTM (Keras 2, implementation 2): gates in Keras order i, f, c, o:
//   z = x_t·W + h_{t-1}·R + b (N, 4U);  i = ra(z_i), f = ra(z_f), g = act(z_c), o = ra(z_o);
//   c_t = f * c_{t-1} + i * g;  h_t = o * act(c_t)    (act tanh, ra sigmoid by default).
//   kernel (F, 4U), recurrent_kernel (U, 4U), bias (4U); unit_forget_bias sets the f part of the
//   initial bias to 1. The loop, masks and dropout are RecurrentLayer's.
#include "engine/layers/RecurrentLayer.h"

namespace tessel {

class LSTM : public RecurrentLayer {
 public:
  explicit LSTM(const json& config);

 protected:
  void initBias(Tensor& bias, Rng& rng) const override;
  void cellPrepare(Index n, Index steps) override;
  void cellForward(Index t, UnalignedMatrixMap p, UnalignedMatrixMap a,
                   const ConstUnalignedMatrixMap& hPrev, const float* cPrev,
                   UnalignedMatrixMap hNew, float* cNew) override;
  void cellBackward(Index t, const ConstUnalignedMatrixMap& p, const ConstUnalignedMatrixMap& a,
                    const ConstUnalignedMatrixMap& hPrev, const float* cPrev, const float* dh,
                    const float* dc, UnalignedMatrixMap dp, UnalignedMatrixMap dhPrev,
                    float* dcPrev) override;

 private:
  bool unitForgetBias_ = true;
  Tensor cRaw_, cAct_;   // (T, N, U) c_t before masking and act(c_t)
  Tensor da_, dcTotal_;  // (N, 4U) dL/d activations, (N, U)
};

}  // namespace tessel
