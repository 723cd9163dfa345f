#include "engine/expr/Expression.h"

#include "engine/expr/ExprGradient.h"
#include "engine/expr/ExprParser.h"

namespace tessel {

struct Expression::Impl {
  std::string text;
  std::vector<ExprVariable> vars;
  ExprGraph graph;
  std::vector<ExprId> inputs;
  ExprId out = -1;
  std::vector<ExprId> grads;              // built on first use
  std::vector<std::vector<ExprId>> hess;  // built on first use
  bool haveGrads = false, haveHess = false;
  std::unique_ptr<ExprEvaluator> ev;

  explicit Impl(const ExprLimits& lim) : graph(lim.maxNodes) {}

  void ensureGrads() {
    if (haveGrads) return;
    grads = exprGradients(graph, out, -1, inputs);
    haveGrads = true;
  }
  void ensureHessian() {
    ensureGrads();
    if (haveHess) return;
    for (ExprId gi : grads)
      hess.push_back(gi < 0 ? std::vector<ExprId>(inputs.size(), -1)
                            : exprGradients(graph, gi, -1, inputs));
    haveHess = true;
  }
  // Evaluates `nodes` with the variables bound to `values`.
  void run(const std::vector<Tensor>& values, const std::vector<ExprId>& nodes) {
    if (values.size() != vars.size())
      throw Error("expression: " + std::to_string(values.size()) + " values given for " +
                  std::to_string(vars.size()) + " variables");
    ev = std::make_unique<ExprEvaluator>(graph);  // the graph may have grown
    for (size_t k = 0; k < values.size(); ++k) ev->bind(int(k), &values[k]);
    std::vector<ExprId> want;
    for (ExprId n : nodes)
      if (n >= 0) want.push_back(n);
    ev->run(ev->schedule(want));
  }
};

Expression::Expression(std::unique_ptr<Impl> impl) : d_(std::move(impl)) {}
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Expression Expression::parse(const std::string& text, const std::vector<ExprVariable>& variables,
                             const ExprLimits& limits) {
  auto d = std::make_unique<Impl>(limits);
  d->text = text;
  d->vars = variables;
  ExprScope scope;
  for (size_t k = 0; k < variables.size(); ++k) {
    const ExprId id = d->graph.input(int(k), variables[k].shape);
    d->inputs.push_back(id);
    scope.tensors[variables[k].name] = id;
    scope.positional.push_back(variables[k].name);
  }
  d->out = parseExpression(d->graph, text, scope, limits);
  return Expression(std::move(d));
}

Expression Expression::parseFunction(const std::string& text, const ExprLimits& limits) {
  auto d = std::make_unique<Impl>(limits);
  d->text = text;
  Impl* raw = d.get();
  ExprScope scope;
  scope.unknownName = [raw](const std::string& name, int position) {
    const ExprId id = raw->graph.input(int(raw->vars.size()), Shape{}, position);
    raw->vars.push_back({name, Shape{}});
    raw->inputs.push_back(id);
    return id;
  };
  d->out = parseExpression(d->graph, text, scope, limits);
  return Expression(std::move(d));
}

const std::string& Expression::text() const {
  return d_->text;
}
const std::vector<ExprVariable>& Expression::variables() const {
  return d_->vars;
}
const Shape& Expression::outputShape() const {
  return d_->graph.shape(d_->out);
}
ExprGraph& Expression::graph() {
  return d_->graph;
}
ExprId Expression::output() const {
  return d_->out;
}

Tensor Expression::evaluate(const std::vector<Tensor>& values) {
  d_->run(values, {d_->out});
  Tensor r;
  r.copyFrom(d_->ev->value(d_->out));
  return r;
}

std::vector<Tensor> Expression::gradient(const std::vector<Tensor>& values) {
  d_->ensureGrads();
  d_->run(values, d_->grads);
  std::vector<Tensor> out;
  for (size_t k = 0; k < d_->grads.size(); ++k) {
    Tensor t(values[k].shape(), 0.0f);
    if (d_->grads[k] >= 0) t.copyFrom(d_->ev->value(d_->grads[k]));
    out.push_back(std::move(t));
  }
  return out;
}

PointDerivatives Expression::at(const std::vector<double>& point) {
  for (const ExprVariable& v : d_->vars)
    if (!v.shape.empty())
      throw Error("expression: at() needs scalar variables; '" + v.name + "' has shape " +
                  shapeToString(v.shape));
  d_->ensureHessian();
  std::vector<Tensor> values;
  for (double p : point) values.emplace_back(Shape{}, float(p));
  std::vector<ExprId> nodes{d_->out};
  nodes.insert(nodes.end(), d_->grads.begin(), d_->grads.end());
  for (const auto& row : d_->hess) nodes.insert(nodes.end(), row.begin(), row.end());
  d_->run(values, nodes);
  auto scalar = [&](ExprId id) {
    if (id < 0) return 0.0;
    const Tensor& t = d_->ev->value(id);
    if (t.size() != 1)
      throw Error("expression: f must give one value, it gives shape " + shapeToString(t.shape()));
    return double(t[0]);
  };
  PointDerivatives r;
  r.value = scalar(d_->out);
  for (ExprId gi : d_->grads) r.gradient.push_back(scalar(gi));
  for (const auto& row : d_->hess) {
    r.hessian.emplace_back();
    for (ExprId h : row) r.hessian.back().push_back(scalar(h));
  }
  return r;
}

ExprSweep Expression::sweep(size_t v, double lo, double hi, int n, std::vector<double> point) {
  if (v >= d_->vars.size() || point.size() != d_->vars.size() || n < 1)
    throw Error("expression: sweep of variable " + std::to_string(v) + " over " +
                std::to_string(point.size()) + " values");
  ExprSweep s;
  for (int i = 0; i < n; ++i) {
    point[v] = n == 1 ? lo : lo + (hi - lo) * double(i) / double(n - 1);
    const PointDerivatives d = at(point);
    s.x.push_back(point[v]);
    s.f.push_back(d.value);
    s.d1.push_back(d.gradient[v]);
    s.d2.push_back(d.hessian[v][v]);
  }
  return s;
}

std::vector<std::vector<double>> Expression::descend(std::vector<double> start, double learningRate,
                                                     int steps) {
  std::vector<std::vector<double>> path{start};
  for (int s = 0; s < steps; ++s) {
    std::vector<Tensor> values;
    for (double p : start) values.emplace_back(Shape{}, float(p));
    const std::vector<Tensor> g = gradient(values);
    for (size_t k = 0; k < start.size(); ++k) start[k] -= learningRate * double(g[k][0]);
    path.push_back(start);
  }
  return path;
}

}  // namespace tessel
