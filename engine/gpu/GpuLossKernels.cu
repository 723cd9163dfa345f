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

// ---- CTC (Ctc.cpp): one block per sample, Ctc::sample's steps in its order, each a pass over
// the sample's scratch separated by __syncthreads: log_softmax (a thread per step, over the
// classes in order), alpha forward and beta backward (threads over the extended positions s, one
// __syncthreads per time step), then the occupancy per (t, k) (a thread each, over s in order),
// its sum per step (a thread per step, over k in order) and the gradient per (t, k).

__device__ __forceinline__ double logAdd(double a, double b) {  // Ctc.cpp's logAdd
  if (a == -HUGE_VAL) return b;
  if (b == -HUGE_VAL) return a;
  const double m = a < b ? b : a;  // std::max
  return m + log1p(exp(-fabs(a - b)));
}

__global__ void ctcKernel(const float* labels, const float* x, const float* scale, float* g, int T,
                          int C, int width, bool fromLogits, double* scratch, size_t perSample) {
  const int i = blockIdx.x;
  const long TC = long(T) * C;
  const float* lab = labels + size_t(i) * size_t(width);
  x += size_t(i) * size_t(TC);
  g += size_t(i) * size_t(TC);
  double* lp = scratch + size_t(i) * perSample;  // (T, C) log_softmax
  double* occ = lp + TC;                         // (T, C) occupancy
  double* total = occ + TC;                      // (T) sum of the occupancy over k
  double* alpha = total + T;                     // (T, S), then beta (T, S)

  // The label (Ctc::labelOf): the ids before the first 0. A row that is not one (an id out of
  // [0, C - 1] or not an integer, an id after the padding) gets a zero gradient.
  __shared__ int firstZero;
  if (threadIdx.x == 0) firstZero = width;
  __syncthreads();
  int bad = 0;
  for (int j = threadIdx.x; j < width; j += blockDim.x) {
    const float v = lab[j];
    if (!(v >= 0.0f) || v >= float(C) || v != floorf(v))
      bad = 1;
    else if (v == 0.0f)
      atomicMin(&firstZero, j);
  }
  __syncthreads();
  const int L = firstZero, S = 2 * L + 1;
  for (int j = L + 1 + int(threadIdx.x); j < width; j += blockDim.x) bad |= lab[j] != 0.0f;
  if (__syncthreads_or(bad)) {
    for (long k = threadIdx.x; k < TC; k += blockDim.x) g[k] = 0.0f;
    return;
  }
  // The extended label l' = (blank, l1, blank, ..., lL, blank); may alignments jump s - 2 -> s?
  auto ext = [&](int s) { return s % 2 == 0 ? 0 : int(lab[s / 2]); };
  auto skip = [&](int s) { return s >= 2 && s % 2 == 1 && ext(s) != ext(s - 2); };

  // lp: log_softmax of z = x (logits) or log(x + eps) (probabilities).
  for (int t = threadIdx.x; t < T; t += blockDim.x) {
    const float* xt = x + long(t) * C;
    double* z = lp + long(t) * C;
    for (int k = 0; k < C; ++k)
      z[k] = fromLogits ? double(xt[k]) : log(double(xt[k]) + double(kEpsilon));
    double m = z[0];
    for (int k = 1; k < C; ++k) m = m < z[k] ? z[k] : m;
    double sum = 0;
    for (int k = 0; k < C; ++k) sum += exp(z[k] - m);
    const double lse = m + log(sum);
    for (int k = 0; k < C; ++k) z[k] -= lse;
  }
  __syncthreads();

  // alpha[t][s]: log p(l'_0..s emitted by steps 0..t, ending in s), emission included.
  for (int s = threadIdx.x; s < S; s += blockDim.x)
    alpha[s] = s == 0 ? lp[0] : (s == 1 ? lp[ext(1)] : -HUGE_VAL);
  __syncthreads();
  for (int t = 1; t < T; ++t) {
    const double* prev = alpha + long(t - 1) * S;
    double* cur = alpha + long(t) * S;
    for (int s = threadIdx.x; s < S; s += blockDim.x) {
      double a = prev[s];
      if (s >= 1) a = logAdd(a, prev[s - 1]);
      if (skip(s)) a = logAdd(a, prev[s - 2]);
      cur[s] = a == -HUGE_VAL ? -HUGE_VAL : a + lp[long(t) * C + ext(s)];
    }
    __syncthreads();
  }
  const double* last = alpha + long(T - 1) * S;
  const double logP = S > 1 ? logAdd(last[S - 1], last[S - 2]) : last[S - 1];
  if (logP == -HUGE_VAL) {  // no alignment fits: TensorFlow's +inf loss, a zero gradient
    for (long k = threadIdx.x; k < TC; k += blockDim.x) g[k] = 0.0f;
    return;
  }

  // beta[t][s]: log p(l'_s..S-1 emitted by steps t..T-1, starting in s), emission included.
  double* beta = alpha + long(T) * S;
  const double* lpLast = lp + long(T - 1) * C;
  for (int s = threadIdx.x; s < S; s += blockDim.x)
    beta[long(T - 1) * S + s] =
        s == S - 1 ? lpLast[0] : (s == S - 2 ? lpLast[ext(S - 2)] : -HUGE_VAL);
  __syncthreads();
  for (int t = T - 2; t >= 0; --t) {
    const double* next = beta + long(t + 1) * S;
    double* cur = beta + long(t) * S;
    for (int s = threadIdx.x; s < S; s += blockDim.x) {
      double b = next[s];
      if (s + 1 < S) b = logAdd(b, next[s + 1]);
      if (s + 2 < S && skip(s + 2)) b = logAdd(b, next[s + 2]);
      cur[s] = b == -HUGE_VAL ? -HUGE_VAL : b + lp[long(t) * C + ext(s)];
    }
    __syncthreads();
  }

  // occ[t][k] = sum over s with l'_s = k (ascending) of exp(alpha + beta - lp - logP).
  for (long tk = threadIdx.x; tk < TC; tk += blockDim.x) {
    const long t = tk / C;
    const int k = int(tk % C);
    const double* a = alpha + t * S;
    const double* b = beta + t * S;
    double o = 0;
    for (int s = k == 0 ? 0 : 1; s < S; s += 2) {
      if (k != 0 && int(lab[s / 2]) != k) continue;
      if (a[s] == -HUGE_VAL || b[s] == -HUGE_VAL) continue;
      o += exp(a[s] + b[s] - lp[tk] - logP);
    }
    occ[tk] = o;
  }
  __syncthreads();
  for (int t = threadIdx.x; t < T; t += blockDim.x) {
    double sum = 0;
    for (int k = 0; k < C; ++k) sum += occ[long(t) * C + k];
    total[t] = sum;
  }
  __syncthreads();
  // dL/dlp = -occ; through log_softmax dL/dz = softmax * total - occ; probabilities: / (x + eps).
  const double sc = scale ? double(scale[i]) : 1.0;
  for (long tk = threadIdx.x; tk < TC; tk += blockDim.x) {
    // __dmul_rn: no FMA contraction, the CPU's two roundings.
    double dz = __dmul_rn(exp(lp[tk]), total[tk / C]) - occ[tk];
    if (!fromLogits) dz /= double(x[tk]) + double(kEpsilon);
    g[tk] = float(sc * dz);
  }
}

// Enough blocks for one thread per element: many kernels here handle one element per thread
// (no grid-stride loop), so the grid must never be capped (a cap of 4096 blocks once left every
// element past 2^20 untouched).
int blocksFor(long count, int threads) {
  const long b = (count + threads - 1) / threads;
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

void launchCtcGradient(const float* labels, const float* yPred, const float* scale, float* grad,
                       int rows, int steps, int classes, int labelWidth, bool fromLogits,
                       double* scratch, cudaStream_t stream) {
  if (rows <= 0 || steps <= 0 || classes <= 0) return;
  ctcKernel<<<rows, 256, 0, stream>>>(labels, yPred, scale, grad, steps, classes, labelWidth,
                                      fromLogits, scratch,
                                      ctcScratchDoubles(steps, classes, labelWidth));
}

}  // namespace tessel::gpu
