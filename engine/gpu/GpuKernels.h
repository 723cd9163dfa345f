#pragma once
// The CUDA kernels of the GPU backend, behind plain launch functions on raw float pointers (no
// Eigen, no engine types: this header is shared by GpuKernels.cu, compiled by nvcc, and
// GpuExecutor.cpp, compiled with the project's C++ flags). Every function enqueues on `stream`
// and returns at once; the formulas are the CPU engine's, written in the same order
// (engine/layers/Activations.cpp, engine/losses/*, engine/optimizers/*), so that FP32 results
// agree to rounding. All matrices are row-major: (rows, cols).
#include <cuda_runtime.h>

namespace tessel::gpu {

// Activation codes: the values of tessel::ActivationFn that have a GPU kernel.
enum GpuAct : int {
  kActLinear = 0,
  kActRelu,
  kActSelu,
  kActElu,
  kActSigmoid,
  kActTanh,
  kActSoftmax
};

// z (rows, units) += bias (units) when bias is not null; y = f(z) (y may equal z). Softmax
// normalises each row.
void launchBiasActivation(float* z, float* y, const float* bias, int rows, int units, int act,
                          cudaStream_t stream);
// dz = dy * f'(z) (reads z, y as forward left them; dz may equal dy); db (units) = column sums
// of dz when db is not null.
void launchActivationBackward(const float* dy, const float* z, const float* y, float* dz, float* db,
                              int rows, int units, int act, cudaStream_t stream);
// y = x * mul (+ add when add is not null), elementwise over count values.
void launchMask(const float* x, float* y, const float* mul, const float* add, long count,
                cudaStream_t stream);

// Loss gradients dPred = d/dPred sum_i scale[i] * loss_i for a (rows, classes) prediction.
enum GpuLoss : int { kLossSparseCce = 0, kLossCce, kLossMse };
void launchLossGradient(int loss, const float* yTrue, const float* yPred, const float* scale,
                        float* grad, int rows, int classes, bool fromLogits, double labelSmoothing,
                        cudaStream_t stream);

// Optimizer updates over count contiguous parameters. hyper (device) holds the per-step scalars
// the host computed from the learning rate and the iteration: SGD {lr}, Adam {lr/(1-b1^t),
// 1/(1-b2^t)}.
void launchSgd(float* w, const float* g, float* m, long count, const float* hyper, float momentum,
               bool nesterov, cudaStream_t stream);
void launchAdam(float* w, const float* g, float* m, float* v, long count, const float* hyper,
                float beta1, float beta2, float epsilon, cudaStream_t stream);

}  // namespace tessel::gpu
