#include "engine/expr/ExprParser.h"

#include <cmath>

#include "engine/expr/ExprLexer.h"
#include "engine/expr/ExprValue.h"

namespace tessel {

namespace {

using exprparse::Value;

class Parser {
 public:
  Parser(ExprGraph& g, std::vector<ExprToken> toks, ExprScope scope, const ExprLimits& lim)
      : g_(g), t_(std::move(toks)), scope_(std::move(scope)), lim_(lim) {}

  ExprId parseAll() {
    lambdaPrefix();
    Value v = expr();
    if (peek().kind != ExprToken::End)
      fail(peek().position, "unexpected '" + peek().text + "' after the expression");
    if (v.kind == Value::List || v.kind == Value::String || v.kind == Value::None ||
        v.kind == Value::Dtype)
      fail(v.position, "the expression must give a tensor or a number");
    return exprparse::toNode(g_, v);
  }

 private:
  [[noreturn]] void fail(int pos, const std::string& m) { throw ExprError(pos, m); }
  const ExprToken& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  bool isOp(const char* op, size_t k = 0) const {
    return peek(k).kind == ExprToken::Op && peek(k).text == op;
  }
  bool accept(const char* op) {
    if (!isOp(op)) return false;
    ++i_;
    return true;
  }
  void expect(const char* op) {
    if (!accept(op))
      fail(peek().position, std::string("expected '") + op + "'" +
                                (peek().kind == ExprToken::End ? " before the end"
                                                               : ", found '" + peek().text + "'"));
  }
  struct Depth {
    Parser& p;
    Depth(Parser& parser, int pos) : p(parser) {
      if (++p.depth_ > p.lim_.maxDepth)
        p.fail(pos, "the expression is nested too deeply (more than " +
                        std::to_string(p.lim_.maxDepth) + " levels)");
    }
    ~Depth() { --p.depth_; }
  };

  // `lambda a, b: body` binds a, b to the scope's positional names.
  void lambdaPrefix() {
    if (peek().kind != ExprToken::Name || peek().text != "lambda") return;
    ++i_;
    std::vector<ExprToken> names;
    while (peek().kind == ExprToken::Name) {
      names.push_back(peek());
      ++i_;
      if (!accept(",")) break;
    }
    expect(":");
    if (names.size() > scope_.positional.size())
      fail(names.back().position, "this lambda takes " + std::to_string(names.size()) +
                                      " arguments; here it gets " +
                                      std::to_string(scope_.positional.size()));
    ExprScope bound = scope_;
    for (size_t k = 0; k < names.size(); ++k) {
      const std::string& from = scope_.positional[k];
      const std::string& to = names[k].text;
      if (scope_.tensors.count(from)) bound.tensors[to] = scope_.tensors.at(from);
      if (scope_.lists.count(from)) bound.lists[to] = scope_.lists.at(from);
    }
    scope_ = std::move(bound);
  }

  Value expr() {
    Depth d(*this, peek().position);
    return compare();
  }

  Value binary(ExprOp op, Value a, Value b, int pos) {
    if (a.kind == Value::Number && b.kind == Value::Number && !isComparison(op)) {
      Value r;
      r.kind = Value::Number;
      r.position = pos;
      r.isInt = a.isInt && b.isInt && op != ExprOp::Div;
      const double x = a.number, y = b.number;
      switch (op) {
        case ExprOp::Add:
          r.number = x + y;
          break;
        case ExprOp::Sub:
          r.number = x - y;
          break;
        case ExprOp::Mul:
          r.number = x * y;
          break;
        case ExprOp::Div:
          r.number = x / y;
          break;
        case ExprOp::Pow:
          r.number = std::pow(x, y);
          break;
        default:
          break;
      }
      if (r.isInt && op == ExprOp::Pow && y < 0) r.isInt = false;
      if (!(std::abs(r.number) <= 9e15)) r.isInt = false;
      return r;
    }
    Value r;
    r.kind = Value::Tensor;
    r.position = pos;
    ExprAttrs at;
    r.node = g_.add(op, {exprparse::toNode(g_, a), exprparse::toNode(g_, b)}, at, pos);
    return r;
  }

  Value compare() {
    Value a = sum();
    static const std::pair<const char*, ExprOp> ops[] = {
        {"<", ExprOp::Less},          {"<=", ExprOp::LessEqual}, {">", ExprOp::Greater},
        {">=", ExprOp::GreaterEqual}, {"==", ExprOp::Equal},     {"!=", ExprOp::NotEqual}};
    for (const auto& [s, op] : ops)
      if (isOp(s)) {
        const int pos = peek().position;
        ++i_;
        return binary(op, a, sum(), pos);
      }
    return a;
  }

  Value sum() {
    Value a = term();
    while (isOp("+") || isOp("-")) {
      const ExprOp op = isOp("+") ? ExprOp::Add : ExprOp::Sub;
      const int pos = peek().position;
      ++i_;
      a = binary(op, a, term(), pos);
    }
    return a;
  }

  Value term() {
    Value a = unary();
    while (isOp("*") || isOp("/") || isOp("@")) {
      const std::string op = peek().text;
      const int pos = peek().position;
      ++i_;
      Value b = unary();
      if (op == "@") {
        Value r;
        r.kind = Value::Tensor;
        r.position = pos;
        r.node =
            g_.add(ExprOp::MatMul, {exprparse::toNode(g_, a), exprparse::toNode(g_, b)}, {}, pos);
        a = r;
      } else {
        a = binary(op == "*" ? ExprOp::Mul : ExprOp::Div, a, b, pos);
      }
    }
    if (isOp("//")) fail(peek().position, "floor division '//' is not supported");
    return a;
  }

  Value unary() {
    if (isOp("-") || isOp("+")) {
      const bool neg = isOp("-");
      const int pos = peek().position;
      Depth d(*this, pos);
      ++i_;
      Value v = unary();
      if (!neg) return v;
      if (v.kind == Value::Number) {
        v.number = -v.number;
        v.position = pos;
        return v;
      }
      Value r;
      r.kind = Value::Tensor;
      r.position = pos;
      r.node = g_.add(ExprOp::Neg, {exprparse::toNode(g_, v)}, {}, pos);
      return r;
    }
    return power();
  }

  Value power() {
    Value a = postfix();
    if (isOp("**")) {
      const int pos = peek().position;
      ++i_;
      Value b = unary();
      if (b.kind == Value::Number && b.number == 2 && a.kind == Value::Tensor) {
        Value r;
        r.kind = Value::Tensor;
        r.position = pos;
        r.node = g_.add(ExprOp::Square, {a.node}, {}, pos);
        return r;
      }
      return binary(ExprOp::Pow, a, b, pos);
    }
    return a;
  }

  Value postfix();
  Value primary();
  Value subscript(Value base);
  Value callArgs(const std::string& dotted, int pos);
  Value name(const std::string& dotted, int pos);

  ExprGraph& g_;
  std::vector<ExprToken> t_;
  size_t i_ = 0;
  ExprScope scope_;
  ExprLimits lim_;
  int depth_ = 0;
};

Value Parser::postfix() {
  Value v = primary();
  while (isOp("[")) v = subscript(v);
  return v;
}

Value Parser::primary() {
  const ExprToken tok = peek();
  Depth d(*this, tok.position);
  Value v;
  v.position = tok.position;
  switch (tok.kind) {
    case ExprToken::Number:
      ++i_;
      v.kind = Value::Number;
      v.number = tok.number;
      v.isInt = tok.isInt;
      return v;
    case ExprToken::String:
      ++i_;
      v.kind = Value::String;
      v.text = tok.text;
      return v;
    case ExprToken::Name: {
      ++i_;
      std::string dotted = tok.text;
      while (isOp(".") && peek(1).kind == ExprToken::Name) {
        dotted += "." + peek(1).text;
        i_ += 2;
      }
      if (isOp(".")) fail(peek().position, "expected a name after '.'");
      if (isOp("(")) return callArgs(dotted, tok.position);
      return name(dotted, tok.position);
    }
    case ExprToken::Op:
      if (accept("(")) {
        Value inner = expr();
        if (isOp(",")) fail(peek().position, "tuples are not supported here; use a list [a, b]");
        expect(")");
        return inner;
      }
      if (accept("[")) {
        v.kind = Value::List;
        while (!isOp("]")) {
          v.items.push_back(expr());
          if (!accept(",")) break;
        }
        expect("]");
        return v;
      }
      fail(tok.position, "unexpected '" + tok.text + "'");
    case ExprToken::End:
      fail(tok.position, "the expression ends too early");
  }
  fail(tok.position, "unexpected token");
}

Value Parser::name(const std::string& n, int pos) {
  Value v;
  v.position = pos;
  if (n == "None") return v;
  if (n == "True" || n == "False") {
    v.kind = Value::Bool;
    v.number = n == "True";
    return v;
  }
  static const char* const dtypes[] = {"float32", "float64", "float16", "int32", "int64",
                                       "int8",    "int16",   "uint8",   "bool"};
  for (const char* dt : dtypes)
    if (n == std::string("tf.") + dt || n == std::string("np.") + dt) {
      v.kind = Value::Dtype;
      v.text = dt;
      return v;
    }
  if (n == "math.pi" || n == "np.pi" || n == "tf.experimental.numpy.pi" || n == "math.e") {
    v.kind = Value::Number;
    v.number = n == "math.e" ? M_E : M_PI;
    return v;
  }
  if (auto it = scope_.tensors.find(n); it != scope_.tensors.end()) {
    v.kind = Value::Tensor;
    v.node = it->second;
    return v;
  }
  if (auto it = scope_.lists.find(n); it != scope_.lists.end()) {
    v.kind = Value::List;
    for (ExprId id : it->second) {
      Value item;
      item.kind = Value::Tensor;
      item.node = id;
      item.position = pos;
      v.items.push_back(item);
    }
    return v;
  }
  if (auto it = scope_.numbers.find(n); it != scope_.numbers.end()) {
    v.kind = Value::Number;
    v.number = it->second;
    v.isInt = std::floor(it->second) == it->second;
    return v;
  }
  if (auto it = scope_.strings.find(n); it != scope_.strings.end()) {
    v.kind = Value::String;
    v.text = it->second;
    return v;
  }
  if (scope_.unknownName && n.find('.') == std::string::npos) {
    const ExprId id = scope_.unknownName(n, pos);
    if (id >= 0) {
      scope_.tensors[n] = id;
      v.kind = Value::Tensor;
      v.node = id;
      return v;
    }
  }
  std::string known;
  for (const auto& [k, _] : scope_.tensors) known += (known.empty() ? "" : ", ") + k;
  for (const auto& [k, _] : scope_.lists) known += (known.empty() ? "" : ", ") + k;
  for (const auto& [k, _] : scope_.numbers) known += (known.empty() ? "" : ", ") + k;
  fail(pos, "unknown name '" + n + "'" + (known.empty() ? "" : " (known: " + known + ")"));
}

Value Parser::callArgs(const std::string& dotted, int pos) {
  expect("(");
  exprparse::Call call;
  call.written = dotted;
  call.position = pos;
  while (!isOp(")")) {
    if (peek().kind == ExprToken::Name && isOp("=", 1)) {
      const std::string key = peek().text;
      i_ += 2;
      call.kwargs[key] = expr();
    } else {
      if (!call.kwargs.empty()) fail(peek().position, "positional argument after a keyword");
      call.args.push_back(expr());
    }
    if (!accept(",")) break;
  }
  expect(")");
  // A string parameter called as a function is an activation: activation(x @ kernel + bias).
  if (auto it = scope_.strings.find(dotted); it != scope_.strings.end()) {
    if (call.args.size() != 1) fail(pos, "'" + dotted + "' takes one argument");
    Value r;
    r.kind = Value::Tensor;
    r.position = pos;
    r.node = exprparse::applyActivation(g_, it->second, exprparse::toNode(g_, call.args[0]), pos);
    return r;
  }
  call.name = exprparse::canonicalFunction(dotted);
  if (call.name.empty()) fail(pos, "unknown function '" + dotted + "'");
  return exprparse::callFunction(g_, call);
}

// x[i], x[a:b], x[:, 1], x[..., -1], inputs[0] (a list variable).
Value Parser::subscript(Value base) {
  const int pos = peek().position;
  expect("[");
  if (base.kind == Value::List) {
    const Value idx = expr();
    expect("]");
    if (idx.kind != Value::Number || !idx.isInt)
      fail(idx.position, "a list index must be an integer");
    const long k =
        long(idx.number) < 0 ? long(idx.number) + long(base.items.size()) : long(idx.number);
    if (k < 0 || k >= long(base.items.size()))
      fail(idx.position, "index " + std::to_string(long(idx.number)) + " is out of range (" +
                             std::to_string(base.items.size()) + " items)");
    return base.items[size_t(k)];
  }
  if (base.kind != Value::Tensor) fail(pos, "only tensors and lists can be indexed");
  const Shape& shape = g_.shape(base.node);
  std::vector<ExprSliceAxis> axes;
  int ellipsisAt = -1;
  auto intAt = [&](Index& out) {
    Value v = unary();
    if (v.kind != Value::Number || !v.isInt) fail(v.position, "slice bounds must be integers");
    out = Index(v.number);
  };
  while (!isOp("]")) {
    if (accept("...")) {
      if (ellipsisAt >= 0) fail(pos, "only one '...' is allowed");
      ellipsisAt = int(axes.size());
    } else {
      ExprSliceAxis a;
      if (!isOp(":")) {
        intAt(a.start);
        a.hasStart = true;
        a.isIndex = !isOp(":");
      }
      if (!a.isIndex) {
        expect(":");
        if (!isOp(":") && !isOp(",") && !isOp("]")) {
          intAt(a.stop);
          a.hasStop = true;
        }
        if (accept(":") && !isOp(",") && !isOp("]")) intAt(a.step);
      }
      axes.push_back(a);
    }
    if (!accept(",")) break;
  }
  expect("]");
  if (ellipsisAt >= 0) {
    if (axes.size() > shape.size()) fail(pos, "too many indices for shape " + shapeToString(shape));
    axes.insert(axes.begin() + ellipsisAt, shape.size() - axes.size(), ExprSliceAxis{});
  }
  ExprAttrs at;
  at.slices = axes;
  Value r;
  r.kind = Value::Tensor;
  r.position = pos;
  r.node = g_.add(ExprOp::Slice, {base.node}, at, pos);
  return r;
}

}  // namespace

ExprId parseExpression(ExprGraph& graph, const std::string& text, const ExprScope& scope,
                       const ExprLimits& limits) {
  if (text.size() > limits.maxChars)
    throw ExprError(-1, "the expression is too long (" + std::to_string(text.size()) +
                            " characters; at most " + std::to_string(limits.maxChars) + ")");
  Parser p(graph, tokenizeExpression(text), scope, limits);
  return p.parseAll();
}

}  // namespace tessel
