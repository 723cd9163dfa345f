#pragma once
// Finite-difference gradient checks for layers and losses (header-only; used by the layer, loss
// and convolution tests). L = sum(y * r) with a fixed random r, so dL/dy = r; the analytic input
// and weight gradients from backward() are compared with central differences of L.
#include <QtTest>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/layers/Layer.h"

namespace tessel::test {

struct GradCheckOptions {
  double eps = 1e-2;       // finite-difference step
  double rtol = 2e-2;      // relative tolerance (float32 forward passes)
  double atol = 2e-3;      // absolute tolerance
  bool training = false;   // RunContext::training during the check
  std::uint64_t seed = 1;  // RunContext rng seed, reset before every forward (so masks repeat)
  bool checkInputs = true;
  bool checkWeights = true;
  // Keras masks of the inputs (RunContext::inputMasks), or null.
  const std::vector<const Tensor*>* masks = nullptr;
  // Multiplies r elementwise (y's shape), e.g. 0 on padded steps as a masked loss ignores them.
  const Tensor* lossScale = nullptr;
};

inline Tensor randomTensor(const Shape& shape, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(shape);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

inline bool close(double analytic, double numeric, const GradCheckOptions& o) {
  return std::fabs(analytic - numeric) <=
         o.atol + o.rtol * std::max(std::fabs(analytic), std::fabs(numeric));
}

// Checks `layer` (already built) on `inputs`. Reports the first mismatch through QVERIFY2 with
// the tensor, index and both values. Returns true when everything matched.
inline bool checkLayerGradients(Layer& layer, std::vector<Tensor> inputs,
                                const GradCheckOptions& o = {}) {
  Rng rng(12345);
  std::vector<const Tensor*> x;
  for (auto& t : inputs) x.push_back(&t);
  Tensor y;
  auto runForward = [&]() -> double {
    Rng r(o.seed);
    RunContext ctx;
    ctx.training = o.training;
    ctx.rng = &r;
    ctx.inputMasks = o.masks;
    layer.forward(x, y, ctx);
    return ctx.addedLoss;
  };
  runForward();
  Tensor weightsR = randomTensor(y.shape(), rng);
  if (o.lossScale) weightsR.array() *= o.lossScale->array();
  auto loss = [&]() -> double {
    double added = runForward();
    double l = added;
    for (Index i = 0; i < y.size(); ++i) l += double(y[i]) * weightsR[i];
    return l;
  };
  loss();
  std::vector<Tensor> dx(inputs.size());
  std::vector<Tensor*> dxp;
  // Gradients start as NaN: backward must OVERWRITE every element (an accumulating or partial
  // backward shows up as a mismatch).
  for (size_t i = 0; i < inputs.size(); ++i) {
    dx[i].resize(inputs[i].shape());
    dx[i].fill(std::nanf(""));
    dxp.push_back(o.checkInputs ? &dx[i] : nullptr);
  }
  for (auto& v : layer.variables())
    if (v.trainable) v.grad.fill(std::nanf(""));
  {
    Rng r(o.seed);
    RunContext ctx;
    ctx.training = o.training;
    ctx.rng = &r;
    ctx.inputMasks = o.masks;
    layer.forward(x, y, ctx);
    layer.backward(x, y, weightsR, dxp, ctx);
  }
  std::vector<Tensor> weightGrads;
  for (auto& v : layer.variables()) weightGrads.push_back(v.trainable ? v.grad : Tensor());

  auto numeric = [&](float& value) {
    float saved = value;
    value = saved + float(o.eps);
    double lp = loss();
    value = saved - float(o.eps);
    double lm = loss();
    value = saved;
    return (lp - lm) / (2 * o.eps);
  };
  if (o.checkInputs) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      for (Index k = 0; k < inputs[i].size(); ++k) {
        double num = numeric(inputs[i][k]);
        double ana = dx[i][k];
        if (!close(ana, num, o)) {
          std::string msg = layer.className() + " input " + std::to_string(i) + "[" +
                            std::to_string(k) + "]: analytic " + std::to_string(ana) + " numeric " +
                            std::to_string(num);
          QTest::qVerify(false, "gradient", msg.c_str(), __FILE__, __LINE__);
          return false;
        }
      }
    }
  }
  if (o.checkWeights) {
    auto& vars = layer.variables();
    for (size_t v = 0; v < vars.size(); ++v) {
      if (!vars[v].trainable) continue;
      for (Index k = 0; k < vars[v].value.size(); ++k) {
        double num = numeric(vars[v].value[k]);
        double ana = weightGrads[v][k];
        if (!close(ana, num, o)) {
          std::string msg = layer.className() + " weight " + vars[v].name + "[" +
                            std::to_string(k) + "]: analytic " + std::to_string(ana) + " numeric " +
                            std::to_string(num);
          QTest::qVerify(false, "gradient", msg.c_str(), __FILE__, __LINE__);
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace tessel::test
