#pragma once
// keras.layers.SimpleRNN (Keras 2): h_t = activation(x_t·W + b + h_{t-1}·R), the output is h_t.
//   kernel (F, U), recurrent_kernel (U, U), bias (U). The loop, masks and dropout are
//   RecurrentLayer's.
#include "engine/layers/RecurrentLayer.h"

namespace tessel {

class SimpleRNN : public RecurrentLayer {
 public:
  explicit SimpleRNN(const json& config);

 protected:
  void cellForward(Index t, UnalignedMatrixMap p, UnalignedMatrixMap a,
                   const ConstUnalignedMatrixMap& hPrev, const float* cPrev,
                   UnalignedMatrixMap hNew, float* cNew) override;
  void cellBackward(Index t, const ConstUnalignedMatrixMap& p, const ConstUnalignedMatrixMap& a,
                    const ConstUnalignedMatrixMap& hPrev, const float* cPrev, const float* dh,
                    const float* dc, UnalignedMatrixMap dp, UnalignedMatrixMap dhPrev,
                    float* dcPrev) override;
};

}  // namespace tessel
