#include "engine/layers/CustomLayer.h"

#include <cmath>

#include "engine/expr/ExprError.h"
#include "engine/expr/Expression.h"

namespace tessel {

CustomLayer::CustomLayer(const json& config) : Layer("CustomLayer", config) {
  try {
    customClass_ = config_.at("custom_class").get<std::string>();
    base_.text = config_.at("call").get<std::string>();
    addExprNamedValues(config_.at("params"), base_);
    for (const json& w : config_.at("weights")) {
      WeightDecl d;
      d.name = w.at("name").get<std::string>();
      d.shape = w.at("shape");
      if (!d.shape.is_array()) throw Error("weight '" + d.name + "': shape must be a list");
      d.init = Initializer::fromJson(w.value("initializer", json("glorot_uniform")));
      d.trainable = w.value("trainable", true);
      for (const WeightDecl& o : decls_)
        if (o.name == d.name) throw Error("weight '" + d.name + "' is declared twice");
      if (base_.numbers.count(d.name) || base_.strings.count(d.name) || d.name == "x" ||
          d.name == "inputs")
        throw Error("weight '" + d.name + "' has the name of a param or of the input");
      decls_.push_back(std::move(d));
    }
  } catch (const SpecError&) {
    throw;
  } catch (const std::exception& e) {
    throwBadValue(e.what());
  }
}

std::vector<Shape> CustomLayer::weightShapes(const Shape& in) const {
  std::vector<Shape> out;
  std::vector<float> dims(in.begin(), in.end());
  const Tensor inputShape(Shape{Index(in.size())}, dims);
  for (const WeightDecl& d : decls_) {
    Shape s;
    for (const json& dim : d.shape) {
      if (dim.is_number_integer()) {
        s.push_back(dim.get<Index>());
        continue;
      }
      if (!dim.is_string())
        throwBadValue("weight '" + d.name + "': a dimension must be an integer or an expression");
      const std::string text = dim.get<std::string>();
      double v = 0;
      try {
        std::vector<ExprVariable> vars{{"input_shape", {Index(in.size())}}};
        ExprLayerSpec names = base_;
        std::string wrapped = text;
        for (const auto& [k, num] : names.numbers) vars.push_back({k, {}});
        Expression e = Expression::parse(wrapped, vars);
        std::vector<Tensor> values{inputShape};
        for (const auto& [k, num] : names.numbers) values.emplace_back(Shape{}, float(num));
        const Tensor r = e.evaluate(values);
        if (r.size() != 1)
          throw Error("gives shape " + shapeToString(r.shape()) + ", not one number");
        v = double(r[0]);
      } catch (const Error& e) {
        throwBadValue("weight '" + d.name + "': dimension '" + text + "': " + e.what());
      }
      if (v < 0)
        throwShapeMismatch("weight '" + d.name + "': dimension '" + text +
                           "' depends on an unknown input dimension (input " + shapeToString(in) +
                           ")");
      if (std::floor(v) != v)
        throwBadValue("weight '" + d.name + "': dimension '" + text + "' is not an integer");
      s.push_back(Index(v));
    }
    out.push_back(std::move(s));
  }
  return out;
}

ExprLayerSpec CustomLayer::programSpec(const Shape& in) const {
  ExprLayerSpec s = base_;
  s.inputs = {in};
  const std::vector<Shape> shapes = weightShapes(in);
  for (size_t k = 0; k < decls_.size(); ++k) s.weights.push_back({decls_[k].name, shapes[k]});
  return s;
}

Shape CustomLayer::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  try {
    return ExprLayerProgram(programSpec(inputs[0])).outputShape();
  } catch (const ExprError& e) {
    throwShapeMismatch("call " + std::string(e.what()));
  }
}

void CustomLayer::build(const std::vector<Shape>& inputs, Rng& rng) {
  outputShape(inputs);
  ExprLayerSpec s = programSpec(inputs[0]);
  vars_.clear();
  for (size_t k = 0; k < decls_.size(); ++k) {
    Variable& v = addVariable(decls_[k].name, s.weights[k].second, decls_[k].trainable);
    decls_[k].init.fill(v.value, rng);
  }
  program_ = std::make_unique<ExprLayerProgram>(std::move(s));
  built_ = true;
}

// x is (N, ...); y = call(x, weights) with the shape the call gives.
void CustomLayer::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  if (!program_) throw Error("CustomLayer '" + name_ + "': forward before build");
  w_.clear();
  for (const Variable& v : vars_) w_.push_back(&v.value);
  program_->forward(x, w_, y);
}

// dx = d sum(dy * call) / dx; each trainable weight's grad overwritten with its derivative.
void CustomLayer::backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                           const std::vector<Tensor*>& dx, RunContext&) {
  dw_.clear();
  for (Variable& v : vars_) dw_.push_back(v.trainable ? &v.grad : nullptr);
  program_->backward(x, w_, y, dy, dx, dw_);
}

}  // namespace tessel
