// tessel-conv-bench: cuDNN's FP32 convolutions of the seed CNN in NHWC (what the engine runs) and
// NCHW (what PyTorch runs), standalone (CUDA runtime + cuDNN only: no engine, no Qt).
//   tessel-conv-bench [--batch N] [--reps N] [--warmup N] [--spin-us N] [--all] [--help]
// For each of the seed CNN's six 3x3 same-padding stride-1 convolutions (28x28x1->32,
// 28x28x32->32, 14x14x32->64, 14x14x64->64, 7x7x64->128, 7x7x128->128) at batch 256 then 32 (or
// --batch N):
//   (a) NHWC tensors + NHWC (KRSC) filter, (b) NCHW tensors + NCHW (KCRS) filter: forward,
//       backward-data and backward-filter with FP32 FMA math (CUDNN_FMA_MATH: TF32 off), as
//       GpuExecutor::prepareConvolutions sets them up; every candidate that cudnnFind*Ex returns
//       within a 256 MiB workspace is timed here and the fastest wins; also reported: whether it is
//       deterministic, and the totals with cudnnFind's own first choice (what the engine runs) and
//       with deterministic algorithms only (TESSEL_GPU_DETERMINISTIC=1);
//   (c) forward fused with bias + ReLU (cudnnConvolutionBiasActivationForward), every forward
//       algorithm tried in both layouts, against the convolution + a bias/ReLU kernel like the
//       engine's (reads z, writes z + bias and relu(z + bias));
//   (d) NHWC <-> NCHW transforms of each layer's input and output tensors (cudnnTransformTensor and
//       a 32x32-tile transpose kernel, the faster one counted), for "transpose at the boundaries".
// Times are GPU times (CUDA events around the call, median of --reps after --warmup runs); a spin
// kernel queued before each timed call keeps the GPU busy while the host enqueues it, so that host
// launch overhead is not counted (the engine replays CUDA graphs). Results of NHWC and NCHW are
// compared with each other (and fused with unfused) as a check of the set-up.
// No CUDA device: says so and exits 0.
#include <cuda_runtime.h>
#include <cudnn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kWorkspaceBytes = size_t(256) << 20;  // as the engine (dnnWorkspaceBytes_)
constexpr double kInf = std::numeric_limits<double>::infinity();

void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  std::fprintf(stderr, "tessel-conv-bench: %s: %s\n", what, cudaGetErrorString(e));
  std::exit(1);
}

void check(cudnnStatus_t s, const char* what) {
  if (s == CUDNN_STATUS_SUCCESS) return;
  std::fprintf(stderr, "tessel-conv-bench: cuDNN: %s: %s\n", what, cudnnGetErrorString(s));
  std::exit(1);
}

// ---- kernels ---------------------------------------------------------------------------------

// Busy-waits ns nanoseconds (GPU global timer) so that what the host queues behind it starts
// back to back.
__global__ void spinKernel(unsigned long long ns) {
  unsigned long long start = 0, now = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (now - start < ns);
}

// Batched transpose: in [batch][rows][cols] -> out [batch][cols][rows]. NHWC -> NCHW is
// rows = H*W, cols = C; NCHW -> NHWC is rows = C, cols = H*W.
__global__ void transposeKernel(const float* __restrict__ in, float* __restrict__ out, int rows,
                                int cols) {
  __shared__ float tile[32][33];
  const long base = long(blockIdx.z) * rows * cols;
  const int r0 = blockIdx.y * 32, c0 = blockIdx.x * 32;
  const int c = c0 + threadIdx.x;
  for (int j = threadIdx.y; j < 32; j += 8) {
    const int r = r0 + j;
    if (r < rows && c < cols) tile[j][threadIdx.x] = in[base + long(r) * cols + c];
  }
  __syncthreads();
  const int r = r0 + threadIdx.x;
  for (int j = threadIdx.y; j < 32; j += 8) {
    const int cc = c0 + j;
    if (cc < cols && r < rows) out[base + long(cc) * rows + r] = tile[threadIdx.x][j];
  }
}

void launchTranspose(const float* in, float* out, int batch, int rows, int cols, cudaStream_t s) {
  transposeKernel<<<dim3((cols + 31) / 32, (rows + 31) / 32, batch), dim3(32, 8), 0, s>>>(
      in, out, rows, cols);
}

// The engine's unfused epilogue (biasActKernel): z += bias (kept for the backward pass),
// y = relu(z). Channel of element i: i % k (NHWC) or (i / hw) % k (NCHW).
__global__ void biasReluKernel(float* z, float* y, const float* bias, long count, int k, int hw,
                               bool nchw) {
  for (long i = blockIdx.x * long(blockDim.x) + threadIdx.x; i < count;
       i += long(gridDim.x) * blockDim.x) {
    const int c = nchw ? int((i / hw) % k) : int(i % k);
    const float v = z[i] + bias[c];
    z[i] = v;
    y[i] = fmaxf(v, 0.f);
  }
}

void launchBiasRelu(float* z, float* y, const float* bias, long count, int k, int hw, bool nchw,
                    cudaStream_t s) {
  long blocks = (count + 255) / 256;
  blocks = std::min<long>(std::max<long>(blocks, 1), 4096);  // as the engine's blocksFor
  biasReluKernel<<<int(blocks), 256, 0, s>>>(z, y, bias, count, k, hw, nchw);
}

// ---- options ---------------------------------------------------------------------------------

struct Options {
  std::vector<int> batches{256, 32};
  int reps = 20, warmup = 3, spinUs = 200;
  bool all = false;
};

void usage(FILE* f) {
  std::fprintf(
      f,
      "usage: tessel-conv-bench [--batch N] [--reps N] [--warmup N] [--spin-us N] [--all]\n"
      "  cuDNN FP32 (FMA math, TF32 off) convolutions of the seed CNN's six 3x3 layers:\n"
      "  forward, backward-data and backward-filter in NHWC (KRSC filter) vs NCHW (KCRS\n"
      "  filter), fused conv+bias+ReLU forward, and NHWC<->NCHW transform costs.\n"
      "  --batch N     batch size, may be repeated (default: 256, then 32)\n"
      "  --reps N      timed runs per measurement, median reported (default 20)\n"
      "  --warmup N    untimed runs first (default 3)\n"
      "  --spin-us N   GPU spin queued before each timed call to hide host launch time\n"
      "                (default 200)\n"
      "  --all         list every candidate algorithm's time, not only the winner's\n"
      "  --help        this text\n"
      "  Exits 0 with a message when there is no CUDA device.\n");
}

bool parseInt(const char* s, int lo, int* out) {
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (!s[0] || *end || v < lo || v > 1000000) return false;
  *out = int(v);
  return true;
}

// ---- model -----------------------------------------------------------------------------------

struct Layer {
  int h, w, c, k;  // input h x w x c -> k filters, 3x3, pad 1, stride 1 (output h x w x k)
};
constexpr Layer kLayers[6] = {{28, 28, 1, 32},  {28, 28, 32, 32}, {14, 14, 32, 64},
                              {14, 14, 64, 64}, {7, 7, 64, 128},  {7, 7, 128, 128}};
constexpr int kR = 3, kS = 3;

std::string layerName(int i) {
  const Layer& l = kLayers[i];
  char b[64];
  std::snprintf(b, sizeof b, "conv%d %dx%dx%d->%d", i + 1, l.h, l.w, l.c, l.k);
  return b;
}

const char* fwdName(int a) {
  static const char* n[] = {
      "IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING",
      "WINOGRAD",      "WINOGRAD_NONFUSED"};
  return a >= 0 && a < 8 ? n[a] : "?";
}
const char* bwdDataName(int a) {
  static const char* n[] = {"ALGO_0",     "ALGO_1",   "FFT",
                            "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
  return a >= 0 && a < 6 ? n[a] : "?";
}
const char* bwdFilterName(int a) {
  static const char* n[] = {"ALGO_0",    "ALGO_1", "FFT", "ALGO_3", "WINOGRAD", "WINOGRAD_NONFUSED",
                            "FFT_TILING"};
  return a >= 0 && a < 7 ? n[a] : "?";
}

enum Pass { kFwd, kBwdData, kBwdFilter };
const char* passName(int p) {
  static const char* n[] = {"fwd", "bwdData", "bwdFilter"};
  return n[p];
}
const char* algoName(int pass, int a) {
  return pass == kFwd ? fwdName(a) : pass == kBwdData ? bwdDataName(a) : bwdFilterName(a);
}

// ---- host data -------------------------------------------------------------------------------

// Logical [n][c][h][w] (NCHW) -> memory [n][h][w][c] (NHWC). Also KCRS -> KRSC (n = K).
std::vector<float> toNhwc(const std::vector<float>& v, int n, int c, int h, int w) {
  std::vector<float> out(v.size());
  for (int in = 0; in < n; ++in)
    for (int ic = 0; ic < c; ++ic)
      for (int ih = 0; ih < h; ++ih)
        for (int iw = 0; iw < w; ++iw)
          out[((size_t(in) * h + ih) * w + iw) * c + ic] =
              v[((size_t(in) * c + ic) * h + ih) * w + iw];
  return out;
}

// max |a - b| / max(max |a|, 1e-30), a in NCHW and b in NHWC (nhwc) or NCHW order.
double relDiff(const std::vector<float>& a, const std::vector<float>& b, int n, int c, int h, int w,
               bool nhwc) {
  double diff = 0, scale = 1e-30;
  for (int in = 0; in < n; ++in)
    for (int ic = 0; ic < c; ++ic)
      for (int ih = 0; ih < h; ++ih)
        for (int iw = 0; iw < w; ++iw) {
          const size_t ia = ((size_t(in) * c + ic) * h + ih) * w + iw;
          const size_t ib = nhwc ? ((size_t(in) * h + ih) * w + iw) * c + ic : ia;
          const double x = a[ia], y = b[ib];
          if (!std::isfinite(y)) return kInf;
          diff = std::max(diff, std::fabs(x - y));
          scale = std::max(scale, std::fabs(x));
        }
  return diff / scale;
}

std::vector<float> randomVector(size_t count, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(count);
  for (float& x : v) x = u(rng);
  return v;
}

// ---- device memory ---------------------------------------------------------------------------

class DeviceArena {
 public:
  ~DeviceArena() {
    for (void* p : ptrs_) cudaFree(p);
  }
  float* alloc(size_t count) {
    void* p = nullptr;
    check(cudaMalloc(&p, std::max<size_t>(count, 1) * sizeof(float)), "allocate device memory");
    ptrs_.push_back(p);
    // Zeros, not garbage: the fused call's z (alpha2 = 0) must not hold NaNs.
    check(cudaMemset(p, 0, std::max<size_t>(count, 1) * sizeof(float)), "clear device memory");
    return static_cast<float*>(p);
  }
  float* upload(const std::vector<float>& v) {
    float* p = alloc(v.size());
    check(cudaMemcpy(p, v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice), "upload");
    return p;
  }

 private:
  std::vector<void*> ptrs_;
};

std::vector<float> download(const float* p, size_t count) {
  std::vector<float> v(count);
  check(cudaDeviceSynchronize(), "finish before a download");
  check(cudaMemcpy(v.data(), p, count * sizeof(float), cudaMemcpyDeviceToHost), "download");
  return v;
}

// ---- timing ----------------------------------------------------------------------------------

class Timer {
 public:
  Timer(cudaStream_t s, const Options& o)
      : s_(s), reps_(o.reps), warmup_(o.warmup), spinNs_(1000ull * unsigned(o.spinUs)) {
    check(cudaEventCreate(&e0_), "create an event");
    check(cudaEventCreate(&e1_), "create an event");
  }
  ~Timer() {
    cudaEventDestroy(e0_);
    cudaEventDestroy(e1_);
  }
  // Median GPU ms of op() (which returns false when cuDNN refuses): kInf when refused.
  template <class F>
  double median(F&& op) {
    for (int i = 0; i < warmup_; ++i)
      if (!op()) return kInf;
    check(cudaStreamSynchronize(s_), "warm-up");
    std::vector<float> t;
    for (int r = 0; r < reps_; ++r) {
      const auto h0 = Clock::now();
      spinKernel<<<1, 1, 0, s_>>>(spinNs_);
      check(cudaGetLastError(), "spin kernel");
      check(cudaEventRecord(e0_, s_), "record an event");
      if (!op()) return kInf;
      check(cudaEventRecord(e1_, s_), "record an event");
      const double hostNs = std::chrono::duration<double, std::nano>(Clock::now() - h0).count();
      if (spinNs_ > 0 && hostNs > 0.9 * double(spinNs_)) ++hostBound_;
      ++timed_;
      check(cudaEventSynchronize(e1_), "wait for an event");
      float ms = 0;
      check(cudaEventElapsedTime(&ms, e0_, e1_), "event time");
      t.push_back(ms);
    }
    check(cudaGetLastError(), "a kernel");
    std::sort(t.begin(), t.end());
    const size_t m = t.size() / 2;
    return t.size() % 2 ? t[m] : 0.5 * (double(t[m - 1]) + t[m]);
  }
  long hostBound() const { return hostBound_; }
  long timed() const { return timed_; }
  void resetCounts() { hostBound_ = timed_ = 0; }

 private:
  cudaStream_t s_;
  int reps_, warmup_;
  unsigned long long spinNs_;
  cudaEvent_t e0_ = nullptr, e1_ = nullptr;
  long hostBound_ = 0, timed_ = 0;
};

// ---- cuDNN set-up ----------------------------------------------------------------------------

struct Candidate {
  int algo = 0;
  float findMs = 0;  // cudnnFind's own time
  size_t memory = 0;
  bool deterministic = false;
  double ms = kInf;  // ours (median)
};

struct PassResult {
  std::vector<Candidate> cands;  // in cudnnFind's order (cands[0]: its first choice)
  int best = -1, bestDet = -1;   // indices into cands
  double ms() const { return best >= 0 ? cands[size_t(best)].ms : kInf; }
  double detMs() const { return bestDet >= 0 ? cands[size_t(bestDet)].ms : kInf; }
  double findMs() const { return cands.empty() ? kInf : cands[0].ms; }
  int algo() const { return best >= 0 ? cands[size_t(best)].algo : -1; }
};

// The usable results of cudnnFind*Ex, as the engine filters them: success, within the workspace,
// FP32 FMA (or default) math; each algorithm once.
template <class Perf>
std::vector<Candidate> candidates(const Perf* perf, int found) {
  std::vector<Candidate> out;
  for (int i = 0; i < found; ++i) {
    const Perf& p = perf[i];
    if (p.status != CUDNN_STATUS_SUCCESS || p.memory > kWorkspaceBytes ||
        (p.mathType != CUDNN_FMA_MATH && p.mathType != CUDNN_DEFAULT_MATH))
      continue;
    if (std::any_of(out.begin(), out.end(),
                    [&](const Candidate& c) { return c.algo == int(p.algo); }))
      continue;
    Candidate c;
    c.algo = int(p.algo);
    c.findMs = p.time;
    c.memory = p.memory;
    c.deterministic = p.determinism == CUDNN_DETERMINISTIC;
    out.push_back(c);
  }
  return out;
}

// One layer in one layout: descriptors and buffers.
struct Side {
  bool nchw = false;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  float *dX = nullptr, *dW = nullptr, *dDy = nullptr;   // inputs
  float *dY = nullptr, *dDx = nullptr, *dDw = nullptr;  // outputs
  float *dZ = nullptr, *dFused = nullptr;               // unfused z, fused output
  PassResult pass[3];

  Side(bool isNchw, int n, const Layer& l) : nchw(isNchw) {
    const cudnnTensorFormat_t f = nchw ? CUDNN_TENSOR_NCHW : CUDNN_TENSOR_NHWC;
    check(cudnnCreateTensorDescriptor(&x), "tensor descriptor");
    check(cudnnCreateTensorDescriptor(&y), "tensor descriptor");
    check(cudnnCreateTensorDescriptor(&bias), "tensor descriptor");
    check(cudnnCreateFilterDescriptor(&w), "filter descriptor");
    check(cudnnCreateConvolutionDescriptor(&conv), "convolution descriptor");
    check(cudnnSetTensor4dDescriptor(x, f, CUDNN_DATA_FLOAT, n, l.c, l.h, l.w), "x descriptor");
    check(cudnnSetTensor4dDescriptor(y, f, CUDNN_DATA_FLOAT, n, l.k, l.h, l.w), "y descriptor");
    check(cudnnSetTensor4dDescriptor(bias, f, CUDNN_DATA_FLOAT, 1, l.k, 1, 1), "bias descriptor");
    check(cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, f, l.k, l.c, kR, kS),
          "filter descriptor");
    check(cudnnSetConvolution2dDescriptor(conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION,
                                          CUDNN_DATA_FLOAT),
          "convolution descriptor");
    check(cudnnSetConvolutionMathType(conv, CUDNN_FMA_MATH), "math type");
    int on = 0, oc = 0, oh = 0, ow = 0;
    check(cudnnGetConvolution2dForwardOutputDim(conv, x, w, &on, &oc, &oh, &ow), "output size");
    if (on != n || oc != l.k || oh != l.h || ow != l.w) {
      std::fprintf(stderr, "tessel-conv-bench: unexpected output size %dx%dx%dx%d\n", on, oc, oh,
                   ow);
      std::exit(1);
    }
  }
  ~Side() {
    cudnnDestroyTensorDescriptor(x);
    cudnnDestroyTensorDescriptor(y);
    cudnnDestroyTensorDescriptor(bias);
    cudnnDestroyFilterDescriptor(w);
    cudnnDestroyConvolutionDescriptor(conv);
  }
  Side(const Side&) = delete;
  Side& operator=(const Side&) = delete;
};

struct Bench {
  cudnnHandle_t dnn = nullptr;
  cudaStream_t stream = nullptr;
  void* workspace = nullptr;
  const Options& opt;
  Timer timer;
  const float one = 1.f, zero = 0.f;

  Bench(cudnnHandle_t h, cudaStream_t s, void* ws, const Options& o)
      : dnn(h), stream(s), workspace(ws), opt(o), timer(s, o) {}

  bool runPass(Side& sd, int pass, int algo) {
    cudnnStatus_t st;
    if (pass == kFwd)
      st = cudnnConvolutionForward(dnn, &one, sd.x, sd.dX, sd.w, sd.dW, sd.conv,
                                   cudnnConvolutionFwdAlgo_t(algo), workspace, kWorkspaceBytes,
                                   &zero, sd.y, sd.dY);
    else if (pass == kBwdData)
      st = cudnnConvolutionBackwardData(dnn, &one, sd.w, sd.dW, sd.y, sd.dDy, sd.conv,
                                        cudnnConvolutionBwdDataAlgo_t(algo), workspace,
                                        kWorkspaceBytes, &zero, sd.x, sd.dDx);
    else
      st = cudnnConvolutionBackwardFilter(dnn, &one, sd.x, sd.dX, sd.y, sd.dDy, sd.conv,
                                          cudnnConvolutionBwdFilterAlgo_t(algo), workspace,
                                          kWorkspaceBytes, &zero, sd.w, sd.dDw);
    return st == CUDNN_STATUS_SUCCESS;
  }

  // cudnnFind*Ex's candidates for one pass, each timed here; the fastest and the fastest
  // deterministic one.
  void measure(Side& sd, int pass) {
    int maxCount = 0, found = 0;
    std::vector<Candidate> c;
    if (pass == kFwd) {
      check(cudnnGetConvolutionForwardAlgorithmMaxCount(dnn, &maxCount), "algorithm count");
      std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(size_t(std::max(maxCount, 1)));
      check(cudnnFindConvolutionForwardAlgorithmEx(dnn, sd.x, sd.dX, sd.w, sd.dW, sd.conv, sd.y,
                                                   sd.dY, int(perf.size()), &found, perf.data(),
                                                   workspace, kWorkspaceBytes),
            "find the forward algorithms");
      c = candidates(perf.data(), found);
    } else if (pass == kBwdData) {
      check(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(dnn, &maxCount), "algorithm count");
      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(size_t(std::max(maxCount, 1)));
      check(cudnnFindConvolutionBackwardDataAlgorithmEx(dnn, sd.w, sd.dW, sd.y, sd.dDy, sd.conv,
                                                        sd.x, sd.dDx, int(perf.size()), &found,
                                                        perf.data(), workspace, kWorkspaceBytes),
            "find the backward-data algorithms");
      c = candidates(perf.data(), found);
    } else {
      check(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(dnn, &maxCount), "algorithm count");
      std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(size_t(std::max(maxCount, 1)));
      check(cudnnFindConvolutionBackwardFilterAlgorithmEx(dnn, sd.x, sd.dX, sd.y, sd.dDy, sd.conv,
                                                          sd.w, sd.dDw, int(perf.size()), &found,
                                                          perf.data(), workspace, kWorkspaceBytes),
            "find the backward-filter algorithms");
      c = candidates(perf.data(), found);
    }
    check(cudaStreamSynchronize(stream), "find");
    PassResult& r = sd.pass[pass];
    r.cands = c;
    for (size_t i = 0; i < r.cands.size(); ++i) {
      Candidate& cand = r.cands[i];
      cand.ms = timer.median([&] { return runPass(sd, pass, cand.algo); });
      if (cand.ms == kInf) continue;
      if (r.best < 0 || cand.ms < r.cands[size_t(r.best)].ms) r.best = int(i);
      if (cand.deterministic && (r.bestDet < 0 || cand.ms < r.cands[size_t(r.bestDet)].ms))
        r.bestDet = int(i);
    }
  }
};

// ---- report ----------------------------------------------------------------------------------

std::string fmtMs(double ms) {
  if (ms == kInf) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", ms);
  return b;
}
std::string fmtRatio(double a, double b) {
  if (a == kInf || b == kInf || b <= 0) return "-";
  char b2[32];
  std::snprintf(b2, sizeof b2, "%.2f", a / b);
  return b2;
}
std::string fmtSci(double v) {
  if (v == kInf || std::isnan(v)) return "inf";
  char b[32];
  std::snprintf(b, sizeof b, "%.1e", v);
  return b;
}

std::string algoCell(const PassResult& r, int pass) {
  if (r.best < 0) return "(none)";
  const Candidate& c = r.cands[size_t(r.best)];
  std::string s = algoName(pass, c.algo);
  s += c.deterministic ? " det" : " nondet";
  if (r.best != 0) s += " *";
  return s;
}

struct Totals {
  double fastest = 0, training = 0, find = 0, det = 0, pass[3] = {0, 0, 0};
  double fused = 0, unfused = 0, biasRelu = 0;  // forward: fused conv+bias+relu, conv + kernel
  double wrap = 0;                              // per-layer NHWC<->NCHW transforms (NCHW only)
};

// Per batch: SUM line kept for the summary at the end.
std::vector<std::string> gSummary;

void runBatch(Bench& b, int n) {
  const Options& opt = b.opt;
  std::mt19937 rng(1234u + unsigned(n));
  b.timer.resetCounts();
  std::printf(
      "\n=== batch %d: GPU ms per call, median of %d after %d warm-up runs; NHWC/NCHW > 1: "
      "NCHW faster ===\n",
      n, opt.reps, opt.warmup);
  std::printf("%-22s %-9s %9s %9s %9s  %-31s %-31s\n", "layer", "pass", "NHWC ms", "NCHW ms",
              "NHWC/NCHW", "NHWC algo", "NCHW algo");
  Totals tot[2];  // [0] NHWC, [1] NCHW
  struct FusedRow {
    double fusedMs = kInf, convMs = kInf, kernelMs = kInf, diff = 0;
    int algo = -1;
    int det = -1;  // -1: not among cudnnFind's forward candidates (unknown)
    cudnnTensorDescriptor_t bias = nullptr;
    std::string accepted, refused;
  };
  FusedRow fused[6][2];
  double checkDiff[6][3] = {};
  // transforms[layer][tensor x|y][direction NHWC->NCHW | NCHW->NHWC]: ms, and by which method
  double tms[6][2][2] = {};
  char tby[6][2][2] = {};
  std::vector<std::string> candidateLines;

  for (int li = 0; li < 6; ++li) {
    const Layer& l = kLayers[li];
    DeviceArena arena;
    const size_t xCount = size_t(n) * l.c * l.h * l.w, yCount = size_t(n) * l.k * l.h * l.w,
                 wCount = size_t(l.k) * l.c * kR * kS;
    // Logical NCHW / KCRS host data, and the NHWC / KRSC copies.
    const std::vector<float> hX = randomVector(xCount, rng), hW = randomVector(wCount, rng),
                             hDy = randomVector(yCount, rng), hB = randomVector(size_t(l.k), rng);
    const std::vector<float> hXh = toNhwc(hX, n, l.c, l.h, l.w), hWh = toNhwc(hW, l.k, l.c, kR, kS),
                             hDyh = toNhwc(hDy, n, l.k, l.h, l.w);
    float* dBias = arena.upload(hB);
    Side side[2] = {Side(false, n, l), Side(true, n, l)};
    for (Side& sd : side) {
      sd.dX = arena.upload(sd.nchw ? hX : hXh);
      sd.dW = arena.upload(sd.nchw ? hW : hWh);
      sd.dDy = arena.upload(sd.nchw ? hDy : hDyh);
      sd.dY = arena.alloc(yCount);
      sd.dDx = arena.alloc(xCount);
      sd.dDw = arena.alloc(wCount);
      sd.dZ = arena.alloc(yCount);
      sd.dFused = arena.alloc(yCount);
    }

    // (a), (b): every pass in both layouts.
    for (int p = 0; p < 3; ++p)
      for (Side& sd : side) b.measure(sd, p);

    // Check: NHWC against NCHW with each one's winner.
    for (int p = 0; p < 3; ++p) {
      std::vector<float> out[2];
      for (int s = 0; s < 2; ++s) {
        Side& sd = side[s];
        if (sd.pass[p].best < 0) continue;
        b.runPass(sd, p, sd.pass[p].algo());
        const float* src = p == kFwd ? sd.dY : p == kBwdData ? sd.dDx : sd.dDw;
        out[s] = download(src, p == kFwd ? yCount : p == kBwdData ? xCount : wCount);
      }
      if (out[0].empty() || out[1].empty()) {
        checkDiff[li][p] = kInf;
        continue;
      }
      checkDiff[li][p] = p == kFwd       ? relDiff(out[1], out[0], n, l.k, l.h, l.w, true)
                         : p == kBwdData ? relDiff(out[1], out[0], n, l.c, l.h, l.w, true)
                                         : relDiff(out[1], out[0], l.k, l.c, kR, kS, true);
    }

    // (c): fused conv + bias + relu forward, every algorithm, against conv + the engine-like
    // bias/relu kernel.
    cudnnActivationDescriptor_t act = nullptr;
    check(cudnnCreateActivationDescriptor(&act), "activation descriptor");
    check(cudnnSetActivationDescriptor(act, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0),
          "activation descriptor");
    for (int s = 0; s < 2; ++s) {
      Side& sd = side[s];
      FusedRow& fr = fused[li][s];
      const int hw = l.h * l.w;
      fr.convMs = sd.pass[kFwd].ms();
      fr.kernelMs = b.timer.median([&] {
        launchBiasRelu(sd.dZ, sd.dY, dBias, long(yCount), l.k, hw, sd.nchw, b.stream);
        return true;
      });
      for (int a = 0; a < int(CUDNN_CONVOLUTION_FWD_ALGO_COUNT); ++a) {
        size_t wsNeed = 0;
        const auto algo = cudnnConvolutionFwdAlgo_t(a);
        cudnnStatus_t st = cudnnGetConvolutionForwardWorkspaceSize(b.dnn, sd.x, sd.w, sd.conv, sd.y,
                                                                   algo, &wsNeed);
        if (st == CUDNN_STATUS_SUCCESS && wsNeed > kWorkspaceBytes) st = CUDNN_STATUS_NOT_SUPPORTED;
        // The bias as a 1xKx1x1 tensor in the layout's own format, else in the other one (the
        // same memory either way).
        cudnnTensorDescriptor_t biasDesc = sd.bias;
        auto fusedCall = [&] {
          // y = relu(1 * conv(x) + 0 * z + bias), z aliased to y (alpha2 = 0).
          return cudnnConvolutionBiasActivationForward(
                     b.dnn, &b.one, sd.x, sd.dX, sd.w, sd.dW, sd.conv, algo, b.workspace,
                     kWorkspaceBytes, &b.zero, sd.y, sd.dFused, biasDesc, dBias, act, sd.y,
                     sd.dFused) == CUDNN_STATUS_SUCCESS;
        };
        if (st == CUDNN_STATUS_SUCCESS && !fusedCall()) {
          biasDesc = side[1 - s].bias;
          if (!fusedCall()) st = CUDNN_STATUS_NOT_SUPPORTED;
        }
        check(cudaStreamSynchronize(b.stream), "fused forward");
        if (st != CUDNN_STATUS_SUCCESS) {
          fr.refused += std::string(fr.refused.empty() ? "" : ",") + fwdName(a);
          continue;
        }
        const double ms = b.timer.median(fusedCall);
        char cell[80];
        std::snprintf(cell, sizeof cell, "%s%s=%s%s", fr.accepted.empty() ? "" : ",", fwdName(a),
                      fmtMs(ms).c_str(), biasDesc == sd.bias ? "" : "(other-format bias desc)");
        fr.accepted += cell;
        if (ms < fr.fusedMs) {
          fr.fusedMs = ms;
          fr.algo = a;
          fr.bias = biasDesc;
        }
      }
      // Check the fastest fused call against conv (winner) + bias/relu kernel.
      if (fr.algo >= 0 && sd.pass[kFwd].best >= 0) {
        const auto algo = cudnnConvolutionFwdAlgo_t(fr.algo);
        check(cudnnConvolutionBiasActivationForward(
                  b.dnn, &b.one, sd.x, sd.dX, sd.w, sd.dW, sd.conv, algo, b.workspace,
                  kWorkspaceBytes, &b.zero, sd.y, sd.dFused, fr.bias, dBias, act, sd.y, sd.dFused),
              "fused forward");
        check(cudnnConvolutionForward(b.dnn, &b.one, sd.x, sd.dX, sd.w, sd.dW, sd.conv,
                                      cudnnConvolutionFwdAlgo_t(sd.pass[kFwd].algo()), b.workspace,
                                      kWorkspaceBytes, &b.zero, sd.y, sd.dZ),
              "forward");
        launchBiasRelu(sd.dZ, sd.dY, dBias, long(yCount), l.k, hw, sd.nchw, b.stream);
        const std::vector<float> f = download(sd.dFused, yCount), u = download(sd.dY, yCount);
        fr.diff = relDiff(u, f, 1, 1, 1, int(yCount), false);
        for (const Candidate& c : sd.pass[kFwd].cands)
          if (c.algo == fr.algo) fr.det = c.deterministic ? 1 : 0;
      }
    }
    cudnnDestroyActivationDescriptor(act);

    // (d): transforms of x and y (dy stands for y: same shape), both directions, cuDNN and kernel.
    {
      float* scratch = arena.alloc(std::max(xCount, yCount));
      for (int t = 0; t < 2; ++t) {
        const int c = t == 0 ? l.c : l.k;
        const size_t count = t == 0 ? xCount : yCount;
        for (int dir = 0; dir < 2; ++dir) {  // 0: NHWC -> NCHW, 1: NCHW -> NHWC
          const Side& from = side[dir == 0 ? 0 : 1];
          const Side& to = side[dir == 0 ? 1 : 0];
          const float* src = t == 0 ? from.dX : from.dDy;
          const cudnnTensorDescriptor_t sD = t == 0 ? from.x : from.y, dD = t == 0 ? to.x : to.y;
          auto viaDnn = [&] {
            return cudnnTransformTensor(b.dnn, &b.one, sD, src, &b.zero, dD, scratch) ==
                   CUDNN_STATUS_SUCCESS;
          };
          auto viaKernel = [&] {
            if (dir == 0)
              launchTranspose(src, scratch, n, l.h * l.w, c, b.stream);
            else
              launchTranspose(src, scratch, n, c, l.h * l.w, b.stream);
            return true;
          };
          // Both must reproduce the other layout exactly.
          const std::vector<float>& want = t == 0 ? (dir == 0 ? hX : hXh) : (dir == 0 ? hDy : hDyh);
          double msDnn = kInf, msKernel = kInf;
          if (viaDnn()) {
            if (download(scratch, count) == want)
              msDnn = b.timer.median(viaDnn);
            else
              std::printf("warning: cudnnTransformTensor gave a wrong result (%s, %s)\n",
                          layerName(li).c_str(), t == 0 ? "x" : "y");
          }
          viaKernel();
          if (download(scratch, count) == want)
            msKernel = b.timer.median(viaKernel);
          else
            std::printf("warning: the transpose kernel gave a wrong result (%s, %s)\n",
                        layerName(li).c_str(), t == 0 ? "x" : "y");
          tms[li][t][dir] = std::min(msDnn, msKernel);
          tby[li][t][dir] = msDnn <= msKernel ? 'c' : 'k';
        }
      }
    }

    // Table rows for this layer.
    for (int p = 0; p < 3; ++p) {
      const PassResult& a = side[0].pass[p];
      const PassResult& c = side[1].pass[p];
      std::string pn = passName(p);
      if (li == 0 && p == kBwdData) pn += "+";
      std::printf("%-22s %-9s %9s %9s %9s  %-31s %-31s\n", p == 0 ? layerName(li).c_str() : "",
                  pn.c_str(), fmtMs(a.ms()).c_str(), fmtMs(c.ms()).c_str(),
                  fmtRatio(a.ms(), c.ms()).c_str(), algoCell(a, p).c_str(), algoCell(c, p).c_str());
      for (int s = 0; s < 2; ++s) {
        const PassResult& r = side[s].pass[p];
        Totals& T = tot[s];
        T.pass[p] += r.ms();
        T.fastest += r.ms();
        if (!(li == 0 && p == kBwdData)) T.training += r.ms();
        T.find += r.findMs();
        T.det += r.detMs();
        if (opt.all) {
          std::string line =
              "  " + layerName(li) + " " + passName(p) + " " + (s ? "NCHW" : "NHWC") + ":";
          for (const Candidate& cand : r.cands) {
            char cell[128];
            std::snprintf(cell, sizeof cell, " %s%s=%s(find %.4f, %zu KiB)", algoName(p, cand.algo),
                          cand.deterministic ? "" : "[nd]", fmtMs(cand.ms).c_str(), cand.findMs,
                          cand.memory >> 10);
            line += cell;
          }
          candidateLines.push_back(line);
        }
      }
    }
    for (int s = 0; s < 2; ++s) {
      tot[s].fused += fused[li][s].fusedMs;
      tot[s].unfused += fused[li][s].convMs + fused[li][s].kernelMs;
      tot[s].biasRelu += fused[li][s].kernelMs;
    }
    // Wrapping one NCHW convolution in an NHWC graph: forward x -> NCHW, y -> NHWC; backward
    // dy -> NCHW, dx -> NHWC (not for conv1: no input gradient in training).
    tot[1].wrap += tms[li][0][0] + tms[li][1][1] + tms[li][1][0] + (li == 0 ? 0 : tms[li][0][1]);
    std::fflush(stdout);
  }
  std::printf(
      "  + conv1's backward-data is measured but not run in training (the input needs no "
      "gradient); * = cudnnFind's first choice (what the engine runs) was another algorithm\n");

  std::printf(
      "\nchecks (max |NHWC - NCHW| / max |NCHW|, each with its winner; FP32 algorithms "
      "differ in rounding, ~1e-6..1e-4 is normal):\n");
  for (int li = 0; li < 6; ++li)
    std::printf("  %-22s fwd %-8s bwdData %-8s bwdFilter %-8s%s\n", layerName(li).c_str(),
                fmtSci(checkDiff[li][0]).c_str(), fmtSci(checkDiff[li][1]).c_str(),
                fmtSci(checkDiff[li][2]).c_str(),
                std::max({checkDiff[li][0], checkDiff[li][1], checkDiff[li][2]}) > 1e-3
                    ? "  MISMATCH"
                    : "");

  if (opt.all) {
    std::printf(
        "\nall candidates (ours = median ms; find = cudnnFind's ms; [nd] = nondeterministic; "
        "in cudnnFind's order):\n");
    for (const std::string& s : candidateLines) std::printf("%s\n", s.c_str());
  }

  std::printf("\ntotals over the 6 layers, batch %d:\n  %-40s %9s %9s %9s\n", n, "(ms)", "NHWC",
              "NCHW", "NHWC/NCHW");
  auto row = [&](const char* name, double a, double c) {
    std::printf("  %-40s %9s %9s %9s\n", name, fmtMs(a).c_str(), fmtMs(c).c_str(),
                fmtRatio(a, c).c_str());
  };
  row("fwd", tot[0].pass[0], tot[1].pass[0]);
  row("bwdData", tot[0].pass[1], tot[1].pass[1]);
  row("bwdFilter", tot[0].pass[2], tot[1].pass[2]);
  row("fwd+bwdData+bwdFilter (fastest)", tot[0].fastest, tot[1].fastest);
  row("  training (no conv1 bwdData)", tot[0].training, tot[1].training);
  row("  with cudnnFind's first choices", tot[0].find, tot[1].find);
  row("  deterministic algorithms only", tot[0].det, tot[1].det);
  row("fwd: conv + bias/relu kernel", tot[0].unfused, tot[1].unfused);
  row("fwd: fused conv+bias+relu (fastest algo)", tot[0].fused, tot[1].fused);

  std::printf(
      "\nfused conv+bias+relu forward (cudnnConvolutionBiasActivationForward, RELU, "
      "alpha2 = 0) vs conv (winner) + bias/relu kernel:\n");
  std::printf("%-22s %-6s %9s %9s %9s %9s %7s  %-28s %-8s %s\n", "layer", "layout", "conv ms",
              "kernel ms", "sum ms", "fused ms", "fus/sum", "fused algo", "check",
              "accepted algos (ms) / refused");
  for (int li = 0; li < 6; ++li)
    for (int s = 0; s < 2; ++s) {
      const FusedRow& fr = fused[li][s];
      const double sum = fr.convMs + fr.kernelMs;
      std::string algo = fr.algo < 0 ? "(none)"
                                     : std::string(fwdName(fr.algo)) + (fr.det < 0 ? " det?"
                                                                        : fr.det   ? " det"
                                                                                   : " nondet");
      std::printf("%-22s %-6s %9s %9s %9s %9s %7s  %-28s %-8s %s / refused: %s\n",
                  s == 0 ? layerName(li).c_str() : "", s ? "NCHW" : "NHWC",
                  fmtMs(fr.convMs).c_str(), fmtMs(fr.kernelMs).c_str(), fmtMs(sum).c_str(),
                  fmtMs(fr.fusedMs).c_str(), fmtRatio(fr.fusedMs, sum).c_str(), algo.c_str(),
                  fr.algo < 0 ? "-" : fmtSci(fr.diff).c_str(),
                  fr.accepted.empty() ? "(none)" : fr.accepted.c_str(),
                  fr.refused.empty() ? "(none)" : fr.refused.c_str());
    }

  std::printf(
      "\nlayout transforms, GPU ms (the faster of cudnnTransformTensor = c and a 32x32-tile "
      "transpose kernel = k):\n");
  std::printf("%-22s %-6s %-18s %8s %13s %13s\n", "layer", "tensor", "shape (NHWC)", "MB",
              "NHWC->NCHW", "NCHW->NHWC");
  for (int li = 0; li < 6; ++li) {
    const Layer& l = kLayers[li];
    for (int t = 0; t < 2; ++t) {
      const int c = t == 0 ? l.c : l.k;
      char shape[48];
      std::snprintf(shape, sizeof shape, "%dx%dx%dx%d", n, l.h, l.w, c);
      const double mb = double(n) * l.h * l.w * c * 4 / 1e6;
      std::printf("%-22s %-6s %-18s %8.2f %11s %c %11s %c\n", t == 0 ? layerName(li).c_str() : "",
                  t == 0 ? "in" : "out", shape, mb, fmtMs(tms[li][t][0]).c_str(), tby[li][t][0],
                  fmtMs(tms[li][t][1]).c_str(), tby[li][t][1]);
    }
  }
  std::printf(
      "  per-layer wrap (each conv in NCHW inside an NHWC graph: fwd x->NCHW + y->NHWC, "
      "bwd dy->NCHW + dx->NHWC, no conv1 dx): %s ms per step\n",
      fmtMs(tot[1].wrap).c_str());
  std::printf(
      "  (all-NCHW convolutions with NCHW pooling need transforms only at the boundaries: "
      "the 1-channel input is the same in both layouts, and Flatten's order can be folded "
      "into the first Dense kernel)\n");
  std::printf(
      "  NCHW training passes + per-layer wrap: %s ms (NHWC training passes %s ms: "
      "NHWC/that = %s)\n",
      fmtMs(tot[1].training + tot[1].wrap).c_str(), fmtMs(tot[0].training).c_str(),
      fmtRatio(tot[0].training, tot[1].training + tot[1].wrap).c_str());

  if (b.timer.hostBound() > 0)
    std::printf(
        "note: %ld of %ld timed calls took the host longer to queue than the %d us spin: "
        "their times may include launch gaps (raise --spin-us)\n",
        b.timer.hostBound(), b.timer.timed(), opt.spinUs);

  char sum[640];
  std::snprintf(
      sum, sizeof sum,
      "SUM batch %d, fwd+bwdData+bwdFilter over 6 layers: NHWC %s ms, NCHW %s ms (NHWC/NCHW %s); "
      "training (no conv1 bwdData) NHWC %s, NCHW %s (%s), NCHW + per-layer transposes %s; "
      "with bias+relu: NHWC conv+kernel %s / fused %s, NCHW conv+kernel %s / fused %s "
      "(NHWC unfused / NCHW fused %s)",
      n, fmtMs(tot[0].fastest).c_str(), fmtMs(tot[1].fastest).c_str(),
      fmtRatio(tot[0].fastest, tot[1].fastest).c_str(), fmtMs(tot[0].training).c_str(),
      fmtMs(tot[1].training).c_str(), fmtRatio(tot[0].training, tot[1].training).c_str(),
      fmtMs(tot[1].training + tot[1].wrap).c_str(), fmtMs(tot[0].fastest + tot[0].biasRelu).c_str(),
      fmtMs(tot[0].fastest - tot[0].pass[0] + tot[0].fused).c_str(),
      fmtMs(tot[1].fastest + tot[1].biasRelu).c_str(),
      fmtMs(tot[1].fastest - tot[1].pass[0] + tot[1].fused).c_str(),
      fmtRatio(tot[0].fastest + tot[0].biasRelu, tot[1].fastest - tot[1].pass[0] + tot[1].fused)
          .c_str());
  std::printf("\n%s\n", sum);
  gSummary.push_back(sum);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool batchGiven = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](int lo, int* out) {
      if (i + 1 >= argc || !parseInt(argv[i + 1], lo, out)) {
        std::fprintf(stderr, "tessel-conv-bench: %s needs an integer >= %d\n", a.c_str(), lo);
        usage(stderr);
        std::exit(2);
      }
      ++i;
    };
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (a == "--batch") {
      int v = 0;
      value(1, &v);
      if (!batchGiven) opt.batches.clear();
      batchGiven = true;
      opt.batches.push_back(v);
    } else if (a == "--reps") {
      value(1, &opt.reps);
    } else if (a == "--warmup") {
      value(0, &opt.warmup);
    } else if (a == "--spin-us") {
      value(0, &opt.spinUs);
    } else if (a == "--all") {
      opt.all = true;
    } else {
      std::fprintf(stderr, "tessel-conv-bench: unknown argument '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }

  int devices = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess || devices == 0) {
    std::printf("tessel-conv-bench: no CUDA device (%s): nothing to measure\n",
                e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount returned 0");
    return 0;
  }
  check(cudaSetDevice(0), "select cuda:0");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "device properties");
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  const size_t dnnVersion = cudnnGetVersion();
  std::printf(
      "tessel-conv-bench: %s (%d SMs, cc %d.%d), CUDA runtime %d.%d, driver %d.%d, "
      "cuDNN %zu.%zu.%zu (built with %d.%d.%d)\n",
      prop.name, prop.multiProcessorCount, prop.major, prop.minor, runtime / 1000,
      (runtime % 1000) / 10, driver / 1000, (driver % 1000) / 10, dnnVersion / 10000,
      (dnnVersion % 10000) / 100, dnnVersion % 100, CUDNN_MAJOR, CUDNN_MINOR, CUDNN_PATCHLEVEL);
  std::printf(
      "seed CNN convolutions: 3x3, pad 1, stride 1, FP32 with CUDNN_FMA_MATH (TF32 off), "
      "workspace 256 MiB, fastest of cudnnFind*Ex's candidates as timed here\n");
  std::fflush(stdout);

  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "create a stream");
  cudnnHandle_t dnn = nullptr;
  check(cudnnCreate(&dnn), "create a handle");
  check(cudnnSetStream(dnn, stream), "set the stream");
  void* workspace = nullptr;
  check(cudaMalloc(&workspace, kWorkspaceBytes), "allocate the workspace");
  {
    Bench bench(dnn, stream, workspace, opt);
    for (int n : opt.batches) runBatch(bench, n);
  }
  std::printf("\nsummary:\n");
  for (const std::string& s : gSummary) std::printf("%s\n", s.c_str());
  cudaFree(workspace);
  cudnnDestroy(dnn);
  cudaStreamDestroy(stream);
  return 0;
}
