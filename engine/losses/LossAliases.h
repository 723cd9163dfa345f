#pragma once
// Keras function names and aliases that name the same class as a loss and as a metric
// (keras.losses.get and keras.metrics.get agree on them): "mse" -> "MeanSquaredError", ...
// LossFactory and MetricFactory add their own (huber, accuracy, rmse, ...).
#include <map>
#include <string>

namespace tessel {

const std::map<std::string, std::string>& lossFunctionAliases();

}  // namespace tessel
