#pragma once
// The losses the engine implements, as Keras 2's `keras.losses.get` knows them: class name, the
// function names and aliases ("mse", "mean_squared_error", "MSE", ...; the first alias is the
// short name the compile panel lists), config keys with Keras defaults, the loss's default name
// and a factory. makeLoss (LossFactory.cpp), the metric catalog (for the loss metrics), the
// compile panel and the command line's --loss read this table.
#include <functional>
#include <memory>

#include "engine/catalog/Catalog.h"

namespace tessel {

class Loss;

struct LossEntry : CatalogEntry {
  std::string name;  // Keras's default name of the loss: "mean_squared_error"
  // The loss of a completed config (every param present), logged under `name`.
  std::function<std::unique_ptr<Loss>(const json& config, const std::string& name)> make;
};

const Catalog<LossEntry>& lossCatalog();

}  // namespace tessel
