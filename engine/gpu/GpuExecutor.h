#pragma once
// The GPU execution plan of one Model on one CUDA device (a replica; several GPUs would hold one
// each). Built once per fit(): it checks that every layer, the loss and the optimizer have a GPU
// path (else an Error naming the first that has not: "Conv2D 'conv2d' is not on the GPU yet; use
// --device cpu"), allocates every device buffer once for the largest batch, and captures each
// step (input copy, forward, loss gradient, backward, optimizer update, output copy) as ONE CUDA
// graph per (batch size, train/eval), replayed by every later step: one launch per step.
//
// Numerics: FP32 with TF32 off (cuBLAS default math, no tensor-op math); activations, losses and
// optimizers use the CPU engine's formulas (GpuKernels.h). Weights are initialised by the CPU
// engine and uploaded, so both devices start identically. Dropout masks are drawn on the host by
// the layers themselves (same random stream as the CPU) and copied up with the batch. The loss
// value and metrics are computed on the host from the output, which comes back every step (a few
// KB), with the CPU engine's Loss and Metric objects.
//
// Weight regularizers (kernel_, bias_, recurrent_, depthwise_, pointwise_, embeddings_, gamma_,
// beta_regularizer: l1, l2, l1_l2) add their gradients on the device before the update; their
// penalty (a deterministic multi-block sum in double per variable) comes back with the output for
// the loss value.
// Activity regularizers (activity_regularizer of Dense, the convolutions, Embedding and the
// recurrent layers; the ActivityRegularization layer) as Keras 2: the penalty of the layer's
// output divided by the batch size, computed after the layer's forward pass (so val_loss has it
// too), its gradient added to dL/dy before the layer's backward pass (refused under mixed_float16,
// whose loss scale they would miss).
//
// Supported now: Functional graphs of any number of inputs and outputs (Sequential too; each
// output with its own loss and loss weight; an output may not feed another layer), branches
// included: Add, Subtract, Multiply, Average, Maximum, Minimum (inputs of one shape) and
// Concatenate (any axis but the batch) merge them, and a tensor several layers read gets the sum
// of their gradient shares; the layers: InputLayer, Flatten
// (channels_last), Reshape, Dense (every activation of the CPU engine: linear, relu, relu6, elu,
// selu, sigmoid, hard_sigmoid, tanh, softmax, softplus, softsign, swish, gelu, exponential;
// on (n, ..., C) as one matrix product over every position), Activation, Dropout and
// AlphaDropout (no noise_shape); outputs of any rank with any loss of the catalog but the
// expression losses (GpuLoss.h: the gradient on the device, CTC's forward-backward included; the
// value and the metrics on the host; CTC's label block sized by the first batch's labels); every
// optimizer of the catalog with clipnorm, global_clipnorm, clipvalue, weight_decay and schedules
// (GpuUpdate.h: one fused update kernel, three with a clip norm). CNN layers (channels_last / NHWC
// throughout, as the CPU engine): Conv1D and Conv2D (cuDNN; groups, strides, dilation, padding
// valid / same / causal, use_bias, the activations above), DepthwiseConv2D (cuDNN grouped
// convolution, groups = channels), SeparableConv2D (that, then the pointwise 1x1 convolution as one
// GEMM over every position), Conv2DTranspose (cuDNN's backward-data pass as its forward;
// output_padding null). TF's asymmetric padding ("same" with an odd total at stride > 1: one more
// row/column after; "causal": all before) is an explicit pad kernel into a padded copy (a crop for
// the gradient) where cuDNN's symmetric padding would not give Keras's windows; MaxPooling1D/2D,
// AveragePooling1D/2D (valid / same, TF's exclusion of padded cells),
// GlobalAverage/GlobalMaxPooling1D/2D, ZeroPadding2D and Cropping2D (the pad and crop kernels),
// UpSampling2D (nearest), Rescaling, the ReLU layer, GaussianNoise and SpatialDropout2D (drawn on
// the host by the layer, as Dropout), LayerNormalization (the last axes; per-row statistics in
// double) and BatchNormalization (last axis; batch statistics and
// Keras's moving-average update in training, moving statistics in inference and for non-trainable
// layers) are our own kernels. Recurrent layers: SimpleRNN, LSTM and GRU (reset_after true or
// false; return_sequences either way; go_backwards (without return_sequences); input dropout;
// return_state (the final h and c as values of their own) and initial_state (h0, c0 inputs, not
// with masks); no recurrent_dropout or stateful) as engine/layers/RecurrentLayer.cpp: x W + b
// for all steps in one cuBLAS product, per step h R (cuBLAS) and one fused cell kernel (GRU
// reset_before: two), backward through time per step, then dW, dR, the biases and dx each in one
// product over all steps; Bidirectional around them (a forward op and a go_backwards op whose
// sequence comes out in time order, then Concatenate / Add / Multiply / Average). Keras masks:
// Embedding(mask_zero), carried on as engine/train/Model.cpp carries it (Layer::maskOut: Dense,
// Activation, Dropout, recurrent layers with return_sequences, Attention pass it on), read by the
// recurrent layers (a masked step keeps the state and passes the gradient through; with
// return_sequences its output is the carried state, as the CPU layer's; Bidirectional's inner
// layers with return_sequences output 0 there, as Bidirectional sets zero_output_for_mask on
// them), by Attention and MultiHeadAttention, and by GlobalAveragePooling1D (the mean over the
// unmasked steps). Attention (Luong, score_mode "dot", engine/layers/Attention.h): [query, value]
// or [query, value, key], use_scale, use_causal_mask, the query's and value's masks; per sample Q
// K^T and P V as strided batched cuBLAS products, the masked softmax (Keras's -1e9 for fully padded
// rows) and its backward as row kernels (GpuLayerKernels.h); score_mode "concat" and
// AdditiveAttention (tanh scores, one thread per score; their gradients per query / key element and
// the scale variables' through per-sample partials and deterministic sums); no dropout in training
// or return_attention_scores. RepeatVector and Permute (rank <= 4 per sample) are copy kernels; Dot
// (no normalize; the dot axis first or last of each input) one strided batched product per
// sample; TimeDistributed(Dense) a Dense on every step; Masking computes its own (n, steps) mask;
// Normalization's per-value statistics go up with each batch; recurrent input dropout and the
// image augmentation layers at the model input are drawn on the host by the layers themselves.
// IntegerLookup reading a model input runs on the host every step (its output staged with the
// batch). Embedding (reading a model input or an IntegerLookup): a gather forward; the table's
// gradient sums the rows of each id in position order from an index the host counting-sorts with
// the batch (deterministic, no atomics); ids are checked on the host as the CPU layer checks them.
// TextVectorization / StringLookup (the data stage computed the ids) pass the input through,
// checked on the host by the layer itself each step. Conv2D: cuDNN tensors are NHWC, the kernel
// stays in Keras's HWIO layout in the weights (so upload, download, checkpoints and the optimizer
// are unchanged) and is transposed into cuDNN's NHWC filter layout KRSC (filters, kh, kw, in) by a
// cuBLAS geam node at the start of each step; the kernel gradient comes back the same way.
// Algorithms: per batch size, before the graph is captured, cudnnFind*Ex times them on the step's
// own buffers; the fastest deterministic one with FMA math (CUDNN_FMA_MATH: no TF32) within a 256
// MiB workspace is kept with Numerics::deterministic (FitOptions::deterministic, Keras's
// enable_op_determinism); without it, as Keras by default, the fastest FP32 FMA algorithm,
// deterministic or not. TESSEL_GPU_DETERMINISTIC=1 / =0 overrides the choice (the checks and the
// benchmark); where cuDNN has no deterministic algorithm for a shape, the fastest FP32 one is used
// and named on stderr. Numerics::tf32 (FitOptions::tf32, Keras's tf.config.experimental.
// enable_tensor_float_32_execution(True)) lets cuBLAS and cuDNN multiply in TF32 on tensor cores
// (10-bit mantissa, FP32 range and accumulation); TESSEL_GPU_TF32=1 / =0 overrides. Bias gradients
// and BatchNormalization's sums are reduced in double per block of rows, then in a fixed tree:
// deterministic.
#include <memory>
#include <string>
#include <vector>

#include "engine/gpu/GpuDevice.h"
#include "engine/tensor/Tensor.h"

namespace tessel {
class Model;
class Loss;
class Optimizer;
struct RunContext;
struct Variable;
}  // namespace tessel

namespace tessel::gpu {

// Keras's dtype policies (keras.mixed_precision.set_global_policy / FitOptions::dtypePolicy).
enum class Precision {
  Float32,        // "float32": Keras's default
  MixedFloat16,   // "mixed_float16": 16-bit products, FP32 weights, dynamic loss scaling
  MixedBFloat16,  // "mixed_bfloat16": bfloat16 products, FP32 weights, no loss scaling
};

// Opt-ins over Keras's FP32 numerics for a plan (FitOptions::deterministic, tf32, dtypePolicy).
//
// Mixed precision (Keras's mixed_float16 / mixed_bfloat16 policies: variables in FP32, layers
// compute in 16 bits): the matrix products of Dense layers (Dense on any rank and
// SeparableConv2D's pointwise part) and the convolutions (Conv1D, Conv2D, DepthwiseConv2D,
// SeparableConv2D's depthwise part, Conv2DTranspose: forward, input and kernel gradients) take
// their operands rounded to IEEE float16 (bfloat16) — the weights, the layer's input, and in
// training dLoss/dZ — and multiply them on tensor cores with FP32 accumulation (cublasGemmEx with
// CUBLAS_COMPUTE_32F; cuDNN's PSEUDO_HALF / BFLOAT16 configurations), as TF's 16-bit MatMul and
// Conv2D do. cuDNN's convolution results are 16-bit (as in TF), widened to FP32; cuBLAS's stay
// FP32. Activations between layers, biases, losses, gradients and the optimizer stay in FP32
// (where Keras would also round the element-wise layers to 16 bits: our values are at least as
// accurate; the product operands are rounded as Keras rounds them). Recurrent layers, Embedding
// and the normalizations compute in FP32 under either policy.
// mixed_float16 wraps the optimizer in Keras 3's LossScaleOptimizer: the loss (and so every
// gradient) is multiplied by a dynamic scale, initially 2^15; the gradients are divided by it
// before the optimizer; a step with a non-finite gradient changes no weight and no optimizer
// state (nor its iteration count), and halves the scale; 2000 finite steps in a row double it.
// mixed_bfloat16 has no loss scaling (bfloat16 has FP32's exponent range), as in Keras.
struct Numerics {
  bool deterministic = false;  // deterministic cuDNN convolution algorithms only
  bool tf32 = false;           // TF32 tensor-core products in cuBLAS and cuDNN
  Precision precision = Precision::Float32;
};

// Keras's LossScaleOptimizer defaults (mixed_float16).
constexpr double kInitialLossScale = 32768.0;  // 2^15
constexpr int kLossScaleGrowthSteps = 2000;

// "float32", "mixed_float16", "mixed_bfloat16" (Keras's names); throws Error naming the three
// for anything else.
Precision precisionFromName(const std::string& policy);

// One convolution of a plan as cuDNN sees it (GpuExecutor.cpp's Op): C maps A (ah, aw, ca) to B
// (bh, bw, cb) with cuDNN padding (dnnPadT, dnnPadL); with explicitPad, A is first padded into
// (aph, apw) at (padTop, padLeft). Transposed: A is the layer's output, B its input.
struct ConvPlan {
  std::string layer;
  bool transposed = false, explicitPad = false;
  int groups = 1, ah = 0, aw = 0, ca = 0, bh = 0, bw = 0, cb = 0, aph = 0, apw = 0, padTop = 0,
      padLeft = 0, dnnPadT = 0, dnnPadL = 0, kh = 0, kw = 0, sh = 0, sw = 0, dh = 0, dw = 0;
};

class Executor {
 public:
  // For the tests, without a GPU: the convolutions of the plan of `model` (throws as create()).
  static std::vector<ConvPlan> convPlans(Model& model);
  // The training plan alone, without a device (the pre-flight check): throws what create() would
  // throw for the model, loss and optimizer ("LSTM 'lstm' with dropout is not on the GPU yet; use
  // --device cpu"); a build without the CUDA backend throws its reason.
  static void checkPlan(Model& model, const std::vector<const Loss*>& losses,
                        const Optimizer& optimizer);

  virtual ~Executor() = default;
  // Throws Error when the model, loss or optimizer has no GPU path, when `device` is not a usable
  // GPU, or when the device memory does not hold the buffers for maxBatch.
  static std::unique_ptr<Executor> create(int device, Model& model,
                                          const std::vector<const Loss*>& losses,
                                          const std::vector<double>& lossWeights,
                                          const Optimizer& optimizer,
                                          const std::vector<Variable*>& trainable, Index maxBatch,
                                          Numerics numerics = {});

  // For evaluate() and predict(): the forward pass only (no loss, optimizer or training step on
  // the device, so any loss and optimizer will do); run() with train = false. Throws as create().
  static std::unique_ptr<Executor> createInference(int device, Model& model, Index maxBatch,
                                                   Numerics numerics = {});

  // Model weights and the optimizer's slots (built when not yet) to the device, and back.
  virtual void upload(Optimizer& optimizer) = 0;
  // The model's weights alone to the device (inference plans; weights changed on the host).
  virtual void uploadWeights() = 0;
  virtual void download(Optimizer& optimizer) = 0;
  // For the tests: the gradients of the last training step into every Variable::grad.
  virtual void downloadGradients() = 0;
  // One step on rows [0, n) of x (one tensor per input, (n, ...)) and y (labels, one per output).
  // train: forward, each output's loss gradient with per-sample scales (output k's at
  // scale[k * n .. k * n + n): loss weight x sample weight / n), backward and the optimizer update
  // at optimizer.currentLearningRate() and iteration optimizer.iterations()+1 (the caller then
  // advances the optimizer's iteration count); dropout masks are drawn through ctx.rng. Eval:
  // forward only. Either way output(k) holds the model's output k on the host afterwards.
  virtual void run(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const float* scale,
                   Index n, bool train, const Optimizer& optimizer, RunContext& ctx) = 0;
  virtual const Tensor& output(size_t k) const = 0;
  virtual const DeviceInfo& device() const = 0;
  // The weight regularizers' penalty (kernel_regularizer, ... : l1 sum|w| + l2 sum w^2) of the
  // weights the last run() read; 0 without regularizers. Their gradients are in the step.
  virtual double regularization() const = 0;
  // Dynamic loss scaling (mixed_float16): false when the last training step found a non-finite
  // gradient and changed nothing (the caller then does not advance the optimizer's iterations);
  // always true otherwise. lossScale(): the scale the next step uses (1 without loss scaling).
  virtual bool stepApplied() const { return true; }
  virtual double lossScale() const { return 1.0; }

  // For the benchmark: replays the captured graph of (n, train) `iterations` times after a
  // warm-up, timed with device events: milliseconds per step on the GPU (no host work). run() with
  // the same n and train must have come first. The weights keep training.
  virtual double timeReplays(Index n, bool train, int iterations) = 0;
  // Kernel and copy nodes in the step's graph (what eager execution would launch one by one).
  virtual int nodesPerStep(Index n, bool train) const = 0;
  // For the benchmark: where the GPU time of a step goes. Runs the step of (n, train) eagerly
  // `iterations` times (after a warm-up) with an event after each layer's forward and backward
  // pass; one line per segment (label, ms, share). Eager timings include launch gaps. The
  // weights keep training.
  virtual std::string profile(Index n, bool train, int iterations) = 0;
  // Launches per step from the host: 1 (the graph).
  int launchesPerStep() const { return 1; }
};

}  // namespace tessel::gpu
