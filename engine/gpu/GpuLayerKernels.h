#pragma once
// CUDA kernels of the sequence layers on the GPU (GpuLayerKernels.cu): Keras's dot-product
// Attention (the score softmax with causal and padding masks, its backward, the query mask on the
// output), RepeatVector and Permute. Plain launch functions on raw pointers, as GpuKernels.h:
// every one enqueues on `stream` and returns (no allocation, no sync: safe in a graph capture).
#include <cuda_runtime.h>

namespace tessel::gpu {

// Attention's weights, as engine/layers/AttentionCore.cpp maskedSoftmaxRows: for each of
// rows = n * heads * tq rows (sample b = row / (heads * tq), query step i = row % tq; scores laid
// out (n, heads, tq, tv)) of `cols` = tv scores, p = softmax(scale * s) over the visible keys:
// j <= i when causal, colMask[b * tv + j] != 0 and colMask2[b * tv + j] != 0 (the value's and
// the key's padding masks; null: none); with rowMask (MultiHeadAttention's query mask, (n, tq)) a
// padded query sees no key. Hidden entries get 0; a row with no visible key is Keras's softmax
// of (score - 1e9) over every key. scale: a device scalar (Attention's use_scale variable), else
// constScale (MultiHeadAttention's 1 / sqrt(key_dim); 1: none). s and p may not alias.
void launchAttentionSoftmax(const float* s, float* p, int rows, int tq, int heads, int cols,
                            bool causal, const float* colMask, const float* colMask2,
                            const float* rowMask, const float* scale, float constScale,
                            cudaStream_t stream);

// Attention's "concat" scores and AdditiveAttention's (engine/layers/Attention.cpp), per sample b
// of n: s[b][i][j] = c * sum_e w[e] * tanh(a * (q[b][i][e] + k[b][j][e])) with q (n, tq, d), k
// (n, tv, d) contiguous; a, c: device scalars or null for 1 (the scale and concat_score_weight
// variables), w: a device vector (d) or null for ones (AdditiveAttention's scale).
struct ConcatScores {
  const float* q = nullptr;
  const float* k = nullptr;
  const float* a = nullptr;
  const float* c = nullptr;
  const float* w = nullptr;
  int n = 0, tq = 0, tv = 0, d = 0;
};
void launchConcatScores(const ConcatScores& g, float* s, cudaStream_t stream);
// Their backward from ds (n, tq, tv): dq (n, tq, d) written; dk (n, tv, d) written, or added
// when accumulate (the key is the value, whose gradient is already there); the variables'
// gradients (null where there is none): da = sum g c w (1 - t^2) u, dc = sum g w t, dw[e] = sum
// g c t, through per-sample partials in `partials` (3 * n * d floats) and column sums in double
// (`scratch`: reductionScratchDoubles(n * d, d) doubles, GpuKernels.h).
void launchConcatScoresBackward(const ConcatScores& g, const float* ds, float* dq, float* dk,
                                bool accumulate, float* da, float* dc, float* dw, float* partials,
                                double* scratch, cudaStream_t stream);

// ds = p * (dp - sum_j p_j dp_j) per row (the softmax's backward); ds may equal dp.
void launchSoftmaxRowsBackward(const float* p, const float* dp, float* ds, int rows, int cols,
                               cudaStream_t stream);

// y[r][:] = 0 where mask[r] == 0 (rows of `width` values): the query mask on Attention's output.
void launchZeroMaskedRows(float* y, const float* mask, long rows, int width, cudaStream_t stream);

// x *= *scale (a device scalar), count values.
void launchScaleByDevice(float* x, const float* scale, long count, cudaStream_t stream);

// b = a * b, count values.
void launchMultiplyInto(const float* a, float* b, long count, cudaStream_t stream);

// y (n, steps, f) = x (n, steps, f) * mask (n, f) at every step: a recurrent layer's input
// dropout (Keras draws one mask per sample for all steps); y may equal x.
void launchStepMask(const float* x, const float* mask, float* y, int n, int steps, int f,
                    cudaStream_t stream);

// Keras's Masking: keep[r] = 1 when some value of row r (width f) differs from maskValue, else 0;
// y = x on kept rows, 0 on masked ones (rows = n * steps).
void launchMasking(const float* x, float* y, float* keep, long rows, int f, float maskValue,
                   cudaStream_t stream);
// y = x * keep[r] per row (Masking's backward: dx = dy on kept rows, 0 elsewhere).
void launchKeepRows(const float* x, const float* keep, float* y, long rows, int f,
                    cudaStream_t stream);

// Keras's Normalization with per-value statistics of one sample (s values): y = (x - mean) /
// denom, or mean + x * denom when inverted; backward dx = dy / denom (dy * denom inverted).
void launchNormalize(const float* x, float* y, const float* mean, const float* denom, int n, int s,
                     bool invert, cudaStream_t stream);
void launchNormalizeBackward(const float* dy, float* dx, const float* denom, int n, int s,
                             bool invert, cudaStream_t stream);

// Keras 2's GlobalAveragePooling1D with a mask (n, steps): y (n, c) = the mean over the unmasked
// steps of x (n, steps, c) (0 for a sample with none); backward dx = dy * mask / count.
void launchMaskedStepMean(const float* x, const float* mask, float* y, int n, int steps, int c,
                          cudaStream_t stream);
void launchMaskedStepMeanBackward(const float* dy, const float* mask, float* dx, int n, int steps,
                                  int c, cudaStream_t stream);

// RepeatVector: y (n, times, f) = x (n, f) repeated; its backward dx (n, f) = the sum over the
// copies in order (as the CPU layer sums them).
void launchRepeat(const float* x, float* y, int n, int times, int f, cudaStream_t stream);
void launchRepeatBackward(const float* dy, float* dx, int n, int times, int f, cudaStream_t stream);

// Permute: y = x with its axes 1.. permuted. dims: the input's per-sample shape (rank <= 4);
// perm[k]: the input axis (0-based, without the batch) that output axis k reads. inverse: the
// adjoint, for the gradient: x is the permuted (output-shaped) gradient, read, and y the input's
// gradient, written.
constexpr int kMaxPermuteRank = 4;
struct PermuteGeom {
  int rank = 0;
  int dims[kMaxPermuteRank] = {1, 1, 1, 1};
  int perm[kMaxPermuteRank] = {0, 1, 2, 3};
};
void launchPermute(const float* x, float* y, int n, const PermuteGeom& g, bool inverse,
                   cudaStream_t stream);

}  // namespace tessel::gpu
