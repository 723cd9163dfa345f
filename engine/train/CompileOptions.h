#pragma once
// What Keras's compile() takes: loss per output, loss weights, metrics per output, optimizer.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tessel {

using json = nlohmann::json;

struct CompileOptions {
  std::vector<json> losses;                // one per output, or one shared by all outputs
  std::vector<double> lossWeights;         // empty = all 1
  std::vector<std::vector<json>> metrics;  // per output, or one list for all outputs
  json optimizer = "rmsprop";              // Keras compile() default

  // Keras / TF.js training_config: {"loss": str | [..] | {output: ..}, "metrics": [..] | {..},
  // "loss_weights": [..] | {..} | null, "optimizer_config": {"class_name", "config"}}. Dict forms
  // are resolved by output name (outputNames = the model's output node names; may be empty when
  // only list forms are used). Throws Error for malformed input.
  static CompileOptions fromTrainingConfig(const json& trainingConfig,
                                           const std::vector<std::string>& outputNames = {});
  // The same form back (loss as a string when there is one, else a list; optimizer_config as
  // {"class_name", "config"} when the optimizer is given as a name the config is {}).
  json toTrainingConfig() const;
};

}  // namespace tessel
