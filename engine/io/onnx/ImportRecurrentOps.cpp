// ONNX import of the recurrent operators LSTM, GRU and RNN, and of the layout operators PyTorch
// (torch.onnx.export of nn.LSTM / nn.GRU / nn.RNN with batch_first) and Tessel's exporter
// (engine/io/onnx/OnnxRecurrentLayers.cpp) write around them.
//
// What becomes what:
//   direction forward          LSTM / GRU / SimpleRNN
//   direction reverse          the same with go_backwards (only Y_h / Y_c may be read: ONNX's
//                              reverse Y is in input time order, Keras's in processing order)
//   Slice(x, -1, -inf, time axis, step -1) before a forward node: go_backwards (Tessel's form)
//   direction bidirectional    Bidirectional(merge_mode=None); foldBidirectionalMerges turns a
//                              Concatenate (last axis) / Add / Multiply / Average of its two
//                              outputs into merge_mode concat / sum / mul / ave
//   Y read                     return_sequences=True (and return_state when Y_h / Y_c are read)
//   only Y_h read              return_sequences=False (output 0 is the last h)
//   Y_c read                   return_state=True
//   linear_before_reset 1 / 0  GRU reset_after True / False
//   initial_h / initial_c      absent, zeros (PyTorch's Expand / ConstantOfShape of the batch
//                              size) or a Keras (N, U) tensor reshaped to (1, N, U): extra inputs
//                              of the Keras layer (one direction only)
// Refused with a message naming the node: clip, input_forget, peepholes (P), sequence_lens,
// layout=1, activations other than sigmoid / tanh / relu, and a reverse Y read.
//
// Layouts: X is time-major (T, N, F); a batch-first Keras tensor becomes time-major through
// Transpose(1, 0, 2) (Layout::TimeMajor: the same Keras tensor, seen transposed) and back. Y is
// (T, dirs, N, U): Squeeze(1) (one direction) or Gather(axis 1) picks a direction (Tessel),
// Transpose(0, 2, 1, 3) + Reshape(T, N, dirs * U) concatenates them (PyTorch bidirectional).
// Y_h / Y_c are (dirs, N, U): Squeeze(0) or Gather(axis 0) (PyTorch's h_n[-1]).
//
// Weights, per direction d (ONNX W [dirs, G*U, I], R [dirs, G*U, U], B [dirs, 2*G*U] = [Wb, Rb];
// Keras kernel [I, G*U], recurrent_kernel [U, G*U], gate blocks of U columns):
//   LSTM  ONNX gates i, o, f, c; Keras i, f, c, o: Keras gate kg is ONNX gate {0, 2, 3, 1}[kg]
//   GRU   ONNX z, r, h = Keras z, r, h;   RNN: one gate
//   kernel[f][kg*U + j] = W[d][og*U + j][f];  recurrent_kernel[u][kg*U + j] = R[d][og*U + j][u]
//   bias: LSTM, RNN, GRU reset_after=False: (G*U) = Wb + Rb (the equations only add them);
//         GRU reset_after=True: (2, 3U) = [Wb; Rb] (Rb_h sits inside r * (...)).
// Bidirectional weights are "forward_<cell>/..." and "backward_<cell>/..." (Keras's names).
#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/io/onnx/ImportGraph.h"
#include "engine/io/onnx/ImportOps.h"

namespace tessel::onnximport {

namespace {

using Node = onnx::NodeProto;

bool pending(const Value& v) {
  return v.rnn.has_value() || v.reversed || v.stateView || v.ids;
}

Value symbolicConst() {
  Value v;
  v.isConst = true;
  v.symbolic = true;
  v.isFloat = false;
  return v;
}

Value zerosConst() {
  Value v;
  v.isConst = true;
  v.zeros = true;
  return v;
}

// A constant's value as an index, clamped (a fuzzed file may hold any double).
Index toIndex(double d) {
  const double lim = double(Index(1) << 62);
  return std::isnan(d) ? 0 : static_cast<Index>(std::clamp(d, -lim, lim));
}

bool allZero(const Value& v) {
  return v.isConst && !v.symbolic &&
         (v.zeros || std::all_of(v.data.begin(), v.data.end(), [](double d) { return d == 0; }));
}

// Axes from an attribute (opset < 13) or input 1.
std::vector<Index> axesOf(ImportGraph& g, const Node& n, Index rank) {
  std::vector<Index> axes = ImportGraph::intsAttr(n, "axes");
  if (g.hasIn(n, 1))
    for (double a : g.constIn(n, 1).data) axes.push_back(toIndex(a));
  for (Index& a : axes)
    if (a < 0) a += rank;
  std::sort(axes.begin(), axes.end());
  return axes;
}

// ---- the recurrent layer's outputs -----------------------------------------------------------

struct CellForm {
  std::string keras;  // LSTM, GRU, SimpleRNN
  std::string base;   // lstm, gru, simple_rnn
  int gates = 1;
  std::vector<int> onnxGate;  // Keras gate kg is ONNX gate onnxGate[kg]
  int stateCount = 1;
};

CellForm formOf(const std::string& op) {
  if (op == "LSTM") return {"LSTM", "lstm", 4, {0, 2, 3, 1}, 2};
  if (op == "GRU") return {"GRU", "gru", 3, {0, 1, 2}, 1};
  return {"SimpleRNN", "simple_rnn", 1, {0}, 1};
}

// The Keras output index of direction `dir` of RNN output `which` of `layer`.
int kerasOutput(ImportGraph& g, const Node& n, const std::string& layer, int which, int dir) {
  const NodeSpec& l = g.layer(layer);
  const bool bi = l.className == "Bidirectional";
  const json& cfg = bi ? l.config.at("layer").at("config") : l.config;
  const std::string cls =
      bi ? l.config.at("layer").at("class_name").get<std::string>() : l.className;
  const int states = cls == "LSTM" ? 2 : 1;
  const bool seq = cfg.value("return_sequences", false);
  const int first = bi ? 2 : 1;  // the first state output (merge_mode None)
  if (which == 0) {
    if (!seq) ImportGraph::fail(n, "internal: Y read from a layer without return_sequences");
    return bi ? dir : 0;
  }
  if (!seq && which == 1) return bi ? dir : 0;
  return first + dir * states + (which - 1);
}

// The Keras tensor of a part whose direction is picked and whose directions axis is gone.
Value resolved(ImportGraph& g, const Node& n, const RnnPart& p) {
  Value v;
  v.node = tensorKey(p.layer, kerasOutput(g, n, p.layer, p.which, std::max(p.dir, 0)));
  v.layout = p.which == 0 ? Layout::TimeMajor : Layout::Keras;
  return v;
}

// ---- LSTM, GRU, RNN --------------------------------------------------------------------------

std::string activationName(const Node& n, const std::string& onnx) {
  if (onnx == "Sigmoid") return "sigmoid";
  if (onnx == "Tanh") return "tanh";
  if (onnx == "Relu") return "relu";
  ImportGraph::fail(n, "activation " + onnx +
                           " has no Keras recurrent form here (Sigmoid, Tanh and Relu are read)");
}

void recurrentNode(ImportGraph& g, const Node& n) {
  const std::string& op = n.op_type();
  const CellForm form = formOf(op);
  const Value& x = g.in(n, 0);
  if (x.isConst || x.rnn || x.stateView)
    ImportGraph::fail(n, "the input X must be a computed (T, N, F) tensor");
  if (ImportGraph::intAttr(n, "layout", 0) != 0)
    ImportGraph::fail(n,
                      "layout=1 (batch-first X) is not imported; Tessel and PyTorch write "
                      "layout 0 with a Transpose before the node");
  if (x.layout != Layout::TimeMajor || g.rank(x) != 3)
    ImportGraph::fail(n,
                      "the input X is not a time-major (T, N, F) view of a batch-first "
                      "tensor: the importer expects Transpose(perm=[1, 0, 2]) of a (N, T, F) "
                      "tensor (PyTorch batch_first, Tessel) or another recurrent node's Y");
  if (ImportGraph::attr(n, "clip"))
    ImportGraph::fail(n, "clip (cell clipping) has no Keras form; export without it");
  if (ImportGraph::intAttr(n, "input_forget", 0) != 0)
    ImportGraph::fail(n, "input_forget (coupled input and forget gates) has no Keras form");
  if (g.hasIn(n, 7)) ImportGraph::fail(n, "peepholes (input P) have no Keras LSTM form");
  if (g.hasIn(n, 4))
    ImportGraph::fail(n,
                      "sequence_lens (per-sample lengths) is not imported; Keras uses masks "
                      "for padded sequences (export with full-length sequences)");
  const auto* hs = ImportGraph::attr(n, "hidden_size");
  const Value& w = g.constIn(n, 1);
  const Value& r = g.constIn(n, 2);
  if (w.dims.size() != 3) ImportGraph::fail(n, "W must be [num_directions, gates*hidden, input]");
  const Index dirs = w.dims[0], gu = w.dims[1], in = w.dims[2];
  const Index units = hs ? hs->i() : gu / form.gates;
  const std::string direction = ImportGraph::stringAttr(n, "direction", "forward");
  const Index wantDirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    ImportGraph::fail(n, "direction '" + direction + "' is not forward, reverse or bidirectional");
  if (units <= 0 || units > gu || gu != form.gates * units || dirs != wantDirs)
    ImportGraph::fail(n, "W has shape [" + std::to_string(dirs) + ", " + std::to_string(gu) + ", " +
                             std::to_string(in) + "], hidden_size " + std::to_string(units) +
                             " and direction " + direction + " need [" + std::to_string(wantDirs) +
                             ", " + std::to_string(form.gates * units) + ", input]");
  if (r.dims != Shape{dirs, gu, units})
    ImportGraph::fail(n, "R must be [num_directions, gates*hidden, hidden]");
  const Value* b = g.hasIn(n, 3) ? &g.constIn(n, 3) : nullptr;
  if (b && b->dims != Shape{dirs, 2 * gu})
    ImportGraph::fail(n, "B must be [num_directions, 2*gates*hidden]");
  const Index features = g.kerasShape(x.node).back();
  if (features != kNone && features != in)
    ImportGraph::fail(n, "W reads " + std::to_string(in) + " features, the input has " +
                             std::to_string(features));
  // Activations: f (gates), g (candidate), h (LSTM output), per direction.
  std::vector<std::string> acts;
  if (const auto* a = ImportGraph::attr(n, "activations"))
    for (const auto& s : a->strings()) acts.push_back(s);
  std::string gateAct = "sigmoid", act = "tanh";
  if (!acts.empty()) {
    const size_t per = op == "LSTM" ? 3 : op == "GRU" ? 2 : 1;
    if (acts.size() != per * static_cast<size_t>(dirs))
      ImportGraph::fail(n, "activations needs " + std::to_string(per * dirs) + " entries");
    for (size_t d = 1; d < static_cast<size_t>(dirs); ++d)
      for (size_t k = 0; k < per; ++k)
        if (acts[d * per + k] != acts[k])
          ImportGraph::fail(n,
                            "the directions use different activations (Keras's "
                            "Bidirectional copies one layer)");
    if (op == "RNN") {
      act = activationName(n, acts[0]);
    } else {
      gateAct = activationName(n, acts[0]);
      act = activationName(n, acts[1]);
      if (op == "LSTM" && acts[2] != acts[1])
        ImportGraph::fail(n,
                          "the cell and output activations differ (Keras's LSTM uses its "
                          "activation for both)");
    }
    if (ImportGraph::attr(n, "activation_alpha") || ImportGraph::attr(n, "activation_beta"))
      ImportGraph::fail(n, "activation_alpha / activation_beta are not imported");
  }
  const bool lbr = ImportGraph::intAttr(n, "linear_before_reset", 0) != 0;
  if (lbr && op != "GRU") ImportGraph::fail(n, "linear_before_reset on a non-GRU node");

  // Which outputs are read decide return_sequences / return_state.
  auto read = [&](int i) {
    return i < n.output_size() && !n.output(i).empty() && g.used(n.output(i));
  };
  const bool yRead = read(0), hRead = read(1), cRead = op == "LSTM" && read(2);
  const bool seq = yRead, state = (yRead && (hRead || cRead)) || cRead;
  bool goBackwards = x.reversed;
  if (direction == "reverse") {
    if (yRead)
      ImportGraph::fail(n,
                        "direction reverse with Y read: ONNX gives Y in input time order, "
                        "Keras's go_backwards in processing order (no Keras layer flips it "
                        "back); only Y_h / Y_c of a reverse node are imported");
    goBackwards = !goBackwards;
  }
  if (direction == "bidirectional" && x.reversed)
    ImportGraph::fail(n, "a bidirectional node over a time-reversed input is not imported");

  // Initial states: none (absent or zeros) or Keras (N, U) tensors seen as (1, N, U).
  std::vector<std::string> inputs = {x.node};
  std::vector<std::string> states;
  const int stateInputs = op == "LSTM" ? 2 : 1;
  for (int s = 0; s < stateInputs; ++s) {
    if (!g.hasIn(n, 5 + s)) continue;
    const Value& v = g.in(n, 5 + s);
    if (allZero(v)) continue;
    if (v.isConst)
      ImportGraph::fail(n, std::string(s ? "initial_c" : "initial_h") +
                               " is a non-zero constant (Keras takes initial states as inputs)");
    if (!v.stateView || dirs != 1)
      ImportGraph::fail(n, std::string(s ? "initial_c" : "initial_h") +
                               " is not imported here: initial states are read as a (N, units) "
                               "tensor reshaped to (1, N, units), one direction");
    states.push_back(v.node);
  }
  if (!states.empty() && static_cast<int>(states.size()) != stateInputs)
    ImportGraph::fail(n,
                      "only one of initial_h and initial_c is given (Keras's LSTM takes both "
                      "states or none)");
  inputs.insert(inputs.end(), states.begin(), states.end());

  json cell = {{"units", units},          {"activation", act},     {"use_bias", b != nullptr},
               {"return_sequences", seq}, {"return_state", state}, {"go_backwards", goBackwards}};
  if (op != "RNN") cell["recurrent_activation"] = gateAct;
  if (op == "GRU") cell["reset_after"] = lbr;
  std::string l;
  std::vector<std::string> prefixes;
  if (dirs == 1) {
    l = g.addLayer(form.keras, g.nameFor(n, form.base), cell, inputs);
    prefixes = {""};
  } else {
    cell["name"] = form.base;
    json cfg = {{"layer", {{"class_name", form.keras}, {"config", cell}}}, {"merge_mode", nullptr}};
    l = g.addLayer("Bidirectional", g.nameFor(n, "bidirectional"), cfg, inputs);
    prefixes = {"forward_" + form.base + "/", "backward_" + form.base + "/"};
  }
  for (Index d = 0; d < dirs; ++d) {
    Tensor kernel({in, gu}), rk({units, gu});
    Tensor bias = lbr ? Tensor({2, gu}) : Tensor({gu});
    for (int kg = 0; kg < form.gates; ++kg) {
      const Index og = form.onnxGate[static_cast<size_t>(kg)];
      for (Index j = 0; j < units; ++j) {
        const Index col = kg * units + j, row = d * gu + og * units + j;
        for (Index f = 0; f < in; ++f)
          kernel[f * gu + col] = static_cast<float>(w.data[static_cast<size_t>(row * in + f)]);
        for (Index u = 0; u < units; ++u)
          rk[u * gu + col] = static_cast<float>(r.data[static_cast<size_t>(row * units + u)]);
        if (!b) continue;
        const double wb = b->data[static_cast<size_t>(d * 2 * gu + og * units + j)];
        const double rb = b->data[static_cast<size_t>(d * 2 * gu + gu + og * units + j)];
        if (lbr) {
          bias[col] = static_cast<float>(wb);
          bias[gu + col] = static_cast<float>(rb);
        } else {
          bias[col] = static_cast<float>(wb + rb);
        }
      }
    }
    const std::string& p = prefixes[static_cast<size_t>(d)];
    g.setWeight(l, p + "kernel", std::move(kernel));
    g.setWeight(l, p + "recurrent_kernel", std::move(rk));
    if (b) g.setWeight(l, p + "bias", std::move(bias));
  }
  for (int i = 0; i < n.output_size() && i < 3; ++i) {
    if (n.output(i).empty()) continue;
    Value v;
    v.rnn = RnnPart{l, i, dirs, -1, true, false};
    g.setOut(n, v, i);
  }
}

// ---- the operators around them ---------------------------------------------------------------

// Squeeze of a recurrent output's directions axis, or of a state view's leading 1.
void squeeze(ImportGraph& g, const Node& n) {
  const Value& x = g.in(n, 0);
  const Index r = x.isConst ? 0 : static_cast<Index>(g.rank(x));
  const std::vector<Index> axes = axesOf(g, n, r);
  if (x.rnn) {
    RnnPart p = *x.rnn;
    const Index dirAxis = p.which == 0 ? 1 : 0;
    if (!p.dirAxis || p.dirsInner || axes != std::vector<Index>{dirAxis} ||
        (p.dir < 0 && p.dirs != 1))
      ImportGraph::fail(n,
                        "only a Squeeze of the num_directions axis of one direction is "
                        "imported on a recurrent node's output");
    p.dir = std::max(p.dir, 0);
    g.setOut(n, resolved(g, n, p));
    return;
  }
  if (x.stateView && axes == std::vector<Index>{0}) {
    Value v = x;
    v.stateView = false;
    g.setOut(n, v);
    return;
  }
  ImportGraph::fail(n,
                    "Squeeze is imported only where it drops a recurrent node's "
                    "num_directions axis");
}

// Slice reversing the time axis (step -1 over all of it); zeros and symbolic constants stay so.
void slice(ImportGraph& g, const Node& n) {
  const Value& x = g.in(n, 0);
  if (x.zeros || x.symbolic) {
    g.setOut(n, x.zeros ? zerosConst() : symbolicConst());
    return;
  }
  if (x.isConst || x.rnn || x.stateView || g.rank(x) != 3 || g.opset() < 10 ||
      x.layout == Layout::ChannelsFirst)
    ImportGraph::fail(n,
                      "Slice is imported only as a reversal of a sequence's time axis (step "
                      "-1 over all steps, before a recurrent node: go_backwards)");
  auto one = [&](int i) -> Index {
    if (!g.hasIn(n, i)) return i == 3 ? Index(0) : Index(1);  // axes default 0, steps 1
    const Value& c = g.constIn(n, i);
    if (c.data.size() != 1) ImportGraph::fail(n, "Slice over several axes is not imported");
    return toIndex(c.data[0]);
  };
  const Index start = one(1), end = one(2), step = one(4);
  Index axis = one(3);
  if (axis < 0) axis += 3;
  const Index timeAxis = x.layout == Layout::TimeMajor ? 0 : 1;
  const Index steps = g.kerasShape(x.node)[1];
  const bool fromLast = start == -1 || (steps != kNone && start >= steps - 1);
  const bool toFirst = end <= -(Index(1) << 31) || (steps != kNone && end <= -steps - 1);
  if (axis != timeAxis || step != -1 || !fromLast || !toFirst)
    ImportGraph::fail(n,
                      "Slice is imported only as a reversal of a sequence's time axis (step "
                      "-1 over all steps, before a recurrent node: go_backwards)");
  Value v = x;
  v.reversed = !v.reversed;
  g.setOut(n, v);
}

// Expand / ConstantOfShape of zeros: a zero initial state.
void expand(ImportGraph& g, const Node& n) {
  const Value& v = g.in(n, 0);
  if (!v.isConst || v.symbolic || !allZero(v))
    ImportGraph::fail(n, "Expand is imported only for zeros (a recurrent node's initial state)");
  g.setOut(n, zerosConst());
}

void constantOfShape(ImportGraph& g, const Node& n) {
  if (const auto* a = ImportGraph::attr(n, "value")) {
    if (!allZero(constantOf(a->t())))
      ImportGraph::fail(n, "ConstantOfShape is imported only for zeros (an initial state)");
  }
  g.setOut(n, zerosConst());
}

// Cast: of a constant, the values (truncated for integer types); of a tensor to float32, the same
// tensor; of a tensor to integers, ids for an Embedding's Gather (Tessel's exporter casts the
// float ids input to int64).
void cast(ImportGraph& g, const Node& n) {
  const Value& x = g.in(n, 0);
  const std::int64_t to = ImportGraph::intAttr(n, "to", 0);
  const bool toInt = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32;
  if (!toInt && to != onnx::TensorProto::FLOAT)
    ImportGraph::fail(
        n, "a Cast to type " + std::to_string(to) + " (float32, int32 and int64 are imported)");
  if (x.isConst) {
    Value v = x;
    if (toInt && !v.symbolic && !v.zeros)
      for (double& d : v.data) d = std::trunc(d);
    v.isFloat = !toInt;
    g.setOut(n, v);
    return;
  }
  if (pending(x) && !x.ids) g.tensorIn(n, 0);  // the message saying what x is
  Value v = x;
  v.ids = toInt;
  g.setOut(n, v);
}

// Gather(table [V, D], ids, axis 0): Keras Embedding(V, D) (mask_zero false: ONNX has no masks).
void embeddingGather(ImportGraph& g, const Node& n) {
  const Value& table = g.constIn(n, 0);
  const Value& ids = g.in(n, 1);
  if (ids.isConst || ids.rnn || ids.reversed || ids.stateView || table.dims.size() != 2 ||
      ImportGraph::intAttr(n, "axis", 0) != 0 || !table.isFloat)
    ImportGraph::fail(n,
                      "only Gather of rows of a float [vocabulary, dim] table by a tensor of "
                      "ids (Keras Embedding) is imported");
  if (ids.layout == Layout::ChannelsFirst && g.rank(ids) >= 3)
    ImportGraph::fail(n, "ids in a channels-first layout");
  const Index vocab = table.dims[0], dim = table.dims[1];
  std::string l =
      g.addLayer("Embedding", g.nameFor(n, "embedding"),
                 {{"input_dim", vocab}, {"output_dim", dim}, {"mask_zero", false}}, {ids.node});
  Tensor e({vocab, dim});
  for (Index i = 0; i < e.size(); ++i)
    e[i] = static_cast<float>(table.data[static_cast<size_t>(i)]);
  g.setWeight(l, "embeddings", std::move(e));
  Value v;
  v.node = l;
  v.layout = ids.layout;
  g.setOut(n, v);
}

// Wrappers of the layout handlers (ImportShapeOps.cpp) for the recurrent cases.

OpHandler wrapTranspose(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    const Value& x = g.in(n, 0);
    const std::vector<Index> perm = ImportGraph::intsAttr(n, "perm");
    if (x.rnn) {
      RnnPart p = *x.rnn;
      if (p.which != 0 || !p.dirAxis || p.dir >= 0 || p.dirsInner ||
          perm != std::vector<Index>{0, 2, 1, 3})
        ImportGraph::fail(n,
                          "only Transpose(0, 2, 1, 3) of a recurrent node's Y (PyTorch's "
                          "concatenation of the directions) is imported there");
      p.dirsInner = true;
      Value v;
      v.rnn = p;
      g.setOut(n, v);
      return;
    }
    if (!x.isConst && !x.stateView && x.layout != Layout::ChannelsFirst && g.rank(x) == 3 &&
        perm == std::vector<Index>{1, 0, 2}) {
      Value v = x;
      v.layout = x.layout == Layout::TimeMajor ? Layout::Keras : Layout::TimeMajor;
      g.setOut(n, v);
      return;
    }
    old(g, n);
  };
}

OpHandler wrapGather(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    const Value& x = g.in(n, 0);
    if (x.symbolic || (g.hasIn(n, 1) && g.in(n, 1).symbolic)) {
      g.setOut(n, symbolicConst());
      return;
    }
    if (!x.rnn) {
      if (x.isConst && g.hasIn(n, 1) && !g.in(n, 1).isConst) {
        embeddingGather(g, n);
        return;
      }
      old(g, n);
      return;
    }
    RnnPart p = *x.rnn;
    const Index r = static_cast<Index>(g.rank(x));
    Index axis = ImportGraph::intAttr(n, "axis", 0);
    if (axis < 0) axis += r;
    const Value& idx = g.constIn(n, 1);
    const Index dirAxis = p.which == 0 ? 1 : 0;
    if (!p.dirAxis || p.dirsInner || p.dir >= 0 || axis != dirAxis || idx.data.size() != 1 ||
        idx.dims.size() > 1)
      ImportGraph::fail(n,
                        "only a Gather of one direction (the num_directions axis) is "
                        "imported on a recurrent node's output");
    Index d = toIndex(idx.data[0]);
    if (d < 0) d += p.dirs;
    if (d < 0 || d >= p.dirs) ImportGraph::fail(n, "direction index out of range");
    p.dir = static_cast<int>(d);
    p.dirAxis = !idx.dims.empty();  // a 1-element index keeps the axis
    if (p.dirAxis) {
      Value v;
      v.rnn = p;
      g.setOut(n, v);
    } else {
      g.setOut(n, resolved(g, n, p));
    }
  };
}

OpHandler wrapReshape(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    const Value& x = g.in(n, 0);
    if (x.rnn) {
      const RnnPart& p = *x.rnn;
      const Value& shape = g.constIn(n, 1);
      const Index units = g.kerasShape(resolved(g, n, RnnPart{p.layer, 0, p.dirs, 0}).node).back();
      if (!p.dirsInner || shape.data.size() != 3 ||
          (shape.data[2] != -1 && shape.data[2] != double(p.dirs * units)))
        ImportGraph::fail(n,
                          "only Reshape(T, N, dirs * units) after Transpose(0, 2, 1, 3) of a "
                          "recurrent node's Y (PyTorch's concatenation of the directions) is "
                          "imported there");
      if (p.dirs == 1) {
        g.setOut(n, resolved(g, n, RnnPart{p.layer, 0, 1, 0, false}));
        return;
      }
      const Value f = resolved(g, n, RnnPart{p.layer, 0, 2, 0, false});
      const Value b = resolved(g, n, RnnPart{p.layer, 0, 2, 1, false});
      std::string l =
          g.addLayer("Concatenate", g.nameFor(n, "concatenate"), {{"axis", -1}}, {f.node, b.node});
      Value v;
      v.node = l;
      v.layout = Layout::TimeMajor;
      g.setOut(n, v);
      return;
    }
    if (!x.isConst && !pending(x) && x.layout == Layout::Keras && g.rank(x) == 2) {
      const Value& shape = g.constIn(n, 1);
      const Index units = g.kerasShape(x.node).back();
      if (shape.data.size() == 3 && shape.data[0] == 1 && shape.data[1] == -1 &&
          shape.data[2] == double(units)) {
        Value v = x;
        v.stateView = true;
        g.setOut(n, v);
        return;
      }
    }
    if (!x.isConst && x.layout == Layout::TimeMajor)
      ImportGraph::fail(n, "reshaping a time-major (T, N, F) tensor is not imported");
    old(g, n);
  };
}

OpHandler wrapUnsqueeze(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    const Value& x = g.in(n, 0);
    if (x.symbolic || x.zeros) {
      g.setOut(n, x.zeros ? zerosConst() : symbolicConst());
      return;
    }
    if (!x.isConst && !pending(x) && x.layout == Layout::Keras && g.rank(x) == 2 &&
        axesOf(g, n, 3) == std::vector<Index>{0}) {
      Value v = x;
      v.stateView = true;
      g.setOut(n, v);
      return;
    }
    old(g, n);
  };
}

OpHandler wrapShape(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    const Value& x = g.in(n, 0);
    bool known = !x.isConst && !pending(x) && x.layout != Layout::TimeMajor;
    if (known) {
      const Shape s = g.onnxShape(x);
      for (size_t i = 1; i < s.size(); ++i) known = known && s[i] != kNone;
    }
    if (!known && !x.isConst) {
      g.setOut(n, symbolicConst());
      return;
    }
    old(g, n);
  };
}

OpHandler wrapConcat(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    bool timeMajor = false;
    for (int i = 0; i < n.input_size(); ++i) {
      const Value& v = g.in(n, i);
      if (v.symbolic) {
        g.setOut(n, symbolicConst());
        return;
      }
      timeMajor = timeMajor || (!v.isConst && v.layout == Layout::TimeMajor);
    }
    if (timeMajor) {
      const Index axis = ImportGraph::intAttr(n, "axis", 0);
      if (axis != 2 && axis != -1)
        ImportGraph::fail(n,
                          "concatenating time-major (T, N, F) tensors over an axis other than "
                          "the features");
    }
    old(g, n);
  };
}

OpHandler wrapFlatten(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    const Value& x = g.in(n, 0);
    if (!x.isConst && x.layout == Layout::TimeMajor)
      ImportGraph::fail(n, "flattening a time-major (T, N, F) tensor is not imported");
    old(g, n);
  };
}

// Every other handler: recurrent views and runtime-shape constants are refused with a message
// (tensorIn / constIn say what the input is) before the handler reads them as plain values.
OpHandler guarded(OpHandler old) {
  return [old](ImportGraph& g, const Node& n) {
    for (int i = 0; i < n.input_size(); ++i) {
      if (!g.hasIn(n, i)) continue;
      const Value& v = g.in(n, i);
      if (pending(v)) g.tensorIn(n, i);
      if (v.symbolic || v.zeros) g.constIn(n, i);
    }
    old(g, n);
  };
}

// ---- Bidirectional merge folding -------------------------------------------------------------

struct Reader {
  NodeSpec* node = nullptr;  // null: a model output
  size_t port = 0;
};

std::vector<Reader> readersOf(ModelSpec& spec, const std::string& layer, int k) {
  std::vector<Reader> out;
  for (auto& node : spec.nodes)
    for (size_t p = 0; p < node.inputs.size(); ++p)
      if (node.inputs[p] == layer && node.inputTensor(p) == k) out.push_back({&node, p});
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    if (spec.outputs[i] == layer && spec.outputTensor(i) == k) out.push_back({nullptr, i});
  return out;
}

void pointAt(ModelSpec& spec, const Reader& r, const std::string& layer, int k) {
  if (r.node) {
    r.node->inputs[r.port] = layer;
    r.node->setInputTensor(r.port, k);
  } else {
    spec.outputs[r.port] = layer;
    spec.setOutputTensor(r.port, k);
  }
}

bool foldOne(ModelSpec& spec, const std::string& bi) {
  auto r0 = readersOf(spec, bi, 0), r1 = readersOf(spec, bi, 1);
  if (r0.size() != 1 || r1.size() != 1 || !r0[0].node || r0[0].node != r1[0].node) return false;
  NodeSpec& m = *r0[0].node;
  if (m.inputs.size() != 2 || r0[0].port != 0 || r1[0].port != 1) return false;
  std::string mode;
  if (m.className == "Concatenate" && m.config.value("axis", -1) == -1) mode = "concat";
  if (m.className == "Add") mode = "sum";
  if (m.className == "Multiply") mode = "mul";
  if (m.className == "Average") mode = "ave";
  if (mode.empty()) return false;
  std::string last = m.name;  // the layer whose readers read the merged output
  std::vector<std::string> drop = {m.name};
  auto mr = readersOf(spec, m.name, 0);
  if (mode == "sum" && mr.size() == 1 && mr[0].node && mr[0].node->className == "Rescaling" &&
      mr[0].node->config.value("scale", 1.0) == 0.5 &&
      mr[0].node->config.value("offset", 0.0) == 0) {
    mode = "ave";
    last = mr[0].node->name;
    drop.push_back(last);
  }
  for (const Reader& r : readersOf(spec, last, 0)) pointAt(spec, r, bi, 0);
  // The states move down one output (one merged output instead of two).
  for (auto& node : spec.nodes)
    for (size_t p = 0; p < node.inputs.size(); ++p)
      if (node.inputs[p] == bi && node.inputTensor(p) >= 2)
        node.setInputTensor(p, node.inputTensor(p) - 1);
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    if (spec.outputs[i] == bi && spec.outputTensor(i) >= 2)
      spec.setOutputTensor(i, spec.outputTensor(i) - 1);
  spec.find(bi)->config["merge_mode"] = mode;
  spec.nodes.erase(std::remove_if(spec.nodes.begin(), spec.nodes.end(),
                                  [&](const NodeSpec& n) {
                                    return std::find(drop.begin(), drop.end(), n.name) !=
                                           drop.end();
                                  }),
                   spec.nodes.end());
  return true;
}

}  // namespace

bool listedUnsupported(const onnx::GraphProto& graph, const onnx::NodeProto& n) {
  auto producer = [&](const std::string& t) -> const onnx::NodeProto* {
    for (const auto& p : graph.node())
      for (const auto& o : p.output())
        if (o == t) return &p;
    return nullptr;
  };
  // Expand / ConstantOfShape: read only for zeros (PyTorch's initial states).
  auto zeros = [](const onnx::TensorProto& t) {
    try {
      return allZero(constantOf(t));
    } catch (const Error&) {
      return false;
    }
  };
  if (n.op_type() == "ConstantOfShape") {
    const auto* a = ImportGraph::attr(n, "value");
    return a && !zeros(a->t());
  }
  if (n.op_type() == "Expand") {
    if (!n.input_size()) return true;
    for (const auto& init : graph.initializer())
      if (init.name() == n.input(0)) return !zeros(init);
    if (const auto* p = producer(n.input(0)))
      if (p->op_type() == "Constant")
        if (const auto* a = ImportGraph::attr(*p, "value")) return !zeros(a->t());
    return true;
  }
  if (n.op_type() != "Slice") return false;
  // Slices of PyTorch's zero initial states.
  if (const auto* p = n.input_size() ? producer(n.input(0)) : nullptr)
    if (p->op_type() == "ConstantOfShape" || p->op_type() == "Expand") return false;
  // A time reversal: steps -1.
  if (n.input_size() < 5 || n.input(4).empty()) return true;
  const std::string& steps = n.input(4);
  const onnx::TensorProto* t = nullptr;
  for (const auto& init : graph.initializer())
    if (init.name() == steps) t = &init;
  if (const auto* p = producer(steps))
    if (p->op_type() == "Constant")
      if (const auto* a = ImportGraph::attr(*p, "value")) t = &a->t();
  if (!t) return true;
  try {
    const Value v = constantOf(*t);
    return !(v.data.size() == 1 && v.data[0] == -1);
  } catch (const Error&) {
    return true;
  }
}

void foldBidirectionalMerges(ModelSpec& spec) {
  std::vector<std::string> bis;
  for (const auto& n : spec.nodes)
    if (n.className == "Bidirectional" && n.config.contains("merge_mode") &&
        n.config["merge_mode"].is_null())
      bis.push_back(n.name);
  for (const auto& b : bis) foldOne(spec, b);
}

void addRecurrentOps(std::map<std::string, OpHandler>& ops) {
  static const std::set<std::string> aware = {"Identity", "Dropout"};
  for (auto& [op, h] : ops)
    if (!aware.count(op)) h = guarded(h);
  ops["Transpose"] = wrapTranspose(ops["Transpose"]);
  ops["Gather"] = wrapGather(ops["Gather"]);
  ops["Reshape"] = wrapReshape(ops["Reshape"]);
  ops["Unsqueeze"] = wrapUnsqueeze(ops["Unsqueeze"]);
  ops["Shape"] = wrapShape(ops["Shape"]);
  ops["Concat"] = wrapConcat(ops["Concat"]);
  ops["Flatten"] = wrapFlatten(ops["Flatten"]);
  ops["LSTM"] = recurrentNode;
  ops["GRU"] = recurrentNode;
  ops["RNN"] = recurrentNode;
  ops["Squeeze"] = squeeze;
  ops["Slice"] = slice;
  ops["Expand"] = expand;
  ops["ConstantOfShape"] = constantOfShape;
  ops["Cast"] = cast;
}

}  // namespace tessel::onnximport
