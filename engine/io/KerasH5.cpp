#include "engine/io/KerasH5.h"

#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "engine/core/Error.h"
#include "engine/graph/Blocks.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/KerasCustomClasses.h"
#include "engine/io/LayerSupport.h"
#include "engine/train/Model.h"

#ifndef TESSEL_VERSION
#define TESSEL_VERSION "0"
#endif

namespace tessel {

namespace {

// What Keras 2 writes as keras_version: we follow the tf.keras 2.x HDF5 layout.
constexpr const char* kKeras2Version = "2.15.0";
constexpr const char* kBackend = "tensorflow";

// One layer of the model: its name, class and weights (Keras order), each weight keyed by its
// Model::namedWeights() name ("dense/kernel"). A block (a nested Functional, Blocks.h) is one
// entry holding its layers' weights, trainable first as Keras's _legacy_weights lists them.
struct LayerWeights {
  std::string name;
  std::string className;
  std::vector<std::pair<std::string, Variable*>> vars;  // "dense/kernel" -> variable
};

LayerWeights layerWeights(Layer& layer) {
  LayerWeights lw{layer.name(), layer.className(), {}};
  for (Variable& v : layer.variables()) lw.vars.emplace_back(layer.name() + "/" + v.name, &v);
  return lw;
}

// The model's layers in Keras model.layers order (kerasLayerOrder), InputLayers left out; with
// `nested` and blocks in the spec, the top level of the nested model (Keras 2 .h5 layout).
std::vector<LayerWeights> modelLayers(Model& model, bool nested = false) {
  std::vector<LayerWeights> out;
  if (nested && !model.spec().groups.empty()) {
    for (const NestedLayerEntry& e : nestedLayerOrder(model.spec())) {
      if (e.block.empty()) {
        if (Layer* layer = model.layer(e.name)) out.push_back(layerWeights(*layer));
        continue;
      }
      LayerWeights block{e.block, "Functional", {}};
      for (bool trainablePass : {true, false})
        for (const std::string& name : e.layers)
          if (Layer* layer = model.layer(name))
            for (Variable& v : layer->variables())
              if ((v.trainable && layer->trainable()) == trainablePass)
                block.vars.emplace_back(name + "/" + v.name, &v);
      out.push_back(std::move(block));
    }
    return out;
  }
  for (const std::string& name : kerasLayerOrder(model.spec()))
    if (Layer* layer = model.layer(name)) out.push_back(layerWeights(*layer));
  return out;
}

// A weight as messages name it: "kernel" for a layer's own, "conv/kernel" inside a block.
std::string shortName(const LayerWeights& l, const std::string& key) {
  const std::string prefix = l.name + "/";
  return key.compare(0, prefix.size(), prefix) == 0 ? key.substr(prefix.size()) : key;
}

// One layer group of a Keras 2 file.
struct FileLayer {
  std::string name;
  std::vector<std::string> weightNames;  // "dense/kernel:0"
  h5::H5Node group;
};

std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::vector<FileLayer> keras2Layers(const h5::H5Node& g) {
  std::vector<FileLayer> out;
  for (const std::string& name : g.stringListAttr("layer_names")) {
    if (!g.isGroup(name))
      throw Error(g.label() + ": layer '" + name + "' is listed in layer_names but has no group");
    h5::H5Node lg = g.group(name);
    std::vector<std::string> weightNames;
    if (lg.hasAttr("weight_names") || lg.hasAttr("weight_names0"))
      weightNames = lg.stringListAttr("weight_names");
    out.push_back({name, std::move(weightNames), lg});
  }
  return out;
}

// The file layer's weights checked against the model layer (count, then every shape); `into`
// gets "<model layer>/<var>" -> value.
void takeLayer(const FileLayer& f, const LayerWeights& m, std::map<std::string, Tensor>& into) {
  if (f.weightNames.size() != m.vars.size()) {
    std::vector<std::string> expected;
    for (const auto& [n, v] : m.vars) expected.push_back(shortName(m, n));
    throw Error(f.group.label() + ": layer '" + m.name + "' (" + m.className + ") expects " +
                std::to_string(m.vars.size()) + " weight(s) (" + joinNames(expected) +
                ") but the file's layer '" + f.name + "' has " +
                std::to_string(f.weightNames.size()) + " (" + joinNames(f.weightNames) + ")");
  }
  for (size_t i = 0; i < m.vars.size(); ++i) {
    Tensor t = f.group.readTensor(f.weightNames[i]);
    const Shape& want = m.vars[i].second->value.shape();
    if (t.shape() != want)
      throw Error(f.group.label() + ": layer '" + m.name + "': weight '" + f.weightNames[i] +
                  "' has shape " + shapeToString(t.shape()) + " in the file, the model's " +
                  shortName(m, m.vars[i].first) + " has " + shapeToString(want));
    into[m.vars[i].first] = std::move(t);
  }
}

NamedWeights inModelOrder(Model& model, std::map<std::string, Tensor>& loaded) {
  NamedWeights out;
  for (auto& [name, var] : model.namedWeights()) {
    auto it = loaded.find(name);
    out.emplace_back(name, it != loaded.end() ? std::move(it->second) : var->value);
  }
  return out;
}

NamedWeights readKeras2Weights(const h5::H5Node& g, Model& model, WeightsMatch match) {
  const std::vector<FileLayer> fileLayers = keras2Layers(g);
  const std::vector<LayerWeights> layers = modelLayers(model, true);
  std::map<std::string, Tensor> loaded;
  if (match == WeightsMatch::ByName) {
    std::map<std::string, const LayerWeights*> byName;
    for (const auto& l : layers) byName[l.name] = &l;
    for (const FileLayer& f : fileLayers) {
      auto it = byName.find(f.name);
      if (it == byName.end()) continue;  // Keras by_name ignores layers the model lacks
      takeLayer(f, *it->second, loaded);
    }
    return inModelOrder(model, loaded);
  }
  // By order (Keras 2 load_weights_from_hdf5_group): only layers that have weights count.
  std::vector<const FileLayer*> withWeights;
  for (const auto& f : fileLayers)
    if (!f.weightNames.empty()) withWeights.push_back(&f);
  std::vector<const LayerWeights*> modelWith;
  for (const auto& l : layers)
    if (!l.vars.empty()) modelWith.push_back(&l);
  if (withWeights.size() != modelWith.size()) {
    std::vector<std::string> fileNames, modelNames;
    for (auto* f : withWeights) fileNames.push_back(f->name);
    for (auto* l : modelWith) modelNames.push_back(l->name);
    throw Error(g.label() + ": the file has weights for " + std::to_string(withWeights.size()) +
                " layer(s) (" + joinNames(fileNames) + "), the model has " +
                std::to_string(modelWith.size()) + " layer(s) with weights (" +
                joinNames(modelNames) + ")");
  }
  for (size_t i = 0; i < modelWith.size(); ++i) takeLayer(*withWeights[i], *modelWith[i], loaded);
  return inModelOrder(model, loaded);
}

// Keras 3 paths "layers/<snake class>[_n]" of the model's layers, in model.layers order.
std::vector<std::string> keras3Paths(const std::vector<std::string>& classNames) {
  std::map<std::string, int> used;
  std::vector<std::string> out;
  for (const auto& cls : classNames) {
    std::string name = kerasSnakeCase(cls);
    auto it = used.find(name);
    if (it != used.end()) {
      name += "_" + std::to_string(++it->second);
    } else {
      used[name] = 0;
    }
    out.push_back("layers/" + name);
  }
  return out;
}

// Keras 3 paths of a model with blocks saved nested (each block a Functional layer):
// "layers/functional/layers/dense/vars" for a layer of the first block; layer name -> path.
void keras3NestedPaths(const ModelSpec& spec, const std::string& block, const std::string& prefix,
                       std::map<std::string, std::string>& out) {
  const std::vector<NestedLayerEntry> entries = blockLevelOrder(spec, block);
  std::vector<std::string> classes;
  for (const auto& e : entries)
    classes.push_back(e.block.empty() ? spec.find(e.name)->className : "Functional");
  const std::vector<std::string> paths = keras3Paths(classes);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].block.empty())
      out[entries[i].name] = prefix + paths[i];
    else
      keras3NestedPaths(spec, entries[i].block, prefix + paths[i] + "/", out);
  }
}

NamedWeights readKeras3Weights(const h5::H5Node& root, Model& model) {
  // Keras 3 Functional model.layers lists InputLayers too, Sequential does not; InputLayers have
  // no variables and their own name counter, so the other layers' paths are the same either way.
  const std::vector<LayerWeights> layers = modelLayers(model);
  std::vector<std::string> classes;
  for (const auto& l : layers) classes.push_back(l.className);
  std::vector<std::string> paths = keras3Paths(classes);
  // A model with blocks read from a nested Keras 3 file (a base model used as a layer): its
  // layers sit under the block's path. Files written flat keep the flat paths.
  if (!model.spec().groups.empty() && root.isGroup("layers")) {
    std::map<std::string, std::string> nested;
    keras3NestedPaths(model.spec(), "", "", nested);
    bool blockPaths = false;
    for (const auto& [name, path] : nested)
      if (path.find("/layers/") != std::string::npos && root.isGroup(path)) blockPaths = true;
    if (blockPaths)
      for (size_t i = 0; i < layers.size(); ++i) paths[i] = nested.at(layers[i].name);
  }
  std::map<std::string, Tensor> loaded;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerWeights& l = layers[i];
    // Keras 2.13's files name the container _layer_checkpoint_dependencies (H5Entry's fallback).
    std::string vars = paths[i] + "/vars";
    if (!root.isGroup("layers")) vars = "_layer_checkpoint_dependencies" + vars.substr(6);
    if (l.vars.empty()) continue;
    if (!root.isGroup(vars))
      throw Error(root.label() + ": layer '" + l.name + "' (" + l.className + ") has " +
                  std::to_string(l.vars.size()) + " weight(s) but the file has no '" + vars + "'");
    h5::H5Node g = root.group(vars);
    const size_t count = g.children().size();
    if (count != l.vars.size()) {
      std::vector<std::string> expected;
      for (const auto& [n, v] : l.vars) expected.push_back(shortName(l, n));
      throw Error(root.label() + ": layer '" + l.name + "' (" + l.className + ") expects " +
                  std::to_string(l.vars.size()) + " weight(s) (" + joinNames(expected) + ") but '" +
                  vars + "' holds " + std::to_string(count));
    }
    for (size_t k = 0; k < l.vars.size(); ++k) {
      Tensor t = g.readTensor(std::to_string(k));
      const Shape& want = l.vars[k].second->value.shape();
      if (t.shape() != want)
        throw Error(root.label() + ": layer '" + l.name + "': weight '" + vars + "/" +
                    std::to_string(k) + "' (" + shortName(l, l.vars[k].first) + ") has shape " +
                    shapeToString(t.shape()) + " in the file, the model expects " +
                    shapeToString(want));
      loaded[l.vars[k].first] = std::move(t);
    }
  }
  return inModelOrder(model, loaded);
}

// Values of `weights` by name, checked to cover `model` exactly (same names and shapes).
std::map<std::string, const Tensor*> weightsFor(Model& model, const NamedWeights& weights) {
  std::map<std::string, const Tensor*> byName;
  for (const auto& [n, t] : weights) byName[n] = &t;
  for (auto& [name, var] : model.namedWeights()) {
    auto it = byName.find(name);
    if (it == byName.end()) throw Error("no value for weight '" + name + "'");
    if (it->second->shape() != var->value.shape())
      throw Error("weight '" + name + "' has shape " + shapeToString(it->second->shape()) +
                  ", the model expects " + shapeToString(var->value.shape()));
  }
  return byName;
}

// tf.keras 2.x's cell scope of a recurrent layer class ("LSTM" -> "lstm_cell"), "" for others.
std::string rnnCellScope(const std::string& className) {
  if (className == "LSTM") return "lstm_cell";
  if (className == "GRU") return "gru_cell";
  if (className == "SimpleRNN") return "simple_rnn_cell";
  return "";
}

// The name tf.keras 2.x gives variable `var` of layer `node` (Variable::name, "kernel",
// "forward_lstm/kernel"), as save_weights_to_hdf5_group writes it in weight_names: the layer's
// scope, then for recurrent layers their cell's ("lstm/lstm_cell/kernel:0"); Bidirectional puts
// each direction's layer in its scope ("bidirectional/forward_lstm/lstm_cell/kernel:0", TF adds
// a per-graph counter to the cell, "lstm_cell_1", which Keras ignores: it loads by order within
// the layer); TimeDistributed keeps the inner layer's variables in its own scope
// ("time_distributed/kernel:0").
std::string keras2WeightName(const NodeSpec& node, const std::string& var) {
  std::string cell = rnnCellScope(node.className);
  if (node.className == "Bidirectional" && node.config.contains("layer") &&
      node.config["layer"].is_object())
    cell = rnnCellScope(node.config["layer"].value("class_name", std::string()));
  if (cell.empty()) return node.name + "/" + var + ":0";
  const auto slash = var.rfind('/');
  const std::string scope = slash == std::string::npos ? "" : var.substr(0, slash + 1);
  const std::string leaf = slash == std::string::npos ? var : var.substr(slash + 1);
  return node.name + "/" + scope + cell + "/" + leaf + ":0";
}

// Keras 2 model_weights content (also the root of a weights-only file) for every node of `spec`
// (InputLayers included, as Keras 2 Functional model.layers lists them); a block is one group
// named after it holding its layers' weights ("model_weights/<block>/<layer>/<var>:0").
void writeKeras2Weights(const h5::H5Node& g, const ModelSpec& given, const NamedWeights& weights) {
  const ModelSpec spec = inKerasLayerOrder(given);
  Model model(spec, 0);
  auto values = weightsFor(model, weights);
  std::vector<std::string> layerNames;
  std::map<std::string, LayerWeights> byName;
  if (!spec.groups.empty()) {
    for (const NestedLayerEntry& e : nestedLayerOrder(spec)) layerNames.push_back(e.name);
    for (LayerWeights& l : modelLayers(model, true)) byName[l.name] = std::move(l);
  } else {
    for (const auto& n : spec.nodes) layerNames.push_back(n.name);
    for (LayerWeights& l : modelLayers(model)) byName[l.name] = std::move(l);
  }
  g.setBytesListAttr("layer_names", layerNames);
  g.setBytesAttr("backend", kBackend);
  g.setBytesAttr("keras_version", kKeras2Version);
  for (const std::string& name : layerNames) {
    h5::H5Node lg = g.createGroup(name);
    std::vector<std::string> names;
    if (auto it = byName.find(name); it != byName.end()) {
      for (const auto& [key, var] : it->second.vars) {
        // key is "<layer>/<variable>"; inside a block the layer is one of the block's.
        const auto slash = key.find('/');
        const NodeSpec* node = spec.find(key.substr(0, slash));
        const std::string wn = node ? keras2WeightName(*node, key.substr(slash + 1)) : key + ":0";
        names.push_back(wn);
        lg.writeTensor(wn, *values.at(key));
      }
    }
    lg.setBytesListAttr("weight_names", names);
  }
}

// One level of a model with blocks in the Keras 3 layout (saving_lib.py _save_state): every
// layer of the level (InputLayers included) at "<prefix>layers/<snake class>[_n]/vars", a child
// block as a Functional layer ("<prefix>layers/functional/vars", empty) whose own layers follow
// under "<prefix>layers/functional/layers/...". Same paths as keras3NestedPaths reads.
void writeKeras3Level(const h5::H5Node& root, const ModelSpec& spec, Model& model,
                      const std::map<std::string, const Tensor*>& values, const std::string& block,
                      const std::string& prefix) {
  const ModelSpec level = inKerasLayerOrder(blockLevelSpec(spec, block, nullptr));
  std::vector<std::string> classes;
  for (const auto& n : level.nodes) classes.push_back(n.className);
  const std::vector<std::string> paths = keras3Paths(classes);
  for (size_t i = 0; i < level.nodes.size(); ++i) {
    const NodeSpec& n = level.nodes[i];
    h5::H5Node vars = root.createGroup(prefix + paths[i] + "/vars");
    if (!spec.find(n.name)) {  // a child block's placeholder
      if (findBlock(spec, n.name))
        writeKeras3Level(root, spec, model, values, n.name, prefix + paths[i] + "/");
      continue;  // or a block's InputLayer
    }
    if (Layer* layer = model.layer(n.name)) {
      int k = 0;
      for (const Variable& v : layer->variables())
        vars.writeTensor(std::to_string(k++), *values.at(n.name + "/" + v.name));
    }
  }
}

void writeKeras3Weights(const h5::H5Node& root, const ModelSpec& given,
                        const NamedWeights& weights) {
  const ModelSpec spec = inKerasLayerOrder(given);
  Model model(spec, 0);
  auto values = weightsFor(model, weights);
  root.createGroup("vars");    // the model's own variables: none
  if (!spec.groups.empty()) {  // blocks as nested Functional models
    writeKeras3Level(root, spec, model, values, "", "");
    return;
  }
  std::vector<std::string> classes;
  for (const auto& n : spec.nodes) classes.push_back(n.className);
  const std::vector<std::string> paths = keras3Paths(classes);
  for (size_t i = 0; i < spec.nodes.size(); ++i) {
    h5::H5Node vars = root.createGroup(paths[i] + "/vars");
    if (Layer* layer = model.layer(spec.nodes[i].name)) {
      int k = 0;
      for (const Variable& v : layer->variables())
        vars.writeTensor(std::to_string(k++), *values.at(spec.nodes[i].name + "/" + v.name));
    }
  }
}

std::string optimizerPrefix(const json& trainingConfig) {
  if (trainingConfig.is_object() && trainingConfig.contains("optimizer_config")) {
    const json& oc = trainingConfig["optimizer_config"];
    if (oc.is_object() && oc.contains("class_name") && oc["class_name"].is_string())
      return oc["class_name"].get<std::string>();
    if (oc.is_string()) return oc.get<std::string>();
  }
  return "Optimizer";
}

// Whether a path segment is a tf.keras recurrent cell's scope: "lstm_cell", "gru_cell_3", ...
bool isCellScope(const std::string& segment) {
  for (const char* cell : {"lstm_cell", "gru_cell", "simple_rnn_cell"}) {
    const std::string c = cell;
    if (segment == c) return true;
    if (segment.size() > c.size() + 1 && segment.compare(0, c.size() + 1, c + "_") == 0 &&
        segment.find_first_not_of("0123456789", c.size() + 1) == std::string::npos)
      return true;
  }
  return false;
}

// "Adam/dense/kernel/m:0" -> "dense/kernel/m"; "Adam/iter:0" -> "iter"; recurrent cells' scopes
// dropped: "Adam/bidirectional/forward_lstm/lstm_cell_1/kernel/m:0" ->
// "bidirectional/forward_lstm/kernel/m".
std::string tfjsOptimizerName(const std::string& keras) {
  std::string s = keras;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ":0") == 0) s.resize(s.size() - 2);
  const auto slash = s.find('/');
  if (slash != std::string::npos) s = s.substr(slash + 1);
  if (s == "iterations") s = "iter";
  std::string out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('/', start);
    if (end == std::string::npos) end = s.size();
    const std::string segment = s.substr(start, end - start);
    // The first segment is the layer's name (a layer may be called "lstm_cell").
    if (start == 0 || !isCellScope(segment)) out += (out.empty() ? "" : "/") + segment;
    start = end + 1;
  }
  return out;
}

// The Keras 2 name of optimizer slot `name` (TF.js form "lstm/kernel/m") of `spec`'s weights:
// "<prefix>/" + the variable's tf.keras name (keras2WeightName, cell scopes included) + the slot:
// "Adam/lstm/lstm_cell/kernel/m:0"; "Adam/iter:0".
std::string keras2OptimizerName(const ModelSpec& spec, const std::string& prefix,
                                const std::string& name) {
  const auto first = name.find('/'), last = name.rfind('/');
  if (first != std::string::npos && last > first)
    if (const NodeSpec* node = spec.find(name.substr(0, first))) {
      std::string var = keras2WeightName(*node, name.substr(first + 1, last - first - 1));
      var.resize(var.size() - 2);  // ":0"
      return prefix + "/" + var + name.substr(last) + ":0";
    }
  return prefix + "/" + name + ":0";
}

json parseJsonAttr(const h5::H5Node& root, const std::string& name) {
  const std::string text = root.stringAttr(name);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(root.label() + ": attribute '" + name + "' is not valid JSON (" + e.what() + ")");
  }
}

}  // namespace

std::string kerasSnakeCase(const std::string& className) {
  static const std::regex nonWord(R"(\W+)");
  static const std::regex first("(.)([A-Z][a-z]+)");
  static const std::regex second("([a-z])([A-Z])");
  std::string s = std::regex_replace(className, nonWord, "");
  s = std::regex_replace(s, first, "$1_$2");
  s = std::regex_replace(s, second, "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

KerasWeightsLayout kerasWeightsLayout(const h5::H5Node& root) {
  if (root.hasAttr("layer_names") || root.hasAttr("layer_names0") || root.isGroup("model_weights"))
    return KerasWeightsLayout::Keras2;
  if (root.isGroup("layers") || root.isGroup("_layer_checkpoint_dependencies"))
    return KerasWeightsLayout::Keras3;
  throw Error(root.label() +
              ": not a Keras weights file (no layer_names attribute, no model_weights or "
              "layers group)");
}

NamedWeights readKerasWeights(const h5::H5Node& root, Model& model, WeightsMatch match) {
  if (kerasWeightsLayout(root) == KerasWeightsLayout::Keras3) {
    return readKeras3Weights(root, model);
  }
  const h5::H5Node g = root.isGroup("model_weights") ? root.group("model_weights") : root;
  return readKeras2Weights(g, model, match);
}

NamedWeights readKerasWeightsFile(const std::string& path, Model& model, WeightsMatch match) {
  return readKerasWeights(h5::H5Node::openFile(path), model, match);
}

ModelFile readKerasH5Model(const std::string& path) {
  const h5::H5Node root = h5::H5Node::openFile(path);
  if (!root.hasAttr("model_config")) {
    if (root.hasAttr("layer_names") || root.isGroup("layers"))
      throw Error(path +
                  ": a weights-only file (no model_config): load it into a model "
                  "(load weights) instead of importing it");
    throw Error(path + ": not a Keras model file (no model_config attribute)");
  }
  ModelFile file;
  json config = parseJsonAttr(root, "model_config");
  file.spec = ModelSpec::fromKerasJson(config);
  readCustomClassLayers(file.spec);
  requireSupportedLayers(file.spec, path);
  if (root.hasAttr("training_config")) {
    file.trainingConfig = parseJsonAttr(root, "training_config");
    if (file.trainingConfig.is_object() && file.trainingConfig.contains("optimizer") &&
        !file.trainingConfig.contains("optimizer_config"))
      file.trainingConfig = trainingConfigFromCompileConfig(file.trainingConfig);
  }
  Model model(file.spec, 0);
  if (!root.isGroup("model_weights")) throw Error(path + ": no model_weights group");
  file.weights = readKeras2Weights(root.group("model_weights"), model, WeightsMatch::ByOrder);
  if (root.isGroup("optimizer_weights")) {
    const h5::H5Node og = root.group("optimizer_weights");
    if (og.hasAttr("weight_names") || og.hasAttr("weight_names0"))
      for (const std::string& name : og.stringListAttr("weight_names"))
        file.optimizerWeights.emplace_back(tfjsOptimizerName(name), og.readTensor(name));
  }
  return file;
}

void writeKerasH5Model(const std::string& path, const ModelFile& file) {
  // Written next to the target, then renamed: a failed write leaves no half file behind.
  const std::string tmp = path + ".tmp-tessel";
  try {
    {
      h5::H5Node root = h5::H5Node::createFile(tmp);
      root.setStrAttr("keras_version", kKeras2Version);
      root.setStrAttr("backend", kBackend);
      // Blocks are written as nested Functional models (flatten: clear spec.groups first).
      json modelConfig = toNestedKerasJson(inKerasLayerOrder(file.spec));
      writeCustomClassLayers(modelConfig);
      root.setBytesAttr("model_config", modelConfig.dump());
      if (file.trainingConfig.is_object())
        root.setBytesAttr("training_config", file.trainingConfig.dump());
      root.setStrAttr("generated_by", std::string("Tessel Studio ") + TESSEL_VERSION);
      writeKeras2Weights(root.createGroup("model_weights"), file.spec, file.weights);
      if (!file.optimizerWeights.empty()) {
        const std::string prefix = optimizerPrefix(file.trainingConfig);
        h5::H5Node og = root.createGroup("optimizer_weights");
        std::vector<std::string> names;
        for (const auto& [name, value] : file.optimizerWeights) {
          const std::string wn = keras2OptimizerName(file.spec, prefix, name);
          names.push_back(wn);
          if (name == "iter" && value.size() == 1)
            og.writeInt64Scalar(wn, static_cast<std::int64_t>(value.data()[0]));
          else
            og.writeTensor(wn, value);
        }
        og.setBytesListAttr("weight_names", names);
      }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot write '" + path + "'");
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

void writeKerasWeightsH5(const std::string& path, const ModelSpec& spec,
                         const NamedWeights& weights, KerasWeightsLayout layout) {
  const std::string tmp = path + ".tmp-tessel";
  try {
    {
      h5::H5Node root = h5::H5Node::createFile(tmp);
      if (layout == KerasWeightsLayout::Keras2)
        writeKeras2Weights(root, spec, weights);
      else
        writeKeras3Weights(root, spec, weights);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot write '" + path + "'");
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

namespace {

// Keras 3 slot names of an optimizer whose optimizer/vars layout we write and read, as TF.js
// names ("m", "v" for Adam; "momentum" for SGD with momentum); nullopt for the others.
std::optional<std::vector<std::string>> keras3Slots(const json& trainingConfig) {
  if (!trainingConfig.is_object() || !trainingConfig.contains("optimizer_config"))
    return std::nullopt;
  const json& oc = trainingConfig["optimizer_config"];
  const std::string cls = oc.is_object() ? oc.value("class_name", std::string()) : std::string();
  const json cfg = oc.is_object() ? oc.value("config", json::object()) : json::object();
  if (cls == "Adam") {
    if (cfg.value("amsgrad", false)) return std::nullopt;
    return std::vector<std::string>{"m", "v"};
  }
  if (cls == "SGD")
    return cfg.value("momentum", 0.0) != 0.0 ? std::vector<std::string>{"momentum"}
                                             : std::vector<std::string>{};
  return std::nullopt;
}

// "dense/kernel" of every trainable variable in Keras model.trainable_variables order.
// Keras 3 model.trainable_variables order (what the optimizer's slots follow): layers in
// model.layers order, a nested model's (a block's) variables at its place, in its own order.
std::vector<std::string> keras3VariableOrder(const ModelSpec& spec) {
  if (spec.groups.empty()) return kerasLayerOrder(spec);
  std::vector<std::string> out;
  try {
    for (const NestedLayerEntry& e : nestedLayerOrder(spec)) {
      if (e.block.empty())
        out.push_back(e.name);
      else
        out.insert(out.end(), e.layers.begin(), e.layers.end());
    }
  } catch (const std::exception&) {  // blocks that are no sub-models any more: written flat
    return kerasLayerOrder(spec);
  }
  return out;
}

std::vector<std::pair<std::string, Variable*>> keras3Trainable(Model& model) {
  std::vector<std::pair<std::string, Variable*>> out;
  for (const std::string& name : keras3VariableOrder(model.spec()))
    if (Layer* layer = model.layer(name))
      for (Variable& v : layer->variables())
        if (v.trainable) out.emplace_back(name + "/" + v.name, &v);
  return out;
}

}  // namespace

std::vector<std::uint8_t> keras3WeightsImage(const ModelSpec& spec, const NamedWeights& weights,
                                             const std::string& label,
                                             const NamedWeights& optimizerWeights,
                                             const json& trainingConfig) {
  h5::H5Node root = h5::H5Node::createInMemory(label);
  writeKeras3Weights(root, spec, weights);
  const auto slots = keras3Slots(trainingConfig);
  if (!optimizerWeights.empty() && slots) {
    std::map<std::string, const Tensor*> byName;
    for (const auto& [n, t] : optimizerWeights) byName[n] = &t;
    Model model(inKerasLayerOrder(spec), 0);
    std::vector<std::pair<std::string, const Tensor*>> vars;
    for (const auto& [name, var] : keras3Trainable(model))
      for (const std::string& slot : *slots) {
        auto it = byName.find(name + "/" + slot);
        if (it == byName.end()) return root.image();  // state of another graph: not written
        vars.emplace_back(name + "/" + slot, it->second);
      }
    auto iter = byName.find("iter");
    const json& oc = trainingConfig["optimizer_config"];
    const double lr = oc.value("config", json::object()).value("learning_rate", 0.01);
    h5::H5Node g = root.createGroup("optimizer/vars");
    g.writeInt64Scalar("0", iter != byName.end() && iter->second->size() == 1
                                ? static_cast<std::int64_t>(iter->second->data()[0])
                                : 0);
    g.writeTensor("1", Tensor(Shape{}, static_cast<float>(lr)));
    int k = 2;
    for (const auto& [name, t] : vars) g.writeTensor(std::to_string(k++), *t);
  }
  return root.image();
}

NamedWeights readKeras3OptimizerWeights(const h5::H5Node& root, Model& model,
                                        const json& trainingConfig) {
  const auto slots = keras3Slots(trainingConfig);
  if (!slots || !root.isGroup("optimizer/vars")) return {};
  const h5::H5Node g = root.group("optimizer/vars");
  const auto trainable = keras3Trainable(model);
  const size_t count = g.children().size();
  const size_t want = 2 + trainable.size() * slots->size();
  if (count == 0) return {};
  if (count != want)
    throw Error(root.label() + ": optimizer/vars holds " + std::to_string(count) +
                " variables, a built " +
                trainingConfig["optimizer_config"].value("class_name", std::string()) +
                " of this model has " + std::to_string(want));
  NamedWeights out;
  out.emplace_back("iter", g.readTensor("0"));
  std::map<std::string, Tensor> bySlot;
  size_t k = 2;
  for (const auto& [name, var] : trainable)
    for (const std::string& slot : *slots) {
      Tensor t = g.readTensor(std::to_string(k++));
      if (t.shape() != var->value.shape())
        throw Error(root.label() + ": optimizer/vars/" + std::to_string(k - 1) + " (" + name + "/" +
                    slot + ") has shape " + shapeToString(t.shape()) + ", the variable has " +
                    shapeToString(var->value.shape()));
      bySlot[name + "/" + slot] = std::move(t);
    }
  // TF.js order: every slot kind in turn over the variables.
  for (const std::string& slot : *slots)
    for (const auto& [name, var] : trainable)
      out.emplace_back(name + "/" + slot, std::move(bySlot[name + "/" + slot]));
  return out;
}

}  // namespace tessel
