#include "engine/losses/CtcDecode.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "engine/core/Error.h"

namespace tessel {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr Index kBlank = 0;

double logAdd(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

void checkInput(const float* x, Index steps, Index classes) {
  if (steps < 0 || classes < 2)
    throw Error("CTC decoding: the output (" + std::to_string(steps) + " steps, " +
                std::to_string(classes) +
                " classes) is not (time steps, classes) with the blank 0 and a label class");
  for (Index k = 0; k < steps * classes; ++k)
    if (std::isnan(x[k]))
      throw Error("CTC decoding: the output is NaN at step " + std::to_string(k / classes) +
                  ", class " + std::to_string(k % classes));
}

// A prefix's log probabilities: alignments ending in a blank, and ending in its last label.
struct Beam {
  double blank = kNegInf, label = kNegInf;
  double total() const { return logAdd(blank, label); }
};

}  // namespace

CtcPath ctcGreedyDecode(const float* x, Index steps, Index classes, bool mergeRepeated) {
  checkInput(x, steps, classes);
  CtcPath p;
  Index previous = -1;
  for (Index t = 0; t < steps; ++t) {
    const float* row = x + t * classes;
    const Index best = Index(std::max_element(row, row + classes) - row);  // the first maximum
    p.score -= double(row[best]);
    if (best != kBlank && !(mergeRepeated && best == previous)) p.labels.push_back(best);
    previous = best;
  }
  return p;
}

std::vector<CtcPath> ctcBeamSearchDecode(const float* x, Index steps, Index classes, int beamWidth,
                                         int topPaths, bool fromLogits) {
  checkInput(x, steps, classes);
  if (beamWidth < 1 || topPaths < 1 || topPaths > beamWidth)
    throw Error("CTC beam search: beam width " + std::to_string(beamWidth) + " and top paths " +
                std::to_string(topPaths) + " (need 1 <= top paths <= beam width)");
  // lp (T, C): log_softmax of the logits.
  std::vector<double> lp(size_t(steps * classes));
  for (Index t = 0; t < steps; ++t) {
    double* z = lp.data() + t * classes;
    for (Index k = 0; k < classes; ++k) {
      const double v = x[t * classes + k];
      z[k] = fromLogits ? v : std::log(std::max(v, 0.0) + 1e-7);
    }
    const double m = *std::max_element(z, z + classes);
    double s = 0;
    for (Index k = 0; k < classes; ++k) s += std::exp(z[k] - m);
    const double lse = m + std::log(s);
    for (Index k = 0; k < classes; ++k) z[k] -= lse;
  }
  // Prefixes are nodes of a trie (parent, last label): extending one is a lookup, not a copy.
  struct Node {
    int parent;
    Index label;
  };
  std::vector<Node> nodes{{-1, kBlank}};  // node 0: the empty prefix
  std::unordered_map<std::uint64_t, int> children;
  auto child = [&](int node, Index c) {
    const auto [it, added] = children.try_emplace(
        std::uint64_t(node) * std::uint64_t(classes) + std::uint64_t(c), int(nodes.size()));
    if (added) nodes.push_back({node, c});
    return it->second;
  };
  std::vector<std::pair<int, Beam>> beams{{0, Beam{0.0, kNegInf}}};
  std::vector<Beam> acc;               // by node: this step's sums
  std::vector<int> touched;            // the nodes acc holds
  std::vector<char> held;              // by node: in touched
  auto add = [&](int node) -> Beam& {  // invalidates earlier references when acc grows
    if (size_t(node) >= acc.size()) {
      acc.resize(nodes.size() * 2);
      held.resize(nodes.size() * 2, 0);
    }
    if (!held[size_t(node)]) {
      held[size_t(node)] = 1;
      touched.push_back(node);
    }
    return acc[size_t(node)];
  };
  auto byScore = [](const std::pair<int, Beam>& a, const std::pair<int, Beam>& b) {
    const double sa = a.second.total(), sb = b.second.total();
    return sa != sb ? sa > sb : a.first < b.first;  // ties: the earlier prefix first
  };
  for (Index t = 0; t < steps; ++t) {
    const double* l = lp.data() + t * classes;
    for (const auto& [node, b] : beams) {
      const double total = b.total();
      const Index last = nodes[size_t(node)].label;  // kBlank for the empty prefix
      // A blank keeps the prefix; so does its last label repeated without a blank between.
      Beam& same = add(node);
      same.blank = logAdd(same.blank, total + l[kBlank]);
      if (node != 0) same.label = logAdd(same.label, b.label + l[last]);
      for (Index c = 1; c < classes; ++c) {
        const int longer = child(node, c);
        Beam& grown = add(longer);
        // After its own last label, c only starts anew after a blank.
        const double from = node != 0 && last == c ? b.blank : total;
        grown.label = logAdd(grown.label, from + l[c]);
      }
    }
    beams.clear();
    for (int node : touched) {
      Beam& b = acc[size_t(node)];
      if (b.total() != kNegInf) beams.emplace_back(node, b);
      b = Beam{};
      held[size_t(node)] = 0;
    }
    touched.clear();
    const size_t keep = std::min(beams.size(), size_t(beamWidth));
    std::partial_sort(beams.begin(), beams.begin() + long(keep), beams.end(), byScore);
    beams.resize(keep);
  }
  std::sort(beams.begin(), beams.end(), byScore);
  std::vector<CtcPath> out;
  for (size_t i = 0; i < beams.size() && int(i) < topPaths; ++i) {
    CtcPath p;
    for (int n = beams[i].first; n != 0; n = nodes[size_t(n)].parent)
      p.labels.push_back(nodes[size_t(n)].label);
    std::reverse(p.labels.begin(), p.labels.end());
    p.score = beams[i].second.total();
    out.push_back(std::move(p));
  }
  return out;
}

std::string formatCtcDecoded(const float* out, Index n, Index steps, Index classes,
                             const CtcDecodeOptions& options, bool fromLogits,
                             const std::vector<std::string>& names) {
  std::string text;
  for (Index i = 0; i < n; ++i) {
    const float* x = out + i * steps * classes;
    const CtcPath p = options.beam ? ctcBeamSearchDecode(x, steps, classes, options.beamWidth,
                                                         options.topPaths, fromLogits)[0]
                                   : ctcGreedyDecode(x, steps, classes);
    text += std::to_string(i) + ":";
    for (Index id : p.labels)
      text += " " + (Index(names.size()) == classes ? names[size_t(id)] : std::to_string(id));
    if (p.labels.empty()) text += " (empty)";
    if (options.beam) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "  log p = %.6g", p.score);
      text += buf;
    }
    text += "\n";
  }
  return text;
}

CtcDecodeOptions CtcDecodeOptions::parse(const std::string& text) {
  CtcDecodeOptions o;
  if (text == "greedy") return o;
  if (text == "beam" || text.rfind("beam:", 0) == 0) {
    o.beam = true;
    if (text != "beam") {
      const std::string w = text.substr(5);
      char* end = nullptr;
      const long v = std::strtol(w.c_str(), &end, 10);
      if (w.empty() || *end != '\0' || v < 1 || v > 100000)
        throw Error("--ctc-decode: beam width '" + w + "' is not an integer in [1, 100000]");
      o.beamWidth = int(v);
    }
    return o;
  }
  throw Error("--ctc-decode: '" + text + "' is not greedy, beam or beam:WIDTH");
}

}  // namespace tessel
