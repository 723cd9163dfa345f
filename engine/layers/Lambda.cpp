#include "engine/layers/Lambda.h"

#include "engine/expr/ExprError.h"

namespace tessel {

std::string Lambda::unsupportedReason(const json& config) {
  const bool hasExpr = config.contains("expression") && config["expression"].is_string();
  if (hasExpr) return "";
  if (config.contains("function") && !config["function"].is_null())
    return "unsupported: Python function (a Keras Lambda stores Python code, which Tessel never "
           "runs; give the layer an \"expression\" such as tf.nn.softplus(x))";
  return "config 'expression' is required for Lambda (e.g. tf.nn.softplus(x))";
}

Lambda::Lambda(const json& config) : Layer("Lambda", config) {
  const std::string why = unsupportedReason(config_);
  if (!why.empty()) throwBadValue(why);
  spec_.text = config_.at("expression").get<std::string>();
  if (config_.contains("arguments")) addExprNamedValues(config_["arguments"], spec_);
}

Shape Lambda::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, -1);
  ExprLayerSpec s = spec_;
  s.inputs = inputs;
  try {
    return ExprLayerProgram(std::move(s)).outputShape();
  } catch (const ExprError& e) {
    throwShapeMismatch("expression " + std::string(e.what()));
  }
}

void Lambda::build(const std::vector<Shape>& inputs, Rng&) {
  outputShape(inputs);
  spec_.inputs = inputs;
  program_ = std::make_unique<ExprLayerProgram>(spec_);
  built_ = true;
}

// x[i] is (N, ...); y = f(x) with the shape the expression gives.
void Lambda::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  if (!program_) throw Error("Lambda '" + name_ + "': forward before build");
  program_->forward(x, {}, y);
}

// dx[i] = d sum(dy * f(x)) / dx[i], from the expression's symbolic derivative.
void Lambda::backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                      const std::vector<Tensor*>& dx, RunContext&) {
  program_->backward(x, {}, y, dy, dx, {});
}

}  // namespace tessel
