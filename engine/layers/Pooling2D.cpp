#include "engine/layers/Pooling2D.h"

#include <algorithm>
#include <limits>

namespace tessel {

Pooling2D::Pooling2D(const std::string& className, const json& config, int rank, bool isMax)
    : Layer(className, config), rank_(rank), max_(isMax) {
  requireChannelsLast(config_, name_);
  const size_t n = size_t(rank);
  auto p = configTuple(config_, "pool_size", n, name_);
  // strides default to pool_size (Keras: strides=None).
  auto s = !config_.at("strides").is_null() ? configTuple(config_, "strides", n, name_) : p;
  if (rank == 1) p.insert(p.begin(), 1), s.insert(s.begin(), 1);
  pool_ = p, strides_ = s;
  padding_ = config_.at("padding").get<std::string>();
}

ConvGeom Pooling2D::geometry(const Shape& in) const {
  Index h = rank_ == 2 ? in[1] : 1, w = in[rank_ == 2 ? 2 : 1], c = in.back();
  return makeConvGeom(h, w, c, pool_[0], pool_[1], strides_[0], strides_[1], 1, 1, padding_);
}

Shape Pooling2D::outputShape(const std::vector<Shape>& inputs) const {
  const Shape& in = requireSpatialInput(inputs, rank_, className_, name_);
  if (padding_ == "valid") {
    for (int a = 0; a < rank_; ++a) {
      Index dim = in[size_t(1 + a)];
      Index k = pool_[size_t(rank_ == 2 ? a : 1)];
      if (dim != kNone && k > dim) {
        std::vector<Index> ps(pool_.begin() + (rank_ == 2 ? 0 : 1), pool_.end());
        throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                        "pool_size " + tupleToString(ps) + " is larger than the input " +
                            shapeToString(in) + " with padding 'valid'");
      }
    }
  }
  ConvGeom g = geometry(in);
  if (rank_ == 2) return {kNone, g.oh, g.ow, in[3]};
  return {kNone, g.ow, in[2]};
}

void Pooling2D::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  geom_ = geometry(X.shape());
  geom_.n = X.dim(0);
  const ConvGeom& g = geom_;
  const Index C = g.c;
  if (rank_ == 2)
    y.resize({g.n, g.oh, g.ow, C});
  else
    y.resize({g.n, g.ow, C});
  const bool keepArg = max_;  // cheap; backward also works after an inference forward
  if (keepArg) argmax_.resize(size_t(y.size()));
  const Index nRows = g.n * g.oh;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < nRows; ++r) {
    const Index b = r / g.oh, oy = r % g.oh;
    const float* xb = X.data() + b * g.h * g.w * C;
    const Index y0 = std::max<Index>(oy * g.sh - g.padT, 0);
    const Index y1 = std::min<Index>(oy * g.sh - g.padT + g.kh, g.h);
    for (Index ox = 0; ox < g.ow; ++ox) {
      const Index x0 = std::max<Index>(ox * g.sw - g.padL, 0);
      const Index x1 = std::min<Index>(ox * g.sw - g.padL + g.kw, g.w);
      const Index o = (r * g.ow + ox) * C;
      float* out = y.data() + o;
      if (max_) {
        std::int32_t* arg = keepArg ? argmax_.data() + o : nullptr;
        std::fill(out, out + C, -std::numeric_limits<float>::infinity());
        for (Index iy = y0; iy < y1; ++iy)
          for (Index ix = x0; ix < x1; ++ix) {
            const Index base = (iy * g.w + ix) * C;
            const float* p = xb + base;
            if (arg && iy == y0 && ix == x0) {
              for (Index c = 0; c < C; ++c) {
                out[c] = p[c];
                arg[c] = std::int32_t(base + c);
              }
            } else if (arg) {
              // Branch-free so that it vectorises; NaN never replaces (as before).
              for (Index c = 0; c < C; ++c) {
                const bool gt = p[c] > out[c];
                out[c] = gt ? p[c] : out[c];
                arg[c] = gt ? std::int32_t(base + c) : arg[c];
              }
            } else {
              for (Index c = 0; c < C; ++c) out[c] = std::max(out[c], p[c]);
            }
          }
      } else {
        std::fill(out, out + C, 0.0f);
        for (Index iy = y0; iy < y1; ++iy)
          for (Index ix = x0; ix < x1; ++ix) {
            const float* p = xb + (iy * g.w + ix) * C;
            for (Index c = 0; c < C; ++c) out[c] += p[c];
          }
        const float inv = 1.0f / float((y1 - y0) * (x1 - x0));
        for (Index c = 0; c < C; ++c) out[c] *= inv;
      }
    }
  }
}

void Pooling2D::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                         const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  const Tensor& X = *x[0];
  Tensor& dX = *dx[0];
  dX.resize(X.shape());
  dX.setZero();
  const ConvGeom& g = geom_;
  const Index C = g.c, perIn = g.h * g.w * C, perOut = g.oh * g.ow * C;
  if (max_ && argmax_.size() != size_t(dy.size()))
    throw Error("layer '" + name_ + "': MaxPooling backward needs a training-mode forward");
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < g.n; ++b) {
    float* db = dX.data() + b * perIn;
    const float* dyb = dy.data() + b * perOut;
    if (max_) {
      const std::int32_t* arg = argmax_.data() + b * perOut;
      for (Index i = 0; i < perOut; ++i) db[arg[i]] += dyb[i];
      continue;
    }
    for (Index oy = 0; oy < g.oh; ++oy) {
      const Index y0 = std::max<Index>(oy * g.sh - g.padT, 0);
      const Index y1 = std::min<Index>(oy * g.sh - g.padT + g.kh, g.h);
      for (Index ox = 0; ox < g.ow; ++ox) {
        const Index x0 = std::max<Index>(ox * g.sw - g.padL, 0);
        const Index x1 = std::min<Index>(ox * g.sw - g.padL + g.kw, g.w);
        const float inv = 1.0f / float((y1 - y0) * (x1 - x0));
        const float* d = dyb + (oy * g.ow + ox) * C;
        for (Index iy = y0; iy < y1; ++iy)
          for (Index ix = x0; ix < x1; ++ix) {
            float* p = db + (iy * g.w + ix) * C;
            for (Index c = 0; c < C; ++c) p[c] += d[c] * inv;
          }
      }
    }
  }
}

}  // namespace tessel
