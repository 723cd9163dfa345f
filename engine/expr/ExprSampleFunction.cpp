#include "engine/expr/ExprSampleFunction.h"

#include "engine/expr/ExprGradient.h"
#include "engine/expr/ExprParser.h"

namespace tessel {

struct ExprSampleFunction::Built {
  Shape yTrue, yPred;
  ExprGraph graph;
  ExprId t = -1, p = -1, w = -1, out = -1, seed = -1, grad = -1;
  std::unique_ptr<ExprEvaluator> ev;
  std::vector<ExprId> fwd, bwd;
  Tensor tw, tseed;  // sample weights, gradient seed
};

namespace {

ExprScope scopeOf(ExprGraph& g, const Shape& t, const Shape& p, bool weights, ExprId ids[3]) {
  ExprScope s;
  ids[0] = g.input(0, t);
  ids[1] = g.input(1, p);
  s.tensors["y_true"] = ids[0];
  s.tensors["y_pred"] = ids[1];
  s.positional = {"y_true", "y_pred"};
  if (weights) {
    ids[2] = g.input(2, {p.empty() ? kNone : p[0]});
    s.tensors["sample_weight"] = ids[2];
    s.positional.push_back("sample_weight");
  }
  return s;
}

Shape batchless(const Shape& s) {
  return s.empty() ? s : withBatch(s, kNone);
}

}  // namespace

ExprSampleFunction::ExprSampleFunction(std::string text, bool allowSampleWeight)
    : text_(std::move(text)), allowWeights_(allowSampleWeight) {
  // Names and syntax now, against labels and outputs of any shape.
  ExprGraph g;
  ExprId ids[3];
  ExprScope s = scopeOf(g, {kNone, kNone}, {kNone, kNone}, allowWeights_, ids);
  const ExprId out = parseExpression(g, text_, s);
  if (allowWeights_) {
    readsWeights_ = out == ids[2];
    for (size_t n = 0; n < g.size() && !readsWeights_; ++n)
      for (ExprId in : g.node(ExprId(n)).inputs) readsWeights_ |= in == ids[2];
  }
}

ExprSampleFunction::ExprSampleFunction(ExprSampleFunction&&) noexcept = default;
ExprSampleFunction::~ExprSampleFunction() = default;

ExprSampleFunction::Built& ExprSampleFunction::built(const Shape& yTrue, const Shape& yPred) {
  const Shape t = batchless(yTrue), p = batchless(yPred);
  if (b_ && b_->yTrue == t && b_->yPred == p) return *b_;
  auto b = std::make_unique<Built>();
  b->yTrue = t;
  b->yPred = p;
  ExprId ids[3] = {-1, -1, -1};
  ExprScope s = scopeOf(b->graph, t, p, allowWeights_, ids);
  b->t = ids[0], b->p = ids[1], b->w = ids[2];
  b->out = parseExpression(b->graph, text_, s);
  const Shape& os = b->graph.shape(b->out);
  if (!os.empty() && os[0] != kNone)
    throw ExprError(-1, "the result has shape " + shapeToString(os) +
                            ": give one value per sample (batch first) or one for the batch");
  b->seed = b->graph.input(3, os);
  b->grad = exprGradients(b->graph, b->out, b->seed, {b->p})[0];
  b->ev = std::make_unique<ExprEvaluator>(b->graph);
  b->fwd = b->ev->schedule({b->out});
  if (b->grad >= 0) b->bwd = b->ev->schedule({b->grad}, b->fwd);
  b_ = std::move(b);
  return *b_;
}

void ExprSampleFunction::bindAll(Built& b, const Tensor& yTrue, const Tensor& yPred,
                                 const float* sampleWeight, Index n) {
  b.ev->bind(0, &yTrue);
  b.ev->bind(1, &yPred);
  if (b.w >= 0) {
    b.tw.resize({n});
    for (Index i = 0; i < n; ++i) b.tw[i] = sampleWeight ? sampleWeight[i] : 1.0f;
    b.ev->bind(2, &b.tw);
  }
}

void ExprSampleFunction::check(const Shape& yTrue, const Shape& yPred) {
  built(yTrue, yPred);
}

void ExprSampleFunction::values(const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight,
                                float* out) {
  Built& b = built(yTrue.shape(), yPred.shape());
  const Index n = yPred.rank() ? yPred.dim(0) : 1;
  bindAll(b, yTrue, yPred, sampleWeight, n);
  b.ev->run(b.fwd);
  const Tensor& v = b.ev->value(b.out);
  if (v.rank() == 0) {
    std::fill(out, out + n, v[0]);
    return;
  }
  const Index per = v.size() / n;
  for (Index i = 0; i < n; ++i) {
    double s = 0;
    for (Index j = 0; j < per; ++j) s += v[i * per + j];
    out[i] = float(s / double(per));
  }
}

void ExprSampleFunction::gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                                  Tensor& dPred, const float* sampleWeight) {
  Built& b = built(yTrue.shape(), yPred.shape());
  const Index n = yPred.rank() ? yPred.dim(0) : 1;
  if (b.grad < 0) {
    dPred.resize(yPred.shape());
    dPred.setZero();
    return;
  }
  bindAll(b, yTrue, yPred, sampleWeight, n);
  b.ev->run(b.fwd);  // forward values the derivative reads
  const Shape& os = b.graph.shape(b.out);
  if (os.empty()) {
    double total = 0;
    for (Index i = 0; i < n; ++i) total += scale ? scale[i] : 1.0f;
    b.tseed.resize(Shape{});
    b.tseed[0] = float(total);
  } else {
    b.tseed.resize(b.ev->value(b.out).shape());
    const Index per = b.tseed.size() / n;
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < per; ++j)
        b.tseed[i * per + j] = float((scale ? scale[i] : 1.0f) / double(per));
  }
  b.ev->bind(3, &b.tseed);
  b.ev->setTarget(b.grad, b.graph.node(b.grad).op == ExprOp::Input ? nullptr : &dPred);
  b.ev->run(b.bwd);
  if (b.graph.node(b.grad).op == ExprOp::Input) dPred.copyFrom(b.ev->value(b.grad));
}

namespace {

// out = reduce_mean(f(y_pred - y_true)) over all axes or the last one.
bool matchesMeanOf(ExprOp f, const std::string& text) {
  ExprGraph g;
  ExprId ids[3];
  ExprScope s = scopeOf(g, {kNone, 4}, {kNone, 4}, false, ids);
  ExprId out;
  try {
    out = parseExpression(g, text, s);
  } catch (const Error&) {
    return false;
  }
  const ExprNode& m = g.node(out);
  if (m.op != ExprOp::ReduceMean || m.attrs.keepdims) return false;
  if (!(m.attrs.axes.empty() || m.attrs.axes == std::vector<int>{1})) return false;
  const ExprNode& sq = g.node(m.inputs[0]);
  if (sq.op != f) return false;
  const ExprNode& d = g.node(sq.inputs[0]);
  return d.op == ExprOp::Sub && ((d.inputs[0] == ids[1] && d.inputs[1] == ids[0]) ||
                                 (d.inputs[0] == ids[0] && d.inputs[1] == ids[1]));
}

}  // namespace

bool ExprSampleFunction::isMeanSquaredError() {
  return matchesMeanOf(ExprOp::Square, text_);
}

bool ExprSampleFunction::isMeanAbsoluteError() {
  return matchesMeanOf(ExprOp::Abs, text_);
}

}  // namespace tessel
