#include "engine/losses/CategoricalCrossentropy.h"

#include <cmath>

#include "engine/losses/LossLayout.h"

namespace tessel {

using lossdetail::kEpsilon;

nlohmann::json CategoricalCrossentropy::config() const {
  return lossdetail::crossentropyConfig(Loss::config(), fromLogits_, labelSmoothing_);
}

double CategoricalCrossentropy::position(const float* t, const float* x, Index c, double scale,
                                         float* g) const {
  const double s = labelSmoothing_, sc = labelSmoothing_ / double(c);
  auto label = [&](Index j) { return double(t[j]) * (1.0 - s) + sc; };
  double loss = 0;
  if (fromLogits_) {
    double m = x[0];
    for (Index j = 1; j < c; ++j) m = std::max(m, double(x[j]));
    double z = 0, tsum = 0;
    for (Index j = 0; j < c; ++j) z += std::exp(double(x[j]) - m);
    const double lse = m + std::log(z);
    for (Index j = 0; j < c; ++j) {
      const double tj = label(j);
      loss += tj * (lse - double(x[j]));
      tsum += tj;
    }
    if (g)  // d/dx_k = softmax_k * sum(t) - t_k
      for (Index j = 0; j < c; ++j)
        g[j] = float(scale * (std::exp(double(x[j]) - lse) * tsum - label(j)));
    return loss;
  }
  double sum = 0;
  for (Index j = 0; j < c; ++j) sum += x[j];
  // q_j = p_j / sum, clipped; dL/dq_j = -t_j / q_j inside the clip range, else 0.
  auto dq = [&](Index j, float q) {
    return (q >= kEpsilon && q <= 1.0f - kEpsilon) ? -label(j) / double(q) : 0.0;
  };
  double gq = 0;  // sum_j dL/dq_j q_j
  for (Index j = 0; j < c; ++j) {
    const float q = float(double(x[j]) / sum);
    const double qc = lossdetail::clampf(q, kEpsilon, 1.0f - kEpsilon);
    loss -= label(j) * std::log(qc);
    if (g) gq += dq(j, q) * q;
  }
  if (g)  // dL/dp_k = (dL/dq_k - sum_j dL/dq_j q_j) / sum
    for (Index j = 0; j < c; ++j) {
      const float q = float(double(x[j]) / sum);
      g[j] = float(scale * (dq(j, q) - gq) / sum);
    }
  return loss;
}

void CategoricalCrossentropy::perSample(const Tensor& yTrue, const Tensor& yPred,
                                        float* out) const {
  const auto l = lossdetail::denseLayout(*this, yTrue, yPred);
  for (Index i = 0; i < l.n; ++i) {
    double s = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * l.last;
      s += position(yTrue.data() + off, yPred.data() + off, l.last, 0, nullptr);
    }
    out[i] = float(s / double(l.positions));
  }
}

void CategoricalCrossentropy::gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                                       Tensor& dPred) const {
  const auto l = lossdetail::denseLayout(*this, yTrue, yPred);
  dPred.resize(yPred.shape());
  for (Index i = 0; i < l.n; ++i) {
    const double c = (scale ? scale[i] : 1.0f) / double(l.positions);
    for (Index k = 0; k < l.positions; ++k) {
      const Index off = i * l.perSample + k * l.last;
      position(yTrue.data() + off, yPred.data() + off, l.last, c, dPred.data() + off);
    }
  }
}

}  // namespace tessel
