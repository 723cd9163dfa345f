#pragma once
// An optimizer's state as TF.js optimizer weights (tfjs-core Optimizer.getWeights(), saved by
// tfjs-layers `model.save(..., {includeOptimizer: true})` with "group": "optimizer"):
//   "iter"  scalar, the number of applied steps (Optimizer::iterations()), first;
//   then every slot kind in turn, one entry per trainable variable (Keras weight order):
//   "<variable>/<slot>", e.g. "dense/kernel/m", "dense/bias/m", "dense/kernel/v", ...
// Slot names follow tfjs-core where the optimizer exists there (adam_optimizer.ts "m", "v";
// momentum_optimizer.ts "momentum"; rmsprop_optimizer.ts "rms", "momentum", "mg";
// adagrad_optimizer.ts "accumulator"), else the Keras 2 slot names. Differences from tfjs:
//  - RMSprop without momentum has no "/momentum" slots here (tfjs always keeps zero ones);
//  - Adam with amsgrad adds "/vhat" (Keras only); Adamax ("m", "u") and Nadam ("m", "v") use
//    Keras 2 names (tfjs cannot save Adamax state, has no Nadam);
//  - a plain SGD (momentum 0) has only "iter", as tfjs's SGDOptimizer.
// The learning rate is not state: it lives in the training config's optimizer_config.
#include <string>
#include <vector>

#include "engine/io/TfjsModel.h"
#include "engine/layers/Layer.h"
#include "engine/optimizers/Optimizer.h"

namespace tessel {

class Model;

// tfjs name of slot kind `kind` ("m", "velocity", ...) of optimizer class `optimizerClass`.
std::string tfjsSlotName(const std::string& optimizerClass, const std::string& kind);

// Full names ("dense/kernel") of model.trainableWeights(), in that order.
std::vector<std::string> trainableWeightNames(Model& model);

// The optimizer's state in TF.js order and names. `variableNames` names the variables the
// optimizer was built for (their order); an optimizer not built yet gives "iter" only.
NamedWeights optimizerWeights(Optimizer& optimizer, const std::vector<std::string>& variableNames);

// Restores state written by optimizerWeights (or tfjs): builds the optimizer for `vars`, then
// matches every slot BY NAME and shape and sets iterations() from "iter". Throws Error listing the
// missing, unexpected and mismatched names (nothing is changed then).
void setOptimizerWeights(Optimizer& optimizer, const std::vector<Variable*>& vars,
                         const std::vector<std::string>& variableNames,
                         const NamedWeights& weights);

}  // namespace tessel
