#include "engine/layers/Concatenate.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

Concatenate::Concatenate(const json& config) : MergeLayer("Concatenate", config) {
  axis_ = config_.at("axis").get<int>();
  if (axis_ == 0) throwBadValue("config 'axis' = 0: cannot concatenate along the batch axis");
}

int Concatenate::axisFor(int rank) const {
  int a = axis_ < 0 ? axis_ + rank : axis_;
  return a >= 1 && a < rank ? a : -1;
}

Shape Concatenate::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 2, -1);
  const int rank = int(inputs[0].size());
  const int a = axisFor(rank);
  if (a < 0)
    throwShapeMismatch("axis " + std::to_string(axis_) + " is out of range for input " +
                       shapeToString(inputs[0]));
  Shape out = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    bool ok = int(s.size()) == rank;
    for (int d = 0; ok && d < rank; ++d) {
      if (d == a) {
        out[size_t(d)] = (out[size_t(d)] == kNone || s[size_t(d)] == kNone)
                             ? kNone
                             : out[size_t(d)] + s[size_t(d)];
      } else if (out[size_t(d)] == kNone) {
        out[size_t(d)] = s[size_t(d)];
      } else {
        ok = s[size_t(d)] == kNone || s[size_t(d)] == out[size_t(d)];
      }
    }
    if (!ok)
      throwShapeMismatch("Concatenate on axis " + std::to_string(axis_) +
                         " needs inputs that match except on that axis, got " +
                         shapeToString(inputs[0]) + " and " + shapeToString(s));
  }
  out[0] = kNone;
  return out;
}

// Each x_i viewed as (outer, d_i * inner); y as (outer, D * inner), D = sum d_i:
// y[o, off_i : off_i + d_i*inner] = x_i[o, :].
void Concatenate::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const int rank = x[0]->rank();
  const int a = axisFor(rank);
  if (a < 0 || x.size() < 2) throw Error("Concatenate '" + name_ + "': bad inputs");
  Shape out = x[0]->shape();
  out[size_t(a)] = 0;
  for (const Tensor* t : x) {
    if (t->rank() != rank) throw Error("Concatenate '" + name_ + "': inputs of different rank");
    for (int d = 0; d < rank; ++d)
      if (d != a && t->shape()[size_t(d)] != x[0]->shape()[size_t(d)])
        throw Error("Concatenate '" + name_ + "': inputs of shapes " +
                    shapeToString(x[0]->shape()) + " and " + shapeToString(t->shape()));
    out[size_t(a)] += t->shape()[size_t(a)];
  }
  y.resize(out);
  Index outer = 1, inner = 1;
  for (int d = 0; d < a; ++d) outer *= out[size_t(d)];
  for (int d = a + 1; d < rank; ++d) inner *= out[size_t(d)];
  const Index rowLen = out[size_t(a)] * inner;
  Index off = 0;
  for (const Tensor* t : x) {
    const Index chunk = t->shape()[size_t(a)] * inner;
    for (Index o = 0; o < outer; ++o)
      std::copy(t->data() + o * chunk, t->data() + (o + 1) * chunk, y.data() + o * rowLen + off);
    off += chunk;
  }
}

// dx_i[o, :] = dy[o, off_i : off_i + d_i*inner]
void Concatenate::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                           const std::vector<Tensor*>& dx, RunContext&) {
  const int rank = dy.rank();
  const int a = axisFor(rank);
  Index outer = 1, inner = 1;
  for (int d = 0; d < a; ++d) outer *= dy.shape()[size_t(d)];
  for (int d = a + 1; d < rank; ++d) inner *= dy.shape()[size_t(d)];
  const Index rowLen = dy.shape()[size_t(a)] * inner;
  Index off = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const Index chunk = x[i]->shape()[size_t(a)] * inner;
    if (i < dx.size() && dx[i]) {
      dx[i]->resize(x[i]->shape());
      for (Index o = 0; o < outer; ++o)
        std::copy(dy.data() + o * rowLen + off, dy.data() + o * rowLen + off + chunk,
                  dx[i]->data() + o * chunk);
    }
    off += chunk;
  }
}

}  // namespace tessel
