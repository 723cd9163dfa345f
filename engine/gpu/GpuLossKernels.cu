// CUDA kernels of the loss gradients (GpuLossKernels.h). Each formula is the CPU loss's, term by
// term and in double (engine/losses/*.cpp); sums over a softmax group run in the CPU's order when
// one thread takes the group, in a fixed shuffle tree (deterministic) when a warp does.
#include <cmath>

#include "engine/gpu/GpuLossKernels.h"

namespace tessel::gpu {

namespace {

constexpr float kEpsilon = 1e-7f;  // Keras backend.epsilon(), as engine/losses/LossLayout.h

__device__ __forceinline__ float clampf(float x, float lo, float hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

__device__ __forceinline__ double signOf(float t, float p) {
  return p > t ? 1.0 : (p < t ? -1.0 : 0.0);
}

// d loss(t, p) / dp of one element, as Derived::grad of ElementwiseLoss.h. binary: Hinge's batch
// flag (every label 0 or 1).
__device__ __forceinline__ double elementGrad(int loss, float t, float p, double param,
                                              bool binary) {
  switch (loss) {
    case kElemMse:
      return 2.0 * (double(p) - t);
    case kElemMae:
      return signOf(t, p);
    case kElemMape: {
      const double a = fabs(double(t)), e = double(kEpsilon);
      return 100.0 * signOf(t, p) / (a < e ? e : a);  // std::max(|t|, eps)
    }
    case kElemHuber: {
      const double e = double(p) - double(t);
      if (fabs(e) <= param) return e;
      return e > 0 ? param : -param;
    }
    case kElemLogCosh:
      return tanh(double(p) - double(t));
    case kElemBce: {
      const double ts = t * (1.0 - param) + 0.5 * param;
      if (p < kEpsilon || p > 1.0f - kEpsilon) return 0.0;  // clip_by_value passes [lo, hi]
      const double pd = p;
      return (pd - ts) / (pd * (1.0 - pd));
    }
    case kElemBceLogits: {
      const double ts = t * (1.0 - param) + 0.5 * param;
      const double x = p;
      const double s = x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
      return s - ts;
    }
    case kElemKld:
      if (p < kEpsilon || p > 1.0f) return 0.0;
      return -double(clampf(t, kEpsilon, 1.0f)) / double(p);
    case kElemHinge: {
      const double tt = binary ? 2.0 * t - 1.0 : double(t);
      return 1.0 - tt * p >= 0 ? -tt : 0.0;  // TF's maximum(x, 0) passes x >= 0
    }
    default:
      return 0.0;
  }
}

__global__ void elementLossKernel(int loss, const float* t, const float* p, const float* scale,
                                  float* g, long count, long perSample, double factor,
                                  double param) {
  for (long k = blockIdx.x * long(blockDim.x) + threadIdx.x; k < count;
       k += long(gridDim.x) * blockDim.x) {
    const double c = (scale ? scale[k / perSample] : 1.0f) * factor;
    g[k] = float(c * elementGrad(loss, t[k], p[k], param, false));
  }
}

// Hinge needs one flag over the whole batch's labels first (Hinge::batchFlag): one block finds it
// with __syncthreads_or, then writes every gradient (no scratch memory, no second launch).
__global__ void hingeKernel(const float* t, const float* p, const float* scale, float* g,
                            long count, long perSample, double factor) {
  int other = 0;
  for (long k = threadIdx.x; k < count; k += blockDim.x) other |= t[k] != 0.0f && t[k] != 1.0f;
  const bool binary = !__syncthreads_or(other);
  for (long k = threadIdx.x; k < count; k += blockDim.x) {
    const double c = (scale ? scale[k / perSample] : 1.0f) * factor;
    g[k] = float(c * elementGrad(kElemHinge, t[k], p[k], 0.0, binary));
  }
}

// Sum / max over the W lanes that share a softmax group (W = 1: the value itself).
template <int W>
__device__ __forceinline__ double groupSum(double v) {
  if constexpr (W > 1)
    for (int o = W / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
template <int W>
__device__ __forceinline__ double groupMax(double v) {
  if constexpr (W > 1)
    for (int o = W / 2; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// W consecutive threads per position (a whole warp when W = 32, so the shuffles see every lane:
// a group past the end returns as a whole).
template <int W>
__global__ void crossentropyKernel(bool sparse, const float* t, const float* x, const float* scale,
                                   float* g, long groups, long positions, int c, bool fromLogits,
                                   double smoothing) {
  const long grp = (blockIdx.x * long(blockDim.x) + threadIdx.x) / W;
  const int lane = int(threadIdx.x % W);
  if (grp >= groups) return;
  const double sc = (scale ? scale[grp / positions] : 1.0f) / double(positions);
  const long off = grp * c;
  x += off;
  g += off;
  if (sparse) {
    const float label = t[grp];
    const int y = label >= 0.0f && label < float(c) ? int(label) : -1;
    if (y < 0) {
      for (int j = lane; j < c; j += W) g[j] = 0.0f;
      return;
    }
    if (fromLogits) {
      double m = -HUGE_VAL;
      for (int j = lane; j < c; j += W) m = fmax(m, double(x[j]));
      m = groupMax<W>(m);
      double z = 0;
      for (int j = lane; j < c; j += W) z += exp(double(x[j]) - m);
      const double lse = m + log(groupSum<W>(z));
      for (int j = lane; j < c; j += W)
        g[j] = float(sc * (exp(double(x[j]) - lse) - (j == y ? 1.0 : 0.0)));
      return;
    }
    // dL/dc_k = 1/sum - [k == y]/c_y where p_k is inside the clip range, else 0.
    double sum = 0;
    for (int j = lane; j < c; j += W) sum += clampf(x[j], kEpsilon, 1.0f - kEpsilon);
    sum = groupSum<W>(sum);
    const double cy = clampf(x[y], kEpsilon, 1.0f - kEpsilon);
    for (int j = lane; j < c; j += W) {
      const bool inside = x[j] >= kEpsilon && x[j] <= 1.0f - kEpsilon;
      g[j] = inside ? float(sc * (1.0 / sum - (j == y ? 1.0 / cy : 0.0))) : 0.0f;
    }
    return;
  }
  // Categorical, labels smoothed to t (1 - s) + s / C.
  const float* tr = t + off;
  const double s = smoothing, su = smoothing / double(c);
  if (fromLogits) {  // d/dx_k = softmax_k * sum(t) - t_k
    double m = -HUGE_VAL;
    for (int j = lane; j < c; j += W) m = fmax(m, double(x[j]));
    m = groupMax<W>(m);
    double z = 0, tsum = 0;
    for (int j = lane; j < c; j += W) z += exp(double(x[j]) - m);
    const double lse = m + log(groupSum<W>(z));
    for (int j = lane; j < c; j += W) tsum += double(tr[j]) * (1.0 - s) + su;
    tsum = groupSum<W>(tsum);
    for (int j = lane; j < c; j += W)
      g[j] = float(sc * (exp(double(x[j]) - lse) * tsum - (double(tr[j]) * (1.0 - s) + su)));
    return;
  }
  // q = p / sum(p) clipped; dL/dp_k = (dL/dq_k - sum_j dL/dq_j q_j) / sum.
  double sum = 0;
  for (int j = lane; j < c; j += W) sum += x[j];
  sum = groupSum<W>(sum);
  double gq = 0;
  for (int j = lane; j < c; j += W) {
    const float q = float(double(x[j]) / sum);
    const double dq = (q >= kEpsilon && q <= 1.0f - kEpsilon)
                          ? -(double(tr[j]) * (1.0 - s) + su) / double(q)
                          : 0.0;
    gq += dq * q;
  }
  gq = groupSum<W>(gq);
  for (int j = lane; j < c; j += W) {
    const float q = float(double(x[j]) / sum);
    const double dq = (q >= kEpsilon && q <= 1.0f - kEpsilon)
                          ? -(double(tr[j]) * (1.0 - s) + su) / double(q)
                          : 0.0;
    g[j] = float(sc * (dq - gq) / sum);
  }
}

int blocksFor(long count, int threads) {
  long b = (count + threads - 1) / threads;
  if (b > 4096) b = 4096;
  return int(b < 1 ? 1 : b);
}

}  // namespace

void launchElementwiseLossGradient(int loss, const float* yTrue, const float* yPred,
                                   const float* scale, float* grad, int rows, long perSample,
                                   double factor, double param, cudaStream_t stream) {
  const long count = long(rows) * perSample;
  if (count <= 0) return;
  if (loss == kElemHinge) {
    hingeKernel<<<1, 1024, 0, stream>>>(yTrue, yPred, scale, grad, count, perSample, factor);
    return;
  }
  elementLossKernel<<<blocksFor(count, 256), 256, 0, stream>>>(loss, yTrue, yPred, scale, grad,
                                                               count, perSample, factor, param);
}

void launchCrossentropyGradient(bool sparse, const float* yTrue, const float* yPred,
                                const float* scale, float* grad, int rows, long positions,
                                int classes, bool fromLogits, double labelSmoothing,
                                cudaStream_t stream) {
  const long groups = long(rows) * positions;
  if (groups <= 0 || classes <= 0) return;
  // A thread per group in the CPU's summation order; a warp per group for wide rows (many
  // classes), where one thread would walk the row alone.
  if (classes > 32) {
    crossentropyKernel<32><<<int((groups + 7) / 8), 256, 0, stream>>>(
        sparse, yTrue, yPred, scale, grad, groups, positions, classes, fromLogits, labelSmoothing);
  } else {
    crossentropyKernel<1><<<int((groups + 127) / 128), 128, 0, stream>>>(
        sparse, yTrue, yPred, scale, grad, groups, positions, classes, fromLogits, labelSmoothing);
  }
}

}  // namespace tessel::gpu
