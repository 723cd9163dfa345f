#include "engine/layers/GlobalPooling.h"

#include "engine/core/Error.h"
#include "engine/layers/ConvUtils.h"

namespace tessel {

GlobalPooling::GlobalPooling(const std::string& className, const json& config, int rank, bool isMax)
    : Layer(className, config), rank_(rank), max_(isMax) {
  requireChannelsLast(config_, name_);
  keepdims_ = config_.at("keepdims").get<bool>();
}

Shape GlobalPooling::outputShape(const std::vector<Shape>& inputs) const {
  const Shape& in = requireSpatialInput(inputs, rank_, className_, name_);
  if (!keepdims_) return {kNone, in.back()};
  if (rank_ == 2) return {kNone, 1, 1, in.back()};
  return {kNone, 1, in.back()};
}

// Keras 2 GlobalAveragePooling1D with a mask (N, T): the mean over the unmasked steps (zero when
// a sample has none, where Keras divides by zero).
static float maskedWeight(const Tensor* mask, Index b, Index p, Index P) {
  return mask ? (*mask)[b * P + p] : 1.0f;
}

void GlobalPooling::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) {
  const Tensor& X = *x[0];
  const Index N = X.dim(0), C = X.dim(-1), P = X.size() / (N * C);
  const Tensor* mask = !max_ && rank_ == 1 ? ctx.inputMask(0) : nullptr;
  if (mask && mask->size() != N * P)
    throw Error(className_ + " '" + name_ + "': mask " + shapeToString(mask->shape()) +
                " does not fit input " + shapeToString(X.shape()));
  if (!keepdims_)
    y.resize({N, C});
  else if (rank_ == 2)
    y.resize({N, 1, 1, C});
  else
    y.resize({N, 1, C});
  if (max_) argmax_.resize(size_t(N * C));
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < N; ++b) {
    const float* xb = X.data() + b * P * C;
    float* out = y.data() + b * C;
    if (max_) {
      std::int32_t* arg = argmax_.data() + b * C;
      for (Index c = 0; c < C; ++c) out[c] = xb[c], arg[c] = 0;
      for (Index p = 1; p < P; ++p)
        for (Index c = 0; c < C; ++c)
          if (xb[p * C + c] > out[c]) out[c] = xb[p * C + c], arg[c] = std::int32_t(p);
    } else {
      for (Index c = 0; c < C; ++c) out[c] = 0.0f;
      float count = 0.0f;
      for (Index p = 0; p < P; ++p) {
        const float w = maskedWeight(mask, b, p, P);
        count += w;
        for (Index c = 0; c < C; ++c) out[c] += w * xb[p * C + c];
      }
      const float inv = count > 0 ? 1.0f / count : 0.0f;
      for (Index c = 0; c < C; ++c) out[c] *= inv;
    }
  }
}

void GlobalPooling::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                             const std::vector<Tensor*>& dx, RunContext& ctx) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& X = *x[0];
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  const Index N = X.dim(0), C = X.dim(-1), P = X.size() / (N * C);
  const Tensor* mask = !max_ && rank_ == 1 ? ctx.inputMask(0) : nullptr;
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < N; ++b) {
    float* db = dX.data() + b * P * C;
    const float* d = dy.data() + b * C;
    if (max_) {
      std::fill(db, db + P * C, 0.0f);
      const std::int32_t* arg = argmax_.data() + b * C;
      for (Index c = 0; c < C; ++c) db[arg[c] * C + c] = d[c];
    } else {
      float count = 0.0f;
      for (Index p = 0; p < P; ++p) count += maskedWeight(mask, b, p, P);
      const float inv = count > 0 ? 1.0f / count : 0.0f;
      for (Index p = 0; p < P; ++p)
        for (Index c = 0; c < C; ++c) db[p * C + c] = d[c] * inv * maskedWeight(mask, b, p, P);
    }
  }
}

}  // namespace tessel
