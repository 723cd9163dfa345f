// ONNX export of the expression layers: the forward expression graph op by op.
#include "engine/io/onnx/OnnxExpressionLayers.h"

#include <limits>

#include "engine/expr/ExprError.h"
#include "engine/expr/ExprLayerProgram.h"
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/layers/CustomLayer.h"
#include "engine/layers/Lambda.h"

namespace tessel::onnxexport {

namespace {

using B = OnnxGraphBuilder;
constexpr std::int64_t kOnnxBool = 9;  // TensorProto.BOOL (not in our trimmed schema copy)

// The layer's program for the node's input shapes (weights by the exporter's weight shapes).
std::unique_ptr<ExprLayerProgram> programOf(const OnnxNode& n) {
  std::vector<Shape> ins = n.shapes ? n.shapes->inputs : std::vector<Shape>{};
  if (n.className == "Lambda")
    return std::make_unique<ExprLayerProgram>(Lambda(n.config).programSpec(ins));
  if (ins.empty()) throw Error("no input shape");
  return std::make_unique<ExprLayerProgram>(CustomLayer(n.config).programSpec(ins[0]));
}

// Long by design: one mapping per op.
std::string emit(B& b, const ExprGraph& g, ExprId id, const std::vector<std::string>& v,
                 const std::string& base, const std::string& out) {
  const ExprNode& e = g.node(id);
  auto in = [&](size_t k) { return v[size_t(e.inputs[k])]; };
  const std::string name = b.fresh(base + "_" + exprOpName(e.op));
  const std::string o = out.empty() ? b.fresh(name) : out;
  static const std::map<ExprOp, const char*> direct = {
      {ExprOp::Neg, "Neg"},         {ExprOp::Sqrt, "Sqrt"},         {ExprOp::Exp, "Exp"},
      {ExprOp::Log, "Log"},         {ExprOp::Softplus, "Softplus"}, {ExprOp::Relu, "Relu"},
      {ExprOp::Sigmoid, "Sigmoid"}, {ExprOp::Tanh, "Tanh"},         {ExprOp::Abs, "Abs"},
      {ExprOp::Sign, "Sign"},       {ExprOp::Add, "Add"},           {ExprOp::Sub, "Sub"},
      {ExprOp::Mul, "Mul"},         {ExprOp::Div, "Div"},           {ExprOp::Pow, "Pow"},
      {ExprOp::Maximum, "Max"},     {ExprOp::Minimum, "Min"},       {ExprOp::MatMul, "MatMul"}};
  static const std::map<ExprOp, const char*> compare = {
      {ExprOp::Less, "Less"},       {ExprOp::LessEqual, "LessOrEqual"},
      {ExprOp::Greater, "Greater"}, {ExprOp::GreaterEqual, "GreaterOrEqual"},
      {ExprOp::Equal, "Equal"},     {ExprOp::NotEqual, "Equal"}};
  std::vector<std::string> ins;
  for (size_t k = 0; k < e.inputs.size(); ++k) ins.push_back(in(k));
  if (e.op == ExprOp::MatMul && (e.attrs.transposeA || e.attrs.transposeB)) {
    for (int k = 0; k < 2; ++k) {
      if (!(k == 0 ? e.attrs.transposeA : e.attrs.transposeB)) continue;
      const size_t r = g.shape(e.inputs[size_t(k)]).size();
      std::vector<Index> perm;
      for (size_t d = 0; d < r; ++d) perm.push_back(Index(d));
      std::swap(perm[r - 1], perm[r - 2]);
      const std::string t = b.fresh(name + "_t");
      B::attr(b.node("Transpose", {ins[size_t(k)]}, t, b.fresh(name + "_transpose")), "perm", perm);
      ins[size_t(k)] = t;
    }
  }
  if (auto it = direct.find(e.op); it != direct.end()) {
    b.node(it->second, ins, o, name);
    return o;
  }
  if (auto it = compare.find(e.op); it != compare.end()) {
    std::string c = b.fresh(name + "_bool");
    b.node(it->second, ins, c, name);
    if (e.op == ExprOp::NotEqual) {
      const std::string nc = b.fresh(name + "_not");
      b.node("Not", {c}, nc, b.fresh(name + "_not"));
      c = nc;
    }
    B::attr(b.node("Cast", {c}, o, b.fresh(name + "_cast")), "to",
            std::int64_t(onnx::TensorProto::FLOAT));
    return o;
  }
  switch (e.op) {
    case ExprOp::Square:
      b.node("Mul", {ins[0], ins[0]}, o, name);
      return o;
    case ExprOp::Trunc: {
      const std::string i = b.fresh(name + "_int");
      B::attr(b.node("Cast", {ins[0]}, i, b.fresh(name + "_to_int")), "to",
              std::int64_t(onnx::TensorProto::INT32));
      B::attr(b.node("Cast", {i}, o, name), "to", std::int64_t(onnx::TensorProto::FLOAT));
      return o;
    }
    case ExprOp::Where: {
      const std::string c = b.fresh(name + "_cond");
      B::attr(b.node("Cast", {ins[0]}, c, b.fresh(name + "_cast")), "to", kOnnxBool);
      b.node("Where", {c, ins[1], ins[2]}, o, name);
      return o;
    }
    case ExprOp::Clip: {
      const std::string lo = b.fresh(name + "_lo");
      b.node("Max", {ins[0], ins[1]}, lo, b.fresh(name + "_max"));
      b.node("Min", {lo, ins[2]}, o, name);
      return o;
    }
    case ExprOp::ReduceSum:
    case ExprOp::ReduceMean:
    case ExprOp::ReduceMax:
    case ExprOp::ReduceMin: {
      const char* op = e.op == ExprOp::ReduceSum    ? "ReduceSum"
                       : e.op == ExprOp::ReduceMean ? "ReduceMean"
                       : e.op == ExprOp::ReduceMax  ? "ReduceMax"
                                                    : "ReduceMin";
      std::vector<Index> axes(e.attrs.axes.begin(), e.attrs.axes.end());
      onnx::NodeProto* node;
      if (e.op == ExprOp::ReduceSum && !axes.empty())
        node = b.node(op, {ins[0], b.intInit(name + "_axes", axes)}, o, name);
      else
        node = b.node(op, {ins[0]}, o, name);
      if (e.op != ExprOp::ReduceSum && !axes.empty()) B::attr(node, "axes", axes);
      B::attr(node, "keepdims", std::int64_t(e.attrs.keepdims));
      return o;
    }
    case ExprOp::Transpose: {
      std::vector<Index> perm(e.attrs.perm.begin(), e.attrs.perm.end());
      B::attr(b.node("Transpose", ins, o, name), "perm", perm);
      return o;
    }
    case ExprOp::Reshape:
      b.node("Reshape", {ins[0], b.intInit(name + "_shape", e.attrs.shape)}, o, name);
      return o;
    case ExprOp::Concat:
      B::attr(b.node("Concat", ins, o, name), "axis", std::int64_t(e.attrs.axis));
      return o;
    case ExprOp::OneHot: {
      const std::string depth = b.intInit(name + "_depth", {e.attrs.depth});
      const std::string vals =
          b.floatInit(name + "_values", {2}, {e.attrs.offValue, e.attrs.onValue});
      B::attr(b.node("OneHot", {ins[0], depth, vals}, o, name), "axis", std::int64_t(-1));
      return o;
    }
    case ExprOp::Slice: {
      std::vector<Index> starts, ends, axes, steps, squeeze;
      for (size_t d = 0; d < e.attrs.slices.size(); ++d) {
        const ExprSliceAxis& s = e.attrs.slices[d];
        const Index big = std::numeric_limits<std::int64_t>::max();
        if (s.isIndex) {
          starts.push_back(s.start);
          ends.push_back(s.start == -1 ? big : s.start + 1);
          steps.push_back(1);
          squeeze.push_back(Index(d));
        } else {
          starts.push_back(s.hasStart ? s.start : (s.step > 0 ? 0 : big));
          ends.push_back(s.hasStop ? s.stop : (s.step > 0 ? big : -big - 1));
          steps.push_back(s.step);
        }
        axes.push_back(Index(d));
      }
      const std::string sliced = squeeze.empty() ? o : b.fresh(name + "_sliced");
      b.node("Slice",
             {ins[0], b.intInit(name + "_starts", starts), b.intInit(name + "_ends", ends),
              b.intInit(name + "_axes", axes), b.intInit(name + "_steps", steps)},
             sliced, name);
      if (!squeeze.empty())
        b.node("Squeeze", {sliced, b.intInit(name + "_squeeze", squeeze)}, o,
               b.fresh(name + "_squeeze"));
      return o;
    }
    default:
      break;
  }
  throw Error(std::string("the expression op '") + exprOpName(e.op) + "' has no ONNX form");
}

}  // namespace

void expressionLayer(OnnxGraphBuilder& b, const OnnxNode& n) {
  const auto program = programOf(n);
  const ExprGraph& g = program->graph();
  std::vector<std::string> v(g.size());
  const std::vector<ExprId>& vars = program->variables();
  const size_t nIn = n.spec.inputs.size();
  std::vector<std::pair<std::string, Shape>> weights;
  if (vars.size() > nIn) weights = CustomLayer(n.config).programSpec(n.inputShape(0)).weights;
  for (size_t k = 0; k < vars.size(); ++k) {
    if (k < nIn) {
      v[size_t(vars[k])] = b.keras(n.input(k));
    } else {
      const std::string& var = weights[k - nIn].first;
      const Tensor& w = b.weight(n.name(), var);
      v[size_t(vars[k])] = b.floatInit(n.name() + "_" + var, w.shape(), w.toVector());
    }
  }
  for (size_t i = 0; i < g.size(); ++i) {
    const ExprNode& e = g.node(ExprId(i));
    if (e.op == ExprOp::Input) continue;
    if (e.op == ExprOp::Constant) {
      v[i] = b.floatInit(n.name() + "_const", e.shape, e.attrs.constant->toVector());
      continue;
    }
    v[i] = emit(b, g, ExprId(i), v, n.name(), ExprId(i) == program->output() ? n.out : "");
  }
  const ExprOp outOp = g.node(program->output()).op;
  if (outOp == ExprOp::Input || outOp == ExprOp::Constant)
    b.node("Identity", {v[size_t(program->output())]}, n.out, b.fresh(n.name() + "_identity"));
  b.setKeras(n.name(), n.out);
}

std::string expressionLayerUnsupported(const OnnxNode& n) {
  try {
    programOf(n);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace tessel::onnxexport
