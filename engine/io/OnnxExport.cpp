#include "engine/io/OnnxExport.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "engine/core/Error.h"
#include "engine/io/proto/tessel_onnx.pb.h"
#include "engine/layers/LayerRegistry.h"

#ifndef TESSEL_VERSION
#define TESSEL_VERSION "0.0.0"
#endif

namespace tessel {

namespace onnxpb = tessel::onnx;

namespace {

const std::set<std::string>& identityLayers() {
  // Layers that are the identity at inference.
  static const std::set<std::string> names = {
      "Dropout",          "AlphaDropout",      "GaussianNoise",          "GaussianDropout",
      "SpatialDropout1D", "SpatialDropout2D",  "ActivityRegularization", "Identity",
      "RandomFlip",       "RandomTranslation", "RandomRotation",         "RandomZoom",
      "RandomContrast",   "RandomBrightness"};
  return names;
}

const std::set<std::string>& supportedActivations() {
  static const std::set<std::string> names = {"linear", "relu",    "relu6",        "selu",
                                              "elu",    "sigmoid", "hard_sigmoid", "hardSigmoid",
                                              "tanh",   "softmax", "softplus",     "softsign",
                                              "swish",  "silu",    "gelu",         "exponential"};
  return names;
}

std::vector<Index> intList(const json& v, size_t n) {
  std::vector<Index> out;
  if (v.is_number_integer()) return std::vector<Index>(n, v.get<Index>());
  if (v.is_array())
    for (const auto& e : v) out.push_back(e.get<Index>());
  if (out.size() == 1 && n > 1) out.assign(n, out[0]);
  return out;
}

// Top, bottom, left, right amounts of ZeroPadding2D's padding / Cropping2D's cropping: an int,
// (symmetric_height, symmetric_width) or ((top, bottom), (left, right)).
struct Sides2D {
  Index t = 0, b = 0, l = 0, r = 0;
};

Sides2D sides2D(const json& p) {
  Sides2D s;
  if (p.is_number_integer()) {
    s.t = s.b = s.l = s.r = p.get<Index>();
  } else if (p.is_array() && p.size() == 2 && p[0].is_number_integer()) {
    s.t = s.b = p[0].get<Index>();
    s.l = s.r = p[1].get<Index>();
  } else {
    s.t = p.at(0).at(0).get<Index>(), s.b = p.at(0).at(1).get<Index>();
    s.l = p.at(1).at(0).get<Index>(), s.r = p.at(1).at(1).get<Index>();
  }
  return s;
}

bool lastAxis(const json& axis, size_t rank) {
  json a = axis;
  if (a.is_array() && a.size() == 1) a = a[0];
  if (!a.is_number_integer()) return false;
  long long v = a.get<long long>();
  return v == -1 || v == static_cast<long long>(rank) - 1;
}

// Why a node cannot be exported ("" when it can).
std::string unsupportedReason(const NodeSpec& n, const json& cfg, const NodeShapes* shapes) {
  const std::string& c = n.className;
  size_t rank = shapes && shapes->output ? shapes->output->size() : 0;
  size_t inRank = shapes && !shapes->inputs.empty() ? shapes->inputs[0].size() : 0;
  auto act = [&](const char* key) -> std::string {
    if (!cfg.contains(key) || cfg[key].is_null()) return {};
    std::string a = cfg[key];
    return supportedActivations().count(a) ? "" : "activation '" + a + "' has no ONNX form here";
  };
  if (cfg.contains("data_format") && cfg["data_format"] == "channels_first")
    return "channels_first is not exported (use channels_last)";
  if (c == "InputLayer" || identityLayers().count(c) || c == "Flatten" || c == "Reshape" ||
      c == "Add" || c == "Subtract" || c == "Multiply" || c == "Average" || c == "Maximum" ||
      c == "Minimum" || c == "Rescaling" || c == "ZeroPadding2D" || c == "Cropping2D" ||
      c == "GlobalAveragePooling1D" || c == "GlobalAveragePooling2D" || c == "GlobalMaxPooling1D" ||
      c == "GlobalMaxPooling2D" || c == "MaxPooling1D" || c == "MaxPooling2D" ||
      c == "AveragePooling1D" || c == "AveragePooling2D")
    return {};
  if (c == "Dense") return act("activation");
  if (c == "Activation") return act("activation");
  if (c == "Conv1D" || c == "Conv2D" || c == "DepthwiseConv2D" || c == "SeparableConv2D") {
    if (cfg.value("padding", std::string("valid")) == "causal") return "causal padding";
    return act("activation");
  }
  if (c == "Conv2DTranspose") {
    if (cfg.contains("output_padding") && !cfg["output_padding"].is_null())
      return "output_padding is not exported";
    auto d = intList(cfg.value("dilation_rate", json(1)), 2);
    if (d.size() != 2 || d[0] != 1 || d[1] != 1) return "dilated transposed convolution";
    return act("activation");
  }
  if (c == "Concatenate") return {};
  if (c == "BatchNormalization")
    return lastAxis(cfg.value("axis", json(-1)), rank) ? "" : "only the last axis is exported";
  if (c == "LayerNormalization")
    return lastAxis(cfg.value("axis", json(-1)), inRank) ? "" : "only the last axis is exported";
  if (c == "UpSampling2D") {
    std::string i = cfg.value("interpolation", std::string("nearest"));
    return i == "nearest" || i == "bilinear" ? "" : "interpolation '" + i + "'";
  }
  if (c == "Normalization") return {};
  return "no ONNX export for " + c;
}

class Exporter {
 public:
  Exporter(const ModelSpec& spec, const NamedWeights& weights) : spec_(spec) {
    for (const auto& [name, t] : weights) weights_[name] = &t;
  }

  std::string run();

 private:
  struct Val {
    std::string keras;  // tensor name in Keras layout ("" until made)
    std::string cf;     // channels-first tensor name ("" until made)
    Shape shape;        // Keras shape (batch kNone)
  };

  const Tensor& weight(const std::string& node, const std::string& var) {
    auto it = weights_.find(node + "/" + var);
    if (it == weights_.end())
      throw Error("ONNX export: weight '" + node + "/" + var + "' is missing");
    return *it->second;
  }
  bool hasWeight(const std::string& node, const std::string& var) const {
    return weights_.count(node + "/" + var) > 0;
  }

  std::string fresh(const std::string& base) {
    std::string n = base;
    for (int i = 1; used_.count(n); ++i) n = base + "_" + std::to_string(i);
    used_.insert(n);
    return n;
  }

  onnxpb::NodeProto* node(const std::string& op, const std::vector<std::string>& in,
                          const std::string& out, const std::string& nodeName) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(fresh(nodeName));
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void attr(onnxpb::NodeProto* n, const char* name, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnxpb::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnxpb::NodeProto* n, const char* name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnxpb::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnxpb::NodeProto* n, const char* name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnxpb::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr(onnxpb::NodeProto* n, const char* name, const std::vector<Index>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnxpb::AttributeProto::INTS);
    for (Index x : v) a->add_ints(x);
  }

  std::string floatInit(const std::string& base, const Shape& dims, const std::vector<float>& v) {
    std::string name = fresh(base);
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnxpb::TensorProto::FLOAT);
    for (Index d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return name;
  }
  std::string intInit(const std::string& base, const std::vector<Index>& v) {
    std::string name = fresh(base);
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnxpb::TensorProto::INT64);
    t->add_dims(static_cast<Index>(v.size()));
    for (Index x : v) t->add_int64_data(x);
    return name;
  }
  std::string scalar(const std::string& base, float v) { return floatInit(base, {}, {v}); }

  // Layout conversions (lazy, cached).
  std::string keras(const std::string& n) {
    Val& v = vals_.at(n);
    if (v.keras.empty()) {
      size_t r = v.shape.size();
      std::vector<Index> perm = {0};
      for (size_t i = 2; i < r; ++i) perm.push_back(static_cast<Index>(i));
      perm.push_back(1);
      v.keras = fresh(n);
      attr(node("Transpose", {v.cf}, v.keras, n + "/to_channels_last"), "perm", perm);
    }
    return v.keras;
  }
  std::string channelsFirst(const std::string& n) {
    Val& v = vals_.at(n);
    if (v.cf.empty()) {
      size_t r = v.shape.size();
      std::vector<Index> perm = {0, static_cast<Index>(r - 1)};
      for (size_t i = 1; i + 1 < r; ++i) perm.push_back(static_cast<Index>(i));
      v.cf = fresh(n + "/channels_first");
      attr(node("Transpose", {keras(n)}, v.cf, n + "/to_channels_first"), "perm", perm);
    }
    return v.cf;
  }

  // y = act(x); `axis` is the channel axis of x's layout (for softmax).
  std::string activation(const std::string& act, const std::string& x, const std::string& out,
                         const std::string& base, Index axis) {
    if (act.empty() || act == "linear") {
      node("Identity", {x}, out, base);
      return out;
    }
    if (act == "relu")
      node("Relu", {x}, out, base);
    else if (act == "sigmoid")
      node("Sigmoid", {x}, out, base);
    else if (act == "tanh")
      node("Tanh", {x}, out, base);
    else if (act == "softplus")
      node("Softplus", {x}, out, base);
    else if (act == "softsign")
      node("Softsign", {x}, out, base);
    else if (act == "exponential")
      node("Exp", {x}, out, base);
    else if (act == "elu")
      attr(node("Elu", {x}, out, base), "alpha", 1.0f);
    else if (act == "selu") {
      auto* n = node("Selu", {x}, out, base);
      attr(n, "alpha", 1.6732632423543772f);
      attr(n, "gamma", 1.0507009873554805f);
    } else if (act == "softmax") {
      attr(node("Softmax", {x}, out, base), "axis", axis);
    } else if (act == "hard_sigmoid" || act == "hardSigmoid") {
      // Keras 2 / TF.js: clip(0.2 x + 0.5, 0, 1) (Keras 3 uses x / 6 + 0.5).
      auto* n = node("HardSigmoid", {x}, out, base);
      attr(n, "alpha", 0.2f);
      attr(n, "beta", 0.5f);
    } else if (act == "relu6") {
      node("Clip", {x, scalar(base + "/zero", 0.0f), scalar(base + "/six", 6.0f)}, out, base);
    } else if (act == "swish" || act == "silu") {
      std::string s = fresh(base + "/sigmoid");
      node("Sigmoid", {x}, s, base + "/sigmoid");
      node("Mul", {x, s}, out, base);
    } else if (act == "gelu") {  // 0.5 x (1 + erf(x / sqrt 2)), Keras's approximate=False
      std::string d = fresh(base + "/scaled"), e = fresh(base + "/erf"),
                  p = fresh(base + "/one_plus"), h = fresh(base + "/half_x");
      node("Mul", {x, scalar(base + "/inv_sqrt2", float(M_SQRT1_2))}, d, base + "/scaled");
      node("Erf", {d}, e, base + "/erf");
      node("Add", {e, scalar(base + "/one", 1.0f)}, p, base + "/one_plus");
      node("Mul", {x, scalar(base + "/half", 0.5f)}, h, base + "/half_x");
      node("Mul", {h, p}, out, base);
    } else {
      throw Error("ONNX export: activation '" + act + "' of '" + base + "' is not supported");
    }
    return out;
  }

  // TF "same" padding: begin/end per spatial axis.
  std::vector<Index> pads(const Shape& in, const std::vector<Index>& k, const std::vector<Index>& s,
                          const std::vector<Index>& d, bool same) {
    size_t n = k.size();
    std::vector<Index> begin(n, 0), end(n, 0);
    if (same) {
      for (size_t i = 0; i < n; ++i) {
        Index size = in[1 + i];
        if (size == kNone) throw Error("ONNX export: 'same' padding needs known spatial sizes");
        Index out = (size + s[i] - 1) / s[i];
        Index total = std::max<Index>((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size, 0);
        begin[i] = total / 2;
        end[i] = total - begin[i];
      }
    }
    begin.insert(begin.end(), end.begin(), end.end());
    return begin;
  }

  void convolution(const NodeSpec& n, const json& cfg, const Shape& in, const std::string& x);
  void exportNode(const NodeSpec& n, const json& cfg, const NodeShapes& shapes);

  const ModelSpec& spec_;
  std::map<std::string, const Tensor*> weights_;
  std::map<std::string, Val> vals_;
  std::set<std::string> used_;
  onnxpb::GraphProto* graph_ = nullptr;
};

// Relays a Keras conv kernel (k..., in, out) to ONNX (out, in, k...).
std::vector<float> relayKernel(const Tensor& k) {
  const Shape& s = k.shape();
  size_t r = s.size();
  Index in = s[r - 2], out = s[r - 1], spatial = 1;
  for (size_t i = 0; i + 2 < r; ++i) spatial *= s[i];
  std::vector<float> v(static_cast<size_t>(k.size()));
  for (Index p = 0; p < spatial; ++p)
    for (Index i = 0; i < in; ++i)
      for (Index o = 0; o < out; ++o) v[(o * in + i) * spatial + p] = k[(p * in + i) * out + o];
  return v;
}

void Exporter::convolution(const NodeSpec& n, const json& cfg, const Shape& in,
                           const std::string& x) {
  const std::string& c = n.className;
  const size_t sp = in.size() - 2;  // spatial axes
  auto k = intList(cfg.at("kernel_size"), sp);
  auto s = intList(cfg.value("strides", json(1)), sp);
  auto d = intList(cfg.value("dilation_rate", json(1)), sp);
  const bool same = cfg.value("padding", std::string("valid")) == "same";
  const bool useBias = cfg.value("use_bias", true);
  const Index cin = in.back();
  std::string out = fresh(n.name + "/channels_first");
  std::string pre = fresh(n.name + "/conv");
  std::vector<std::string> inputs = {x};
  Shape wdims;
  std::vector<float> w;
  Index group = 1;
  if (c == "Conv1D" || c == "Conv2D") {
    const Tensor& kt = weight(n.name, "kernel");
    w = relayKernel(kt);
    group = cfg.value("groups", 1);
    wdims = {kt.shape().back(), kt.shape()[sp]};
    for (size_t i = 0; i < sp; ++i) wdims.push_back(kt.shape()[i]);
  } else if (c == "DepthwiseConv2D" || c == "SeparableConv2D") {
    const Tensor& kt = weight(n.name, "depthwise_kernel");  // (kh, kw, C, m)
    Index m = kt.shape()[3], kh = kt.shape()[0], kw = kt.shape()[1];
    w.resize(static_cast<size_t>(kt.size()));
    for (Index i = 0; i < kh; ++i)
      for (Index j = 0; j < kw; ++j)
        for (Index ch = 0; ch < cin; ++ch)
          for (Index mm = 0; mm < m; ++mm)
            w[((ch * m + mm) * kh + i) * kw + j] = kt[((i * kw + j) * cin + ch) * m + mm];
    wdims = {cin * m, 1, kh, kw};
    group = cin;
  } else if (c == "Conv2DTranspose") {
    const Tensor& kt = weight(n.name, "kernel");  // (kh, kw, out, in) -> (in, out, kh, kw)
    Index kh = kt.shape()[0], kw = kt.shape()[1], co = kt.shape()[2], ci = kt.shape()[3];
    w.resize(static_cast<size_t>(kt.size()));
    for (Index i = 0; i < kh; ++i)
      for (Index j = 0; j < kw; ++j)
        for (Index o = 0; o < co; ++o)
          for (Index q = 0; q < ci; ++q)
            w[((q * co + o) * kh + i) * kw + j] = kt[((i * kw + j) * co + o) * ci + q];
    wdims = {ci, co, kh, kw};
  }
  inputs.push_back(floatInit(n.name + "/kernel", wdims, w));
  const bool separable = c == "SeparableConv2D";
  if (useBias && !separable)
    inputs.push_back(floatInit(n.name + "/bias", {weight(n.name, "bias").size()},
                               weight(n.name, "bias").toVector()));
  const std::string op = c == "Conv2DTranspose" ? "ConvTranspose" : "Conv";
  auto* conv = node(op, inputs, separable ? pre : out, n.name);
  attr(conv, "kernel_shape", k);
  attr(conv, "strides", s);
  if (c == "Conv2DTranspose") {
    std::vector<Index> p(4, 0), op2(2, 0);
    if (same)
      for (size_t i = 0; i < 2; ++i) {
        Index total = std::max<Index>(k[i] - s[i], 0);
        p[i] = total / 2;
        p[i + 2] = total - p[i];
        op2[i] = std::max<Index>(s[i] - k[i], 0);
      }
    attr(conv, "pads", p);
    if (op2[0] || op2[1]) attr(conv, "output_padding", op2);
  } else {
    attr(conv, "dilations", d);
    attr(conv, "pads", pads(in, k, s, d, same));
    attr(conv, "group", group);
  }
  if (separable) {
    const Tensor& pk = weight(n.name, "pointwise_kernel");  // (1, 1, C m, filters)
    std::vector<std::string> pin = {
        pre, floatInit(n.name + "/pointwise_kernel", {pk.shape()[3], pk.shape()[2], 1, 1},
                       relayKernel(pk))};
    if (useBias)
      pin.push_back(floatInit(n.name + "/bias", {weight(n.name, "bias").size()},
                              weight(n.name, "bias").toVector()));
    auto* pw = node("Conv", pin, out, n.name + "/pointwise");
    attr(pw, "kernel_shape", std::vector<Index>{1, 1});
  }
  Val v;
  v.shape = vals_.at(n.name).shape;
  std::string act = cfg.value("activation", std::string("linear"));
  if (act.empty() || act == "linear") {
    v.cf = out;
  } else {
    v.cf = fresh(n.name + "/activation");
    activation(act, out, v.cf, n.name + "/activation", 1);
  }
  vals_[n.name] = v;
}

void Exporter::exportNode(const NodeSpec& n, const json& cfg, const NodeShapes& shapes) {
  const std::string& c = n.className;
  const Shape& outShape = *shapes.output;
  vals_[n.name].shape = outShape;
  auto in = [&](size_t i) { return n.inputs.at(i); };
  auto setKeras = [&](const std::string& t) { vals_[n.name].keras = t; };
  auto setCf = [&](const std::string& t) { vals_[n.name].cf = t; };
  const std::string out = fresh(n.name);
  const Index rank = static_cast<Index>(outShape.size());

  if (identityLayers().count(c)) {
    Val& src = vals_.at(in(0));
    if (!src.keras.empty()) {
      node("Identity", {src.keras}, out, n.name);
      setKeras(out);
    } else {
      node("Identity", {src.cf}, out, n.name);
      setCf(out);
    }
    return;
  }
  if (c == "Dense") {
    const Tensor& k = weight(n.name, "kernel");
    std::string x = keras(in(0));
    std::string kName = floatInit(n.name + "/kernel", k.shape(), k.toVector());
    bool bias = cfg.value("use_bias", true);
    std::string act = cfg.value("activation", std::string("linear"));
    std::string pre = (act.empty() || act == "linear") ? out : fresh(n.name + "/linear");
    if (rank == 2) {
      std::vector<std::string> ins = {x, kName};
      if (bias)
        ins.push_back(
            floatInit(n.name + "/bias", {k.shape()[1]}, weight(n.name, "bias").toVector()));
      node("Gemm", ins, pre, n.name);
    } else {
      std::string mm = bias ? fresh(n.name + "/matmul") : pre;
      node("MatMul", {x, kName}, mm, n.name + "/matmul");
      if (bias)
        node("Add",
             {mm, floatInit(n.name + "/bias", {k.shape()[1]}, weight(n.name, "bias").toVector())},
             pre, n.name + "/bias_add");
    }
    if (pre != out) activation(act, pre, out, n.name + "/activation", -1);
    setKeras(out);
    return;
  }
  if (c == "Activation") {
    std::string act = cfg.value("activation", std::string("linear"));
    Val& src = vals_.at(in(0));
    if (!src.cf.empty() && src.keras.empty()) {
      activation(act, src.cf, out, n.name, 1);
      setCf(out);
    } else {
      activation(act, keras(in(0)), out, n.name, -1);
      setKeras(out);
    }
    return;
  }
  if (c == "Conv1D" || c == "Conv2D" || c == "DepthwiseConv2D" || c == "SeparableConv2D" ||
      c == "Conv2DTranspose") {
    used_.erase(out);
    convolution(n, cfg, shapes.inputs[0], channelsFirst(in(0)));
    return;
  }
  if (c == "MaxPooling1D" || c == "MaxPooling2D" || c == "AveragePooling1D" ||
      c == "AveragePooling2D") {
    const Shape& is = shapes.inputs[0];
    size_t sp = is.size() - 2;
    auto k = intList(cfg.at("pool_size"), sp);
    json st =
        cfg.contains("strides") && !cfg["strides"].is_null() ? cfg["strides"] : cfg["pool_size"];
    auto s = intList(st, sp);
    bool same = cfg.value("padding", std::string("valid")) == "same";
    auto* p = node(c.rfind("Max", 0) == 0 ? "MaxPool" : "AveragePool", {channelsFirst(in(0))}, out,
                   n.name);
    attr(p, "kernel_shape", k);
    attr(p, "strides", s);
    attr(p, "pads", pads(is, k, s, std::vector<Index>(sp, 1), same));
    setCf(out);
    return;
  }
  if (c.rfind("Global", 0) == 0) {  // Global{Average,Max}Pooling{1,2}D
    bool keep = cfg.value("keepdims", false);
    size_t r = shapes.inputs[0].size();
    Val& src = vals_.at(in(0));
    bool cf = !src.cf.empty() && src.keras.empty();
    std::vector<Index> axes;
    for (size_t i = 1; i + 1 < r; ++i) axes.push_back(static_cast<Index>(cf ? i + 1 : i));
    auto* g = node(c.find("Average") != std::string::npos ? "ReduceMean" : "ReduceMax",
                   {cf ? src.cf : src.keras}, out, n.name);
    attr(g, "axes", axes);
    attr(g, "keepdims", static_cast<Index>(keep ? 1 : 0));
    if (keep && cf)
      setCf(out);
    else
      setKeras(out);
    return;
  }
  if (c == "BatchNormalization") {
    const Index ch = outShape.back();
    double eps = cfg.value("epsilon", 1e-3);
    bool center = cfg.value("center", true), scale = cfg.value("scale", true);
    std::vector<float> gamma = scale ? weight(n.name, "gamma").toVector()
                                     : std::vector<float>(static_cast<size_t>(ch), 1.0f);
    std::vector<float> beta = center ? weight(n.name, "beta").toVector()
                                     : std::vector<float>(static_cast<size_t>(ch), 0.0f);
    std::vector<float> mean = weight(n.name, "moving_mean").toVector();
    std::vector<float> var = weight(n.name, "moving_variance").toVector();
    Val& src = vals_.at(in(0));
    bool cf = !src.cf.empty() && src.keras.empty();
    if (rank == 2 || cf) {
      auto* b = node(
          "BatchNormalization",
          {rank == 2 ? keras(in(0)) : src.cf, floatInit(n.name + "/gamma", {ch}, gamma),
           floatInit(n.name + "/beta", {ch}, beta), floatInit(n.name + "/moving_mean", {ch}, mean),
           floatInit(n.name + "/moving_variance", {ch}, var)},
          out, n.name);
      attr(b, "epsilon", static_cast<float>(eps));
      if (rank == 2)
        setKeras(out);
      else
        setCf(out);
    } else {  // y = x a + b along the last axis: a = gamma / sqrt(var + eps), b = beta - mean a
      std::vector<float> a(static_cast<size_t>(ch)), bb(static_cast<size_t>(ch));
      for (size_t i = 0; i < a.size(); ++i) {
        a[i] = static_cast<float>(gamma[i] / std::sqrt(double(var[i]) + eps));
        bb[i] = beta[i] - mean[i] * a[i];
      }
      std::string m = fresh(n.name + "/scaled");
      node("Mul", {src.keras, floatInit(n.name + "/scale", {ch}, a)}, m, n.name + "/scale");
      node("Add", {m, floatInit(n.name + "/shift", {ch}, bb)}, out, n.name);
      setKeras(out);
    }
    return;
  }
  if (c == "LayerNormalization") {
    std::string x = keras(in(0));
    const Index ch = outShape.back();
    double eps = cfg.value("epsilon", 1e-3);
    std::string mean = fresh(n.name + "/mean"), d = fresh(n.name + "/centered"),
                sq = fresh(n.name + "/squared"), var = fresh(n.name + "/variance"),
                ve = fresh(n.name + "/variance_eps"), sd = fresh(n.name + "/std"),
                y = fresh(n.name + "/normalized");
    auto* m1 = node("ReduceMean", {x}, mean, n.name + "/mean");
    attr(m1, "axes", std::vector<Index>{-1});
    node("Sub", {x, mean}, d, n.name + "/centered");
    node("Mul", {d, d}, sq, n.name + "/squared");
    auto* m2 = node("ReduceMean", {sq}, var, n.name + "/variance");
    attr(m2, "axes", std::vector<Index>{-1});
    node("Add", {var, scalar(n.name + "/epsilon", static_cast<float>(eps))}, ve,
         n.name + "/variance_eps");
    node("Sqrt", {ve}, sd, n.name + "/std");
    bool scale = cfg.value("scale", true), center = cfg.value("center", true);
    std::string cur = y;
    node("Div", {d, sd}, (scale || center) ? y : out, n.name + "/normalized");
    if (scale) {
      std::string next = center ? fresh(n.name + "/scaled") : out;
      node("Mul", {cur, floatInit(n.name + "/gamma", {ch}, weight(n.name, "gamma").toVector())},
           next, n.name + "/gamma");
      cur = next;
    }
    if (center)
      node("Add", {cur, floatInit(n.name + "/beta", {ch}, weight(n.name, "beta").toVector())}, out,
           n.name + "/beta");
    setKeras(out);
    return;
  }
  if (c == "Flatten") {
    attr(node("Flatten", {keras(in(0))}, out, n.name), "axis", Index{1});
    setKeras(out);
    return;
  }
  if (c == "Reshape") {
    std::vector<Index> target = {0};
    for (size_t i = 1; i < outShape.size(); ++i) target.push_back(outShape[i]);
    node("Reshape", {keras(in(0)), intInit(n.name + "/shape", target)}, out, n.name);
    setKeras(out);
    return;
  }
  if (c == "Concatenate") {
    std::vector<std::string> ins;
    for (size_t i = 0; i < n.inputs.size(); ++i) ins.push_back(keras(in(i)));
    attr(node("Concat", ins, out, n.name), "axis", static_cast<Index>(cfg.value("axis", -1)));
    setKeras(out);
    return;
  }
  if (c == "Add" || c == "Subtract" || c == "Multiply" || c == "Average" || c == "Maximum" ||
      c == "Minimum") {
    std::vector<std::string> ins;
    for (size_t i = 0; i < n.inputs.size(); ++i) ins.push_back(keras(in(i)));
    if (c == "Subtract") {
      node("Sub", ins, out, n.name);
    } else if (c == "Average" || c == "Maximum" || c == "Minimum") {
      node(c == "Average" ? "Mean" : c == "Maximum" ? "Max" : "Min", ins, out, n.name);
    } else {
      const char* op = c == "Add" ? "Add" : "Mul";
      std::string acc = ins[0];
      for (size_t i = 1; i < ins.size(); ++i) {
        std::string next = i + 1 == ins.size() ? out : fresh(n.name + "/partial");
        node(op, {acc, ins[i]}, next, n.name);
        acc = next;
      }
      if (ins.size() == 1) node("Identity", {acc}, out, n.name);
    }
    setKeras(out);
    return;
  }
  if (c == "Rescaling") {
    std::string m = fresh(n.name + "/scaled");
    node("Mul", {keras(in(0)), scalar(n.name + "/scale", cfg.value("scale", 1.0f))}, m,
         n.name + "/scale");
    node("Add", {m, scalar(n.name + "/offset", cfg.value("offset", 0.0f))}, out, n.name);
    setKeras(out);
    return;
  }
  if (c == "Normalization") {
    std::vector<float> mean, var;
    if (hasWeight(n.name, "mean") && hasWeight(n.name, "variance")) {
      mean = weight(n.name, "mean").toVector();
      var = weight(n.name, "variance").toVector();
    } else {
      auto list = [](const json& v) {
        std::vector<float> o;
        if (v.is_number()) o.push_back(v.get<float>());
        if (v.is_array())
          for (const auto& e : v) o.push_back(e.get<float>());
        return o;
      };
      mean = list(cfg.value("mean", json()));
      var = list(cfg.value("variance", json()));
    }
    if (mean.empty() || mean.size() != var.size())
      throw Error("ONNX export: Normalization '" + n.name + "' has no mean/variance");
    Index k = static_cast<Index>(mean.size());
    std::vector<float> inv(var.size());
    for (size_t i = 0; i < var.size(); ++i)
      inv[i] = 1.0f / std::max(std::sqrt(var[i]), 1e-7f);  // Keras: sqrt(var) floored at epsilon
    std::string d = fresh(n.name + "/centered");
    Shape dims = {k};
    if (k == 1) dims = {};
    if (cfg.value("invert", false)) {  // x * std + mean
      std::vector<float> sd(var.size());
      for (size_t i = 0; i < var.size(); ++i) sd[i] = 1.0f / inv[i];
      node("Mul", {keras(in(0)), floatInit(n.name + "/std", dims, sd)}, d, n.name + "/std");
      node("Add", {d, floatInit(n.name + "/mean", dims, mean)}, out, n.name);
    } else {
      node("Sub", {keras(in(0)), floatInit(n.name + "/mean", dims, mean)}, d, n.name + "/mean");
      node("Mul", {d, floatInit(n.name + "/inv_std", dims, inv)}, out, n.name);
    }
    setKeras(out);
    return;
  }
  if (c == "ZeroPadding2D") {
    const auto [t, b, l, r] = sides2D(cfg.value("padding", json(1)));
    node("Pad", {keras(in(0)), intInit(n.name + "/pads", {0, t, l, 0, 0, b, r, 0})}, out, n.name);
    setKeras(out);
    return;
  }
  if (c == "Cropping2D") {
    const auto [t, b, l, r] = sides2D(cfg.value("cropping", json(0)));
    const Index big = std::numeric_limits<Index>::max();
    node("Slice",
         {keras(in(0)), intInit(n.name + "/starts", {t, l}),
          intInit(n.name + "/ends", {b ? -b : big, r ? -r : big}),
          intInit(n.name + "/axes", {1, 2})},
         out, n.name);
    setKeras(out);
    return;
  }
  if (c == "UpSampling2D") {
    auto size = intList(cfg.value("size", json(2)), 2);
    bool nearest = cfg.value("interpolation", std::string("nearest")) == "nearest";
    auto* u =
        node("Resize",
             {keras(in(0)), "",
              floatInit(n.name + "/scales", {4}, {1.0f, float(size[0]), float(size[1]), 1.0f})},
             out, n.name);
    attr(u, "mode", std::string(nearest ? "nearest" : "linear"));
    attr(u, "coordinate_transformation_mode", std::string(nearest ? "asymmetric" : "half_pixel"));
    if (nearest) attr(u, "nearest_mode", std::string("floor"));
    setKeras(out);
    return;
  }
  throw Error("ONNX export: no ONNX export for " + c + " ('" + n.name + "')");
}

void addValueInfo(onnxpb::ValueInfoProto* vi, const std::string& name, const Shape& shape) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnxpb::TensorProto::FLOAT);
  auto* sh = tt->mutable_shape();
  for (size_t i = 0; i < shape.size(); ++i) {
    auto* d = sh->add_dim();
    if (shape[i] == kNone)
      d->set_dim_param(i == 0 ? std::string("N") : std::string("d").append(std::to_string(i)));
    else
      d->set_dim_value(shape[i]);
  }
}

std::string Exporter::run() {
  auto missing = onnxUnsupportedLayers(spec_);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : "; ") + m;
    throw Error("ONNX export: " + std::to_string(missing.size()) +
                (missing.size() == 1 ? " layer has" : " layers have") + " no ONNX form: " + list);
  }
  ShapeReport report = inferShapes(spec_);
  if (!report.ok()) throw report.errors.front();
  onnxpb::ModelProto model;
  model.set_ir_version(7);  // IR version of opset 13 (ONNX 1.8)
  model.set_producer_name("Tessel Studio");
  model.set_producer_version(TESSEL_VERSION);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  graph_ = model.mutable_graph();
  graph_->set_name(spec_.name);
  const LayerRegistry& registry = LayerRegistry::instance();
  // Graph inputs and outputs keep the Keras names; reserve them.
  for (const auto& o : spec_.outputs) used_.insert(o);
  // Graph inputs in the model's input order.
  for (const auto& i : spec_.inputs) {
    used_.insert(i);
    vals_[i] = Val{i, "", *report.find(i)->output};
    addValueInfo(graph_->add_input(), i, *report.find(i)->output);
  }
  for (const auto& name : topologicalOrder(spec_)) {
    const NodeSpec& n = *spec_.find(name);
    const NodeShapes* shapes = report.find(name);
    if (n.className == "InputLayer") {
      if (!vals_.count(n.name))
        throw Error("ONNX export: input layer '" + n.name + "' is not a model input");
      continue;
    }
    json cfg = registry.completeConfig(n.className, n.config, n.name);
    bool isOutput =
        std::find(spec_.outputs.begin(), spec_.outputs.end(), n.name) != spec_.outputs.end();
    if (isOutput) used_.erase(n.name);
    exportNode(n, cfg, *shapes);
  }
  // Outputs: the Keras-layout tensor named exactly like the output layer.
  for (const auto& o : spec_.outputs) {
    std::string t = keras(o);
    if (t != o) node("Identity", {t}, o, o + "/output");
    addValueInfo(graph_->add_output(), o, *report.find(o)->output);
  }
  return model.SerializeAsString();
}

}  // namespace

std::vector<std::string> onnxUnsupportedLayers(const ModelSpec& spec) {
  std::vector<std::string> out;
  ShapeReport report = inferShapes(spec);
  const LayerRegistry& registry = LayerRegistry::instance();
  for (const auto& n : spec.nodes) {
    json cfg = n.config;
    try {
      if (registry.find(n.className)) cfg = registry.completeConfig(n.className, n.config, n.name);
    } catch (const std::exception&) {
    }
    std::string why = unsupportedReason(n, cfg, report.find(n.name));
    if (!why.empty()) out.push_back("'" + n.name + "' (" + n.className + "): " + why);
  }
  return out;
}

std::string onnxModelBytes(const ModelSpec& spec, const NamedWeights& weights) {
  return Exporter(spec, weights).run();
}

void writeOnnxModel(const std::string& path, const ModelSpec& spec, const NamedWeights& weights) {
  std::string bytes = onnxModelBytes(spec, weights);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write '" + path + "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw Error("cannot write '" + path + "'");
}

}  // namespace tessel
