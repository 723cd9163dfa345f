#pragma once
// The compiled call of an expression layer (Lambda, CustomLayer): the expression over the
// layer's inputs and weights, its output shape, and forward / backward programs built once from
// the graph and its symbolic derivative. Names the expression may use:
//   x, inputs       the input tensor; with several inputs, the list of them (x[0], inputs[1])
//   weight names    each weight (custom layers)
//   numbers         parameters (custom layer params, Lambda `arguments`)
//   strings         string parameters; one called as a function is a Keras activation
// A leading `lambda t:` binds t to x.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/expr/ExprEvaluator.h"
#include "engine/expr/ExprGraph.h"

namespace tessel {

struct ExprLayerSpec {
  std::string text;
  std::vector<Shape> inputs;  // batch dimension kNone
  std::vector<std::pair<std::string, Shape>> weights;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
};

// Adds a JSON object's numbers and booleans (as 1 / 0) to spec.numbers and its strings (null as
// "linear", Keras's activation=None) to spec.strings.
void addExprNamedValues(const nlohmann::json& values, ExprLayerSpec& spec);

class ExprLayerProgram {
 public:
  // Parses and infers the output shape. Throws ExprError (with the character position).
  explicit ExprLayerProgram(ExprLayerSpec spec);
  const Shape& outputShape() const { return graph_.shape(out_); }
  // The forward graph (exporters walk it): variables are inputs then weights, in spec order.
  const ExprGraph& graph() const { return graph_; }
  ExprId output() const { return out_; }
  const std::vector<ExprId>& variables() const { return vars_; }

  // y = f(x, w).
  void forward(const std::vector<const Tensor*>& x, const std::vector<const Tensor*>& w, Tensor& y);
  // After forward() with the same x and w: dx[i] = dL/dx[i], dw[j] = dL/dw[j] (overwritten; a
  // nullptr entry is skipped), given dy = dL/dy and y.
  void backward(const std::vector<const Tensor*>& x, const std::vector<const Tensor*>& w,
                const Tensor& y, const Tensor& dy, const std::vector<Tensor*>& dx,
                const std::vector<Tensor*>& dw);

 private:
  void ensureBackward();
  ExprLayerSpec spec_;
  ExprGraph graph_;
  std::vector<ExprId> vars_;  // inputs, then weights
  ExprId out_ = -1, seed_ = -1;
  std::vector<ExprId> grads_;  // per variable, -1 when f does not depend on it
  std::unique_ptr<ExprEvaluator> ev_;
  std::vector<ExprId> fwd_, bwd_;
};

}  // namespace tessel
