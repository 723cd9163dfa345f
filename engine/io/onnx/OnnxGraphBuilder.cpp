#include "engine/io/onnx/OnnxGraphBuilder.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"

namespace tessel {

std::string onnxTensorKey(const std::string& node, int k) {
  return k == 0 ? node : node + ":" + std::to_string(k);
}

std::string OnnxNode::input(size_t i) const {
  return onnxTensorKey(spec.inputs.at(i), spec.inputTensor(i));
}

std::string OnnxNode::output(size_t k) const {
  return onnxTensorKey(spec.name, int(k));
}

std::vector<Index> onnxIntList(const json& v, size_t n) {
  std::vector<Index> out;
  if (v.is_number_integer()) return std::vector<Index>(n, v.get<Index>());
  if (v.is_array())
    for (const auto& e : v) out.push_back(e.get<Index>());
  if (out.size() == 1 && n > 1) out.assign(n, out[0]);
  return out;
}

std::string onnxActivationError(const json& activation) {
  static const std::set<std::string> names = {"linear", "relu",    "relu6",        "selu",
                                              "elu",    "sigmoid", "hard_sigmoid", "hardSigmoid",
                                              "tanh",   "softmax", "softplus",     "softsign",
                                              "swish",  "silu",    "gelu",         "exponential"};
  if (!activation.is_string()) return {};
  const std::string a = activation;
  return names.count(a) ? "" : "activation '" + a + "' has no ONNX form here";
}

OnnxGraphBuilder::OnnxGraphBuilder(onnx::GraphProto* graph, const NamedWeights& weights)
    : graph_(graph) {
  for (const auto& [name, t] : weights) weights_[name] = &t;
}

const Tensor& OnnxGraphBuilder::weight(const std::string& node, const std::string& var) const {
  auto it = weights_.find(node + "/" + var);
  if (it == weights_.end())
    throw Error("ONNX export: weight '" + node + "/" + var + "' is missing");
  return *it->second;
}

bool OnnxGraphBuilder::hasWeight(const std::string& node, const std::string& var) const {
  return weights_.count(node + "/" + var) > 0;
}

std::string OnnxGraphBuilder::fresh(const std::string& base) {
  std::string n = base;
  for (int i = 1; used_.count(n); ++i) n = base + "_" + std::to_string(i);
  used_.insert(n);
  return n;
}

onnx::NodeProto* OnnxGraphBuilder::node(const std::string& op, const std::vector<std::string>& in,
                                        const std::string& out, const std::string& nodeName) {
  auto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(fresh(nodeName));
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void OnnxGraphBuilder::attr(onnx::NodeProto* n, const char* name, std::int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void OnnxGraphBuilder::attr(onnx::NodeProto* n, const char* name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void OnnxGraphBuilder::attr(onnx::NodeProto* n, const char* name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

void OnnxGraphBuilder::attr(onnx::NodeProto* n, const char* name, const std::vector<Index>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (Index x : v) a->add_ints(x);
}

std::string OnnxGraphBuilder::floatInit(const std::string& base, const Shape& dims,
                                        const std::vector<float>& v) {
  std::string name = fresh(base);
  auto* t = graph_->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (Index d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
  return name;
}

std::string OnnxGraphBuilder::intInit(const std::string& base, const std::vector<Index>& v) {
  std::string name = fresh(base);
  auto* t = graph_->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<Index>(v.size()));
  for (Index x : v) t->add_int64_data(x);
  return name;
}

std::string OnnxGraphBuilder::keras(const std::string& n) {
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

std::string OnnxGraphBuilder::channelsFirst(const std::string& n) {
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

bool OnnxGraphBuilder::onlyChannelsFirst(const std::string& n) const {
  const Val& v = vals_.at(n);
  return !v.cf.empty() && v.keras.empty();
}

std::string OnnxGraphBuilder::activation(const std::string& act, const std::string& x,
                                         const std::string& out, const std::string& base,
                                         Index axis) {
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

std::vector<Index> OnnxGraphBuilder::pads(const Shape& in, const std::vector<Index>& k,
                                          const std::vector<Index>& s, const std::vector<Index>& d,
                                          bool same) {
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

}  // namespace tessel
