#include "engine/graph/LayerOrder.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace tessel {

std::vector<std::string> kerasLayerOrder(const ModelSpec& spec) {
  // Keras's map_graph (keras/src/ops/function.py; Keras 2 functional.py _map_graph_network):
  // a depth-first walk from the outputs numbers the layers as it meets them and lists them in
  // post order; walking that list backwards, a layer's producers get at least its depth + 1;
  // layers are then sorted by decreasing depth, ties by the number the walk gave them.
  std::map<std::string, const NodeSpec*> byName;
  for (const auto& n : spec.nodes) byName[n.name] = &n;
  std::map<std::string, size_t> index;
  std::set<std::string> finished, inProgress;
  std::vector<std::string> post;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    auto it = byName.find(name);
    if (it == byName.end() || finished.count(name) || inProgress.count(name)) return;
    if (!index.count(name)) index.emplace(name, index.size());
    inProgress.insert(name);
    if (!it->second->isInput())
      for (const auto& in : it->second->inputs) visit(in);
    inProgress.erase(name);
    finished.insert(name);
    post.push_back(name);
  };
  for (const auto& out : spec.outputs) visit(out);
  std::map<std::string, int> depth;
  for (auto it = post.rbegin(); it != post.rend(); ++it) {
    const int d = depth[*it];  // 0 when no consumer set it
    if (byName.at(*it)->isInput()) continue;
    for (const auto& in : byName.at(*it)->inputs)
      if (byName.count(in)) depth[in] = std::max(depth[in], d + 1);
  }
  std::vector<std::string> order = post;
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    if (depth[a] != depth[b]) return depth[a] > depth[b];
    return index[a] < index[b];
  });
  // Nodes no output depends on (an invalid graph) keep their place at the end.
  for (const auto& n : spec.nodes)
    if (!finished.count(n.name)) order.push_back(n.name);
  return order;
}

ModelSpec inKerasLayerOrder(const ModelSpec& spec) {
  ModelSpec out = spec;
  out.nodes.clear();
  for (const std::string& name : kerasLayerOrder(spec)) out.nodes.push_back(*spec.find(name));
  return out;
}

}  // namespace tessel
