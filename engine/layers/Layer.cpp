#include "engine/layers/Layer.h"

#include "engine/core/Error.h"
#include "engine/layers/ParameterBudget.h"

namespace tessel {

Layer::Layer(std::string className, json config)
    : className_(std::move(className)), config_(std::move(config)) {
  if (config_.contains("name") && config_["name"].is_string()) name_ = config_["name"];
}

bool Layer::trainable() const {
  auto it = config_.find("trainable");
  return it == config_.end() || !it->is_boolean() || it->get<bool>();
}

void Layer::build(const std::vector<Shape>&, Rng&) {
  built_ = true;
}

MaskOut Layer::maskOut(const std::vector<bool>& inputMasked) const {
  return supportsMasking() && !inputMasked.empty() && inputMasked[0] ? MaskOut::PassFirst
                                                                     : MaskOut::None;
}

double Layer::regularization(bool) {
  return 0.0;
}

Index Layer::parameterCount() const {
  Index n = 0;
  for (const auto& v : vars_) n += v.value.size();
  return n;
}

Variable& Layer::addVariable(const std::string& name, const Shape& shape, bool trainable) {
  ParameterBudget::take(name_, name, shape);  // before allocating
  Variable v;
  v.name = name;
  v.value.resize(shape);
  v.value.setZero();
  v.trainable = trainable && this->trainable();
  if (v.trainable) {
    v.grad.resize(shape);
    v.grad.setZero();
  }
  vars_.push_back(std::move(v));
  return vars_.back();
}

void Layer::throwShapeMismatch(const std::string& message) const {
  throw SpecError(SpecErrorKind::ShapeMismatch, name_, message);
}

void Layer::throwBadValue(const std::string& message) const {
  throw SpecError(SpecErrorKind::BadValue, name_, message);
}

void Layer::checkInputCount(const std::vector<Shape>& inputs, size_t minCount, int maxCount) const {
  if (inputs.size() < minCount || (maxCount >= 0 && inputs.size() > size_t(maxCount))) {
    std::string expected = maxCount < 0 ? "at least " + std::to_string(minCount)
                           : int(minCount) == maxCount
                               ? std::to_string(minCount)
                               : std::to_string(minCount) + " to " + std::to_string(maxCount);
    throw SpecError(
        SpecErrorKind::ShapeMismatch, name_,
        className_ + " expects " + expected + " input(s), got " + std::to_string(inputs.size()));
  }
}

}  // namespace tessel
