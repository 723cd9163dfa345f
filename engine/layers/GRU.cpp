#include "engine/layers/GRU.h"

namespace tessel {

GRU::GRU(const json& config) : RecurrentLayer("GRU", config, 3, 1) {
  const json& ra = config_.at("reset_after");
  resetAfter_ = !ra.is_boolean() || ra.get<bool>();
}

Shape GRU::biasShape() const {
  if (resetAfter_) return {2, 3 * units_};
  return {3 * units_};
}

void GRU::cellPrepare(Index n, Index steps) {
  inner_.resize({steps, n, resetAfter_ ? 3 * units_ : units_});
}

void GRU::cellForward(Index t, UnalignedMatrixMap p, UnalignedMatrixMap a,
                      const ConstUnalignedMatrixMap& hPrev, const float*, UnalignedMatrixMap hNew,
                      float*) {
  const Index n = p.rows(), u = units_, gu = 3 * u;
  if (resetAfter_) {
    UnalignedMatrixMap inner(inner_.data() + t * n * gu, n, gu);
    if (useBias_)
      inner.rowwise() = Eigen::Map<const Eigen::RowVectorXf>(vars_[2].value.data() + gu, gu);
    else
      inner.setZero();
    addRecurrent(hPrev, inner, 0, 3);
    p.leftCols(2 * u) += inner.leftCols(2 * u);
    activateBlock(recurrentActivation_, p.data(), a.data(), n, gu, 0, 2 * u);  // z, r
    p.rightCols(u) += a.middleCols(u, u).cwiseProduct(inner.rightCols(u));
  } else {
    addRecurrent(hPrev, p, 0, 2);
    activateBlock(recurrentActivation_, p.data(), a.data(), n, gu, 0, 2 * u);  // z, r
    UnalignedMatrixMap rh(inner_.data() + t * n * u, n, u);
    rh = a.middleCols(u, u).cwiseProduct(hPrev);
    // (r * hPrev) · R_h, with hPrev's recurrent dropout mask for the h gate (Keras impl. 1).
    addRecurrent(ConstUnalignedMatrixMap(rh.data(), n, u), p, 2, 1);
  }
  activateBlock(activation_, p.data(), a.data(), n, gu, 2 * u, u);  // hh
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < u; ++j) {
      const float z = a(b, j);
      hNew(b, j) = z * hPrev(b, j) + (1 - z) * a(b, 2 * u + j);
    }
}

// dz = dh (hPrev - hh); dhh = dh (1 - z); dhPrev += dh z; then back through the gates.
void GRU::cellBackward(Index t, const ConstUnalignedMatrixMap& p, const ConstUnalignedMatrixMap& a,
                       const ConstUnalignedMatrixMap& hPrev, const float*, const float* dh,
                       const float*, UnalignedMatrixMap dp, UnalignedMatrixMap dhPrev, float*) {
  const Index n = p.rows(), u = units_, gu = 3 * u;
  da_.resize({n, gu});
  UnalignedMatrixMap da(da_.data(), n, gu);
  for (Index b = 0; b < n; ++b)
    for (Index j = 0; j < u; ++j) {
      const float g = dh[b * u + j], z = a(b, j);
      da(b, j) = g * (hPrev(b, j) - a(b, 2 * u + j));
      da(b, 2 * u + j) = g * (1 - z);
      dhPrev(b, j) += g * z;
    }
  // dp_h = act'(p_h) * dhh
  for (Index b = 0; b < n; ++b)
    activationBackward(activation_, p.data() + b * gu + 2 * u, a.data() + b * gu + 2 * u,
                       da.data() + b * gu + 2 * u, dp.data() + b * gu + 2 * u, 1, u);
  if (resetAfter_) {
    ConstUnalignedMatrixMap inner(inner_.data() + t * n * gu, n, gu);
    dInner_.resize({n, gu});
    UnalignedMatrixMap dInner(dInner_.data(), n, gu);
    // p_h = x_h + r * inner_h: d inner_h = dp_h * r; dr = dp_h * inner_h.
    dInner.rightCols(u) = dp.rightCols(u).cwiseProduct(a.middleCols(u, u));
    da.middleCols(u, u) = dp.rightCols(u).cwiseProduct(inner.rightCols(u));
    for (Index b = 0; b < n; ++b)
      activationBackward(recurrentActivation_, p.data() + b * gu, a.data() + b * gu,
                         da.data() + b * gu, dp.data() + b * gu, 1, 2 * u);
    dInner.leftCols(2 * u) = dp.leftCols(2 * u);
    if (useBias_) {
      Eigen::Map<Eigen::RowVectorXf> db(gradOf(2).data() + gu, gu);
      db += dInner.colwise().sum();
    }
    backRecurrent(hPrev, dInner, dhPrev, 0, 3);
  } else {
    ConstUnalignedMatrixMap rh(inner_.data() + t * n * u, n, u);
    // p_h = x_h + rh·R_h, rh = r * hPrev (* mask_h): d rh = dp_h R_h^T; dR_h += rh^T dp_h.
    dInner_.resize({n, u});
    UnalignedMatrixMap dRh(dInner_.data(), n, u);
    dRh.setZero();
    backRecurrent(rh, dp.rightCols(u), dRh, 2, 1);  // dRh = (dp_h R_h^T) * mask_h
    for (Index b = 0; b < n; ++b)
      for (Index j = 0; j < u; ++j) {
        da(b, u + j) = dRh(b, j) * hPrev(b, j);   // dr
        dhPrev(b, j) += dRh(b, j) * a(b, u + j);  // through r * hPrev
      }
    for (Index b = 0; b < n; ++b)
      activationBackward(recurrentActivation_, p.data() + b * gu, a.data() + b * gu,
                         da.data() + b * gu, dp.data() + b * gu, 1, 2 * u);
    backRecurrent(hPrev, dp.leftCols(2 * u), dhPrev, 0, 2);
  }
}

}  // namespace tessel
