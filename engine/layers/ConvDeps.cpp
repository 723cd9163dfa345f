#include "engine/layers/ConvDeps.h"

#include "engine/core/Error.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Regularizers.h"

namespace tessel {

FusedActivation::FusedActivation(const json& spec, const std::string& node) {
  if (spec.is_null()) return;
  try {
    fn_ = activationFromName(spec.get<std::string>());
  } catch (const std::exception& e) {
    throw SpecError(SpecErrorKind::BadValue, node, std::string("config 'activation': ") + e.what());
  }
  switch (fn_) {
    case ActivationFn::Linear:
    case ActivationFn::Relu:
    case ActivationFn::Relu6:
    case ActivationFn::Elu:
    case ActivationFn::Selu:
    case ActivationFn::Sigmoid:
    case ActivationFn::Tanh:
    case ActivationFn::Softmax:
      needsZ_ = false;
      break;
    default:
      needsZ_ = true;
  }
}

void FusedActivation::forward(float* v, Index rows, Index cols) const {
  if (fn_ == ActivationFn::Linear) return;
  activationForward(fn_, v, v, rows, cols);
}

void FusedActivation::backward(const float* z, const float* y, const float* dy, float* dz,
                               Index rows, Index cols) const {
  activationBackward(fn_, needsZ_ ? z : y, y, dy, dz, rows, cols);
}

void initializeTensor(const json& spec, Tensor& t, Rng& rng, const std::string& node) {
  Initializer init;
  try {
    init = Initializer::fromJson(spec);
  } catch (const std::exception& e) {
    throw SpecError(SpecErrorKind::BadValue, node, e.what());
  }
  init.fill(t, rng);
}

double regularizationPenalty(const json& spec, const Tensor& w, Tensor* grad) {
  if (spec.is_null()) return 0.0;
  Regularizer r = Regularizer::fromJson(spec);
  if (!r.active) return 0.0;
  if (grad) r.addGradient(w.data(), grad->data(), w.size());
  return r.penalty(w.data(), w.size());
}

}  // namespace tessel
