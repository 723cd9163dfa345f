#pragma once
// CUDA kernels of the loss gradients (GpuLoss.h), behind plain launch functions on raw float
// pointers (no engine types: shared by GpuLossKernels.cu, compiled by nvcc, and GpuLoss.cpp).
// Each computes grad = d/dPred sum_i scale[i] * loss_i with the CPU loss's formula, in double and
// in the same order (engine/losses/*), so that FP32 gradients agree with the CPU's to rounding.
// Every element of grad is written; scale may be null (all ones). Enqueues on `stream` and
// returns at once: no allocation, no host sync (safe in a CUDA graph capture).
#include <cuda_runtime.h>

#include <cstddef>

namespace tessel::gpu {

// The losses of ElementwiseLoss.h: d(t, p) per element, weighted per sample.
enum GpuElementLoss : int {
  kElemMse = 0,
  kElemMae,
  kElemMape,
  kElemHuber,  // param: delta
  kElemLogCosh,
  kElemBce,        // param: label smoothing
  kElemBceLogits,  // param: label smoothing
  kElemKld,
  kElemHinge  // labels converted 0/1 -> -1/1 when every label of the batch is 0 or 1
};

// yTrue, yPred, grad: (rows, perSample). grad[i][j] = float(scale[i] * factor * d(t, p)), where
// factor is the CPU's 1 / (values averaged over): 1 / perSample for a mean over the last axis,
// 1 / positions for KL divergence's sum.
void launchElementwiseLossGradient(int loss, const float* yTrue, const float* yPred,
                                   const float* scale, float* grad, int rows, long perSample,
                                   double factor, double param, cudaStream_t stream);

// Categorical / sparse categorical crossentropy over (rows, positions, classes): one softmax
// group per position (CategoricalCrossentropy.cpp, SparseCategoricalCrossentropy.cpp), each
// weighted by scale[i] / positions. Dense labels: as yPred; sparse: (rows, positions) class ids
// stored as floats (an id out of range, which the host's label check rejects, gets a zero
// gradient). labelSmoothing: dense only.
void launchCrossentropyGradient(bool sparse, const float* yTrue, const float* yPred,
                                const float* scale, float* grad, int rows, long positions,
                                int classes, bool fromLogits, double labelSmoothing,
                                cudaStream_t stream);

// CTC (engine/losses/Ctc.cpp) over logits (rows, steps, classes), blank 0: the doubles of device
// scratch one sample's gradient needs for labels of width labelWidth (S = 2 * labelWidth + 1
// extended positions): log_softmax and occupancy (steps * classes each), the occupancy's sum per
// step (steps), alpha and beta (steps * S each).
inline size_t ctcScratchDoubles(long steps, long classes, long labelWidth) {
  const size_t t = size_t(steps), s = size_t(2 * labelWidth + 1);
  return 2 * t * size_t(classes) + t + 2 * t * s;
}

// labels: (rows, labelWidth) class ids 1..classes-1 stored as floats, padded at the end with 0 (a
// row that is not, which the host's label check rejects, gets a zero gradient, as does a label
// that cannot be aligned in `steps`). fromLogits false: yPred holds probabilities, taken as
// logits log(p + 1e-7). scratch: rows * ctcScratchDoubles(...) doubles.
void launchCtcGradient(const float* labels, const float* yPred, const float* scale, float* grad,
                       int rows, int steps, int classes, int labelWidth, bool fromLogits,
                       double* scratch, cudaStream_t stream);

}  // namespace tessel::gpu
