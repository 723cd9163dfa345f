#pragma once
// Data augmentation of training batches from the project's data settings
// (DataSettings::Augmentation), applied by the Trainer to every TRAINING batch right after the
// gather (never to evaluate / predict / validation batches).
//
// Per image, in the order a Keras user stacks the preprocessing layers:
//   RandomFlip (horizontal and/or vertical, each with probability 1/2),
//   RandomRotation(factor) (angle uniform in ±factor·2π, counter-clockwise),
//   RandomZoom(height_factor=zoom) (one factor uniform in 1 ± zoom for both axes, > 1 zooms out),
//   RandomTranslation(translate, translate) (uniform ±translate·height rows, ±translate·width
//   columns), RandomContrast(contrast) ((x - channel mean)·f + mean, f uniform in 1 ± contrast),
//   RandomBrightness(brightness) (x + uniform(±brightness)·(hi - lo)); both photometric ops clip
//   to the value range [lo, hi].
// The geometric ops are composed into ONE projective transform and sampled once with
// ImageTransform's transformImage (Keras 2 defaults: fill_mode reflect, bilinear), so the image is
// interpolated once instead of once per layer; the only difference from stacked layers is what
// reflect fill shows outside the image.
//
// Values: the ops work on the values as the model receives them (after the settings'
// normalisation). Keras's value_range [0, 255] is in RAW pixel units; attachAugmentation maps it
// through the x array's affine map (e.g. rescale 1/255 gives [0, 1], standardisation gives
// [-mean/std, (255 - mean)/std]), so brightness deltas and clipping mean the same thing whatever
// the normalisation. Float data is assumed to hold raw values in [0, 255] too, as Keras assumes.
//
// Random parameters of image j are drawn from a stream seeded by (augmentation seed, fit seed,
// epoch, sample index idx[j]): the same sample in the same epoch gets the same transform whatever
// its batch, and a run resumed at initial_epoch=k repeats the uninterrupted run.
//
// Boxes follow the image (KerasCV's bounding-box-aware augmentation): a box target
// [y_min, x_min, y_max, x_max] normalised to [0, 1] is mirrored exactly by flips; rotation, zoom
// and translation map its 4 corners through the same transform and take their axis-aligned
// bounding box; the result is clipped to [0, 1] after each op (as each KerasCV layer clips).
// Photometric ops leave boxes alone.
#include <cstdint>
#include <memory>

#include "engine/data/DataSettings.h"
#include "engine/layers/ImageTransform.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

struct Dataset;

class BatchAugmenter {
 public:
  // The random parameters of one image.
  struct Params {
    bool flipH = false, flipV = false;
    float angle = 0.0f;                  // radians, counter-clockwise (RandomRotation)
    float zoomY = 1.0f, zoomX = 1.0f;    // > 1 zoom out, < 1 zoom in (RandomZoom)
    float shiftY = 0.0f, shiftX = 0.0f;  // pixels, > 0 down / right (RandomTranslation)
    float contrast = 1.0f;               // contrast factor (RandomContrast)
    float brightness = 0.0f;             // delta added, in value units (RandomBrightness)
  };

  // Throws Error for factors Keras refuses: negative, or zoom / translate / contrast / brightness
  // above 1.
  explicit BatchAugmenter(const DataSettings::Augmentation& settings);

  const DataSettings::Augmentation& settings() const { return settings_; }
  // The value range of the photometric ops (default [0, 255], Keras's value_range).
  void setValueRange(float lo, float hi);
  float valueLow() const { return lo_; }
  float valueHigh() const { return hi_; }
  // The image shape (h, w, c) of a sample, used when the batch tensor is not 4-D (e.g.
  // Fashion-MNIST as (N, 28, 28) or flattened to (N, 784) for a Dense model: rows are (h, w, c)
  // row-major).
  void setImageShape(Index h, Index w, Index c);
  // Fill mode / interpolation of the geometric warp (default Keras 2: reflect, bilinear, 0).
  void setTransformOptions(const TransformOptions& o) { options_ = o; }

  // x is (n, h, w, c) (or (n, ...) with h·w·c values per row once setImageShape was called),
  // boxes (n, 4) or null; idx[0..n) the sample indices of the rows. Works in place; allocates
  // nothing once the per-thread scratch image has grown to h·w·c floats. Thread-safe.
  void apply(Tensor& x, Tensor* boxes, const Index* idx, Index n, std::uint64_t fitSeed,
             int epoch) const;

  // The parameters drawn for sample `sample` of an (h, w) image in epoch `epoch`.
  Params draw(std::uint64_t fitSeed, int epoch, Index sample, Index h, Index w) const;
  // Applies p to one image img (h, w, c) in place and to its box (4 floats) when box is not null.
  // The photometric ops run when the settings enable them; scratch holds h·w·c floats.
  void applyOne(float* img, float* box, const Params& p, Index h, Index w, Index c,
                float* scratch) const;

  // The composed transform of p: OUTPUT point (column, row) → INPUT point, as transformImage
  // takes it (flip, then rotation, zoom, translation).
  static Projective transformOf(const Params& p, Index h, Index w);
  // box [y_min, x_min, y_max, x_max] in [0, 1] after the geometric ops of p (in place).
  static void transformBox(float* box, const Params& p, Index h, Index w);
  // RandomContrast of one image (p pixels, c channels) with factor f, clipped to [lo, hi].
  static void adjustContrast(float* img, Index pixels, Index c, float f, float lo, float hi);
  // RandomBrightness of `size` values with delta, clipped to [lo, hi].
  static void adjustBrightness(float* img, Index size, float delta, float lo, float hi);

 private:
  DataSettings::Augmentation settings_;
  float lo_ = 0.0f, hi_ = 255.0f;
  Index h_ = 0, w_ = 0, c_ = 0;  // setImageShape (0: take it from a 4-D batch)
  TransformOptions options_;
};

// Attaches the settings' augmentation to the TRAINING data set (train.augment,
// train.augmentBoxOutput = boxOutput), or clears it when the settings augment nothing. x must be
// one image input: (N, H, W, C), or (N, H, W) taken as one channel. boxOutput is the index of the
// y holding (N, 4) boxes, or -1. The value range is Keras's [0, 255] mapped through x's affine
// map. Throws Error when augmentation is set and x is not images, or boxOutput is not an (N, 4)
// target.
void attachAugmentation(Dataset& train, const DataSettings& settings, int boxOutput);

}  // namespace tessel
