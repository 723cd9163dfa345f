// CUDA kernels of the GPU backend (GpuKernels.h). Formulas follow the CPU engine term by term;
// only summation orders differ (parallel reductions), which stays within FP32 rounding.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>

#include "engine/gpu/GpuKernels.h"

namespace tessel::gpu {

namespace {

constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

__device__ __forceinline__ float actForward(int act, float z) {
  switch (act) {
    case kActRelu:
      return fmaxf(z, 0.0f);
    case kActSelu:
      return kSeluScale * fmaxf(z, 0.0f) +
             (kSeluScale * kSeluAlpha) * (expf(fminf(z, 0.0f)) - 1.0f);
    case kActElu:
      return fmaxf(z, 0.0f) + (expf(fminf(z, 0.0f)) - 1.0f);
    case kActSigmoid:
      return 1.0f / (1.0f + expf(-z));
    case kActTanh:
      return tanhf(z);
    case kActRelu6:
      return fminf(fmaxf(z, 0.0f), 6.0f);
    case kActHardSigmoid:
      return fminf(fmaxf(0.2f * z + 0.5f, 0.0f), 1.0f);
    case kActSoftplus:
      return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));
    case kActSoftsign:
      return z / (1.0f + fabsf(z));
    case kActSwish:
      return z * (1.0f / (1.0f + expf(-z)));
    case kActGelu:
      return 0.5f * z * (1.0f + erff(z * 0.70710678118654752f));
    case kActExponential:
      return expf(z);
    default:
      return z;
  }
}

// dz = dy * f'(z), written as Activations.cpp writes it (y = f(z)).
__device__ __forceinline__ float actBackward(int act, float z, float y, float dy) {
  switch (act) {
    case kActRelu:
      return z > 0.0f ? dy : 0.0f;
    case kActSelu: {
      const float pos = kSeluScale * dy, neg = dy * (y + kSeluScale * kSeluAlpha);
      return neg + float(z > 0.0f) * (pos - neg);
    }
    case kActElu: {
      const float pos = dy, neg = dy * (y + 1.0f);
      return neg + float(z > 0.0f) * (pos - neg);
    }
    case kActSigmoid:
      return dy * y * (1.0f - y);
    case kActTanh:
      return dy * (1.0f - y * y);
    case kActRelu6:
      return z > 0.0f && z < 6.0f ? dy : 0.0f;
    case kActHardSigmoid:
      return z > -2.5f && z < 2.5f ? 0.2f * dy : 0.0f;
    case kActSoftplus:
      return dy * (1.0f / (1.0f + expf(-z)));
    case kActSoftsign: {
      const float d = 1.0f + fabsf(z);
      return dy / (d * d);
    }
    case kActSwish: {
      const float s = 1.0f / (1.0f + expf(-z));
      return dy * (s + z * s * (1.0f - s));
    }
    case kActGelu: {
      const float d = 0.5f * (1.0f + erff(z * 0.70710678118654752f)) +
                      z * expf(-0.5f * z * z) * 0.3989422804014327f;
      return dy * d;
    }
    case kActExponential:
      return dy * y;
    default:
      return dy;
  }
}

__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__global__ void biasActKernel(float* z, float* y, const float* bias, long count, int units,
                              int act) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    float v = z[i];
    if (bias) {
      v += bias[i % units];
      z[i] = v;
    }
    y[i] = actForward(act, v);
  }
}

// One warp per row: z += bias, y = exp(z - max) * (1 / sum).
__global__ void biasSoftmaxKernel(float* z, float* y, const float* bias, int rows, int units) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;
  float* zr = z + long(row) * units;
  float* yr = y + long(row) * units;
  float m = -INFINITY;
  for (int j = lane; j < units; j += 32) {
    float v = zr[j];
    if (bias) {
      v += bias[j];
      zr[j] = v;
    }
    m = fmaxf(m, v);
  }
  m = warpMax(m);
  float s = 0.0f;
  for (int j = lane; j < units; j += 32) {
    const float e = expf(zr[j] - m);
    yr[j] = e;
    s += e;
  }
  const float inv = 1.0f / warpSum(s);
  for (int j = lane; j < units; j += 32) yr[j] *= inv;
}

// dz_i = y_i * (dy_i - sum_j dy_j y_j), one warp per row.
__global__ void softmaxBackwardKernel(const float* dy, const float* y, float* dz, int rows,
                                      int units) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;
  const long off = long(row) * units;
  float s = 0.0f;
  for (int j = lane; j < units; j += 32) s += dy[off + j] * y[off + j];
  s = warpSum(s);
  for (int j = lane; j < units; j += 32) dz[off + j] = y[off + j] * (dy[off + j] - s);
}

__global__ void actBackwardKernel(const float* dy, const float* z, const float* y, float* dz,
                                  long count, int act) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x)
    dz[i] = actBackward(act, z[i], y[i], dy[i]);
}

// Block (32, 32): threadIdx.x is a column of a 32-column strip, threadIdx.y walks the rows with
// stride 32; the 32 partial sums of a column are then added in shared memory (deterministic).
__global__ void actBackwardBiasKernel(const float* dy, const float* z, const float* y, float* dz,
                                      float* db, int rows, int units, int act) {
  __shared__ float part[32][33];
  const int col = blockIdx.x * 32 + threadIdx.x;
  float s = 0.0f;
  if (col < units)
    for (int r = threadIdx.y; r < rows; r += 32) {
      const long i = long(r) * units + col;
      const float d = actBackward(act, z[i], y[i], dy[i]);
      dz[i] = d;
      s += d;
    }
  part[threadIdx.y][threadIdx.x] = s;
  __syncthreads();
  if (threadIdx.y == 0 && col < units) {
    float t = 0.0f;
    for (int k = 0; k < 32; ++k) t += part[k][threadIdx.x];
    db[col] = t;
  }
}

__global__ void maskKernel(const float* x, float* y, const float* mul, const float* add,
                           long count) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x)
    y[i] = add ? x[i] * mul[i] + add[i] : x[i] * mul[i];
}

// ---- CNN layers ----

__global__ void poolForwardKernel(const float* x, float* y, int* arg, PoolGeom g, bool isMax,
                                  long count) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const int c = int(i % g.c);
    long t = i / g.c;
    const int ox = int(t % g.ow);
    t /= g.ow;
    const int oy = int(t % g.oh);
    const long b = t / g.oh;
    const int y0 = max(oy * g.sh - g.padT, 0), y1 = min(oy * g.sh - g.padT + g.kh, g.h);
    const int x0 = max(ox * g.sw - g.padL, 0), x1 = min(ox * g.sw - g.padL + g.kw, g.w);
    const float* xb = x + b * long(g.h) * g.w * g.c;
    if (isMax) {
      float best = -INFINITY;
      int bi = 0;
      bool first = true;
      for (int iy = y0; iy < y1; ++iy)
        for (int ix = x0; ix < x1; ++ix) {
          const int idx = (iy * g.w + ix) * g.c + c;
          const float v = xb[idx];
          if (first || v > best) {
            best = v;
            bi = idx;
            first = false;
          }
        }
      y[i] = best;
      arg[i] = bi;
    } else {
      float s = 0.0f;
      for (int iy = y0; iy < y1; ++iy)
        for (int ix = x0; ix < x1; ++ix) s += xb[(iy * g.w + ix) * g.c + c];
      y[i] = s * (1.0f / float((y1 - y0) * (x1 - x0)));
    }
  }
}

// First window index o with o * s - pad + k > i (the first window that holds i), clamped at 0.
__device__ __forceinline__ int firstWindow(int i, int pad, int k, int s) {
  const int num = i + pad - k + 1;
  return num <= 0 ? 0 : (num + s - 1) / s;
}

__global__ void poolBackwardKernel(const float* dy, const int* arg, float* dx, PoolGeom g,
                                   bool isMax, long count) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const int c = int(i % g.c);
    long t = i / g.c;
    const int ix = int(t % g.w);
    t /= g.w;
    const int iy = int(t % g.h);
    const long b = t / g.h;
    const int oy0 = firstWindow(iy, g.padT, g.kh, g.sh), oy1 = min((iy + g.padT) / g.sh, g.oh - 1);
    const int ox0 = firstWindow(ix, g.padL, g.kw, g.sw), ox1 = min((ix + g.padL) / g.sw, g.ow - 1);
    const int self = (iy * g.w + ix) * g.c + c;
    float s = 0.0f;
    for (int oy = oy0; oy <= oy1; ++oy)
      for (int ox = ox0; ox <= ox1; ++ox) {
        const long o = ((b * g.oh + oy) * g.ow + ox) * g.c + c;
        if (isMax) {
          if (arg[o] == self) s += dy[o];
        } else {
          const int y0 = max(oy * g.sh - g.padT, 0), y1 = min(oy * g.sh - g.padT + g.kh, g.h);
          const int x0 = max(ox * g.sw - g.padL, 0), x1 = min(ox * g.sw - g.padL + g.kw, g.w);
          s += dy[o] * (1.0f / float((y1 - y0) * (x1 - x0)));
        }
      }
    dx[i] = s;
  }
}

// Grid (ceil(cols / 32), chunks), block (32, 8): per column, partial sums in double over the rows
// of one chunk; partial[0][chunk][col] and partial[1][chunk][col]. mode 0: sum a; 1: sum (a -
// mean)^2; 2: sum a and sum a * xhat, xhat = (x - mean) * invStd (BatchNormalization backward).
__global__ void columnReduceKernel(int mode, const float* a, const float* x, const float* mean,
                                   const float* invStd, int rows, int cols, double* partial) {
  __shared__ double s0[8][32], s1[8][32];
  const int col = blockIdx.x * 32 + threadIdx.x;
  const int chunks = gridDim.y;
  double p0 = 0, p1 = 0;
  if (col < cols) {
    const double mu = mean ? double(mean[col]) : 0.0;
    const double is = invStd ? double(invStd[col]) : 0.0;
    for (int r = blockIdx.y * 8 + threadIdx.y; r < rows; r += chunks * 8) {
      const long i = long(r) * cols + col;
      const double v = a[i];
      if (mode == 0) {
        p0 += v;
      } else if (mode == 1) {
        const double d = v - mu;
        p0 += d * d;
      } else {
        const double xh = (double(x[i]) - mu) * is;
        p0 += v;
        p1 += v * xh;
      }
    }
  }
  s0[threadIdx.y][threadIdx.x] = p0;
  s1[threadIdx.y][threadIdx.x] = p1;
  __syncthreads();
  if (threadIdx.y == 0 && col < cols) {
    double t0 = 0, t1 = 0;
    for (int k = 0; k < 8; ++k) {
      t0 += s0[k][threadIdx.x];
      t1 += s1[k][threadIdx.x];
    }
    partial[long(blockIdx.y) * cols + col] = t0;
    partial[long(chunks + blockIdx.y) * cols + col] = t1;
  }
}

// Block per (column, which): sums[which][col] = the chunks' partial sums added in a fixed tree
// (deterministic); outF[col] = float(sums[0][col]) when not null.
__global__ void chunkFinishKernel(const double* partial, int chunks, int cols, double* sums,
                                  float* outF) {
  __shared__ double t[256];
  const int col = blockIdx.x, which = blockIdx.y;
  double s = 0;
  for (int k = threadIdx.x; k < chunks; k += 256)
    s += partial[long(which * chunks + k) * cols + col];
  t[threadIdx.x] = s;
  __syncthreads();
  for (int w = 128; w > 0; w >>= 1) {
    if (threadIdx.x < w) t[threadIdx.x] += t[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    sums[which * cols + col] = t[0];
    if (outF && which == 0) outF[col] = float(t[0]);
  }
}

// Like columnReduceKernel mode 0, on dz = dy * f'(z) computed (and written) on the way: the
// activation backward and the bias gradient of a convolution in one pass.
__global__ void actBackwardPartialKernel(const float* dy, const float* z, const float* y, float* dz,
                                         int rows, int cols, int act, double* partial) {
  __shared__ double s0[8][32];
  const int col = blockIdx.x * 32 + threadIdx.x;
  double p0 = 0;
  if (col < cols)
    for (int r = blockIdx.y * 8 + threadIdx.y; r < rows; r += gridDim.y * 8) {
      const long i = long(r) * cols + col;
      const float d = actBackward(act, z[i], y[i], dy[i]);
      dz[i] = d;
      p0 += d;
    }
  s0[threadIdx.y][threadIdx.x] = p0;
  __syncthreads();
  if (threadIdx.y == 0 && col < cols) {
    double t0 = 0;
    for (int k = 0; k < 8; ++k) t0 += s0[k][threadIdx.x];
    partial[long(blockIdx.y) * cols + col] = t0;
  }
}

// stats: mean, invStd, a, b, k, k1, k2, each C floats.
__global__ void bnMeanKernel(const double* sums, int C, double m, float* stats) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c < C) stats[c] = float(sums[c] / m);
}

__global__ void bnStatsKernel(const double* sums, int C, double m, bool training, double eps,
                              float decay, const float* gamma, const float* beta, float* mm,
                              float* mv, float* stats) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  float* mean = stats;
  float* invStd = stats + C;
  float mu, is;
  if (training) {
    const double var = sums[c] / m;
    mu = mean[c];
    is = float(1.0 / sqrt(var + eps));
    mm[c] -= (mm[c] - mu) * decay;
    mv[c] -= (mv[c] - float(var)) * decay;
  } else {
    mu = mm[c];
    is = float(1.0 / sqrt(double(mv[c]) + eps));
    mean[c] = mu;
  }
  invStd[c] = is;
  const float a = (gamma ? gamma[c] : 1.0f) * is;
  stats[2 * C + c] = a;
  stats[3 * C + c] = (beta ? beta[c] : 0.0f) - mu * a;
}

__global__ void scaleShiftKernel(const float* x, float* y, const float* a, const float* b,
                                 long count, int C) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const int c = int(i % C);
    y[i] = x[i] * a[c] + b[c];
  }
}

__global__ void bnBackwardStatsKernel(const double* sums, int C, double m, bool training,
                                      const float* gamma, float* dGamma, float* dBeta,
                                      float* stats) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const double s1 = sums[c], s2 = sums[C + c];
  if (dGamma) dGamma[c] = float(s2);
  if (dBeta) dBeta[c] = float(s1);
  stats[4 * C + c] = (gamma ? gamma[c] : 1.0f) * stats[C + c];
  stats[5 * C + c] = training ? float(s1 / m) : 0.0f;
  stats[6 * C + c] = training ? float(s2 / m) : 0.0f;
}

__global__ void bnDxKernel(const float* x, const float* dy, float* dx, const float* stats,
                           long count, int C) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const int c = int(i % C);
    const float xh = (x[i] - stats[c]) * stats[C + c];
    dx[i] = stats[4 * C + c] * (dy[i] - stats[5 * C + c] - xh * stats[6 * C + c]);
  }
}

// Enough blocks for one thread per element: many kernels here handle one element per thread
// (no grid-stride loop), so the grid must never be capped (a cap of 4096 blocks once left every
// element past 2^20 untouched).
int blocksFor(long count, int threads) {
  const long b = (count + threads - 1) / threads;
  return int(b < 1 ? 1 : b);
}

__global__ void padKernel(float* x, float* xp, int n, int h, int w, int c, int ph, int pw, int top,
                          int left, long count, bool crop) {
  // One thread per element of the padded tensor (n, ph, pw, c).
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const int ch = int(i % c);
    long r = i / c;
    const int col = int(r % pw);
    r /= pw;
    const int row = int(r % ph);
    const int s = int(r / ph);
    const int yi = row - top, xi = col - left;
    const bool in = yi >= 0 && yi < h && xi >= 0 && xi < w;
    const long j = ((long(s) * h + yi) * w + xi) * c + ch;
    if (crop) {
      if (in) x[j] = xp[i];
    } else {
      xp[i] = in ? x[j] : 0.0f;
    }
  }
}

}  // namespace

void launchPad(const float* x, float* xp, int n, int h, int w, int c, int ph, int pw, int top,
               int left, cudaStream_t stream) {
  const long count = long(n) * ph * pw * c;
  padKernel<<<blocksFor(count, 256), 256, 0, stream>>>(const_cast<float*>(x), xp, n, h, w, c, ph,
                                                       pw, top, left, count, false);
}

void launchCrop(const float* xp, float* x, int n, int h, int w, int c, int ph, int pw, int top,
                int left, cudaStream_t stream) {
  const long count = long(n) * ph * pw * c;
  padKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, const_cast<float*>(xp), n, h, w, c, ph,
                                                       pw, top, left, count, true);
}

void launchBiasActivation(float* z, float* y, const float* bias, int rows, int units, int act,
                          cudaStream_t stream) {
  if (act == kActSoftmax) {
    biasSoftmaxKernel<<<(rows + 7) / 8, 256, 0, stream>>>(z, y, bias, rows, units);
    return;
  }
  if (act == kActLinear && y == z && !bias) return;
  const long count = long(rows) * units;
  biasActKernel<<<blocksFor(count, 256), 256, 0, stream>>>(z, y, bias, count, units, act);
}

void launchActivationBackward(const float* dy, const float* z, const float* y, float* dz, float* db,
                              int rows, int units, int act, cudaStream_t stream) {
  if (act == kActSoftmax) {
    softmaxBackwardKernel<<<(rows + 7) / 8, 256, 0, stream>>>(dy, y, dz, rows, units);
    if (!db) return;
    dy = z = y = dz;  // then the column sums of dz, as a linear activation
    act = kActLinear;
  }
  if (db) {
    actBackwardBiasKernel<<<(units + 31) / 32, dim3(32, 32), 0, stream>>>(dy, z, y, dz, db, rows,
                                                                          units, act);
    return;
  }
  if (act == kActLinear && dz == dy) return;
  const long count = long(rows) * units;
  actBackwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(dy, z, y, dz, count, act);
}

void launchMask(const float* x, float* y, const float* mul, const float* add, long count,
                cudaStream_t stream) {
  maskKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, mul, add, count);
}

void launchPoolForward(const float* x, float* y, int* argmax, const PoolGeom& g, bool isMax,
                       cudaStream_t stream) {
  const long count = long(g.n) * g.oh * g.ow * g.c;
  poolForwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, argmax, g, isMax, count);
}

void launchPoolBackward(const float* dy, const int* argmax, float* dx, const PoolGeom& g,
                        bool isMax, cudaStream_t stream) {
  const long count = long(g.n) * g.h * g.w * g.c;
  poolBackwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(dy, argmax, dx, g, isMax, count);
}

int reductionChunks(int rows) {
  const int c = (rows + 63) / 64;
  return c < 1 ? 1 : (c > 1024 ? 1024 : c);
}

long reductionScratchDoubles(int rows, int cols) {
  return 2L * reductionChunks(rows) * cols + 2L * cols;
}

namespace {
// Partial sums per chunk of rows (grid (ceil(cols / 32), chunks), block (32, 8)), then the
// chunks added per column: the sums land after the partials in scratch (sums[2][cols]).
double* columnReduce(int mode, const float* a, const float* x, const float* mean,
                     const float* invStd, int rows, int cols, double* scratch, cudaStream_t stream,
                     int which = 1, float* outF = nullptr) {
  const int chunks = reductionChunks(rows);
  columnReduceKernel<<<dim3((cols + 31) / 32, chunks), dim3(32, 8), 0, stream>>>(
      mode, a, x, mean, invStd, rows, cols, scratch);
  double* sums = scratch + 2L * chunks * cols;
  chunkFinishKernel<<<dim3(cols, which), 256, 0, stream>>>(scratch, chunks, cols, sums, outF);
  return sums;
}
}  // namespace

void launchColumnSums(const float* a, int rows, int cols, double* scratch, float* out,
                      cudaStream_t stream) {
  columnReduce(0, a, nullptr, nullptr, nullptr, rows, cols, scratch, stream, 1, out);
}

void launchActivationBackwardBias(const float* dy, const float* z, const float* y, float* dz,
                                  float* db, int rows, int units, int act, double* scratch,
                                  cudaStream_t stream) {
  if (act == kActSoftmax) {
    softmaxBackwardKernel<<<(rows + 7) / 8, 256, 0, stream>>>(dy, y, dz, rows, units);
    launchColumnSums(dz, rows, units, scratch, db, stream);
    return;
  }
  const int chunks = reductionChunks(rows);
  actBackwardPartialKernel<<<dim3((units + 31) / 32, chunks), dim3(32, 8), 0, stream>>>(
      dy, z, y, dz, rows, units, act, scratch);
  chunkFinishKernel<<<dim3(units, 1), 256, 0, stream>>>(scratch, chunks, units,
                                                        scratch + 2L * chunks * units, db);
}

void launchBatchNormForward(const float* x, float* y, int rows, int C, bool training, float decay,
                            double epsilon, const float* gamma, const float* beta,
                            float* movingMean, float* movingVar, double* scratch, float* stats,
                            cudaStream_t stream) {
  const int cb = (C + 127) / 128;
  double* sums = scratch + 2L * reductionChunks(rows) * C;
  if (training) {
    columnReduce(0, x, nullptr, nullptr, nullptr, rows, C, scratch, stream);
    bnMeanKernel<<<cb, 128, 0, stream>>>(sums, C, double(rows), stats);
    columnReduce(1, x, nullptr, stats, nullptr, rows, C, scratch, stream);
  }
  bnStatsKernel<<<cb, 128, 0, stream>>>(sums, C, double(rows), training, epsilon, decay, gamma,
                                        beta, movingMean, movingVar, stats);
  const long count = long(rows) * C;
  scaleShiftKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, stats + 2 * C, stats + 3 * C,
                                                              count, C);
}

void launchBatchNormBackward(const float* x, const float* dy, float* dx, int rows, int C,
                             bool training, const float* gamma, float* dGamma, float* dBeta,
                             double* scratch, float* stats, cudaStream_t stream) {
  double* sums = columnReduce(2, dy, x, stats, stats + C, rows, C, scratch, stream, 2);
  bnBackwardStatsKernel<<<(C + 127) / 128, 128, 0, stream>>>(sums, C, double(rows), training, gamma,
                                                             dGamma, dBeta, stats);
  if (!dx) return;
  const long count = long(rows) * C;
  bnDxKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, dy, dx, stats, count, C);
}

// ---- weight regularizers ----

__global__ void regularizePartialsKernel(const float* y, float* g, long count, double l1, double l2,
                                         double* scratch) {
  __shared__ double sa[256], sq[256];
  double a = 0, q = 0;
  const float c1 = float(l1), c2 = 2.0f * float(l2);
  for (long i = long(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const float v = y[i];
    a += fabs(double(v));
    q += double(v) * v;
    if (g) {
      const float sign = float(v > 0.0f) - float(v < 0.0f);
      if (l1 != 0.0 && l2 != 0.0)
        g[i] += c1 * sign + c2 * v;
      else if (l1 != 0.0)
        g[i] += c1 * sign;
      else
        g[i] += c2 * v;
    }
  }
  sa[threadIdx.x] = a;
  sq[threadIdx.x] = q;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (int(threadIdx.x) < half) {
      sa[threadIdx.x] += sa[threadIdx.x + half];
      sq[threadIdx.x] += sq[threadIdx.x + half];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    scratch[2 * blockIdx.x] = sa[0];
    scratch[2 * blockIdx.x + 1] = sq[0];
  }
}

__global__ void regularizePenaltyKernel(const double* scratch, double l1, double l2,
                                        double* penalty) {
  __shared__ double sa[kRegularizeBlocks], sq[kRegularizeBlocks];
  sa[threadIdx.x] = scratch[2 * threadIdx.x];
  sq[threadIdx.x] = scratch[2 * threadIdx.x + 1];
  __syncthreads();
  for (int half = kRegularizeBlocks / 2; half > 0; half /= 2) {
    if (int(threadIdx.x) < half) {
      sa[threadIdx.x] += sa[threadIdx.x + half];
      sq[threadIdx.x] += sq[threadIdx.x + half];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) *penalty = (l1 != 0.0 ? l1 * sa[0] : 0.0) + (l2 != 0.0 ? l2 * sq[0] : 0.0);
}

void launchRegularize(const float* w, float* g, long count, double l1, double l2, double* penalty,
                      double* scratch, cudaStream_t stream) {
  regularizePartialsKernel<<<kRegularizeBlocks, 256, 0, stream>>>(w, g, count, l1, l2, scratch);
  regularizePenaltyKernel<<<1, kRegularizeBlocks, 0, stream>>>(scratch, l1, l2, penalty);
}

// ---- LayerNormalization: one block of 256 threads per row ----

__device__ double blockSum256(double v, double* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int half = 128; half > 0; half /= 2) {
    if (int(threadIdx.x) < half) shared[threadIdx.x] += shared[threadIdx.x + half];
    __syncthreads();
  }
  const double total = shared[0];
  __syncthreads();
  return total;
}

__global__ void layerNormForwardKernel(const float* x, float* y, int D, double epsilon,
                                       const float* gamma, const float* beta, float* mean,
                                       float* invStd) {
  __shared__ double shared[256];
  const long r = blockIdx.x;
  const float* p = x + r * D;
  float* q = y + r * D;
  double s = 0;
  for (int i = threadIdx.x; i < D; i += 256) s += p[i];
  const double m = blockSum256(s, shared) / double(D);
  double v = 0;
  for (int i = threadIdx.x; i < D; i += 256) v += (p[i] - m) * (p[i] - m);
  const double var = blockSum256(v, shared) / double(D);
  const float inv = float(1.0 / sqrt(var + epsilon));
  const float mf = float(m);
  if (threadIdx.x == 0) {
    mean[r] = mf;
    invStd[r] = inv;
  }
  for (int i = threadIdx.x; i < D; i += 256) {
    const float xh = (p[i] - mf) * inv;
    q[i] = xh * (gamma ? gamma[i] : 1.0f) + (beta ? beta[i] : 0.0f);
  }
}

__global__ void layerNormBackwardKernel(const float* x, const float* dy, float* dx, float* xhatDy,
                                        int D, const float* gamma, const float* mean,
                                        const float* invStd) {
  __shared__ double shared[256];
  const long r = blockIdx.x;
  const float* p = x + r * D;
  const float* d = dy + r * D;
  const float m = mean[r], inv = invStd[r];
  double s1 = 0, s2 = 0;
  for (int i = threadIdx.x; i < D; i += 256) {
    xhatDy[r * D + i] = d[i] * (p[i] - m) * inv;
    const double gi = double(d[i]) * (gamma ? gamma[i] : 1.0f);
    s1 += gi;
    s2 += gi * (p[i] - m) * inv;
  }
  if (!dx) return;
  const float m1 = float(blockSum256(s1, shared) / double(D));
  const float m2 = float(blockSum256(s2, shared) / double(D));
  for (int i = threadIdx.x; i < D; i += 256) {
    const float gi = d[i] * (gamma ? gamma[i] : 1.0f);
    dx[r * D + i] = inv * (gi - m1 - (p[i] - m) * inv * m2);
  }
}

void launchLayerNormForward(const float* x, float* y, int rows, int D, double epsilon,
                            const float* gamma, const float* beta, float* mean, float* invStd,
                            cudaStream_t stream) {
  layerNormForwardKernel<<<rows, 256, 0, stream>>>(x, y, D, epsilon, gamma, beta, mean, invStd);
}

void launchLayerNormBackward(const float* x, const float* dy, float* dx, float* xhatDy, int rows,
                             int D, const float* gamma, const float* mean, const float* invStd,
                             cudaStream_t stream) {
  layerNormBackwardKernel<<<rows, 256, 0, stream>>>(x, dy, dx, xhatDy, D, gamma, mean, invStd);
}

__global__ void reluLayerKernel(const float* x, const float* dy, float* out, long count, float t,
                                float a, bool capped, float m) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const float v = x[i];
  if (!dy) {
    float o = v >= t ? v : a * (v - t);
    if (capped && v >= m) o = m;
    out[i] = o;
  } else {
    float d = v >= t ? 1.0f : a;
    if (capped && v >= m) d = 0.0f;
    out[i] = dy[i] * d;
  }
}

void launchReluLayer(const float* x, const float* dy, float* out, long count, float threshold,
                     float slope, bool hasMax, float maxValue, cudaStream_t stream) {
  reluLayerKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, dy, out, count, threshold, slope,
                                                             hasMax, maxValue);
}

// ---- UpSampling2D, Rescaling ----

__global__ void upsampleKernel(const float* x, float* y, int n, int h, int w, int c, int sh,
                               int sw) {
  const long oh = long(h) * sh, ow = long(w) * sw;
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * oh * ow * c) return;
  const int ch = int(i % c);
  const long pix = i / c, col = pix % ow, row = (pix / ow) % oh, b = pix / (ow * oh);
  y[i] = x[((b * h + row / sh) * w + col / sw) * c + ch];
}

__global__ void upsampleBackwardKernel(const float* dy, float* dx, int n, int h, int w, int c,
                                       int sh, int sw) {
  const long oh = long(h) * sh, ow = long(w) * sw;
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= long(n) * h * w * c) return;
  const int ch = int(i % c);
  const long pix = i / c, col = pix % w, row = (pix / w) % h, b = pix / (long(w) * h);
  float sum = 0.0f;
  for (int a = 0; a < sh; ++a)
    for (int e = 0; e < sw; ++e) sum += dy[((b * oh + row * sh + a) * ow + col * sw + e) * c + ch];
  dx[i] = sum;
}

__global__ void affineKernel(const float* x, float* y, float scale, float offset, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = x[i] * scale + offset;
}

void launchUpsample(const float* x, float* y, int n, int h, int w, int c, int sh, int sw,
                    cudaStream_t stream) {
  const long count = long(n) * h * sh * w * sw * c;
  upsampleKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, n, h, w, c, sh, sw);
}

void launchUpsampleBackward(const float* dy, float* dx, int n, int h, int w, int c, int sh, int sw,
                            cudaStream_t stream) {
  const long count = long(n) * h * w * c;
  upsampleBackwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(dy, dx, n, h, w, c, sh, sw);
}

void launchAffine(const float* x, float* y, float scale, float offset, long count,
                  cudaStream_t stream) {
  affineKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, y, scale, offset, count);
}

// ---- mixed precision ----

__global__ void castHalfKernel(const float* x, __half* y, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __float2half_rn(x[i]);
}

__global__ void castBf16Kernel(const float* x, __nv_bfloat16* y, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __float2bfloat16_rn(x[i]);
}

__global__ void widenHalfKernel(const __half* x, float* y, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __half2float(x[i]);
}

__global__ void widenBf16Kernel(const __nv_bfloat16* x, float* y, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __bfloat162float(x[i]);
}

void launchWiden16(const void* x, float* y, long count, bool bf16, cudaStream_t stream) {
  if (count <= 0) return;
  if (bf16)
    widenBf16Kernel<<<blocksFor(count, 256), 256, 0, stream>>>(static_cast<const __nv_bfloat16*>(x),
                                                               y, count);
  else
    widenHalfKernel<<<blocksFor(count, 256), 256, 0, stream>>>(static_cast<const __half*>(x), y,
                                                               count);
}

void launchCast16(const float* x, void* y, long count, bool bf16, cudaStream_t stream) {
  if (count <= 0) return;
  if (bf16)
    castBf16Kernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, static_cast<__nv_bfloat16*>(y),
                                                              count);
  else
    castHalfKernel<<<blocksFor(count, 256), 256, 0, stream>>>(x, static_cast<__half*>(y), count);
}

// ---- branching graphs ----

__global__ void mergeKernel(int mode, TensorList t, float* y, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  float v = t.x[0][i];
  switch (mode) {
    case kMergeSubtract:
      v -= t.x[1][i];
      break;
    case kMergeMultiply:
      for (int k = 1; k < t.count; ++k) v *= t.x[k][i];
      break;
    case kMergeMaximum:
      for (int k = 1; k < t.count; ++k) v = fmaxf(v, t.x[k][i]);
      break;
    case kMergeMinimum:
      for (int k = 1; k < t.count; ++k) v = fminf(v, t.x[k][i]);
      break;
    default:  // Add, Average
      for (int k = 1; k < t.count; ++k) v += t.x[k][i];
      if (mode == kMergeAverage) v *= 1.0f / float(t.count);
  }
  y[i] = v;
}

__global__ void mergeBackwardKernel(int mode, TensorList t, const float* y, const float* dy,
                                    long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const float d = dy[i];
  int selected = -1;
  if (mode == kMergeMaximum || mode == kMergeMinimum) {
    selected = 0;
    while (selected + 1 < t.count && t.x[selected][i] != y[i]) ++selected;
  }
  for (int k = 0; k < t.count; ++k) {
    if (!t.g[k]) continue;
    float v = d;
    switch (mode) {
      case kMergeSubtract:
        v = k == 0 ? d : -d;
        break;
      case kMergeMultiply:
        for (int j = 0; j < t.count; ++j)
          if (j != k) v *= t.x[j][i];
        break;
      case kMergeAverage:
        v = d * (1.0f / float(t.count));
        break;
      case kMergeMaximum:
      case kMergeMinimum:
        v = k == selected ? d : 0.0f;
        break;
      default:
        break;
    }
    t.g[k][i] = v;
  }
}

// One thread per output element of (rows, total): which input, which column.
__global__ void concatKernel(TensorList t, float* y, const float* dy, long rows, long total,
                             bool split) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * total) return;
  const long r = i / total;
  long c = i - r * total;
  int k = 0;
  while (k + 1 < t.count && c >= t.width[k]) c -= t.width[k++];
  if (split) {
    if (t.g[k]) t.g[k][r * t.width[k] + c] = dy[i];
  } else {
    y[i] = t.x[k][r * t.width[k] + c];
  }
}

__global__ void sumKernel(TensorList t, float* y, long count) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  float v = t.x[0][i];
  for (int k = 1; k < t.count; ++k) v += t.x[k][i];
  y[i] = v;
}

void launchMerge(int mode, const TensorList& t, float* y, long count, cudaStream_t stream) {
  mergeKernel<<<blocksFor(count, 256), 256, 0, stream>>>(mode, t, y, count);
}

void launchMergeBackward(int mode, const TensorList& t, const float* y, const float* dy, long count,
                         cudaStream_t stream) {
  mergeBackwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(mode, t, y, dy, count);
}

void launchConcat(const TensorList& t, float* y, long rows, cudaStream_t stream) {
  long total = 0;
  for (int k = 0; k < t.count; ++k) total += t.width[k];
  concatKernel<<<blocksFor(rows * total, 256), 256, 0, stream>>>(t, y, nullptr, rows, total, false);
}

void launchSplit(const float* dy, const TensorList& t, long rows, cudaStream_t stream) {
  long total = 0;
  for (int k = 0; k < t.count; ++k) total += t.width[k];
  concatKernel<<<blocksFor(rows * total, 256), 256, 0, stream>>>(t, nullptr, dy, rows, total, true);
}

void launchSum(const TensorList& t, float* y, long count, cudaStream_t stream) {
  sumKernel<<<blocksFor(count, 256), 256, 0, stream>>>(t, y, count);
}

// ---- recurrent layers ----

__global__ void cellForwardKernel(CellStep s, int phase) {
  const long k = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= long(s.n) * s.u) return;
  const int b = int(k / s.u), j = int(k - long(b) * s.u), u = s.u;
  float* p = s.p + b * s.ldp;
  float* a = s.a + b * s.ldp;
  const float hp = s.hPrev ? s.hPrev[b * s.ldh + j] : 0.0f;
  float& hn = s.hNew[b * s.ldhNew + j];
  switch (s.cell) {
    case kCellSimple:
      a[j] = actForward(s.act, p[j]);
      hn = a[j];
      break;
    case kCellLstm: {
      for (int g : {0, 1, 3}) a[g * u + j] = actForward(s.recAct, p[g * u + j]);
      a[2 * u + j] = actForward(s.act, p[2 * u + j]);
      const float cp = s.cPrev ? s.cPrev[b * s.ldcPrev + j] : 0.0f;
      const float c = a[u + j] * cp + a[j] * a[2 * u + j];
      const float tc = actForward(s.act, c);
      s.cNew[b * s.ldc + j] = c;
      s.cAct[b * s.ldc + j] = tc;
      hn = a[3 * u + j] * tc;
      break;
    }
    case kCellGruAfter: {
      float* in = s.inner + b * s.ldi;
      for (int g = 0; g < 3; ++g) {
        const float rec = s.hPrev ? in[g * u + j] : 0.0f;
        in[g * u + j] = (s.recBias ? s.recBias[g * u + j] : 0.0f) + rec;
      }
      p[j] += in[j];
      p[u + j] += in[u + j];
      a[j] = actForward(s.recAct, p[j]);
      a[u + j] = actForward(s.recAct, p[u + j]);
      p[2 * u + j] += a[u + j] * in[2 * u + j];
      a[2 * u + j] = actForward(s.act, p[2 * u + j]);
      const float z = a[j];
      hn = z * hp + (1 - z) * a[2 * u + j];
      break;
    }
    case kCellGruBefore:
      if (phase == 0) {
        a[j] = actForward(s.recAct, p[j]);
        a[u + j] = actForward(s.recAct, p[u + j]);
        s.inner[b * s.ldi + j] = a[u + j] * hp;
      } else {
        a[2 * u + j] = actForward(s.act, p[2 * u + j]);
        const float z = a[j];
        hn = z * hp + (1 - z) * a[2 * u + j];
      }
      break;
  }
  // A masked step keeps the state (the last phase of GRU reset_before writes h).
  if (s.mask && s.mask[b * s.ldm] == 0.0f && (s.cell != kCellGruBefore || phase == 1)) {
    hn = hp;
    if (s.cell == kCellLstm) s.cNew[b * s.ldc + j] = s.cPrev ? s.cPrev[b * s.ldcPrev + j] : 0.0f;
  }
}

__global__ void cellBackwardKernel(CellStep s, CellGrad g, int phase) {
  const long k = long(s.n) * s.u;
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= k) return;
  const int b = int(i / s.u), j = int(i - long(b) * s.u), u = s.u;
  const float* p = s.p + b * s.ldp;
  const float* a = s.a + b * s.ldp;
  float* dp = g.dp + b * g.lddp;
  // A masked row (m = 0): the cell gets nothing, dL/dhNew (dL/dcNew) passes to hPrev (cPrev).
  const float m = s.mask ? s.mask[b * s.ldm] : 1.0f;
  const float dhAll = g.dh[i] + (g.dyAdd ? g.dyAdd[b * g.lddy + j] : 0.0f);
  const float dh = m * dhAll, carry = (1.0f - m) * dhAll;
  const float hp = s.hPrev ? s.hPrev[b * s.ldh + j] : 0.0f;
  switch (s.cell) {
    case kCellSimple:
      dp[j] = actBackward(s.act, p[j], a[j], dh);
      if (s.mask) g.dhPrev[i] = carry;  // the product dP R^T is added to it
      break;
    case kCellLstm: {
      const float c = s.cNew[b * s.ldc + j], tc = s.cAct[b * s.ldc + j];
      const float cp = s.cPrev ? s.cPrev[b * s.ldcPrev + j] : 0.0f;
      const float d = actBackward(s.act, c, tc, dh * a[3 * u + j]) + m * g.dc[i];
      const float di = d * a[2 * u + j], df = d * cp, dg = d * a[j], dO = dh * tc;
      g.dcPrev[i] = d * a[u + j] + (1.0f - m) * g.dc[i];
      if (s.mask) g.dhPrev[i] = carry;
      dp[j] = actBackward(s.recAct, p[j], a[j], di);
      dp[u + j] = actBackward(s.recAct, p[u + j], a[u + j], df);
      dp[2 * u + j] = actBackward(s.act, p[2 * u + j], a[2 * u + j], dg);
      dp[3 * u + j] = actBackward(s.recAct, p[3 * u + j], a[3 * u + j], dO);
      break;
    }
    case kCellGruAfter: {
      const float z = a[j], hh = a[2 * u + j];
      const float* in = s.inner + b * s.ldi;
      float* di = g.dInner + b * g.lddi;
      const float daz = dh * (hp - hh), dah = dh * (1 - z);
      g.dhPrev[i] = dh * z + carry;
      const float dph = actBackward(s.act, p[2 * u + j], hh, dah);
      dp[2 * u + j] = dph;
      di[2 * u + j] = dph * a[u + j];
      const float dar = dph * in[2 * u + j];
      dp[j] = actBackward(s.recAct, p[j], z, daz);
      dp[u + j] = actBackward(s.recAct, p[u + j], a[u + j], dar);
      di[j] = dp[j];
      di[u + j] = dp[u + j];
      break;
    }
    case kCellGruBefore: {
      const float z = a[j], hh = a[2 * u + j];
      if (phase == 0) {
        g.dhPrev[i] = dh * z + carry;
        dp[2 * u + j] = actBackward(s.act, p[2 * u + j], hh, dh * (1 - z));
      } else {
        const float dRh = g.dInner[b * g.lddi + j];
        const float dar = dRh * hp;
        g.dhPrev[i] += dRh * a[u + j];
        dp[j] = actBackward(s.recAct, p[j], z, dh * (hp - hh));
        dp[u + j] = actBackward(s.recAct, p[u + j], a[u + j], dar);
      }
      break;
    }
  }
}

void launchCellForward(const CellStep& s, int phase, cudaStream_t stream) {
  const long count = long(s.n) * s.u;
  cellForwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(s, phase);
}

void launchCellBackward(const CellStep& s, const CellGrad& g, int phase, cudaStream_t stream) {
  const long count = long(s.n) * s.u;
  cellBackwardKernel<<<blocksFor(count, 256), 256, 0, stream>>>(s, g, phase);
}

// ---- Embedding ----

__global__ void embeddingForwardKernel(const float* ids, const float* table, float* y, long count,
                                       int d) {
  const long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count * d) return;
  const long r = i / d;
  y[i] = table[long(ids[r]) * d + (i - r * d)];
}

// One block per distinct id, threads over the row.
__global__ void embeddingBackwardKernel(const float* dy, float* grad, int d, const int* segments,
                                        const int* tokens, const int* start, const int* sorted) {
  const int seg = blockIdx.x;
  if (seg >= *segments) return;
  for (int j = threadIdx.x; j < d; j += blockDim.x) {
    float sum = 0.0f;
    for (int q = start[seg]; q < start[seg + 1]; ++q) sum += dy[long(sorted[q]) * d + j];
    grad[long(tokens[seg]) * d + j] = sum;
  }
}

void launchEmbeddingForward(const float* ids, const float* table, float* y, long count, int d,
                            cudaStream_t stream) {
  embeddingForwardKernel<<<blocksFor(count * d, 256), 256, 0, stream>>>(ids, table, y, count, d);
}

void launchEmbeddingBackward(const float* dy, float* grad, long vocab, int d, const int* segments,
                             const int* tokens, const int* start, const int* sorted,
                             int maxSegments, cudaStream_t stream) {
  cudaMemsetAsync(grad, 0, size_t(vocab) * size_t(d) * 4, stream);
  if (maxSegments <= 0) return;
  const int threads = d < 128 ? 32 * ((d + 31) / 32) : 128;
  embeddingBackwardKernel<<<maxSegments, threads, 0, stream>>>(dy, grad, d, segments, tokens, start,
                                                               sorted);
}

}  // namespace tessel::gpu
