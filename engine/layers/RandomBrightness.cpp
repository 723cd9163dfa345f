#include "engine/layers/RandomBrightness.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "engine/core/Error.h"

namespace tessel {

RandomBrightness::RandomBrightness(const json& config)
    : RandomImageLayer("RandomBrightness", config) {
  const json& factor = config_.at("factor");
  const std::string msg =
      "The `factor` argument should be a number (or a list of two numbers) in the range "
      "[-1.0, 1.0]. Got " +
      factor.dump();
  try {
    std::tie(f0_, f1_) = factorRange(factor, "factor");
  } catch (const Error&) {
    throwBadValue(msg);
  }
  if (factor.is_number()) f0_ = -std::fabs(f1_), f1_ = std::fabs(f1_);
  if (f0_ > f1_) std::swap(f0_, f1_);
  if (f0_ < -1.0 || f1_ > 1.0) throwBadValue(msg);
  const json& range = config_.at("value_range");
  if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number())
    throwBadValue("The `value_range` argument should be a list of two numbers. Got " +
                  range.dump());
  lo_ = range[0].get<float>();
  hi_ = range[1].get<float>();
  if (lo_ > hi_) std::swap(lo_, hi_);
}

void RandomBrightness::augment(const Tensor& x, Tensor& y, Rng& rng) {
  const Index n = x.dim(0), s = x.size() / std::max<Index>(n, 1);
  deltas_.resize(size_t(n));
  for (Index b = 0; b < n; ++b) {
    const float delta = rng.uniform(float(f0_), float(f1_)) * (hi_ - lo_);
    deltas_[size_t(b)] = delta;
    const float* xi = x.data() + b * s;
    float* yi = y.data() + b * s;
    for (Index i = 0; i < s; ++i) yi[i] = std::clamp(xi[i] + delta, lo_, hi_);
  }
}

// The clip passes the gradient where lo <= x + delta <= hi (TF's ClipByValue gradient).
void RandomBrightness::augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Index n = x.dim(0), s = x.size() / std::max<Index>(n, 1);
  for (Index b = 0; b < n; ++b) {
    const float delta = deltas_[size_t(b)];
    for (Index i = b * s; i < (b + 1) * s; ++i) {
      const float z = x[i] + delta;
      dx[i] = (z >= lo_ && z <= hi_) ? dy[i] : 0.0f;
    }
  }
}

}  // namespace tessel
