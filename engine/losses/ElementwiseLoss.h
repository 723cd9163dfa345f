#pragma once
// Base for losses that are a function of each (y_true, y_pred) pair, reduced over the last axis
// by a mean (Keras's backend.mean(..., axis=-1)) or a sum (KL divergence). CRTP: Derived provides
//   double value(float t, float p, bool flag) const;   elementwise loss
//   double grad(float t, float p, bool flag) const;    d value / d p
//   bool batchFlag(const Tensor& yTrue) const;         per-batch switch (hinge label conversion)
//   static constexpr bool kSumLastAxis;
#include "engine/losses/Loss.h"
#include "engine/losses/LossLayout.h"

namespace tessel {

template <class Derived>
class ElementwiseLoss : public Loss {
 public:
  void perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const override {
    const auto l = lossdetail::denseLayout(*this, yTrue, yPred);
    const Derived& d = static_cast<const Derived&>(*this);
    const bool flag = d.batchFlag(yTrue);
    const double f = 1.0 / double(Derived::kSumLastAxis ? l.positions : l.perSample);
    const float* t = yTrue.data();
    const float* p = yPred.data();
    for (Index i = 0; i < l.n; ++i) {
      double s = 0;
      const Index base = i * l.perSample;
      for (Index j = 0; j < l.perSample; ++j) s += d.value(t[base + j], p[base + j], flag);
      out[i] = float(s * f);
    }
  }

  void gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                Tensor& dPred) const override {
    const auto l = lossdetail::denseLayout(*this, yTrue, yPred);
    const Derived& d = static_cast<const Derived&>(*this);
    const bool flag = d.batchFlag(yTrue);
    const double f = 1.0 / double(Derived::kSumLastAxis ? l.positions : l.perSample);
    dPred.resize(yPred.shape());
    const float* t = yTrue.data();
    const float* p = yPred.data();
    float* g = dPred.data();
    for (Index i = 0; i < l.n; ++i) {
      const double c = (scale ? scale[i] : 1.0f) * f;
      const Index base = i * l.perSample;
      for (Index j = 0; j < l.perSample; ++j)
        g[base + j] = float(c * d.grad(t[base + j], p[base + j], flag));
    }
  }

  bool batchFlag(const Tensor&) const { return false; }
};

}  // namespace tessel
