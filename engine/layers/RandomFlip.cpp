#include "engine/layers/RandomFlip.h"

namespace tessel {

namespace {

// y (h, w, c) = x flipped left-right (flipH) and/or top-bottom (flipV). y must not alias x.
void flipImage(const float* x, Index h, Index w, Index c, bool flipH, bool flipV, float* y) {
  for (Index r = 0; r < h; ++r) {
    const Index sr = flipV ? h - 1 - r : r;
    for (Index col = 0; col < w; ++col) {
      const Index sc = flipH ? w - 1 - col : col;
      const float* in = x + (sr * w + sc) * c;
      float* out = y + (r * w + col) * c;
      for (Index ch = 0; ch < c; ++ch) out[ch] = in[ch];
    }
  }
}

}  // namespace

RandomFlip::RandomFlip(const json& config) : RandomImageLayer("RandomFlip", config) {
  const std::string mode = config_.at("mode").get<std::string>();
  if (mode == "horizontal") {
    vertical_ = false;
  } else if (mode == "vertical") {
    horizontal_ = false;
  } else if (mode != "horizontal_and_vertical") {
    throwBadValue("RandomFlip received an unknown mode argument " + mode);
  }
}

void RandomFlip::augment(const Tensor& x, Tensor& y, Rng& rng) {
  const Index n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  flips_.assign(size_t(n), 0);
  for (Index b = 0; b < n; ++b) {
    unsigned char f = 0;
    if (horizontal_ && rng.uniform() < 0.5f) f |= 1;
    if (vertical_ && rng.uniform() < 0.5f) f |= 2;
    flips_[size_t(b)] = f;
    flipImage(x.data() + b * h * w * c, h, w, c, f & 1, f & 2, y.data() + b * h * w * c);
  }
}

void RandomFlip::augmentBackward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Index n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  for (Index b = 0; b < n; ++b) {
    const unsigned char f = flips_[size_t(b)];
    flipImage(dy.data() + b * h * w * c, h, w, c, f & 1, f & 2, dx.data() + b * h * w * c);
  }
}

}  // namespace tessel
