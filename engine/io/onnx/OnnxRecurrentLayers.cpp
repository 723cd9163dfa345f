// ONNX hooks of the recurrent layers: SimpleRNN, LSTM, GRU and Bidirectional as ONNX RNN / LSTM /
// GRU (opset 13, layout (T, N, F), so the input is transposed), and Embedding as Gather.
//   Keras LSTM gates i, f, c, o -> ONNX i, o, f, c; Keras GRU z, r, h = ONNX z, r, h.
//   W = kernel^T per direction ([dirs, G*U, F]), R = recurrent_kernel^T ([dirs, G*U, U]),
//   B = [input bias, recurrent bias] ([dirs, 2*G*U]): GRU reset_after=true is
//   linear_before_reset=1 with the (2, 3U) bias split into Wb and Rb; other biases are Wb (Rb 0).
// go_backwards: the time-reversed input (Slice with step -1) through a forward ONNX layer, so the
// outputs come in processing order as Keras returns them. Bidirectional: direction
// "bidirectional", whose backward half is already time-aligned as Keras's merged output.
// Masks have no ONNX form: Embedding(mask_zero) and Masking are refused with a message, and so
// are activations other than Keras's defaults (tanh, sigmoid recurrent): they would need the
// activations attribute (a list of strings) that the exporter's ONNX subset does not have yet.
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

namespace {

// The activations ONNX's RNN / GRU / LSTM use by default (written without an activations
// attribute): Keras's defaults, tanh and sigmoid.
bool defaultActivation(const json& cfg, const char* key, const char* want) {
  return !cfg.contains(key) || (cfg.at(key).is_string() && cfg.at(key).get<std::string>() == want);
}

// One recurrent config and its ONNX op.
struct RnnForm {
  std::string op;  // RNN, LSTM, GRU
  int gates = 1;
  std::vector<int> order;  // ONNX gate k is Keras gate order[k]
  bool linearBeforeReset = false;
};

RnnForm formOf(const std::string& cls, const json& cfg) {
  if (cls == "LSTM") return {"LSTM", 4, {0, 3, 1, 2}, false};
  if (cls == "GRU") {
    const json& ra = cfg.at("reset_after");
    return {"GRU", 3, {0, 1, 2}, !ra.is_boolean() || ra.get<bool>()};
  }
  return {"RNN", 1, {0}, false};
}

// W, R, B of one direction appended (ONNX layout) to w, r, bias.
void appendDirection(OnnxGraphBuilder& b, const std::string& node, const std::string& prefix,
                     const RnnForm& form, bool useBias, Index units, Index features,
                     std::vector<float>& w, std::vector<float>& r, std::vector<float>& bias) {
  const Tensor& k = b.weight(node, prefix + "kernel");             // (F, G*U)
  const Tensor& rk = b.weight(node, prefix + "recurrent_kernel");  // (U, G*U)
  const Index gu = form.gates * units;
  for (int g : form.order)
    for (Index j = 0; j < units; ++j) {
      const Index col = g * units + j;
      for (Index f = 0; f < features; ++f) w.push_back(k[f * gu + col]);
      for (Index f = 0; f < units; ++f) r.push_back(rk[f * gu + col]);
    }
  std::vector<float> wb, rb;
  const Tensor* bt = useBias ? &b.weight(node, prefix + "bias") : nullptr;
  const bool split = bt && bt->rank() == 2;  // GRU reset_after: (2, 3U)
  for (int g : form.order)
    for (Index j = 0; j < units; ++j) {
      const Index col = g * units + j;
      wb.push_back(bt ? (*bt)[col] : 0.0f);
      rb.push_back(split ? (*bt)[gu + col] : 0.0f);
    }
  bias.insert(bias.end(), wb.begin(), wb.end());
  bias.insert(bias.end(), rb.begin(), rb.end());
}

// Writes the ONNX recurrent node for `cfg` (the recurrent config) over the Keras tensor x
// (N, T, F); returns Y (T, dirs, N, U), Y_h (dirs, N, U) and, for LSTM, Y_c (dirs, N, U).
struct RnnOut {
  std::string y, yh, yc;
};
RnnOut writeRnn(OnnxGraphBuilder& b, const OnnxNode& n, const std::string& cls, const json& cfg,
                const std::vector<std::string>& prefixes, std::string x) {
  const std::string& name = n.name();
  const Index units = cfg.at("units").get<Index>();
  const Index features = n.inputShape(0)[2];
  const RnnForm form = formOf(cls, cfg);
  const bool bidirectional = prefixes.size() == 2;
  if (!bidirectional && cfg.value("go_backwards", false)) {  // reverse the time axis
    std::string rev = b.fresh(name + "/reversed");
    b.node(
        "Slice",
        {x, b.intInit(name + "/rev_start", {-1}), b.intInit(name + "/rev_end", {-(Index(1) << 62)}),
         b.intInit(name + "/rev_axes", {1}), b.intInit(name + "/rev_steps", {-1})},
        rev, name + "/reverse_time");
    x = rev;
  }
  std::string tm = b.fresh(name + "/time_major");
  b.attr(b.node("Transpose", {x}, tm, name + "/to_time_major"), "perm",
         std::vector<Index>{1, 0, 2});
  std::vector<float> w, r, bias;
  for (const std::string& p : prefixes)
    appendDirection(b, name, p, form, cfg.at("use_bias").get<bool>(), units, features, w, r, bias);
  const Index dirs = Index(prefixes.size()), gu = form.gates * units;
  std::vector<std::string> ins = {tm, b.floatInit(name + "/W", {dirs, gu, features}, w),
                                  b.floatInit(name + "/R", {dirs, gu, units}, r),
                                  b.floatInit(name + "/B", {dirs, 2 * gu}, bias)};
  // Initial states (extra inputs (N, U)) as (1, N, U).
  const size_t states = n.spec.inputs.size() - 1;
  if (states > 0) {
    ins.push_back("");  // sequence_lens
    for (size_t s = 1; s <= states; ++s) {
      std::string st = b.fresh(name + "/initial_state");
      b.node("Reshape", {b.keras(n.input(s)), b.intInit(name + "/state_shape", {1, -1, units})}, st,
             name + "/initial_state");
      ins.push_back(st);
    }
  }
  std::string y = b.fresh(name + "/Y"), yh = b.fresh(name + "/Y_h");
  std::string yc = form.op == "LSTM" ? b.fresh(name + "/Y_c") : std::string();
  onnx::NodeProto* node = b.node(form.op, ins, y, name);
  node->add_output(yh);
  if (!yc.empty()) node->add_output(yc);
  b.attr(node, "hidden_size", std::int64_t(units));
  if (bidirectional) b.attr(node, "direction", std::string("bidirectional"));
  if (form.linearBeforeReset) b.attr(node, "linear_before_reset", std::int64_t(1));
  return {y, yh, yc};
}

// Y (T, dirs, N, U) -> direction d as (N, T, U); Y_h (dirs, N, U) -> direction d as (N, U).
std::string pick(OnnxGraphBuilder& b, const std::string& base, const std::string& t, Index d,
                 bool sequence) {
  std::string g = b.fresh(base + "/dir");
  b.attr(b.node("Gather", {t, b.intInit(base + "/dir_index", {d})}, g, base + "/direction"), "axis",
         std::int64_t(sequence ? 1 : 0));
  // Gather with a 1-element index keeps the axis: squeeze it.
  std::string s = b.fresh(base + "/squeezed");
  b.node("Squeeze", {g, b.intInit(base + "/squeeze_axes", {sequence ? 1 : 0})}, s,
         base + "/squeeze");
  if (!sequence) return s;
  std::string bm = b.fresh(base + "/batch_major");
  b.attr(b.node("Transpose", {s}, bm, base + "/to_batch_major"), "perm",
         std::vector<Index>{1, 0, 2});
  return bm;
}

void finish(OnnxGraphBuilder& b, const OnnxNode& n, const std::string& result) {
  b.node("Identity", {result}, n.out, n.name() + "/output");
  b.setKeras(n.name(), n.out);
}

// Output k of the node (k > 0) is the Keras tensor `t`.
void setOutput(OnnxGraphBuilder& b, const OnnxNode& n, size_t k, const std::string& t) {
  b.declare(n.output(k), *n.shapes->outputAt(k));
  b.setKeras(n.output(k), t);
}

// return_state: direction d's final h (and c) as outputs first, first + 1.
void setStates(OnnxGraphBuilder& b, const OnnxNode& n, const RnnOut& r, Index d, size_t first) {
  const std::string base = n.name() + (d == 0 ? "/state" : "/backward_state");
  setOutput(b, n, first, pick(b, base + "_h", r.yh, d, false));
  if (!r.yc.empty()) setOutput(b, n, first + 1, pick(b, base + "_c", r.yc, d, false));
}

}  // namespace

std::string recurrentUnsupported(const OnnxNode& n) {
  const json& cfg = n.className == "Bidirectional" ? n.config.at("layer").at("config") : n.config;
  if (n.className == "Bidirectional" && n.spec.inputs.size() > 1)
    return "Bidirectional with initial states: not written to ONNX yet (the ONNX export takes "
           "the initial states of single-direction layers only)";
  if (cfg.value("stateful", false))
    return n.className +
           " with stateful=true: an ONNX graph keeps no state between runs (export a copy with "
           "stateful off, or feed the initial states as inputs)";
  if (!defaultActivation(cfg, "activation", "tanh") ||
      !defaultActivation(cfg, "recurrent_activation", "sigmoid"))
    return n.className +
           ": the ONNX export writes recurrent layers with activation tanh and "
           "recurrent_activation sigmoid (Keras's defaults) only";
  return "";
}

void recurrent(OnnxGraphBuilder& b, const OnnxNode& n) {
  const bool seq = n.config.at("return_sequences").get<bool>();
  const RnnOut r = writeRnn(b, n, n.className, n.config, {""}, b.keras(n.input(0)));
  finish(b, n, pick(b, n.name(), seq ? r.y : r.yh, 0, seq));
  if (n.config.value("return_state", false)) setStates(b, n, r, 0, 1);
}

void bidirectional(OnnxGraphBuilder& b, const OnnxNode& n) {
  const json& inner = n.config.at("layer");
  const std::string cls = inner.at("class_name");
  json cfg = inner.at("config");
  // Complete the inner defaults the hooks read (the layer already validated them).
  const json defaults = {{"use_bias", true},
                         {"activation", "tanh"},
                         {"recurrent_activation", "sigmoid"},
                         {"reset_after", true},
                         {"return_sequences", false}};
  for (const auto& [k, v] : defaults.items())
    if (!cfg.contains(k)) cfg[k] = v;
  const std::string base = cfg.contains("name") ? cfg["name"].get<std::string>()
                           : cls == "LSTM"      ? "lstm"
                           : cls == "GRU"       ? "gru"
                                                : "simple_rnn";
  const bool seq = cfg.at("return_sequences").get<bool>();
  const RnnOut rnn = writeRnn(b, n, cls, cfg, {"forward_" + base + "/", "backward_" + base + "/"},
                              b.keras(n.input(0)));
  const std::string& y = rnn.y;
  const std::string& yh = rnn.yh;
  const std::string& name = n.name();
  std::string f = pick(b, name + "/forward", seq ? y : yh, 0, seq);
  std::string r = pick(b, name + "/backward", seq ? y : yh, 1, seq);
  const bool states = cfg.value("return_state", false);
  const size_t perDirection = rnn.yc.empty() ? 1 : 2;
  if (n.config.at("merge_mode").is_null()) {  // two outputs: forward, backward
    finish(b, n, f);
    setOutput(b, n, 1, r);
    if (states) {
      setStates(b, n, rnn, 0, 2);
      setStates(b, n, rnn, 1, 2 + perDirection);
    }
    return;
  }
  if (states) {
    setStates(b, n, rnn, 0, 1);
    setStates(b, n, rnn, 1, 1 + perDirection);
  }
  const std::string mode = n.config.at("merge_mode");
  std::string out = b.fresh(name + "/merged");
  if (mode == "concat") {
    b.attr(b.node("Concat", {f, r}, out, name + "/concat"), "axis", std::int64_t(-1));
  } else if (mode == "sum") {
    b.node("Add", {f, r}, out, name + "/sum");
  } else if (mode == "mul") {
    b.node("Mul", {f, r}, out, name + "/mul");
  } else {
    std::string s = b.fresh(name + "/sum");
    b.node("Add", {f, r}, s, name + "/sum");
    b.node("Mul", {s, b.scalar(name + "/half", 0.5f)}, out, name + "/ave");
  }
  finish(b, n, out);
}

// ids (float, (N, ...)) -> Cast int64 -> Gather(embeddings, ids, axis 0): (N, ..., D).
void embedding(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  const Tensor& e = b.weight(name, "embeddings");
  std::string ids = b.fresh(name + "/ids");
  b.attr(b.node("Cast", {b.keras(n.input(0))}, ids, name + "/cast"), "to",
         std::int64_t(onnx::TensorProto::INT64));
  b.attr(b.node("Gather", {b.floatInit(name + "/embeddings", e.shape(), e.toVector()), ids}, n.out,
                name),
         "axis", std::int64_t(0));
  b.setKeras(name, n.out);
}

std::string embeddingUnsupported(const OnnxNode& n) {
  if (n.config.at("mask_zero").get<bool>())
    return "Embedding with mask_zero=true: ONNX has no masks, so the recurrent layers would not "
           "skip the padding; export a model without mask_zero";
  return "";
}

}  // namespace tessel::onnxexport
