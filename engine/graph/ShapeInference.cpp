// Graph validation and shape inference: dangling edges, input counts, unknown layers and config
// errors, cycles (Kahn + Tarjan), per-layer output shapes, reachability from inputs to outputs.
#include <algorithm>
#include <functional>
#include <queue>
#include <set>
#include <unordered_map>

#include "engine/core/Error.h"
#include "engine/graph/GraphAnalysis.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

const NodeShapes* ShapeReport::find(const std::string& node) const {
  for (const auto& [name, shapes] : nodes)
    if (name == node) return &shapes;
  return nullptr;
}

namespace {

// Edges resolved to node indices. producers[i][port] is -1 when the name does not exist.
struct Resolved {
  std::unordered_map<std::string, int> index;
  std::vector<std::vector<int>> producers;
  std::vector<std::vector<int>> consumers;
  std::vector<SpecError> errors;  // duplicate names, dangling edges
};

Resolved resolve(const ModelSpec& spec) {
  Resolved r;
  const int n = static_cast<int>(spec.nodes.size());
  r.index.reserve(static_cast<size_t>(n) * 2);
  for (int i = 0; i < n; ++i)
    if (!r.index.emplace(spec.nodes[i].name, i).second)
      r.errors.emplace_back(SpecErrorKind::Other, spec.nodes[i].name,
                            "another layer has the same name");
  r.producers.resize(n);
  r.consumers.resize(n);
  for (int i = 0; i < n; ++i) {
    const auto& node = spec.nodes[i];
    auto& prod = r.producers[i];
    prod.reserve(node.inputs.size());
    for (size_t port = 0; port < node.inputs.size(); ++port) {
      auto it = r.index.find(node.inputs[port]);
      if (it == r.index.end()) {
        prod.push_back(-1);
        r.errors.emplace_back(SpecErrorKind::UnconnectedInput, node.name,
                              "input " + std::to_string(port + 1) + " is connected to '" +
                                  node.inputs[port] + "', which does not exist");
      } else {
        prod.push_back(it->second);
        r.consumers[it->second].push_back(i);
      }
    }
  }
  return r;
}

// Kahn's algorithm, smallest spec index first, so a spec already in topological order keeps its
// order. Returns the placed nodes; the rest lie on or after a cycle.
std::vector<int> kahn(const Resolved& r) {
  const int n = static_cast<int>(r.producers.size());
  std::vector<int> indeg(n, 0);
  for (int i = 0; i < n; ++i)
    for (int p : r.producers[i])
      if (p >= 0) ++indeg[i];
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (indeg[i] == 0) ready.push(i);
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int c : r.consumers[i])
      if (--indeg[c] == 0) ready.push(c);
  }
  return order;
}

// One Cycle error per strongly connected component (size > 1 or a self loop) among the nodes
// Kahn could not place, naming its first node in spec order and spelling the cycle out.
std::vector<SpecError> findCycles(const ModelSpec& spec, const Resolved& r,
                                  const std::vector<int>& placed) {
  const int n = static_cast<int>(r.producers.size());
  std::vector<char> left(n, 1);
  for (int i : placed) left[i] = 0;
  std::vector<int> idx(n, -1), low(n, 0), comp(n, -1);
  std::vector<char> onStack(n, 0);
  std::vector<int> stack;
  int counter = 0, comps = 0;
  std::function<void(int)> strong = [&](int v) {
    idx[v] = low[v] = counter++;
    stack.push_back(v);
    onStack[v] = 1;
    for (int w : r.consumers[v]) {
      if (!left[w]) continue;
      if (idx[w] < 0) {
        strong(w);
        low[v] = std::min(low[v], low[w]);
      } else if (onStack[w]) {
        low[v] = std::min(low[v], idx[w]);
      }
    }
    if (low[v] == idx[v]) {
      int w;
      do {
        w = stack.back();
        stack.pop_back();
        onStack[w] = 0;
        comp[w] = comps;
      } while (w != v);
      ++comps;
    }
  };
  for (int i = 0; i < n; ++i)
    if (left[i] && idx[i] < 0) strong(i);

  std::vector<std::vector<int>> members(comps);
  for (int i = 0; i < n; ++i)
    if (left[i]) members[comp[i]].push_back(i);
  std::vector<std::pair<int, SpecError>> found;
  for (const auto& m : members) {
    int start = *std::min_element(m.begin(), m.end());
    bool selfLoop = std::count(r.consumers[start].begin(), r.consumers[start].end(), start) > 0;
    if (m.size() < 2 && !selfLoop) continue;
    // Breadth-first path start -> ... -> start inside the component.
    std::unordered_map<int, int> parent;
    std::queue<int> q;
    q.push(start);
    int last = -1;
    while (!q.empty() && last < 0) {
      int v = q.front();
      q.pop();
      for (int w : r.consumers[v]) {
        if (comp[w] != comp[start]) continue;
        if (w == start) {
          last = v;
          break;
        }
        if (!parent.count(w)) {
          parent[w] = v;
          q.push(w);
        }
      }
    }
    std::vector<int> path;
    for (int v = last; v != start; v = parent[v]) path.push_back(v);
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    std::string text;
    for (int v : path) text += spec.nodes[v].name + " -> ";
    text += spec.nodes[start].name;
    found.emplace_back(start, SpecError(SpecErrorKind::Cycle, spec.nodes[start].name,
                                        "the graph has a cycle: " + text));
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<SpecError> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

const std::set<std::string>& inputLayerKeys() {
  static const std::set<std::string> keys = {
      "name",   "batch_input_shape", "batch_shape", "input_shape",
      "shape",  "batch_size",        "dtype",       "sparse",
      "ragged", "trainable",         "input_tensor"};
  return keys;
}

}  // namespace

namespace {

// The layers of every node (InputLayer is a graph concept handled here; everything else comes
// from the registry) and their input counts; valid[i] is set where node i could be made.
void createLayers(const ModelSpec& spec, const LayerRegistry& registry, GraphAnalysis& g,
                  std::vector<char>& valid) {
  auto& errors = g.report.errors;
  const int n = static_cast<int>(spec.nodes.size());
  for (int i = 0; i < n; ++i) {
    const NodeSpec& node = spec.nodes[i];
    if (node.isInput()) {
      try {
        if (!node.config.is_null() && !node.config.is_object())
          throw SpecError(SpecErrorKind::BadValue, node.name, "config must be a JSON object");
        if (node.config.is_object())
          for (auto it = node.config.begin(); it != node.config.end(); ++it)
            if (!inputLayerKeys().count(it.key()))
              throw SpecError(SpecErrorKind::UnknownConfigKey, node.name,
                              "unknown config key '" + it.key() + "' for InputLayer");
        g.shapes[i].output = inputLayerShape(node);
        valid[i] = 1;
      } catch (const SpecError& e) {
        errors.push_back(e);
      }
      if (!node.inputs.empty())
        errors.emplace_back(SpecErrorKind::Other, node.name, "an InputLayer takes no inputs");
      continue;
    }
    const LayerInfo* info = registry.find(node.className);
    try {
      g.layers[i] = registry.create(node.className, node.config, node.name);
      valid[i] = 1;
    } catch (const SpecError& e) {
      errors.push_back(e);
    } catch (const std::exception& e) {
      errors.emplace_back(SpecErrorKind::BadValue, node.name, e.what());
    }
    if (info) {
      int count = static_cast<int>(node.inputs.size());
      if (count < info->minInputs) {
        std::string need = info->maxInputs == info->minInputs
                               ? std::to_string(info->minInputs)
                               : "at least " + std::to_string(info->minInputs);
        errors.emplace_back(SpecErrorKind::UnconnectedInput, node.name,
                            node.className + " needs " + need + " input" +
                                (info->minInputs == 1 ? "" : "s") + ", " + std::to_string(count) +
                                " connected");
        valid[i] = 0;
      } else if (info->maxInputs >= 0 && count > info->maxInputs) {
        errors.emplace_back(SpecErrorKind::Other, node.name,
                            node.className + " takes at most " + std::to_string(info->maxInputs) +
                                " input" + (info->maxInputs == 1 ? "" : "s") + ", " +
                                std::to_string(count) + " connected");
        valid[i] = 0;
      }
    }
  }
}

// Shapes along the topological order; a node is inferred only when all its producers were.
void inferShapes(const ModelSpec& spec, const Resolved& r, const std::vector<char>& valid,
                 GraphAnalysis& g) {
  auto& errors = g.report.errors;
  for (int i : g.order) {
    const NodeSpec& node = spec.nodes[i];
    if (!valid[i] || !g.layers[i]) continue;  // InputLayer already has its shape
    NodeShapes& s = g.shapes[i];
    bool ready = true;
    s.inputs.reserve(r.producers[i].size());
    std::vector<bool> inMasked;
    for (size_t port = 0; port < r.producers[i].size(); ++port) {
      const int p = r.producers[i][port];
      if (p < 0 || !g.shapes[p].output) {
        ready = false;
        break;
      }
      const size_t k = static_cast<size_t>(node.inputTensor(port));
      if (k >= g.shapes[p].outputCount()) {
        errors.emplace_back(SpecErrorKind::UnconnectedInput, node.name,
                            "input " + std::to_string(port + 1) + " reads output " +
                                std::to_string(k) + " of '" + spec.nodes[p].name + "', which has " +
                                std::to_string(g.shapes[p].outputCount()) + " output(s)");
        ready = false;
        break;
      }
      s.inputs.push_back(*g.shapes[p].outputAt(k));
      inMasked.push_back(g.shapes[p].maskedAt(k));
    }
    if (!ready) {
      s.inputs.clear();
      continue;
    }
    try {
      std::vector<Shape> outs = g.layers[i]->outputShapes(s.inputs);
      s.output = outs.at(0);
      s.masked = g.layers[i]->maskOut(inMasked) != MaskOut::None;
      if (outs.size() > 1) {
        s.outputMasked.assign(outs.size(), false);
        s.outputMasked[0] = s.masked;
        for (size_t k = 1; k < outs.size(); ++k)
          s.outputMasked[k] = g.layers[i]->maskOutOf(k, inMasked) != MaskOut::None;
        s.outputs = std::move(outs);
      }
    } catch (const SpecError& e) {
      if (e.node().empty())
        errors.emplace_back(e.kind(), node.name, e.detail());
      else
        errors.push_back(e);
    } catch (const std::exception& e) {
      std::string ins;
      for (const auto& sh : s.inputs) ins += (ins.empty() ? "" : ", ") + shapeToString(sh);
      errors.emplace_back(SpecErrorKind::ShapeMismatch, node.name,
                          std::string(e.what()) + " (input shapes " + ins + ")");
    }
  }
}

// Model inputs and outputs exist and are InputLayers / nodes; every output is reachable from an
// input and every layer feeds an output.
void checkInputsAndOutputs(const ModelSpec& spec, const Resolved& r, std::vector<SpecError>& errors,
                           const std::vector<NodeShapes>* shapes = nullptr) {
  const int n = static_cast<int>(spec.nodes.size());
  std::vector<int> ins, outs;
  std::vector<char> isModelInput(n, 0);
  for (const auto& name : spec.inputs) {
    auto it = r.index.find(name);
    if (it == r.index.end()) {
      errors.emplace_back(SpecErrorKind::Other, name, "model input '" + name + "' does not exist");
      continue;
    }
    if (!spec.nodes[it->second].isInput())
      errors.emplace_back(
          SpecErrorKind::Other, name,
          "a model input must be an InputLayer, not " + spec.nodes[it->second].className);
    ins.push_back(it->second);
    isModelInput[it->second] = 1;
  }
  for (size_t o = 0; o < spec.outputs.size(); ++o) {
    const std::string& name = spec.outputs[o];
    auto it = r.index.find(name);
    if (it == r.index.end()) {
      errors.emplace_back(SpecErrorKind::Other, name, "model output '" + name + "' does not exist");
      continue;
    }
    outs.push_back(it->second);
    const size_t k = static_cast<size_t>(spec.outputTensor(o));
    if (k > 0 && shapes && (*shapes)[it->second].output && k >= (*shapes)[it->second].outputCount())
      errors.emplace_back(SpecErrorKind::Other, name,
                          "model output " + std::to_string(o + 1) + " reads output " +
                              std::to_string(k) + " of '" + name + "', which has " +
                              std::to_string((*shapes)[it->second].outputCount()) + " output(s)");
  }
  for (int i = 0; i < n; ++i)
    if (spec.nodes[i].isInput() && !isModelInput[i])
      errors.emplace_back(SpecErrorKind::Other, spec.nodes[i].name,
                          "this InputLayer is not listed among the model inputs");
  if (spec.inputs.empty() && n > 0)
    errors.emplace_back(SpecErrorKind::Other, "", "the model has no inputs");
  if (spec.outputs.empty() && n > 0)
    errors.emplace_back(SpecErrorKind::Other, "", "the model has no outputs");

  auto walk = [&](const std::vector<int>& from, const std::vector<std::vector<int>>& edges) {
    std::vector<char> seen(n, 0);
    std::vector<int> todo;
    for (int i : from)
      if (!seen[i]) seen[i] = 1, todo.push_back(i);
    while (!todo.empty()) {
      int v = todo.back();
      todo.pop_back();
      for (int w : edges[v])
        if (w >= 0 && !seen[w]) seen[w] = 1, todo.push_back(w);
    }
    return seen;
  };
  if (!ins.empty()) {
    auto reach = walk(ins, r.consumers);
    for (int o : outs)
      if (!reach[o])
        errors.emplace_back(SpecErrorKind::Unreachable, spec.nodes[o].name,
                            "this model output is not reachable from any model input");
  }
  if (!outs.empty()) {
    auto feeds = walk(outs, r.producers);
    for (int i = 0; i < n; ++i)
      if (!feeds[i])
        errors.emplace_back(SpecErrorKind::Unreachable, spec.nodes[i].name,
                            "this layer feeds no model output");
  }
}

}  // namespace

GraphAnalysis analyzeGraph(const ModelSpec& spec, const LayerRegistry& registry) {
  GraphAnalysis g;
  auto& errors = g.report.errors;
  const int n = static_cast<int>(spec.nodes.size());
  Resolved r = resolve(spec);
  for (auto& e : r.errors) errors.push_back(std::move(e));

  g.layers.resize(n);
  g.shapes.resize(n);
  std::vector<char> valid(n, 0);
  createLayers(spec, registry, g, valid);

  // Order and cycles.
  g.order = kahn(r);
  if (static_cast<int>(g.order.size()) < n)
    for (auto& e : findCycles(spec, r, g.order)) errors.push_back(std::move(e));

  inferShapes(spec, r, valid, g);
  checkInputsAndOutputs(spec, r, errors, &g.shapes);

  // Report: topological order first, then the nodes on or after a cycle.
  std::vector<char> listed(n, 0);
  g.report.nodes.reserve(n);
  for (int i : g.order) {
    listed[i] = 1;
    g.report.nodes.emplace_back(spec.nodes[i].name, g.shapes[i]);
  }
  for (int i = 0; i < n; ++i)
    if (!listed[i]) g.report.nodes.emplace_back(spec.nodes[i].name, g.shapes[i]);
  return g;
}

std::vector<std::string> topologicalOrder(const ModelSpec& spec) {
  Resolved r = resolve(spec);
  for (const auto& e : r.errors)
    if (e.kind() == SpecErrorKind::UnconnectedInput) throw e;
  std::vector<int> order = kahn(r);
  if (order.size() < spec.nodes.size()) {
    auto cycles = findCycles(spec, r, order);
    if (!cycles.empty()) throw cycles.front();
  }
  std::vector<std::string> names;
  names.reserve(order.size());
  for (int i : order) names.push_back(spec.nodes[i].name);
  return names;
}

ShapeReport inferShapes(const ModelSpec& spec, const LayerRegistry& registry) {
  return std::move(analyzeGraph(spec, registry).report);
}

ShapeReport inferShapes(const ModelSpec& spec) {
  return inferShapes(spec, LayerRegistry::instance());
}

}  // namespace tessel
