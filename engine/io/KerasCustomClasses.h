#pragma once
// Reusable custom layer classes: a CustomLayer node's weights and call, named, stored in the
// project (Project::setCustomClass) and offered in the palette's "Custom" group. A class
// definition is {"weights": [...], "call": "...", "params": {...}} (the params are the defaults
// each new node starts from; every node keeps its own).
//
// In model.json a CustomLayer is written as Keras writes a registered custom class: class_name
// is the user's class name (e.g. "CustomizedDenseLayer"), the config keeps our "call" expression
// and "weights" declaration next to "params" (Python bytecode is never involved); reading turns a
// layer of an unknown class whose config has "call" and "weights" back into a CustomLayer.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/graph/ModelSpec.h"

namespace tessel {

// The class definition of a CustomLayer config (throws Error when it has no call or weights).
json customClassDefinition(const json& customLayerConfig);
// A CustomLayer config (without "name") for a new node of class `name`.
json customLayerConfigFor(const std::string& name, const json& definition);

// Keras JSON topology (any form ModelSpec writes): every CustomLayer layer gets class_name = its
// "custom_class" (and, in Keras 3 form, registered_name "Custom>Name", module null).
void writeCustomClassLayers(json& topology);
// Nodes of an unregistered class whose config has "call" and "weights" become CustomLayer nodes
// with "custom_class" = the class name.
void readCustomClassLayers(ModelSpec& spec);

}  // namespace tessel
