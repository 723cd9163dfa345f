#pragma once
// Shared helpers for the convolution, pooling and reshaping layers: Keras config tuples, TF's
// "same"/"valid" output sizes and padding, convolution geometry, and checks that name the node.
// Layout is channels_last (NHWC) everywhere; 1-D layers run as 2-D with height 1.
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/layers/ConvDeps.h"
#include "engine/layers/Layer.h"

namespace tessel {

// Keras `kernel_size=3` means (3, 3): an int or a list of `n` ints. Throws SpecError BadValue
// naming `node` when the list has the wrong length or an entry is below `minValue`.
std::vector<Index> configTuple(const json& config, const std::string& key, size_t n,
                               const std::string& node, Index minValue = 1);

// data_format must be channels_last (the engine is NHWC only); throws SpecError BadValue.
void requireChannelsLast(const json& config, const std::string& node);

// Keras conv_output_length: "valid" → ceil((in - (k-1)*d) / s), "same" → ceil(in / s).
// "causal" (Conv1D) behaves as "same" with all padding before.
Index convOutputLength(Index in, Index k, Index stride, Index dilation, const std::string& pad);
// Padding before the first element (TF): pad_total = max((out-1)*s + (k-1)*d + 1 - in, 0),
// pad_before = pad_total / 2 ("same"), pad_total ("causal"), 0 ("valid").
Index padBefore(Index in, Index k, Index stride, Index dilation, const std::string& pad);

// Throws SpecError ShapeMismatch naming `node` unless `shape` has rank `rank`:
// "<className> expects a 4-D input (batch, height, width, channels), got (None, 10)".
void requireRank(const Shape& shape, size_t rank, const std::string& className,
                 const std::string& node, const std::string& dims);
// The first check of the channels_last layers' outputShape: exactly one input, of rank 4
// (spatialRank 2: (batch, height, width, channels)) or 3 (spatialRank 1: (batch, steps,
// channels)). Returns that input; throws SpecError ShapeMismatch naming `node`.
const Shape& requireSpatialInput(const std::vector<Shape>& inputs, int spatialRank,
                                 const std::string& className, const std::string& node);
// Throws SpecError ShapeMismatch naming `node` when dimension `axis` of `shape` is unknown.
void requireKnown(const Shape& shape, size_t axis, const std::string& node,
                  const std::string& what);

// One convolution's geometry. Input (n, h, w, c), kernel (kh, kw), output (n, oh, ow, *).
struct ConvGeom {
  Index n = 0, h = 0, w = 0, c = 0;
  Index kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  Index padT = 0, padL = 0;
  Index oh = 0, ow = 0;
  Index rows() const { return n * oh * ow; }  // im2col rows (one per output pixel)
  // im2col columns for `cg` channels: (i, j, ch) with ch fastest, as Keras kernels are laid out.
  Index cols(Index cg) const { return kh * kw * cg; }
  // True when im2col would be a plain copy (1x1 kernel, stride 1, no padding, all channels).
  bool identity() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padT == 0 && padL == 0;
  }
};

ConvGeom makeConvGeom(Index h, Index w, Index c, Index kh, Index kw, Index sh, Index sw, Index dh,
                      Index dw, const std::string& padding);

// col (n*oh*ow, kh*kw*cg) ← patches of channels [c0, c0+cg) of x (n, h, w, c); zero padding.
// Parallel over output rows (OpenMP).
void im2col(const float* x, const ConvGeom& g, Index c0, Index cg, float* col);
// dx (n, h, w, c) channels [c0, c0+cg) += scatter of col (the adjoint of im2col). dx must be
// initialised by the caller. Parallel over samples (OpenMP).
void col2im(const float* col, const ConvGeom& g, Index c0, Index cg, float* dx);
// One sample, serial (for callers that parallelise over samples): x is (h, w, c), col is
// (oh*ow, kh*kw*cg); g.n is ignored.
void im2colSample(const float* x, const ConvGeom& g, Index c0, Index cg, float* col);
void col2imSample(const float* col, const ConvGeom& g, Index c0, Index cg, float* dx);

// "(3, 3)" for error messages.
std::string tupleToString(const std::vector<Index>& v);

}  // namespace tessel

namespace tessel {
// ZeroPadding2D / Cropping2D amounts: int n → ((n, n), (n, n)); (h, w) → ((h, h), (w, w));
// ((top, bottom), (left, right)). Returns {top, bottom, left, right}; throws SpecError BadValue.
std::vector<Index> configPadding2D(const json& config, const std::string& key,
                                   const std::string& node);
}  // namespace tessel

namespace tessel {
// Small dense product for the convolution layers, AVX-512 (checked at run time):
//   C (m, n) = [C +] A · B,  A(i, p) = a[i*ars + p*acs],  B(p, j) = b[p*ldb + j],  C row-major.
// Single-threaded (callers parallelise over samples). Only call when convGemmAvailable().
bool convGemmAvailable();
void convGemm(Index m, Index n, Index k, const float* a, Index ars, Index acs, const float* b,
              Index ldb, float* c, Index ldc, bool accumulate);
}  // namespace tessel

namespace tessel {
// The config DepthwiseConv2D, SeparableConv2D and Conv2DTranspose read the same way:
// data_format channels_last, kernel_size / strides / dilation_rate as pairs, padding, use_bias and
// the fused activation. Throws SpecError BadValue naming `node` for strides > 1 combined with
// dilation_rate > 1 (as Keras) and for a non-null activity_regularizer.
struct Conv2DConfig {
  std::vector<Index> kernel, strides, dilation;
  std::string padding;
  bool useBias = true;
  FusedActivation act;
};
Conv2DConfig parseConv2DConfig(const json& config, const std::string& className,
                               const std::string& node);
// The input checks of those layers' outputShape: one 4-D input with known channels, and (when
// `kernelMustFit`) with 'valid' padding a dilated kernel no larger than a known input size.
// Throws SpecError ShapeMismatch naming `node`.
void checkConv2DInput(const std::vector<Shape>& inputs, const Conv2DConfig& c,
                      const std::string& className, const std::string& node, bool kernelMustFit);

// The depthwise convolution core of DepthwiseConv2D and SeparableConv2D (no bias, no activation):
// x (n, h, w, C), k (kh, kw, C, dm), y (n, oh, ow, C·dm) with output channel c·dm + m (as TF).
// depthwiseForward: y ← conv(x, k). depthwiseBackward: dk ← Σ x·dy (overwritten) when dk is not
// null, and dx ← Σ dy·k (overwritten) when dx is not null. OpenMP over rows / taps / samples.
void depthwiseForward(const float* x, const ConvGeom& g, const float* k, Index dm, float* y);
void depthwiseBackward(const float* x, const ConvGeom& g, const float* k, Index dm, const float* dy,
                       float* dk, float* dx);

// The fused tail of a convolution's forward pass: y (M, F) ← act(y + bias) in place (bias may be
// null), rows in parallel. When the activation's backward needs the pre-activation, z is resized
// to (M, F) and keeps y + bias.
void biasActivationForward(float* y, Index M, Index F, const float* bias,
                           const FusedActivation& act, Tensor& z);
// Its backward: returns dL/d(y + bias) for dy (M, F) — dy itself for a linear activation, else
// dz (resized to (M, F)) = act'(·) ⊙ dy — and overwrites biasGrad (F) with the column sums when
// it is not null.
const float* biasActivationBackward(const float* dy, const float* y, const Tensor& z, Index M,
                                    Index F, const FusedActivation& act, Tensor& dz,
                                    float* biasGrad);
}  // namespace tessel
