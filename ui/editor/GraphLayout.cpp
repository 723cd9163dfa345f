#include "ui/editor/GraphLayout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <vector>

#include "engine/core/Error.h"

namespace tessel::ui {

namespace {

constexpr double kDefaultWidth = 180, kDefaultHeight = 70;
constexpr double kPointsPerInch = 72;

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

QSizeF sizeOf(const std::map<std::string, QSizeF>& sizes, const std::string& name) {
  auto it = sizes.find(name);
  return it == sizes.end() ? QSizeF(kDefaultWidth, kDefaultHeight) : it->second;
}

}  // namespace

std::string GraphLayout::dotSource(const ModelSpec& spec,
                                   const std::map<std::string, QSizeF>& sizes) {
  std::ostringstream dot;
  // rankdir=LR: inputs on the left, ports on the node sides as the canvas draws them.
  // ordering=in keeps a merge layer's inputs in port order (port 0 on top).
  dot << "digraph G {\n"
         "  graph [rankdir=LR, nodesep=0.55, ranksep=1.7, ordering=in, splines=false];\n"
         "  node [shape=box, fixedsize=true, label=\"\"];\n";
  for (const auto& n : spec.nodes) {
    const QSizeF s = sizeOf(sizes, n.name);
    dot << "  " << quoted(n.name) << " [width=" << s.width() / kPointsPerInch
        << ", height=" << s.height() / kPointsPerInch << "];\n";
  }
  for (const auto& n : spec.nodes)
    for (const auto& in : n.inputs)
      if (spec.find(in)) dot << "  " << quoted(in) << " -> " << quoted(n.name) << ";\n";
  dot << "}\n";
  return dot.str();
}

namespace {

// Folds a left-to-right layout into bands of consecutive ranks (see GraphLayout::dot).
void wrapIntoBands(std::map<std::string, QPointF>& pos, const std::map<std::string, QSizeF>& sizes,
                   double wrapWidth) {
  constexpr double kBandGap = 120, kAspect = 1.6;
  // Ranks: dot puts every node of a rank on the same x centre.
  std::map<long, int> rankOf;
  for (const auto& [name, p] : pos)
    rankOf[std::lround(p.x() + sizeOf(sizes, name).width() / 2)] = 0;
  int r = 0;
  for (auto& [x, rank] : rankOf) rank = r++;
  const int ranks = r;
  double left = 1e300, right = -1e300, top = 1e300, bottom = -1e300;
  for (const auto& [name, p] : pos) {
    const QSizeF s = sizeOf(sizes, name);
    left = std::min(left, p.x());
    right = std::max(right, p.x() + s.width());
    top = std::min(top, p.y());
    bottom = std::max(bottom, p.y() + s.height());
  }
  const double width = right - left, height = bottom - top;
  if (wrapWidth <= 0 || width <= wrapWidth || ranks < 4) return;
  const double perRank = width / ranks;
  int bands = 1;
  double best = 1e300;
  for (int b = 1; b <= ranks; ++b) {
    const int per = (ranks + b - 1) / b;
    const double w = per * perRank, h = b * height + (b - 1) * kBandGap;
    const double score = std::abs(std::log((w / h) / kAspect));
    if (score < best) best = score, bands = b;
  }
  const int per = (ranks + bands - 1) / bands;
  // Each band: its own vertical extent, stacked below the previous one; x restarts at `left`.
  std::vector<double> bandTop(bands, 1e300), bandBottom(bands, -1e300), bandLeft(bands, 1e300);
  auto bandOf = [&](const std::string& name, QPointF p) {
    return rankOf[std::lround(p.x() + sizeOf(sizes, name).width() / 2)] / per;
  };
  for (const auto& [name, p] : pos) {
    const int b = bandOf(name, p);
    bandTop[b] = std::min(bandTop[b], p.y());
    bandBottom[b] = std::max(bandBottom[b], p.y() + sizeOf(sizes, name).height());
    bandLeft[b] = std::min(bandLeft[b], p.x());
  }
  std::vector<double> offsetY(bands, 0);
  double next = top;
  for (int b = 0; b < bands; ++b) {
    if (bandTop[b] > bandBottom[b]) continue;
    offsetY[b] = next - bandTop[b];
    next += bandBottom[b] - bandTop[b] + kBandGap;
  }
  for (auto& [name, p] : pos) {
    const int b = bandOf(name, p);
    p = QPointF(p.x() - bandLeft[b] + left, p.y() + offsetY[b]);
  }
}

}  // namespace

std::map<std::string, QPointF> GraphLayout::dot(const ModelSpec& spec,
                                                const std::map<std::string, QSizeF>& sizes,
                                                double wrapWidth) {
  std::map<std::string, QPointF> out;
  if (spec.nodes.empty()) return out;
  const std::string source = dotSource(spec, sizes);
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
  if (!gvc) throw Error("auto layout: cannot start Graphviz");
  Agraph_t* g = agmemread(source.c_str());
  if (!g) throw Error("auto layout: Graphviz could not read the graph");
  if (gvLayout(gvc.get(), g, "dot") != 0) {
    agclose(g);
    throw Error("auto layout: Graphviz 'dot' layout failed");
  }
  // Graphviz: node centres in points, y pointing up. Scene: top-left corners, y pointing down.
  for (const auto& n : spec.nodes) {
    Agnode_t* node = agnode(g, const_cast<char*>(n.name.c_str()), 0);
    if (!node) continue;
    const QSizeF s = sizeOf(sizes, n.name);
    const pointf c = ND_coord(node);
    out[n.name] = QPointF(std::round(c.x - s.width() / 2), std::round(-c.y - s.height() / 2));
  }
  gvFreeLayout(gvc.get(), g);
  agclose(g);
  wrapIntoBands(out, sizes, wrapWidth);
  return out;
}

}  // namespace tessel::ui
