#include "engine/layers/Activations.h"

#include <Eigen/Core>
#include <cmath>

#include "engine/catalog/ActivationCatalog.h"
#include "engine/core/Error.h"

namespace tessel {

namespace {

using Arr = Eigen::Map<Eigen::ArrayXf>;
using CArr = Eigen::Map<const Eigen::ArrayXf>;
using SArr = Eigen::Map<Eigen::ArrayXf, 0, Eigen::InnerStride<>>;
using CSArr = Eigen::Map<const Eigen::ArrayXf, 0, Eigen::InnerStride<>>;

// SELU constants (Klambauer et al.), as Keras.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

// The entry named exactly `name` (function name or alias, as Keras's activations.get).
const ActivationEntry* exactEntry(const std::string& name) {
  for (const ActivationEntry& e : activationCatalog().all()) {
    if (e.className == name) return &e;
    for (const std::string& a : e.aliases)
      if (a == name) return &e;
  }
  return nullptr;
}

// Softmax over groups of axisLen values. `zs`/`ys` are the strided views of one group.
template <typename CIn, typename Out>
void softmaxGroup(const CIn& z, Out y) {
  const float m = z.maxCoeff();
  y = (z - m).exp();
  y *= 1.0f / y.sum();
}

template <typename CY, typename CD, typename Out>
void softmaxGradGroup(const CY& y, const CD& dy, Out dz) {
  // dz_i = y_i * (dy_i - sum_j dy_j y_j)
  const float s = (dy * y).sum();
  dz = y * (dy - s);
}

}  // namespace

ActivationFn activationFromName(const std::string& name) {
  if (const ActivationEntry* e = exactEntry(name)) return e->fn;
  std::string list;
  for (const ActivationEntry& e : activationCatalog().all())
    list += (list.empty() ? "" : ", ") + e.className;
  throw Error("unknown activation '" + name + "'; known: " + list);
}

bool isActivationName(const std::string& name) {
  return exactEntry(name) != nullptr;
}

const char* activationName(ActivationFn fn) {
  for (const ActivationEntry& e : activationCatalog().all())
    if (e.fn == fn) return e.className.c_str();
  return "linear";
}

const std::vector<std::string>& activationNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const ActivationEntry& e : activationCatalog().all()) v.push_back(e.className);
    return v;
  }();
  return names;
}

bool activationDerivativeNeedsInput(ActivationFn fn) {
  switch (fn) {
    case ActivationFn::HardSigmoid:
    case ActivationFn::Softplus:
    case ActivationFn::Softsign:
    case ActivationFn::Swish:
    case ActivationFn::Gelu:
      return true;
    default:
      return false;
  }
}

// ---- forward: y = f(z) ------------------------------------------------------------------------
void activationForward(ActivationFn fn, const float* zp, float* yp, Index outer, Index axisLen,
                       Index inner) {
  const Index n = outer * axisLen * inner;
  CArr z(zp, n);
  Arr y(yp, n);
  switch (fn) {
    case ActivationFn::Linear:
      if (yp != zp) y = z;
      break;
    case ActivationFn::Relu:
      y = z.max(0.0f);
      break;
    case ActivationFn::Relu6:
      y = z.max(0.0f).min(6.0f);
      break;
    case ActivationFn::Selu:
      // scale * (z > 0 ? z : alpha * (exp(z) - 1)), written without select (Eigen 3.4's select
      // is not vectorised): both terms vanish on the other side of 0.
      y = kSeluScale * z.max(0.0f) + (kSeluScale * kSeluAlpha) * (z.min(0.0f).exp() - 1.0f);
      break;
    case ActivationFn::Elu:  // Keras activation elu has alpha = 1
      y = z.max(0.0f) + (z.min(0.0f).exp() - 1.0f);
      break;
    case ActivationFn::Sigmoid:
      y = z.logistic();
      break;
    case ActivationFn::HardSigmoid:
      // Keras 2 / TF.js: clip(0.2 z + 0.5, 0, 1) (Keras 3 uses relu6(z + 3) / 6 instead).
      y = (0.2f * z + 0.5f).max(0.0f).min(1.0f);
      break;
    case ActivationFn::Tanh:
      y = z.tanh();
      break;
    case ActivationFn::Softmax:
      if (inner == 1) {
        for (Index o = 0; o < outer; ++o)
          softmaxGroup(CArr(zp + o * axisLen, axisLen), Arr(yp + o * axisLen, axisLen));
      } else {
        for (Index o = 0; o < outer; ++o)
          for (Index i = 0; i < inner; ++i) {
            const Index off = o * axisLen * inner + i;
            softmaxGroup(CSArr(zp + off, axisLen, Eigen::InnerStride<>(inner)),
                         SArr(yp + off, axisLen, Eigen::InnerStride<>(inner)));
          }
      }
      break;
    case ActivationFn::Softplus:
      // log(1 + exp(z)) computed stably as max(z, 0) + log1p(exp(-|z|))
      y = z.max(0.0f) + (-z.abs()).exp().log1p();
      break;
    case ActivationFn::Softsign:
      y = z / (1.0f + z.abs());
      break;
    case ActivationFn::Swish:
      y = z * z.logistic();
      break;
    case ActivationFn::Gelu:
      // Keras default approximate=False: 0.5 z (1 + erf(z / sqrt 2))
      for (Index k = 0; k < n; ++k)
        yp[k] = 0.5f * zp[k] * (1.0f + std::erf(zp[k] * float(M_SQRT1_2)));
      break;
    case ActivationFn::Exponential:
      y = z.exp();
      break;
  }
}

// ---- backward: dz = dy * f'(z) ----------------------------------------------------------------
// Long by design: one case per activation, each a tight loop the compiler vectorises.
void activationBackward(ActivationFn fn, const float* zp, const float* yp, const float* dyp,
                        float* dzp, Index outer, Index axisLen, Index inner) {
  const Index n = outer * axisLen * inner;
  CArr z(zp, n);
  CArr y(yp, n);
  CArr dy(dyp, n);
  Arr dz(dzp, n);
  switch (fn) {
    case ActivationFn::Linear:
      if (dzp != dyp) dz = dy;
      break;
    case ActivationFn::Relu:
      for (Index k = 0; k < n; ++k) dzp[k] = zp[k] > 0.0f ? dyp[k] : 0.0f;
      break;
    case ActivationFn::Relu6:
      for (Index k = 0; k < n; ++k) dzp[k] = zp[k] > 0.0f && zp[k] < 6.0f ? dyp[k] : 0.0f;
      break;
    case ActivationFn::Selu:
      // z <= 0: d/dz scale*alpha*(exp(z)-1) = scale*alpha*exp(z) = y + scale*alpha
      // Branch-free loop (the blend is a multiply by the 0/1 mask): GCC vectorises it.
      for (Index k = 0; k < n; ++k) {
        const float pos = kSeluScale * dyp[k], neg = dyp[k] * (yp[k] + kSeluScale * kSeluAlpha);
        dzp[k] = neg + float(zp[k] > 0.0f) * (pos - neg);
      }
      break;
    case ActivationFn::Elu:
      for (Index k = 0; k < n; ++k) {
        const float pos = dyp[k], neg = dyp[k] * (yp[k] + 1.0f);
        dzp[k] = neg + float(zp[k] > 0.0f) * (pos - neg);
      }
      break;
    case ActivationFn::Sigmoid:
      dz = dy * y * (1.0f - y);
      break;
    case ActivationFn::HardSigmoid:
      for (Index k = 0; k < n; ++k) dzp[k] = zp[k] > -2.5f && zp[k] < 2.5f ? 0.2f * dyp[k] : 0.0f;
      break;
    case ActivationFn::Tanh:
      dz = dy * (1.0f - y.square());
      break;
    case ActivationFn::Softmax:
      if (inner == 1) {
        for (Index o = 0; o < outer; ++o)
          softmaxGradGroup(CArr(yp + o * axisLen, axisLen), CArr(dyp + o * axisLen, axisLen),
                           Arr(dzp + o * axisLen, axisLen));
      } else {
        for (Index o = 0; o < outer; ++o)
          for (Index i = 0; i < inner; ++i) {
            const Index off = o * axisLen * inner + i;
            const Eigen::InnerStride<> st(inner);
            softmaxGradGroup(CSArr(yp + off, axisLen, st), CSArr(dyp + off, axisLen, st),
                             SArr(dzp + off, axisLen, st));
          }
      }
      break;
    case ActivationFn::Softplus:
      dz = dy * z.logistic();
      break;
    case ActivationFn::Softsign:
      dz = dy / (1.0f + z.abs()).square();
      break;
    case ActivationFn::Swish: {
      // d/dz z s(z) = s + z s (1 - s)
      for (Index k = 0; k < n; ++k) {
        const float s = 1.0f / (1.0f + std::exp(-zp[k]));
        dzp[k] = dyp[k] * (s + zp[k] * s * (1.0f - s));
      }
      break;
    }
    case ActivationFn::Gelu: {
      // 0.5 (1 + erf(z/sqrt2)) + z * exp(-z^2/2) / sqrt(2 pi)
      const float invSqrt2Pi = 0.3989422804014327f;
      for (Index k = 0; k < n; ++k) {
        const float x = zp[k];
        const float d = 0.5f * (1.0f + std::erf(x * float(M_SQRT1_2))) +
                        x * std::exp(-0.5f * x * x) * invSqrt2Pi;
        dzp[k] = dyp[k] * d;
      }
      break;
    }
    case ActivationFn::Exponential:
      dz = dy * y;
      break;
  }
}

}  // namespace tessel
