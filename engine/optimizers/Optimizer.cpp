#include "engine/optimizers/Optimizer.h"

#include <cmath>

#include "engine/core/Error.h"

namespace tessel {

double Optimizer::currentLearningRate() const {
  return schedule_ ? (*schedule_)(iterations_) : lr_;
}

void Optimizer::createSlots(const std::vector<Variable*>& vars) {
  slots_.assign(slotKinds_.size(), {});
  for (size_t k = 0; k < slotKinds_.size(); ++k) {
    const float init = k < slotInit_.size() ? slotInit_[k] : 0.0f;
    slots_[k].reserve(vars.size());
    for (const Variable* v : vars) slots_[k].emplace_back(v->value.shape(), init);
  }
}

void Optimizer::build(const std::vector<Variable*>& vars) {
  if (slotsCreated_) {
    if (clipped_.size() != vars.size())
      throw Error("optimizer '" + name() + "': built for " + std::to_string(clipped_.size()) +
                  " variables, called with " + std::to_string(vars.size()));
    return;
  }
  createSlots(vars);
  clipped_.resize(vars.size());
  slotsCreated_ = true;
}

std::vector<Tensor*> Optimizer::state() {
  std::vector<Tensor*> out;
  for (auto& kind : slots_)
    for (auto& t : kind) out.push_back(&t);
  return out;
}

std::vector<std::string> Optimizer::stateNames() const {
  std::vector<std::string> out;
  for (size_t k = 0; k < slots_.size(); ++k)
    for (size_t i = 0; i < slots_[k].size(); ++i)
      out.push_back(slotKinds_[k] + "/" + std::to_string(i));
  return out;
}

void Optimizer::apply(const std::vector<Variable*>& vars) {
  build(vars);
  const double lr = currentLearningRate();
  const long long t = iterations_ + 1;
  beginStep(t);

  const bool clipping = clipnorm_ > 0 || clipvalue_ > 0 || globalClipnorm_ > 0;
  double globalScale = 1.0;
  if (globalClipnorm_ > 0) {  // tf.clip_by_global_norm, on the per-variable clipped gradients
    double sq = 0;
    for (const Variable* v : vars) {
      if (!v->trainable) continue;
      double s = v->grad.flat().squaredNorm();
      if (clipnorm_ > 0 && s > clipnorm_ * clipnorm_) s = clipnorm_ * clipnorm_;
      sq += s;
    }
    const double norm = std::sqrt(sq);
    globalScale = globalClipnorm_ / std::max(norm, globalClipnorm_);
  }

  for (size_t i = 0; i < vars.size(); ++i) {
    Variable& v = *vars[i];
    if (!v.trainable) continue;
    if (v.grad.size() != v.value.size())
      throw Error("optimizer '" + name() + "': variable '" + v.name + "' has no gradient of " +
                  "its shape " + shapeToString(v.value.shape()));
    const Tensor* g = &v.grad;
    if (clipping) {
      Tensor& c = clipped_[i];
      c.copyFrom(v.grad);
      double scale = globalScale;
      if (clipnorm_ > 0) {  // tf.clip_by_norm: g * c / max(||g||, c)
        const double norm = std::sqrt(double(c.flat().squaredNorm()));
        scale *= clipnorm_ / std::max(norm, clipnorm_);
      }
      if (scale != 1.0) c.array() *= float(scale);
      if (clipvalue_ > 0) c.array() = c.array().max(float(-clipvalue_)).min(float(clipvalue_));
      g = &c;
    }
    if (weightDecay_ > 0) v.value.array() -= v.value.array() * float(weightDecay_ * lr);
    update(i, v, *g, lr, t);
  }
  ++iterations_;
}

nlohmann::json Optimizer::baseConfig() const {
  auto opt = [](double x) { return x > 0 ? nlohmann::json(x) : nlohmann::json(nullptr); };
  nlohmann::json c;
  c["name"] = configName_.empty() ? name() : configName_;
  c["weight_decay"] = opt(weightDecay_);
  c["clipnorm"] = opt(clipnorm_);
  c["global_clipnorm"] = opt(globalClipnorm_);
  c["clipvalue"] = opt(clipvalue_);
  c["use_ema"] = false;
  c["ema_momentum"] = 0.99;
  c["ema_overwrite_frequency"] = nullptr;
  c["jit_compile"] = false;
  c["is_legacy_optimizer"] = false;
  c["learning_rate"] = schedule_ ? schedule_->toJson() : nlohmann::json(lr_);
  return c;
}

}  // namespace tessel
