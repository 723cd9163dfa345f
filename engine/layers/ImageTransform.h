#pragma once
// Shared pieces of the Keras image augmentation layers (RandomFlip, RandomTranslation,
// RandomRotation, RandomZoom, RandomContrast, RandomBrightness):
//  - the projective image transform of TF's ImageProjectiveTransformV3 (what Keras 2's
//    `transform()` calls): fill modes reflect / wrap / constant / nearest, interpolation nearest /
//    bilinear, with its adjoint for backward;
//  - the transform matrices of Keras 2's get_translation_matrix / get_rotation_matrix /
//    get_zoom_matrix;
//  - factor parsing and the per-call random stream of a seeded layer.
// Images are channels_last: x is (N, H, W, C).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "engine/layers/Layer.h"

namespace tessel {

enum class FillMode { Reflect, Wrap, Constant, Nearest };
enum class Interpolation { Nearest, Bilinear };

FillMode fillModeFromName(const std::string& name);            // "reflect" ... ; throws Error
Interpolation interpolationFromName(const std::string& name);  // "nearest" / "bilinear"

// One projective transform [a0, a1, a2, b0, b1, b2, c0, c1]: it maps the OUTPUT point (x, y) to
// the INPUT point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1 (x is
// the column, y the row).
struct Projective {
  float a0 = 1, a1 = 0, a2 = 0, b0 = 0, b1 = 1, b2 = 0, c0 = 0, c1 = 0;
};

// Keras 2 get_translation_matrix: the output is the input shifted by (dx, dy) pixels (dx > 0:
// right, dy > 0: down).
Projective translationMatrix(float dx, float dy);
// Keras 2 get_rotation_matrix: counter-clockwise rotation by `angle` radians about the centre.
Projective rotationMatrix(float angle, Index height, Index width);
// Keras 2 get_zoom_matrix: zx, zy > 1 zoom out, < 1 zoom in (about the centre).
Projective zoomMatrix(float zx, float zy, Index height, Index width);

struct TransformOptions {
  FillMode fill = FillMode::Reflect;
  Interpolation interpolation = Interpolation::Bilinear;
  float fillValue = 0.0f;
};

// y (h, w, c) = x (h, w, c) sampled at the transformed points (one image), as TF's
// ImageProjectiveTransformV3 (coordinates in float32, the fill mode maps a coordinate into the
// image before interpolation, taps outside the image read fillValue).
void transformImage(const float* x, Index h, Index w, Index c, const Projective& t,
                    const TransformOptions& o, float* y);
// The adjoint of transformImage with respect to x: dx (h, w, c) = sum over output pixels of
// tap weight * dy. dx is overwritten. (fillValue taps carry no gradient.)
void transformImageBackward(const float* dy, Index h, Index w, Index c, const Projective& t,
                            const TransformOptions& o, float* dx);

// A Keras factor: a number f means (-f, f) (or (f, f) when `symmetric` is false, RandomContrast),
// a list of two numbers (lower, upper). Throws Error on anything else.
std::pair<double, double> factorRange(const json& factor, const char* key, bool symmetric = true);

// The random stream of one forward call of an augmentation layer. With a layer `seed`, every call
// draws from a generator seeded by (seed, the next number of the executor's stream); the
// executor's stream is reseeded per (fit seed, epoch), so a seeded layer repeats per
// (seed, epoch, batch) and a run resumed at initial_epoch=k continues as the uninterrupted run.
// Without an executor stream (a bare layer call) the seeded layer draws from (seed, call count).
// Without a seed the executor's stream is used directly.
class AugmentRng {
 public:
  explicit AugmentRng(const json& seedConfig);
  Rng& forCall(RunContext& ctx);

 private:
  std::optional<std::uint64_t> seed_;
  std::uint64_t calls_ = 0;
  Rng call_{0};
  Rng fallback_{0};
};

// Throws SpecError ShapeMismatch naming `node` unless `inputs` is one 4-D (N, H, W, C) shape.
void requireImageInput(const std::vector<Shape>& inputs, const std::string& className,
                       const std::string& node);

}  // namespace tessel
