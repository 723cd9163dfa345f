#include "engine/search/BayesianTuner.h"

#include <nlopt.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <type_traits>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/search/GaussianProcess.h"
#include "engine/search/RandomValues.h"

namespace tessel {

namespace {

// Minimises f over the box [0,1]^d from x with NLopt's Subplex (derivative-free and bounded, the
// role scipy's L-BFGS-B plays in KerasTuner's acquisition step); x ends at the best point found.
template <typename F>
double minimiseInBox(const F& f, Eigen::VectorXd& x) {
  const unsigned d = static_cast<unsigned>(x.size());
  std::unique_ptr<std::remove_pointer_t<nlopt_opt>, decltype(&nlopt_destroy)> opt(
      nlopt_create(NLOPT_LN_SBPLX, d), &nlopt_destroy);
  if (!opt) throw Error("bayesian: NLopt could not create its optimiser");
  nlopt_set_lower_bounds1(opt.get(), 0.0);
  nlopt_set_upper_bounds1(opt.get(), 1.0);
  auto objective = [](unsigned n, const double* p, double*, void* data) {
    const Eigen::Map<const Eigen::VectorXd> v(p, n);
    return (*static_cast<const F*>(data))(Eigen::VectorXd(v));
  };
  nlopt_set_min_objective(opt.get(), objective, const_cast<F*>(&f));
  nlopt_set_xtol_abs1(opt.get(), 1e-4);
  nlopt_set_maxeval(opt.get(), 200 * static_cast<int>(d));
  double fx = f(x);
  Eigen::VectorXd y = x;
  double fy = fx;
  if (nlopt_optimize(opt.get(), y.data(), &fy) > 0 && fy < fx) {
    x = y;
    fx = fy;
  }
  return fx;
}

}  // namespace

BayesianTuner::BayesianTuner(const SearchSpace& space, const TunerSettings& settings)
    : space_(space), settings_(settings) {
  if (settings_.numInitialPoints <= 0)
    settings_.numInitialPoints = 3 * static_cast<int>(space_.size());
  if (settings_.alpha <= 0) throw Error("bayesian: alpha must be > 0");
}

std::optional<TrialPlan> BayesianTuner::plan(const std::vector<TrialOutcome>& previous) {
  const size_t index = previous.size();
  if (static_cast<int>(index) >= settings_.maxTrials) return std::nullopt;
  std::vector<nlohmann::json> tried;
  std::vector<const TrialOutcome*> done;
  for (const auto& t : previous) {
    tried.push_back(t.values);
    if (t.loss && std::isfinite(*t.loss)) done.push_back(&t);
  }
  auto random = [&]() -> std::optional<TrialPlan> {
    auto values = freshRandomValues(space_, settings_.seed, index, tried);
    if (!values) return std::nullopt;
    TrialPlan p;
    p.values = *values;
    return p;
  };
  if (static_cast<int>(done.size()) < settings_.numInitialPoints) return random();

  const Eigen::Index d = static_cast<Eigen::Index>(space_.size());
  Eigen::MatrixXd x(done.size(), d);
  Eigen::VectorXd y(done.size());
  for (size_t i = 0; i < done.size(); ++i) {
    auto e = space_.encode(done[i]->values);
    for (Eigen::Index j = 0; j < d; ++j) x(i, j) = e[j];
    y(i) = *done[i]->loss;
  }
  GaussianProcess gp(settings_.alpha);
  try {
    gp.fit(x, y);
  } catch (const Error&) {
    return random();
  }
  const double beta = settings_.beta;
  auto lcb = [&](const Eigen::VectorXd& p) {
    double mu, sigma;
    gp.predict(p, mu, sigma);
    return mu - beta * sigma;
  };
  Rng rng(mixSeed(settings_.seed, 100, index));
  double best = std::numeric_limits<double>::infinity();
  Eigen::VectorXd bestX = Eigen::VectorXd::Constant(d, 0.5);
  for (int r = 0; r < kRestarts; ++r) {
    Eigen::VectorXd p(d);
    for (Eigen::Index j = 0; j < d; ++j) p(j) = uniform01(rng);
    double v = minimiseInBox(lcb, p);
    if (v < best) {
      best = v;
      bestX = p;
    }
  }
  TrialPlan plan;
  plan.values = space_.decode(std::vector<double>(bestX.data(), bestX.data() + d));
  for (const auto& t : tried)
    if (t == plan.values) return random();  // a discrete point already tried: explore instead
  return plan;
}

}  // namespace tessel
