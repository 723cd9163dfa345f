#include "engine/graph/FineTune.h"

#include <set>

#include "engine/graph/GraphAnalysis.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/ParameterBudget.h"

namespace tessel {

std::vector<std::string> kerasLayerOrder(const ModelSpec& spec) {
  return topologicalOrder(spec);
}

bool isTrainable(const NodeSpec& node) {
  if (node.isInput()) return true;
  auto it = node.config.find("trainable");
  return it == node.config.end() || !it->is_boolean() || it->get<bool>();
}

namespace {

NodeSpec& nodeOrThrow(ModelSpec& spec, const std::string& name) {
  NodeSpec* n = spec.find(name);
  if (!n) throw Error("the model has no layer named '" + name + "'");
  return *n;
}

// Returns whether the flag changed.
bool setFlag(NodeSpec& node, bool trainable) {
  if (node.isInput() || isTrainable(node) == trainable) return false;
  node.config["trainable"] = trainable;
  return true;
}

}  // namespace

void setTrainable(ModelSpec& spec, const std::string& node, bool trainable) {
  setFlag(nodeOrThrow(spec, node), trainable);
}

int freezeUpTo(ModelSpec& spec, const std::string& node) {
  nodeOrThrow(spec, node);
  int changed = 0;
  for (const std::string& name : kerasLayerOrder(spec)) {
    changed += setFlag(*spec.find(name), false);
    if (name == node) break;
  }
  return changed;
}

std::vector<std::string> unfreezeLast(ModelSpec& spec, int n) {
  const std::vector<std::string> order = kerasLayerOrder(spec);
  const size_t keep = n <= 0 ? 0 : std::min(order.size(), size_t(n));
  const size_t firstUnfrozen = order.size() - keep;
  std::vector<std::string> unfrozen;
  for (size_t i = 0; i < order.size(); ++i) {
    NodeSpec& node = *spec.find(order[i]);
    setFlag(node, i >= firstUnfrozen);
    if (i >= firstUnfrozen) unfrozen.push_back(order[i]);
  }
  return unfrozen;
}

void unfreezeAll(ModelSpec& spec) {
  for (NodeSpec& node : spec.nodes) setFlag(node, true);
}

ParamCounts countParameters(const ModelSpec& spec) {
  GraphAnalysis g = analyzeGraph(spec, LayerRegistry::instance());
  if (!g.report.errors.empty()) throw g.report.errors.front();
  ParamCounts c;
  Rng rng(0);
  ParameterBudget budget;
  for (int i : g.order) {
    Layer* layer = g.layers[i].get();
    if (!layer) continue;
    layer->build(g.shapes[i].inputs, rng);
    for (const auto& v : layer->variables())
      (v.trainable ? c.trainable : c.nonTrainable) += v.value.size();
    g.layers[i].reset();  // one layer's weights alive at a time
  }
  c.total = c.trainable + c.nonTrainable;
  return c;
}

ModelSpec replaceHead(const ModelSpec& spec, const std::string& cutAfter,
                      const HeadOptions& options, std::vector<std::string>* added) {
  if (!spec.find(cutAfter)) throw Error("the model has no layer named '" + cutAfter + "'");
  if (options.classes < 1)
    throw Error("a new head needs at least one class, got " + std::to_string(options.classes));
  if (options.dropout < 0 || options.dropout >= 1)
    throw Error("the head's dropout rate must be in [0, 1)");
  const ShapeReport report = inferShapes(spec);
  const NodeShapes* shapes = report.find(cutAfter);
  if (!shapes || !shapes->output)
    throw Error("cannot replace the head after '" + cutAfter +
                "': its output shape is unknown (fix the errors before it first)");
  const Shape cutShape = *shapes->output;

  // The cut node and its ancestors.
  std::set<std::string> keep;
  std::vector<std::string> stack = {cutAfter};
  while (!stack.empty()) {
    std::string n = stack.back();
    stack.pop_back();
    if (!keep.insert(n).second) continue;
    if (const NodeSpec* node = spec.find(n))
      for (const std::string& in : node->inputs) stack.push_back(in);
  }
  ModelSpec out;
  out.name = spec.name;
  for (const NodeSpec& n : spec.nodes)
    if (keep.count(n.name)) out.nodes.push_back(n);
  for (const std::string& in : spec.inputs)
    if (keep.count(in)) out.inputs.push_back(in);

  const LayerRegistry& registry = LayerRegistry::instance();
  auto add = [&](const std::string& cls, json config, const std::string& from) {
    NodeSpec node;
    node.className = cls;
    node.name = out.uniqueName(ModelSpec::defaultBaseName(cls));
    config["name"] = node.name;
    node.config = registry.completeConfig(cls, config, node.name);
    node.inputs = {from};
    out.nodes.push_back(std::move(node));
    if (added) added->push_back(out.nodes.back().name);
    return out.nodes.back().name;
  };
  std::string x = cutAfter;
  if (cutShape.size() == 4)
    x = add("GlobalAveragePooling2D", json::object(), x);
  else if (cutShape.size() == 3)
    x = add("GlobalAveragePooling1D", json::object(), x);
  else if (cutShape.size() > 4)
    x = add("Flatten", json::object(), x);
  if (options.dropout > 0) x = add("Dropout", {{"rate", options.dropout}}, x);
  x = add("Dense", {{"units", options.classes}, {"activation", options.activation}}, x);
  out.outputs = {x};
  return out;
}

}  // namespace tessel
