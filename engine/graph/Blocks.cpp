#include "engine/graph/Blocks.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "engine/core/Error.h"
#include "engine/graph/LayerOrder.h"

namespace tessel {

namespace {

using NameSet = std::unordered_set<std::string>;

NameSet nodeSet(const BlockSpec& b) {
  return NameSet(b.nodes.begin(), b.nodes.end());
}

[[noreturn]] void badBlock(const std::string& block, const std::string& why) {
  throw SpecError(SpecErrorKind::BadValue, block, "block '" + block + "': " + why);
}

bool isSubset(const NameSet& a, const NameSet& b) {
  for (const auto& e : a)
    if (!b.count(e)) return false;
  return true;
}

// Depth of a block in the nesting (0 at the top level).
int depthOf(const ModelSpec& spec, const BlockSpec& b) {
  int d = 0;
  for (const BlockSpec* p = findBlock(spec, b.parent); p && d < 64; p = findBlock(spec, p->parent))
    ++d;
  return d;
}

void sortOutermostFirst(ModelSpec& spec) {
  std::vector<std::pair<int, BlockSpec>> keyed;
  for (const auto& b : spec.groups) keyed.emplace_back(depthOf(spec, b), b);
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  spec.groups.clear();
  for (auto& [d, b] : keyed) spec.groups.push_back(std::move(b));
}

// One level of the nesting as a model of its own: the whole model (container null) or a block,
// its child blocks standing as single "Functional" placeholder nodes, a block's inputs as
// InputLayers with the producers' inferred shapes.
ModelSpec levelSpec(const ModelSpec& full, const BlockSpec* container, const ShapeReport* report) {
  ModelSpec level;
  level.name = container ? container->name : full.name;
  NameSet inside;
  if (container) inside = nodeSet(*container);
  auto isInside = [&](const std::string& n) { return !container || inside.count(n) > 0; };
  const std::vector<const BlockSpec*> children =
      childBlocks(full, container ? container->name : std::string());
  std::unordered_map<std::string, const BlockSpec*> childOf;
  for (const BlockSpec* c : children)
    for (const auto& n : c->nodes) childOf[n] = c;
  using Ref = std::pair<std::string, int>;                 // (node, which output)
  std::map<Ref, std::string> inputName;                    // outside tensor -> InputLayer
  std::map<Ref, Ref> childOutput;                          // member tensor -> (child, k)
  std::unordered_map<std::string, BlockPorts> childPorts;  // child block -> its ports
  for (const BlockSpec* c : children) {
    BlockPorts ports = blockPorts(full, *c);
    for (size_t k = 0; k < ports.outputs.size(); ++k)
      childOutput[ports.outputs[k]] = {c->name, static_cast<int>(k)};
    childPorts[c->name] = std::move(ports);
  }
  std::vector<Ref> outputs;
  if (container) {
    const BlockPorts ports = blockPorts(full, *container);
    outputs = ports.outputs;
    NameSet used;
    for (const auto& n : full.nodes) used.insert(n.name);
    for (const auto& g : full.groups) used.insert(g.name);
    for (size_t k = 0; k < ports.inputs.size(); ++k) {
      const std::string& p = ports.inputs[k];
      const int t = ports.inputTensors[k];
      std::string name = container->name + "_input";
      for (int i = 1; used.count(name); ++i) name = container->name + "_input_" + std::to_string(i);
      used.insert(name);
      // Without a report (only the layer order is wanted) the shape does not matter.
      const NodeShapes* shapes = report ? report->find(p) : nullptr;
      const std::optional<Shape> shape =
          shapes ? shapes->outputAt(static_cast<size_t>(t)) : std::nullopt;
      if (report && !shape)
        badBlock(container->name, "the shape of its input '" + p + "' is not known");
      level.nodes.push_back(makeInputLayerNode(name, shape ? *shape : Shape{kNone, 1}));
      level.inputs.push_back(name);
      inputName[{p, t}] = name;
    }
  }
  auto mapRef = [&](const std::string& p, int t) -> Ref {
    if (!isInside(p)) {
      auto it = inputName.find({p, t});
      return it != inputName.end() ? Ref{it->second, 0} : Ref{p, t};
    }
    if (auto c = childOf.find(p); c != childOf.end()) {
      auto it = childOutput.find({p, t});
      return it != childOutput.end() ? it->second : Ref{c->second->name, 0};
    }
    return {p, t};
  };
  std::set<std::string> emitted;
  for (const NodeSpec& n : full.nodes) {
    if (!isInside(n.name)) continue;
    if (auto c = childOf.find(n.name); c != childOf.end()) {
      const BlockSpec* child = c->second;
      if (!emitted.insert(child->name).second) continue;
      NodeSpec placeholder;
      placeholder.name = child->name;
      placeholder.className = "Functional";
      placeholder.config = {{"name", child->name}};
      const BlockPorts& ports = childPorts.at(child->name);
      for (size_t k = 0; k < ports.inputs.size(); ++k) {
        const Ref r = mapRef(ports.inputs[k], ports.inputTensors[k]);
        placeholder.insertInput(placeholder.inputs.size(), r.first, r.second);
      }
      level.nodes.push_back(std::move(placeholder));
      continue;
    }
    NodeSpec copy = n;
    for (size_t i = 0; i < copy.inputs.size(); ++i) {
      const Ref r = mapRef(n.inputs[i], n.inputTensor(i));
      copy.inputs[i] = r.first;
      copy.setInputTensor(i, r.second);
    }
    level.nodes.push_back(std::move(copy));
  }
  if (!container) {
    level.inputs = full.inputs;
    for (size_t i = 0; i < full.outputs.size(); ++i)
      outputs.emplace_back(full.outputs[i], full.outputTensor(i));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Ref r = mapRef(outputs[i].first, outputs[i].second);
    level.outputs.push_back(r.first);
    if (r.second != 0) level.setOutputTensor(i, r.second);
  }
  return level;
}

json levelJson(const ModelSpec& full, const BlockSpec* container, const ShapeReport& report) {
  const ModelSpec level = levelSpec(full, container, &report);
  json j = level.toKerasJson();
  j["config"] = nestedModelCallIndices(j["config"], 1);
  for (json& entry : j["config"]["layers"]) {
    if (entry["class_name"] != "Functional") continue;
    const BlockSpec* child = findBlock(full, entry["name"].get<std::string>());
    if (!child) continue;
    entry["config"] = levelJson(full, child, report)["config"];
  }
  return j;
}

// The flat layers of a level in nested model.layers order (kerasLayerOrder at each level).
void nestedOrder(const ModelSpec& full, const BlockSpec* container, std::vector<std::string>& out) {
  const ModelSpec level = levelSpec(full, container, nullptr);
  for (const std::string& name : kerasLayerOrder(level)) {
    const NodeSpec* n = level.find(name);
    if (!n || n->isInput()) continue;
    const BlockSpec* child = n->className == "Functional" ? findBlock(full, name) : nullptr;
    if (child)
      nestedOrder(full, child, out);
    else
      out.push_back(name);
  }
}

}  // namespace

bool isModelClass(const std::string& className) {
  return className == "Functional" || className == "Model" || className == "Sequential";
}

const BlockSpec* findBlock(const ModelSpec& spec, const std::string& name) {
  if (name.empty()) return nullptr;
  for (const auto& b : spec.groups)
    if (b.name == name) return &b;
  return nullptr;
}

const BlockSpec* blockOfNode(const ModelSpec& spec, const std::string& node) {
  const BlockSpec* best = nullptr;
  for (const auto& b : spec.groups)
    if (std::find(b.nodes.begin(), b.nodes.end(), node) != b.nodes.end())
      if (!best || b.nodes.size() < best->nodes.size()) best = &b;
  return best;
}

std::vector<const BlockSpec*> childBlocks(const ModelSpec& spec, const std::string& parent) {
  std::vector<const BlockSpec*> out;
  for (const auto& b : spec.groups)
    if (b.parent == parent) out.push_back(&b);
  return out;
}

BlockPorts blockPorts(const ModelSpec& spec, const BlockSpec& block) {
  if (block.nodes.empty()) badBlock(block.name, "it has no layers");
  const NameSet members = nodeSet(block);
  for (const auto& m : block.nodes) {
    const NodeSpec* n = spec.find(m);
    if (!n) badBlock(block.name, "no layer named '" + m + "'");
    if (n->isInput()) badBlock(block.name, "a model input ('" + m + "') cannot be inside a block");
  }
  BlockPorts ports;
  std::unordered_map<std::string, std::vector<std::string>> consumers;
  std::unordered_map<std::string, std::set<int>> leaving;  // member -> its outputs read outside
  for (const NodeSpec& n : spec.nodes) {
    for (const auto& in : n.inputs) consumers[in].push_back(n.name);
    const bool inside = members.count(n.name) > 0;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& in = n.inputs[i];
      const int t = n.inputTensor(i);
      if (inside && !members.count(in)) {
        bool known = false;
        for (size_t k = 0; k < ports.inputs.size(); ++k)
          if (ports.inputs[k] == in && ports.inputTensors[k] == t) known = true;
        if (!known) {
          ports.inputs.push_back(in);
          ports.inputTensors.push_back(t);
        }
      }
      if (!inside && members.count(in)) leaving[in].insert(t);
    }
  }
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    if (members.count(spec.outputs[i])) leaving[spec.outputs[i]].insert(spec.outputTensor(i));
  for (const NodeSpec& n : spec.nodes)
    if (auto it = leaving.find(n.name); it != leaving.end())
      for (int t : it->second) ports.outputs.emplace_back(n.name, t);
  if (ports.outputs.empty())
    badBlock(block.name, "nothing outside it reads its layers (it has no output)");
  ports.output = ports.outputs.front().first;
  // Convex: no path from a member through outside layers back into the block (the nested model
  // would be called on its own output).
  std::deque<std::string> queue;
  NameSet seen;
  for (const auto& m : block.nodes)
    for (const auto& c : consumers[m])
      if (!members.count(c) && seen.insert(c).second) queue.push_back(c);
  while (!queue.empty()) {
    const std::string x = queue.front();
    queue.pop_front();
    for (const auto& c : consumers[x]) {
      if (members.count(c))
        badBlock(block.name, "the path through '" + x + "' leaves the block and comes back into '" +
                                 c + "'; add '" + x + "' to the block or leave '" + c + "' out");
      if (seen.insert(c).second) queue.push_back(c);
    }
  }
  return ports;
}

namespace {

// Why `name` cannot name a new block of `spec` (empty: it can).
std::string blockNameProblem(const ModelSpec& spec, const std::string& name) {
  if (name.empty()) return "a block needs a name";
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return "'" + name + "' is not a layer name (letters, digits, _ - .)";
  if (spec.find(name)) return "a layer is already named '" + name + "'";
  if (findBlock(spec, name)) return "a block is already named '" + name + "'";
  return {};
}

}  // namespace

std::string renameBlock(ModelSpec& spec, const std::string& from, const std::string& to) {
  if (!findBlock(spec, from)) return "no block named '" + from + "'";
  if (from == to) return {};
  if (std::string why = blockNameProblem(spec, to); !why.empty()) return why;
  for (BlockSpec& g : spec.groups) {
    if (g.name == from) g.name = to;
    if (g.parent == from) g.parent = to;
  }
  return {};
}

std::string checkNewBlock(const ModelSpec& spec, const BlockSpec& block) {
  if (std::string why = blockNameProblem(spec, block.name); !why.empty()) return why;
  try {
    blockPorts(spec, block);
  } catch (const SpecError& e) {
    return e.what();
  }
  const NameSet mine = nodeSet(block);
  for (const auto& g : spec.groups) {
    const NameSet theirs = nodeSet(g);
    if (theirs == mine) return "block '" + g.name + "' holds the same layers";
    bool overlap = false;
    for (const auto& n : mine)
      if (theirs.count(n)) overlap = true;
    if (overlap && !isSubset(mine, theirs) && !isSubset(theirs, mine))
      return "it overlaps block '" + g.name + "' (take all of its layers or none)";
  }
  return {};
}

void addBlock(ModelSpec& spec, BlockSpec block) {
  if (const std::string why = checkNewBlock(spec, block); !why.empty()) throw Error(why);
  const NameSet mine = nodeSet(block);
  // Members in spec order.
  block.nodes.clear();
  for (const auto& n : spec.nodes)
    if (mine.count(n.name)) block.nodes.push_back(n.name);
  // Parent: the smallest block holding all of it.
  const BlockSpec* parent = nullptr;
  for (const auto& g : spec.groups)
    if (isSubset(mine, nodeSet(g)) && (!parent || g.nodes.size() < parent->nodes.size()))
      parent = &g;
  block.parent = parent ? parent->name : std::string();
  for (auto& g : spec.groups)
    if (g.parent == block.parent && isSubset(nodeSet(g), mine)) g.parent = block.name;
  spec.groups.push_back(std::move(block));
  sortOutermostFirst(spec);
}

bool removeBlock(ModelSpec& spec, const std::string& name) {
  auto it = std::find_if(spec.groups.begin(), spec.groups.end(),
                         [&](const BlockSpec& b) { return b.name == name; });
  if (it == spec.groups.end()) return false;
  const std::string parent = it->parent;
  spec.groups.erase(it);
  for (auto& g : spec.groups)
    if (g.parent == name) g.parent = parent;
  sortOutermostFirst(spec);
  return true;
}

void forgetNodeInBlocks(ModelSpec& spec, const std::string& node) {
  std::vector<std::string> empty;
  for (auto& g : spec.groups) {
    g.nodes.erase(std::remove(g.nodes.begin(), g.nodes.end(), node), g.nodes.end());
    if (g.nodes.empty()) empty.push_back(g.name);
  }
  for (const auto& e : empty) removeBlock(spec, e);
}

void renameNodeInBlocks(ModelSpec& spec, const std::string& oldName, const std::string& newName) {
  for (auto& g : spec.groups)
    for (auto& n : g.nodes)
      if (n == oldName) n = newName;
}

json toNestedKerasJson(const ModelSpec& spec) {
  ModelSpec flat = spec;
  flat.groups.clear();
  if (spec.groups.empty()) return flat.toKerasJson();
  const ShapeReport report = inferShapes(flat);
  return levelJson(spec, nullptr, report);
}

ModelSpec expandNestedModels(ModelSpec spec) {
  for (size_t i = 0; i < spec.nodes.size();) {
    if (!isModelClass(spec.nodes[i].className)) {
      ++i;
      continue;
    }
    const NodeSpec outer = spec.nodes[i];
    ModelSpec inner =
        ModelSpec::fromKerasJson(json{{"class_name", outer.className}, {"config", outer.config}});
    if (inner.inputs.size() != outer.inputs.size())
      throw Error("model JSON: nested model '" + outer.name + "' has " +
                  std::to_string(inner.inputs.size()) + " input(s) but is called on " +
                  std::to_string(outer.inputs.size()));
    if (inner.outputs.empty())
      throw Error("model JSON: nested model '" + outer.name + "' has no outputs");
    // Inner input -> the outer tensor it is called on.
    std::unordered_map<std::string, std::pair<std::string, int>> map;
    for (size_t k = 0; k < inner.inputs.size(); ++k)
      map[inner.inputs[k]] = {outer.inputs[k], outer.inputTensor(k)};
    for (const std::string& out : inner.outputs)
      if (map.count(out))
        throw Error("model JSON: nested model '" + outer.name + "' returns its input unchanged");
    NameSet outerNames;
    for (const auto& n : spec.nodes)
      if (n.name != outer.name) outerNames.insert(n.name);
    const bool frozen = outer.config.is_object() && outer.config.value("trainable", true) == false;
    std::vector<NodeSpec> added;
    BlockSpec block{outer.name, {}, true, ""};
    for (NodeSpec& n : inner.nodes) {
      if (std::find(inner.inputs.begin(), inner.inputs.end(), n.name) != inner.inputs.end())
        continue;
      if (n.isInput())
        throw Error("model JSON: nested model '" + outer.name + "' has an input layer '" + n.name +
                    "' not listed in its input_layers");
      if (outerNames.count(n.name) || n.name == outer.name)
        throw Error("model JSON: layer '" + n.name + "' of nested model '" + outer.name +
                    "' has the name of another layer of the model; rename one of them");
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (auto it = map.find(n.inputs[k]); it != map.end()) {
          n.inputs[k] = it->second.first;
          n.setInputTensor(k, it->second.second);
        }
      if (frozen) n.config["trainable"] = false;
      block.nodes.push_back(n.name);
      added.push_back(std::move(n));
    }
    spec.nodes.erase(spec.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    spec.nodes.insert(spec.nodes.begin() + static_cast<std::ptrdiff_t>(i), added.begin(),
                      added.end());
    // Output k of the nested model: the inner model's output k.
    auto innerOutput = [&](int k) {
      if (k < 0 || static_cast<size_t>(k) >= inner.outputs.size())
        throw Error("model JSON: a layer reads output " + std::to_string(k) + " of nested model '" +
                    outer.name + "', which has " + std::to_string(inner.outputs.size()));
      return std::make_pair(inner.outputs[static_cast<size_t>(k)],
                            inner.outputTensor(static_cast<size_t>(k)));
    };
    for (auto& n : spec.nodes)
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (n.inputs[k] == outer.name) {
          const auto [name, tensor] = innerOutput(n.inputTensor(k));
          n.inputs[k] = name;
          n.setInputTensor(k, tensor);
        }
    for (size_t k = 0; k < spec.outputs.size(); ++k)
      if (spec.outputs[k] == outer.name) {
        const auto [name, tensor] = innerOutput(spec.outputTensor(k));
        spec.outputs[k] = name;
        spec.setOutputTensor(k, tensor);
      }
    spec.groups.push_back(block);
    for (BlockSpec g : inner.groups) {
      if (g.parent.empty()) g.parent = outer.name;
      spec.groups.push_back(std::move(g));
    }
    i += added.size();
  }
  sortOutermostFirst(spec);
  return spec;
}

json blocksToJson(const std::vector<BlockSpec>& blocks) {
  json out = json::array();
  for (const auto& b : blocks)
    out.push_back(
        {{"name", b.name}, {"nodes", b.nodes}, {"collapsed", b.collapsed}, {"parent", b.parent}});
  return out;
}

std::vector<BlockSpec> blocksFromJson(const json& v) {
  std::vector<BlockSpec> out;
  if (v.is_null()) return out;
  if (!v.is_array()) throw Error("model JSON: 'tessel_groups' must be a list");
  for (const auto& e : v) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("nodes") ||
        !e["nodes"].is_array())
      throw Error("model JSON: a 'tessel_groups' entry needs a name and a node list");
    BlockSpec b;
    b.name = e["name"];
    for (const auto& n : e["nodes"]) {
      if (!n.is_string()) throw Error("model JSON: block '" + b.name + "': node names are strings");
      b.nodes.push_back(n);
    }
    b.collapsed = e.value("collapsed", true);
    b.parent = e.value("parent", std::string());
    out.push_back(std::move(b));
  }
  return out;
}

void restoreBlocks(ModelSpec& spec, std::vector<BlockSpec> blocks) {
  for (BlockSpec& b : blocks) {
    b.nodes.erase(std::remove_if(b.nodes.begin(), b.nodes.end(),
                                 [&](const std::string& n) { return !spec.find(n); }),
                  b.nodes.end());
    if (b.nodes.empty() || findBlock(spec, b.name) || spec.find(b.name)) continue;
    spec.groups.push_back(std::move(b));
  }
  for (auto& b : spec.groups)
    if (!b.parent.empty() && !findBlock(spec, b.parent)) b.parent.clear();
  sortOutermostFirst(spec);
}

std::vector<NestedLayerEntry> nestedLayerOrder(const ModelSpec& spec) {
  std::vector<NestedLayerEntry> out;
  const ModelSpec top = levelSpec(spec, nullptr, nullptr);
  for (const std::string& name : kerasLayerOrder(top)) {
    const NodeSpec* n = top.find(name);
    const BlockSpec* block =
        n && n->className == "Functional" && !spec.find(name) ? findBlock(spec, name) : nullptr;
    NestedLayerEntry e{name, {}, {}};
    if (block) {
      e.block = name;
      nestedOrder(spec, block, e.layers);
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<NestedLayerEntry> blockLevelOrder(const ModelSpec& spec, const std::string& block) {
  const BlockSpec* container = findBlock(spec, block);
  if (!block.empty() && !container) throw Error("no block named '" + block + "'");
  const ModelSpec level = levelSpec(spec, container, nullptr);
  std::vector<NestedLayerEntry> out;
  for (const std::string& name : kerasLayerOrder(level)) {
    const NodeSpec* n = level.find(name);
    if (!n || n->isInput()) continue;
    const bool isBlock = n->className == "Functional" && !spec.find(name) && findBlock(spec, name);
    out.push_back(NestedLayerEntry{name, isBlock ? name : std::string(), {}});
  }
  return out;
}

std::vector<std::string> groupByNamePrefix(ModelSpec& spec, int tokens, int minSize) {
  std::vector<std::string> prefixes;  // first-seen order
  std::unordered_map<std::string, std::vector<std::string>> members;
  for (const NodeSpec& n : spec.nodes) {
    if (n.isInput()) continue;
    size_t pos = 0;
    int found = 0;
    while (found < tokens && (pos = n.name.find('_', pos)) != std::string::npos) {
      ++found;
      if (found < tokens) ++pos;
    }
    if (found < tokens || pos == std::string::npos) continue;  // no part left after the prefix
    const std::string prefix = n.name.substr(0, pos);
    if (!members.count(prefix)) prefixes.push_back(prefix);
    members[prefix].push_back(n.name);
  }
  std::vector<std::string> added;
  for (const std::string& p : prefixes) {
    if (static_cast<int>(members[p].size()) < minSize) continue;
    BlockSpec b{p, members[p], true, ""};
    if (!checkNewBlock(spec, b).empty()) continue;
    addBlock(spec, std::move(b));
    added.push_back(p);
  }
  return added;
}

ModelSpec blockLevelSpec(const ModelSpec& spec, const std::string& block,
                         const ShapeReport* report) {
  const BlockSpec* container = findBlock(spec, block);
  if (!block.empty() && !container) throw Error("no block named '" + block + "'");
  return levelSpec(spec, container, report);
}

json nestedModelCallIndices(json config, int call) {
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array())
    return config;
  NameSet models;
  for (const json& l : config["layers"])
    if (l.is_object() && l.contains("class_name") && l["class_name"].is_string() &&
        isModelClass(l["class_name"].get<std::string>())) {
      if (l.contains("name") && l["name"].is_string())
        models.insert(l["name"].get<std::string>());
      else if (l.contains("config") && l["config"].is_object() && l["config"].contains("name") &&
               l["config"]["name"].is_string())
        models.insert(l["config"]["name"].get<std::string>());
    }
  if (models.empty()) return config;
  // A [name, node, tensor(, kwargs)] reference to a nested model: its call index set.
  auto fix = [&](json& ref) {
    if (ref.is_array() && ref.size() >= 2 && ref[0].is_string() && ref[1].is_number_integer() &&
        models.count(ref[0].get<std::string>()) && (ref[1] == 0 || ref[1] == 1))
      ref[1] = call;
  };
  for (json& l : config["layers"]) {
    if (!l.is_object() || !l.contains("inbound_nodes") || !l["inbound_nodes"].is_array()) continue;
    for (json& node : l["inbound_nodes"])
      if (node.is_array())  // Keras 2 / TF.js: [[name, node, tensor, kwargs], ...]
        for (json& ref : node) fix(ref);
  }
  for (const char* key : {"input_layers", "output_layers"}) {
    if (!config.contains(key) || !config[key].is_array()) continue;
    json& refs = config[key];
    if (!refs.empty() && refs[0].is_string())
      fix(refs);
    else
      for (json& ref : refs) fix(ref);
  }
  return config;
}

ModelSpec blockAsModel(const ModelSpec& spec, const std::string& name) {
  const BlockSpec* block = findBlock(spec, name);
  if (!block) throw Error("no block named '" + name + "'");
  ModelSpec flat = spec;
  flat.groups.clear();
  const ShapeReport report = inferShapes(flat);
  // The block's own level, its children kept flat with their metadata.
  ModelSpec only = spec;
  only.groups.clear();
  BlockSpec self = *block;
  self.parent.clear();
  only.groups.push_back(self);
  ModelSpec model = levelSpec(only, &only.groups.front(), &report);
  // Descendants of the block, relative to it.
  std::function<void(const std::string&, const std::string&)> take = [&](const std::string& from,
                                                                         const std::string& as) {
    for (const BlockSpec* c : childBlocks(spec, from)) {
      BlockSpec copy = *c;
      copy.parent = as;
      model.groups.push_back(copy);
      take(c->name, c->name);
    }
  };
  take(block->name, "");
  sortOutermostFirst(model);
  return model;
}

}  // namespace tessel
