#include "engine/layers/LSTM.h"

namespace tessel {

LSTM::LSTM(const json& config) : RecurrentLayer("LSTM", config, 4, 2) {
  const json& ufb = config_.at("unit_forget_bias");
  unitForgetBias_ = !ufb.is_boolean() || ufb.get<bool>();  // TF.js writes null: Keras's true
}

// Keras: bias_initializer on the i, c, o parts and ones on f when unit_forget_bias.
void LSTM::initBias(Tensor& bias, Rng& rng) const {
  RecurrentLayer::initBias(bias, rng);
  if (!unitForgetBias_) return;
  for (Index j = 0; j < units_; ++j) bias[units_ + j] = 1.0f;
}

void LSTM::cellPrepare(Index n, Index steps) {
  cRaw_.resize({steps, n, units_});
  cAct_.resize({steps, n, units_});
}

void LSTM::cellForward(Index t, UnalignedMatrixMap p, UnalignedMatrixMap a,
                       const ConstUnalignedMatrixMap& hPrev, const float* cPrev,
                       UnalignedMatrixMap hNew, float* cNew) {
  const Index n = p.rows(), u = units_, gu = 4 * u;
  addRecurrent(hPrev, p, 0, 4);
  activateBlock(recurrentActivation_, p.data(), a.data(), n, gu, 0, 2 * u);  // i, f
  activateBlock(activation_, p.data(), a.data(), n, gu, 2 * u, u);           // g
  activateBlock(recurrentActivation_, p.data(), a.data(), n, gu, 3 * u, u);  // o
  float* c = cRaw_.data() + t * n * u;
  float* tc = cAct_.data() + t * n * u;
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < u; ++j) {
      const float* ar = a.data() + b * gu;
      c[b * u + j] = ar[u + j] * cPrev[b * u + j] + ar[j] * ar[2 * u + j];
    }
  activationForward(activation_, c, tc, n, u);
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < u; ++j) {
      hNew(b, j) = a(b, 3 * u + j) * tc[b * u + j];
      cNew[b * u + j] = c[b * u + j];
    }
}

// do = dh * act(c); dc_total = dc + dh * o * act'(c); di = dc_total * g; dg = dc_total * i;
// df = dc_total * cPrev; dcPrev = dc_total * f; dp = gate derivatives; recurrent part.
void LSTM::cellBackward(Index t, const ConstUnalignedMatrixMap& p, const ConstUnalignedMatrixMap& a,
                        const ConstUnalignedMatrixMap& hPrev, const float* cPrev, const float* dh,
                        const float* dc, UnalignedMatrixMap dp, UnalignedMatrixMap dhPrev,
                        float* dcPrev) {
  const Index n = p.rows(), u = units_, gu = 4 * u;
  const float* c = cRaw_.data() + t * n * u;
  const float* tc = cAct_.data() + t * n * u;
  dcTotal_.resize({n, u});
  da_.resize({n, gu});
  float* dct = dcTotal_.data();
  for (Index k = 0; k < n * u; ++k) {
    const Index b = k / u, j = k % u;
    dct[k] = dh[k] * a(b, 3 * u + j);  // dL/d act(c)
  }
  activationBackward(activation_, c, tc, dct, dct, n, u);
  for (Index k = 0; k < n * u; ++k) {
    const Index b = k / u, j = k % u;
    const float d = dct[k] + dc[k];
    float* dar = da_.data() + b * gu;
    dar[j] = d * a(b, 2 * u + j);    // di
    dar[u + j] = d * cPrev[k];       // df
    dar[2 * u + j] = d * a(b, j);    // dg
    dar[3 * u + j] = dh[k] * tc[k];  // do
    dcPrev[k] = d * a(b, u + j);
  }
  // dp = da * f'(p), block by block.
  auto block = [&](ActivationFn fn, Index col, Index width) {
    for (Index b = 0; b < n; ++b)
      activationBackward(fn, p.data() + b * gu + col, a.data() + b * gu + col,
                         da_.data() + b * gu + col, dp.data() + b * gu + col, 1, width);
  };
  block(recurrentActivation_, 0, 2 * u);
  block(activation_, 2 * u, u);
  block(recurrentActivation_, 3 * u, u);
  backRecurrent(hPrev, dp, dhPrev, 0, 4);
}

}  // namespace tessel
