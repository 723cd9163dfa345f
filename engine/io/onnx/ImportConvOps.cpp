// ONNX import of the channels-first operators: Conv (Conv1D, Conv2D, grouped Conv2D,
// DepthwiseConv2D, with ZeroPadding2D for pads TF's "same" does not make), MaxPool /
// AveragePool, the global pools (and ReduceMean / ReduceMax over the spatial axes) and
// BatchNormalization. Kernels are relaid from ONNX's (O, I, k...) to Keras's (k..., I, O).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine/core/Error.h"
#include "engine/io/onnx/ImportGraph.h"
#include "engine/io/onnx/ImportOps.h"

namespace tessel::onnximport {

namespace {

using Node = onnx::NodeProto;

Value channelsFirst(const std::string& layer) {
  Value v;
  v.node = layer;
  v.layout = Layout::ChannelsFirst;
  return v;
}

const Value& nchwInput(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  const size_t r = g.rank(x);
  if (r != 3 && r != 4) ImportGraph::fail(n, "only 1-D and 2-D (rank 3 and 4) inputs are imported");
  if (x.layout != Layout::ChannelsFirst)
    ImportGraph::fail(n, "the input is not channels-first (NCHW) here");
  return x;
}

std::vector<Index> intsOr(const Node& n, const char* name, size_t count, Index def) {
  std::vector<Index> v = ImportGraph::intsAttr(n, name);
  if (v.empty()) v.assign(count, def);
  if (v.size() != count) ImportGraph::fail(n, std::string(name) + " has the wrong length");
  return v;
}

// Kernel sizes, strides and dilations are at least 1.
void checkPositive(const Node& n, const std::vector<Index>& v, const char* what) {
  for (Index x : v)
    if (x < 1 || x > (Index(1) << 20))
      ImportGraph::fail(n, std::string(what) + " " + std::to_string(x) + " is out of range");
}

// Keras's padding for ONNX pads: "valid", "same" (TF's: extra on the end), or "valid" with
// explicit pads (begin..., end...) to put in front.
struct Padding {
  std::string keras = "valid";
  std::vector<Index> explicitPads;
};

Padding paddingOf(ImportGraph& g, const Node& n, const Value& x, const std::vector<Index>& k,
                  const std::vector<Index>& s, const std::vector<Index>& d) {
  const size_t sp = k.size();
  const std::string autoPad = ImportGraph::stringAttr(n, "auto_pad", "NOTSET");
  Padding p;
  if (autoPad == "VALID") return p;
  if (autoPad == "SAME_UPPER") {
    p.keras = "same";
    return p;
  }
  if (autoPad != "NOTSET") ImportGraph::fail(n, "auto_pad " + autoPad + " is not supported");
  std::vector<Index> pads = intsOr(n, "pads", 2 * sp, 0);
  if (std::all_of(pads.begin(), pads.end(), [](Index v) { return v == 0; })) return p;
  const Shape xs = g.kerasShape(x.node);  // (N, spatial..., C)
  bool known = true, same = true;
  for (size_t i = 0; i < sp; ++i) {
    const Index size = xs[1 + i];
    if (size == kNone) {
      known = false;
      const Index total = (k[i] - 1) * d[i];
      same =
          same && s[i] == 1 && total % 2 == 0 && pads[i] == total / 2 && pads[sp + i] == total / 2;
      continue;
    }
    const Index out = (size + s[i] - 1) / s[i];
    const Index total = std::max<Index>((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size, 0);
    same = same && pads[i] == total / 2 && pads[sp + i] == total - total / 2;
  }
  (void)known;
  if (same)
    p.keras = "same";
  else
    p.explicitPads = pads;
  return p;
}

// A float attribute as the decimal Keras would write (0.001f -> 0.001, not 0.0010000000474...).
double tidy(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", double(v));
  return std::strtod(buf, nullptr);
}

json intsJson(const std::vector<Index>& v) {
  json a = json::array();
  for (Index x : v) a.push_back(x);
  return a;
}

void conv(ImportGraph& g, const Node& n) {
  const Value& x = nchwInput(g, n);
  const size_t sp = g.rank(x) - 2;
  const Value& w = g.constIn(n, 1);
  if (w.dims.size() != sp + 2) ImportGraph::fail(n, "the kernel's rank does not match the input");
  const Index outCh = w.dims[0], inPerGroup = w.dims[1];
  std::vector<Index> k(w.dims.begin() + 2, w.dims.end());
  if (auto ks = ImportGraph::intsAttr(n, "kernel_shape"); !ks.empty() && ks != k)
    ImportGraph::fail(n, "kernel_shape does not match the kernel");
  const auto s = intsOr(n, "strides", sp, 1), d = intsOr(n, "dilations", sp, 1);
  const Index group = ImportGraph::intAttr(n, "group", 1);
  const Index cin = g.kerasShape(x.node).back();
  if (group < 1 || cin != inPerGroup * group || outCh % group != 0)
    ImportGraph::fail(n, "the kernel (" + std::to_string(outCh) + ", " +
                             std::to_string(inPerGroup) + ", ...) with group " +
                             std::to_string(group) + " does not fit " + std::to_string(cin) +
                             " input channels");
  checkPositive(n, k, "kernel size");
  checkPositive(n, s, "stride");
  checkPositive(n, d, "dilation");
  Padding pad = paddingOf(g, n, x, k, s, d);
  std::string src = x.node;
  const std::string name = g.nameFor(n, sp == 2 ? "conv2d" : "conv1d");
  if (!pad.explicitPads.empty()) {
    if (sp != 2) ImportGraph::fail(n, "pads that are neither 'valid' nor TF's 'same'");
    const auto& p = pad.explicitPads;  // top, left, bottom, right
    src = g.addLayer(
        "ZeroPadding2D", name + "_pad",
        {{"padding", json::array({json::array({p[0], p[2]}), json::array({p[1], p[3]})})}},
        {x.node});
  }
  Index spatial = 1;
  for (Index v : k) spatial *= v;
  const bool depthwise = sp == 2 && group > 1 && group == cin && inPerGroup == 1;
  const bool bias = g.hasIn(n, 2);
  std::string l;
  if (depthwise) {  // (C m, 1, kh, kw) -> (kh, kw, C, m); output channel c m + j
    const Index m = outCh / cin;
    json cfg = {{"kernel_size", intsJson(k)},
                {"strides", intsJson(s)},
                {"padding", pad.keras},
                {"depth_multiplier", m},
                {"dilation_rate", intsJson(d)},
                {"activation", "linear"},
                {"use_bias", bias}};
    l = g.addLayer("DepthwiseConv2D", name, cfg, {src});
    Tensor kernel({k[0], k[1], cin, m});
    for (Index p = 0; p < spatial; ++p)
      for (Index c = 0; c < cin; ++c)
        for (Index j = 0; j < m; ++j)
          kernel[(p * cin + c) * m + j] =
              static_cast<float>(w.data[static_cast<size_t>((c * m + j) * spatial + p)]);
    g.setWeight(l, "depthwise_kernel", std::move(kernel));
  } else {  // (O, I, k...) -> (k..., I, O)
    json cfg = {{"filters", outCh},
                {"kernel_size", intsJson(k)},
                {"strides", intsJson(s)},
                {"padding", pad.keras},
                {"dilation_rate", intsJson(d)},
                {"groups", group},
                {"activation", "linear"},
                {"use_bias", bias}};
    l = g.addLayer(sp == 2 ? "Conv2D" : "Conv1D", name, cfg, {src});
    Shape ks = k;
    ks.push_back(inPerGroup);
    ks.push_back(outCh);
    Tensor kernel(ks);
    for (Index p = 0; p < spatial; ++p)
      for (Index i = 0; i < inPerGroup; ++i)
        for (Index o = 0; o < outCh; ++o)
          kernel[(p * inPerGroup + i) * outCh + o] =
              static_cast<float>(w.data[static_cast<size_t>((o * inPerGroup + i) * spatial + p)]);
    g.setWeight(l, "kernel", std::move(kernel));
  }
  if (bias) {
    const Value& b = g.constIn(n, 2);
    if (static_cast<Index>(b.data.size()) != outCh)
      ImportGraph::fail(n, "the bias has " + std::to_string(b.data.size()) + " values");
    Tensor t({outCh});
    for (Index o = 0; o < outCh; ++o) t[o] = static_cast<float>(b.data[static_cast<size_t>(o)]);
    g.setWeight(l, "bias", std::move(t));
  }
  g.setOut(n, channelsFirst(l));
}

void pool(ImportGraph& g, const Node& n, bool max) {
  const Value& x = nchwInput(g, n);
  const size_t sp = g.rank(x) - 2;
  const auto k = ImportGraph::intsAttr(n, "kernel_shape");
  if (k.size() != sp) ImportGraph::fail(n, "kernel_shape is missing or of the wrong length");
  const auto s = intsOr(n, "strides", sp, 1), d = intsOr(n, "dilations", sp, 1);
  if (std::any_of(d.begin(), d.end(), [](Index v) { return v != 1; }))
    ImportGraph::fail(n, "dilated pooling is not supported");
  checkPositive(n, k, "kernel size");
  checkPositive(n, s, "stride");
  Padding pad = paddingOf(g, n, x, k, s, d);
  if (!pad.explicitPads.empty())
    ImportGraph::fail(n, "pads that are neither 'valid' nor TF's 'same'");
  if (!max && pad.keras == "same" && ImportGraph::intAttr(n, "count_include_pad", 0))
    ImportGraph::fail(n, "count_include_pad with padding (Keras averages over the window only)");
  if (ImportGraph::intAttr(n, "ceil_mode", 0) && pad.keras == "valid") {
    const Shape xs = g.kerasShape(x.node);
    for (size_t i = 0; i < sp; ++i)
      if (xs[1 + i] == kNone || (xs[1 + i] - k[i]) % s[i] != 0)
        ImportGraph::fail(n, "ceil_mode changes the output size here (Keras floors)");
  }
  const std::string cls =
      std::string(max ? "Max" : "Average") + "Pooling" + (sp == 2 ? "2D" : "1D");
  json cfg = {{"padding", pad.keras}};
  cfg["pool_size"] = sp == 2 ? intsJson(k) : json(k[0]);
  cfg["strides"] = sp == 2 ? intsJson(s) : json(s[0]);
  std::string l = g.addLayer(cls, g.nameFor(n, ModelSpec::defaultBaseName(cls)), cfg, {x.node});
  g.setOut(n, channelsFirst(l));
}

std::string globalClass(bool max, size_t sp) {
  return std::string("Global") + (max ? "Max" : "Average") + "Pooling" + (sp == 2 ? "2D" : "1D");
}

void globalPool(ImportGraph& g, const Node& n, bool max) {
  const Value& x = nchwInput(g, n);
  const size_t sp = g.rank(x) - 2;
  const std::string cls = globalClass(max, sp);
  std::string l = g.addLayer(cls, g.nameFor(n, ModelSpec::defaultBaseName(cls)),
                             {{"keepdims", true}}, {x.node});
  g.setOut(n, channelsFirst(l));
}

// ReduceMean / ReduceMax over exactly the spatial axes of x's layout: global pooling.
void reduce(ImportGraph& g, const Node& n, bool max) {
  const Value& x = g.tensorIn(n, 0);
  const Index r = static_cast<Index>(g.rank(x));
  if (r != 3 && r != 4) ImportGraph::fail(n, "only reductions over the spatial axes are imported");
  std::vector<Index> axes = ImportGraph::intsAttr(n, "axes");
  for (Index& a : axes)
    if (a < 0) a += r;
  std::sort(axes.begin(), axes.end());
  std::vector<Index> spatial;
  const bool cf = x.layout == Layout::ChannelsFirst;
  for (Index i = 1; i + 1 < r; ++i) spatial.push_back(cf ? i + 1 : i);
  if (axes != spatial) ImportGraph::fail(n, "only reductions over the spatial axes are imported");
  const bool keep = ImportGraph::intAttr(n, "keepdims", 1) != 0;
  const std::string cls = globalClass(max, static_cast<size_t>(r - 2));
  std::string l = g.addLayer(cls, g.nameFor(n, ModelSpec::defaultBaseName(cls)),
                             {{"keepdims", keep}}, {x.node});
  Value out;
  out.node = l;
  out.layout = keep ? x.layout : Layout::Keras;
  g.setOut(n, out);
}

void batchNorm(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  if (ImportGraph::intAttr(n, "training_mode", 0))
    ImportGraph::fail(n, "training_mode is on (only inference is imported)");
  const size_t r = g.rank(x);
  const Index ch = g.onnxShape(x)[1];
  const char* names[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
  std::vector<Tensor> w;
  for (int i = 0; i < 4; ++i) {
    const Value& c = g.constIn(n, i + 1);
    if (static_cast<Index>(c.data.size()) != ch)
      ImportGraph::fail(n, std::string(names[i]) + " has " + std::to_string(c.data.size()) +
                               " values for " + std::to_string(ch) + " channels");
    Tensor t({ch});
    for (Index j = 0; j < ch; ++j)  // flattened NCHW features: Keras's order
      t[x.flatPerm.empty() ? j : x.flatPerm[static_cast<size_t>(j)]] =
          static_cast<float>(c.data[static_cast<size_t>(j)]);
    w.push_back(std::move(t));
  }
  // ONNX normalizes axis 1: the Keras channels axis for NCHW and 2-D tensors, else axis 1.
  const bool lastAxis = r <= 2 || x.layout == Layout::ChannelsFirst;
  json cfg = {{"axis", lastAxis ? -1 : 1},
              // Momentum only matters for training, which the file does not define: Keras's
              // default when absent (PyTorch writes it; our exporter does not).
              {"momentum", tidy(ImportGraph::floatAttr(n, "momentum", 0.99f))},
              {"epsilon", tidy(ImportGraph::floatAttr(n, "epsilon", 1e-5f))},
              {"center", true},
              {"scale", true}};
  std::string l =
      g.addLayer("BatchNormalization", g.nameFor(n, "batch_normalization"), cfg, {x.node});
  for (int i = 0; i < 4; ++i) g.setWeight(l, names[i], std::move(w[static_cast<size_t>(i)]));
  Value out;
  out.node = l;
  out.layout = x.layout;
  out.flatPerm = x.flatPerm;
  g.setOut(n, out);
}

// Constant zero padding of the spatial axes (PyTorch writes all-zero Pads before AvgPool2d):
// nothing, or ZeroPadding2D.
void pad(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  if (ImportGraph::stringAttr(n, "mode", "constant") != "constant")
    ImportGraph::fail(n, "only constant padding is imported");
  std::vector<Index> p;
  if (g.opset() < 11) {
    p = ImportGraph::intsAttr(n, "pads");
    if (ImportGraph::floatAttr(n, "value", 0.0f) != 0.0f)
      ImportGraph::fail(n, "only zero padding is imported");
  } else {
    for (double v : g.constIn(n, 1).data) p.push_back(static_cast<Index>(v));
    if (g.hasIn(n, 2) && !g.constIn(n, 2).data.empty() && g.constIn(n, 2).data[0] != 0)
      ImportGraph::fail(n, "only zero padding is imported");
  }
  const size_t r = g.rank(x);
  if (p.size() != 2 * r) ImportGraph::fail(n, "pads of the wrong length");
  if (std::all_of(p.begin(), p.end(), [](Index v) { return v == 0; })) {
    Value same = x;
    g.setOut(n, same);
    return;
  }
  // Spatial axes of the ONNX tensor: 2, 3 (NCHW) or 1, 2 (NHWC); the others must stay.
  const bool cf = x.layout == Layout::ChannelsFirst;
  const size_t h = cf ? 2 : 1, w = h + 1;
  for (size_t i = 0; i < r; ++i)
    if (i != h && i != w && (p[i] || p[r + i]))
      ImportGraph::fail(n, "padding of a non-spatial axis");
  if (r != 4 || p[h] < 0 || p[w] < 0 || p[r + h] < 0 || p[r + w] < 0)
    ImportGraph::fail(n, "only non-negative 2-D spatial padding is imported");
  std::string l = g.addLayer(
      "ZeroPadding2D", g.nameFor(n, "zero_padding2d"),
      {{"padding", json::array({json::array({p[h], p[r + h]}), json::array({p[w], p[r + w]})})}},
      {x.node});
  Value out;
  out.node = l;
  out.layout = x.layout;
  g.setOut(n, out);
}

}  // namespace

void addConvOps(std::map<std::string, OpHandler>& ops) {
  ops["Conv"] = conv;
  ops["MaxPool"] = [](ImportGraph& g, const Node& n) { pool(g, n, true); };
  ops["AveragePool"] = [](ImportGraph& g, const Node& n) { pool(g, n, false); };
  ops["GlobalAveragePool"] = [](ImportGraph& g, const Node& n) { globalPool(g, n, false); };
  ops["GlobalMaxPool"] = [](ImportGraph& g, const Node& n) { globalPool(g, n, true); };
  ops["ReduceMean"] = [](ImportGraph& g, const Node& n) { reduce(g, n, false); };
  ops["ReduceMax"] = [](ImportGraph& g, const Node& n) { reduce(g, n, true); };
  ops["BatchNormalization"] = batchNorm;
  ops["Pad"] = pad;
}

}  // namespace tessel::onnximport
