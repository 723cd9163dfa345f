// `tessel derive EXPR`: f, its gradient and Hessian at a point, and gradient descent, for a
// function of scalars written with TensorFlow's op names (the gradient playground's engine).
#include <cstdio>
#include <sstream>

#include "app/Cli.h"
#include "app/cli/UsageError.h"
#include "engine/expr/ExprError.h"
#include "engine/expr/Expression.h"

namespace tessel::app {

namespace {

// "x1=2,x2=3" -> values in the order of `vars` (0 where not given).
std::vector<double> pointOf(const std::string& at, const std::vector<ExprVariable>& vars) {
  std::vector<double> p(vars.size(), 0.0);
  std::stringstream in(at);
  std::string item;
  while (std::getline(in, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) throw UsageError("--at: expected NAME=VALUE, got '" + item + "'");
    const std::string name = item.substr(0, eq);
    size_t k = 0;
    while (k < vars.size() && vars[k].name != name) ++k;
    if (k == vars.size()) throw UsageError("--at: '" + name + "' is not a variable of EXPR");
    try {
      p[k] = std::stod(item.substr(eq + 1));
    } catch (const std::exception&) {
      throw UsageError("--at: '" + item.substr(eq + 1) + "' is not a number");
    }
  }
  return p;
}

std::string vectorText(const std::vector<double>& v) {
  std::string s = "[";
  char buf[32];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.9g", i ? ", " : "", v[i]);
    s += buf;
  }
  return s + "]";
}

}  // namespace

int cmdDerive(const Args& args) {
  const std::string text = args.positional()[0];
  Expression f = [&] {
    try {
      return Expression::parseFunction(text);
    } catch (const ExprError& e) {
      throw UsageError("EXPR " + std::string(e.what()));
    }
  }();
  const std::vector<ExprVariable>& vars = f.variables();
  const std::vector<double> point = pointOf(args.value("--at"), vars);
  std::string names;
  for (const ExprVariable& v : vars) names += (names.empty() ? "" : ", ") + v.name;
  const PointDerivatives d = f.at(point);
  std::printf("variables: %s\nat: %s\nf: %.9g\ngradient: %s\nhessian: [", names.c_str(),
              vectorText(point).c_str(), d.value, vectorText(d.gradient).c_str());
  for (size_t i = 0; i < d.hessian.size(); ++i)
    std::printf("%s%s", i ? ", " : "", vectorText(d.hessian[i]).c_str());
  std::printf("]\n");
  if (args.has("--descend")) {
    const double lr = args.doubleValue("--descend", 0.1, 0.0, 1e6);
    const int steps = int(args.intValue("--steps", 10, 1, 1000000));
    const auto path = f.descend(point, lr, steps);
    for (size_t s = 0; s < path.size(); ++s) {
      std::vector<Tensor> values;
      for (double v : path[s]) values.emplace_back(Shape{}, float(v));
      std::printf("step %zu: %s f=%.9g\n", s, vectorText(path[s]).c_str(),
                  double(f.evaluate(values)[0]));
    }
  }
  return 0;
}

}  // namespace tessel::app
