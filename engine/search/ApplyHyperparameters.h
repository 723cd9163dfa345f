#pragma once
// Writing a trial's values into what a run trains: the Keras functional JSON of the model
// ("layers.<layer>.<key>" sets that layer's config key) and the RunSettings JSON
// (RunSettings::toJson form: "optimizer" replaces compile.optimizer_config's class, keeping the
// learning rate; "optimizer.<key>" sets its config key; "loss_weights.<output>" sets that output's
// weight in compile.loss_weights; "batch_size" and "epochs" set fit's).
#include <nlohmann/json.hpp>

#include "engine/search/SearchSpace.h"

namespace tessel {

// Throws Error naming the parameter when a target does not exist in `spec` / `settings` (an
// unknown layer, an optimizer target without compile settings).
void checkTargets(const SearchSpace& space, const nlohmann::json& spec,
                  const nlohmann::json& settings);

// Sets every value of `values` (parameters of `space`; the "optimizer" class first).
void applyHyperparameters(const SearchSpace& space, const nlohmann::json& values,
                          nlohmann::json& spec, nlohmann::json& settings);

// The current value of `target` in spec / settings (null when unset): what "Apply best" replaces
// and the default settings' value.
nlohmann::json currentValue(const std::string& target, const nlohmann::json& spec,
                            const nlohmann::json& settings);

}  // namespace tessel
