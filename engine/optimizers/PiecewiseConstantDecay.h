#pragma once
// Keras PiecewiseConstantDecay: values[0] while step <= boundaries[0], values[i] while
// boundaries[i-1] < step <= boundaries[i], values.back() after the last boundary.
#include <vector>

#include "engine/optimizers/Schedule.h"

namespace tessel {

class PiecewiseConstantDecay : public Schedule {
 public:
  // values.size() must be boundaries.size() + 1 (fromConfig checks it).
  PiecewiseConstantDecay(std::vector<double> boundaries, std::vector<double> values)
      : boundaries_(std::move(boundaries)), values_(std::move(values)) {}
  static std::unique_ptr<Schedule> fromConfig(const nlohmann::json& config);
  double operator()(long long step) const override;
  nlohmann::json toJson() const override;

 private:
  std::vector<double> boundaries_, values_;
};

}  // namespace tessel
