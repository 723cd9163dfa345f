#include "engine/optimizers/PiecewiseConstantDecay.h"

#include "engine/optimizers/ScheduleConfig.h"

namespace tessel {

namespace {

std::vector<double> numbers(const nlohmann::json& c, const char* key) {
  if (!c.contains(key) || !c[key].is_array())
    throw Error(std::string("schedule 'PiecewiseConstantDecay': '") + key +
                "' is required and must be a list of numbers");
  std::vector<double> out;
  for (const auto& v : c[key]) {
    if (!v.is_number())
      throw Error(std::string("schedule 'PiecewiseConstantDecay': '") + key +
                  "' must be a list of numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace

std::unique_ptr<Schedule> PiecewiseConstantDecay::fromConfig(const nlohmann::json& c) {
  auto b = numbers(c, "boundaries");
  auto v = numbers(c, "values");
  if (v.size() != b.size() + 1)
    throw Error(
        "schedule 'PiecewiseConstantDecay': 'values' must have one more element than "
        "'boundaries' (got " +
        std::to_string(v.size()) + " values for " + std::to_string(b.size()) + " boundaries)");
  for (size_t i = 1; i < b.size(); ++i)
    if (b[i] < b[i - 1])
      throw Error("schedule 'PiecewiseConstantDecay': 'boundaries' must be increasing");
  return std::make_unique<PiecewiseConstantDecay>(std::move(b), std::move(v));
}

double PiecewiseConstantDecay::operator()(long long step) const {
  const double s = double(step);
  for (size_t i = 0; i < boundaries_.size(); ++i)
    if (s <= boundaries_[i]) return values_[i];
  return values_.back();
}

nlohmann::json PiecewiseConstantDecay::toJson() const {
  return {{"class_name", "PiecewiseConstantDecay"},
          {"config", {{"boundaries", boundaries_}, {"values", values_}, {"name", nullptr}}}};
}

}  // namespace tessel
