#include "engine/layers/RandomContrast.h"

#include <algorithm>
#include <tuple>

#include "engine/core/Error.h"

namespace tessel {

namespace {
constexpr float kLo = 0.0f, kHi = 255.0f;

// mean (c) of each channel of one image x (p pixels, c channels).
void channelMeans(const float* x, Index p, Index c, std::vector<double>& mean) {
  mean.assign(size_t(c), 0.0);
  for (Index i = 0; i < p; ++i)
    for (Index ch = 0; ch < c; ++ch) mean[size_t(ch)] += x[i * c + ch];
  for (auto& m : mean) m /= double(p);
}
}  // namespace

RandomContrast::RandomContrast(const json& config) : RandomImageLayer("RandomContrast", config) {
  try {
    std::tie(lower_, upper_) = factorRange(config_.at("factor"), "factor", false);
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
  if (lower_ < 0.0 || upper_ < 0.0 || lower_ > 1.0)
    throwBadValue("Factor cannot have negative values or greater than 1.0, got " +
                  config_.at("factor").dump());
}

void RandomContrast::augment(const Tensor& x, Tensor& y, Rng& rng) {
  const Index n = x.dim(0), p = x.dim(1) * x.dim(2), c = x.dim(3);
  factors_.resize(size_t(n));
  for (Index b = 0; b < n; ++b) {
    const float f = rng.uniform(float(1.0 - lower_), float(1.0 + upper_));
    factors_[size_t(b)] = f;
    const float* xi = x.data() + b * p * c;
    float* yi = y.data() + b * p * c;
    channelMeans(xi, p, c, mean_);
    for (Index i = 0; i < p; ++i)
      for (Index ch = 0; ch < c; ++ch) {
        const float m = float(mean_[size_t(ch)]);
        yi[i * c + ch] = std::clamp((xi[i * c + ch] - m) * f + m, kLo, kHi);
      }
  }
}

// z = (x - m) f + m, m = mean(x): dz_p/dx_q = f [p = q] + (1 - f) / P. The clip passes the
// gradient where kLo <= z <= kHi (TF's ClipByValue gradient).
void RandomContrast::augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Index n = x.dim(0), p = x.dim(1) * x.dim(2), c = x.dim(3);
  std::vector<double> gsum;
  for (Index b = 0; b < n; ++b) {
    const float f = factors_[size_t(b)];
    const float* xi = x.data() + b * p * c;
    const float* gi = dy.data() + b * p * c;
    float* di = dx.data() + b * p * c;
    channelMeans(xi, p, c, mean_);
    gsum.assign(size_t(c), 0.0);
    for (Index i = 0; i < p; ++i)
      for (Index ch = 0; ch < c; ++ch) {
        const float m = float(mean_[size_t(ch)]);
        const float z = (xi[i * c + ch] - m) * f + m;
        const float g = (z >= kLo && z <= kHi) ? gi[i * c + ch] : 0.0f;
        di[i * c + ch] = f * g;
        gsum[size_t(ch)] += g;
      }
    for (Index i = 0; i < p; ++i)
      for (Index ch = 0; ch < c; ++ch)
        di[i * c + ch] += float((1.0 - f) / double(p) * gsum[size_t(ch)]);
  }
}

}  // namespace tessel
