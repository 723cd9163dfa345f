#include "engine/train/BatchAugmenter.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/train/FitOptions.h"

namespace tessel {

namespace {

// splitmix64's finaliser: a stateless 64-bit mix.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The seed of one image's stream: (augmentation seed, fit seed, epoch, sample).
std::uint64_t imageSeed(std::uint64_t augSeed, std::uint64_t fitSeed, int epoch, Index sample) {
  std::uint64_t s = mix(augSeed ^ 0xA0761D6478BD642FULL);
  s = mix(s ^ fitSeed);
  s = mix(s ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(epoch)));
  return mix(s ^ static_cast<std::uint64_t>(sample));
}

// P ∘ Q for affine projectives (c0 = c1 = 0): the point goes through Q first, then P.
Projective compose(const Projective& p, const Projective& q) {
  Projective r;
  r.a0 = p.a0 * q.a0 + p.a1 * q.b0;
  r.a1 = p.a0 * q.a1 + p.a1 * q.b1;
  r.a2 = p.a0 * q.a2 + p.a1 * q.b2 + p.a2;
  r.b0 = p.b0 * q.a0 + p.b1 * q.b0;
  r.b1 = p.b0 * q.a1 + p.b1 * q.b1;
  r.b2 = p.b0 * q.a2 + p.b1 * q.b2 + p.b2;
  return r;
}

bool isIdentity(const Projective& t) {
  return t.a0 == 1 && t.a1 == 0 && t.a2 == 0 && t.b0 == 0 && t.b1 == 1 && t.b2 == 0 && t.c0 == 0 &&
         t.c1 == 0;
}

float clip01(double v) {
  return static_cast<float>(std::clamp(v, 0.0, 1.0));
}

// Maps box [y0, x0, y1, x1] (normalised) through the image transform whose output → input map
// is t: its 4 corners in pixel-index coordinates (pixel i's centre at i, so x = u·w - 0.5) go
// through t⁻¹, the axis-aligned bounding box is taken and clipped to [0, 1].
void mapBox(float* box, const Projective& t, Index h, Index w) {
  const double a = t.a0, b = t.a1, c = t.b0, d = t.b1, tx = t.a2, ty = t.b2;
  const double det = a * d - b * c;
  const double fy[2] = {box[0], box[2]}, fx[2] = {box[1], box[3]};
  if (std::fabs(det) < 1e-12) {  // every output pixel samples one point: all or nothing
    const double px = (tx + 0.5) / double(w), py = (ty + 0.5) / double(h);
    const bool inside = py >= std::min(fy[0], fy[1]) && py <= std::max(fy[0], fy[1]) &&
                        px >= std::min(fx[0], fx[1]) && px <= std::max(fx[0], fx[1]);
    const float v[4] = {0.0f, 0.0f, inside ? 1.0f : 0.0f, inside ? 1.0f : 0.0f};
    std::copy(v, v + 4, box);
    return;
  }
  double minX = 1e300, minY = 1e300, maxX = -1e300, maxY = -1e300;
  for (double v : fy)
    for (double u : fx) {
      const double dx = u * double(w) - 0.5 - tx, dy = v * double(h) - 0.5 - ty;
      const double ox = (d * dx - b * dy) / det, oy = (-c * dx + a * dy) / det;
      minX = std::min(minX, ox), maxX = std::max(maxX, ox);
      minY = std::min(minY, oy), maxY = std::max(maxY, oy);
    }
  box[0] = clip01((minY + 0.5) / double(h));
  box[1] = clip01((minX + 0.5) / double(w));
  box[2] = clip01((maxY + 0.5) / double(h));
  box[3] = clip01((maxX + 0.5) / double(w));
}

Projective flipMatrix(bool flipH, bool flipV, Index h, Index w) {
  Projective f;
  if (flipH) f.a0 = -1.0f, f.a2 = float(w - 1);
  if (flipV) f.b1 = -1.0f, f.b2 = float(h - 1);
  return f;
}

bool geometric(const DataSettings::Augmentation& a) {
  return a.flipHorizontal || a.flipVertical || a.rotation != 0 || a.zoom != 0 || a.translate != 0;
}

}  // namespace

BatchAugmenter::BatchAugmenter(const DataSettings::Augmentation& settings) : settings_(settings) {
  auto check = [](double v, const char* name, bool upTo1) {
    if (!std::isfinite(v) || v < 0 || (upTo1 && v > 1))
      throw Error(std::string("augmentation: ") + name + " = " + nlohmann::json(v).dump() +
                  (upTo1 ? " must be in [0, 1]" : " must be >= 0"));
  };
  check(settings_.rotation, "rotation", false);
  check(settings_.zoom, "zoom", true);
  check(settings_.translate, "translate", true);
  check(settings_.contrast, "contrast", true);
  check(settings_.brightness, "brightness", true);
}

void BatchAugmenter::setValueRange(float lo, float hi) {
  lo_ = std::min(lo, hi);
  hi_ = std::max(lo, hi);
}

void BatchAugmenter::setImageShape(Index h, Index w, Index c) {
  if (h <= 0 || w <= 0 || c <= 0)
    throw Error("augmentation: bad image shape (" + std::to_string(h) + ", " + std::to_string(w) +
                ", " + std::to_string(c) + ")");
  h_ = h, w_ = w, c_ = c;
}

BatchAugmenter::Params BatchAugmenter::draw(std::uint64_t fitSeed, int epoch, Index sample, Index h,
                                            Index w) const {
  // Always 8 draws in a fixed order, so enabling one op does not change another's draws.
  Rng rng(imageSeed(settings_.seed, fitSeed, epoch, sample));
  float u[8];
  for (float& v : u) v = rng.uniform();
  auto sym = [](double f, float v) { return float(-f + 2.0 * f * double(v)); };  // U(-f, f)
  const DataSettings::Augmentation& a = settings_;
  Params p;
  p.flipH = a.flipHorizontal && u[0] < 0.5f;
  p.flipV = a.flipVertical && u[1] < 0.5f;
  if (a.rotation != 0) p.angle = sym(a.rotation * 2.0 * M_PI, u[2]);
  if (a.zoom != 0) p.zoomY = p.zoomX = 1.0f + sym(a.zoom, u[3]);  // width_factor None: same
  if (a.translate != 0) {
    p.shiftY = sym(a.translate, u[4]) * float(h);
    p.shiftX = sym(a.translate, u[5]) * float(w);
  }
  if (a.contrast != 0) p.contrast = 1.0f + sym(a.contrast, u[6]);
  if (a.brightness != 0) p.brightness = sym(a.brightness, u[7]) * (hi_ - lo_);
  return p;
}

Projective BatchAugmenter::transformOf(const Params& p, Index h, Index w) {
  // Stacked layers: out(q) = in(F(R(Z(T(q))))), T applied to the output point first.
  Projective m = translationMatrix(p.shiftX, p.shiftY);
  if (p.zoomX != 1.0f || p.zoomY != 1.0f) m = compose(zoomMatrix(p.zoomX, p.zoomY, h, w), m);
  if (p.angle != 0.0f) m = compose(rotationMatrix(p.angle, h, w), m);
  if (p.flipH || p.flipV) m = compose(flipMatrix(p.flipH, p.flipV, h, w), m);
  return m;
}

void BatchAugmenter::transformBox(float* box, const Params& p, Index h, Index w) {
  if (p.flipH) {
    const float x0 = box[1];
    box[1] = clip01(1.0 - double(box[3]));
    box[3] = clip01(1.0 - double(x0));
  }
  if (p.flipV) {
    const float y0 = box[0];
    box[0] = clip01(1.0 - double(box[2]));
    box[2] = clip01(1.0 - double(y0));
  }
  if (p.angle != 0.0f) mapBox(box, rotationMatrix(p.angle, h, w), h, w);
  if (p.zoomX != 1.0f || p.zoomY != 1.0f) mapBox(box, zoomMatrix(p.zoomX, p.zoomY, h, w), h, w);
  if (p.shiftX != 0.0f || p.shiftY != 0.0f)
    mapBox(box, translationMatrix(p.shiftX, p.shiftY), h, w);
}

void BatchAugmenter::adjustContrast(float* img, Index pixels, Index c, float f, float lo,
                                    float hi) {
  for (Index ch = 0; ch < c; ++ch) {
    double sum = 0;
    for (Index i = 0; i < pixels; ++i) sum += img[i * c + ch];
    const float m = float(sum / double(std::max<Index>(pixels, 1)));
    for (Index i = 0; i < pixels; ++i) {
      float& v = img[i * c + ch];
      v = std::clamp((v - m) * f + m, lo, hi);
    }
  }
}

void BatchAugmenter::adjustBrightness(float* img, Index size, float delta, float lo, float hi) {
  for (Index i = 0; i < size; ++i) img[i] = std::clamp(img[i] + delta, lo, hi);
}

void BatchAugmenter::applyOne(float* img, float* box, const Params& p, Index h, Index w, Index c,
                              float* scratch) const {
  const Projective t = transformOf(p, h, w);
  if (!isIdentity(t)) {
    std::copy(img, img + h * w * c, scratch);
    transformImage(scratch, h, w, c, t, options_, img);
  }
  if (box) transformBox(box, p, h, w);
  if (settings_.contrast != 0) adjustContrast(img, h * w, c, p.contrast, lo_, hi_);
  if (settings_.brightness != 0) adjustBrightness(img, h * w * c, p.brightness, lo_, hi_);
}

void BatchAugmenter::apply(Tensor& x, Tensor* boxes, const Index* idx, Index n,
                           std::uint64_t fitSeed, int epoch) const {
  if (n <= 0 || !settings_.any()) return;
  Index h = h_, w = w_, c = c_;
  if (x.rank() == 4) h = x.dim(1), w = x.dim(2), c = x.dim(3);
  if (h <= 0 || x.size() != n * h * w * c)
    throw Error("augmentation: a batch of " + std::to_string(n) + " is " +
                shapeToString(x.shape()) + ", not images (n, height, width, channels)");
  if (boxes && boxes->size() != n * 4)
    throw Error("augmentation: the box target is " + shapeToString(boxes->shape()) +
                ", expected (" + std::to_string(n) + ", 4)");
  const Index s = h * w * c;
  const bool warp = geometric(settings_);
  // Serial: a few ms per batch of 32 64x64 images, small next to the model step, which already
  // uses the cores. Each image has its own stream, so a parallel loop would give the same result.
  thread_local std::vector<float> scratch;  // per thread, grown once, then reused
  if (warp && Index(scratch.size()) < s) scratch.resize(size_t(s));
  for (Index j = 0; j < n; ++j) {
    const Params p = draw(fitSeed, epoch, idx[j], h, w);
    applyOne(x.data() + j * s, boxes ? boxes->data() + j * 4 : nullptr, p, h, w, c, scratch.data());
  }
}

void attachAugmentation(Dataset& train, const DataSettings& settings, int boxOutput) {
  train.augment.reset();
  train.augmentBoxOutput = -1;
  const DataSettings::Augmentation& a = settings.augmentation;
  if (!a.any()) return;
  if (train.x.size() != 1)
    throw Error("augmentation needs one image input; the data has " +
                std::to_string(train.x.size()) + " inputs");
  const Array& x = train.x[0];
  if (x.rank() != 4 && x.rank() != 3)
    throw Error(
        "augmentation (flip, rotation, zoom, translation, contrast, brightness) needs "
        "images (N, height, width, channels); x is " +
        shapeToString(x.shape()));
  auto aug = std::make_shared<BatchAugmenter>(a);
  const Shape& s = x.shape();
  aug->setImageShape(s[1], s[2], x.rank() == 4 ? s[3] : 1);
  // Keras's value_range [0, 255] in raw units, through the normalisation (x's affine map).
  aug->setValueRange(x.offset, 255.0f * x.scale + x.offset);
  if (boxOutput >= 0) {
    if (boxOutput >= static_cast<int>(train.y.size()))
      throw Error("augmentation: box output " + std::to_string(boxOutput) + " but the data has " +
                  std::to_string(train.y.size()) + " targets");
    const Array& b = train.y[size_t(boxOutput)];
    if (b.rank() != 2 || b.shape()[1] != 4 || b.rows() != x.rows())
      throw Error("augmentation: the box target must be (N, 4) [y_min, x_min, y_max, x_max], got " +
                  shapeToString(b.shape()));
  }
  train.augment = std::move(aug);
  train.augmentBoxOutput = boxOutput;
}

}  // namespace tessel
