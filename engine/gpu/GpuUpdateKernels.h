#pragma once
// The CUDA kernels of the optimizer update (GpuUpdate.h), behind plain launch functions on raw
// pointers (no engine types: shared by GpuUpdateKernels.cu, compiled by nvcc, and GpuUpdate.cpp).
// Every function enqueues on `stream` and returns at once: no allocation, no host sync, so that
// they can be captured in the step's CUDA graph. The formulas are the CPU engine's
// (engine/optimizers/*.cpp, Optimizer::apply), written in the same order.
//
// Work is split into chunks (one block each): at most kUpdateChunkFloats consecutive floats of one
// trainable variable (a segment), so that the gaps between variables are never touched and each
// block knows its variable (for the per-variable clipnorm scale).
#include <cuda_runtime.h>

namespace tessel::gpu {

constexpr int kUpdateChunkFloats = 4096;

// `count` floats of segment `segment`, from `begin` in params / grads / slots.
struct UpdateChunk {
  long begin;
  int count;
  int segment;
};

enum UpdateAlgo : int {
  kUpdateSgd = 0,
  kUpdateAdam,
  kUpdateAdamax,
  kUpdateNadam,
  kUpdateRmsprop,
  kUpdateAdagrad
};

// The per-step scalars in the hyper block (host: UpdatePlan::hostScalars, in double then float).
enum UpdateHyper : int {
  kHyperLr = 0,  // float(lr)
  kHyperDecay,   // float(weight_decay * lr)
  kHyperC1,      // Adam, Adamax: lr / (1 - b1^t); Nadam: u_{t+1} / (1 - P_t u_{t+1})
  kHyperC2,      // Adam: 1 / (1 - b2^t); Nadam: (1 - u_t) / (1 - P_t)
  kHyperC3,      // Nadam: 1 / (1 - b2^t)
  // Dynamic loss scaling (mixed_float16): 1 / the loss scale, and the skip flag the unscale
  // kernel raises on a non-finite gradient (the host writes 0 each step); 0 and 1 without it.
  kHyperInvScale = 14,
  kHyperSkip = 15
};

// What stays fixed for a plan: the optimizer's constants (as float, as the CPU casts them) and
// the options.
struct UpdateConfig {
  int algo = kUpdateSgd;
  float momentum = 0;  // SGD, RMSprop
  float beta1 = 0, beta2 = 0, epsilon = 0, rho = 0;
  float clipvalue = 0;       // > 0: clip each gradient value to [-clipvalue, clipvalue]
  bool nesterov = false;     // SGD
  bool amsgrad = false;      // Adam
  bool centered = false;     // RMSprop
  bool useMomentum = false;  // SGD momentum != 0, RMSprop momentum > 0
  bool normScale = false;    // multiply each gradient by its segment's segScale (clipnorms)
  bool weightDecay = false;  // w -= w * hyper[kHyperDecay] first
  int momentumSlot = -1, averageSlot = -1;  // RMSprop's "momentum" and "average_gradient"
};

// Clip scales of clipnorm (per segment) and global_clipnorm (over all segments), as
// Optimizer::apply computes them, into segScale[nseg] (float). Squared norms in double:
// per chunk (partial[nchunks], a fixed tree per block), then per segment over its chunks
// segFirst[s] .. segFirst[s + 1] in order, then over the segments in a fixed tree: deterministic,
// no atomics. segSq: nseg doubles. clipnorm / globalClipnorm: 0 = off.
void launchClipScales(const float* g, const UpdateChunk* chunks, int nchunks, const int* segFirst,
                      int nseg, double clipnorm, double globalClipnorm, double* partial,
                      double* segSq, float* segScale, cudaStream_t stream);

// The whole update of every chunk in one kernel: clipping (segScale when cfg.normScale, then
// clipvalue), weight decay, then the optimizer. slots: the slot arrays (s0, s1, s2; unused ones
// may be null), with the same offsets as w and g. hyper: the device copy of the hyper block.
void launchUpdate(const UpdateConfig& cfg, float* w, const float* g, float* s0, float* s1,
                  float* s2, const UpdateChunk* chunks, int nchunks, const float* segScale,
                  const float* hyper, cudaStream_t stream);

// Keras's LossScaleOptimizer before the inner optimizer: every gradient of the chunks times
// hyper[kHyperInvScale]; hyper[kHyperSkip] = 1 when any of them is not finite (then launchUpdate
// leaves the weights and slots as they are: the step is skipped).
void launchUnscale(float* g, const UpdateChunk* chunks, int nchunks, float* hyper,
                   cudaStream_t stream);

}  // namespace tessel::gpu
