// The ONNX operators the importer reads (engine/io/OnnxImport.h lists what each becomes): Gemm,
// MatMul, activations and elementwise arithmetic here; Concat, Flatten, Reshape, Transpose,
// Identity, Dropout, Constant and shape arithmetic in ImportShapeOps.cpp; the convolution and
// pooling family in ImportConvOps.cpp.
#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/io/onnx/ImportGraph.h"
#include "engine/io/onnx/ImportOps.h"

namespace tessel::onnximport {

namespace {

using Node = onnx::NodeProto;

bool linearActivation(const NodeSpec& l) {
  static const std::set<std::string> hasActivation = {"Dense", "Conv1D", "Conv2D",
                                                      "DepthwiseConv2D"};
  if (!hasActivation.count(l.className)) return false;
  auto it = l.config.find("activation");
  return it == l.config.end() || *it == "linear";
}

// ---- Gemm, MatMul ----------------------------------------------------------------------------

// Dense from x (N, K) and the ONNX weight B: kernel row for ONNX row k is flatPerm[k].
void denseFrom(ImportGraph& g, const Node& n, const Value& x, const Value& b, bool transB,
               double alpha, const Value* c, double beta) {
  if (b.dims.size() != 2) ImportGraph::fail(n, "the weight must be a matrix");
  const Index k = transB ? b.dims[1] : b.dims[0], m = transB ? b.dims[0] : b.dims[1];
  const Shape xs = g.kerasShape(x.node);
  if (xs.back() != kNone && xs.back() != k)
    ImportGraph::fail(n, "the weight has " + std::to_string(k) + " rows, the input " +
                             std::to_string(xs.back()) + " features");
  if (!x.flatPerm.empty() && static_cast<Index>(x.flatPerm.size()) != k)
    ImportGraph::fail(n, "the flattened input does not match the weight");
  Tensor kernel({k, m});
  for (Index r = 0; r < k; ++r) {
    const Index row = x.flatPerm.empty() ? r : x.flatPerm[static_cast<size_t>(r)];
    for (Index j = 0; j < m; ++j)
      kernel[row * m + j] =
          static_cast<float>(alpha * b.data[static_cast<size_t>(transB ? j * k + r : r * m + j)]);
  }
  json cfg = {{"units", m}, {"activation", "linear"}, {"use_bias", c != nullptr}};
  std::string l = g.addLayer("Dense", g.nameFor(n, "dense"), cfg, {x.node});
  g.setWeight(l, "kernel", std::move(kernel));
  if (c) {
    const Index cs = static_cast<Index>(c->data.size());
    if (cs != m && cs != 1) ImportGraph::fail(n, "the bias has " + std::to_string(cs) + " values");
    Tensor bias({m});
    for (Index j = 0; j < m; ++j)
      bias[j] = static_cast<float>(beta * c->data[static_cast<size_t>(cs == 1 ? 0 : j)]);
    g.setWeight(l, "bias", std::move(bias));
  }
  Value out;
  out.node = l;
  g.setOut(n, out);
}

void gemm(ImportGraph& g, const Node& n) {
  const Value& a = g.tensorIn(n, 0);
  if (g.rank(a) != 2) ImportGraph::fail(n, "the input must be a matrix (N, features)");
  if (ImportGraph::intAttr(n, "transA", 0)) ImportGraph::fail(n, "transA is not supported");
  const Value& b = g.constIn(n, 1);
  const Value* c = g.hasIn(n, 2) ? &g.constIn(n, 2) : nullptr;
  denseFrom(g, n, a, b, ImportGraph::intAttr(n, "transB", 0) != 0,
            ImportGraph::floatAttr(n, "alpha", 1.0f), c, ImportGraph::floatAttr(n, "beta", 1.0f));
}

void matMul(ImportGraph& g, const Node& n) {
  const Value& a = g.tensorIn(n, 0);
  if (g.rank(a) >= 3 && a.layout == Layout::ChannelsFirst)
    ImportGraph::fail(n, "the input is channels-first (a MatMul over NCHW channels)");
  denseFrom(g, n, a, g.constIn(n, 1), false, 1.0, nullptr, 1.0);
}

// ---- activations -----------------------------------------------------------------------------

void activationTo(ImportGraph& g, const Node& n, const std::string& act) {
  const Value& x = g.tensorIn(n, 0);
  if (g.foldable(n, 0) && linearActivation(g.layer(x.node))) {
    g.layer(x.node).config["activation"] = act;
    g.setFoldedOut(n, 0, tensorValue(x.node, x));
    return;
  }
  std::string l =
      g.addLayer("Activation", g.nameFor(n, "activation"), {{"activation", act}}, {x.node});
  g.setOut(n, tensorValue(l, x));
}

OpHandler activation(const char* act) {
  return [act](ImportGraph& g, const Node& n) { activationTo(g, n, act); };
}

bool near(double a, double b) {
  return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b));
}

void elu(ImportGraph& g, const Node& n) {
  if (!near(ImportGraph::floatAttr(n, "alpha", 1.0f), 1.0))
    ImportGraph::fail(n, "alpha other than 1 (Keras's elu activation has alpha 1)");
  activationTo(g, n, "elu");
}

void selu(ImportGraph& g, const Node& n) {
  if (!near(ImportGraph::floatAttr(n, "alpha", 1.67326319217681884765625f), 1.6732632423543772) ||
      !near(ImportGraph::floatAttr(n, "gamma", 1.05070102214813232421875f), 1.0507009873554805))
    ImportGraph::fail(n, "alpha / gamma other than SELU's constants");
  activationTo(g, n, "selu");
}

void hardSigmoid(ImportGraph& g, const Node& n) {
  if (!near(ImportGraph::floatAttr(n, "alpha", 0.2f), 0.2) ||
      !near(ImportGraph::floatAttr(n, "beta", 0.5f), 0.5))
    ImportGraph::fail(n, "only alpha 0.2, beta 0.5 (Keras 2's hard_sigmoid) is imported");
  activationTo(g, n, "hard_sigmoid");
}

// Clip(0, 6) is relu6, Clip(0, +inf) relu: bounds from attributes (opset < 11) or inputs.
void clip(ImportGraph& g, const Node& n) {
  double lo = -INFINITY, hi = INFINITY;
  if (g.opset() < 11) {
    lo = ImportGraph::floatAttr(n, "min", -INFINITY);
    hi = ImportGraph::floatAttr(n, "max", INFINITY);
  } else {
    for (int i : {1, 2}) {
      if (!g.hasIn(n, i)) continue;
      if (g.constIn(n, i).data.size() != 1) ImportGraph::fail(n, "a bound that is not a scalar");
      (i == 1 ? lo : hi) = g.constIn(n, i).data[0];
    }
  }
  if (lo == 0 && hi == 6)
    activationTo(g, n, "relu6");
  else if (lo == 0 && std::isinf(hi))
    activationTo(g, n, "relu");
  else
    ImportGraph::fail(n, "only Clip(0, 6) (relu6) and Clip(0) (relu) are imported");
}

// Tessel has no LeakyReLU layer: max(x, alpha x) (min for alpha > 1) is the same function,
// written with the layers it has: Maximum(x, Rescaling(alpha)(x)).
void leakyRelu(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  const double alpha = ImportGraph::floatAttr(n, "alpha", 0.01f);
  if (!(alpha >= 0) || !std::isfinite(alpha)) ImportGraph::fail(n, "alpha must be >= 0");
  const std::string base = g.nameFor(n, "leaky_relu");
  std::string scaled =
      g.addLayer("Rescaling", base + "_slope", {{"scale", alpha}, {"offset", 0.0}}, {x.node});
  std::string l =
      g.addLayer(alpha <= 1 ? "Maximum" : "Minimum", base, json::object(), {x.node, scaled});
  g.setOut(n, tensorValue(l, x));
}

void softmax(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  const Index r = static_cast<Index>(g.rank(x));
  Index axis = ImportGraph::intAttr(n, "axis", g.opset() < 13 ? 1 : -1);
  if (axis < 0) axis += r;
  const Index channels = x.layout == Layout::ChannelsFirst && r >= 3 ? 1 : r - 1;
  // Before opset 13 Softmax flattens the axes from `axis` on: the same only for the last one.
  if (axis != channels || (g.opset() < 13 && axis != r - 1))
    ImportGraph::fail(
        n, "softmax over axis " + std::to_string(axis) + " (Keras's is over the channels axis)");
  activationTo(g, n, "softmax");
}

// ---- elementwise arithmetic ------------------------------------------------------------------

// A constant applied per channel of x: its values in Keras channel order (one value: a scalar).
std::vector<double> perChannel(ImportGraph& g, const Node& n, const Value& x, const Value& c) {
  if (c.data.size() == 1) return c.data;
  Shape d = c.dims;
  while (!d.empty() && d.front() == 1) d.erase(d.begin());
  const Shape xs = g.kerasShape(x.node);
  const Index ch = xs.back();
  bool ok = false;
  if (x.layout == Layout::ChannelsFirst && xs.size() >= 3) {
    ok = !d.empty() && d[0] == ch && d.size() <= xs.size() - 1;
    for (size_t i = 1; ok && i < d.size(); ++i) ok = d[i] == 1;
  } else {
    ok = d.size() == 1 && d[0] == ch;
  }
  if (!ok)
    ImportGraph::fail(n, "a constant of " + std::to_string(c.data.size()) +
                             " values that is neither a scalar nor one value per channel");
  if (x.flatPerm.empty()) return c.data;
  std::vector<double> v(c.data.size());
  for (size_t j = 0; j < v.size(); ++j) v[static_cast<size_t>(x.flatPerm[j])] = c.data[j];
  return v;
}

// x * a + b with a, b scalars or per channel, folded into x's layer where that is exact.
void affine(ImportGraph& g, const Node& n, int xi, const std::vector<double>& a,
            const std::vector<double>& b) {
  const Value& x = g.value(n.input(xi));
  const bool scalar = a.size() <= 1 && b.size() <= 1;
  const auto at = [](const std::vector<double>& v, Index i, double def) {
    return v.empty() ? def : v[v.size() == 1 ? 0 : static_cast<size_t>(i)];
  };
  if (g.foldable(n, xi)) {
    NodeSpec& l = g.layer(x.node);
    // A bias added to a linear Dense / Conv.
    if (a.empty() && linearActivation(l)) {
      const Index ch = g.kerasShape(x.node).back();
      if (!g.hasWeight(l.name, "bias")) g.setWeight(l.name, "bias", Tensor({ch}, 0.0f));
      Tensor& bias = g.weight(l.name, "bias");
      for (Index i = 0; i < ch; ++i) bias[i] += static_cast<float>(at(b, i, 0));
      l.config["use_bias"] = true;
      g.setFoldedOut(n, xi, tensorValue(l.name, x));
      return;
    }
    // A BatchNormalization: y = gamma * xhat + beta, so a * y + b scales gamma and beta.
    if (l.className == "BatchNormalization" && g.hasWeight(l.name, "gamma") &&
        g.hasWeight(l.name, "beta")) {
      Tensor& gamma = g.weight(l.name, "gamma");
      Tensor& beta = g.weight(l.name, "beta");
      for (Index i = 0; i < gamma.size(); ++i) {
        gamma[i] = static_cast<float>(gamma[i] * at(a, i, 1));
        beta[i] = static_cast<float>(beta[i] * at(a, i, 1) + at(b, i, 0));
      }
      g.setFoldedOut(n, xi, tensorValue(l.name, x));
      return;
    }
    if (l.className == "Rescaling" && scalar) {
      const double s = l.config.value("scale", 1.0), o = l.config.value("offset", 0.0);
      l.config["scale"] = s * at(a, 0, 1);
      l.config["offset"] = o * at(a, 0, 1) + at(b, 0, 0);
      g.setFoldedOut(n, xi, tensorValue(l.name, x));
      return;
    }
  }
  if (scalar) {
    std::string l = g.addLayer("Rescaling", g.nameFor(n, "rescaling"),
                               {{"scale", at(a, 0, 1)}, {"offset", at(b, 0, 0)}}, {x.node});
    g.setOut(n, tensorValue(l, x));
    return;
  }
  // Per channel: a BatchNormalization with mean 0 and variance 1 - epsilon (so that
  // sqrt(variance + epsilon) is 1) holds gamma = a and beta = b exactly.
  const Index ch = g.kerasShape(x.node).back();
  const double eps = 1e-3;
  json cfg = {
      {"axis", -1}, {"momentum", 0.99}, {"epsilon", eps}, {"center", true}, {"scale", true}};
  std::string l =
      g.addLayer("BatchNormalization", g.nameFor(n, "batch_normalization"), cfg, {x.node});
  Tensor gamma({ch}), beta({ch});
  for (Index i = 0; i < ch; ++i) {
    gamma[i] = static_cast<float>(at(a, i, 1));
    beta[i] = static_cast<float>(at(b, i, 0));
  }
  g.setWeight(l, "gamma", std::move(gamma));
  g.setWeight(l, "beta", std::move(beta));
  g.setWeight(l, "moving_mean", Tensor({ch}, 0.0f));
  g.setWeight(l, "moving_variance", Tensor({ch}, static_cast<float>(1.0 - eps)));
  g.setOut(n, tensorValue(l, x));
}

// A Keras merge layer of tensor inputs (same layout); Add / Multiply of an Add / Multiply with
// no other consumer takes one more input, as Keras's layers do.
void merge(ImportGraph& g, const Node& n, const std::string& cls, const std::string& base) {
  std::vector<const Value*> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(&g.tensorIn(n, i));
  if (ins.empty()) ImportGraph::fail(n, "has no inputs");
  for (const Value* v : ins) {
    if (g.rank(*v) >= 3 && v->layout != ins[0]->layout)
      ImportGraph::fail(n, "mixes channels-first and channels-last tensors");
    if (v->flatPerm != ins[0]->flatPerm)
      ImportGraph::fail(n, "mixes flattened channels-first and channels-last tensors");
  }
  if (ins.size() == 2 && (cls == "Add" || cls == "Multiply") && g.foldable(n, 0) &&
      g.layer(ins[0]->node).className == cls) {
    g.layer(ins[0]->node).inputs.push_back(ins[1]->node);
    g.renameLayer(ins[0]->node, g.nameFor(n, base));  // "sum_partial" -> "sum"
    g.setFoldedOut(n, 0, tensorValue(ins[0]->node, *ins[0]));
    return;
  }
  std::vector<std::string> names;
  for (const Value* v : ins) names.push_back(v->node);
  std::string l = g.addLayer(cls, g.nameFor(n, base), json::object(), names);
  g.setOut(n, tensorValue(l, *ins[0]));
}

void binary(ImportGraph& g, const Node& n, const std::string& op) {
  const Value& a = g.in(n, 0);
  const Value& b = g.in(n, 1);
  if (a.isConst && b.isConst) ImportGraph::fail(n, "both inputs are constants");
  if (!a.isConst && !b.isConst) {
    if (op == "Add") merge(g, n, "Add", "add");
    if (op == "Mul") merge(g, n, "Multiply", "multiply");
    if (op == "Sub") merge(g, n, "Subtract", "subtract");
    return;
  }
  const int xi = a.isConst ? 1 : 0;
  const Value& x = xi ? b : a;
  std::vector<double> c = perChannel(g, n, x, xi ? a : b);
  if (op == "Sub") {
    if (xi == 1) ImportGraph::fail(n, "a constant minus a tensor is not supported");
    for (double& v : c) v = -v;
  }
  if (op == "Mul")
    affine(g, n, xi, c, {});
  else
    affine(g, n, xi, {}, c);
}

}  // namespace

const std::map<std::string, OpHandler>& importOps() {
  static const std::map<std::string, OpHandler> ops = [] {
    std::map<std::string, OpHandler> m = {
        {"Gemm", gemm},
        {"MatMul", matMul},
        {"Relu", activation("relu")},
        {"Sigmoid", activation("sigmoid")},
        {"Tanh", activation("tanh")},
        {"Softplus", activation("softplus")},
        {"Softsign", activation("softsign")},
        {"Exp", activation("exponential")},
        {"Elu", elu},
        {"Selu", selu},
        {"HardSigmoid", hardSigmoid},
        {"Clip", clip},
        {"Softmax", softmax},
        {"LeakyRelu", leakyRelu},
        {"Add", [](ImportGraph& g, const Node& n) { binary(g, n, "Add"); }},
        {"Mul", [](ImportGraph& g, const Node& n) { binary(g, n, "Mul"); }},
        {"Sub", [](ImportGraph& g, const Node& n) { binary(g, n, "Sub"); }},
        {"Mean", [](ImportGraph& g, const Node& n) { merge(g, n, "Average", "average"); }},
        {"Max", [](ImportGraph& g, const Node& n) { merge(g, n, "Maximum", "maximum"); }},
        {"Min", [](ImportGraph& g, const Node& n) { merge(g, n, "Minimum", "minimum"); }},
    };
    addConvOps(m);
    addShapeOps(m);
    addRecurrentOps(m);
    return m;
  }();
  return ops;
}

}  // namespace tessel::onnximport
