#pragma once
// The TensorFlow.js Layers model format: a model.json
//   {"format": "layers-model", "generatedBy", "convertedBy", "modelTopology": {...},
//    "trainingConfig": {...}, "weightsManifest": [{"paths": ["group1-shard1of2.bin", ...],
//                                                  "weights": [{"name", "shape", "dtype"}]}]}
// next to binary shards holding every weight of a group as little-endian float32, concatenated
// in manifest order and cut into shards of at most 4 MiB (as tensorflowjs_converter writes).
// "modelTopology" is a Keras topology or {"model_config": ..., "training_config": ...}.
//
// Optimizer state, as tfjs-layers `model.save(handler, {includeOptimizer: true})` writes it
// (tfjs-layers src/engine/training.ts save(); models.ts decodeModelAndOptimizerWeights): the
// optimizer's getWeights() appended after the model weights in the same manifest group and data,
// every spec carrying "group": "optimizer"; "iter" (int32 scalar, the applied steps) first, then
// "<variable>/<slot>" (engine/io/TfjsOptimizerWeights.h gives the names and restores them).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

using json = nlohmann::json;
using NamedWeights = std::vector<std::pair<std::string, Tensor>>;  // "dense/kernel" -> value

inline constexpr std::size_t kTfjsShardBytes = 4 * 1024 * 1024;  // tensorflowjs_converter default

struct ModelFile {
  ModelSpec spec;
  NamedWeights weights;  // manifest order; empty when the file has no weightsManifest
  json trainingConfig;   // null if none ("trainingConfig", "training_config" or inside topology)
  // Specs with "group": "optimizer", manifest order ("iter" first when written by tfjs or us).
  // int32 entries ("iter") are held as float values (exact up to 2^24; larger is an Error).
  NamedWeights optimizerWeights;
};

// A tfjs-layers trainingConfig's optimizer (tfjs-core getConfig() keys: learningRate, beta1, ...;
// class RMSProp / Momentum) is returned in Keras form (learning_rate, beta_1, ...; RMSprop, SGD).
//
// Reads model.json at `path` and its shards (paths relative to model.json's folder; any number
// of groups and shards). Also accepts a bare Keras topology (`model.to_json()`). Throws Error with
// one clear line: file missing, JSON syntax error (line, column), missing shard (its path), shard
// data too short, unsupported dtype (float32 and int32 are read), weight shapes not matching the
// shard sizes.
ModelFile readModelFile(const std::string& path);
// Same from an already parsed model.json; shards are looked up in `directory`.
ModelFile parseModelJson(const json& modelJson, const std::string& directory);

// The weights of a model.json (readModelFile), or of a TF.js weights manifest without topology:
// {"weightsManifest": [...]} (what the studio's "weights only" export writes) or the bare list of
// groups of tensorflowjs_converter's weights_manifest.json. `spec` stays empty for a manifest.
ModelFile readWeightsFile(const std::string& path);

// Writes model.json at `path` and shards "group1-shard<i>of<n>.bin" next to it (one group,
// shards of at most `shardBytes`). Floats are written bit for bit. `trainingConfig` is written as
// "trainingConfig" unless null.
void writeModelFile(const std::string& path, const ModelSpec& spec, const NamedWeights& weights,
                    const json& trainingConfig = nullptr, std::size_t shardBytes = kTfjsShardBytes);
// The same with file.optimizerWeights appended after the model weights (same group and shards),
// each spec with "group": "optimizer"; a scalar named "iter" is written as int32 as tfjs does
// (its value must be a whole number in [0, 2^24]).
void writeModelFile(const std::string& path, const ModelFile& file,
                    std::size_t shardBytes = kTfjsShardBytes);

}  // namespace tessel
