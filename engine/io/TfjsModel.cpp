#include "engine/io/TfjsModel.h"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/KerasCustomClasses.h"
#include "engine/io/LayerSupport.h"

namespace tessel {

static_assert(std::endian::native == std::endian::little,
              "TF.js weight shards are little-endian float32; add byte swapping for this target");

namespace fs = std::filesystem;

namespace {

std::string readWhole(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + what + " '" + path + "': " + std::strerror(errno));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read " + what + " '" + path + "'");
  return data;
}

void writeWhole(const fs::path& path, const char* data, std::size_t size) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + tmp.string() + "': " + std::strerror(errno));
    out.write(data, static_cast<std::streamsize>(size));
    out.flush();
    if (!out) throw Error("cannot write '" + tmp.string() + "': " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error("cannot write '" + path.string() + "': " + ec.message());
}

json parseJsonText(const std::string& text, const std::string& path) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // Line and column of the offending byte (nlohmann's byte index is 1-based).
    std::size_t upto = std::min<std::size_t>(e.byte ? e.byte - 1 : 0, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < upto; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string detail = e.what();
    std::size_t at = detail.find("column ");
    if (at != std::string::npos) at = detail.find(": ", at);
    if (at != std::string::npos) detail = detail.substr(at + 2);
    throw Error("'" + path + "': JSON syntax error at line " + std::to_string(line) + ", column " +
                std::to_string(column) + ": " + detail);
  } catch (const json::exception& e) {  // e.g. a number too large for a double (out_of_range)
    throw Error("'" + path + "': " + e.what());
  }
}

json maybeParsed(const json& v) {
  if (!v.is_string()) return v;
  try {
    return json::parse(v.get<std::string>());
  } catch (const json::exception&) {
    throw Error("model.json: training config is a string that is not valid JSON");
  }
}

// tfjs-layers writes the optimizer of its trainingConfig in tfjs-core's getConfig() form
// ({"class_name": "Adam", "config": {"learningRate", "beta1", "beta2", "epsilon"}}; RMSProp's
// "decay" is Keras's rho; Momentum is Keras's SGD with momentum). Returned in Keras form; a
// config already in Keras form is unchanged.
json kerasOptimizerConfig(const json& opt) {
  if (!opt.is_object() || !opt.contains("config") || !opt["config"].is_object()) return opt;
  static const std::pair<const char*, const char*> keys[] = {
      {"learningRate", "learning_rate"},
      {"beta1", "beta_1"},
      {"beta2", "beta_2"},
      {"useNesterov", "nesterov"},
      {"initialAccumulatorValue", "initial_accumulator_value"}};
  const json& cfg = opt["config"];
  if (!cfg.contains("learningRate")) return opt;
  std::string cls = opt.value("class_name", std::string());
  json out = json::object();
  for (auto it = cfg.begin(); it != cfg.end(); ++it) {
    std::string key = it.key();
    for (const auto& [from, to] : keys)
      if (key == from) key = to;
    if (cls == "RMSProp" && key == "decay") key = "rho";
    out[key] = it.value();
  }
  if (cls == "RMSProp") cls = "RMSprop";
  if (cls == "Momentum") cls = "SGD";
  return {{"class_name", cls}, {"config", std::move(out)}};
}

}  // namespace

// Reads a "weightsManifest" list (groups of paths + weight specs) into file.weights and
// file.optimizerWeights; shards are looked up in `directory`.
static void readManifest(const json& manifest, const std::string& directory, ModelFile& file);

// TF.js's SeparableConv2D.getConfig() leaves out depth_multiplier (tfjs-layers 4.22), so a
// model.json of one with depth_multiplier > 1 reads as 1: it is taken back from the shape of the
// layer's depthwise_kernel (kh, kw, C, depth_multiplier).
static void restoreDepthMultipliers(ModelFile& file) {
  for (NodeSpec& node : file.spec.nodes) {
    if (node.className != "SeparableConv2D" || !node.config.is_object() ||
        node.config.contains("depth_multiplier"))
      continue;
    for (const auto& [name, t] : file.weights)
      if (name == node.name + "/depthwise_kernel" && t.rank() == 4)
        node.config["depth_multiplier"] = t.shape()[3];
  }
}

ModelFile parseModelJson(const json& modelJson, const std::string& directory) {
  if (!modelJson.is_object()) throw Error("model.json: expected a JSON object");
  if (modelJson.contains("format") && modelJson["format"].is_string() &&
      modelJson["format"] != "layers-model")
    throw Error("model.json: format '" + modelJson["format"].get<std::string>() +
                "' is not supported (expected a TF.js layers-model)");
  ModelFile file;
  file.spec = ModelSpec::fromKerasJson(modelJson);
  readCustomClassLayers(file.spec);
  requireSupportedLayers(file.spec, "model.json");

  // Training config: TF.js writes "trainingConfig" at top level; tensorflowjs_converter puts
  // "training_config" inside modelTopology (Keras h5 stores it as a JSON string).
  json top = modelJson.contains("modelTopology") ? maybeParsed(modelJson["modelTopology"]) : json();
  if (modelJson.contains("trainingConfig") && !modelJson["trainingConfig"].is_null())
    file.trainingConfig = maybeParsed(modelJson["trainingConfig"]);
  else if (modelJson.contains("training_config") && !modelJson["training_config"].is_null())
    file.trainingConfig = maybeParsed(modelJson["training_config"]);
  else if (top.is_object() && top.contains("training_config") && !top["training_config"].is_null())
    file.trainingConfig = maybeParsed(top["training_config"]);
  else if (modelJson.contains("compile_config") && modelJson["compile_config"].is_object())
    file.trainingConfig = trainingConfigFromCompileConfig(modelJson["compile_config"]);  // Keras 3
  if (file.trainingConfig.is_object() && file.trainingConfig.contains("optimizer_config"))
    file.trainingConfig["optimizer_config"] =
        kerasOptimizerConfig(file.trainingConfig["optimizer_config"]);

  if (!modelJson.contains("weightsManifest") || modelJson["weightsManifest"].is_null()) return file;
  readManifest(modelJson["weightsManifest"], directory, file);
  restoreDepthMultipliers(file);
  return file;
}

static void readManifest(const json& manifest, const std::string& directory, ModelFile& file) {
  if (!manifest.is_array()) throw Error("model.json: 'weightsManifest' must be a list");
  std::set<std::string> seen, seenOptimizer;
  for (std::size_t g = 0; g < manifest.size(); ++g) {
    const json& group = manifest[g];
    const std::string groupName = "weightsManifest group " + std::to_string(g + 1);
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() ||
        !group.contains("weights") || !group["weights"].is_array())
      throw Error("model.json: " + groupName + " needs 'paths' and 'weights' lists");
    std::string data;
    std::string shardList;
    for (const auto& p : group["paths"]) {
      if (!p.is_string()) throw Error("model.json: " + groupName + " has a non-string path");
      const fs::path relative = fs::path(p.get<std::string>()).lexically_normal();
      if (relative.empty() || relative.is_absolute() || *relative.begin() == "..")
        throw Error("model.json: weight shard path '" + p.get<std::string>() +
                    "' must name a file inside the model's folder");
      fs::path shard = fs::path(directory) / relative;
      std::error_code ec;
      if (fs::exists(shard, ec) && !fs::is_regular_file(shard, ec))
        throw Error("weight shard '" + shard.string() + "' is not a regular file");
      if (!fs::exists(shard))
        throw Error("missing weight shard '" + shard.string() + "' (listed in model.json)");
      data += readWhole(shard.string(), "weight shard");
      shardList += (shardList.empty() ? "" : ", ") + p.get<std::string>();
    }
    std::size_t offset = 0;
    for (const auto& w : group["weights"]) {
      if (!w.is_object() || !w.contains("name") || !w["name"].is_string())
        throw Error("model.json: " + groupName + " has a weight without a name");
      const std::string name = w["name"];
      if (w.contains("quantization") && !w["quantization"].is_null())
        throw Error("weight '" + name + "' is quantized; quantized weights are not supported");
      std::string dtype = w.value("dtype", std::string("float32"));
      if (dtype != "float32" && dtype != "int32")
        throw Error("weight '" + name + "' has dtype '" + dtype +
                    "'; only float32 (and int32) weights are supported");
      if (!w.contains("shape") || !w["shape"].is_array())
        throw Error("weight '" + name + "' has no shape in model.json");
      Shape shape;
      for (const auto& d : w["shape"]) {
        if (!d.is_number_integer() || d.get<long long>() < 0)
          throw Error("weight '" + name + "' has a bad shape " + w["shape"].dump());
        shape.push_back(d.get<Index>());
      }
      // Both dtypes are 4 bytes per element; a shape larger than the shards is refused before
      // the tensor is allocated (boundedProduct also guards the product against overflow).
      const std::int64_t count = boundedProduct(shape, static_cast<std::int64_t>(data.size() / 4));
      if (count < 0)
        throw Error("weight shard data too short: weight '" + name + "' " + w["shape"].dump() +
                    " needs more than the " + std::to_string(data.size()) +
                    " bytes the shards of " + groupName + " (" + shardList + ") hold");
      const std::size_t bytes = static_cast<std::size_t>(count) * 4;
      if (offset + bytes > data.size())
        throw Error("weight shard data too short: weight '" + name + "' " + w["shape"].dump() +
                    " needs bytes " + std::to_string(offset) + ".." +
                    std::to_string(offset + bytes) + " but the shards of " + groupName + " (" +
                    shardList + ") hold " + std::to_string(data.size()) + " bytes");
      const bool optimizer = w.contains("group") && w["group"] == "optimizer";
      if (!(optimizer ? seenOptimizer : seen).insert(name).second)
        throw Error("model.json: " + std::string(optimizer ? "optimizer weight '" : "weight '") +
                    name + "' is listed twice");
      Tensor t(shape);
      if (dtype == "float32") {
        if (bytes) std::memcpy(t.data(), data.data() + offset, bytes);
      } else {
        for (Index i = 0; i < t.size(); ++i) {
          std::int32_t v;
          std::memcpy(&v, data.data() + offset + static_cast<std::size_t>(i) * 4, 4);
          if (v > (1 << 24) || v < -(1 << 24))
            throw Error("int32 weight '" + name + "' holds " + std::to_string(v) +
                        ", beyond what a float32 holds exactly (2^24)");
          t[i] = static_cast<float>(v);
        }
      }
      offset += bytes;
      (optimizer ? file.optimizerWeights : file.weights).emplace_back(name, std::move(t));
    }
    if (offset != data.size())
      throw Error("weight shapes do not match the manifest size: the weights of " + groupName +
                  " need " + std::to_string(offset) + " bytes but its shards (" + shardList +
                  ") hold " + std::to_string(data.size()) + " bytes");
  }
}

ModelFile readModelFile(const std::string& path) {
  if (!fs::exists(path)) throw Error("model file '" + path + "' does not exist");
  std::string text = readWhole(path, "model file");
  json j = parseJsonText(text, path);
  fs::path dir = fs::path(path).parent_path();
  return parseModelJson(j, dir.empty() ? std::string(".") : dir.string());
}

ModelFile readWeightsFile(const std::string& path) {
  if (!fs::exists(path)) throw Error("weights file '" + path + "' does not exist");
  std::string text = readWhole(path, "weights file");
  json j = parseJsonText(text, path);
  fs::path dir = fs::path(path).parent_path();
  const std::string directory = dir.empty() ? std::string(".") : dir.string();
  if (j.is_object() && j.contains("modelTopology") && !j["modelTopology"].is_null())
    return parseModelJson(j, directory);
  ModelFile file;
  const json* manifest = nullptr;
  if (j.is_array())
    manifest = &j;  // weights_manifest.json: the bare list of groups
  else if (j.is_object() && j.contains("weightsManifest"))
    manifest = &j["weightsManifest"];
  if (!manifest || manifest->is_null())
    throw Error("'" + path + "' is neither a model.json nor a TF.js weights manifest");
  if (j.is_object() && j.contains("trainingConfig") && !j["trainingConfig"].is_null())
    file.trainingConfig = maybeParsed(j["trainingConfig"]);
  readManifest(*manifest, directory, file);
  return file;
}

void writeModelFile(const std::string& path, const ModelSpec& spec, const NamedWeights& weights,
                    const json& trainingConfig, std::size_t shardBytes) {
  ModelFile file;
  file.spec = spec;
  file.weights = weights;
  file.trainingConfig = trainingConfig;
  writeModelFile(path, file, shardBytes);
}

void writeModelFile(const std::string& path, const ModelFile& file, std::size_t shardBytes) {
  if (shardBytes < sizeof(float)) throw Error("writeModelFile: shard size must be at least 4");
  json manifestWeights = json::array();
  std::size_t total = 0;
  std::set<std::string> names, optimizerNames;
  // tfjs writes the optimizer's "iter" as an int32 scalar.
  auto isIter = [](const std::string& name, const Tensor& t) {
    return name == "iter" && t.shape().empty();
  };
  auto addSpecs = [&](const NamedWeights& weights, bool optimizer) {
    for (const auto& [name, t] : weights) {
      if (!(optimizer ? optimizerNames : names).insert(name).second)
        throw Error(std::string("writeModelFile: two ") + (optimizer ? "optimizer " : "") +
                    "weights are named '" + name + "'");
      if (shapeProduct(t.shape()) != t.size())
        throw Error("writeModelFile: weight '" + name + "' is empty");
      json spec = {{"name", name},
                   {"shape", t.shape()},
                   {"dtype", optimizer && isIter(name, t) ? "int32" : "float32"}};
      if (optimizer) spec["group"] = "optimizer";
      manifestWeights.push_back(std::move(spec));
      total += static_cast<std::size_t>(t.size()) * sizeof(float);
    }
  };
  addSpecs(file.weights, false);
  addSpecs(file.optimizerWeights, true);
  std::string data;
  data.reserve(total);
  for (const auto& [name, t] : file.weights)
    data.append(reinterpret_cast<const char*>(t.data()),
                static_cast<std::size_t>(t.size()) * sizeof(float));
  for (const auto& [name, t] : file.optimizerWeights) {
    if (isIter(name, t)) {
      const float v = t[0];
      if (!(v >= 0 && v <= float(1 << 24)) || v != std::floor(v))
        throw Error("writeModelFile: optimizer 'iter' must be a whole number in [0, 2^24], got " +
                    std::to_string(v));
      const std::int32_t it = static_cast<std::int32_t>(v);
      data.append(reinterpret_cast<const char*>(&it), sizeof it);
    } else {
      data.append(reinterpret_cast<const char*>(t.data()),
                  static_cast<std::size_t>(t.size()) * sizeof(float));
    }
  }

  fs::path modelPath(path);
  fs::path dir = modelPath.parent_path();
  json manifest = json::array();
  if (!manifestWeights.empty()) {
    std::size_t shards = std::max<std::size_t>(1, (total + shardBytes - 1) / shardBytes);
    json paths = json::array();
    for (std::size_t s = 0; s < shards; ++s) {
      std::string shardName =
          "group1-shard" + std::to_string(s + 1) + "of" + std::to_string(shards) + ".bin";
      std::size_t begin = s * shardBytes;
      std::size_t size = std::min(shardBytes, total - std::min(total, begin));
      writeWhole(dir / shardName, data.data() + begin, size);
      paths.push_back(shardName);
    }
    manifest.push_back({{"paths", std::move(paths)}, {"weights", std::move(manifestWeights)}});
  }
  json topology = file.spec.toKerasJson();
  writeCustomClassLayers(topology);
  json model = {{"format", "layers-model"},
                {"generatedBy", std::string("Tessel Studio ") + TESSEL_VERSION},
                {"convertedBy", nullptr},
                {"modelTopology", std::move(topology)},
                {"weightsManifest", std::move(manifest)}};
  if (!file.trainingConfig.is_null()) model["trainingConfig"] = file.trainingConfig;
  std::string text = model.dump();
  writeWhole(modelPath, text.data(), text.size());
}

}  // namespace tessel
