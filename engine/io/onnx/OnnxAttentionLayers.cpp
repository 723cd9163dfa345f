// ONNX hooks of the sequence-reshaping and attention layers (opset 13): RepeatVector (Reshape +
// Tile), Permute (Transpose), TimeDistributed (the wrapped layer's own hook on the time steps
// folded into the batch; Dense directly on the last axis), Attention (dot and concat scores),
// AdditiveAttention and
// MultiHeadAttention (MatMul / Softmax per head after Reshape + Transpose). Inference only:
// attention dropout is the identity.
#include <cmath>

#include "engine/core/Error.h"
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel::onnxexport {

namespace {

bool causalConfig(const json& c) {
  return c.value("use_causal_mask", false) || c.value("causal", false);
}

// A (tq, tv) additive mask: 0 where j <= i, -1e9 above the diagonal (Keras's causal mask).
std::string causalMask(OnnxGraphBuilder& b, const std::string& base, Index tq, Index tv) {
  std::vector<float> m(size_t(tq * tv), 0.0f);
  for (Index i = 0; i < tq; ++i)
    for (Index j = i + 1; j < tv; ++j) m[size_t(i * tv + j)] = -1e9f;
  return b.floatInit(base, {tq, tv}, m);
}

// The wrapped layer's completed config (TimeDistributed's 'layer').
std::pair<std::string, json> innerLayer(const OnnxNode& n) {
  const json& l = n.config.at("layer");
  const std::string cls = l.at("class_name").get<std::string>();
  json cfg =
      LayerRegistry::instance().completeConfig(cls, l.value("config", json::object()), n.name());
  return {cls, cfg};
}

}  // namespace

// x (N, F) -> Reshape (N, 1, F) -> Tile [1, n, 1] -> (N, n, F).
void repeatVector(OnnxGraphBuilder& b, const OnnxNode& n) {
  const Index f = n.inputShape(0).back();
  const Index reps = n.config.at("n").get<Index>();
  const std::string r = b.fresh(n.name() + "/expand_dims");
  b.node("Reshape", {b.keras(n.input(0)), b.intInit(n.name() + "/shape", {0, 1, f})}, r,
         n.name() + "/reshape");
  b.node("Tile", {r, b.intInit(n.name() + "/repeats", {1, reps, 1})}, n.out, n.name());
  b.setKeras(n.name(), n.out);
}

void permute(OnnxGraphBuilder& b, const OnnxNode& n) {
  std::vector<Index> perm = {0};
  for (const json& d : n.config.at("dims")) perm.push_back(d.get<Index>());
  auto* t = b.node("Transpose", {b.keras(n.input(0))}, n.out, n.name());
  OnnxGraphBuilder::attr(t, "perm", perm);
  b.setKeras(n.name(), n.out);
}

std::string timeDistributedUnsupported(const OnnxNode& n) {
  const json& l = n.config.at("layer");
  if (!l.is_object() || !l.contains("class_name")) return "TimeDistributed has no wrapped layer";
  const std::string cls = l.at("class_name").get<std::string>();
  const LayerInfo* info = LayerRegistry::instance().find(cls);
  if (!info) return "TimeDistributed wraps an unknown layer " + cls;
  if (!info->onnx.write)
    return "TimeDistributed wraps " + cls + ", which has no ONNX export" +
           (info->onnx.notExpressible.empty() ? "" : " (" + info->onnx.notExpressible + ")");
  if (cls != "Dense" && n.shapes && !n.shapes->inputs.empty() && n.shapes->inputs[0].size() > 1 &&
      n.shapes->inputs[0][1] == kNone)
    return "TimeDistributed(" + cls + ") needs a known number of time steps for ONNX";
  return "";
}

// Dense: MatMul on the last axis of (N, T, ...), as Dense itself on rank > 2. Any other layer:
// Reshape (N, T, ...) -> (N*T, ...), the layer's own hook, Reshape back to (N, T, ...').
void timeDistributed(OnnxGraphBuilder& b, const OnnxNode& n) {
  const auto [cls, cfg] = innerLayer(n);
  const LayerInfo* info = LayerRegistry::instance().find(cls);
  if (cls == "Dense") {
    OnnxNode inner{n.spec, info->className, cfg, n.shapes, n.out};
    dense(b, inner);
    return;
  }
  const Shape& in = n.inputShape(0);
  const Shape& out = n.outputShape();
  // The folded input as a tensor of its own (a pseudo node "<name>/folded").
  const std::string foldedNode = n.name() + "/folded";
  const std::string folded = b.fresh(foldedNode);
  std::vector<Index> foldShape = {-1};
  for (size_t i = 2; i < in.size(); ++i) foldShape.push_back(in[i]);
  b.node("Reshape", {b.keras(n.input(0)), b.intInit(n.name() + "/fold_shape", foldShape)}, folded,
         n.name() + "/fold");
  Shape foldedShape = {kNone};
  foldedShape.insert(foldedShape.end(), in.begin() + 2, in.end());
  b.declareInput(folded, foldedShape);
  NodeSpec spec = n.spec;
  spec.inputs = {folded};
  NodeShapes shapes;
  shapes.inputs = {foldedShape};
  Shape innerOut = {kNone};
  innerOut.insert(innerOut.end(), out.begin() + 2, out.end());
  shapes.output = innerOut;
  const std::string innerTensor = b.fresh(n.name() + "/inner");
  OnnxNode inner{spec, info->className, cfg, &shapes, innerTensor};
  b.declare(n.name(), innerOut);  // the layout conversions of the inner output use this shape
  info->onnx.write(b, inner);
  const std::string y = b.keras(n.name());  // the inner hook recorded the node's output
  std::vector<Index> unfold = {-1, in[1]};
  for (size_t i = 2; i < out.size(); ++i) unfold.push_back(out[i]);
  b.node("Reshape", {y, b.intInit(n.name() + "/unfold_shape", unfold)}, n.out,
         n.name() + "/unfold");
  b.setChannelsFirst(n.name(), "");
  b.declare(n.name(), out);
  b.setKeras(n.name(), n.out);
}

std::string attentionUnsupported(const OnnxNode& n) {
  if (n.config.value("return_attention_scores", false))
    return "return_attention_scores (the weights as a second output) is not exported to ONNX; "
           "export the model without it";
  if (causalConfig(n.config) && n.shapes && n.shapes->inputs.size() >= 2 &&
      (n.shapes->inputs[0][1] == kNone || n.shapes->inputs[1][1] == kNone))
    return "a causal mask needs known query and value lengths for ONNX";
  return "";
}

// Attention: S = q kᵀ (· scale) or c Σ tanh(scale (q + k)); AdditiveAttention: S = Σ scale ·
// tanh(q + k) (Unsqueeze by Reshape, broadcast Add, ReduceSum); causal mask; Softmax; S v.
void attention(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  const std::string q = b.keras(n.input(0));
  const std::string v = b.keras(n.input(1));
  const std::string k = n.spec.inputs.size() > 2 ? b.keras(n.input(2)) : v;
  const bool useScale = n.config.at("use_scale").get<bool>();
  const bool additive = n.className == "AdditiveAttention";
  const bool concat = additive || n.config.value("score_mode", std::string("dot")) == "concat";
  std::string s = b.fresh(name + "/scores");
  if (!concat) {
    const std::string kt = b.fresh(name + "/key_t");
    OnnxGraphBuilder::attr(b.node("Transpose", {k}, kt, name + "/key_t"), "perm",
                           std::vector<Index>{0, 2, 1});
    b.node("MatMul", {q, kt}, s, name + "/matmul_qk");
    if (useScale) {
      const std::string scaled = b.fresh(name + "/scaled");
      b.node("Mul", {s, b.scalar(name + "/scale", b.weight(name, "scale")[0])}, scaled,
             name + "/scale");
      s = scaled;
    }
  } else {
    const Index d = n.inputShape(0).back();
    const std::string q4 = b.fresh(name + "/q4"), k4 = b.fresh(name + "/k4");
    b.node("Reshape", {q, b.intInit(name + "/q4_shape", {0, 0, 1, d})}, q4, name + "/q4");
    b.node("Reshape", {k, b.intInit(name + "/k4_shape", {0, 1, -1, d})}, k4, name + "/k4");
    std::string sum = b.fresh(name + "/q_plus_k");
    b.node("Add", {q4, k4}, sum, name + "/q_plus_k");
    if (useScale && !additive) {  // Attention concat: tanh(scale · (q + k))
      const std::string scaled = b.fresh(name + "/scaled");
      b.node("Mul", {sum, b.scalar(name + "/scale", b.weight(name, "scale")[0])}, scaled,
             name + "/scale");
      sum = scaled;
    }
    std::string t = b.fresh(name + "/tanh");
    b.node("Tanh", {sum}, t, name + "/tanh");
    if (useScale && additive) {  // AdditiveAttention: scale (d,) · tanh(q + k)
      const Tensor& w = b.weight(name, "scale");
      const std::string scaled = b.fresh(name + "/scaled");
      b.node("Mul", {t, b.floatInit(name + "/scale", {d}, w.toVector())}, scaled, name + "/scale");
      t = scaled;
    }
    const std::string r = additive ? s : b.fresh(name + "/sum");
    auto* red = b.node("ReduceSum", {t, b.intInit(name + "/axes", {-1})}, r, name + "/sum");
    OnnxGraphBuilder::attr(red, "keepdims", std::int64_t(0));
    if (!additive)
      b.node("Mul",
             {r, b.scalar(name + "/concat_score_weight", b.weight(name, "concat_score_weight")[0])},
             s, name + "/concat_score_weight");
  }
  if (causalConfig(n.config)) {
    const std::string masked = b.fresh(name + "/masked");
    b.node("Add", {s, causalMask(b, name + "/causal_mask", n.inputShape(0)[1], n.inputShape(1)[1])},
           masked, name + "/causal_mask");
    s = masked;
  }
  const std::string p = b.fresh(name + "/weights");
  OnnxGraphBuilder::attr(b.node("Softmax", {s}, p, name + "/softmax"), "axis", std::int64_t(-1));
  b.node("MatMul", {p, v}, n.out, name);
  b.setKeras(name, n.out);
}

std::string multiHeadAttentionUnsupported(const OnnxNode& n) {
  if (n.inputRank() > 3)
    return "MultiHeadAttention over more than one sequence axis has no ONNX export yet";
  return attentionUnsupported(n);
}

// Per projection: x (N, T, d) MatMul W (d, H*K) + b -> Reshape (N, T, H, K) -> Transpose.
void multiHeadAttention(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  const Index H = n.config.at("num_heads").get<Index>();
  const Index K = n.config.at("key_dim").get<Index>();
  const Index Vd = n.config.at("value_dim").is_null() ? K : n.config.at("value_dim").get<Index>();
  const bool bias = n.config.at("use_bias").get<bool>();
  auto project = [&](const std::string& x, const std::string& scope, Index in, Index dim,
                     std::vector<Index> perm) {
    const Tensor& w = b.weight(name, scope + "/kernel");
    const std::string mm = b.fresh(name + "/" + scope + "/matmul");
    b.node("MatMul", {x, b.floatInit(name + "/" + scope + "/kernel", {in, H * dim}, w.toVector())},
           mm, name + "/" + scope + "/matmul");
    std::string y = mm;
    if (bias) {
      y = b.fresh(name + "/" + scope + "/bias_add");
      b.node("Add",
             {mm, b.floatInit(name + "/" + scope + "/bias", {H * dim},
                              b.weight(name, scope + "/bias").toVector())},
             y, name + "/" + scope + "/bias_add");
    }
    const std::string r = b.fresh(name + "/" + scope + "/heads");
    b.node("Reshape", {y, b.intInit(name + "/" + scope + "/heads_shape", {0, 0, H, dim})}, r,
           name + "/" + scope + "/heads");
    const std::string t = b.fresh(name + "/" + scope + "/transposed");
    OnnxGraphBuilder::attr(b.node("Transpose", {r}, t, name + "/" + scope + "/transpose"), "perm",
                           perm);
    return t;
  };
  const std::string query = b.keras(n.input(0));
  const std::string value = b.keras(n.input(1));
  const std::string key = n.spec.inputs.size() > 2 ? b.keras(n.input(2)) : value;
  const Index dq = n.inputShape(0).back(), dv = n.inputShape(1).back();
  const Index dk = n.spec.inputs.size() > 2 ? n.inputShape(2).back() : dv;
  const std::string q = project(query, "query", dq, K, {0, 2, 1, 3});   // (N, H, Tq, K)
  const std::string kt = project(key, "key", dk, K, {0, 2, 3, 1});      // (N, H, K, Tv)
  const std::string v = project(value, "value", dv, Vd, {0, 2, 1, 3});  // (N, H, Tv, Vd)
  const std::string qs = b.fresh(name + "/query_scaled");
  b.node("Mul", {q, b.scalar(name + "/inv_sqrt_key_dim", 1.0f / std::sqrt(float(K)))}, qs,
         name + "/query_scale");
  std::string s = b.fresh(name + "/scores");
  b.node("MatMul", {qs, kt}, s, name + "/matmul_qk");  // (N, H, Tq, Tv)
  if (causalConfig(n.config)) {
    const std::string masked = b.fresh(name + "/masked");
    b.node("Add", {s, causalMask(b, name + "/causal_mask", n.inputShape(0)[1], n.inputShape(1)[1])},
           masked, name + "/causal_mask");
    s = masked;
  }
  const std::string p = b.fresh(name + "/weights");
  OnnxGraphBuilder::attr(b.node("Softmax", {s}, p, name + "/softmax"), "axis", std::int64_t(-1));
  const std::string o = b.fresh(name + "/heads_out"), ot = b.fresh(name + "/heads_out_t"),
                    oc = b.fresh(name + "/concat_heads");
  b.node("MatMul", {p, v}, o, name + "/matmul_pv");  // (N, H, Tq, Vd)
  OnnxGraphBuilder::attr(b.node("Transpose", {o}, ot, name + "/heads_out_t"), "perm",
                         std::vector<Index>{0, 2, 1, 3});
  b.node("Reshape", {ot, b.intInit(name + "/concat_shape", {0, 0, H * Vd})}, oc,
         name + "/concat_heads");
  const Tensor& wo = b.weight(name, "attention_output/kernel");
  const Index out = wo.shape().back();
  const std::string mm = bias ? b.fresh(name + "/attention_output/matmul") : n.out;
  b.node("MatMul",
         {oc, b.floatInit(name + "/attention_output/kernel", {H * Vd, out}, wo.toVector())}, mm,
         name + "/attention_output/matmul");
  if (bias)
    b.node("Add",
           {mm, b.floatInit(name + "/attention_output/bias", {out},
                            b.weight(name, "attention_output/bias").toVector())},
           n.out, name);
  b.setKeras(name, n.out);
}

}  // namespace tessel::onnxexport
