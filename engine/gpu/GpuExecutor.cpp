// The CUDA execution plan (GpuExecutor.h): cuBLAS SGEMM for Dense, GpuKernels.cu for the rest,
// the whole step captured once as a CUDA graph. Compiled only in a CUDA build (TESSEL_CUDA).
#include "engine/gpu/GpuExecutor.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#if TESSEL_HAVE_CUDNN
#include <cudnn.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "engine/core/Error.h"
#include "engine/gpu/CudaCheck.h"
#include "engine/gpu/GpuKernels.h"
#include "engine/gpu/GpuLayerKernels.h"
#include "engine/gpu/GpuLoss.h"
#include "engine/gpu/GpuUpdate.h"
#include "engine/layers/Activations.h"
#include "engine/layers/AttentionCore.h"
#include "engine/layers/Bidirectional.h"
#include "engine/layers/ConvUtils.h"
#include "engine/layers/Dot.h"
#include "engine/layers/DropoutBase.h"
#include "engine/layers/Layer.h"
#include "engine/layers/Normalization.h"
#include "engine/layers/RandomImageLayer.h"
#include "engine/layers/RecurrentLayer.h"
#include "engine/layers/Regularizers.h"
#include "engine/layers/TimeDistributed.h"
#include "engine/losses/Loss.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/Model.h"

namespace tessel::gpu {

namespace {

using gpu::check;  // CudaCheck.h (cudaError_t)

void check(cublasStatus_t s, const std::string& what) {
  if (s != CUBLAS_STATUS_SUCCESS) throw Error("cuBLAS: " + what + ": " + cublasGetStatusString(s));
}

#if TESSEL_HAVE_CUDNN
void check(cudnnStatus_t s, const std::string& what) {
  if (s != CUDNN_STATUS_SUCCESS) throw Error("cuDNN: " + what + ": " + cudnnGetErrorString(s));
}
#endif

std::string notOnGpu(const std::string& what) {
  return what + " is not on the GPU yet; use --device cpu";
}

// Floats, rounded up so that every region starts on a 256-byte boundary.
long roundUp(long floats) {
  return (floats + 63) / 64 * 64;
}

// Element `offset` of a 16-bit array (mixed precision's weight copy).
const void* half(const void* p, long offset) {
  return static_cast<const std::uint16_t*>(p) + offset;
}

int gpuActivation(ActivationFn fn, const std::string& layer) {
  switch (fn) {
    case ActivationFn::Linear:
      return kActLinear;
    case ActivationFn::Relu:
      return kActRelu;
    case ActivationFn::Selu:
      return kActSelu;
    case ActivationFn::Elu:
      return kActElu;
    case ActivationFn::Sigmoid:
      return kActSigmoid;
    case ActivationFn::Tanh:
      return kActTanh;
    case ActivationFn::Softmax:
      return kActSoftmax;
    case ActivationFn::Relu6:
      return kActRelu6;
    case ActivationFn::HardSigmoid:
      return kActHardSigmoid;
    case ActivationFn::Softplus:
      return kActSoftplus;
    case ActivationFn::Softsign:
      return kActSoftsign;
    case ActivationFn::Swish:
      return kActSwish;
    case ActivationFn::Gelu:
      return kActGelu;
    case ActivationFn::Exponential:
      return kActExponential;
    default:
      throw Error(notOnGpu(layer + ": activation '" + std::string(activationName(fn)) + "'"));
  }
}

bool isNullOrFalse(const json& c, const char* key) {
  return !c.contains(key) || c.at(key).is_null() ||
         (c.at(key).is_boolean() && !c.at(key).get<bool>());
}

class CudaExecutor : public Executor {
 public:
  CudaExecutor(int device, Model& model, const std::vector<const Loss*>& losses,
               const std::vector<double>& lossWeights, const Optimizer* optimizer,
               const std::vector<Variable*>& trainable, Index maxBatch, Numerics numerics);
  // The plan alone (no device touched): convPlans().
  struct PlanOnly {};
  CudaExecutor(PlanOnly, Model& model) : model_(model), inference_(true) {
    plan(model, {}, nullptr, {});
  }
  CudaExecutor(PlanOnly, Model& model, const std::vector<const Loss*>& losses,
               const Optimizer& optimizer)
      : model_(model) {
    plan(model, losses, &optimizer, model.trainableWeights());
  }
  std::vector<ConvPlan> convPlans() const;
  ~CudaExecutor() override;

  void upload(Optimizer& optimizer) override;
  void uploadWeights() override;
  void download(Optimizer& optimizer) override;
  void downloadGradients() override;
  void run(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const float* scale, Index n,
           bool train, const Optimizer& optimizer, RunContext& ctx) override;
  const Tensor& output(size_t k) const override { return outs_.at(k).out; }
  const DeviceInfo& device() const override { return info_; }
  double regularization() const override { return penalty_; }
  bool stepApplied() const override { return !skipped_; }
  double lossScale() const override { return lossScaling_ ? lossScale_ : 1.0; }
  double timeReplays(Index n, bool train, int iterations) override;
  int nodesPerStep(Index n, bool train) const override;
  std::string profile(Index n, bool train, int iterations) override;

 private:
  enum class Kind {
    Dense,
    Act,
    Mask,
    Alias,
    Conv,
    Pool,
    BatchNorm,
    Merge,
    Concat,
    Rnn,
    Embedding,
    Pad,
    Upsample,
    Affine,
    LayerNorm,
    Relu,
    Attention,
    Repeat,
    Permute,
    Masking,
    Normalize,
    Dot
  };
  // A tensor of the step: the model input (value 0) or an op's output. Each reader of a value
  // that several ops read writes its share of the gradient into a buffer of its own (shares);
  // the shares are summed into gy before the producer's backward pass.
  struct Value {
    Index features = 0;  // per sample
    int readers = 0;
    float* y = nullptr;
    float* gy = nullptr;         // null: no gradient needed (the model input)
    std::vector<float*> shares;  // per reader; shares[0] == gy for one reader
  };
#if TESSEL_HAVE_CUDNN
  // cuDNN descriptors and algorithms of one convolution for one batch size, chosen (timed,
  // FMA math only, deterministic when asked) before the graph that uses them is captured.
  struct ConvAlgos {
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
    cudnnConvolutionFwdAlgo_t fwd{};
    cudnnConvolutionBwdFilterAlgo_t bwdFilter{};
    cudnnConvolutionBwdDataAlgo_t bwdData{};
  };
#endif
  struct Op {
    Kind kind = Kind::Alias;
    Layer* layer = nullptr;
    int act = kActLinear;
    Index in = 0, out = 0;     // features per sample
    Index spatial = 1;         // Dense: rows per sample (Dense on (n, ..., C), SeparableConv2D's
                               // pointwise part on (n, h, w, C)): the matrices are per row
    int wVar = 0, bVar = -1;   // Dense / Conv: indices of the kernel and bias in variables()
    bool alpha = false;        // AlphaDropout: y = x * mul + add
    long w = -1, b = -1;       // Dense kernel and bias: offsets in params_ / grads_
    long mul = -1, add = -1;   // mask regions in the staging block
    float* z = nullptr;        // Dense pre-activation (== y for a linear activation)
    void* x16 = nullptr;       // mixed precision, Dense: the input in 16 bits (n, in)
    void* g16 = nullptr;       // mixed precision, Dense: dLoss/dZ in 16 bits (n, out)
    float* y = nullptr;        // output (n, out)
    float* gy = nullptr;       // dLoss/dy, (n, out); null when nothing upstream needs it
    Tensor hostX, hostY;       // Dropout: the host call that draws the mask
    Shape sampleShape;         // Mask: the layer's input per sample
    int probe = -1;            // Mask: GaussianNoise 0, SpatialDropout2D 1 (else a DropoutBase)
    const float* x = nullptr;  // input (n, in): the previous op's y or the model input
    float* gx = nullptr;       // dLoss/dx, null when nothing upstream needs it
    // Conv2D (NHWC in, HWIO kernel at w) and pooling: the geometry, n set per step.
    PoolGeom geom{};  // input (n, h, w, c), window, strides, padding, output (oh, ow)
    int filters = 0, dh = 1, dw = 1;
    // Convolutions: cuDNN's conv C maps A (ah, aw, ca) to B (bh, bw, cb). Conv1D / Conv2D /
    // DepthwiseConv2D (groups = channels): A is the input, B the output. Conv2DTranspose (the
    // adjoint of C): A is the output, B the input. Asymmetric TF padding: A is padded explicitly
    // into apad (aph, apw) at (padTop, padLeft) and cuDNN pads nothing.
    bool transposed = false, explicitPad = false;
    int groups = 1, ah = 0, aw = 0, ca = 0, bh = 0, bw = 0, cb = 0, padTop = 0, padLeft = 0,
        aph = 0, apw = 0, dnnPadT = 0, dnnPadL = 0;
    float* apad = nullptr;     // padded A (forward input, or the transposed forward's output)
    float* gapad = nullptr;    // padded A's gradient
    float* filter = nullptr;   // Conv2D: the kernel transposed to cuDNN's KRSC (filters, kh, kw, c)
    float* dfilter = nullptr;  // Conv2D: the kernel gradient in KRSC
    // Mixed precision: cuDNN's A and B (values, then gradients), the kernel and its gradient in
    // 16 bits; cuDNN multiplies them with FP32 accumulation; casts to and from FP32 around.
    void *a16 = nullptr, *b16 = nullptr, *f16 = nullptr, *df16 = nullptr;
    bool isMax = false;   // pooling: max (else average)
    bool hasMax = false;  // ReLU layer: max_value set
    float maxValue = 0, slope = 0, threshold = 0;
    bool crop = false;  // Pad: Cropping2D (geom's input is the larger map), else ZeroPadding2D
    float scale = 1, offset = 0;  // Rescaling
    int* argmax = nullptr;        // max pooling: (n, oh, ow, c) flat indices within the sample
    // BatchNormalization over the last axis (channels = geom.c, rows = n * in / channels).
    long gamma = -1, beta = -1, movingMean = -1, movingVar = -1;
    bool batchStats = true;  // false: a non-trainable layer, always inference mode
    float decay = 0.01f;
    double epsilon = 1e-3;
    float* stats = nullptr;  // 7 * channels (GpuKernels.h)
    // The graph: input values, which reader of each this op is, the output value.
    std::vector<int> ins, edges;
    int outV = -1;
    // Merge (Add, ...) and Concatenate: the inputs and their gradients, bound by allocate().
    int merge = kMergeAdd;
    TensorList list{};
    Index concatRows = 1;  // Concatenate: rows per sample (the dimensions before the axis)
    // SimpleRNN, LSTM, GRU: cell (GpuCell), recurrent activation, steps T, units, gates G, input
    // features; kernel at w, recurrent kernel at r, bias at b (GRU reset_after: (2, 3u), the
    // recurrent half at b + 3u). Buffers per sample (T, width): P = x W + b (+ h R) and A its
    // activations (G u), H the state before each step (u; step 0's is zeros), hLast the final
    // one, C and act(C) (LSTM), inner (GRU: b_rec + h R, 3u, or r * h, u), and their gradients.
    int cell = 0, recAct = kActLinear;
    Index steps = 0, units = 0, gates = 1, inF = 0;
    bool returnSeq = false;
    // go_backwards: step t reads time T-1-t; every per-step buffer is kept by time (so that the
    // products over all steps pair them with x). alignTime (Bidirectional's backward layer): its
    // return_sequences output in time order, as Bidirectional reverses it back.
    bool goBackwards = false, alignTime = false;
    int rVar = 1;       // the recurrent kernel in variables() (Bidirectional: 1 or 4, 3)
    int maskFrom = -1;  // the Embedding op (mask_zero) whose (n, T) mask the steps follow
    // Input dropout: the layer that draws the (n, inF) mask (Bidirectional: the inner one) into
    // the staging block at mul; the dropped-out input xd (n, T, inF).
    bool rnnDropout = false;
    // Bidirectional's inner layers with return_sequences (Bidirectional sets their
    // zero_output_for_mask): with a mask, a masked step's output is 0 and its gradient dropped.
    bool zeroMaskedSteps = false;
    // initial_state (inputs 1 and 2: h0, LSTM c0) and return_state (the values of outputs 1
    // and 2: the final h, at hLast, and LSTM's final c, copied to cLast).
    bool hasInitial = false, returnState = false, outputUnread = false;
    int stateV[2] = {-1, -1};
    float* cLast = nullptr;
    RecurrentLayer* cellLayer = nullptr;
    float* xd = nullptr;
    long r = -1;
    float *P = nullptr, *A = nullptr, *H = nullptr, *hLast = nullptr, *C = nullptr, *Cact = nullptr,
          *inner = nullptr, *dP = nullptr, *dInner = nullptr;
    float* dhs[2] = {nullptr, nullptr};
    float* dcs[2] = {nullptr, nullptr};
    // Embedding: vocabulary and row size; the sorted positions of each batch (host-built ints
    // in the staging block: distinct-id count, ids, segment starts, positions).
    Index vocab = 0, dim = 0;
    int input = 0;  // Embedding: the model input it reads (-1 - k: IntegerLookup k's host output)
    long maskOff = -1;  // Embedding with mask_zero: its (n, ids) mask in the staging block
    long segCount = -1, segTokens = -1, segStart = -1, segSorted = -1;
    // Attention (dot scores): query (tq, qd), value (tv, vd), key (tv, qd) per sample; inputs
    // and their gradients in list (0 query, 1 value, 2 key); the raw scores Q K^T, the weights
    // P and the scores' gradient, (n, tq, tv) each; the use_scale variable at w; the query's and
    // value's masks from the Embedding ops qMaskFrom / vMaskFrom (-1: none).
    // MultiHeadAttention's core (mha): heads (the projections (n, t, heads * qd / vd) side by
    // side), a constant scale 1 / sqrt(key_dim), the query mask in the softmax (not on the
    // output) and the key's mask ANDed with the value's.
    Index tq = 0, tv = 0, qd = 0, vd = 0;
    bool useScale = false, causal = false, ownKey = false, mha = false;
    int heads = 1;
    float constScale = 1.0f;
    int qMaskFrom = -1, vMaskFrom = -1, kMaskFrom = -1;
    // Scores of score_mode "concat" / AdditiveAttention (GpuLayerKernels.h ConcatScores): the
    // variables (indices, then offsets) of the scale a, concat_score_weight c and additive
    // scale vector w (-1: none); the variables' per-sample partials.
    bool concatScores = false;
    int aVar = -1, cVar = -1, wScaleVar = -1;
    long aOff = -1, cOff = -1, wScaleOff = -1;
    float* partials = nullptr;
    float *scores = nullptr, *probs = nullptr, *dscores = nullptr;
    // An activity regularizer on y: l1, l2 and the penalty's slot in regDev_ (-1: none). Keras 2
    // divides the penalty by the batch size (engine/layers/Dense.cpp).
    double actL1 = 0, actL2 = 0;
    int actSlot = -1;
    // Dot: per sample y (P, Q) = X (P, K) Z (Q, K)^T, X from input 0 (stored (K, P) when
    // dotT0: the dot axis before the others), Z from input 1 likewise (dotT1).
    Index dotP = 0, dotQ = 0, dotK = 0;
    bool dotT0 = false, dotT1 = false;
    // Normalization: its per-value mean and denominator (host copies, refreshed with the
    // weights, staged with every batch at mul: mean, then denominator), inverted or not.
    std::vector<float> normMean, normDenom;
    bool invert = false;
    // Masking: the mask value and the (n, rows per sample) mask it computes (the mask of its
    // output, read by the layers after it as an Embedding's).
    float maskValue = 0;
    float* keep = nullptr;
    // RepeatVector: copies; Permute: the per-sample axes and their order.
    int times = 1;
    PermuteGeom perm{};
#if TESSEL_HAVE_CUDNN
    cudnnFilterDescriptor_t wDesc = nullptr;
    cudnnConvolutionDescriptor_t convDesc = nullptr;
    std::map<Index, ConvAlgos> algos;
#endif
  };
  struct Graph {
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
  };

  void plan(Model& model, const std::vector<const Loss*>& losses, const Optimizer* optimizer,
            const std::vector<Variable*>& trainable);
  void planSpatial(Op& op, const std::string& cls, const std::string& what, const json& c,
                   const NodeShapes* ns, Index features);
  void planBatchNorm(Op& op, const std::string& what, const json& c, const NodeShapes* ns,
                     Index features);
  void planMerge(Op& op, const std::string& cls, const std::string& what, const json& c,
                 const NodeShapes* ns, const std::vector<int>& ins);
  void planRecurrent(Op& op, const std::string& cls, const std::string& what, const json& c,
                     const NodeShapes* ns, Index features);
  void checkAttentionInputs(const std::string& what, const json& c, const NodeShapes* ns,
                            const std::vector<int>& ins, bool training) const;
  void planAttention(Op& op, const std::string& cls, const std::string& what, const json& c,
                     const NodeShapes* ns, const std::vector<int>& ins, bool training);
  // The projections and the attention core as ops of their own; op becomes the output
  // projection, ins its input.
  void planMultiHeadAttention(Op& op, const std::string& what, const json& c, const NodeShapes* ns,
                              std::vector<int>& ins, bool training);
  // The masks of the node whose ops start at firstOp (valueMask_).
  void planMasks(size_t firstOp, const std::vector<int>& nodeIns, const std::string& what);
  // Per value: the Embedding op (mask_zero) whose (n, steps) mask it carries, or -1.
  std::vector<int> valueMask_;
  // count products C_i = op(A_i) op(B_i) + beta C_i (row-major, as gemm) with the matrices of
  // product i at a + i * sa, b + i * sb, c + i * sc.
  void gemmBatched(bool ta, bool tb, long m, long k, long r, const float* a, long lda, long sa,
                   const float* b, long ldb, long sb, float beta, float* c, long ldc, long sc,
                   int count, const char* what);
  void enqueueAttention(Op& op, int rows, bool forward);
  // Normalization layers' statistics from their current weights (upload, uploadWeights).
  void refreshNormalizations();
  // The (n, steps) mask that op e makes (an Embedding's in the staging block, a Masking op's
  // own buffer); null for e < 0.
  const float* maskPointer(int e) const {
    if (e < 0) return nullptr;
    const Op& m = ops_[size_t(e)];
    return m.kind == Kind::Masking ? m.keep : devStage_ + m.maskOff;
  }
  // Row-major C (m, k) = op(A) (m, r) op(B) (r, k) + beta C, rows strided by lda / ldb / ldc.
  void gemm(bool ta, bool tb, long m, long k, long r, const float* a, long lda, const float* b,
            long ldb, float beta, float* c, long ldc, const char* what);
  void enqueueRecurrent(Op& op, int rows, bool forward);
  void stageEmbedding(const Op& op, const float* ids, Index n, bool train);
  void allocate(Index batch);
  void freeBuffers();
  float* alloc(long floats, const char* what);
  void enqueueStep(Index n, bool train);
  void prepareConvolutions(Index n);  // cuDNN algorithms for batch n (before capture)
  Graph& graphFor(Index n, bool train);
  void dropGraphs();

  DeviceInfo info_;
  Model& model_;
  std::vector<Op> ops_;  // in topological order
  std::vector<Value> values_;
  // The model's outputs (Keras's output order), each with its loss gradient (null for inference),
  // its labels and per-sample loss scales in the staging block, and its pinned host copy.
  struct Output {
    int value = 0;
    Index dim = 0, labelDim = 0;
    Shape sample;                    // the output's shape per sample
    std::unique_ptr<LossPlan> loss;  // GpuLoss.h
    long yOff = 0, scaleOff = 0;
    float* host = nullptr;        // within hostOut_
    void* lossScratch = nullptr;  // the loss gradient's device scratch (CTC), else null
    Tensor out;
  };
  std::vector<Output> outs_;
  // TextVectorization / StringLookup: pass-throughs of model input `second`, whose ids the layer
  // itself checks on the host each step (its CPU forward pass).
  std::vector<std::pair<Layer*, int>> hostChecks_;
  // Keras's image augmentation layers (RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
  // RandomContrast, RandomBrightness) reading model input `second` (directly or after another
  // of them): applied on the host by the layer itself in training steps, in graph order, before
  // the batch is copied up (the data pipeline's place; the same random draws as the CPU engine);
  // the identity in inference.
  struct HostAugment {
    Layer* layer = nullptr;
    int input = 0;
    size_t at = 0;  // its place among the host's random draws: before op `at`'s
  };
  std::vector<HostAugment> hostAugment_;
  // IntegerLookup reading model input `input`: its forward pass on the host every step (train
  // and inference), staged at `off` as value `value` (ids, one-hot, multi-hot or counts, as the
  // layer's output_mode makes them); an Embedding after it reads its ids from `out`.
  struct HostLookup {
    Layer* layer = nullptr;
    int input = 0, value = 0;
    long off = 0;
    Tensor out;
  };
  std::vector<HostLookup> hostLookups_;
  std::vector<Tensor> augment_;  // their scratch per input: the batch, then each layer's output
  Tensor hostCheckRows_, hostCheckOut_;         // their scratch (no allocation per step)
  std::vector<int> embedCounts_, embedTokens_;  // stageEmbedding's scratch (counts kept zero)
  bool training() const {
    return !outs_.empty() && outs_[0].loss != nullptr;
  }
  // Weight regularizers (kernel_regularizer, ...): each variable's penalty l1 sum|w| + l2 sum w^2
  // into regDev_ (copied back with the output), and its gradient in a training step.
  struct Reg {
    long offset = 0, count = 0;
    bool trainable = false;
    double l1 = 0, l2 = 0;
  };
  std::vector<Reg> regs_;
  double* regDev_ = nullptr;
  double* regHost_ = nullptr;     // pinned
  size_t penaltySlots_ = 0;       // regs_, then one per activity regularizer
  double* regScratch_ = nullptr;  // launchRegularize's partial sums
  double penalty_ = 0;
  void planRegularizers(const std::map<const Variable*, long>& offset);
  std::vector<Index> inDims_;           // features per sample of each model input (values 0..)
  std::vector<long> xOffs_;             // each input's place in the staging block
  std::unique_ptr<UpdatePlan> update_;  // the optimizer (GpuUpdate.h); null for inference
  // Parameters: trainable variables first (in the optimizer's order), then frozen ones.
  std::vector<std::pair<Variable*, long>> vars_;  // variable, offset in params_
  size_t ntrain_ = 0;                             // the first ntrain_ of vars_ are trainable
  long paramFloats_ = 0, trainFloats_ = 0;
  int slotKinds_ = 0;  // the optimizer's slot arrays (UpdatePlan::slotKinds)
  float *params_ = nullptr, *grads_ = nullptr;
  std::vector<float*> slots_;
  // Staging: x, labels, scale, masks, hyper-parameters, copied up in one transfer per step.
  long hyperOff_ = 0, stageFloats_ = 0;
  float* hostStage_ = nullptr;  // pinned
  float* devStage_ = nullptr;
  float* hostOut_ = nullptr;  // pinned: each output's (batch, dim) in turn
  std::vector<float*> buffers_;
  void* workspace_ = nullptr;
  Index batch_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  double* reduceScratch_ = nullptr;  // column-sum partials (conv bias, BatchNormalization)
#if TESSEL_HAVE_CUDNN
  cudnnHandle_t dnn_ = nullptr;
  void* dnnWorkspace_ = nullptr;
  size_t dnnWorkspaceBytes_ = 0;
#endif
  bool hasConv_ = false;
  bool inference_ = false;        // evaluate / predict: no loss, optimizer or training graph
  bool anyConvAlgorithm_ = true;  // false: deterministic cuDNN algorithms only
  bool tf32_ = false;             // TF32 tensor-op math in cuBLAS and cuDNN
#if TESSEL_HAVE_CUDNN
  cudnnDataType_t dnnType() const {  // cuDNN's tensors and kernels: FP32 or the 16-bit type
    return precision_ == Precision::MixedFloat16    ? CUDNN_DATA_HALF
           : precision_ == Precision::MixedBFloat16 ? CUDNN_DATA_BFLOAT16
                                                    : CUDNN_DATA_FLOAT;
  }
#endif
  // Mixed precision (Numerics::precision): the 16-bit copy of every weight (cast at the start of
  // each step), Dense products through gemm16; mixed_float16's dynamic loss scale (host side:
  // the per-sample loss scales are multiplied by it, the unscale kernel divides the gradients).
  Precision precision_ = Precision::Float32;
  bool mixed_ = false, lossScaling_ = false, skipped_ = false;
  void* params16_ = nullptr;
  double lossScale_ = kInitialLossScale;
  int goodSteps_ = 0;
  float* hostSkip_ = nullptr;  // pinned: the step's kHyperSkip
  // Row-major C (m, k) = op(A) (m, r) op(B) (r, k) + beta C with 16-bit A and B (precision_),
  // FP32 C and FP32 accumulation; leading dimensions in elements.
  void gemm16(bool ta, bool tb, long m, long k, long r, const void* a, long lda, const void* b,
              long ldb, float beta, float* c, long ldc, const char* what);
  // Profiling: events after each op (profile()).
  void mark(size_t op, const char* what);
  bool profiling_ = false;
  bool stepTrain_ = false;  // the step being enqueued is a training step (input dropout)
  size_t marks_ = 0;
  std::vector<cudaEvent_t> events_;
  std::vector<std::string> labels_;
  std::map<std::pair<Index, bool>, Graph> graphs_;
};

CudaExecutor::CudaExecutor(int device, Model& model, const std::vector<const Loss*>& losses,
                           const std::vector<double>&, const Optimizer* optimizer,
                           const std::vector<Variable*>& trainable, Index maxBatch,
                           Numerics numerics)
    : model_(model), inference_(optimizer == nullptr) {
  if (const char* t = std::getenv("TESSEL_GPU_TF32"); t && (*t == '0' || *t == '1'))
    numerics.tf32 = *t == '1';
  tf32_ = numerics.tf32;
  precision_ = numerics.precision;
  mixed_ = precision_ != Precision::Float32;
  lossScaling_ = precision_ == Precision::MixedFloat16 && optimizer != nullptr;
  batch_ = std::max<Index>(maxBatch, 1);      // for the out-of-memory message
  plan(model, losses, optimizer, trainable);  // first: "X is not on the GPU yet" needs no GPU
  info_ = deviceInfo(device);
  check(cudaSetDevice(device), "select cuda:" + std::to_string(device));
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "create a stream");
  check(cublasCreate(&blas_), "create a handle");
  check(cublasSetStream(blas_, stream_), "set the stream");
  // Keras numerics: FP32, no TF32 tensor-op math unless asked for.
  check(cublasSetMathMode(blas_, tf32_ ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
        "set the math mode");
  // A workspace of our own, so that cuBLAS allocates nothing while a graph is captured.
  const size_t wsBytes = 32u << 20;
  workspace_ = alloc(long(wsBytes / 4), "the cuBLAS workspace");
  check(cublasSetWorkspace(blas_, workspace_, wsBytes), "set the workspace");
#if TESSEL_HAVE_CUDNN
  if (hasConv_) {
    check(cudnnCreate(&dnn_), "create a handle");
    check(cudnnSetStream(dnn_, stream_), "set the stream");
    // One workspace for every convolution (they run one after the other on one stream), allocated
    // once so that nothing is allocated while a graph is captured; algorithms needing more are
    // not chosen.
    dnnWorkspaceBytes_ = size_t(256) << 20;
    // Keras's default: any algorithm; deterministic ones only with enable_op_determinism.
    anyConvAlgorithm_ = !numerics.deterministic;
    if (const char* d = std::getenv("TESSEL_GPU_DETERMINISTIC"); d && (*d == '0' || *d == '1'))
      anyConvAlgorithm_ = *d == '0';
    dnnWorkspace_ = alloc(long(dnnWorkspaceBytes_ / 4), "the cuDNN workspace");
    for (Op& op : ops_) {
      if (op.kind != Kind::Conv) continue;
      const PoolGeom& g = op.geom;
      check(cudnnCreateFilterDescriptor(&op.wDesc), "filter descriptor");
      check(cudnnSetFilter4dDescriptor(op.wDesc, dnnType(), CUDNN_TENSOR_NHWC, op.cb,
                                       op.ca / op.groups, g.kh, g.kw),
            "filter descriptor");
      check(cudnnCreateConvolutionDescriptor(&op.convDesc), "convolution descriptor");
      check(cudnnSetConvolution2dDescriptor(op.convDesc, op.dnnPadT, op.dnnPadL, g.sh, g.sw, op.dh,
                                            op.dw, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
            "convolution descriptor");
      if (op.groups > 1)
        check(cudnnSetConvolutionGroupCount(op.convDesc, op.groups), "convolution groups");
      // Keras numerics: FP32 FMA kernels only (CUDNN_DEFAULT_MATH allows TF32 on Ampere and
      // later: the tf32 opt-in).
      // Mixed precision: 16-bit operands on tensor cores, FP32 accumulation (the convolution
      // descriptor's compute type stays FLOAT: cuDNN's PSEUDO_HALF / BFLOAT16 configurations).
      check(cudnnSetConvolutionMathType(op.convDesc, mixed_  ? CUDNN_TENSOR_OP_MATH
                                                     : tf32_ ? CUDNN_DEFAULT_MATH
                                                             : CUDNN_FMA_MATH),
            "set the math type");
    }
  }
#endif
  paramFloats_ = 0;
  for (size_t j = 0; j < vars_.size(); ++j) {
    vars_[j].second = paramFloats_;
    paramFloats_ += roundUp(vars_[j].first->value.size());
    if (j < ntrain_) trainFloats_ = paramFloats_;
  }
  params_ = alloc(paramFloats_, "the weights");
  if (mixed_) params16_ = alloc((paramFloats_ + 1) / 2, "the 16-bit weights");
  if (lossScaling_)
    check(cudaMallocHost(reinterpret_cast<void**>(&hostSkip_), 4), "allocate pinned host memory");
  grads_ = alloc(paramFloats_, "the gradients");
  check(cudaMemset(grads_, 0, size_t(paramFloats_) * 4), "clear the gradients");
  for (int k = 0; k < slotKinds_; ++k) slots_.push_back(alloc(trainFloats_, "the optimizer slots"));
  if (update_) {
    std::vector<UpdateSegment> segments;
    for (size_t j = 0; j < ntrain_; ++j)
      segments.push_back({vars_[j].second, long(vars_[j].first->value.size())});
    update_->prepare(segments, trainFloats_);
  }
  // Offsets of each Dense's variables.
  std::map<const Variable*, long> offset;
  for (auto& [v, off] : vars_) offset[v] = off;
  for (Op& op : ops_) {
    auto& vs = op.layer->variables();
    if (op.kind == Kind::Dense || op.kind == Kind::Conv || op.kind == Kind::Rnn ||
        op.kind == Kind::Embedding) {
      if (size_t(op.wVar) >= vs.size() || (op.bVar >= 0 && size_t(op.bVar) >= vs.size()) ||
          (op.kind == Kind::Rnn && size_t(op.rVar) >= vs.size()))
        throw Error("GPU plan: " + op.layer->name() + " has fewer variables than expected");
      op.w = offset.at(&vs[size_t(op.wVar)]);
      if (op.bVar >= 0) op.b = offset.at(&vs[size_t(op.bVar)]);
      if (op.kind == Kind::Rnn) op.r = offset.at(&vs[size_t(op.rVar)]);
    } else if (op.kind == Kind::Attention && op.useScale) {
      op.w = offset.at(&vs.at(0));  // the scale, Attention's only variable with dot scores
    } else if (op.kind == Kind::Attention && op.concatScores) {
      if (op.aVar >= 0) op.aOff = offset.at(&vs.at(size_t(op.aVar)));
      if (op.cVar >= 0) op.cOff = offset.at(&vs.at(size_t(op.cVar)));
      if (op.wScaleVar >= 0) op.wScaleOff = offset.at(&vs.at(size_t(op.wScaleVar)));
    } else if (op.kind == Kind::LayerNorm) {
      const json& c = op.layer->config();
      size_t j = 0;
      if (c.at("scale").get<bool>()) op.gamma = offset.at(&vs[j++]);
      if (c.at("center").get<bool>()) op.beta = offset.at(&vs[j++]);
    } else if (op.kind == Kind::BatchNorm) {
      // Keras order: gamma (scale), beta (center), moving_mean, moving_variance.
      const json& c = op.layer->config();
      size_t j = 0;
      if (c.at("scale").get<bool>()) op.gamma = offset.at(&vs[j++]);
      if (c.at("center").get<bool>()) op.beta = offset.at(&vs[j++]);
      op.movingMean = offset.at(&vs[j++]);
      op.movingVar = offset.at(&vs[j++]);
    }
  }
  planRegularizers(offset);
  allocate(std::max<Index>(maxBatch, 1));
}

// The config key of each variable's regularizer, by the variable's Keras name.
void CudaExecutor::planRegularizers(const std::map<const Variable*, long>& offset) {
  static const std::map<std::string, std::string> kKeys{
      {"kernel", "kernel_regularizer"},
      {"bias", "bias_regularizer"},
      {"recurrent_kernel", "recurrent_regularizer"},
      {"depthwise_kernel", "depthwise_regularizer"},
      {"pointwise_kernel", "pointwise_regularizer"},
      {"embeddings", "embeddings_regularizer"},
      {"gamma", "gamma_regularizer"},
      {"beta", "beta_regularizer"}};
  std::vector<const Layer*> seen;
  for (const Op& op : ops_) {
    if (!op.layer || std::find(seen.begin(), seen.end(), op.layer) != seen.end()) continue;
    seen.push_back(op.layer);
    const json& c = op.layer->config();
    for (const Variable& v : op.layer->variables()) {
      auto key = kKeys.find(v.name);
      if (key == kKeys.end() || isNullOrFalse(c, key->second.c_str())) continue;
      const Regularizer r = Regularizer::fromJson(c.at(key->second));
      if (!r.active || !offset.count(&v)) continue;
      Reg g;
      g.offset = offset.at(&v);
      g.count = long(v.value.size());
      g.trainable = g.offset < trainFloats_;
      g.l1 = r.l1;
      g.l2 = r.l2;
      regs_.push_back(g);
    }
  }
  // The activity regularizers' penalties follow the weights' in regDev_.
  penaltySlots_ = regs_.size();
  for (Op& op : ops_)
    if (op.actSlot >= 0) op.actSlot = int(penaltySlots_++);
  if (penaltySlots_ == 0) return;
  check(cudaMalloc(reinterpret_cast<void**>(&regDev_), penaltySlots_ * 8),
        "allocate the penalties");
  check(cudaMalloc(reinterpret_cast<void**>(&regScratch_), 2 * kRegularizeBlocks * 8),
        "allocate the penalties");
  check(cudaMallocHost(reinterpret_cast<void**>(&regHost_), penaltySlots_ * 8),
        "allocate pinned host memory");
}

CudaExecutor::~CudaExecutor() {
  if (stream_) cudaStreamSynchronize(stream_);
  dropGraphs();
  freeBuffers();
  for (float* p : {params_, grads_})
    if (p) cudaFree(p);
  if (params16_) cudaFree(params16_);
  if (hostSkip_) cudaFreeHost(hostSkip_);
  for (float* p : slots_) cudaFree(p);
  update_.reset();
  if (workspace_) cudaFree(workspace_);
  if (regDev_) cudaFree(regDev_);
  if (regScratch_) cudaFree(regScratch_);
  if (regHost_) cudaFreeHost(regHost_);
  for (cudaEvent_t e : events_) cudaEventDestroy(e);
  if (blas_) cublasDestroy(blas_);
#if TESSEL_HAVE_CUDNN
  for (Op& op : ops_) {
    for (auto& [n, a] : op.algos) {
      if (a.x) cudnnDestroyTensorDescriptor(a.x);
      if (a.y) cudnnDestroyTensorDescriptor(a.y);
    }
    if (op.wDesc) cudnnDestroyFilterDescriptor(op.wDesc);
    if (op.convDesc) cudnnDestroyConvolutionDescriptor(op.convDesc);
  }
  if (dnnWorkspace_) cudaFree(dnnWorkspace_);
  if (dnn_) cudnnDestroy(dnn_);
#endif
  if (stream_) cudaStreamDestroy(stream_);
}

// The chain of layers from the model's input to its output, each checked for a GPU path.
void CudaExecutor::plan(Model& model, const std::vector<const Loss*>& losses,
                        const Optimizer* optimizer, const std::vector<Variable*>& trainable) {
  const ModelSpec& spec = model.spec();
  hostChecks_.clear();
  hostAugment_.clear();
  hostLookups_.clear();
  // How many layers read each node's output (an augmented input must be read by one only).
  std::map<std::string, int> specReaders;
  for (const NodeSpec& node : spec.nodes)
    for (const std::string& in : node.inputs) ++specReaders[in];
  if (spec.inputs.empty() || spec.outputs.empty()) throw Error("GPU plan: no input or output");
  const ShapeReport shapes = inferShapes(spec);
  // Values: the model inputs (0 .. inputs - 1, in Keras's input order), then each op's output.
  // A node's output is the value of its last op (SeparableConv2D plans two).
  values_.assign(spec.inputs.size(), Value{});
  valueMask_.assign(spec.inputs.size(), -1);
  inDims_.assign(spec.inputs.size(), 1);
  std::map<std::string, int> valueOf;
  std::map<std::pair<std::string, int>, int> stateValueOf;  // (node, output k >= 1): return_state
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    const Shape& inShape = model.inputShape(i);
    for (size_t d = 1; d < inShape.size(); ++d) {
      if (inShape[d] == kNone) throw Error(notOnGpu("an input of variable shape"));
      inDims_[i] *= inShape[d];
    }
    values_[i].features = inDims_[i];
    if (!valueOf.emplace(spec.inputs[i], int(i)).second)
      throw Error(notOnGpu("a model that lists the input '" + spec.inputs[i] + "' twice"));
  }
  for (const std::string& name : topologicalOrder(spec)) {
    if (valueOf.count(name)) continue;  // a model input
    const NodeSpec& node = *spec.find(name);
    if (node.isInput())
      throw Error(notOnGpu("an input layer the model does not list ('" + node.name + "')"));
    std::vector<int> ins;
    for (size_t port = 0; port < node.inputs.size(); ++port) {
      const int tensor = node.inputTensor(port);
      if (tensor != 0) {  // a recurrent layer's returned state
        auto st = stateValueOf.find({node.inputs[port], tensor});
        if (st == stateValueOf.end())
          throw Error(
              notOnGpu(node.className + " '" + node.name + "' reading a second output of a layer"));
        ins.push_back(st->second);
        continue;
      }
      auto v = valueOf.find(node.inputs[port]);
      if (v == valueOf.end())
        throw Error(
            notOnGpu(node.className + " '" + node.name + "' reading a second output of a layer"));
      ins.push_back(v->second);
    }
    if (ins.empty()) throw Error("GPU plan: " + node.name + " has no input");
    const Index features = values_[size_t(ins[0])].features;
    static const std::map<std::string, int> kMerges{
        {"Add", kMergeAdd},         {"Subtract", kMergeSubtract}, {"Multiply", kMergeMultiply},
        {"Average", kMergeAverage}, {"Maximum", kMergeMaximum},   {"Minimum", kMergeMinimum}};
    const bool merging = kMerges.count(node.className) || node.className == "Concatenate";
    if (ins.size() != 1 && !merging && node.className != "Attention" &&
        node.className != "AdditiveAttention" && node.className != "Dot" &&
        node.className != "SimpleRNN" && node.className != "LSTM" && node.className != "GRU" &&
        node.className != "MultiHeadAttention")
      throw Error(notOnGpu(node.className + " '" + node.name + "' (a layer with several inputs)"));
    const std::vector<int> nodeIns = ins;  // the node's own inputs (Bidirectional rebinds ins)
    const size_t firstOp = ops_.size();
    Layer* layer = model.layer(node.name);
    if (!layer) throw Error("GPU plan: no layer '" + node.name + "'");
    const std::string what = node.className + " '" + node.name + "'";
    const json& c = layer->config();
    const NodeShapes* ns = shapes.find(node.name);
    // The layer must see (n, features) with every feature on the last axis (rank 2, or
    // leading 1s), as Dense's matrix and softmax's rows are taken here.
    const bool lastAxisOnly = ns && !ns->inputs.empty() && ns->inputs[0].back() == features;
    Op op;
    op.layer = layer;
    op.in = features;
    // Dense (or TimeDistributed(Dense), whose weights are the wrapper's): on (n, ..., C) the same
    // matrix for every position (rows = n * spatial).
    auto planDense = [&](const json& dc) {
      op.kind = Kind::Dense;
      const json& a = dc.at("activation");
      op.act = gpuActivation(
          a.is_null() ? ActivationFn::Linear : activationFromName(a.get<std::string>()), what);
      const Index units = dc.at("units").get<Index>();
      const Index last = ns && !ns->inputs.empty() ? ns->inputs[0].back() : features;
      if (last == kNone || last <= 0 || features % last != 0)
        throw Error(notOnGpu(what + " on an input of variable size"));
      op.spatial = features / last;
      op.out = units * op.spatial;
      op.wVar = 0;
      op.bVar = dc.value("use_bias", true) ? 1 : -1;
    };
    if (node.className == "Dense") {
      planDense(c);
    } else if (node.className == "TimeDistributed") {
      auto* td = dynamic_cast<TimeDistributed*>(layer);
      if (!td) throw Error("GPU plan: " + what + " is not a TimeDistributed layer");
      const json& ic = td->inner().config();
      // The inner layer's regularizers see (n * steps) samples: not planned.
      for (const char* k : {"kernel_regularizer", "bias_regularizer", "activity_regularizer"})
        if (!isNullOrFalse(ic, k)) throw Error(notOnGpu(what + " with a " + k));
      if (td->inner().className() != "Dense")
        throw Error(notOnGpu(what + " of a " + td->inner().className()));
      planDense(ic);
    } else if (node.className == "Activation") {
      op.kind = Kind::Act;
      op.act = gpuActivation(activationFromName(c.at("activation").get<std::string>()), what);
      if (op.act == kActSoftmax && !lastAxisOnly)
        throw Error(notOnGpu(what + " (softmax) on an input of rank > 2"));
      op.out = features;
    } else if (node.className == "ActivityRegularization") {
      op.kind = Kind::Alias;  // y = x; the penalty of x (planActivity)
      op.out = features;
    } else if (node.className == "Flatten" || node.className == "Reshape") {
      if (c.contains("data_format") && c.at("data_format").is_string() &&
          c.at("data_format").get<std::string>() == "channels_first")
        throw Error(notOnGpu(what + " with data_format channels_first"));
      op.kind = Kind::Alias;
      op.out = features;
    } else if (node.className == "Dropout" || node.className == "AlphaDropout") {
      if (!isNullOrFalse(c, "noise_shape")) throw Error(notOnGpu(what + " with a noise_shape"));
      op.kind = Kind::Mask;
      op.alpha = node.className == "AlphaDropout";
      op.out = features;
      op.sampleShape = {features};
    } else if (node.className == "GaussianNoise" || node.className == "SpatialDropout2D") {
      if (!ns || ns->inputs.size() != 1) throw Error("GPU plan: " + what + " has no known shapes");
      op.kind = Kind::Mask;
      op.probe = node.className == "GaussianNoise" ? 0 : 1;
      op.alpha = op.probe == 0;  // an additive part
      op.out = features;
      op.sampleShape.assign(ns->inputs[0].begin() + 1, ns->inputs[0].end());
      for (Index d : op.sampleShape)
        if (d == kNone) throw Error(notOnGpu(what + " on an input of variable size"));
    } else if (node.className == "ReLU") {
      op.kind = Kind::Relu;
      const json& m = c.value("max_value", json());
      op.hasMax = !m.is_null();
      op.maxValue = op.hasMax ? m.get<float>() : 0.0f;
      op.slope = c.value("negative_slope", json(0.0)).is_null()
                     ? 0.0f
                     : c.value("negative_slope", json(0.0)).get<float>();
      op.threshold = c.value("threshold", json(0.0)).is_null()
                         ? 0.0f
                         : c.value("threshold", json(0.0)).get<float>();
      op.out = features;
    } else if (node.className == "Conv2D" || node.className == "Conv1D" ||
               node.className == "DepthwiseConv2D" || node.className == "SeparableConv2D" ||
               node.className == "Conv2DTranspose" || node.className == "MaxPooling2D" ||
               node.className == "AveragePooling2D" || node.className == "GlobalAveragePooling2D" ||
               node.className == "GlobalMaxPooling2D" || node.className == "MaxPooling1D" ||
               node.className == "AveragePooling1D" || node.className == "GlobalAveragePooling1D" ||
               node.className == "GlobalMaxPooling1D") {
      planSpatial(op, node.className, what, c, ns, features);
      if (node.className == "SeparableConv2D") {
        // The depthwise part (planned above, linear, no bias), then the pointwise 1x1
        // convolution as a Dense on every position: (n * oh * ow, C * dm) x (C * dm, filters).
        Op pw;
        pw.layer = layer;
        pw.kind = Kind::Dense;
        pw.in = op.out;
        pw.spatial = Index(op.bh) * op.bw;
        const Index filters = c.at("filters").get<Index>();
        pw.out = pw.spatial * filters;
        const json& pa = c.at("activation");
        pw.act = gpuActivation(
            pa.is_null() ? ActivationFn::Linear : activationFromName(pa.get<std::string>()), what);
        pw.wVar = 1;
        pw.bVar = c.value("use_bias", true) ? 2 : -1;
        ops_.push_back(std::move(op));
        op = std::move(pw);
      }
    } else if (node.className == "BatchNormalization") {
      planBatchNorm(op, what, c, ns, features);
    } else if (node.className == "ZeroPadding2D" || node.className == "Cropping2D" ||
               node.className == "UpSampling2D") {
      // NHWC maps: geom holds the small map (h, w, c), padT / padL the offset, oh / ow the large
      // one (UpSampling2D: the factors in kh / kw).
      if (!ns || ns->inputs.size() != 1 || ns->inputs[0].size() != 4 || !ns->output)
        throw Error(notOnGpu(what + " on an input that is not (batch, height, width, channels)"));
      const Shape& in = ns->inputs[0];
      const Shape& o = *ns->output;
      for (size_t d = 1; d < 4; ++d)
        if (in[d] == kNone) throw Error(notOnGpu(what + " on an input of variable size"));
      PoolGeom& g = op.geom;
      if (node.className == "UpSampling2D") {
        op.kind = Kind::Upsample;
        g = {0, int(in[1]), int(in[2]), int(in[3]), int(o[1] / in[1]), int(o[2] / in[2]),
             1, 1,          0,          0,          int(o[1]),         int(o[2])};
      } else {
        const bool crop = node.className == "Cropping2D";
        const std::vector<Index> p = configPadding2D(c, crop ? "cropping" : "padding",
                                                     node.name);  // top, bottom, left, right
        const Shape& small = crop ? o : in;
        const Shape& large = crop ? in : o;
        op.kind = Kind::Pad;
        op.crop = crop;
        g = {0,         int(small[1]), int(small[2]), int(small[3]), 0, 0, 1, 1,
             int(p[0]), int(p[2]),     int(large[1]), int(large[2])};
      }
      op.out = Index(o[1]) * o[2] * o[3];
    } else if (node.className == "LayerNormalization") {
      // The last axes (the CPU layer checks that the axes are those): D values per row.
      if (!ns || ns->inputs.size() != 1) throw Error("GPU plan: " + what + " has no known shapes");
      const Shape& in = ns->inputs[0];
      const int rank = int(in.size());
      int first = rank;
      const json& ax = c.at("axis");
      for (const json& a : ax.is_array() ? ax : json::array({ax})) {
        int v = a.get<int>();
        if (v < 0) v += rank;
        first = std::min(first, v);
      }
      Index D = 1;
      for (int d = std::max(first, 1); d < rank; ++d) {
        if (in[size_t(d)] == kNone) throw Error(notOnGpu(what + " on an input of variable size"));
        D *= in[size_t(d)];
      }
      op.kind = Kind::LayerNorm;
      op.geom.c = int(D);
      op.epsilon = c.at("epsilon").get<double>();
      op.out = features;
    } else if (node.className == "Rescaling") {
      op.kind = Kind::Affine;
      op.scale = c.at("scale").get<float>();
      op.offset = c.at("offset").get<float>();
      op.out = features;
    } else if (node.className == "SimpleRNN" || node.className == "LSTM" ||
               node.className == "GRU") {
      planRecurrent(op, node.className, what, c, ns, features);
      op.cellLayer = dynamic_cast<RecurrentLayer*>(layer);
      op.returnState = c.value("return_state", false);
      const size_t states = node.className == "LSTM" ? 2 : 1;
      if (ins.size() > 1) {  // initial_state: [x, h0] or [x, h0, c0]
        if (ins.size() != 1 + states)
          throw Error(
              notOnGpu(what + " with " + std::to_string(ins.size() - 1) + " initial states"));
        for (size_t k = 1; k < ins.size(); ++k)
          if (values_[size_t(ins[k])].features != op.units)
            throw Error("GPU plan: " + what + " initial state does not fit the units");
        op.hasInitial = true;
      }
    } else if (node.className == "Bidirectional") {
      // Two recurrent ops over the same input (the second going backwards, its sequence output
      // in time order), then their merge: Concatenate on the last axis, or Add / Multiply /
      // Average (engine/layers/Bidirectional.cpp).
      auto* bidi = dynamic_cast<Bidirectional*>(layer);
      if (!bidi) throw Error("GPU plan: " + what + " is not a Bidirectional layer");
      // The inner layers' completed configs (the backward one with go_backwards flipped).
      const json& ic = bidi->forwardLayer().config();
      const json& bc = bidi->backwardLayer().config();
      const std::string innerCls = bidi->forwardLayer().className();
      if (innerCls != "SimpleRNN" && innerCls != "LSTM" && innerCls != "GRU")
        throw Error(notOnGpu(what + " of a " + innerCls));
      if (!isNullOrFalse(c, "backward_layer"))
        throw Error(notOnGpu(what + " with a backward_layer"));
      if (bidi->mergeMode().empty()) throw Error(notOnGpu(what + " with merge_mode None"));
      if (ic.value("go_backwards", false)) throw Error(notOnGpu(what + " of a go_backwards layer"));
      if (ic.value("return_state", false)) throw Error(notOnGpu(what + " with return_state"));
      if (ins.size() > 1) throw Error(notOnGpu(what + " with initial states"));
      for (const char* k : {"kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                            "activity_regularizer"})
        if (!isNullOrFalse(ic, k)) throw Error(notOnGpu(what + " with a " + k));
      const std::string merge = bidi->mergeMode();
      Op fwd, bwd;
      fwd.layer = bwd.layer = layer;
      fwd.in = bwd.in = features;
      planRecurrent(fwd, innerCls, what, ic, ns, features);
      bwd.alignTime = true;
      planRecurrent(bwd, innerCls, what, bc, ns, features);
      fwd.cellLayer = dynamic_cast<RecurrentLayer*>(&bidi->forwardLayer());
      fwd.zeroMaskedSteps = bwd.zeroMaskedSteps = fwd.returnSeq;
      bwd.cellLayer = dynamic_cast<RecurrentLayer*>(&bidi->backwardLayer());
      if (!bwd.goBackwards) throw Error("GPU plan: " + what + "'s backward layer runs forwards");
      const int perLayer = fwd.bVar >= 0 ? 3 : 2;
      bwd.wVar = perLayer;
      bwd.rVar = perLayer + 1;
      bwd.bVar = fwd.bVar >= 0 ? perLayer + 2 : -1;
      std::vector<int> halves;
      for (Op* d : {&fwd, &bwd}) {
        d->ins = ins;
        d->outV = int(values_.size());
        values_.push_back(Value{});
        values_.back().features = d->out;
        halves.push_back(d->outV);
        ops_.push_back(std::move(*d));
      }
      ins = halves;
      const Index half = values_[size_t(halves[0])].features;
      op.in = half;
      if (merge == "concat") {
        op.kind = Kind::Concat;
        op.concatRows = ops_.back().returnSeq ? ops_.back().steps : 1;
        op.list.count = 2;
        op.list.width[0] = op.list.width[1] = long(half / op.concatRows);
        op.out = 2 * half;
      } else {
        static const std::map<std::string, int> kModes{
            {"sum", kMergeAdd}, {"mul", kMergeMultiply}, {"ave", kMergeAverage}};
        auto m = kModes.find(merge);
        if (m == kModes.end()) throw Error(notOnGpu(what + " with merge_mode " + merge));
        op.kind = Kind::Merge;
        op.merge = m->second;
        op.out = half;
      }
    } else if (dynamic_cast<RandomImageLayer*>(layer)) {
      // Augmentation on the host (hostAugment_): the layer passes the input's value through.
      if (ins[0] >= int(spec.inputs.size()))
        throw Error(notOnGpu(what + " reading another layer than a model input"));
      if (specReaders[node.inputs[0]] != 1)
        throw Error(notOnGpu(what + " on an input that other layers also read"));
      hostAugment_.push_back({layer, ins[0], ops_.size()});
      valueOf[node.name] = ins[0];
      continue;
    } else if (node.className == "TextVectorization" || node.className == "StringLookup") {
      // The data stage computed the ids (engine/layers/TextLayers.h): the layer passes them
      // through, checked on the host against its vocabulary in run().
      if (ins[0] >= int(spec.inputs.size()))
        throw Error(notOnGpu(what + " reading another layer than a model input"));
      hostChecks_.push_back({layer, ins[0]});
      valueOf[node.name] = ins[0];
      continue;
    } else if (node.className == "IntegerLookup") {
      if (ins[0] >= int(spec.inputs.size()))
        throw Error(notOnGpu(what + " reading another layer than a model input"));
      if (!ns || !ns->output) throw Error("GPU plan: " + what + " has no known shapes");
      Index out = 1;
      for (size_t d = 1; d < ns->output->size(); ++d) {
        if ((*ns->output)[d] == kNone)
          throw Error(notOnGpu(what + " with an output of variable size"));
        out *= (*ns->output)[d];
      }
      HostLookup h;
      h.layer = layer;
      h.input = ins[0];
      h.value = int(values_.size());
      values_.push_back(Value{});
      values_.back().features = out;
      valueMask_.resize(values_.size(), -1);
      valueOf[node.name] = h.value;
      hostLookups_.push_back(std::move(h));
      continue;
    } else if (node.className == "Embedding") {
      // Its ids: a model input, or an IntegerLookup's host output (input -1 - k for lookup k).
      int lookup = -1;
      for (size_t k = 0; k < hostLookups_.size(); ++k)
        if (hostLookups_[k].value == ins[0]) lookup = int(k);
      if (ins[0] >= int(spec.inputs.size()) && lookup < 0)
        throw Error(notOnGpu(what + " reading another layer than a model input"));
      op.input = lookup >= 0 ? -1 - lookup : ins[0];
      op.maskOff = c.value("mask_zero", false) ? 0 : -1;  // placed by allocate()
      op.kind = Kind::Embedding;
      op.vocab = c.at("input_dim").get<Index>();
      op.dim = c.at("output_dim").get<Index>();
      op.wVar = 0;
      op.out = features * op.dim;
    } else if (node.className == "Attention" || node.className == "AdditiveAttention") {
      planAttention(op, node.className, what, c, ns, ins, optimizer != nullptr);
    } else if (node.className == "MultiHeadAttention") {
      planMultiHeadAttention(op, what, c, ns, ins, optimizer != nullptr);
    } else if (node.className == "Dot") {
      auto* dot = dynamic_cast<Dot*>(layer);
      if (!dot) throw Error("GPU plan: " + what + " is not a Dot layer");
      if (dot->normalize()) throw Error(notOnGpu(what + " with normalize"));
      if (!ns || ns->inputs.size() != 2 || ins.size() != 2)
        throw Error("GPU plan: " + what + " has no known shapes");
      for (const Shape& in : ns->inputs)
        for (size_t d = 1; d < in.size(); ++d)
          if (in[d] == kNone) throw Error(notOnGpu(what + " on an input of variable size"));
      const auto axes = dot->resolveAxes(ns->inputs[0], ns->inputs[1]);
      const Dot::Packing p0 = Dot::packing(ns->inputs[0], axes[0]);
      const Dot::Packing p1 = Dot::packing(ns->inputs[1], axes[1]);
      // One product per sample: the dot axis first or last of what follows the batch.
      for (const Dot::Packing* p : {&p0, &p1})
        if (p->outer != 1 && p->inner != 1)
          throw Error(notOnGpu(what + " on an axis between two others"));
      op.kind = Kind::Dot;
      op.dotP = p0.rows();
      op.dotQ = p1.rows();
      op.dotK = p0.k;
      op.dotT0 = p0.inner > 1;
      op.dotT1 = p1.inner > 1;
      op.out = op.dotP * op.dotQ;
    } else if (node.className == "Normalization") {
      auto* norm = dynamic_cast<Normalization*>(layer);
      if (!norm) throw Error("GPU plan: " + what + " is not a Normalization layer");
      op.kind = Kind::Normalize;
      op.invert = norm->invert();
      norm->sampleStats(op.normMean, op.normDenom);
      if (Index(op.normMean.size()) != features)
        throw Error(notOnGpu(what + " on an input of variable size"));
      op.out = features;
    } else if (node.className == "Masking") {
      if (!ns || ns->inputs.size() != 1 || ns->inputs[0].back() == kNone)
        throw Error("GPU plan: " + what + " has no known shapes");
      op.kind = Kind::Masking;
      op.maskValue = c.at("mask_value").get<float>();
      op.geom.c = int(ns->inputs[0].back());  // values per row
      op.out = features;
    } else if (node.className == "RepeatVector") {
      if (!ns || ns->inputs.size() != 1 || ns->inputs[0].size() != 2)
        throw Error(notOnGpu(what + " on an input that is not (batch, features)"));
      op.kind = Kind::Repeat;
      op.times = c.at("n").get<int>();
      op.out = features * op.times;
    } else if (node.className == "Permute") {
      if (!ns || ns->inputs.size() != 1) throw Error("GPU plan: " + what + " has no known shapes");
      const Shape& in = ns->inputs[0];
      const json& dims = c.at("dims");
      if (in.size() - 1 > size_t(kMaxPermuteRank) || dims.size() != in.size() - 1)
        throw Error(notOnGpu(what + " of rank " + std::to_string(in.size())));
      op.kind = Kind::Permute;
      op.perm.rank = int(in.size()) - 1;
      for (int d = 0; d < op.perm.rank; ++d) {
        if (in[size_t(d) + 1] == kNone)
          throw Error(notOnGpu(what + " on an input of variable size"));
        op.perm.dims[d] = int(in[size_t(d) + 1]);
        op.perm.perm[d] = dims[size_t(d)].get<int>() - 1;  // Keras's dims count from 1
      }
      op.out = features;
    } else if (merging) {
      planMerge(op, node.className, what, c, ns, ins);
      if (op.kind == Kind::Merge) op.merge = kMerges.at(node.className);
    } else {
      throw Error(notOnGpu(what));
    }
    // The node's first op reads its inputs; a second one (SeparableConv2D's pointwise part)
    // reads the first one's output.
    if (!ops_.empty() && ops_.back().layer == layer && ops_.back().outV < 0) {
      Op& first = ops_.back();
      first.ins = ins;
      first.outV = int(values_.size());
      values_.push_back(Value{});
      values_.back().features = first.out;
      ins = {first.outV};
    }
    op.ins = ins;
    op.outV = int(values_.size());
    values_.push_back(Value{});
    values_.back().features = op.out;
    valueOf[node.name] = op.outV;
    ops_.push_back(std::move(op));
    if (Op& r = ops_.back(); r.kind == Kind::Rnn && r.returnState) {
      // return_state: outputs 1 (h) and, for LSTM, 2 (c), each (n, units).
      for (int k = 0; k < (r.cell == kCellLstm ? 2 : 1); ++k) {
        r.stateV[k] = int(values_.size());
        values_.push_back(Value{});
        values_.back().features = r.units;
        stateValueOf[{node.name, k + 1}] = r.stateV[k];
      }
    }
    planMasks(firstOp, nodeIns, what);
    // Activity regularizers (activity_regularizer, the ActivityRegularization layer): on the
    // node's output, the last op's y.
    Regularizer act;
    if (node.className == "ActivityRegularization") {
      act.l1 = c.at("l1").get<double>();
      act.l2 = c.at("l2").get<double>();
      act.active = act.l1 != 0.0 || act.l2 != 0.0;
    } else if (!isNullOrFalse(c, "activity_regularizer")) {
      act = Regularizer::fromJson(c.at("activity_regularizer"));
    }
    if (act.active) {
      // mixed_float16's loss scale is not applied to these gradients (added mid-backward).
      if (lossScaling_)
        throw Error(notOnGpu(what + " with an activity regularizer under mixed_float16"));
      ops_.back().actL1 = act.l1;
      ops_.back().actL2 = act.l2;
      ops_.back().actSlot = 0;  // numbered by planRegularizers
    }
  }
  // Who reads each value: op k is reader edges[i] of its input i.
  for (Op& op : ops_)
    for (int v : op.ins) op.edges.push_back(values_[size_t(v)].readers++);
  outs_.clear();
  outs_.resize(spec.outputs.size());
  for (size_t k = 0; k < spec.outputs.size(); ++k) {
    const std::string& name = spec.outputs[k];
    if (!valueOf.count(name)) throw Error("GPU plan: no output '" + name + "'");
    if (spec.outputTensor(k) != 0)
      throw Error(notOnGpu("a model whose output is output " +
                           std::to_string(spec.outputTensor(k)) + " of '" + name + "'"));
    Output& o = outs_[k];
    o.value = valueOf.at(name);
    if (o.value < int(spec.inputs.size()))
      throw Error(notOnGpu("a model whose output '" + name + "' is one of its inputs"));
    for (size_t j = 0; j < k; ++j)
      if (outs_[j].value == o.value)
        throw Error(notOnGpu("a model that lists the output '" + name + "' twice"));
    if (values_[size_t(o.value)].readers != 0)
      throw Error(notOnGpu("a model whose output '" + name + "' other layers read"));
    o.dim = values_[size_t(o.value)].features;
    const Shape& outShape = model.outputShape(k);
    o.sample.assign(outShape.begin() + 1, outShape.end());
    for (Index d : o.sample)
      if (d == kNone) throw Error(notOnGpu("an output of variable size ('" + name + "')"));
  }
  for (const auto& [name, v] : valueOf) {
    const bool isOutput =
        std::any_of(outs_.begin(), outs_.end(), [&](const Output& o) { return o.value == v; });
    const bool readOnHost = std::any_of(hostLookups_.begin(), hostLookups_.end(),
                                        [&](const HostLookup& h) { return h.input == v; });
    // A recurrent layer whose returned states are read and whose output is not (Keras's encoder:
    // `_, h, c = LSTM(..., return_state=True)(x)`): its output's gradient is zero.
    bool statesRead = false;
    for (Op& op : ops_)
      if (op.outV == v && op.kind == Kind::Rnn)
        for (int k : op.stateV)
          if (k >= 0 && values_[size_t(k)].readers > 0) {
            statesRead = true;
            op.outputUnread = !isOutput && values_[size_t(v)].readers == 0;
          }
    if (!isOutput && !readOnHost && !statesRead && values_[size_t(v)].readers == 0)
      throw Error(notOnGpu("a " +
                           std::string(v < int(spec.inputs.size()) ? "model input" : "layer") +
                           " whose output nothing reads ('" + name + "')"));
  }

  if (!optimizer) {  // inference only (evaluate, predict): no loss or optimizer on the device
    for (Variable* v : model.allWeights()) vars_.emplace_back(v, 0);
    ntrain_ = 0;
    return;
  }
  if (losses.size() != outs_.size())
    throw Error("GPU plan: " + std::to_string(losses.size()) + " losses for " +
                std::to_string(outs_.size()) + " outputs");
  for (size_t k = 0; k < outs_.size(); ++k) {
    Output& o = outs_[k];
    o.loss = std::make_unique<LossPlan>(*losses[k], model.outputShape(k), long(o.dim));
    o.labelDim = Index(o.loss->labelFloats());
  }

  update_ = std::make_unique<UpdatePlan>(*optimizer);
  slotKinds_ = update_->slotKinds();

  // Parameters: the trainable ones in the optimizer's order, then the rest.
  for (Variable* v : trainable) vars_.emplace_back(v, 0);
  ntrain_ = vars_.size();
  for (Variable* v : model.allWeights())
    if (std::find(trainable.begin(), trainable.end(), v) == trainable.end())
      vars_.emplace_back(v, 0);
}

// Convolutions (Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D's depthwise part,
// Conv2DTranspose) and poolings (1-D and 2-D, global too) on an NHWC input (n, h, w, c) of known
// size; 1-D layers see (n, steps, c) as (n, 1, steps, c).
void CudaExecutor::planSpatial(Op& op, const std::string& cls, const std::string& what,
                               const json& c, const NodeShapes* ns, Index features) {
  const bool oneD = cls.size() > 2 && cls.compare(cls.size() - 2, 2, "1D") == 0;
  const size_t rank = oneD ? 3 : 4;
  if (!ns || ns->inputs.size() != 1 || ns->inputs[0].size() != rank)
    throw Error(notOnGpu(what + (oneD ? " on an input that is not (batch, steps, channels)"
                                      : " on an input that is not (batch, height, width, "
                                        "channels)")));
  const Shape& in = ns->inputs[0];
  for (size_t d = 1; d < rank; ++d)
    if (in[d] == kNone) throw Error(notOnGpu(what + " on an input of variable size"));
  const Index h = oneD ? 1 : in[1], w = in[rank - 2], ch = in[rank - 1];
  if (h * w * ch != features) throw Error("GPU plan: " + what + " input size does not match");
  if (c.contains("data_format") && c.at("data_format").is_string() &&
      c.at("data_format").get<std::string>() != "channels_last")
    throw Error(notOnGpu(what + " with data_format " + c.at("data_format").get<std::string>()));
  PoolGeom& g = op.geom;
  if (cls.rfind("Global", 0) == 0) {
    op.kind = Kind::Pool;
    op.isMax = cls.find("Max") != std::string::npos;
    g = {0, int(h), int(w), int(ch), int(h), int(w), 1, 1, 0, 0, 1, 1};
    op.out = ch;
    return;
  }
  // A 1-D tuple (k) as (1, k).
  auto tuple = [&](const char* key) {
    std::vector<Index> t = configTuple(c, key, oneD ? 1 : 2, op.layer->name());
    if (oneD) t.insert(t.begin(), 1);
    return t;
  };
  const bool conv = cls.find("Conv") != std::string::npos;
  std::vector<Index> k, st, dil{1, 1};
  const std::string padding = c.at("padding").get<std::string>();
  if (!conv) {
    k = tuple("pool_size");
    st = c.at("strides").is_null() ? k : tuple("strides");
    const ConvGeom cg = makeConvGeom(h, w, ch, k[0], k[1], st[0], st[1], 1, 1, padding);
    g = {0,          int(h),     int(w),       int(ch),      int(k[0]),  int(k[1]),
         int(st[0]), int(st[1]), int(cg.padT), int(cg.padL), int(cg.oh), int(cg.ow)};
    op.kind = Kind::Pool;
    op.isMax = cls.find("Max") != std::string::npos;
    op.out = cg.oh * cg.ow * ch;
    return;
  }
  k = tuple("kernel_size");
  st = tuple("strides");
  dil = tuple("dilation_rate");
  const bool depthwise = cls == "DepthwiseConv2D" || cls == "SeparableConv2D";
  op.transposed = cls == "Conv2DTranspose";
  if (op.transposed && c.contains("output_padding") && !c.at("output_padding").is_null())
    throw Error(notOnGpu(what + " with output_padding"));
  // SeparableConv2D: its depthwise part is linear without bias (the pointwise part has them).
  const json& a = c.at("activation");
  op.act = cls == "SeparableConv2D"
               ? kActLinear
               : gpuActivation(
                     a.is_null() ? ActivationFn::Linear : activationFromName(a.get<std::string>()),
                     what);
  const bool bias = c.value("use_bias", true);
  op.wVar = 0;
  op.bVar = bias && cls != "SeparableConv2D" ? 1 : -1;
  const Index ekh = (k[0] - 1) * dil[0] + 1, ekw = (k[1] - 1) * dil[1] + 1;
  Index outH, outW, outC, top, left, totalH, totalW;
  if (op.transposed) {
    // Keras deconv_output_length (output_padding null); C maps the output to the input, padded
    // as TF's conv2d_backprop_input.
    outC = c.at("filters").get<Index>();
    outH = padding == "same" ? h * st[0] : (h - 1) * st[0] + ekh;
    outW = padding == "same" ? w * st[1] : (w - 1) * st[1] + ekw;
    totalH = std::max<Index>((h - 1) * st[0] + ekh - outH, 0);
    totalW = std::max<Index>((w - 1) * st[1] + ekw - outW, 0);
    top = padding == "same" ? totalH / 2 : 0;
    left = padding == "same" ? totalW / 2 : 0;
    op.ah = int(outH), op.aw = int(outW), op.ca = int(outC);
    op.bh = int(h), op.bw = int(w), op.cb = int(ch);
    op.groups = 1;
  } else {
    const ConvGeom cg = makeConvGeom(h, w, ch, k[0], k[1], st[0], st[1], dil[0], dil[1], padding);
    outH = cg.oh, outW = cg.ow;
    outC = depthwise ? ch * c.at("depth_multiplier").get<Index>() : c.at("filters").get<Index>();
    top = cg.padT, left = cg.padL;
    totalH = std::max<Index>((outH - 1) * st[0] + ekh - h, 0);
    totalW = std::max<Index>((outW - 1) * st[1] + ekw - w, 0);
    op.ah = int(h), op.aw = int(w), op.ca = int(ch);
    op.bh = int(outH), op.bw = int(outW), op.cb = int(outC);
    op.groups = depthwise ? int(ch) : int(c.value("groups", Index(1)));
    if (op.groups < 1 || ch % op.groups != 0 || outC % op.groups != 0)
      throw Error("GPU plan: " + what + " groups do not divide the channels");
  }
  // cuDNN pads both sides alike; TF pads one more after when the total is odd ("same" at
  // stride > 1, Conv2DTranspose "same" with k - s odd) and all before for "causal". cuDNN's own
  // padding is used when its output size is Keras's (the extra row/column is never read), else A
  // is padded explicitly (a pad kernel; its adjoint, a crop, for the gradient).
  const bool symmetric = (op.ah + 2 * top - ekh) / st[0] + 1 == op.bh &&
                         (op.aw + 2 * left - ekw) / st[1] + 1 == op.bw && top <= totalH - top &&
                         left <= totalW - left;
  op.explicitPad = !symmetric;
  op.padTop = int(top), op.padLeft = int(left);
  op.aph = int(op.ah + (op.explicitPad ? totalH : 0));
  op.apw = int(op.aw + (op.explicitPad ? totalW : 0));
  op.dnnPadT = op.explicitPad ? 0 : int(top);
  op.dnnPadL = op.explicitPad ? 0 : int(left);
  if (op.explicitPad &&
      ((op.aph - ekh) / st[0] + 1 != op.bh || (op.apw - ekw) / st[1] + 1 != op.bw))
    throw Error("GPU plan: " + what + " padding does not give Keras's output size");
  g = {0,          int(h),     int(w),   int(ch),   int(k[0]), int(k[1]),
       int(st[0]), int(st[1]), int(top), int(left), int(outH), int(outW)};
  op.filters = int(outC);
  op.dh = int(dil[0]);
  op.dw = int(dil[1]);
  op.out = outH * outW * outC;
#if TESSEL_HAVE_CUDNN
  op.kind = Kind::Conv;
  hasConv_ = true;
#else
  throw Error(notOnGpu(what + " (this build has no cuDNN)"));
#endif
}

// BatchNormalization over the last axis.
// SimpleRNN, LSTM and GRU (both reset_after forms) on (n, T, features) of known size, without
// masks, dropout, an activity regularizer, go_backwards, stateful or return_state (refused by
// name).
void CudaExecutor::planRecurrent(Op& op, const std::string& cls, const std::string& what,
                                 const json& c, const NodeShapes* ns, Index features) {
  if (!ns || ns->inputs.empty() || ns->inputs[0].size() != 3 || ns->inputs[0][1] == kNone ||
      ns->inputs[0][2] == kNone)
    throw Error(notOnGpu(what + " on an input that is not (batch, steps, features) of known size"));
  for (const char* k : {"stateful", "zero_output_for_mask"})
    if (c.value(k, false)) throw Error(notOnGpu(what + " with " + k));
  op.goBackwards = c.value("go_backwards", false);
  // Dropout on the input (one mask per sample for every step, drawn on the host by the layer);
  // recurrent_dropout is refused. Inference has neither.
  auto rate = [&](const char* k) {
    return c.contains(k) && c.at(k).is_number() ? c.at(k).get<double>() : 0.0;
  };
  if (!inference_ && rate("recurrent_dropout") > 0)
    throw Error(notOnGpu(what + " with recurrent_dropout"));
  op.rnnDropout = !inference_ && rate("dropout") > 0 && rate("dropout") < 1;
  op.kind = Kind::Rnn;
  op.steps = ns->inputs[0][1];
  op.inF = ns->inputs[0][2];
  if (op.steps * op.inF != features)
    throw Error("GPU plan: " + what + " input size does not match");
  op.units = c.at("units").get<Index>();
  op.act = gpuActivation(activationFromName(c.at("activation").get<std::string>()), what);
  if (op.act == kActSoftmax) throw Error(notOnGpu(what + " with a softmax activation"));
  if (cls == "SimpleRNN") {
    op.cell = kCellSimple;
    op.gates = 1;
  } else {
    op.recAct =
        gpuActivation(activationFromName(c.at("recurrent_activation").get<std::string>()), what);
    if (op.recAct == kActSoftmax) throw Error(notOnGpu(what + " with a softmax activation"));
    if (cls == "LSTM") {
      op.cell = kCellLstm;
      op.gates = 4;
    } else {
      const json& ra = c.at("reset_after");
      op.cell = !ra.is_boolean() || ra.get<bool>() ? kCellGruAfter : kCellGruBefore;
      op.gates = 3;
    }
  }
  op.returnSeq = c.at("return_sequences").get<bool>();
  if (op.goBackwards && op.returnSeq && !op.alignTime)
    throw Error(notOnGpu(what + " with go_backwards and return_sequences"));
  op.out = op.returnSeq ? op.steps * op.units : op.units;
  op.wVar = 0;
  op.rVar = 1;
  op.bVar = c.at("use_bias").get<bool>() ? 2 : -1;
}

// What the attention layers share on the GPU: no return_attention_scores, no dropout in training,
// 2 or 3 inputs of rank 3 and known size.
void CudaExecutor::checkAttentionInputs(const std::string& what, const json& c,
                                        const NodeShapes* ns, const std::vector<int>& ins,
                                        bool training) const {
  if (c.value("return_attention_scores", false))
    throw Error(notOnGpu(what + " with return_attention_scores"));
  if (training && c.value("dropout", 0.0) > 0.0) throw Error(notOnGpu(what + " with dropout"));
  if (!ns || ns->inputs.size() != ins.size() || ins.size() < 2 || ins.size() > 3)
    throw Error("GPU plan: " + what + " has no known shapes");
  for (const Shape& in : ns->inputs)
    if (in.size() != 3 || in[1] == kNone || in[2] == kNone)
      throw Error(
          notOnGpu(what + " on an input that is not (batch, steps, features) of known size"));
}

// Keras's Attention with dot scores (engine/layers/Attention.h): [query, value] or [query,
// value, key] of rank 3 and known size; use_scale, use_causal_mask and the masks of the query
// and value. Refused: score_mode "concat", return_attention_scores, dropout in training.
void CudaExecutor::planAttention(Op& op, const std::string& cls, const std::string& what,
                                 const json& c, const NodeShapes* ns, const std::vector<int>& ins,
                                 bool training) {
  const std::string mode = cls == "AdditiveAttention" ? std::string("additive")
                                                      : c.value("score_mode", std::string("dot"));
  if (mode != "dot" && mode != "concat" && mode != "additive")
    throw Error(notOnGpu(what + " with score_mode " + mode));
  checkAttentionInputs(what, c, ns, ins, training);
  const Shape& q = ns->inputs[0];
  const Shape& v = ns->inputs[1];
  op.kind = Kind::Attention;
  op.tq = q[1];
  op.qd = q[2];
  op.tv = v[1];
  op.vd = v[2];
  op.ownKey = ins.size() > 2;
  op.useScale = c.at("use_scale").get<bool>();
  op.causal = attention::causalFromConfig(c);
  op.in = values_[size_t(ins[0])].features;
  op.out = op.tq * op.vd;
  // The variables in Attention::build's order: scale (use_scale), then concat_score_weight.
  if (mode == "concat") {
    op.concatScores = true;
    op.aVar = op.useScale ? 0 : -1;
    op.cVar = op.useScale ? 1 : 0;
    op.useScale = false;  // the scale is inside the tanh, not on the softmax's scores
  } else if (mode == "additive") {
    op.concatScores = true;
    op.wScaleVar = op.useScale ? 0 : -1;
    op.useScale = false;
  }
}

// Keras's MultiHeadAttention (engine/layers/MultiHeadAttention.h) on rank-3 inputs of known
// size: the query, key and value projections as Dense ops on every step (the (d, heads, dim)
// kernels are (d, heads * dim) matrices), the attention core (heads side by side, scale
// 1 / sqrt(key_dim), the query, value and key masks and the causal mask in the softmax), the
// output projection (heads * value_dim -> output_shape). Refused: dropout in training,
// return_attention_scores, kernel and bias regularizers, attention over more than one axis.
void CudaExecutor::planMultiHeadAttention(Op& op, const std::string& what, const json& c,
                                          const NodeShapes* ns, std::vector<int>& ins,
                                          bool training) {
  for (const char* k : {"kernel_regularizer", "bias_regularizer"})
    if (!isNullOrFalse(c, k)) throw Error(notOnGpu(what + " with a " + k));
  checkAttentionInputs(what, c, ns, ins, training);
  if (!ns->output) throw Error("GPU plan: " + what + " has no known shapes");
  const Shape& q = ns->inputs[0];
  const Shape& v = ns->inputs[1];
  const Shape& k = ins.size() > 2 ? ns->inputs[2] : v;
  const Index H = c.at("num_heads").get<Index>(), K = c.at("key_dim").get<Index>();
  const Index Vd = c.at("value_dim").is_null() ? K : c.at("value_dim").get<Index>();
  const Index out = ns->output->back(), tq = q[1], tv = v[1];
  // Variables in Keras's order: query, key, value, attention_output; kernel then bias.
  const bool bias = c.at("use_bias").get<bool>();
  const int per = bias ? 2 : 1;
  auto project = [&](int input, Index steps, Index din, Index width, int var) {
    Op p;
    p.layer = op.layer;
    p.kind = Kind::Dense;
    p.act = kActLinear;
    p.in = steps * din;
    p.spatial = steps;
    p.out = steps * width;
    p.wVar = var * per;
    p.bVar = bias ? var * per + 1 : -1;
    p.ins = {input};
    p.outV = int(values_.size());
    values_.push_back(Value{});
    values_.back().features = p.out;
    ops_.push_back(std::move(p));
    return ops_.back().outV;
  };
  const int qv = project(ins[0], tq, q[2], H * K, 0);
  const int kv = project(ins.size() > 2 ? ins[2] : ins[1], tv, k[2], H * K, 1);
  const int vv = project(ins[1], tv, v[2], H * Vd, 2);
  Op core;
  core.layer = op.layer;
  core.kind = Kind::Attention;
  core.mha = true;
  core.heads = int(H);
  core.tq = tq;
  core.tv = tv;
  core.qd = K;
  core.vd = Vd;
  core.ownKey = true;
  core.constScale = 1.0f / std::sqrt(float(K));
  core.causal = attention::causalFromConfig(c);
  core.in = tq * H * K;
  core.out = tq * H * Vd;
  core.ins = {qv, vv, kv};
  core.outV = int(values_.size());
  values_.push_back(Value{});
  values_.back().features = core.out;
  ops_.push_back(std::move(core));
  op.kind = Kind::Dense;
  op.act = kActLinear;
  op.in = ops_.back().out;
  op.spatial = tq;
  op.out = tq * out;
  op.wVar = 3 * per;
  op.bVar = bias ? 3 * per + 1 : -1;
  ins = {ops_.back().outV};
}

// Keras masks (Layer::maskOut, as engine/train/Model.cpp propagates them): which Embedding
// (mask_zero) or Masking op's mask each value carries. The GPU ops that read one: recurrent
// layers (Bidirectional's two as well), Attention and MultiHeadAttention (the query's, value's
// and key's masks) and GlobalAveragePooling1D (the mean over the unmasked steps, as the CPU
// layer). Every other layer computes the same with or without a mask (GlobalMaxPooling1D too:
// the CPU layer ignores it).
void CudaExecutor::planMasks(size_t firstOp, const std::vector<int>& nodeIns,
                             const std::string& what) {
  valueMask_.resize(values_.size(), -1);
  std::vector<bool> inMasked;
  for (int v : nodeIns) inMasked.push_back(valueMask_[size_t(v)] >= 0);
  if (std::find(inMasked.begin(), inMasked.end(), true) != inMasked.end())
    for (size_t k = firstOp; k < ops_.size(); ++k) {
      Op& op = ops_[k];
      if (op.kind == Kind::Rnn) {
        op.maskFrom = valueMask_[size_t(nodeIns[0])];
        // The CPU layer's output at masked steps starts from zeros, not from the initial state.
        if (op.hasInitial && op.maskFrom >= 0)
          throw Error(notOnGpu(what + " with initial states and a mask"));
      } else if (op.kind == Kind::Attention) {
        op.qMaskFrom = valueMask_[size_t(nodeIns[0])];
        op.vMaskFrom = valueMask_[size_t(nodeIns[1])];
        // MultiHeadAttention ANDs the key's mask in; Attention ignores it (Keras 2).
        if (op.mha && nodeIns.size() > 2) {
          op.kMaskFrom = valueMask_[size_t(nodeIns[2])];
          if (op.kMaskFrom == op.vMaskFrom) op.kMaskFrom = -1;
        }
      } else if (op.kind == Kind::Pool && op.layer->className() == "GlobalAveragePooling1D") {
        op.maskFrom = valueMask_[size_t(nodeIns[0])];  // the mean over the unmasked steps
      }
    }
  const Op& last = ops_.back();
  switch (last.layer->maskOut(inMasked)) {
    case MaskOut::None:
      break;
    case MaskOut::PassFirst:
      valueMask_[size_t(last.outV)] = valueMask_[size_t(nodeIns[0])];
      break;
    case MaskOut::Own:
      if ((last.kind != Kind::Embedding || last.maskOff < 0) && last.kind != Kind::Masking)
        throw Error(notOnGpu(what + " (a layer that computes a mask)"));
      valueMask_[size_t(last.outV)] = int(ops_.size()) - 1;
      break;
  }
}

// Add, Subtract, Multiply, Average, Maximum, Minimum (inputs of one shape, element by element)
// and Concatenate (any axis but the batch: (n * rows, width_i) blocks side by side).
void CudaExecutor::planMerge(Op& op, const std::string& cls, const std::string& what, const json& c,
                             const NodeShapes* ns, const std::vector<int>& ins) {
  if (ins.size() > size_t(kMaxMergeInputs))
    throw Error(notOnGpu(what + " with more than " + std::to_string(kMaxMergeInputs) + " inputs"));
  if (!ns || ns->inputs.size() != ins.size() || !ns->output)
    throw Error("GPU plan: " + what + " has no known shapes");
  for (const Shape& in : ns->inputs)
    for (size_t d = 1; d < in.size(); ++d)
      if (in[d] == kNone) throw Error(notOnGpu(what + " on an input of variable size"));
  op.in = values_[size_t(ins[0])].features;
  if (cls != "Concatenate") {
    for (const Shape& in : ns->inputs)
      if (in != ns->inputs[0]) throw Error(notOnGpu(what + " on inputs of different shapes"));
    op.kind = Kind::Merge;
    op.out = op.in;
    return;
  }
  op.kind = Kind::Concat;
  const int rank = int(ns->inputs[0].size());
  int axis = c.value("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank) throw Error("GPU plan: " + what + " axis out of range");
  op.concatRows = 1;
  for (int d = 1; d < axis; ++d) op.concatRows *= ns->inputs[0][size_t(d)];
  op.out = 0;
  op.list.count = int(ins.size());
  for (size_t i = 0; i < ins.size(); ++i) {
    const Index features = values_[size_t(ins[i])].features;
    if (features % op.concatRows != 0) throw Error("GPU plan: " + what + " shapes do not match");
    op.list.width[i] = long(features / op.concatRows);
    op.out += features;
  }
}

void CudaExecutor::planBatchNorm(Op& op, const std::string& what, const json& c,
                                 const NodeShapes* ns, Index features) {
  if (!ns || ns->inputs.size() != 1) throw Error(notOnGpu(what));
  const Shape& in = ns->inputs[0];
  const json& a = c.at("axis");
  int axis = a.is_array() && a.size() == 1 ? a[0].get<int>() : a.is_number() ? a.get<int>() : 0;
  if (axis < 0) axis += int(in.size());
  if (axis != int(in.size()) - 1 || in.back() == kNone)
    throw Error(notOnGpu(what + " on an axis other than the last"));
  op.kind = Kind::BatchNorm;
  op.geom.c = int(in.back());
  op.out = features;
  op.batchStats = op.layer->trainable();
  op.decay = float(1.0 - c.at("momentum").get<double>());
  op.epsilon = c.at("epsilon").get<double>();
}

float* CudaExecutor::alloc(long floats, const char* what) {
  void* p = nullptr;
  const cudaError_t e = cudaMalloc(&p, size_t(std::max<long>(floats, 1)) * sizeof(float));
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw Error("out of GPU memory on " + info_.name + " allocating " +
                std::to_string(floats * 4 / (1 << 20)) + " MiB for " + what + " (batch size " +
                std::to_string(batch_) + "); try a smaller batch size or --device cpu");
  }
  return static_cast<float*>(p);
}

void CudaExecutor::freeBuffers() {
  for (float* p : buffers_) cudaFree(p);
  buffers_.clear();
  if (devStage_) cudaFree(devStage_);
  if (hostStage_) cudaFreeHost(hostStage_);
  if (hostOut_) cudaFreeHost(hostOut_);
  devStage_ = hostStage_ = hostOut_ = nullptr;
}

void CudaExecutor::dropGraphs() {
  for (auto& [key, g] : graphs_) {
    if (g.exec) cudaGraphExecDestroy(g.exec);
    if (g.graph) cudaGraphDestroy(g.graph);
  }
  graphs_.clear();
}

// Every buffer of a step, for batches of up to `batch` rows.
void CudaExecutor::allocate(Index batch) {
  dropGraphs();
  freeBuffers();
  batch_ = batch;
  long at = 0;
  xOffs_.assign(inDims_.size(), 0);
  for (size_t i = 0; i < inDims_.size(); ++i) {
    xOffs_[i] = at;
    at += roundUp(batch * inDims_[i]);
  }
  Index outFloats = 0;
  for (Output& o : outs_) {
    o.yOff = at;
    at += roundUp(batch * o.labelDim);
    o.scaleOff = at;
    at += roundUp(batch);
    outFloats += o.dim;
  }
  for (Op& op : ops_)
    if (op.kind == Kind::Rnn && op.rnnDropout) {
      op.mul = at;
      at += roundUp(batch * op.inF);
    } else if (op.kind == Kind::Normalize) {
      op.mul = at;
      at += roundUp(2 * op.out);
    }
  for (Op& op : ops_)
    if (op.kind == Kind::Mask) {
      op.mul = at;
      at += roundUp(batch * op.out);
      if (op.alpha) {
        op.add = at;
        at += roundUp(batch * op.out);
      }
    }
  for (Op& op : ops_)
    if (op.kind == Kind::Embedding) {
      const long ids = long(batch * op.in);
      if (op.maskOff >= 0) {
        op.maskOff = at;
        at += roundUp(ids);
      }
      op.segCount = at;
      at += 64;
      op.segTokens = at;
      at += roundUp(ids);
      op.segStart = at;
      at += roundUp(ids + 1);
      op.segSorted = at;
      at += roundUp(ids);
    }
  for (HostLookup& h : hostLookups_) {
    h.off = at;
    at += roundUp(batch * values_[size_t(h.value)].features);
  }
  hyperOff_ = at;
  at += 64;
  stageFloats_ = at;
  devStage_ = alloc(stageFloats_, "the input batch");
  check(cudaMallocHost(reinterpret_cast<void**>(&hostStage_), size_t(stageFloats_) * 4),
        "allocate pinned host memory");
  std::memset(hostStage_, 0, size_t(stageFloats_) * 4);
  check(cudaMallocHost(reinterpret_cast<void**>(&hostOut_), size_t(batch * outFloats) * 4),
        "allocate pinned host memory");
  {
    float* h = hostOut_;
    for (Output& o : outs_) {
      o.host = h;
      h += batch * o.dim;
    }
  }
  auto buffer = [&](Index features, const char* what) {
    float* p = alloc(batch * features, what);
    buffers_.push_back(p);
    return p;
  };
  auto fixed = [&](long floats, const char* what) {
    float* p = alloc(floats, what);
    buffers_.push_back(p);
    return p;
  };
  // A value's gradient shares, once its gradient buffer is known: the buffer itself for one
  // reader, a buffer per reader (summed by the backward pass) for several.
  auto bindShares = [&](Value& v) {
    v.shares.assign(size_t(v.readers), nullptr);
    if (!v.gy) return;
    if (v.readers == 1)
      v.shares[0] = v.gy;
    else
      for (float*& share : v.shares) share = buffer(v.features, "the gradients");
  };
  for (size_t i = 0; i < inDims_.size(); ++i) {
    values_[i].y = devStage_ + xOffs_[i];
    values_[i].gy = nullptr;  // a model input: no gradient
    bindShares(values_[i]);
  }
  for (const HostLookup& h : hostLookups_) {  // computed on the host, no gradient
    values_[size_t(h.value)].y = devStage_ + h.off;
    values_[size_t(h.value)].gy = nullptr;
    bindShares(values_[size_t(h.value)]);
  }
  long scratchDoubles = 0;
  for (Op& op : ops_) {
    op.x = values_[size_t(op.ins[0])].y;
    op.gx = values_[size_t(op.ins[0])].shares[size_t(op.edges[0])];
    switch (op.kind) {
      case Kind::Alias:
        op.y = const_cast<float*>(op.x);
        op.gy = op.gx;
        break;
      case Kind::LayerNorm: {
        const Index D = op.geom.c;
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        op.z = buffer(op.out, "the normalization gradients");               // dy * xhat
        op.stats = buffer(2 * op.out / D, "the normalization statistics");  // mean, then invStd
        scratchDoubles =
            std::max(scratchDoubles, reductionScratchDoubles(int(batch * op.out / D), int(D)));
        break;
      }
      case Kind::Attention: {
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        const Index perSample = op.heads * op.tq * op.tv;
        if (batch * perSample > 0x7fffffffL)
          throw Error(notOnGpu(op.layer->className() + " '" + op.layer->name() + "' with " +
                               std::to_string(batch * perSample) +
                               " attention scores per batch (more than 2^31)"));
        op.scores = buffer(perSample, "the attention scores");
        op.probs = buffer(perSample, "the attention weights");
        op.dscores = buffer(perSample, "the attention gradients");
        for (size_t i = 0; i < op.ins.size(); ++i) {
          const Value& in = values_[size_t(op.ins[i])];
          op.list.x[i] = in.y;
          op.list.g[i] = in.shares[size_t(op.edges[i])];
        }
        op.list.count = int(op.ins.size());
        if (op.useScale)
          scratchDoubles =
              std::max(scratchDoubles, reductionScratchDoubles(int(batch * perSample), 1));
        if (op.concatScores) {
          op.partials = buffer(3 * op.qd, "the attention variables' partials");
          scratchDoubles = std::max({scratchDoubles, reductionScratchDoubles(int(batch * op.qd), 1),
                                     reductionScratchDoubles(int(batch), int(op.qd))});
        }
        break;
      }
      case Kind::Normalize:
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        break;
      case Kind::Masking:
        op.keep = buffer(op.out / op.geom.c, "the masks");
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        break;
      case Kind::Repeat:
      case Kind::Permute:
      case Kind::Relu:
      case Kind::Embedding:
      case Kind::Pad:
      case Kind::Upsample:
      case Kind::Affine:
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        break;
      case Kind::Rnn: {
        const Index T = op.steps, u = op.units, gu = op.gates * u;
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        op.P = buffer(T * gu, "the recurrent pre-activations");
        if (op.rnnDropout) op.xd = buffer(T * op.inF, "the dropped-out recurrent inputs");
        op.A = buffer(T * gu, "the recurrent activations");
        op.dP = buffer(T * gu, "the recurrent gradients");
        op.H = buffer(T * u, "the recurrent states");
        op.hLast = op.returnSeq ? buffer(u, "the recurrent states") : op.y;
        if (op.returnState && op.cell == kCellLstm) op.cLast = buffer(u, "the recurrent states");
        for (float*& d : op.dhs) d = buffer(u, "the recurrent gradients");
        if (op.cell == kCellLstm) {
          op.C = buffer(T * u, "the recurrent cell states");
          op.Cact = buffer(T * u, "the recurrent cell states");
          for (float*& d : op.dcs) d = buffer(u, "the recurrent gradients");
        }
        if (op.cell == kCellGruAfter || op.cell == kCellGruBefore) {
          const Index w = op.cell == kCellGruAfter ? 3 * u : u;
          op.inner = buffer(T * w, "the recurrent products");
          op.dInner = buffer(T * w, "the recurrent gradients");
        }
        scratchDoubles = std::max(scratchDoubles, reductionScratchDoubles(int(batch * T), int(gu)));
        break;
      }
      case Kind::Merge:
      case Kind::Concat:
      case Kind::Dot:
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        for (size_t i = 0; i < op.ins.size(); ++i) {
          const Value& in = values_[size_t(op.ins[i])];
          op.list.x[i] = in.y;
          op.list.g[i] = in.shares[size_t(op.edges[i])];
        }
        op.list.count = int(op.ins.size());
        break;
      case Kind::Dense:
        op.y = buffer(op.out, "the activations");
        op.z = op.act == kActLinear ? op.y : buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        if (mixed_) {
          op.x16 = buffer((op.in + 1) / 2, "the 16-bit activations");
          if (!inference_) op.g16 = buffer((op.out + 1) / 2, "the 16-bit gradients");
        }
        if (op.spatial > 1 && op.b >= 0)
          scratchDoubles =
              std::max(scratchDoubles,
                       reductionScratchDoubles(int(batch * op.spatial), int(op.out / op.spatial)));
        break;
      case Kind::Act:
      case Kind::Mask:
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        break;
      case Kind::Conv: {
        op.y = buffer(op.out, "the activations");
        op.z = op.act == kActLinear ? op.y : buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        const long kernel = long(op.cb) * op.geom.kh * op.geom.kw * (op.ca / op.groups);
        op.filter = fixed(kernel, "the convolution kernels");
        op.dfilter = fixed(kernel, "the convolution kernels");
        if (mixed_) {
          op.a16 = buffer((Index(op.aph) * op.apw * op.ca + 1) / 2, "the 16-bit activations");
          op.b16 = buffer((Index(op.bh) * op.bw * op.cb + 1) / 2, "the 16-bit activations");
          op.f16 = fixed((kernel + 1) / 2, "the 16-bit convolution kernels");
          op.df16 = fixed((kernel + 1) / 2, "the 16-bit convolution kernels");
        }
        if (op.explicitPad) {
          op.apad = buffer(Index(op.aph) * op.apw * op.ca, "the padded activations");
          op.gapad = buffer(Index(op.aph) * op.apw * op.ca, "the padded gradients");
        }
        const int rows = int(batch * (op.out / op.filters));
        scratchDoubles = std::max(scratchDoubles, reductionScratchDoubles(rows, op.filters));
        break;
      }
      case Kind::Pool:
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        op.argmax =
            op.isMax ? reinterpret_cast<int*>(buffer(op.out, "the pooling indices")) : nullptr;
        break;
      case Kind::BatchNorm: {
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        op.stats = fixed(7L * op.geom.c, "the normalization statistics");
        const int rows = int(batch * (op.out / op.geom.c));
        scratchDoubles = std::max(scratchDoubles, reductionScratchDoubles(rows, op.geom.c));
        break;
      }
    }
    Value& out = values_[size_t(op.outV)];
    out.y = op.y;
    out.gy = op.gy;
    bindShares(out);
    for (int k = 0; k < 2; ++k)  // return_state's h and c, with a gradient when read
      if (op.stateV[k] >= 0) {
        Value& st = values_[size_t(op.stateV[k])];
        st.y = k == 0 ? op.hLast : op.cLast;
        st.gy = st.readers > 0 ? buffer(op.units, "the state gradients") : nullptr;
        bindShares(st);
      }
  }
  reduceScratch_ =
      scratchDoubles > 0
          ? reinterpret_cast<double*>(fixed(2 * scratchDoubles, "the reduction scratch"))
          : nullptr;
  for (Output& o : outs_) {
    Shape shape{batch};
    shape.insert(shape.end(), o.sample.begin(), o.sample.end());
    o.out.resize(shape);
    const size_t bytes = o.loss ? o.loss->scratchBytes(long(batch)) : 0;
    o.lossScratch = bytes > 0 ? fixed(long((bytes + 3) / 4), "the loss scratch") : nullptr;
  }
}

// Input op k reads: the output of op k-1, or the model input.
void CudaExecutor::enqueueStep(Index n, bool train) {
  cudaStream_t s = stream_;
  stepTrain_ = train;
  check(cudaMemcpyAsync(devStage_, hostStage_, size_t(stageFloats_) * 4, cudaMemcpyHostToDevice, s),
        "copy the batch");
  const int rows = int(n);
  const float one = 1.0f, zero = 0.0f;
  const bool bf16 = precision_ == Precision::MixedBFloat16;
  if (mixed_) launchCast16(params_, params16_, paramFloats_, bf16, s);
  // The weights' penalties (the weights this step read), and in training their gradients.
  auto regularize = [&](bool grads) {
    for (size_t i = 0; i < regs_.size(); ++i) {
      const Reg& g = regs_[i];
      launchRegularize(params_ + g.offset, grads && g.trainable ? grads_ + g.offset : nullptr,
                       g.count, g.l1, g.l2, regDev_ + i, regScratch_, s);
    }
  };
  // ---- forward ----
  for (size_t k = 0; k < ops_.size(); ++k) {
    Op& op = ops_[k];
    const float* in = op.x;
    switch (op.kind) {
      case Kind::Alias:
        break;
      case Kind::Merge:
        launchMerge(op.merge, op.list, op.y, long(rows) * op.out, s);
        break;
      case Kind::Rnn:
        enqueueRecurrent(op, rows, true);
        break;
      case Kind::Attention:
        enqueueAttention(op, rows, true);
        break;
      case Kind::Repeat:
        launchRepeat(in, op.y, rows, op.times, int(op.in), s);
        break;
      case Kind::Permute:
        launchPermute(in, op.y, rows, op.perm, false, s);
        break;
      case Kind::Dot: {
        const long P = op.dotP, Q = op.dotQ, K = op.dotK;
        gemmBatched(op.dotT0, !op.dotT1, P, Q, K, op.list.x[0], op.dotT0 ? P : K, P * K,
                    op.list.x[1], op.dotT1 ? Q : K, Q * K, 0.0f, op.y, Q, P * Q, rows, "Dot");
        break;
      }
      case Kind::Normalize:
        launchNormalize(in, op.y, devStage_ + op.mul, devStage_ + op.mul + op.out, rows,
                        int(op.out), op.invert, s);
        break;
      case Kind::Masking:
        launchMasking(in, op.y, op.keep, long(rows) * (op.out / op.geom.c), op.geom.c, op.maskValue,
                      s);
        break;
      case Kind::Pad: {
        const PoolGeom& g = op.geom;
        if (op.crop)
          launchCrop(in, op.y, rows, g.h, g.w, g.c, g.oh, g.ow, g.padT, g.padL, s);
        else
          launchPad(in, op.y, rows, g.h, g.w, g.c, g.oh, g.ow, g.padT, g.padL, s);
        break;
      }
      case Kind::Upsample:
        launchUpsample(in, op.y, rows, op.geom.h, op.geom.w, op.geom.c, op.geom.kh, op.geom.kw, s);
        break;
      case Kind::Affine:
        launchAffine(in, op.y, op.scale, op.offset, long(rows) * op.out, s);
        break;
      case Kind::Relu:
        launchReluLayer(in, nullptr, op.y, long(rows) * op.out, op.threshold, op.slope, op.hasMax,
                        op.maxValue, s);
        break;
      case Kind::LayerNorm: {
        const int D = op.geom.c, r = int(rows * (op.out / D));
        launchLayerNormForward(in, op.y, r, D, op.epsilon,
                               op.gamma >= 0 ? params_ + op.gamma : nullptr,
                               op.beta >= 0 ? params_ + op.beta : nullptr, op.stats,
                               op.stats + batch_ * (op.out / D), s);
        break;
      }
      case Kind::Embedding:
        launchEmbeddingForward(in, params_ + op.w, op.y, long(rows) * op.in, int(op.dim), s);
        break;
      case Kind::Concat:
        launchConcat(op.list, op.y, long(rows) * op.concatRows, s);
        break;
      case Kind::Dense: {
        // Z (rows, out) = X (rows, in) W (in, out), row-major; in cuBLAS's column-major terms
        // Z^T = W^T X^T with W^T stored as (out, in) leading dimension out.
        const int r = rows * int(op.spatial), di = int(op.in / op.spatial),
                  dO = int(op.out / op.spatial);
        if (mixed_) {  // Z = X16 W16, FP32 accumulation
          launchCast16(in, op.x16, long(r) * di, bf16, s);
          gemm16(false, false, r, dO, di, op.x16, di, half(params16_, op.w), dO, 0.0f, op.z, dO,
                 "Dense forward");
        } else {
          check(cublasSgemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, dO, r, di, &one, params_ + op.w, dO,
                            in, di, &zero, op.z, dO),
                "Dense forward");
        }
        launchBiasActivation(op.z, op.y, op.b >= 0 ? params_ + op.b : nullptr, r, dO, op.act, s);
        break;
      }
      case Kind::Act:
        launchBiasActivation(const_cast<float*>(in), op.y, nullptr, rows, int(op.out), op.act, s);
        break;
      case Kind::Mask:
        if (train)
          launchMask(in, op.y, devStage_ + op.mul, op.alpha ? devStage_ + op.add : nullptr,
                     long(rows) * op.out, s);
        else
          check(cudaMemcpyAsync(op.y, in, size_t(rows * op.out) * 4, cudaMemcpyDeviceToDevice, s),
                "copy");
        break;
      case Kind::Conv: {
#if TESSEL_HAVE_CUDNN
        const ConvAlgos& a = op.algos.at(n);
        const int K = op.geom.kh * op.geom.kw * (op.ca / op.groups), F = op.cb;
        // The kernel from Keras's layout, row-major (K, F), to cuDNN's KRSC, row-major (F, K).
        check(cublasSgeam(blas_, CUBLAS_OP_T, CUBLAS_OP_N, K, F, &one, params_ + op.w, F, &zero,
                          op.filter, K, op.filter, K),
              "convolution kernel layout");
        const long aCount = long(rows) * op.aph * op.apw * op.ca,
                   bCount = long(rows) * op.bh * op.bw * op.cb;
        if (mixed_) {  // cuDNN on 16-bit A, B and kernel (FP32 accumulation)
          launchCast16(op.filter, op.f16, long(K) * F, bf16, s);
          if (!op.transposed) {
            const float* src = in;
            if (op.explicitPad) {
              launchPad(in, op.apad, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                        op.padLeft, s);
              src = op.apad;
            }
            launchCast16(src, op.a16, aCount, bf16, s);
            check(cudnnConvolutionForward(dnn_, &one, a.x, op.a16, op.wDesc, op.f16, op.convDesc,
                                          a.fwd, dnnWorkspace_, dnnWorkspaceBytes_, &zero, a.y,
                                          op.b16),
                  "convolution forward");
            launchWiden16(op.b16, op.z, bCount, bf16, s);
          } else {
            launchCast16(in, op.b16, bCount, bf16, s);
            check(cudnnConvolutionBackwardData(dnn_, &one, op.wDesc, op.f16, a.y, op.b16,
                                               op.convDesc, a.bwdData, dnnWorkspace_,
                                               dnnWorkspaceBytes_, &zero, a.x, op.a16),
                  "transposed convolution forward");
            launchWiden16(op.a16, op.explicitPad ? op.apad : op.z, aCount, bf16, s);
            if (op.explicitPad)
              launchCrop(op.apad, op.z, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                         op.padLeft, s);
          }
        } else if (!op.transposed) {
          const float* src = in;
          if (op.explicitPad) {
            launchPad(in, op.apad, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop, op.padLeft,
                      s);
            src = op.apad;
          }
          check(cudnnConvolutionForward(dnn_, &one, a.x, src, op.wDesc, op.filter, op.convDesc,
                                        a.fwd, dnnWorkspace_, dnnWorkspaceBytes_, &zero, a.y, op.z),
                "convolution forward");
        } else {
          check(cudnnConvolutionBackwardData(dnn_, &one, op.wDesc, op.filter, a.y, in, op.convDesc,
                                             a.bwdData, dnnWorkspace_, dnnWorkspaceBytes_, &zero,
                                             a.x, op.explicitPad ? op.apad : op.z),
                "transposed convolution forward");
          if (op.explicitPad)
            launchCrop(op.apad, op.z, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                       op.padLeft, s);
        }
        launchBiasActivation(op.z, op.y, op.b >= 0 ? params_ + op.b : nullptr,
                             int(rows * (op.out / op.filters)), op.filters, op.act, s);
#endif
        break;
      }
      case Kind::Pool: {
        if (op.maskFrom >= 0) {  // GlobalAveragePooling1D over a masked sequence
          launchMaskedStepMean(in, maskPointer(op.maskFrom), op.y, rows, op.geom.w, op.geom.c, s);
          break;
        }
        PoolGeom g = op.geom;
        g.n = rows;
        launchPoolForward(in, op.y, op.argmax, g, op.isMax, s);
        break;
      }
      case Kind::BatchNorm: {
        const int C = op.geom.c;
        launchBatchNormForward(in, op.y, int(rows * (op.out / C)), C, train && op.batchStats,
                               op.decay, op.epsilon, op.gamma >= 0 ? params_ + op.gamma : nullptr,
                               op.beta >= 0 ? params_ + op.beta : nullptr, params_ + op.movingMean,
                               params_ + op.movingVar, reduceScratch_, op.stats, s);
        break;
      }
    }
    if (op.actSlot >= 0)  // the activity penalty (l1 sum|y| + l2 sum y^2) / n
      launchRegularize(op.y, nullptr, long(rows) * op.out, op.actL1 / rows, op.actL2 / rows,
                       regDev_ + op.actSlot, regScratch_, s);
    mark(k, "forward");
  }
  const bool step = train && training();
  if (step) {
    // ---- loss gradients (every output's own buffer: no layer reads an output), backward, update
    for (const Output& o : outs_) {
      const Value& v = values_[size_t(o.value)];
      o.loss->enqueueGradient(devStage_ + o.yOff, v.y, devStage_ + o.scaleOff, v.gy, rows, s,
                              o.lossScratch);
    }
    mark(ops_.size(), "loss gradient");
    for (size_t k = ops_.size(); k-- > 0;) {
      Op& op = ops_[k];
      const float* in = op.x;
      float* gin = op.gx;
      // A value several layers read: its gradient is the sum of their shares (all written, as
      // the readers come later in the order).
      auto sumShares = [&](const Value& v) {
        if (v.readers <= 1 || !v.gy) return;
        TensorList t{};
        for (size_t i = 0; i < v.shares.size();) {
          t.count = 0;
          if (i > 0) t.x[t.count++] = v.gy;
          while (t.count < kMaxMergeInputs && i < v.shares.size()) t.x[t.count++] = v.shares[i++];
          launchSum(t, v.gy, long(rows) * v.features, s);
        }
      };
      sumShares(values_[size_t(op.outV)]);
      for (int k : op.stateV)  // return_state's values
        if (k >= 0) sumShares(values_[size_t(k)]);
      if (op.actSlot >= 0 && op.gy)  // dy += (l1 sign(y) + 2 l2 y) / n (and the penalty again)
        launchRegularize(op.y, op.gy, long(rows) * op.out, op.actL1 / rows, op.actL2 / rows,
                         regDev_ + op.actSlot, regScratch_, s);
      switch (op.kind) {
        case Kind::Alias:
          break;
        case Kind::Merge:
          launchMergeBackward(op.merge, op.list, op.y, op.gy, long(rows) * op.out, s);
          break;
        case Kind::Rnn:
          enqueueRecurrent(op, rows, false);
          break;
        case Kind::Attention:
          enqueueAttention(op, rows, false);
          break;
        case Kind::Repeat:
          if (gin) launchRepeatBackward(op.gy, gin, rows, op.times, int(op.in), s);
          break;
        case Kind::Permute:
          if (gin) launchPermute(op.gy, gin, rows, op.perm, true, s);
          break;
        case Kind::Dot: {
          // dX = dy Z, dZ = dy^T X, each written in its input's layout (transposed when stored
          // with the dot axis first).
          const long P = op.dotP, Q = op.dotQ, K = op.dotK;
          const float *x0 = op.list.x[0], *x1 = op.list.x[1];
          const long ld0 = op.dotT0 ? P : K, ld1 = op.dotT1 ? Q : K;
          if (float* g0 = op.list.g[0]) {
            if (!op.dotT0)
              gemmBatched(false, op.dotT1, P, K, Q, op.gy, Q, P * Q, x1, ld1, Q * K, 0.0f, g0, K,
                          P * K, rows, "Dot gradient");
            else
              gemmBatched(!op.dotT1, true, K, P, Q, x1, ld1, Q * K, op.gy, Q, P * Q, 0.0f, g0, P,
                          K * P, rows, "Dot gradient");
          }
          if (float* g1 = op.list.g[1]) {
            if (!op.dotT1)
              gemmBatched(true, op.dotT0, Q, K, P, op.gy, Q, P * Q, x0, ld0, P * K, 0.0f, g1, K,
                          Q * K, rows, "Dot gradient");
            else
              gemmBatched(!op.dotT0, false, K, Q, P, x0, ld0, P * K, op.gy, Q, P * Q, 0.0f, g1, Q,
                          K * Q, rows, "Dot gradient");
          }
          break;
        }
        case Kind::Normalize:
          if (gin)
            launchNormalizeBackward(op.gy, gin, devStage_ + op.mul + op.out, rows, int(op.out),
                                    op.invert, s);
          break;
        case Kind::Masking:
          if (gin)
            launchKeepRows(op.gy, op.keep, gin, long(rows) * (op.out / op.geom.c), op.geom.c, s);
          break;
        case Kind::Pad:
          if (gin) {
            const PoolGeom& g = op.geom;
            if (op.crop)
              launchPad(op.gy, gin, rows, g.h, g.w, g.c, g.oh, g.ow, g.padT, g.padL, s);
            else
              launchCrop(op.gy, gin, rows, g.h, g.w, g.c, g.oh, g.ow, g.padT, g.padL, s);
          }
          break;
        case Kind::Upsample:
          if (gin)
            launchUpsampleBackward(op.gy, gin, rows, op.geom.h, op.geom.w, op.geom.c, op.geom.kh,
                                   op.geom.kw, s);
          break;
        case Kind::Affine:
          if (gin) launchAffine(op.gy, gin, op.scale, 0.0f, long(rows) * op.out, s);
          break;
        case Kind::Relu:
          if (gin)
            launchReluLayer(in, op.gy, gin, long(rows) * op.out, op.threshold, op.slope, op.hasMax,
                            op.maxValue, s);
          break;
        case Kind::LayerNorm: {
          const int D = op.geom.c, r = int(rows * (op.out / D));
          launchLayerNormBackward(in, op.gy, gin, op.z, r, D,
                                  op.gamma >= 0 ? params_ + op.gamma : nullptr, op.stats,
                                  op.stats + batch_ * (op.out / D), s);
          if (op.gamma >= 0) launchColumnSums(op.z, r, D, reduceScratch_, grads_ + op.gamma, s);
          if (op.beta >= 0) launchColumnSums(op.gy, r, D, reduceScratch_, grads_ + op.beta, s);
          break;
        }
        case Kind::Embedding: {
          const int* stage = reinterpret_cast<const int*>(devStage_);
          launchEmbeddingBackward(op.gy, grads_ + op.w, long(op.vocab), int(op.dim),
                                  stage + op.segCount, stage + op.segTokens, stage + op.segStart,
                                  stage + op.segSorted, int(long(rows) * op.in), s);
          break;
        }
        case Kind::Concat:
          launchSplit(op.gy, op.list, long(rows) * op.concatRows, s);
          break;
        case Kind::Dense: {
          // dZ in place of dY; db = column sums of dZ; dW = X^T dZ; dX = dZ W^T.
          const int r = rows * int(op.spatial), di = int(op.in / op.spatial),
                    dO = int(op.out / op.spatial);
          if (op.spatial > 1 && op.b >= 0)  // many rows: the two-level deterministic sums
            launchActivationBackwardBias(op.gy, op.z, op.y, op.gy, grads_ + op.b, r, dO, op.act,
                                         reduceScratch_, s);
          else
            launchActivationBackward(op.gy, op.z, op.y, op.gy, op.b >= 0 ? grads_ + op.b : nullptr,
                                     r, dO, op.act, s);
          if (mixed_) {  // dW = X16^T dZ16, dX = dZ16 W16^T, FP32 accumulation and results
            launchCast16(op.gy, op.g16, long(r) * dO, bf16, s);
            gemm16(true, false, di, dO, r, op.x16, di, op.g16, dO, 0.0f, grads_ + op.w, dO,
                   "Dense weight gradient");
            if (gin)
              gemm16(false, true, r, di, dO, op.g16, dO, half(params16_, op.w), dO, 0.0f, gin, di,
                     "Dense input gradient");
          } else {
            check(cublasSgemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, dO, di, r, &one, op.gy, dO, in, di,
                              &zero, grads_ + op.w, dO),
                  "Dense weight gradient");
            if (gin)
              check(cublasSgemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, di, r, dO, &one, params_ + op.w,
                                dO, op.gy, dO, &zero, gin, di),
                    "Dense input gradient");
          }
          break;
        }
        case Kind::Act:
          if (gin)
            launchActivationBackward(op.gy, in, op.y, gin, nullptr, rows, int(op.out), op.act, s);
          break;
        case Kind::Mask:
          if (gin) launchMask(op.gy, gin, devStage_ + op.mul, nullptr, long(rows) * op.out, s);
          break;
        case Kind::Conv: {
#if TESSEL_HAVE_CUDNN
          const ConvAlgos& a = op.algos.at(n);
          const int K = op.geom.kh * op.geom.kw * (op.ca / op.groups), F = op.cb;
          const int M = int(rows * (op.out / op.filters));
          // dZ in place of dY; db = column sums of dZ (in double over row chunks), one pass.
          if (op.b >= 0)
            launchActivationBackwardBias(op.gy, op.z, op.y, op.gy, grads_ + op.b, M, op.filters,
                                         op.act, reduceScratch_, s);
          else
            launchActivationBackward(op.gy, op.z, op.y, op.gy, nullptr, M, op.filters, op.act, s);
          const long aCount = long(rows) * op.aph * op.apw * op.ca,
                     bCount = long(rows) * op.bh * op.bw * op.cb;
          if (mixed_ && !op.transposed) {
            // A16 still holds the forward's input; B16 takes dZ, then A16 the input gradient.
            launchCast16(op.gy, op.b16, bCount, bf16, s);
            check(cudnnConvolutionBackwardFilter(dnn_, &one, a.x, op.a16, a.y, op.b16, op.convDesc,
                                                 a.bwdFilter, dnnWorkspace_, dnnWorkspaceBytes_,
                                                 &zero, op.wDesc, op.df16),
                  "convolution kernel gradient");
            launchWiden16(op.df16, op.dfilter, long(K) * F, bf16, s);
            if (gin) {
              check(cudnnConvolutionBackwardData(dnn_, &one, op.wDesc, op.f16, a.y, op.b16,
                                                 op.convDesc, a.bwdData, dnnWorkspace_,
                                                 dnnWorkspaceBytes_, &zero, a.x, op.a16),
                    "convolution input gradient");
              launchWiden16(op.a16, op.explicitPad ? op.gapad : gin, aCount, bf16, s);
              if (op.explicitPad)
                launchCrop(op.gapad, gin, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                           op.padLeft, s);
            }
          } else if (mixed_) {
            // Transposed: B16 still holds the forward's input; A16 takes dZ (padded), then B16
            // the input gradient.
            const float* ga = op.gy;
            if (op.explicitPad) {
              launchPad(op.gy, op.gapad, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                        op.padLeft, s);
              ga = op.gapad;
            }
            launchCast16(ga, op.a16, aCount, bf16, s);
            check(cudnnConvolutionBackwardFilter(dnn_, &one, a.x, op.a16, a.y, op.b16, op.convDesc,
                                                 a.bwdFilter, dnnWorkspace_, dnnWorkspaceBytes_,
                                                 &zero, op.wDesc, op.df16),
                  "transposed convolution kernel gradient");
            launchWiden16(op.df16, op.dfilter, long(K) * F, bf16, s);
            if (gin) {
              check(cudnnConvolutionForward(dnn_, &one, a.x, op.a16, op.wDesc, op.f16, op.convDesc,
                                            a.fwd, dnnWorkspace_, dnnWorkspaceBytes_, &zero, a.y,
                                            op.b16),
                    "transposed convolution input gradient");
              launchWiden16(op.b16, gin, bCount, bf16, s);
            }
          } else if (!op.transposed) {
            check(cudnnConvolutionBackwardFilter(
                      dnn_, &one, a.x, op.explicitPad ? op.apad : in, a.y, op.gy, op.convDesc,
                      a.bwdFilter, dnnWorkspace_, dnnWorkspaceBytes_, &zero, op.wDesc, op.dfilter),
                  "convolution kernel gradient");
            if (gin) {
              check(cudnnConvolutionBackwardData(dnn_, &one, op.wDesc, op.filter, a.y, op.gy,
                                                 op.convDesc, a.bwdData, dnnWorkspace_,
                                                 dnnWorkspaceBytes_, &zero, a.x,
                                                 op.explicitPad ? op.gapad : gin),
                    "convolution input gradient");
              if (op.explicitPad)
                launchCrop(op.gapad, gin, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                           op.padLeft, s);
            }
          } else {
            // Transposed: C's input is dZ (A), its output gradient the layer input (B).
            const float* ga = op.gy;
            if (op.explicitPad) {
              launchPad(op.gy, op.gapad, rows, op.ah, op.aw, op.ca, op.aph, op.apw, op.padTop,
                        op.padLeft, s);
              ga = op.gapad;
            }
            check(cudnnConvolutionBackwardFilter(dnn_, &one, a.x, ga, a.y, in, op.convDesc,
                                                 a.bwdFilter, dnnWorkspace_, dnnWorkspaceBytes_,
                                                 &zero, op.wDesc, op.dfilter),
                  "transposed convolution kernel gradient");
            if (gin)
              check(cudnnConvolutionForward(dnn_, &one, a.x, ga, op.wDesc, op.filter, op.convDesc,
                                            a.fwd, dnnWorkspace_, dnnWorkspaceBytes_, &zero, a.y,
                                            gin),
                    "transposed convolution input gradient");
          }
          // KRSC (F, K) back to Keras's (K, F).
          check(cublasSgeam(blas_, CUBLAS_OP_T, CUBLAS_OP_N, F, K, &one, op.dfilter, K, &zero,
                            grads_ + op.w, F, grads_ + op.w, F),
                "convolution kernel gradient layout");
#endif
          break;
        }
        case Kind::Pool:
          if (gin && op.maskFrom >= 0) {
            launchMaskedStepMeanBackward(op.gy, maskPointer(op.maskFrom), gin, rows, op.geom.w,
                                         op.geom.c, s);
          } else if (gin) {
            PoolGeom g = op.geom;
            g.n = rows;
            launchPoolBackward(op.gy, op.argmax, gin, g, op.isMax, s);
          }
          break;
        case Kind::BatchNorm: {
          const int C = op.geom.c;
          launchBatchNormBackward(in, op.gy, gin, int(rows * (op.out / C)), C, op.batchStats,
                                  op.gamma >= 0 ? params_ + op.gamma : nullptr,
                                  op.gamma >= 0 ? grads_ + op.gamma : nullptr,
                                  op.beta >= 0 ? grads_ + op.beta : nullptr, reduceScratch_,
                                  op.stats, s);
          break;
        }
      }
      mark(k, "backward");
    }
    if (lossScaling_ && trainFloats_ > 0) {
      update_->enqueueUnscale(grads_, devStage_ + hyperOff_, s);
      mark(ops_.size(), "loss unscale");
    }
    regularize(true);
    if (trainFloats_ > 0) {
      const float* hyper = devStage_ + hyperOff_;
      update_->enqueue(params_, grads_, slots_.data(), hyper, s);
      mark(ops_.size(), "optimizer update");
    }
  }
  if (!step) regularize(false);
  if (penaltySlots_ > 0)
    check(cudaMemcpyAsync(regHost_, regDev_, penaltySlots_ * 8, cudaMemcpyDeviceToHost, s),
          "copy the penalties");
  for (const Output& o : outs_)
    check(cudaMemcpyAsync(o.host, values_[size_t(o.value)].y, size_t(rows * o.dim) * 4,
                          cudaMemcpyDeviceToHost, s),
          "copy the output");
  if (train && lossScaling_)
    check(cudaMemcpyAsync(hostSkip_, devStage_ + hyperOff_ + kHyperSkip, 4, cudaMemcpyDeviceToHost,
                          s),
          "copy the loss-scale flag");
  mark(ops_.size(), "output copy");
}

void CudaExecutor::gemm(bool ta, bool tb, long m, long k, long r, const float* a, long lda,
                        const float* b, long ldb, float beta, float* c, long ldc,
                        const char* what) {
  // Row-major C^T = op(B)^T op(A)^T in cuBLAS's column-major terms.
  const float one = 1.0f;
  check(cublasSgemm(blas_, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, int(k),
                    int(m), int(r), &one, b, int(ldb), a, int(lda), &beta, c, int(ldc)),
        what);
}

void CudaExecutor::gemm16(bool ta, bool tb, long m, long k, long r, const void* a, long lda,
                          const void* b, long ldb, float beta, float* c, long ldc,
                          const char* what) {
  // Row-major C^T = op(B)^T op(A)^T in cuBLAS's column-major terms, as gemm().
  const float one = 1.0f;
  const cudaDataType_t t = precision_ == Precision::MixedBFloat16 ? CUDA_R_16BF : CUDA_R_16F;
  check(cublasGemmEx(blas_, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, int(k),
                     int(m), int(r), &one, b, t, int(ldb), a, t, int(lda), &beta, c, CUDA_R_32F,
                     int(ldc), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
        what);
}

void CudaExecutor::gemmBatched(bool ta, bool tb, long m, long k, long r, const float* a, long lda,
                               long sa, const float* b, long ldb, long sb, float beta, float* c,
                               long ldc, long sc, int count, const char* what) {
  // Row-major C^T = op(B)^T op(A)^T in cuBLAS's column-major terms, as gemm().
  const float one = 1.0f;
  check(cublasSgemmStridedBatched(blas_, tb ? CUBLAS_OP_T : CUBLAS_OP_N,
                                  ta ? CUBLAS_OP_T : CUBLAS_OP_N, int(k), int(m), int(r), &one, b,
                                  int(ldb), sb, a, int(lda), sa, &beta, c, int(ldc), sc, count),
        what);
}

// Attention (dot scores) as engine/layers/Attention.cpp, per sample b: S = Q K^T (raw), P =
// softmax(scale * S) with the causal and value masks, Y = P V, Y's padded query rows zeroed.
// Backward: dY's padded query rows zeroed, dP = dY V^T, dV = P^T dY, dS = P (dP - rowsum(dP P)),
// the scale's gradient sum(S dS), then dQ = scale dS K and dK = scale dS^T Q (added to dV when
// the key is the value).
void CudaExecutor::enqueueAttention(Op& op, int rows, bool forward) {
  cudaStream_t s = stream_;
  const long tq = op.tq, tv = op.tv, d = op.qd, dv = op.vd, H = op.heads, ps = tq * tv;
  const float* Q = op.list.x[0];
  const float* V = op.list.x[1];
  const float* K = op.ownKey ? op.list.x[2] : V;
  const float* scale = op.useScale ? params_ + op.w : nullptr;
  auto maskOf = [&](int e) { return maskPointer(e); };
  const float* qMask = maskOf(op.qMaskFrom);
  const float* vMask = maskOf(op.vMaskFrom);
  const float* kMask = maskOf(op.kMaskFrom);
  // Head h of sample b: Q rows at Q + b * tq * H * d + h * d (leading dimension H * d), K and V
  // likewise; its scores at (b * H + h) * tq * tv; its output rows at y + b * tq * H * dv + h * dv.
  const long qs = tq * H * d, ks = tv * H * d, vs = tv * H * dv, ys = tq * H * dv, ss = H * ps;
  ConcatScores cs;
  if (op.concatScores) {
    cs.q = Q;
    cs.k = K;
    cs.a = op.aOff >= 0 ? params_ + op.aOff : nullptr;
    cs.c = op.cOff >= 0 ? params_ + op.cOff : nullptr;
    cs.w = op.wScaleOff >= 0 ? params_ + op.wScaleOff : nullptr;
    cs.n = rows;
    cs.tq = int(tq);
    cs.tv = int(tv);
    cs.d = int(d);
  }
  if (forward) {
    if (op.concatScores)
      launchConcatScores(cs, op.scores, s);
    else
      for (long h = 0; h < H; ++h)
        gemmBatched(false, true, tq, tv, d, Q + h * d, H * d, qs, K + h * d, H * d, ks, 0.0f,
                    op.scores + h * ps, tv, ss, rows, "attention scores");
    launchAttentionSoftmax(op.scores, op.probs, int(rows * H * tq), int(tq), int(H), int(tv),
                           op.causal, vMask, kMask, op.mha ? qMask : nullptr, scale, op.constScale,
                           s);
    for (long h = 0; h < H; ++h)
      gemmBatched(false, false, tq, dv, tv, op.probs + h * ps, tv, ss, V + h * dv, H * dv, vs, 0.0f,
                  op.y + h * dv, H * dv, ys, rows, "attention output");
    if (qMask && !op.mha) launchZeroMaskedRows(op.y, qMask, long(rows) * tq, int(dv), s);
    return;
  }
  float* dY = op.gy;
  if (qMask && !op.mha) launchZeroMaskedRows(dY, qMask, long(rows) * tq, int(dv), s);
  float* gq = op.list.g[0];
  float* gv = op.list.g[1];
  float* gk = op.ownKey ? op.list.g[2] : nullptr;
  for (long h = 0; h < H; ++h) {
    gemmBatched(false, true, tq, tv, dv, dY + h * dv, H * dv, ys, V + h * dv, H * dv, vs, 0.0f,
                op.dscores + h * ps, tv, ss, rows, "attention weight gradient");
    if (gv)
      gemmBatched(true, false, tv, dv, tq, op.probs + h * ps, tv, ss, dY + h * dv, H * dv, ys, 0.0f,
                  gv + h * dv, H * dv, vs, rows, "attention value gradient");
  }
  launchSoftmaxRowsBackward(op.probs, op.dscores, op.dscores, int(rows * H * tq), int(tv), s);
  if (scale) {
    launchMultiplyInto(op.dscores, op.scores, long(rows) * ss, s);  // S (raw) * dS
    launchColumnSums(op.scores, int(rows * ss), 1, reduceScratch_, grads_ + op.w, s);
    launchScaleByDevice(op.dscores, scale, long(rows) * ss, s);
  } else if (op.constScale != 1.0f) {
    launchAffine(op.dscores, op.dscores, op.constScale, 0.0f, long(rows) * ss, s);
  }
  float* dk = op.ownKey ? gk : gv;
  if (op.concatScores) {  // dS through the tanh scores (heads: 1)
    launchConcatScoresBackward(
        cs, op.dscores, gq, dk, !op.ownKey, op.aOff >= 0 ? grads_ + op.aOff : nullptr,
        op.cOff >= 0 ? grads_ + op.cOff : nullptr,
        op.wScaleOff >= 0 ? grads_ + op.wScaleOff : nullptr, op.partials, reduceScratch_, s);
    return;
  }
  for (long h = 0; h < H; ++h) {
    if (gq)
      gemmBatched(false, false, tq, d, tv, op.dscores + h * ps, tv, ss, K + h * d, H * d, ks, 0.0f,
                  gq + h * d, H * d, qs, rows, "attention query gradient");
    if (dk)
      gemmBatched(true, false, tv, d, tq, op.dscores + h * ps, tv, ss, Q + h * d, H * d, qs,
                  op.ownKey ? 0.0f : 1.0f, dk + h * d, H * d, ks, rows, "attention key gradient");
  }
}

// A recurrent layer over the whole sequence, as engine/layers/RecurrentLayer.cpp: x W + b for
// every step in one product, then per step h R (cuBLAS) and the cell (one kernel; GRU
// reset_before two); backward through time per step, then dW, dR, the biases and dx each in one
// product or sum over all steps (the states and gradients are kept per step for that).
void CudaExecutor::enqueueRecurrent(Op& op, int rows, bool forward) {
  cudaStream_t s = stream_;
  const long T = op.steps, u = op.units, gu = op.gates * u, f = op.inF, nT = long(rows) * T;
  const float* W = params_ + op.w;
  const float* R = params_ + op.r;
  const long innerW = op.cell == kCellGruAfter ? 3 * u : u;
  CellStep cs{};
  cs.cell = op.cell;
  cs.act = op.act;
  cs.recAct = op.recAct;
  cs.n = rows;
  cs.u = int(u);
  cs.ldp = T * gu;
  cs.ldh = T * u;
  cs.ldc = T * u;
  cs.ldi = T * innerW;
  cs.recBias = op.cell == kCellGruAfter && op.b >= 0 ? params_ + op.b + 3 * u : nullptr;
  // Step t (processing order) is time ti (go_backwards: T - 1 - t); every per-step buffer is
  // indexed by time: P, A, dP, C, inner at ti; H holds the state before the step at ti, so the
  // state after it (hNew) is H at the next step's time (hLast after the last step).
  const bool back = op.goBackwards;
  auto timeOf = [&](long t) { return back ? T - 1 - t : t; };
  const float* mask = maskPointer(op.maskFrom);
  // initial_state: h0 (n, u) becomes H's first state, LSTM's c0 the first step's cPrev.
  const float* h0 = op.hasInitial ? values_[size_t(op.ins[1])].y : nullptr;
  const float* c0 = op.hasInitial && op.cell == kCellLstm ? values_[size_t(op.ins[2])].y : nullptr;
  cs.ldm = T;
  auto stepViews = [&](long t) {
    const long ti = timeOf(t), next = back ? ti - 1 : ti + 1;
    cs.p = op.P + ti * gu;
    cs.a = op.A + ti * gu;
    cs.hPrev = t > 0 || op.hasInitial ? op.H + ti * u : nullptr;
    cs.hNew = t + 1 < T ? op.H + next * u : op.hLast;
    cs.ldhNew = t + 1 < T ? T * u : u;
    if (op.cell == kCellLstm) {
      cs.cPrev = t > 0 ? op.C + (back ? ti + 1 : ti - 1) * u : c0;
      cs.ldcPrev = t > 0 ? T * u : u;
      cs.cNew = op.C + ti * u;
      cs.cAct = op.Cact + ti * u;
    }
    if (op.inner) cs.inner = op.inner + ti * innerW;
    cs.mask = mask ? mask + ti : nullptr;
  };
  // Input dropout in training: x * mask at every step (xd), the products read xd.
  const bool dropped = op.rnnDropout && stepTrain_;
  const float* X = dropped ? op.xd : op.x;
  if (forward) {
    if (dropped) launchStepMask(op.x, devStage_ + op.mul, op.xd, rows, int(T), int(f), s);
    gemm(false, false, nT, gu, f, X, f, W, gu, 0.0f, op.P, gu, "recurrent input product");
    if (op.b >= 0)
      launchBiasActivation(op.P, op.P, params_ + op.b, int(nT), int(gu), kActLinear, s);
    if (h0)
      check(cudaMemcpy2DAsync(op.H + timeOf(0) * u, size_t(T * u) * 4, h0, size_t(u) * 4,
                              size_t(u) * 4, size_t(rows), cudaMemcpyDeviceToDevice, s),
            "copy the initial state");
    else
      check(cudaMemset2DAsync(op.H + timeOf(0) * u, size_t(T * u) * 4, 0, size_t(u) * 4,
                              size_t(rows), s),
            "clear the first state");
    for (long t = 0; t < T; ++t) {
      stepViews(t);
      switch (op.cell) {
        case kCellSimple:
        case kCellLstm:
          if (cs.hPrev)
            gemm(false, false, rows, gu, u, cs.hPrev, T * u, R, gu, 1.0f, cs.p, T * gu,
                 "recurrent product");
          launchCellForward(cs, 0, s);
          break;
        case kCellGruAfter:
          if (cs.hPrev)
            gemm(false, false, rows, gu, u, cs.hPrev, T * u, R, gu, 0.0f, cs.inner, cs.ldi,
                 "recurrent product");
          launchCellForward(cs, 0, s);
          break;
        case kCellGruBefore:
          if (cs.hPrev)
            gemm(false, false, rows, 2 * u, u, cs.hPrev, T * u, R, gu, 1.0f, cs.p, T * gu,
                 "recurrent product");
          launchCellForward(cs, 0, s);
          if (cs.hPrev)
            gemm(false, false, rows, u, u, cs.inner, cs.ldi, R + 2 * u, gu, 1.0f, cs.p + 2 * u,
                 T * gu, "recurrent product");
          launchCellForward(cs, 1, s);
          break;
      }
    }
    if (op.returnSeq && !back) {  // y (n, T, u) = the states after each step
      if (T > 1)
        check(cudaMemcpy2DAsync(op.y, size_t(T * u) * 4, op.H + u, size_t(T * u) * 4,
                                size_t((T - 1) * u) * 4, size_t(rows), cudaMemcpyDeviceToDevice, s),
              "copy the sequence");
      check(cudaMemcpy2DAsync(op.y + (T - 1) * u, size_t(T * u) * 4, op.hLast, size_t(u) * 4,
                              size_t(u) * 4, size_t(rows), cudaMemcpyDeviceToDevice, s),
            "copy the sequence");
    } else if (op.returnSeq) {  // backwards, in time order (alignTime): y at time ti = the
                                // state after step ti = H at ti - 1, hLast at time 0
      if (T > 1)
        check(cudaMemcpy2DAsync(op.y + u, size_t(T * u) * 4, op.H, size_t(T * u) * 4,
                                size_t((T - 1) * u) * 4, size_t(rows), cudaMemcpyDeviceToDevice, s),
              "copy the sequence");
      check(cudaMemcpy2DAsync(op.y, size_t(T * u) * 4, op.hLast, size_t(u) * 4, size_t(u) * 4,
                              size_t(rows), cudaMemcpyDeviceToDevice, s),
            "copy the sequence");
    }
    if (op.returnSeq && op.zeroMaskedSteps && mask)
      launchZeroMaskedRows(op.y, mask, long(rows) * T, int(u), s);
    if (op.cLast)  // return_state's c: the cell state after the last step (time T-1, or 0)
      check(cudaMemcpy2DAsync(op.cLast, size_t(u) * 4, op.C + timeOf(T - 1) * u, size_t(T * u) * 4,
                              size_t(u) * 4, size_t(rows), cudaMemcpyDeviceToDevice, s),
            "copy the final state");
    return;
  }
  // ---- backward through time ----
  float* dh = op.dhs[0];
  float* dhPrev = op.dhs[1];
  float* dc = op.dcs[0];
  float* dcPrev = op.dcs[1];
  if (op.returnSeq && op.zeroMaskedSteps && mask)  // a zeroed output's gradient goes nowhere
    launchZeroMaskedRows(op.gy, mask, long(rows) * T, int(u), s);
  if (op.returnSeq || op.outputUnread)
    check(cudaMemsetAsync(dh, 0, size_t(rows * u) * 4, s), "clear");
  else
    check(cudaMemcpyAsync(dh, op.gy, size_t(rows * u) * 4, cudaMemcpyDeviceToDevice, s), "copy");
  // return_state: the gradients of the final h and c start the backward pass too.
  const float* gyH = op.stateV[0] >= 0 ? values_[size_t(op.stateV[0])].gy : nullptr;
  const float* gyC = op.stateV[1] >= 0 ? values_[size_t(op.stateV[1])].gy : nullptr;
  if (gyH) {
    TensorList t{};
    t.x[0] = dh;
    t.x[1] = const_cast<float*>(gyH);
    t.count = 2;
    launchSum(t, dh, long(rows) * u, s);
  }
  if (dc && gyC)
    check(cudaMemcpyAsync(dc, gyC, size_t(rows * u) * 4, cudaMemcpyDeviceToDevice, s), "copy");
  else if (dc)
    check(cudaMemsetAsync(dc, 0, size_t(rows * u) * 4, s), "clear");
  for (long t = T - 1; t >= 0; --t) {
    stepViews(t);
    const long ti = timeOf(t);
    CellGrad g{};
    g.dh = dh;
    g.dyAdd = op.returnSeq && !op.outputUnread ? op.gy + ti * u : nullptr;  // in time order
    g.lddy = T * u;
    g.dc = dc;
    g.dp = op.dP + ti * gu;
    g.lddp = T * gu;
    g.dhPrev = dhPrev;
    g.dcPrev = dcPrev;
    g.dInner = op.dInner ? op.dInner + ti * innerW : nullptr;
    g.lddi = T * innerW;
    switch (op.cell) {
      case kCellSimple:
      case kCellLstm:
        launchCellBackward(cs, g, 0, s);
        if (t > 0 || h0)  // with a mask the cell wrote the masked rows' carried part first
          gemm(false, true, rows, u, gu, g.dp, T * gu, R, gu, mask ? 1.0f : 0.0f, dhPrev, u,
               "recurrent state gradient");
        break;
      case kCellGruAfter:
        launchCellBackward(cs, g, 0, s);
        if (t > 0 || h0)
          gemm(false, true, rows, u, gu, g.dInner, g.lddi, R, gu, 1.0f, dhPrev, u,
               "recurrent state gradient");
        break;
      case kCellGruBefore:
        launchCellBackward(cs, g, 0, s);
        gemm(false, true, rows, u, u, g.dp + 2 * u, T * gu, R + 2 * u, gu, 0.0f, g.dInner, g.lddi,
             "recurrent state gradient");
        launchCellBackward(cs, g, 1, s);
        if (t > 0 || h0)
          gemm(false, true, rows, u, 2 * u, g.dp, T * gu, R, gu, 1.0f, dhPrev, u,
               "recurrent state gradient");
        break;
    }
    std::swap(dh, dhPrev);
    std::swap(dc, dcPrev);
  }
  if (h0) {  // dL/dh0 and dL/dc0, the gradients of the initial states
    if (float* g = values_[size_t(op.ins[1])].shares[size_t(op.edges[1])])
      check(cudaMemcpyAsync(g, dh, size_t(rows * u) * 4, cudaMemcpyDeviceToDevice, s), "copy");
    if (c0)
      if (float* g = values_[size_t(op.ins[2])].shares[size_t(op.edges[2])])
        check(cudaMemcpyAsync(g, dc, size_t(rows * u) * 4, cudaMemcpyDeviceToDevice, s), "copy");
  }
  // Over all steps at once: dW = X^T dP, dR = H^T dP (or the GRU's inner gradients), the biases
  // as column sums, dX = dP W^T.
  gemm(true, false, f, gu, nT, X, f, op.dP, gu, 0.0f, grads_ + op.w, gu,
       "recurrent kernel gradient");
  float* dR = grads_ + op.r;
  switch (op.cell) {
    case kCellGruAfter:
      gemm(true, false, u, gu, nT, op.H, u, op.dInner, innerW, 0.0f, dR, gu,
           "recurrent kernel gradient");
      break;
    case kCellGruBefore:
      gemm(true, false, u, 2 * u, nT, op.H, u, op.dP, gu, 0.0f, dR, gu,
           "recurrent kernel gradient");
      gemm(true, false, u, u, nT, op.inner, u, op.dP + 2 * u, gu, 0.0f, dR + 2 * u, gu,
           "recurrent kernel gradient");
      break;
    default:
      gemm(true, false, u, gu, nT, op.H, u, op.dP, gu, 0.0f, dR, gu, "recurrent kernel gradient");
  }
  if (op.b >= 0) {
    launchColumnSums(op.dP, int(nT), int(gu), reduceScratch_, grads_ + op.b, s);
    if (op.cell == kCellGruAfter)
      launchColumnSums(op.dInner, int(nT), int(gu), reduceScratch_, grads_ + op.b + 3 * u, s);
  }
  if (op.gx) {
    gemm(false, true, nT, f, gu, op.dP, gu, W, gu, 0.0f, op.gx, f, "recurrent input gradient");
    if (dropped) launchStepMask(op.gx, devStage_ + op.mul, op.gx, rows, int(T), int(f), s);
  }
}

// Profiling (not while capturing): an event after each op's forward and backward.
void CudaExecutor::mark(size_t op, const char* what) {
  if (!profiling_) return;
  if (marks_ == events_.size()) {
    cudaEvent_t e;
    check(cudaEventCreate(&e), "event");
    events_.push_back(e);
  }
  check(cudaEventRecord(events_[marks_], stream_), "event");
  const std::string label =
      op < ops_.size() ? ops_[op].layer->className() + " '" + ops_[op].layer->name() + "' " + what
                       : std::string(what);
  if (marks_ == labels_.size()) labels_.push_back(label);
  ++marks_;
}

std::string CudaExecutor::profile(Index n, bool train, int iterations) {
  if (!graphs_.count({n, train})) throw Error("GPU: no step of this size ran yet");
  check(cudaStreamSynchronize(stream_), "profile");
  cudaEvent_t start;
  check(cudaEventCreate(&start), "event");
  std::vector<double> ms;
  profiling_ = true;
  for (int it = 0; it < iterations + 3; ++it) {
    marks_ = 0;
    check(cudaEventRecord(start, stream_), "event");
    enqueueStep(n, train);
    check(cudaStreamSynchronize(stream_), "profile");
    if (it < 3) continue;  // warm-up
    ms.resize(marks_, 0.0);
    for (size_t i = 0; i < marks_; ++i) {
      float t = 0;
      cudaEventElapsedTime(&t, i ? events_[i - 1] : start, events_[i]);
      ms[i] += t / iterations;
    }
  }
  profiling_ = false;
  cudaEventDestroy(start);
  double total = 0;
  for (double t : ms) total += t;
  std::string out;
  char line[200];
  for (size_t i = 0; i < ms.size(); ++i) {
    std::snprintf(line, sizeof line, "  %-52s %8.4f ms %5.1f%%\n", labels_[i].c_str(), ms[i],
                  100 * ms[i] / total);
    out += line;
  }
  std::snprintf(line, sizeof line, "  %-52s %8.4f ms (eager, with launch gaps)\n", "total", total);
  return out + line;
}

CudaExecutor::Graph& CudaExecutor::graphFor(Index n, bool train) {
  auto key = std::make_pair(n, train);
  auto it = graphs_.find(key);
  if (it != graphs_.end()) return it->second;
  Graph g;
  prepareConvolutions(n);
  check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "begin the graph");
  try {
    enqueueStep(n, train);
  } catch (...) {
    cudaGraph_t broken = nullptr;
    cudaStreamEndCapture(stream_, &broken);
    if (broken) cudaGraphDestroy(broken);
    throw;
  }
  check(cudaStreamEndCapture(stream_, &g.graph), "capture the step");
  check(cudaGraphInstantiate(&g.exec, g.graph, 0), "instantiate the step's graph");
  return graphs_.emplace(key, g).first->second;
}

// For each convolution, the fastest FP32 (FMA, no TF32; deterministic when asked) algorithm for the
// forward pass, the kernel gradient and the input gradient at batch n that fits the workspace,
// timed by cuDNN on this step's own buffers (cudnnFind*Ex). Runs before the graph is captured.
void CudaExecutor::prepareConvolutions(Index n) {
#if TESSEL_HAVE_CUDNN
  for (Op& op : ops_) {
    if (op.kind != Kind::Conv || op.algos.count(n)) continue;
    const PoolGeom& g = op.geom;
    const std::string what = op.layer->className() + " '" + op.layer->name() + "'";
    ConvAlgos a;
    check(cudnnCreateTensorDescriptor(&a.x), "tensor descriptor");
    check(cudnnCreateTensorDescriptor(&a.y), "tensor descriptor");
    op.algos[n] = a;  // destroyed with the op from here on
    check(cudnnSetTensor4dDescriptor(a.x, CUDNN_TENSOR_NHWC, dnnType(), int(n), op.ca, op.aph,
                                     op.apw),
          "tensor descriptor");
    check(
        cudnnSetTensor4dDescriptor(a.y, CUDNN_TENSOR_NHWC, dnnType(), int(n), op.cb, op.bh, op.bw),
        "tensor descriptor");
    int on = 0, oc = 0, oh = 0, ow = 0;
    check(cudnnGetConvolution2dForwardOutputDim(op.convDesc, a.x, op.wDesc, &on, &oc, &oh, &ow),
          "output size");
    if (on != int(n) || oc != op.cb || oh != op.bh || ow != op.bw)
      throw Error("GPU plan: cuDNN's output size of " + what + " differs from Keras's");
    (void)g;
    // C's buffers: A (the padded copy where there is one), B, and their gradients.
    const float* aIn =
        op.transposed ? (op.explicitPad ? op.gapad : op.gy) : (op.explicitPad ? op.apad : op.x);
    float* aGrad =
        op.transposed ? (op.explicitPad ? op.apad : op.z) : (op.explicitPad ? op.gapad : op.gx);
    const float* bGrad = op.transposed ? op.x : op.gy;
    float* bOut = op.transposed ? op.gx : op.z;
    const void* filter = op.filter;
    void* dfilter = op.dfilter;
    if (mixed_) {  // the 16-bit buffers (A and B hold values and gradients in turn)
      aIn = aGrad = static_cast<float*>(op.a16);
      bGrad = bOut = static_cast<float*>(op.b16);
      filter = op.f16;
      dfilter = op.df16;
    }
    const bool needFwd = !op.transposed || op.gx;
    const bool needBwdData = op.transposed || op.gx;
    // Deterministic FP32 FMA algorithms first; where cuDNN has none for a shape (some grouped
    // convolutions), the fastest FP32 one, said once on stderr.
    auto pick = [&](auto* perf, int found, auto& algo, const char* pass) {
      for (int pass2 = 0; pass2 < 2; ++pass2)
        for (int i = 0; i < found; ++i) {
          const auto& p = perf[i];
          if (p.status != CUDNN_STATUS_SUCCESS || p.memory > dnnWorkspaceBytes_ ||
              (p.mathType != CUDNN_FMA_MATH && p.mathType != CUDNN_DEFAULT_MATH &&
               !((tf32_ || mixed_) && p.mathType == CUDNN_TENSOR_OP_MATH)))
            continue;
          if (p.determinism != CUDNN_DETERMINISTIC && !anyConvAlgorithm_ && pass2 == 0) continue;
          algo = p.algo;
          if (pass2 == 1)
            std::fprintf(stderr,
                         "tessel: GPU: %s %s uses a non-deterministic cuDNN algorithm (none "
                         "deterministic for this shape)\n",
                         what.c_str(), pass);
          return;
        }
      throw Error(notOnGpu(what + " (no FP32 cuDNN " + pass + " algorithm)"));
    };
    constexpr int kMax = 16;
    int found = 0;
    if (needFwd) {
      cudnnConvolutionFwdAlgoPerf_t perf[kMax];
      check(cudnnFindConvolutionForwardAlgorithmEx(dnn_, a.x, aIn, op.wDesc, filter, op.convDesc,
                                                   a.y, bOut, kMax, &found, perf, dnnWorkspace_,
                                                   dnnWorkspaceBytes_),
            "choose the " + what + " forward algorithm");
      pick(perf, found, a.fwd, "forward");
    }
    {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[kMax];
      check(cudnnFindConvolutionBackwardFilterAlgorithmEx(dnn_, a.x, aIn, a.y, bGrad, op.convDesc,
                                                          op.wDesc, dfilter, kMax, &found, perf,
                                                          dnnWorkspace_, dnnWorkspaceBytes_),
            "choose the " + what + " kernel gradient algorithm");
      pick(perf, found, a.bwdFilter, "kernel gradient");
    }
    if (needBwdData) {
      cudnnConvolutionBwdDataAlgoPerf_t perf[kMax];
      check(cudnnFindConvolutionBackwardDataAlgorithmEx(dnn_, op.wDesc, filter, a.y, bGrad,
                                                        op.convDesc, a.x, aGrad, kMax, &found, perf,
                                                        dnnWorkspace_, dnnWorkspaceBytes_),
            "choose the " + what + " input gradient algorithm");
      pick(perf, found, a.bwdData, "input gradient");
    }
    op.algos[n] = a;
  }
  check(cudaStreamSynchronize(stream_), "choose the convolution algorithms");
#else
  (void)n;
#endif
}

void CudaExecutor::upload(Optimizer& optimizer) {
  refreshNormalizations();
  std::vector<Variable*> trainable;
  for (size_t j = 0; j < ntrain_; ++j) trainable.push_back(vars_[j].first);
  for (auto& [v, off] : vars_)
    check(cudaMemcpy(params_ + off, v->value.data(), size_t(v->value.size()) * 4,
                     cudaMemcpyHostToDevice),
          "upload the weights");
  if (slotKinds_ == 0 || !update_) return;
  if (!optimizer.built()) optimizer.build(trainable);
  const size_t nv = trainable.size();
  for (int kind = 0; kind < slotKinds_; ++kind)
    for (size_t j = 0; j < nv; ++j) {
      const Tensor* t = update_->hostSlot(optimizer, kind, j, nv);
      check(cudaMemcpy(slots_[size_t(kind)] + vars_[j].second, t->data(), size_t(t->size()) * 4,
                       cudaMemcpyHostToDevice),
            "upload the optimizer state");
    }
}

void CudaExecutor::refreshNormalizations() {
  for (Op& op : ops_)
    if (op.kind == Kind::Normalize)
      static_cast<Normalization*>(op.layer)->sampleStats(op.normMean, op.normDenom);
}

void CudaExecutor::uploadWeights() {
  check(cudaStreamSynchronize(stream_), "finish the steps");
  refreshNormalizations();
  for (auto& [v, off] : vars_)
    check(cudaMemcpy(params_ + off, v->value.data(), size_t(v->value.size()) * 4,
                     cudaMemcpyHostToDevice),
          "upload the weights");
}

void CudaExecutor::download(Optimizer& optimizer) {
  check(cudaStreamSynchronize(stream_), "finish the steps");
  for (auto& [v, off] : vars_)
    check(cudaMemcpy(v->value.data(), params_ + off, size_t(v->value.size()) * 4,
                     cudaMemcpyDeviceToHost),
          "download the weights");
  if (slotKinds_ == 0 || !update_ || !optimizer.built()) return;
  const size_t nv = ntrain_;
  for (int kind = 0; kind < slotKinds_; ++kind)
    for (size_t j = 0; j < nv; ++j) {
      Tensor* t = update_->hostSlot(optimizer, kind, j, nv);
      check(cudaMemcpy(t->data(), slots_[size_t(kind)] + vars_[j].second, size_t(t->size()) * 4,
                       cudaMemcpyDeviceToHost),
            "download the optimizer state");
    }
}

void CudaExecutor::downloadGradients() {
  check(cudaStreamSynchronize(stream_), "finish the steps");
  for (auto& [v, off] : vars_) {
    v->grad.resize(v->value.shape());
    check(cudaMemcpy(v->grad.data(), grads_ + off, size_t(v->value.size()) * 4,
                     cudaMemcpyDeviceToHost),
          "download the gradients");
  }
}

// An Embedding's ids (the model input) checked as the CPU layer checks them; for a training step
// also the positions of each distinct id in ascending order (the gradient's sums, GpuKernels.h).
void CudaExecutor::stageEmbedding(const Op& op, const float* ids, Index n, bool train) {
  const long count = long(n * op.in);
  for (long i = 0; i < count; ++i) {
    const float v = ids[i];
    const Index id = Index(v);
    if (!(v >= 0) || id >= op.vocab || float(id) != v)
      throw Error("Embedding '" + op.layer->name() + "': id " + std::to_string(v) +
                  " is not an integer in [0, input_dim = " + std::to_string(op.vocab) + ")");
  }
  if (op.maskOff >= 0)  // Keras's mask_zero: id 0 is padding
    for (long i = 0; i < count; ++i) hostStage_[op.maskOff + i] = ids[i] != 0.0f ? 1.0f : 0.0f;
  if (!train) return;
  // The positions grouped by id, ids ascending, positions ascending within an id: a counting
  // sort (O(ids + distinct log distinct); a comparison sort of 16k ids took ~1 ms a step),
  // written straight into the staging block (distinct-id count, ids, segment starts, positions).
  std::vector<int>& counts = embedCounts_;
  if (counts.size() < size_t(op.vocab)) counts.assign(size_t(op.vocab), 0);
  std::vector<int>& tokens = embedTokens_;
  tokens.clear();
  for (long i = 0; i < count; ++i) {
    const int id = int(ids[i]);
    if (counts[size_t(id)]++ == 0) tokens.push_back(id);
  }
  if (op.vocab <= 4 * count) {  // ids in order by a scan of the counts (cheaper than a sort)
    tokens.clear();
    for (Index id = 0; id < op.vocab; ++id)
      if (counts[size_t(id)] > 0) tokens.push_back(int(id));
  } else {
    std::sort(tokens.begin(), tokens.end());
  }
  int* tok = reinterpret_cast<int*>(hostStage_ + op.segTokens);
  int* start = reinterpret_cast<int*>(hostStage_ + op.segStart);
  int* sorted = reinterpret_cast<int*>(hostStage_ + op.segSorted);
  int at = 0;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const int id = tokens[k];
    tok[k] = id;
    start[k] = at;
    const int c = counts[size_t(id)];
    counts[size_t(id)] = at;  // from here: the next free slot of the id
    at += c;
  }
  start[tokens.size()] = int(count);
  for (long i = 0; i < count; ++i) sorted[counts[size_t(int(ids[i]))]++] = int(i);
  for (int id : tokens) counts[size_t(id)] = 0;  // ready for the next batch
  const int segments = int(tokens.size());
  std::memcpy(hostStage_ + op.segCount, &segments, 4);
}

void CudaExecutor::run(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                       const float* scale, Index n, bool train, const Optimizer& optimizer,
                       RunContext& ctx) {
  if (n <= 0) return;
  if (n > batch_) allocate(n);
  if (train && y.size() == outs_.size()) {
    // A loss whose label width comes from the data (CTC's (n, L) labels): the label block and
    // the loss scratch are planned again for the width of these labels (once: the width of a
    // data set does not change between its batches).
    bool replan = false;
    for (size_t k = 0; k < outs_.size(); ++k) {
      Output& o = outs_[k];
      const Index width = y[k].dim(0) > 0 ? y[k].size() / y[k].dim(0) : 0;
      if (o.loss && o.loss->variableLabels() && width != o.labelDim) {
        o.loss->setLabelFloats(long(width));
        o.labelDim = Index(o.loss->labelFloats());
        replan = true;
      }
    }
    if (replan) allocate(batch_);
  }
  if (x.size() != inDims_.size())
    throw Error("GPU: the model has " + std::to_string(inDims_.size()) + " input(s), got " +
                std::to_string(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() < n * inDims_[i]) throw Error("GPU: the input batch does not fit");
    std::memcpy(hostStage_ + xOffs_[i], x[i].data(), size_t(n * inDims_[i]) * 4);
  }
  for (const Op& op : ops_)  // Normalization's statistics, staged with the batch
    if (op.kind == Kind::Normalize) {
      std::memcpy(hostStage_ + op.mul, op.normMean.data(), size_t(op.out) * 4);
      std::memcpy(hostStage_ + op.mul + op.out, op.normDenom.data(), size_t(op.out) * 4);
    }
  for (const auto& [layer, input] : hostChecks_) {  // the text layers' own id checks
    const Tensor& xi = x[size_t(input)];
    const Tensor* rows = &xi;
    if (xi.dim(0) != n) {  // a batch smaller than the tensor: its first n rows
      Shape shape = xi.shape();
      shape[0] = n;
      hostCheckRows_.resize(shape);
      std::memcpy(hostCheckRows_.data(), xi.data(), size_t(hostCheckRows_.size()) * 4);
      rows = &hostCheckRows_;
    }
    layer->forward({rows}, hostCheckOut_, ctx);
  }
  for (HostLookup& h : hostLookups_) {  // IntegerLookup on the host, every step
    const Tensor& xi = x[size_t(h.input)];
    const Tensor* rows = &xi;
    if (xi.dim(0) != n) {
      Shape shape = xi.shape();
      shape[0] = n;
      hostCheckRows_.resize(shape);
      std::memcpy(hostCheckRows_.data(), xi.data(), size_t(hostCheckRows_.size()) * 4);
      rows = &hostCheckRows_;
    }
    h.layer->forward({rows}, h.out, ctx);
    const Index count = n * values_[size_t(h.value)].features;
    if (h.out.size() != count) throw Error("GPU: " + h.layer->name() + "'s output does not fit");
    std::memcpy(hostStage_ + h.off, h.out.data(), size_t(count) * 4);
  }
  for (const Op& op : ops_)
    if (op.kind == Kind::Embedding)
      stageEmbedding(op,
                     op.input >= 0 ? x[size_t(op.input)].data()
                                   : hostLookups_[size_t(-1 - op.input)].out.data(),
                     n, train);
  if (train && !training()) throw Error("GPU: this plan is for inference only");
  if (train) {
    if (y.size() != outs_.size()) throw Error("GPU: the labels do not fit");
    for (size_t k = 0; k < outs_.size(); ++k) {
      const Output& o = outs_[k];
      if (y[k].size() < n * o.labelDim) throw Error("GPU: the labels do not fit");
      std::memcpy(hostStage_ + o.yOff, y[k].data(), size_t(n * o.labelDim) * 4);
      float* sc = hostStage_ + o.scaleOff;
      std::memcpy(sc, scale + k * n, size_t(n) * 4);
      if (lossScaling_)  // the scaled loss's gradient (LossScaleOptimizer.scale_loss)
        for (Index j = 0; j < n; ++j) sc[j] = float(double(sc[j]) * lossScale_);
    }
    // Dropout masks, drawn by the layer itself from ctx.rng as on the CPU, and the augmentation
    // layers at the inputs, each in its place in the graph's order (the CPU's order of draws);
    // an augmentation layer works on the previous one's output of the same input.
    const bool wasTraining = ctx.training;
    ctx.training = true;
    augment_.resize(2 * x.size());
    std::vector<const Tensor*> current(x.size(), nullptr);
    size_t nextAugment = 0;
    auto augmentBefore = [&](size_t k) {
      for (; nextAugment < hostAugment_.size() && hostAugment_[nextAugment].at <= k;
           ++nextAugment) {
        const HostAugment& a = hostAugment_[nextAugment];
        const size_t i = size_t(a.input);
        if (!current[i]) {
          Shape shape = x[i].shape();
          shape[0] = n;
          augment_[2 * i].resize(shape);
          std::memcpy(augment_[2 * i].data(), x[i].data(), size_t(n * inDims_[i]) * 4);
          current[i] = &augment_[2 * i];
        }
        Tensor& out = augment_[2 * i + (current[i] == &augment_[2 * i] ? 1 : 0)];
        a.layer->forward({current[i]}, out, ctx);
        current[i] = &out;
      }
    };
    for (size_t k = 0; k < ops_.size(); ++k) {
      augmentBefore(k);
      Op& op = ops_[k];
      if (op.kind == Kind::Rnn && op.rnnDropout) {  // one (n, inF) mask, as forward() draws it
        const Tensor& m = op.cellLayer->drawInputDropout(n, ctx);
        if (m.size() != n * op.inF)
          throw Error("GPU: the dropout mask of " + op.layer->name() + " does not fit");
        std::memcpy(hostStage_ + op.mul, m.data(), size_t(n * op.inF) * 4);
        continue;
      }
      if (op.kind == Kind::Mask) {
        Shape shape{n};
        shape.insert(shape.end(), op.sampleShape.begin(), op.sampleShape.end());
        op.hostX.resize(shape);
        float* mul = hostStage_ + op.mul;
        if (op.probe >= 0) {
          // GaussianNoise (y = x + noise: x = 0 gives the noise) and SpatialDropout2D (y = x *
          // mask: x = 1 gives the mask), drawn once as the CPU layer draws them.
          op.hostX.fill(float(op.probe));
          op.layer->forward({&op.hostX}, op.hostY, ctx);
          if (op.probe == 1) {
            std::memcpy(mul, op.hostY.data(), size_t(n * op.out) * 4);
          } else {
            std::fill(mul, mul + n * op.out, 1.0f);
            std::memcpy(hostStage_ + op.add, op.hostY.data(), size_t(n * op.out) * 4);
          }
          continue;
        }
        op.layer->forward({&op.hostX}, op.hostY, ctx);
        auto* d = static_cast<DropoutBase*>(op.layer);
        if (d->maskApplied()) {
          std::memcpy(mul, d->maskMul().data(), size_t(n * op.out) * 4);
          if (op.alpha)
            std::memcpy(hostStage_ + op.add, d->maskAdd().data(), size_t(n * op.out) * 4);
        } else {  // rate 0: identity
          std::fill(mul, mul + n * op.out, 1.0f);
          if (op.alpha) std::fill(hostStage_ + op.add, hostStage_ + op.add + n * op.out, 0.0f);
        }
      }
    }
    augmentBefore(ops_.size());
    for (size_t i = 0; i < x.size(); ++i)  // the augmented inputs replace the staged ones
      if (current[i])
        std::memcpy(hostStage_ + xOffs_[i], current[i]->data(), size_t(n * inDims_[i]) * 4);
    ctx.training = wasTraining;
    // Per-step scalars of the update, as the CPU optimizers compute them.
    if (update_) update_->hostScalars(optimizer, hostStage_ + hyperOff_);
    if (lossScaling_) {
      hostStage_[hyperOff_ + kHyperInvScale] = float(1.0 / lossScale_);
      hostStage_[hyperOff_ + kHyperSkip] = 0.0f;
    }
  }
  Graph& g = graphFor(n, train);
  check(cudaGraphLaunch(g.exec, stream_), "launch the step");
  check(cudaStreamSynchronize(stream_), "run the step");
  skipped_ = false;
  if (train && lossScaling_) {
    // Keras 3's LossScaleOptimizer: a non-finite gradient halves the scale (the step changed
    // nothing); dynamic_growth_steps finite steps in a row double it.
    skipped_ = *hostSkip_ != 0.0f;
    if (skipped_) {
      lossScale_ /= 2;
      goodSteps_ = 0;
    } else if (++goodSteps_ >= kLossScaleGrowthSteps) {
      lossScale_ *= 2;
      goodSteps_ = 0;
    }
  }
  penalty_ = 0;
  for (size_t i = 0; i < penaltySlots_; ++i) penalty_ += regHost_[i];
  for (Output& o : outs_) {
    Shape shape{n};
    shape.insert(shape.end(), o.sample.begin(), o.sample.end());
    o.out.resize(shape);
    std::memcpy(o.out.data(), o.host, size_t(n * o.dim) * 4);
  }
}

double CudaExecutor::timeReplays(Index n, bool train, int iterations) {
  auto it = graphs_.find({n, train});
  if (it == graphs_.end()) throw Error("GPU: no step of this size ran yet");
  cudaGraphExec_t exec = it->second.exec;
  for (int i = 0; i < 10; ++i) check(cudaGraphLaunch(exec, stream_), "warm up");
  cudaEvent_t a, b;
  check(cudaEventCreate(&a), "event");
  check(cudaEventCreate(&b), "event");
  check(cudaEventRecord(a, stream_), "event");
  for (int i = 0; i < iterations; ++i) check(cudaGraphLaunch(exec, stream_), "replay");
  check(cudaEventRecord(b, stream_), "event");
  check(cudaEventSynchronize(b), "replays");
  float ms = 0;
  cudaEventElapsedTime(&ms, a, b);
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return double(ms) / std::max(iterations, 1);
}

int CudaExecutor::nodesPerStep(Index n, bool train) const {
  auto it = graphs_.find({n, train});
  if (it == graphs_.end()) return 0;
  size_t count = 0;
  cudaGraphGetNodes(it->second.graph, nullptr, &count);
  return int(count);
}

}  // namespace

std::unique_ptr<Executor> Executor::create(int device, Model& model,
                                           const std::vector<const Loss*>& losses,
                                           const std::vector<double>& lossWeights,
                                           const Optimizer& optimizer,
                                           const std::vector<Variable*>& trainable, Index maxBatch,
                                           Numerics numerics) {
  return std::make_unique<CudaExecutor>(device, model, losses, lossWeights, &optimizer, trainable,
                                        maxBatch, numerics);
}

std::vector<ConvPlan> CudaExecutor::convPlans() const {
  std::vector<ConvPlan> out;
  for (const Op& op : ops_) {
    if (op.kind != Kind::Conv) continue;
    ConvPlan p;
    p.layer = op.layer->name();
    p.transposed = op.transposed;
    p.explicitPad = op.explicitPad;
    p.groups = op.groups;
    p.ah = op.ah, p.aw = op.aw, p.ca = op.ca, p.bh = op.bh, p.bw = op.bw, p.cb = op.cb;
    p.aph = op.aph, p.apw = op.apw, p.padTop = op.padTop, p.padLeft = op.padLeft;
    p.dnnPadT = op.dnnPadT, p.dnnPadL = op.dnnPadL;
    p.kh = op.geom.kh, p.kw = op.geom.kw, p.sh = op.geom.sh, p.sw = op.geom.sw;
    p.dh = op.dh, p.dw = op.dw;
    out.push_back(p);
  }
  return out;
}

void Executor::checkPlan(Model& model, const std::vector<const Loss*>& losses,
                         const Optimizer& optimizer) {
  const CudaExecutor planned(CudaExecutor::PlanOnly{}, model, losses, optimizer);
  (void)planned;
}

std::vector<ConvPlan> Executor::convPlans(Model& model) {
  return CudaExecutor(CudaExecutor::PlanOnly{}, model).convPlans();
}

std::unique_ptr<Executor> Executor::createInference(int device, Model& model, Index maxBatch,
                                                    Numerics numerics) {
  return std::make_unique<CudaExecutor>(device, model, std::vector<const Loss*>{},
                                        std::vector<double>{}, nullptr, std::vector<Variable*>{},
                                        maxBatch, numerics);
}

}  // namespace tessel::gpu
