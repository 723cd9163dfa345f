#include "engine/layers/Permute.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace tessel {

void transposeAxes(const Tensor& x, const std::vector<int>& perm, Tensor& y) {
  const int r = x.rank();
  Shape out(static_cast<size_t>(r));
  for (int k = 0; k < r; ++k) out[size_t(k)] = x.dim(perm[size_t(k)]);
  y.resize(out);
  // Strides of x in y's axis order.
  std::vector<Index> xstride(static_cast<size_t>(r), 1), stride(static_cast<size_t>(r));
  for (int k = r - 2; k >= 0; --k) xstride[size_t(k)] = xstride[size_t(k) + 1] * x.dim(k + 1);
  for (int k = 0; k < r; ++k) stride[size_t(k)] = xstride[size_t(perm[size_t(k)])];
  std::vector<Index> idx(static_cast<size_t>(r), 0);
  Index src = 0;
  const Index n = y.size();
  float* out_ = y.data();
  const float* in = x.data();
  for (Index i = 0; i < n; ++i) {
    out_[i] = in[src];
    for (int k = r - 1; k >= 0; --k) {  // odometer over y's index
      const size_t ks = size_t(k);
      if (++idx[ks] < out[ks]) {
        src += stride[ks];
        break;
      }
      src -= stride[ks] * (out[ks] - 1);
      idx[ks] = 0;
    }
  }
}

Permute::Permute(const json& config) : Layer("Permute", config) {
  const json& dims = config_.at("dims");
  std::vector<int> d;
  if (dims.is_array())
    for (const json& v : dims) {
      if (!v.is_number_integer()) throwBadValue("config 'dims' must be a list of integers");
      d.push_back(v.get<int>());
    }
  else
    throwBadValue("config 'dims' must be a list of integers");
  if (d.empty()) throwBadValue("config 'dims' must be a permutation of the non-batch axes, got []");
  std::vector<int> sorted = d;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != int(i) + 1)
      throwBadValue("config 'dims' = " + dims.dump() + " is not a permutation of 1.." +
                    std::to_string(d.size()) +
                    " (axes are 1-based; the batch axis is not included)");
  perm_ = {0};
  perm_.insert(perm_.end(), d.begin(), d.end());
  inverse_.assign(perm_.size(), 0);
  for (size_t k = 0; k < perm_.size(); ++k) inverse_[size_t(perm_[k])] = int(k);
}

Shape Permute::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.size() != perm_.size())
    throwShapeMismatch("Permute dims " + config_.at("dims").dump() + " need an input of rank " +
                       std::to_string(perm_.size()) + ", got " + shapeToString(in));
  Shape out(in.size());
  for (size_t k = 0; k < in.size(); ++k) out[k] = in[size_t(perm_[k])];
  return out;
}

void Permute::forward(const std::vector<const Tensor*>& xs, Tensor& y, RunContext&) {
  if (xs[0]->rank() != int(perm_.size()))
    throw Error("Permute '" + name_ + "': input " + shapeToString(xs[0]->shape()) +
                " does not have rank " + std::to_string(perm_.size()));
  transposeAxes(*xs[0], perm_, y);
}

void Permute::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                       const std::vector<Tensor*>& dx, RunContext&) {
  if (!dx.empty() && dx[0]) transposeAxes(dy, inverse_, *dx[0]);
}

}  // namespace tessel
