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
  kActSoftmax,
  kActRelu6,
  kActHardSigmoid,  // Keras 2 / TF.js: clip(0.2 z + 0.5, 0, 1)
  kActSoftplus,
  kActSoftsign,
  kActSwish,
  kActGelu,  // approximate=False: 0.5 z (1 + erf(z / sqrt 2))
  kActExponential
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

// A weight or activity regularizer (engine/layers/Regularizers.cpp) over count values: *penalty
// = l1 sum|w| + l2 sum w^2 (in double: partial sums of kRegularizeBlocks blocks in `scratch`,
// 2 * kRegularizeBlocks doubles, then a fixed tree: deterministic), and when g is not null
// g += float(l1) sign(w) + 2 float(l2) w.
constexpr int kRegularizeBlocks = 256;
void launchRegularize(const float* w, float* g, long count, double l1, double l2, double* penalty,
                      double* scratch, cudaStream_t stream);

// ---- CNN layers (NHWC) ----
// One pooling's geometry: input (n, h, w, c), window (kh, kw), strides, TF padding before
// (padT, padL), output (n, oh, ow, c). Global average pooling is the window (h, w).
struct PoolGeom {
  int n, h, w, c, kh, kw, sh, sw, padT, padL, oh, ow;
};
// Max: y = max over the in-bounds window, the first maximum (window order) in argmax (flat index
// within the sample), as engine/layers/Pooling2D.cpp. Average: y = (sum in window order) * (1 /
// in-bounds count).
void launchPoolForward(const float* x, float* y, int* argmax, const PoolGeom& g, bool isMax,
                       cudaStream_t stream);
// dx (every element written) = the sum over the windows holding it, in window order, of dy at the
// argmax (max) or dy * (1 / count) (average). Deterministic: a gather, no atomics.
void launchPoolBackward(const float* dy, const int* argmax, float* dx, const PoolGeom& g,
                        bool isMax, cudaStream_t stream);

// Column sums of a (rows, cols) matrix into out (cols), accumulated in double per block of rows
// (reductionChunks of them), then the blocks' sums added in a fixed tree: deterministic. For the
// bias gradients of layers with many rows (convolutions: rows = n * oh * ow). scratch:
// reductionScratchDoubles(rows, cols) doubles.
int reductionChunks(int rows);
long reductionScratchDoubles(int rows, int cols);
void launchColumnSums(const float* a, int rows, int cols, double* scratch, float* out,
                      cudaStream_t stream);
// dz = dy * f'(z) and db = column sums of dz in one pass over the rows (launchColumnSums's
// numerics); dz may equal dy.
void launchActivationBackwardBias(const float* dy, const float* z, const float* y, float* dz,
                                  float* db, int rows, int units, int act, double* scratch,
                                  cudaStream_t stream);

// Explicit zero padding for convolutions whose TF padding is asymmetric ("same" with an odd total
// at stride > 1, Conv1D "causal", Conv2DTranspose "same"): xp (n, ph, pw, c) = x (n, h, w, c) at
// offset (top, left), zeros around it (every element of xp written). launchCrop is its adjoint
// for gradients: x = the (top, left) window of xp.
void launchPad(const float* x, float* xp, int n, int h, int w, int c, int ph, int pw, int top,
               int left, cudaStream_t stream);
void launchCrop(const float* xp, float* x, int n, int h, int w, int c, int ph, int pw, int top,
                int left, cudaStream_t stream);

// BatchNormalization over the last axis of x viewed as (rows, C), as
// engine/layers/BatchNormalization.cpp: training uses the batch mean and biased variance (two
// passes in double), updates moving_mean / moving_variance in place with `decay` (the host's
// float(1 - momentum), as the CPU layer computes it), and
// leaves mean / invStd for the backward pass; inference uses the moving statistics. gamma / beta
// may be null (scale / center false). scratch: reductionScratchDoubles(rows, C); stats: 7 * C
// floats (mean, invStd, a, b, k, k1, k2).
void launchBatchNormForward(const float* x, float* y, int rows, int C, bool training, float decay,
                            double epsilon, const float* gamma, const float* beta,
                            float* movingMean, float* movingVar, double* scratch, float* stats,
                            cudaStream_t stream);
// dGamma / dBeta (when not null) and dx (when not null) from dy; training as the forward ran.
void launchBatchNormBackward(const float* x, const float* dy, float* dx, int rows, int C,
                             bool training, const float* gamma, float* dGamma, float* dBeta,
                             double* scratch, float* stats, cudaStream_t stream);

// UpSampling2D (nearest): y (n, h sh, w sw, c) repeats each pixel; the backward pass sums each
// block in row order, as engine/layers/UpSampling2D.cpp.
void launchUpsample(const float* x, float* y, int n, int h, int w, int c, int sh, int sw,
                    cudaStream_t stream);
void launchUpsampleBackward(const float* dy, float* dx, int n, int h, int w, int c, int sh, int sw,
                            cudaStream_t stream);
// y = x * scale + offset over count values (Rescaling; its gradient with offset 0).
void launchAffine(const float* x, float* y, float scale, float offset, long count,
                  cudaStream_t stream);

// LayerNormalization over the last D values of each of `rows` rows, as
// engine/layers/LayerNormalization.cpp (mean and variance in double; mean / invStd kept per row
// for the backward pass). gamma / beta may be null (scale / center false).
void launchLayerNormForward(const float* x, float* y, int rows, int D, double epsilon,
                            const float* gamma, const float* beta, float* mean, float* invStd,
                            cudaStream_t stream);
// dx (when not null) from dy; xhatDy (rows, D) = dy * xhat, whose column sums are gamma's
// gradient (dy's are beta's).
void launchLayerNormBackward(const float* x, const float* dy, float* dx, float* xhatDy, int rows,
                             int D, const float* gamma, const float* mean, const float* invStd,
                             cudaStream_t stream);

// The ReLU layer (engine/layers/ReLU.cpp): forward (dy null) y = x >= t ? x : slope (x - t),
// capped at max_value; backward out = dy * (1 on [t, max), slope below t, 0 from max on).
void launchReluLayer(const float* x, const float* dy, float* out, long count, float threshold,
                     float slope, bool hasMax, float maxValue, cudaStream_t stream);

// Mixed precision (Numerics::precision): y[i] = x[i] rounded to nearest-even in IEEE half
// (bf16 false: float16, overflow to +-inf) or bfloat16; y holds `count` 16-bit values.
void launchCast16(const float* x, void* y, long count, bool bf16, cudaStream_t stream);
// The other way: y[i] = the 16-bit x[i] as a float (exact).
void launchWiden16(const void* x, float* y, long count, bool bf16, cudaStream_t stream);

// ---- branching graphs (Functional models: Add, Concatenate, ... and tensors read twice) ----
constexpr int kMaxMergeInputs = 8;
// Up to kMaxMergeInputs tensors of one call, passed to the kernels by value.
struct TensorList {
  const float* x[kMaxMergeInputs];  // inputs
  float* g[kMaxMergeInputs];        // their gradients (null: not needed)
  long width[kMaxMergeInputs];      // Concatenate: floats of each input per row
  int count;
};
enum GpuMerge : int {
  kMergeAdd = 0,
  kMergeSubtract,
  kMergeMultiply,
  kMergeAverage,
  kMergeMaximum,
  kMergeMinimum
};
// y = the merge of t.x[0..t.count) element by element over `count` values, in the CPU layers'
// order (engine/layers/Add.cpp, ...).
void launchMerge(int mode, const TensorList& t, float* y, long count, cudaStream_t stream);
// t.g[i] (every element, where not null) = the gradient of input i from dy; Maximum / Minimum
// route dy to the first input equal to y (MergeLayer::routeToSelected), zeros elsewhere.
void launchMergeBackward(int mode, const TensorList& t, const float* y, const float* dy, long count,
                         cudaStream_t stream);
// Concatenate over rows: y (rows, sum of widths) = [x_0 | x_1 | ...]; launchSplit is its
// gradient (t.g[i], where not null, = the columns of input i).
void launchConcat(const TensorList& t, float* y, long rows, cudaStream_t stream);
void launchSplit(const float* dy, const TensorList& t, long rows, cudaStream_t stream);
// y = t.x[0] + t.x[1] + ... (in that order) over `count` values: the gradient of a tensor that
// several layers read, from each reader's share.
void launchSum(const TensorList& t, float* y, long count, cudaStream_t stream);

// ---- recurrent layers (engine/layers/RecurrentLayer.cpp, SimpleRNN.cpp, LSTM.cpp, GRU.cpp) ----
// Gates in Keras order: LSTM i, f, c, o; GRU z, r, h. Every buffer is row-major with a row
// stride (ld, floats) per sample, so that one step of an (n, T, width) sequence is read in place.
enum GpuCell : int { kCellSimple = 0, kCellLstm, kCellGruAfter, kCellGruBefore };
struct CellStep {
  int cell, act, recAct, n, u;
  float* p;            // pre-activations (n, G u) of the step: x W + b (+ h R) on entry
  float* a;            // their activations (out)
  long ldp;            // of p and a
  const float* hPrev;  // null: zeros (the first step)
  long ldh;
  float* hNew;
  long ldhNew;
  const float* cPrev;  // LSTM: null: zeros
  float* cNew;         // LSTM: c of the step
  float* cAct;         // LSTM: act(c)
  long ldc;            // of cNew, cAct
  long ldcPrev;        // of cPrev (an initial state's (n, u) at the first step)
  // GRU reset_after: inner = b_rec + hPrev R (n, 3u; hPrev R there on entry unless hPrev is
  // null); reset_before: r * hPrev (n, u), written by phase 0.
  float* inner;
  long ldi;
  const float* recBias;  // GRU reset_after: the recurrent bias (3u), null without a bias
  // Keras masks (Embedding mask_zero): the step's mask value of row b at mask[b * ldm] (null: no
  // mask). A masked row (0) keeps its state: hNew = hPrev (LSTM: cNew = cPrev), as
  // engine/layers/RecurrentLayer.cpp; backward, its cell gets no gradient and dL/dhNew (dL/dcNew)
  // passes to hPrev (cPrev) unchanged.
  const float* mask;
  long ldm;
};
// One step forward. GRU reset_before runs in two phases around the (r * hPrev) R_h product:
// phase 0 (z, r and r * hPrev), phase 1 (h); the other cells in phase 0 alone.
void launchCellForward(const CellStep& s, int phase, cudaStream_t stream);
struct CellGrad {
  const float* dh;     // dL/dh of the step from later steps (n, u)
  const float* dyAdd;  // return_sequences: dL/dy of the step (added to dh), null otherwise
  long lddy;
  const float* dc;  // LSTM: dL/dc from later steps (n, u)
  float* dp;        // dL/dp of the step (out)
  long lddp;
  float* dhPrev;  // GRU: the element-wise part of dL/dhPrev (out; the products add the rest);
                  // with a mask, SimpleRNN and LSTM write (1 - m) dL/dhNew there too
  float* dcPrev;  // LSTM (out)
  // GRU reset_after: dL/d inner (out, n x 3u, ld lddi); reset_before: dL/d(r * hPrev) (in,
  // phase 1, n x u, ld lddi).
  float* dInner;
  long lddi;
};
// One step backward (GRU reset_before: phase 0 gives dp_h and dhPrev = dh z; phase 1, after
// dInner = dp_h R_h^T, gives dp_z, dp_r and adds dInner * r to dhPrev).
void launchCellBackward(const CellStep& s, const CellGrad& g, int phase, cudaStream_t stream);

// ---- Embedding ----
// y (count, d) = rows ids[i] of the table (ids checked on the host: integers in range).
void launchEmbeddingForward(const float* ids, const float* table, float* y, long count, int d,
                            cudaStream_t stream);
// The table's gradient: grad (vocab, d) zeroed, then for each of the *segments distinct ids (at
// most maxSegments) tokens[s] = sum of dy rows at positions sorted[start[s] .. start[s + 1]) in
// that (ascending) order, as the CPU adds them: deterministic, no atomics. segments, tokens,
// start and sorted are ints the host wrote with the batch.
void launchEmbeddingBackward(const float* dy, float* grad, long vocab, int d, const int* segments,
                             const int* tokens, const int* start, const int* sorted,
                             int maxSegments, cudaStream_t stream);

}  // namespace tessel::gpu
