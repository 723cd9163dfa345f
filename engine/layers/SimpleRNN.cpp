#include "engine/layers/SimpleRNN.h"

namespace tessel {

SimpleRNN::SimpleRNN(const json& config) : RecurrentLayer("SimpleRNN", config, 1, 1) {}

// p (N, U) = x_t·W + b on entry; p += hPrev·R; a = activation(p); hNew = a.
void SimpleRNN::cellForward(Index, UnalignedMatrixMap p, UnalignedMatrixMap a,
                            const ConstUnalignedMatrixMap& hPrev, const float*,
                            UnalignedMatrixMap hNew, float*) {
  addRecurrent(hPrev, p, 0, 1);
  activationForward(activation_, p.data(), a.data(), p.rows(), units_);
  hNew = a;
}

// dp = dh * f'(p); dR += hPrev^T dp; dhPrev += dp R^T.
void SimpleRNN::cellBackward(Index, const ConstUnalignedMatrixMap& p,
                             const ConstUnalignedMatrixMap& a, const ConstUnalignedMatrixMap& hPrev,
                             const float*, const float* dh, const float*, UnalignedMatrixMap dp,
                             UnalignedMatrixMap dhPrev, float*) {
  activationBackward(activation_, p.data(), a.data(), dh, dp.data(), p.rows(), units_);
  backRecurrent(hPrev, dp, dhPrev, 0, 1);
}

}  // namespace tessel
