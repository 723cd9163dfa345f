#pragma once
// Internal to engine/graph: one validation pass shared by topologicalOrder, inferShapes and
// summaryTable. Node indices refer to ModelSpec::nodes.
#include <memory>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/layers/Layer.h"

namespace tessel {

struct GraphAnalysis {
  ShapeReport report;
  std::vector<int> order;                      // topological order of the acyclic part
  std::vector<std::unique_ptr<Layer>> layers;  // per node; null for InputLayer / invalid config
  std::vector<NodeShapes> shapes;              // per node
};

GraphAnalysis analyzeGraph(const ModelSpec& spec, const LayerRegistry& registry);

}  // namespace tessel
