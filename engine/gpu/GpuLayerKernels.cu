// The sequence layers' kernels (GpuLayerKernels.h).
#include "engine/gpu/GpuLayerKernels.h"

#include "engine/gpu/GpuKernels.h"

namespace tessel::gpu {

namespace {

int blocksFor(long count, int threads) {
  return int((count + threads - 1) / threads);
}

__device__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// One warp per row.
__global__ void attentionSoftmaxKernel(const float* s, float* p, int rows, int tq, int heads,
                                       int cols, bool causal, const float* colMask,
                                       const float* colMask2, const float* rowMask,
                                       const float* scale, float constScale) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;
  const int b = row / (tq * heads), i = row % tq;  // sample b, query step i (any head)
  const float* in = s + long(row) * cols;
  float* out = p + long(row) * cols;
  const float* m = colMask ? colMask + long(b) * cols : nullptr;
  const float* m2 = colMask2 ? colMask2 + long(b) * cols : nullptr;
  const bool rowVisible = !rowMask || rowMask[long(b) * tq + i] != 0.0f;
  const bool scaled = scale || constScale != 1.0f;
  const float a = scale ? *scale : constScale;
  const int visibleEnd = causal ? min(cols, i + 1) : cols;  // keys j <= i when causal
  auto shown = [&](int j) {
    return j < visibleEnd && (!m || m[j] != 0.0f) && (!m2 || m2[j] != 0.0f);
  };
  auto value = [&](int j) { return scaled ? in[j] * a : in[j]; };
  int visible = 0;
  if (rowVisible)
    for (int j = lane; j < visibleEnd; j += 32) visible += shown(j) ? 1 : 0;
  for (int o = 16; o > 0; o >>= 1) visible += __shfl_xor_sync(0xffffffffu, visible, o);
  if (visible == 0) {  // Keras: every score - 1e9 (float32), then the plain softmax
    float mx = -INFINITY;
    for (int j = lane; j < cols; j += 32) mx = fmaxf(mx, value(j) - 1e9f);
    mx = warpMax(mx);
    float sum = 0.0f;
    for (int j = lane; j < cols; j += 32) {
      const float e = expf((value(j) - 1e9f) - mx);
      out[j] = e;
      sum += e;
    }
    const float inv = 1.0f / warpSum(sum);
    for (int j = lane; j < cols; j += 32) out[j] *= inv;
    return;
  }
  float mx = -INFINITY;
  for (int j = lane; j < cols; j += 32)
    if (shown(j)) mx = fmaxf(mx, value(j));
  mx = warpMax(mx);
  float sum = 0.0f;
  for (int j = lane; j < cols; j += 32) {
    const float e = shown(j) ? expf(value(j) - mx) : 0.0f;
    out[j] = e;
    sum += e;
  }
  const float inv = 1.0f / warpSum(sum);
  for (int j = lane; j < visibleEnd; j += 32) out[j] *= inv;
}

__device__ float concatTerm(const ConcatScores& g, int e, float qe, float ke, float* t) {
  const float a = g.a ? *g.a : 1.0f;
  *t = tanhf(a * (qe + ke));
  return g.w ? g.w[e] * *t : *t;
}

// One thread per score (b, i, j).
__global__ void concatScoresKernel(ConcatScores g, float* s) {
  const long idx = long(blockIdx.x) * blockDim.x + threadIdx.x;
  const long count = long(g.n) * g.tq * g.tv;
  if (idx >= count) return;
  const long b = idx / (long(g.tq) * g.tv), i = (idx / g.tv) % g.tq, j = idx % g.tv;
  const float* qi = g.q + (b * g.tq + i) * g.d;
  const float* kj = g.k + (b * g.tv + j) * g.d;
  float acc = 0.0f, t;
  for (int e = 0; e < g.d; ++e) acc += concatTerm(g, e, qi[e], kj[e], &t);
  s[idx] = (g.c ? *g.c : 1.0f) * acc;
}

// dL/d(a u) of one term: g c w_e (1 - t^2).
__device__ float concatDt(const ConcatScores& g, float grad, int e, float t) {
  const float c = g.c ? *g.c : 1.0f;
  const float we = g.w ? g.w[e] : 1.0f;
  return grad * c * we * (1.0f - t * t);
}

// dq: one thread per (b, i, e), a sum over j.
__global__ void concatDqKernel(ConcatScores g, const float* ds, float* dq) {
  const long idx = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= long(g.n) * g.tq * g.d) return;
  const long b = idx / (long(g.tq) * g.d), i = (idx / g.d) % g.tq;
  const int e = int(idx % g.d);
  const float a = g.a ? *g.a : 1.0f;
  const float qe = g.q[idx];
  float acc = 0.0f, t;
  for (int j = 0; j < g.tv; ++j) {
    concatTerm(g, e, qe, g.k[(b * g.tv + j) * g.d + e], &t);
    acc += concatDt(g, ds[(b * g.tq + i) * g.tv + j], e, t) * a;
  }
  dq[idx] = acc;
}

// dk: one thread per (b, j, e), a sum over i.
__global__ void concatDkKernel(ConcatScores g, const float* ds, float* dk, bool accumulate) {
  const long idx = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= long(g.n) * g.tv * g.d) return;
  const long b = idx / (long(g.tv) * g.d), j = (idx / g.d) % g.tv;
  const int e = int(idx % g.d);
  const float a = g.a ? *g.a : 1.0f;
  const float ke = g.k[idx];
  float acc = 0.0f, t;
  for (int i = 0; i < g.tq; ++i) {
    concatTerm(g, e, g.q[(b * g.tq + i) * g.d + e], ke, &t);
    acc += concatDt(g, ds[(b * g.tq + i) * g.tv + j], e, t) * a;
  }
  dk[idx] = accumulate ? dk[idx] + acc : acc;
}

// The variables' partials per (b, e): sums over (i, j) of dt u (da), g w t (dc), g c t (dw).
__global__ void concatParamKernel(ConcatScores g, const float* ds, float* pa, float* pc,
                                  float* pw) {
  const long idx = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= long(g.n) * g.d) return;
  const long b = idx / g.d;
  const int e = int(idx % g.d);
  const float c = g.c ? *g.c : 1.0f;
  const float we = g.w ? g.w[e] : 1.0f;
  double sa = 0, sc = 0, sw = 0;
  float t;
  for (int i = 0; i < g.tq; ++i)
    for (int j = 0; j < g.tv; ++j) {
      const float qe = g.q[(b * g.tq + i) * g.d + e], ke = g.k[(b * g.tv + j) * g.d + e];
      concatTerm(g, e, qe, ke, &t);
      const float grad = ds[(b * g.tq + i) * g.tv + j];
      sa += double(concatDt(g, grad, e, t)) * (qe + ke);
      sc += double(grad) * we * t;
      sw += double(grad) * c * t;
    }
  pa[idx] = float(sa);
  pc[idx] = float(sc);
  pw[idx] = float(sw);
}

__global__ void softmaxRowsBackwardKernel(const float* p, const float* dp, float* ds, int rows,
                                          int cols) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;
  const float* pr = p + long(row) * cols;
  const float* dr = dp + long(row) * cols;
  float dot = 0.0f;
  for (int j = lane; j < cols; j += 32) dot += pr[j] * dr[j];
  dot = warpSum(dot);
  float* out = ds + long(row) * cols;
  for (int j = lane; j < cols; j += 32) out[j] = pr[j] * (dr[j] - dot);
}

__global__ void zeroMaskedRowsKernel(float* y, const float* mask, long rows, int width) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * width) return;
  if (mask[i / width] == 0.0f) y[i] = 0.0f;
}

__global__ void scaleByDeviceKernel(float* x, const float* scale, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) x[i] *= *scale;
}

__global__ void multiplyIntoKernel(const float* a, float* b, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) b[i] *= a[i];
}

__global__ void stepMaskKernel(const float* x, const float* mask, float* y, int n, int steps,
                               int f) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= long(n) * steps * f) return;
  const long b = i / (long(steps) * f), j = i % f;
  y[i] = x[i] * mask[b * f + j];
}

__global__ void maskingKernel(const float* x, float* y, float* keep, long rows, int f,
                              float maskValue) {
  const long r = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const float* xr = x + r * f;
  bool any = false;
  for (int j = 0; j < f; ++j) any |= xr[j] != maskValue;
  keep[r] = any ? 1.0f : 0.0f;
  for (int j = 0; j < f; ++j) y[r * f + j] = any ? xr[j] : 0.0f;
}

__global__ void keepRowsKernel(const float* x, const float* keep, float* y, long rows, int f) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * f) return;
  y[i] = keep[i / f] != 0.0f ? x[i] : 0.0f;
}

__global__ void normalizeKernel(const float* x, float* y, const float* mean, const float* denom,
                                long count, int s, bool invert) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const int j = int(i % s);
  y[i] = invert ? mean[j] + x[i] * denom[j] : (x[i] - mean[j]) / denom[j];
}

__global__ void normalizeBackwardKernel(const float* dy, float* dx, const float* denom, long count,
                                        int s, bool invert) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const int j = int(i % s);
  dx[i] = invert ? dy[i] * denom[j] : dy[i] / denom[j];
}

// One thread per (b, channel): the CPU's order (steps in turn, float sums).
__global__ void maskedStepMeanKernel(const float* x, const float* mask, float* y, int n, int steps,
                                     int c) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= long(n) * c) return;
  const long b = i / c, ch = i % c;
  float sum = 0.0f, count = 0.0f;
  for (int p = 0; p < steps; ++p) {
    const float w = mask[b * steps + p];
    count += w;
    sum += w * x[(b * steps + p) * c + ch];
  }
  y[i] = sum * (count > 0 ? 1.0f / count : 0.0f);
}

// One thread per (b, channel): the sample's count once, then its steps.
__global__ void maskedStepMeanBackwardKernel(const float* dy, const float* mask, float* dx, int n,
                                             int steps, int c) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= long(n) * c) return;
  const long b = i / c, ch = i % c;
  float count = 0.0f;
  for (int q = 0; q < steps; ++q) count += mask[b * steps + q];
  const float inv = count > 0 ? 1.0f / count : 0.0f;
  for (int p = 0; p < steps; ++p) dx[(b * steps + p) * c + ch] = dy[i] * inv * mask[b * steps + p];
}

__global__ void repeatKernel(const float* x, float* y, int n, int times, int f) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  const long count = long(n) * times * f;
  if (i >= count) return;
  const long b = i / (long(times) * f), k = i % f;
  y[i] = x[b * f + k];
}

__global__ void repeatBackwardKernel(const float* dy, float* dx, int n, int times, int f) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= long(n) * f) return;
  const long b = i / f, k = i % f;
  float sum = 0.0f;
  for (int t = 0; t < times; ++t) sum += dy[(b * times + t) * f + k];
  dx[i] = sum;
}

// One thread per output element (or per input element for the adjoint).
__global__ void permuteKernel(const float* x, float* y, long count, PermuteGeom g, bool inverse) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  long per = 1;
  for (int d = 0; d < g.rank; ++d) per *= g.dims[d];
  // Strides of the input's axes; the output's axis k has extent dims[perm[k]].
  long xs[kMaxPermuteRank];
  long st = 1;
  for (int d = g.rank - 1; d >= 0; --d) {
    xs[d] = st;
    st *= g.dims[d];
  }
  const long b = i / per;
  long rest = i % per, src = 0;
  // i indexes the output (permuted) layout: decompose it, map each output axis to its input axis.
  for (int k = g.rank - 1; k >= 0; --k) {
    const int ext = g.dims[g.perm[k]];
    const long c = rest % ext;
    rest /= ext;
    src += c * xs[g.perm[k]];
  }
  if (inverse)
    y[b * per + src] = x[i];  // x: the permuted gradient, y: the input's gradient
  else
    y[i] = x[b * per + src];
}

}  // namespace

void launchAttentionSoftmax(const float* s, float* p, int rows, int tq, int heads, int cols,
                            bool causal, const float* colMask, const float* colMask2,
                            const float* rowMask, const float* scale, float constScale,
                            cudaStream_t stream) {
  attentionSoftmaxKernel<<<blocksFor(long(rows) * 32, 256), 256, 0, stream>>>(
      s, p, rows, tq, heads, cols, causal, colMask, colMask2, rowMask, scale, constScale);
}

void launchConcatScores(const ConcatScores& g, float* s, cudaStream_t stream) {
  concatScoresKernel<<<blocksFor(long(g.n) * g.tq * g.tv, 256), 256, 0, stream>>>(g, s);
}

void launchConcatScoresBackward(const ConcatScores& g, const float* ds, float* dq, float* dk,
                                bool accumulate, float* da, float* dc, float* dw, float* partials,
                                double* scratch, cudaStream_t stream) {
  if (dq) concatDqKernel<<<blocksFor(long(g.n) * g.tq * g.d, 256), 256, 0, stream>>>(g, ds, dq);
  if (dk)
    concatDkKernel<<<blocksFor(long(g.n) * g.tv * g.d, 256), 256, 0, stream>>>(g, ds, dk,
                                                                               accumulate);
  if (!da && !dc && !dw) return;
  const long nd = long(g.n) * g.d;
  float *pa = partials, *pc = partials + nd, *pw = partials + 2 * nd;
  concatParamKernel<<<blocksFor(nd, 128), 128, 0, stream>>>(g, ds, pa, pc, pw);
  if (da) launchColumnSums(pa, int(nd), 1, scratch, da, stream);
  if (dc) launchColumnSums(pc, int(nd), 1, scratch, dc, stream);
  if (dw) launchColumnSums(pw, g.n, g.d, scratch, dw, stream);
}

void launchSoftmaxRowsBackward(const float* p, const float* dp, float* ds, int rows, int cols,
                               cudaStream_t stream) {
  softmaxRowsBackwardKernel<<<blocksFor(long(rows) * 32, 256), 256, 0, stream>>>(p, dp, ds, rows,
                                                                                 cols);
}

void launchZeroMaskedRows(float* y, const float* mask, long rows, int width, cudaStream_t stream) {
  zeroMaskedRowsKernel<<<blocksFor(rows * width, 256), 256, 0, stream>>>(y, mask, rows, width);
}

void launchScaleByDevice(float* x, const float* scale, long count, cudaStream_t stream) {
  scaleByDeviceKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, scale, count);
}

void launchMultiplyInto(const float* a, float* b, long count, cudaStream_t stream) {
  multiplyIntoKernel<<<blocksFor(count, 256), 256, 0, stream>>>(a, b, count);
}

void launchStepMask(const float* x, const float* mask, float* y, int n, int steps, int f,
                    cudaStream_t stream) {
  stepMaskKernel<<<blocksFor(long(n) * steps * f, 256), 256, 0, stream>>>(x, mask, y, n, steps, f);
}

void launchMasking(const float* x, float* y, float* keep, long rows, int f, float maskValue,
                   cudaStream_t stream) {
  maskingKernel<<<blocksFor(rows, 128), 128, 0, stream>>>(x, y, keep, rows, f, maskValue);
}

void launchKeepRows(const float* x, const float* keep, float* y, long rows, int f,
                    cudaStream_t stream) {
  keepRowsKernel<<<blocksFor(rows * f, 256), 256, 0, stream>>>(x, keep, y, rows, f);
}

void launchNormalize(const float* x, float* y, const float* mean, const float* denom, int n, int s,
                     bool invert, cudaStream_t stream) {
  const long count = long(n) * s;
  normalizeKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, mean, denom, count, s, invert);
}

void launchNormalizeBackward(const float* dy, float* dx, const float* denom, int n, int s,
                             bool invert, cudaStream_t stream) {
  const long count = long(n) * s;
  normalizeBackwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(dy, dx, denom, count, s,
                                                                     invert);
}

void launchMaskedStepMean(const float* x, const float* mask, float* y, int n, int steps, int c,
                          cudaStream_t stream) {
  maskedStepMeanKernel<<<blocksFor(long(n) * c, 256), 256, 0, stream>>>(x, mask, y, n, steps, c);
}

void launchMaskedStepMeanBackward(const float* dy, const float* mask, float* dx, int n, int steps,
                                  int c, cudaStream_t stream) {
  maskedStepMeanBackwardKernel<<<blocksFor(long(n) * c, 256), 256, 0, stream>>>(dy, mask, dx, n,
                                                                                steps, c);
}

void launchRepeat(const float* x, float* y, int n, int times, int f, cudaStream_t stream) {
  repeatKernel<<<blocksFor(long(n) * times * f, 256), 256, 0, stream>>>(x, y, n, times, f);
}

void launchRepeatBackward(const float* dy, float* dx, int n, int times, int f,
                          cudaStream_t stream) {
  repeatBackwardKernel<<<blocksFor(long(n) * f, 256), 256, 0, stream>>>(dy, dx, n, times, f);
}

void launchPermute(const float* x, float* y, int n, const PermuteGeom& g, bool inverse,
                   cudaStream_t stream) {
  long per = 1;
  for (int d = 0; d < g.rank; ++d) per *= g.dims[d];
  const long count = long(n) * per;
  permuteKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, count, g, inverse);
}

}  // namespace tessel::gpu
