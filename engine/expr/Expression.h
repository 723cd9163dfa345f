#pragma once
// A compiled expression of the expression language (engine/expr/ExprParser.h): the engine API
// for the Lambda layer, custom layers, custom losses and metrics, and the gradient playground.
//
//   Expression f = Expression::parse("tf.nn.softplus(x)", {{"x", {kNone, 4}}});
//   Tensor y = f.evaluate({x});                       // x of shape (N, 4)
//   std::vector<Tensor> dx = f.gradient({x});         // d sum(f) / dx
//
//   Expression g = Expression::parseFunction("(x1 + 5) * x2**2");   // variables x1, x2
//   PointDerivatives d = g.at({2, 3});  // d.value 63, d.gradient {9, 42}, d.hessian {{0,6},{6,14}}
//
// Every error is an ExprError carrying the character position (ExprError::position()).
// Derivatives are expression graphs themselves (symbolic reverse mode), built once and cached.
#include <memory>
#include <string>
#include <vector>

#include "engine/expr/ExprEvaluator.h"
#include "engine/expr/ExprGraph.h"
#include "engine/expr/ExprScope.h"

namespace tessel {

struct ExprVariable {
  std::string name;
  Shape shape;  // kNone where any size is accepted (the batch)
};

// f, its gradient and its Hessian at one point of scalar variables.
struct PointDerivatives {
  double value = 0;
  std::vector<double> gradient;              // one per variable
  std::vector<std::vector<double>> hessian;  // [i][j] = d2f / dxi dxj
};

// f and its first and second derivative along one variable (for a plot).
struct ExprSweep {
  std::vector<double> x, f, d1, d2;
};

class Expression {
 public:
  // Parses `text` over these variables (tensors of the given shapes). Throws ExprError.
  static Expression parse(const std::string& text, const std::vector<ExprVariable>& variables,
                          const ExprLimits& limits = {});
  // A function of scalars: every free name in `text` becomes a scalar variable, in the order
  // of first appearance (the gradient playground's f(x, y)). Throws ExprError.
  static Expression parseFunction(const std::string& text, const ExprLimits& limits = {});

  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  const std::string& text() const;
  const std::vector<ExprVariable>& variables() const;
  // The static output shape (kNone where it follows a kNone variable dimension).
  const Shape& outputShape() const;

  // f at these variable values (one tensor per variable, in order).
  Tensor evaluate(const std::vector<Tensor>& values);
  // d sum(f) / d variable, one tensor per variable (zeros where f does not depend on it).
  std::vector<Tensor> gradient(const std::vector<Tensor>& values);
  // Value, gradient and Hessian at a point of scalar variables (parseFunction).
  PointDerivatives at(const std::vector<double>& point);
  // f, df/dv and d2f/dv2 at n evenly spaced values of variable v in [lo, hi], the other
  // variables at `point` (scalar variables, as at()).
  ExprSweep sweep(size_t v, double lo, double hi, int n, std::vector<double> point);
  // Plain gradient descent from `start`: the points visited, start first (steps + 1 points).
  std::vector<std::vector<double>> descend(std::vector<double> start, double learningRate,
                                           int steps);

  ExprGraph& graph();
  ExprId output() const;

 private:
  struct Impl;
  explicit Expression(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> d_;
};

}  // namespace tessel
