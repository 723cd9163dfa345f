#pragma once
// The catalog of Keras callbacks the engine implements (keras.callbacks): class name, parameters
// with Keras defaults, one doc line each, and a factory from the Keras serialization
// {"class_name": ..., "config": {...}}. The CLI's callback options and the studio's callback
// settings build their callbacks here. (History and the progress logger are not listed: fit()
// adds them itself, as Keras does.)
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "engine/callbacks/Callback.h"
#include "engine/callbacks/ModelCheckpoint.h"
#include "engine/catalog/Catalog.h"

namespace tessel {

// What a callback needs besides its config.
struct CallbackContext {
  std::ostream* out = &std::cout;  // verbose messages and warnings; null: none
  ModelCheckpoint::Saver saver;    // how ModelCheckpoint writes the model (required for it)
};

struct CallbackEntry : CatalogEntry {
  // Builds the callback from a COMPLETE config (CatalogEntry::completeConfig); may throw Error.
  std::function<std::unique_ptr<Callback>(const json& config, const CallbackContext&)> create;
};

const Catalog<CallbackEntry>& callbackCatalog();

// {"class_name": "EarlyStopping", "config": {"patience": 3}}: missing keys take Keras's defaults.
// Throws Error for an unknown class, an unknown key or a bad value. The callback's toJson()
// gives back the complete config.
std::unique_ptr<Callback> makeCallback(const json& spec, const CallbackContext& context = {});

}  // namespace tessel
