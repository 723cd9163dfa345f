// The function table of the expression language: TensorFlow names and their keras.backend
// (K.) spellings, argument checking, and the composite functions (softmax, elu, ...).
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "engine/expr/ExprValue.h"

namespace tessel::exprparse {

namespace {

[[noreturn]] void fail(int pos, const std::string& m) {
  throw ExprError(pos, m);
}

// keras.backend names that differ from TensorFlow's.
const std::map<std::string, std::string>& backendNames() {
  static const std::map<std::string, std::string> m = {
      {"mean", "reduce_mean"},   {"sum", "reduce_sum"}, {"max", "reduce_max"},
      {"min", "reduce_min"},     {"dot", "matmul"},     {"clip", "clip_by_value"},
      {"concatenate", "concat"}, {"switch", "where"},   {"relu", "relu"},
      {"epsilon", "epsilon"}};
  return m;
}

const std::vector<std::string>& functionNames() {
  static const std::vector<std::string> names = {"square",
                                                 "sqrt",
                                                 "exp",
                                                 "log",
                                                 "log1p",
                                                 "softplus",
                                                 "relu",
                                                 "relu6",
                                                 "sigmoid",
                                                 "tanh",
                                                 "abs",
                                                 "negative",
                                                 "sign",
                                                 "reciprocal",
                                                 "softsign",
                                                 "elu",
                                                 "selu",
                                                 "swish",
                                                 "silu",
                                                 "softmax",
                                                 "add",
                                                 "subtract",
                                                 "multiply",
                                                 "divide",
                                                 "truediv",
                                                 "pow",
                                                 "maximum",
                                                 "minimum",
                                                 "squared_difference",
                                                 "less",
                                                 "less_equal",
                                                 "greater",
                                                 "greater_equal",
                                                 "equal",
                                                 "not_equal",
                                                 "where",
                                                 "clip_by_value",
                                                 "reduce_mean",
                                                 "reduce_sum",
                                                 "reduce_max",
                                                 "reduce_min",
                                                 "matmul",
                                                 "transpose",
                                                 "reshape",
                                                 "concat",
                                                 "cast",
                                                 "one_hot",
                                                 "constant",
                                                 "ones_like",
                                                 "zeros_like",
                                                 "epsilon",
                                                 "identity"};
  return names;
}

Value tensor(ExprId id, int pos) {
  Value v;
  v.kind = Value::Tensor;
  v.node = id;
  v.position = pos;
  return v;
}

// The shape of a nested list of numbers, read along its first items.
Shape listShape(const Value& v) {
  Shape shape;
  for (const Value* p = &v; p->kind == Value::List; p = &p->items[0]) {
    shape.insert(shape.end(), Index(p->items.size()));
    if (p->items.empty()) break;
  }
  return shape;
}

// Flattens a nested list of numbers of shape `shape` into `out`.
void flattenList(const Value& v, std::vector<float>& out, const Shape& shape, size_t depth) {
  if (v.kind == Value::Number || v.kind == Value::Bool) {
    if (depth != shape.size()) fail(v.position, "ragged constant list");
    out.push_back(float(v.number));
    return;
  }
  if (v.kind != Value::List) fail(v.position, "a constant list may hold only numbers");
  if (depth >= shape.size() || shape[depth] != Index(v.items.size()))
    fail(v.position, "ragged constant list");
  for (const Value& item : v.items) flattenList(item, out, shape, depth + 1);
}

struct Args {
  const Call& c;
  ExprGraph& g;
  // Argument `k` by position, or by keyword `key`; nullptr when absent.
  const Value* get(size_t k, const char* key) const {
    if (auto it = c.kwargs.find(key); it != c.kwargs.end()) return &it->second;
    return k < c.args.size() ? &c.args[k] : nullptr;
  }
  ExprId node(size_t k, const char* key) const {
    const Value* v = get(k, key);
    if (!v || v->kind == Value::None)
      fail(c.position, c.written + ": missing argument '" + key + "'");
    return toNode(g, *v);
  }
  int axisOf(const Value& v, size_t rank) const {
    if (v.kind != Value::Number || !v.isInt) fail(v.position, "an axis must be an integer");
    const long a = long(v.number) < 0 ? long(v.number) + long(rank) : long(v.number);
    if (a < 0 || a >= long(rank))
      fail(v.position, "axis " + std::to_string(long(v.number)) + " is out of range for rank " +
                           std::to_string(rank));
    return int(a);
  }
  // axis=None | int | [ints] against a tensor of rank `rank` (sorted, unique).
  std::vector<int> axes(const Value* v, size_t rank) const {
    std::vector<int> out;
    if (!v || v->kind == Value::None) return out;
    if (v->kind == Value::List)
      for (const Value& i : v->items) out.push_back(axisOf(i, rank));
    else
      out.push_back(axisOf(*v, rank));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  bool flag(size_t k, const char* key, bool def) const {
    const Value* v = get(k, key);
    if (!v || v->kind == Value::None) return def;
    if (v->kind != Value::Bool && v->kind != Value::Number)
      fail(v->position, std::string(key) + " must be True or False");
    return v->number != 0;
  }
  Shape ints(const Value* v, const char* what) const {
    Shape out;
    if (!v || v->kind != Value::List)
      fail(v ? v->position : c.position, std::string(what) + " must be a list of integers");
    for (const Value& i : v->items) {
      if (i.kind == Value::None) {
        out.push_back(-1);
        continue;
      }
      if (i.kind != Value::Number || !i.isInt)
        fail(i.position, std::string(what) + " must be a list of integers");
      out.push_back(Index(i.number));
    }
    return out;
  }
  void count(size_t lo, size_t hi) const {
    if (c.args.size() + c.kwargs.size() < lo || c.args.size() > hi)
      fail(c.position, c.written + " takes " + std::to_string(lo) +
                           (hi != lo ? " to " + std::to_string(hi) : "") + " arguments");
  }
};

ExprId add(ExprGraph& g, ExprOp op, std::vector<ExprId> in, int pos, ExprAttrs at = {}) {
  return g.add(op, std::move(in), std::move(at), pos);
}

ExprId softmax(ExprGraph& g, ExprId x, int axis, int pos) {
  ExprAttrs r;
  r.axes = {axis};
  r.keepdims = true;
  const ExprId m = add(g, ExprOp::ReduceMax, {x}, pos, r);
  const ExprId e = add(g, ExprOp::Exp, {add(g, ExprOp::Sub, {x, m}, pos)}, pos);
  return add(g, ExprOp::Div, {e, add(g, ExprOp::ReduceSum, {e}, pos, r)}, pos);
}

ExprId elu(ExprGraph& g, ExprId x, float alpha, float scale, int pos) {
  const ExprId c0 = g.constant(0.0f, pos);
  const ExprId neg = add(g, ExprOp::Mul,
                         {g.constant(alpha, pos),
                          add(g, ExprOp::Sub,
                              {add(g, ExprOp::Exp, {add(g, ExprOp::Minimum, {x, c0}, pos)}, pos),
                               g.constant(1.0f, pos)},
                              pos)},
                         pos);
  ExprId r = add(g, ExprOp::Where, {add(g, ExprOp::Greater, {x, c0}, pos), x, neg}, pos);
  if (scale != 1.0f) r = add(g, ExprOp::Mul, {g.constant(scale, pos), r}, pos);
  return r;
}

}  // namespace

ExprId toNode(ExprGraph& g, const Value& v) {
  switch (v.kind) {
    case Value::Tensor:
      return v.node;
    case Value::Number:
    case Value::Bool:
      return g.constant(float(v.number), v.position);
    case Value::List: {
      if (!v.items.empty() && v.items[0].kind == Value::Tensor)
        fail(v.position, "a list of tensors is not a tensor here (use tf.concat or tf.stack)");
      std::vector<float> values;
      const Shape shape = listShape(v);
      flattenList(v, values, shape, 0);
      return g.constant(Tensor(shape, values), v.position);
    }
    default:
      break;
  }
  fail(v.position, "expected a tensor or a number");
}

std::string canonicalFunction(const std::string& dotted) {
  static const char* const tfPrefixes[] = {"tf.keras.activations.",
                                           "keras.activations.",
                                           "tf.math.",
                                           "tf.nn.",
                                           "tf.linalg.",
                                           "tf.",
                                           "math."};
  static const char* const backendPrefixes[] = {"tf.keras.backend.", "keras.backend.", "backend.",
                                                "K."};
  std::string name;
  for (const char* p : backendPrefixes)
    if (dotted.rfind(p, 0) == 0) {
      name = dotted.substr(std::string(p).size());
      if (auto it = backendNames().find(name); it != backendNames().end()) return it->second;
      break;
    }
  if (name.empty())
    for (const char* p : tfPrefixes)
      if (dotted.rfind(p, 0) == 0) {
        name = dotted.substr(std::string(p).size());
        break;
      }
  if (name.empty()) return "";
  const auto& names = functionNames();
  return std::find(names.begin(), names.end(), name) != names.end() ? name : "";
}

ExprId applyActivation(ExprGraph& g, const std::string& name, ExprId x, int pos) {
  static const std::map<std::string, ExprOp> unary = {{"relu", ExprOp::Relu},
                                                      {"sigmoid", ExprOp::Sigmoid},
                                                      {"tanh", ExprOp::Tanh},
                                                      {"softplus", ExprOp::Softplus},
                                                      {"exponential", ExprOp::Exp}};
  if (name.empty() || name == "linear" || name == "None") return x;
  if (auto it = unary.find(name); it != unary.end()) return g.add(it->second, {x}, {}, pos);
  if (name == "softmax") return softmax(g, x, int(g.shape(x).size()) - 1, pos);
  if (name == "elu") return elu(g, x, 1.0f, 1.0f, pos);
  if (name == "selu")
    return elu(g, x, 1.6732632423543772848170429916717f, 1.0507009873554804934193349852946f, pos);
  if (name == "swish" || name == "silu")
    return g.add(ExprOp::Mul, {x, g.add(ExprOp::Sigmoid, {x}, {}, pos)}, {}, pos);
  fail(pos, "unknown activation '" + name +
                "' (known: linear, relu, sigmoid, tanh, softplus, exponential, softmax, elu, "
                "selu, swish)");
}

// Long by design: one entry per function of the language.
Value callFunction(ExprGraph& g, const Call& call) {
  const Args a{call, g};
  const int pos = call.position;
  const std::string& f = call.name;
  static const std::map<std::string, ExprOp> unary = {
      {"square", ExprOp::Square},   {"sqrt", ExprOp::Sqrt},         {"exp", ExprOp::Exp},
      {"log", ExprOp::Log},         {"softplus", ExprOp::Softplus}, {"relu", ExprOp::Relu},
      {"sigmoid", ExprOp::Sigmoid}, {"tanh", ExprOp::Tanh},         {"abs", ExprOp::Abs},
      {"negative", ExprOp::Neg},    {"sign", ExprOp::Sign}};
  static const std::map<std::string, ExprOp> binary = {
      {"add", ExprOp::Add},         {"subtract", ExprOp::Sub},
      {"multiply", ExprOp::Mul},    {"divide", ExprOp::Div},
      {"truediv", ExprOp::Div},     {"pow", ExprOp::Pow},
      {"maximum", ExprOp::Maximum}, {"minimum", ExprOp::Minimum},
      {"less", ExprOp::Less},       {"less_equal", ExprOp::LessEqual},
      {"greater", ExprOp::Greater}, {"greater_equal", ExprOp::GreaterEqual},
      {"equal", ExprOp::Equal},     {"not_equal", ExprOp::NotEqual}};
  if (auto it = unary.find(f); it != unary.end()) {
    a.count(1, 1);
    return tensor(add(g, it->second, {a.node(0, "x")}, pos), pos);
  }
  if (auto it = binary.find(f); it != binary.end()) {
    a.count(2, 2);
    return tensor(add(g, it->second, {a.node(0, "x"), a.node(1, "y")}, pos), pos);
  }
  if (f == "identity") return tensor(a.node(0, "input"), pos);
  if (f == "epsilon") {
    Value v;
    v.kind = Value::Number;
    v.number = 1e-7;
    v.position = pos;
    return v;
  }
  if (f == "log1p")
    return tensor(add(g, ExprOp::Log,
                      {add(g, ExprOp::Add, {g.constant(1.0f, pos), a.node(0, "x")}, pos)}, pos),
                  pos);
  if (f == "reciprocal")
    return tensor(add(g, ExprOp::Div, {g.constant(1.0f, pos), a.node(0, "x")}, pos), pos);
  if (f == "relu6")
    return tensor(add(g, ExprOp::Clip,
                      {a.node(0, "features"), g.constant(0.0f, pos), g.constant(6.0f, pos)}, pos),
                  pos);
  if (f == "softsign") {
    const ExprId x = a.node(0, "features");
    return tensor(
        add(g, ExprOp::Div,
            {x, add(g, ExprOp::Add, {g.constant(1.0f, pos), add(g, ExprOp::Abs, {x}, pos)}, pos)},
            pos),
        pos);
  }
  if (f == "elu" || f == "selu" || f == "swish" || f == "silu")
    return tensor(applyActivation(g, f, a.node(0, "features"), pos), pos);
  if (f == "softmax") {
    const ExprId x = a.node(0, "logits");
    const Value* ax = a.get(1, "axis");
    const int axis = ax ? a.axisOf(*ax, g.shape(x).size()) : int(g.shape(x).size()) - 1;
    return tensor(softmax(g, x, axis, pos), pos);
  }
  if (f == "squared_difference")
    return tensor(
        add(g, ExprOp::Square, {add(g, ExprOp::Sub, {a.node(0, "x"), a.node(1, "y")}, pos)}, pos),
        pos);
  if (f == "where") {
    a.count(3, 3);
    return tensor(
        add(g, ExprOp::Where, {a.node(0, "condition"), a.node(1, "x"), a.node(2, "y")}, pos), pos);
  }
  if (f == "clip_by_value") {
    const ExprId x = a.node(0, "t");
    const Value* lo = a.get(1, "clip_value_min");
    const Value* hi = a.get(2, "clip_value_max");
    if (!lo) lo = a.get(1, "min_value");
    if (!hi) hi = a.get(2, "max_value");
    if (!lo || !hi) fail(pos, call.written + ": needs a minimum and a maximum");
    return tensor(add(g, ExprOp::Clip, {x, toNode(g, *lo), toNode(g, *hi)}, pos), pos);
  }
  if (f.rfind("reduce_", 0) == 0) {
    const ExprId x = a.node(0, "input_tensor");
    ExprAttrs at;
    at.axes = a.axes(a.get(1, "axis"), g.shape(x).size());
    at.keepdims = a.flag(2, "keepdims", false) || a.flag(99, "keep_dims", false);
    if (at.axes.size() == g.shape(x).size()) at.axes.clear();
    const ExprOp op = f == "reduce_mean"  ? ExprOp::ReduceMean
                      : f == "reduce_sum" ? ExprOp::ReduceSum
                      : f == "reduce_max" ? ExprOp::ReduceMax
                                          : ExprOp::ReduceMin;
    return tensor(add(g, op, {x}, pos, at), pos);
  }
  if (f == "matmul") {
    ExprAttrs at;
    at.transposeA = a.flag(2, "transpose_a", false);
    at.transposeB = a.flag(3, "transpose_b", false);
    return tensor(add(g, ExprOp::MatMul, {a.node(0, "a"), a.node(1, "b")}, pos, at), pos);
  }
  if (f == "transpose") {
    const ExprId x = a.node(0, "a");
    const size_t r = g.shape(x).size();
    ExprAttrs at;
    const Value* p = a.get(1, "perm");
    if (!p || p->kind == Value::None) {
      for (size_t k = r; k-- > 0;) at.perm.push_back(int(k));
    } else {
      for (Index v : a.ints(p, "perm")) at.perm.push_back(int(v < 0 ? v + Index(r) : v));
      std::vector<int> sorted = at.perm;
      std::sort(sorted.begin(), sorted.end());
      for (size_t k = 0; k < sorted.size(); ++k)
        if (sorted[k] != int(k)) fail(p->position, "perm must be a permutation of the axes");
    }
    return tensor(add(g, ExprOp::Transpose, {x}, pos, at), pos);
  }
  if (f == "reshape") {
    ExprAttrs at;
    at.shape = a.ints(a.get(1, "shape"), "shape");
    return tensor(add(g, ExprOp::Reshape, {a.node(0, "tensor")}, pos, at), pos);
  }
  if (f == "concat") {
    const Value* vs = a.get(0, "values");
    if (!vs || vs->kind != Value::List || vs->items.empty())
      fail(pos, call.written + ": needs a list of tensors");
    std::vector<ExprId> ins;
    for (const Value& v : vs->items) ins.push_back(toNode(g, v));
    const Value* ax = a.get(1, "axis");
    ExprAttrs at;
    Value def;
    def.kind = Value::Number;
    def.isInt = true;
    def.number = -1;
    def.position = pos;
    at.axis = a.axisOf(ax ? *ax : def, g.shape(ins[0]).size());
    return tensor(add(g, ExprOp::Concat, ins, pos, at), pos);
  }
  if (f == "cast") {
    const ExprId x = a.node(0, "x");
    const Value* dt = a.get(1, "dtype");
    if (!dt || (dt->kind != Value::Dtype && dt->kind != Value::String))
      fail(pos, call.written + ": needs a dtype (tf.float32, tf.int32, tf.bool, ...)");
    const std::string& t = dt->text;
    if (t.rfind("float", 0) == 0) return tensor(x, pos);
    if (t == "bool") return tensor(add(g, ExprOp::NotEqual, {x, g.constant(0.0f, pos)}, pos), pos);
    if (t.find("int") != std::string::npos) return tensor(add(g, ExprOp::Trunc, {x}, pos), pos);
    fail(dt->position, "unknown dtype '" + t + "'");
  }
  if (f == "one_hot") {
    const ExprId x = a.node(0, "indices");
    const Value* d = a.get(1, "depth");
    if (!d || d->kind != Value::Number || !d->isInt || d->number < 1)
      fail(pos, call.written + ": depth must be a positive integer");
    ExprAttrs at;
    at.depth = Index(d->number);
    if (const Value* on = a.get(2, "on_value")) at.onValue = float(on->number);
    if (const Value* off = a.get(3, "off_value")) at.offValue = float(off->number);
    if (const Value* ax = a.get(4, "axis"); ax && ax->kind != Value::None && ax->number != -1)
      fail(ax->position, "one_hot supports only axis=-1");
    return tensor(add(g, ExprOp::OneHot, {x}, pos, at), pos);
  }
  if (f == "constant") {
    const Value* v = a.get(0, "value");
    if (!v) fail(pos, call.written + ": needs a value");
    return tensor(toNode(g, *v), pos);
  }
  if (f == "ones_like" || f == "zeros_like") {
    const ExprId x = a.node(0, "input");
    return tensor(
        add(g, ExprOp::BroadcastLike, {g.constant(f == "ones_like" ? 1.0f : 0.0f, pos), x}, pos),
        pos);
  }
  fail(pos, "unknown function '" + call.written + "'");
}

}  // namespace tessel::exprparse
