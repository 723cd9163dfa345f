#pragma once
// Automatic placement of a model's DAG with Graphviz's `dot` (libgvc, in process): layers flow
// left to right in ranks, edges cross as little as dot manages, merge inputs keep their port
// order. Positions are the top-left corners of the node boxes in scene coordinates.
#include <QPointF>
#include <QSizeF>
#include <map>
#include <string>

#include "engine/graph/ModelSpec.h"

namespace tessel::ui {

class GraphLayout {
 public:
  // `sizes`: each node's box (missing: 180 x 70). A layout wider than `wrapWidth` (a long chain
  // such as the Fashion-MNIST CNN) is folded into bands of consecutive ranks stacked top to bottom,
  // the number of bands chosen so the whole is about 16:10 (0: never fold). Throws tessel::Error if
  // Graphviz fails.
  static std::map<std::string, QPointF> dot(const ModelSpec& spec,
                                            const std::map<std::string, QSizeF>& sizes = {},
                                            double wrapWidth = 1800);
  // Layered placement without Graphviz (a loaded model without positions, a pasted fragment):
  // columns by topological depth left to right, rows by barycentre sweeps, long chains wrapped
  // into bands. Keyed by layer name.
  static std::map<std::string, QPointF> layered(const ModelSpec& spec);
  // The DOT text handed to Graphviz (exposed for tests and debugging).
  static std::string dotSource(const ModelSpec& spec,
                               const std::map<std::string, QSizeF>& sizes = {});
};

}  // namespace tessel::ui
