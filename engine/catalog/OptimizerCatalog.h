#pragma once
// The optimizers the engine implements, as Keras's `keras.optimizers.get` knows them: class name,
// the lower-case aliases ("sgd", "adam", ...), every constructor argument with its Keras 2.11+
// default (epsilon 1e-7, ...) and a factory. makeOptimizer (OptimizerFactory.cpp), the compile
// panel, the command line's --optimizer and the Python export read this table; nothing else lists
// optimizer names or defaults.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/catalog/Catalog.h"

namespace tessel {

class Optimizer;

struct OptimizerEntry : CatalogEntry {
  // The optimizer of a completed config (every param present, values checked). The base keys
  // (learning_rate, weight_decay, clip*) are applied by makeOptimizer afterwards.
  std::function<std::unique_ptr<Optimizer>(const json& config)> make;
};

const Catalog<OptimizerEntry>& optimizerCatalog();

// Keys Keras writes in an optimizer config that are accepted besides the entry's params: "name",
// the legacy "lr" and "decay", the EMA keys (use_ema must stay false), jit_compile and
// is_legacy_optimizer (ignored).
const std::vector<std::string>& optimizerExtraKeys();

}  // namespace tessel
