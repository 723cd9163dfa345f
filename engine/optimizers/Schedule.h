#pragma once
// Keras learning-rate schedules: lr(step), step = optimizer iterations before the update.
#include <memory>
#include <nlohmann/json.hpp>

namespace tessel {

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual double operator()(long long step) const = 0;
  virtual nlohmann::json toJson() const = 0;  // {"class_name": "ExponentialDecay", "config": {..}}
};

// {"class_name": "ExponentialDecay"|"InverseTimeDecay"|"PiecewiseConstantDecay"|
//  "PolynomialDecay"|"CosineDecay", "config": {...}} with Keras's keys and defaults.
std::unique_ptr<Schedule> makeSchedule(const nlohmann::json& spec);

}  // namespace tessel
