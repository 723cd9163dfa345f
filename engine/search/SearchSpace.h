#pragma once
// A hyperparameter search space: the values a search may try, each with the setting it changes.
// One JSON form, read by fromJson (which validates) and written by toJson:
//   {"hyperparameters": [
//     {"name": "learning_rate", "target": "optimizer.learning_rate",
//      "distribution": "log_uniform", "min": 3e-4, "max": 3e-2},          // scipy reciprocal
//     {"name": "units", "target": "layers.dense.units", "distribution": "int",
//      "min": 10, "max": 100, "step": 10},
//     {"name": "optimizer", "target": "optimizer", "distribution": "choice",
//      "values": ["SGD", "Adam"]},
//     {"name": "momentum", "target": "optimizer.momentum", "distribution": "uniform",
//      "min": 0, "max": 0.9, "condition": {"parameter": "optimizer", "values": ["SGD"]}}]}
// A bare list is read as the "hyperparameters" list. "name" defaults to the target.
// Targets (applied by applyHyperparameters): "layers.<layer>.<config key>" (a layer parameter),
// "optimizer" (the optimizer class), "optimizer.<config key>" (learning_rate, momentum, ...),
// "loss_weights.<output>" (the loss weight of one model output), "batch_size", "epochs" (fit
// settings). Distributions: "choice" (values), "int" (min, max,
// step >= 1, both ends included), "uniform" (min, max; "step" optional, used by grid search),
// "log_uniform" / "reciprocal" (0 < min < max; scipy.stats.reciprocal; grid search needs
// "step": the ratio between neighbours). "default" is optional (else the first value / min).
// Conditions: the parameter is active only while another (earlier) parameter has one of
// `values` (KerasTuner's conditional_scope); inactive parameters are left out of a trial.
//
// Encoding (for the Gaussian process, as KerasTuner's value_to_cumulative_prob): every parameter
// maps to [0, 1]: choice i of n and int value i of n to (i + 0.5) / n, uniform linearly,
// log-uniform by log(v / min) / log(max / min); inactive parameters encode their default.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessel {

class Rng;

struct Hyperparameter {
  enum class Kind { Choice, Int, Uniform, LogUniform };
  std::string name;
  std::string target;
  Kind kind = Kind::Choice;
  nlohmann::json values = nlohmann::json::array();  // Choice
  double min = 0, max = 0;
  double step = 0;  // Int: >= 1; Uniform: additive grid step; LogUniform: grid ratio (0 = none)
  nlohmann::json defaultValue;     // null = first value / min
  std::string conditionParameter;  // "" = always active
  nlohmann::json conditionValues = nlohmann::json::array();

  // The values a grid enumerates (Choice: values; Int: min, min+step, ..; Uniform/LogUniform
  // with a step); throws Error when a continuous parameter has no step.
  std::vector<nlohmann::json> gridValues() const;
  nlohmann::json defaultOrFirst() const;
  nlohmann::json sample(Rng& rng) const;
  double encode(const nlohmann::json& value) const;  // to [0, 1]
  nlohmann::json decode(double p) const;             // from [0, 1]
  static const char* kindName(Kind kind);
};

class SearchSpace {
 public:
  // Throws Error with a message naming the parameter for: an empty space, a missing or unknown
  // distribution, min >= max, a non-positive log-uniform bound, an int step < 1, an empty choice,
  // a duplicate name, a malformed target, a condition on an unknown or later parameter.
  static SearchSpace fromJson(const nlohmann::json& j);
  nlohmann::json toJson() const;

  const std::vector<Hyperparameter>& parameters() const { return params_; }
  size_t size() const { return params_.size(); }
  const Hyperparameter* find(const std::string& name) const;

  // Whether `p` is active given the other values of a trial (its condition holds).
  bool isActive(const Hyperparameter& p, const nlohmann::json& values) const;
  // One random trial (inactive parameters left out).
  nlohmann::json sample(Rng& rng) const;
  // Every grid point, in row-major order of the parameters (the last one varies fastest);
  // inactive parameters are left out and the duplicates this makes are dropped.
  std::vector<nlohmann::json> grid() const;
  std::vector<double> encode(const nlohmann::json& values) const;
  nlohmann::json decode(const std::vector<double>& x) const;

 private:
  std::vector<Hyperparameter> params_;
};

// A double in [0, 1) from 53 random bits of rng.
double uniform01(Rng& rng);

}  // namespace tessel
