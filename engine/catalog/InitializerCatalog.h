#pragma once
// The weight initializers the engine implements, as Keras's `keras.initializers.get` knows them:
// class name, the function names ("glorot_uniform", "zeros", ...), config keys with Keras
// defaults, a doc line and a hook that sets up an Initializer from a completed config.
// Initializer::fromJson (engine/layers/Initializers.h) reads this table; names also match with
// case and underscores ignored, so TF.js's "glorotUniform" finds GlorotUniform.
#include <functional>

#include "engine/catalog/Catalog.h"

namespace tessel {

struct Initializer;

struct InitializerEntry : CatalogEntry {
  // Sets kind, className and the numbers of `init` from a completed config (every param
  // present); throws Error for values Keras refuses.
  std::function<void(Initializer& init, const json& config)> configure;
};

const Catalog<InitializerEntry>& initializerCatalog();

}  // namespace tessel
