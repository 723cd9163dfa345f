#pragma once
// The activation functions the engine implements, as Keras's `keras.activations.get` knows them:
// the function name Keras writes in a layer config ("relu", "hard_sigmoid"), the other spellings
// accepted (TF.js "hardSigmoid", Keras "silu"), one doc line and the engine's ActivationFn.
// activationFromName / activationNames (engine/layers/Activations.h) read this table.
#include "engine/catalog/Catalog.h"
#include "engine/layers/Activations.h"

namespace tessel {

struct ActivationEntry : CatalogEntry {
  ActivationFn fn = ActivationFn::Linear;
};

// Entries in ActivationFn order.
const Catalog<ActivationEntry>& activationCatalog();

}  // namespace tessel
