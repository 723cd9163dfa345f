#include "ui/editor/GraphLayout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
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

// One function on purpose: the Sugiyama steps (depths, placeholders, two barycentre sweeps,
// bands) share their tables.
std::map<std::string, QPointF> GraphLayout::layered(const ModelSpec& spec) {
  constexpr double kColumn = 300, kRow = 110;
  std::map<std::string, int> depth;
  std::vector<std::string> order;
  try {
    order = topologicalOrder(spec);
  } catch (const Error&) {
    for (const auto& n : spec.nodes) order.push_back(n.name);
  }
  for (const auto& name : order) {
    int d = 0;
    if (const NodeSpec* n = spec.find(name))
      for (const auto& in : n->inputs)
        if (depth.count(in)) d = std::max(d, depth[in] + 1);
    depth[name] = d;
  }
  for (const auto& n : spec.nodes)
    if (!depth.count(n.name)) depth[n.name] = 0;
  int maxDepth = 0;
  for (const auto& [name, d] : depth) maxDepth = std::max(maxDepth, d);
  // Sugiyama-style columns: an edge spanning several columns gets a placeholder in each column
  // it crosses, so the nodes in between move aside instead of sitting on the edge.
  struct Entry {
    std::string id;                  // node name, or "\x01..." for a placeholder
    std::vector<std::string> preds;  // ids in the previous column
  };
  std::vector<std::vector<Entry>> columns(maxDepth + 1);
  for (const auto& n : spec.nodes) {
    Entry e{n.name, {}};
    const int d = depth[n.name];
    for (const auto& in : n.inputs) {
      if (!depth.count(in)) continue;
      std::string prev = in;
      for (int c = depth[in] + 1; c < d; ++c) {
        std::string id = "\x01" + in + ">" + n.name + "#" + std::to_string(c);
        columns[c].push_back(Entry{id, {prev}});
        prev = id;
      }
      e.preds.push_back(prev);
    }
    columns[d].insert(columns[d].begin() + static_cast<long>(std::count_if(
                                               columns[d].begin(), columns[d].end(),
                                               [](const Entry& x) { return x.id[0] != '\x01'; })),
                      e);
  }
  // Successors (with the consumer's input port) for the backward sweep.
  std::map<std::string, std::vector<std::pair<std::string, int>>> succ;
  for (const auto& col : columns)
    for (const auto& e : col)
      for (size_t p = 0; p < e.preds.size(); ++p) {
        // A placeholder carries the port of the edge it stands for.
        int port = static_cast<int>(p);
        if (e.id[0] == '\x01') port = 0;
        succ[e.preds[p]].emplace_back(e.id, port);
      }
  // Rows: a forward barycentre sweep (mean y of the predecessors), then a backward one (mean y
  // of the successors, offset by the input port so an edge into port 0 lies above one into
  // port 1). Real nodes come before placeholders on ties; each column is centred on y = 0.
  std::map<std::string, double> y;
  auto place = [&](std::vector<Entry>& col, const std::map<std::string, double>& key) {
    std::stable_sort(col.begin(), col.end(),
                     [&](const Entry& a, const Entry& b) { return key.at(a.id) < key.at(b.id); });
    const double top = -0.5 * (static_cast<double>(col.size()) - 1) * kRow;
    for (size_t i = 0; i < col.size(); ++i) y[col[i].id] = top + static_cast<double>(i) * kRow;
  };
  for (int c = 0; c <= maxDepth; ++c) {
    std::map<std::string, double> key;
    for (size_t i = 0; i < columns[c].size(); ++i) {
      double sum = 0;
      int count = 0;
      for (const auto& p : columns[c][i].preds)
        if (y.count(p)) sum += y[p], ++count;
      key[columns[c][i].id] = count ? sum / count : -1e9 + static_cast<double>(i);
    }
    place(columns[c], key);
  }
  for (int c = maxDepth - 1; c >= 0; --c) {
    std::map<std::string, double> key;
    for (const auto& e : columns[c]) {
      double sum = 0;
      int count = 0;
      for (const auto& [s, port] : succ[e.id]) sum += y[s] + 0.25 * kRow * port, ++count;
      key[e.id] = count ? sum / count : y[e.id];
    }
    place(columns[c], key);
  }
  // Long chains (a deep CNN) wrap into bands of at most kBand columns, each band below the
  // previous one, so a fitted view stays readable.
  constexpr int kBand = 6;
  constexpr double kBandGap = 150;
  const int ncols = maxDepth + 1;
  const int bands = (ncols + kBand - 1) / kBand;
  const int perBand = (ncols + bands - 1) / bands;
  std::vector<double> bandTop(bands, 0.0);
  double next = 0;
  for (int b = 0; b < bands; ++b) {
    double lo = 0, hi = 0;
    for (int c = b * perBand; c < std::min(ncols, (b + 1) * perBand); ++c)
      for (const auto& e : columns[c]) lo = std::min(lo, y[e.id]), hi = std::max(hi, y[e.id]);
    bandTop[b] = next - lo;
    next += (hi - lo) + kRow + kBandGap;
  }
  std::map<std::string, QPointF> out;
  for (int c = 0; c <= maxDepth; ++c)
    for (const auto& e : columns[c])
      if (e.id[0] != '\x01')
        out[e.id] = QPointF((c % perBand) * kColumn, bandTop[c / perBand] + y[e.id]);
  return out;
}

}  // namespace tessel::ui
