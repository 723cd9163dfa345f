#pragma once
// The metrics the engine implements, as Keras 2's `keras.metrics.get` knows them: class name,
// function names and aliases (the first alias is the short name the compile panel lists), config
// keys with Keras defaults, the metric's default name and a factory. The loss metrics (mse,
// binary_crossentropy, ...) share their aliases and parameters with the loss catalog's entries.
// makeMetric (MetricFactory.cpp), the compile panel and the command line's --metrics read it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/catalog/Catalog.h"

namespace tessel {

class Metric;

struct MetricEntry : CatalogEntry {
  std::string name;       // Keras's default name of the metric: "binary_accuracy"
  std::string lossClass;  // the loss class whose values it averages ("" for the others)
  // The metric of a completed config (every param present), logged under `name`.
  std::function<std::unique_ptr<Metric>(const json& config, const std::string& name)> make;
};

const Catalog<MetricEntry>& metricCatalog();

// Names Keras's compile() resolves from the loss and the output shape instead of get():
// "accuracy", "acc" (binary / categorical / sparse categorical accuracy) and "crossentropy",
// "ce" (the matching crossentropy).
const std::vector<std::string>& resolvedMetricNames();

}  // namespace tessel
