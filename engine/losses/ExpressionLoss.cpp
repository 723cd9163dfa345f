#include "engine/losses/ExpressionLoss.h"

#include "engine/expr/ExprError.h"
#include "engine/losses/MeanAbsoluteError.h"
#include "engine/losses/MeanSquaredError.h"

namespace tessel {

ExpressionLoss::ExpressionLoss(const std::string& expression, std::string name)
    : name_(std::move(name)), fn_(expression, true) {
  if (fn_.isMeanSquaredError())
    builtin_ = std::make_unique<MeanSquaredError>(name_);
  else if (fn_.isMeanAbsoluteError())
    builtin_ = std::make_unique<MeanAbsoluteError>(name_);
}

nlohmann::json ExpressionLoss::config() const {
  nlohmann::json c = Loss::config();
  c["expression"] = fn_.text();
  return c;
}

void ExpressionLoss::perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const {
  if (builtin_) return builtin_->perSample(yTrue, yPred, out);
  fn_.values(yTrue, yPred, weights_, out);
}

void ExpressionLoss::gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                              Tensor& dPred) const {
  if (builtin_) return builtin_->gradient(yTrue, yPred, scale, dPred);
  fn_.gradient(yTrue, yPred, scale, dPred, weights_);
}

bool ExpressionLoss::takeSampleWeights(const float* w) {
  if (!fn_.readsSampleWeight()) return false;
  weights_ = w;
  return true;
}

void ExpressionLoss::checkLabels(const Tensor& yTrue, const Shape& predShape) const {
  try {
    fn_.check(yTrue.shape(), predShape);
  } catch (const ExprError& e) {
    throw Error("loss '" + name_ + "': labels " + shapeToString(withBatch(yTrue.shape(), kNone)) +
                ", outputs " + shapeToString(predShape) + ": " + e.what());
  }
}

}  // namespace tessel
