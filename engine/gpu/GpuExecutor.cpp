// The CUDA execution plan (GpuExecutor.h): cuBLAS SGEMM for Dense, GpuKernels.cu for the rest,
// the whole step captured once as a CUDA graph. Compiled only in a CUDA build (TESSEL_CUDA).
#include "engine/gpu/GpuExecutor.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <utility>

#include "engine/core/Error.h"
#include "engine/gpu/GpuKernels.h"
#include "engine/layers/Activations.h"
#include "engine/layers/DropoutBase.h"
#include "engine/layers/Layer.h"
#include "engine/losses/Loss.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/Model.h"

namespace tessel::gpu {

namespace {

void check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw Error("CUDA: " + what + ": " + cudaGetErrorString(e));
  }
}

void check(cublasStatus_t s, const std::string& what) {
  if (s != CUBLAS_STATUS_SUCCESS) throw Error("cuBLAS: " + what + ": " + cublasGetStatusString(s));
}

std::string notOnGpu(const std::string& what) {
  return what + " is not on the GPU yet; use --device cpu";
}

// Floats, rounded up so that every region starts on a 256-byte boundary.
long roundUp(long floats) {
  return (floats + 63) / 64 * 64;
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
               const std::vector<double>& lossWeights, const Optimizer& optimizer,
               const std::vector<Variable*>& trainable, Index maxBatch);
  ~CudaExecutor() override;

  void upload(Optimizer& optimizer) override;
  void download(Optimizer& optimizer) override;
  void downloadGradients() override;
  void run(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const float* scale, Index n,
           bool train, const Optimizer& optimizer, RunContext& ctx) override;
  const Tensor& output(size_t) const override { return out_; }
  const DeviceInfo& device() const override { return info_; }
  double timeReplays(Index n, bool train, int iterations) override;
  int nodesPerStep(Index n, bool train) const override;

 private:
  enum class Kind { Dense, Act, Mask, Alias };
  struct Op {
    Kind kind = Kind::Alias;
    Layer* layer = nullptr;
    int act = kActLinear;
    Index in = 0, out = 0;    // features per sample
    bool alpha = false;       // AlphaDropout: y = x * mul + add
    long w = -1, b = -1;      // Dense kernel and bias: offsets in params_ / grads_
    long mul = -1, add = -1;  // mask regions in the staging block
    float* z = nullptr;       // Dense pre-activation (== y for a linear activation)
    float* y = nullptr;       // output (n, out)
    float* gy = nullptr;      // dLoss/dy, (n, out); null when nothing upstream needs it
    Tensor hostX, hostY;      // Dropout: the host call that draws the mask
  };
  struct Graph {
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
  };

  void plan(Model& model, const std::vector<const Loss*>& losses, const Optimizer& optimizer,
            const std::vector<Variable*>& trainable);
  void allocate(Index batch);
  void freeBuffers();
  float* alloc(long floats, const char* what);
  void enqueueStep(Index n, bool train);
  Graph& graphFor(Index n, bool train);
  void dropGraphs();

  DeviceInfo info_;
  Model& model_;
  std::vector<Op> ops_;
  Index inDim_ = 0, outDim_ = 0, labelDim_ = 0;
  int loss_ = kLossSparseCce;
  bool fromLogits_ = false;
  double smoothing_ = 0;
  bool adam_ = false, nesterov_ = false;
  float momentum_ = 0, beta1_ = 0.9f, beta2_ = 0.999f, epsilon_ = 1e-7f;
  double beta1d_ = 0.9, beta2d_ = 0.999;
  // Parameters: trainable variables first (in the optimizer's order), then frozen ones.
  std::vector<std::pair<Variable*, long>> vars_;  // variable, offset in params_
  size_t ntrain_ = 0;                             // the first ntrain_ of vars_ are trainable
  long paramFloats_ = 0, trainFloats_ = 0;
  int slotKinds_ = 0;  // 0 (plain SGD), 1 (momentum), 2 (Adam)
  float *params_ = nullptr, *grads_ = nullptr, *slot0_ = nullptr, *slot1_ = nullptr;
  // Staging: x, labels, scale, masks, hyper-parameters, copied up in one transfer per step.
  long xOff_ = 0, yOff_ = 0, scaleOff_ = 0, hyperOff_ = 0, stageFloats_ = 0;
  float* hostStage_ = nullptr;  // pinned
  float* devStage_ = nullptr;
  float* hostOut_ = nullptr;  // pinned, (batch, outDim)
  std::vector<float*> buffers_;
  void* workspace_ = nullptr;
  Index batch_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  std::map<std::pair<Index, bool>, Graph> graphs_;
  Tensor out_;
};

CudaExecutor::CudaExecutor(int device, Model& model, const std::vector<const Loss*>& losses,
                           const std::vector<double>&, const Optimizer& optimizer,
                           const std::vector<Variable*>& trainable, Index maxBatch)
    : model_(model) {
  plan(model, losses, optimizer, trainable);  // first: "X is not on the GPU yet" needs no GPU
  info_ = deviceInfo(device);
  check(cudaSetDevice(device), "select cuda:" + std::to_string(device));
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "create a stream");
  check(cublasCreate(&blas_), "create a handle");
  check(cublasSetStream(blas_, stream_), "set the stream");
  // Keras numerics: FP32, no TF32 tensor-op math.
  check(cublasSetMathMode(blas_, CUBLAS_DEFAULT_MATH), "set FP32 math");
  // A workspace of our own, so that cuBLAS allocates nothing while a graph is captured.
  const size_t wsBytes = 32u << 20;
  check(cudaMalloc(&workspace_, wsBytes), "allocate the cuBLAS workspace");
  check(cublasSetWorkspace(blas_, workspace_, wsBytes), "set the workspace");
  paramFloats_ = 0;
  for (size_t j = 0; j < vars_.size(); ++j) {
    vars_[j].second = paramFloats_;
    paramFloats_ += roundUp(vars_[j].first->value.size());
    if (j < ntrain_) trainFloats_ = paramFloats_;
  }
  params_ = alloc(paramFloats_, "the weights");
  grads_ = alloc(paramFloats_, "the gradients");
  check(cudaMemset(grads_, 0, size_t(paramFloats_) * 4), "clear the gradients");
  if (slotKinds_ >= 1) slot0_ = alloc(trainFloats_, "the optimizer slots");
  if (slotKinds_ >= 2) slot1_ = alloc(trainFloats_, "the optimizer slots");
  // Offsets of each Dense's variables.
  std::map<const Variable*, long> offset;
  for (auto& [v, off] : vars_) offset[v] = off;
  for (Op& op : ops_)
    if (op.kind == Kind::Dense) {
      auto& vs = op.layer->variables();
      op.w = offset.at(&vs[0]);
      if (vs.size() > 1) op.b = offset.at(&vs[1]);
    }
  allocate(std::max<Index>(maxBatch, 1));
}

CudaExecutor::~CudaExecutor() {
  if (stream_) cudaStreamSynchronize(stream_);
  dropGraphs();
  freeBuffers();
  for (float* p : {params_, grads_, slot0_, slot1_})
    if (p) cudaFree(p);
  if (workspace_) cudaFree(workspace_);
  if (blas_) cublasDestroy(blas_);
  if (stream_) cudaStreamDestroy(stream_);
}

// The chain of layers from the model's input to its output, each checked for a GPU path.
void CudaExecutor::plan(Model& model, const std::vector<const Loss*>& losses,
                        const Optimizer& optimizer, const std::vector<Variable*>& trainable) {
  const ModelSpec& spec = model.spec();
  if (spec.inputs.size() != 1 || spec.outputs.size() != 1)
    throw Error(notOnGpu("a model with " + std::to_string(spec.inputs.size()) + " inputs and " +
                         std::to_string(spec.outputs.size()) + " outputs"));
  std::map<std::string, std::vector<const NodeSpec*>> consumers;
  for (const NodeSpec& node : spec.nodes)
    for (const std::string& in : node.inputs) consumers[in].push_back(&node);
  const Shape& inShape = model.inputShape(0);
  inDim_ = 1;
  for (size_t d = 1; d < inShape.size(); ++d) {
    if (inShape[d] == kNone) throw Error(notOnGpu("an input of variable shape"));
    inDim_ *= inShape[d];
  }
  const ShapeReport shapes = inferShapes(spec);
  std::string at = spec.inputs[0];
  Index features = inDim_;
  size_t visited = 1;
  while (at != spec.outputs[0]) {
    auto it = consumers.find(at);
    if (it == consumers.end() || it->second.size() != 1)
      throw Error(notOnGpu("a model whose layers branch (at '" + at + "')"));
    const NodeSpec& node = *it->second[0];
    if (node.inputs.size() != 1)
      throw Error(notOnGpu(node.className + " '" + node.name + "' (a layer with several inputs)"));
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
    if (node.className == "Dense") {
      for (const char* r : {"kernel_regularizer", "bias_regularizer", "activity_regularizer"})
        if (!isNullOrFalse(c, r)) throw Error(notOnGpu(what + " with a " + r));
      op.kind = Kind::Dense;
      const json& a = c.at("activation");
      op.act = gpuActivation(
          a.is_null() ? ActivationFn::Linear : activationFromName(a.get<std::string>()), what);
      op.out = c.at("units").get<Index>();
      if (!lastAxisOnly) throw Error(notOnGpu(what + " on an input of rank > 2"));
    } else if (node.className == "Activation") {
      op.kind = Kind::Act;
      op.act = gpuActivation(activationFromName(c.at("activation").get<std::string>()), what);
      if (op.act == kActSoftmax && !lastAxisOnly)
        throw Error(notOnGpu(what + " (softmax) on an input of rank > 2"));
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
    } else {
      throw Error(notOnGpu(what));
    }
    features = op.out;
    ops_.push_back(std::move(op));
    at = node.name;
    ++visited;
  }
  if (visited != spec.nodes.size())
    throw Error(notOnGpu("a model whose layers do not form one chain from input to output"));
  const Shape& outShape = model.outputShape(0);
  if (outShape.size() != 2)
    throw Error(notOnGpu("an output of rank " + std::to_string(outShape.size())));
  outDim_ = features;

  if (losses.size() != 1) throw Error(notOnGpu("several losses"));
  const std::string lossName = losses[0]->className();
  const json lc = losses[0]->config();
  fromLogits_ = lc.contains("from_logits") && lc.at("from_logits").get<bool>();
  smoothing_ = lc.contains("label_smoothing") ? lc.at("label_smoothing").get<double>() : 0.0;
  if (lossName == "SparseCategoricalCrossentropy") {
    loss_ = kLossSparseCce;
    labelDim_ = 1;
  } else if (lossName == "CategoricalCrossentropy") {
    loss_ = kLossCce;
    labelDim_ = outDim_;
  } else if (lossName == "MeanSquaredError") {
    loss_ = kLossMse;
    labelDim_ = outDim_;
  } else {
    throw Error(notOnGpu("the loss " + lossName));
  }

  const std::string opt = optimizer.name();
  const json oc = optimizer.config();
  if (optimizer.clipnorm() > 0 || optimizer.clipvalue() > 0 || optimizer.globalClipnorm() > 0 ||
      optimizer.weightDecay() > 0)
    throw Error(notOnGpu("gradient clipping and weight decay"));
  if (opt == "SGD") {
    momentum_ = float(oc.at("momentum").get<double>());
    nesterov_ = oc.at("nesterov").get<bool>();
    slotKinds_ = oc.at("momentum").get<double>() != 0 ? 1 : 0;
  } else if (opt == "Adam") {
    if (oc.at("amsgrad").get<bool>()) throw Error(notOnGpu("Adam with amsgrad"));
    adam_ = true;
    beta1d_ = oc.at("beta_1").get<double>();
    beta2d_ = oc.at("beta_2").get<double>();
    beta1_ = float(beta1d_);
    beta2_ = float(beta2d_);
    epsilon_ = float(oc.at("epsilon").get<double>());
    slotKinds_ = 2;
  } else {
    throw Error(notOnGpu("the optimizer " + opt));
  }

  // Parameters: the trainable ones in the optimizer's order, then the rest.
  for (Variable* v : trainable) vars_.emplace_back(v, 0);
  ntrain_ = vars_.size();
  for (Variable* v : model.allWeights())
    if (std::find(trainable.begin(), trainable.end(), v) == trainable.end())
      vars_.emplace_back(v, 0);
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
  xOff_ = at;
  at += roundUp(batch * inDim_);
  yOff_ = at;
  at += roundUp(batch * labelDim_);
  scaleOff_ = at;
  at += roundUp(batch);
  for (Op& op : ops_)
    if (op.kind == Kind::Mask) {
      op.mul = at;
      at += roundUp(batch * op.out);
      if (op.alpha) {
        op.add = at;
        at += roundUp(batch * op.out);
      }
    }
  hyperOff_ = at;
  at += 64;
  stageFloats_ = at;
  devStage_ = alloc(stageFloats_, "the input batch");
  check(cudaMallocHost(reinterpret_cast<void**>(&hostStage_), size_t(stageFloats_) * 4),
        "allocate pinned host memory");
  std::memset(hostStage_, 0, size_t(stageFloats_) * 4);
  check(cudaMallocHost(reinterpret_cast<void**>(&hostOut_), size_t(batch * outDim_) * 4),
        "allocate pinned host memory");
  auto buffer = [&](Index features, const char* what) {
    float* p = alloc(batch * features, what);
    buffers_.push_back(p);
    return p;
  };
  float* x = devStage_ + xOff_;
  float* gx = nullptr;  // gradient of the current op's input (null: the model input)
  for (Op& op : ops_) {
    switch (op.kind) {
      case Kind::Alias:
        op.y = x;
        op.gy = gx;
        break;
      case Kind::Dense:
        op.y = buffer(op.out, "the activations");
        op.z = op.act == kActLinear ? op.y : buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        break;
      case Kind::Act:
      case Kind::Mask:
        op.y = buffer(op.out, "the activations");
        op.gy = buffer(op.out, "the gradients");
        break;
    }
    x = op.y;
    gx = op.gy;
  }
  out_.resize({batch, outDim_});
}

// Input op k reads: the output of op k-1, or the model input.
void CudaExecutor::enqueueStep(Index n, bool train) {
  cudaStream_t s = stream_;
  check(cudaMemcpyAsync(devStage_, hostStage_, size_t(stageFloats_) * 4, cudaMemcpyHostToDevice, s),
        "copy the batch");
  const int rows = int(n);
  const float one = 1.0f, zero = 0.0f;
  std::vector<const float*> inputs(ops_.size());
  std::vector<float*> inputGrads(ops_.size());
  const float* x = devStage_ + xOff_;
  float* gx = nullptr;
  for (size_t k = 0; k < ops_.size(); ++k) {
    inputs[k] = x;
    inputGrads[k] = gx;
    x = ops_[k].y;
    gx = ops_[k].gy;
  }
  // ---- forward ----
  for (size_t k = 0; k < ops_.size(); ++k) {
    Op& op = ops_[k];
    const float* in = inputs[k];
    switch (op.kind) {
      case Kind::Alias:
        break;
      case Kind::Dense:
        // Z (rows, out) = X (rows, in) W (in, out), row-major; in cuBLAS's column-major terms
        // Z^T = W^T X^T with W^T stored as (out, in) leading dimension out.
        check(cublasSgemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, int(op.out), rows, int(op.in), &one,
                          params_ + op.w, int(op.out), in, int(op.in), &zero, op.z, int(op.out)),
              "Dense forward");
        launchBiasActivation(op.z, op.y, op.b >= 0 ? params_ + op.b : nullptr, rows, int(op.out),
                             op.act, s);
        break;
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
    }
  }
  const float* out = ops_.back().y;
  if (train) {
    // ---- loss gradient, backward, update ----
    launchLossGradient(loss_, devStage_ + yOff_, out, devStage_ + scaleOff_, ops_.back().gy, rows,
                       int(outDim_), fromLogits_, smoothing_, s);
    for (size_t k = ops_.size(); k-- > 0;) {
      Op& op = ops_[k];
      const float* in = inputs[k];
      float* gin = inputGrads[k];
      switch (op.kind) {
        case Kind::Alias:
          break;
        case Kind::Dense: {
          // dZ in place of dY; db = column sums of dZ; dW = X^T dZ; dX = dZ W^T.
          launchActivationBackward(op.gy, op.z, op.y, op.gy, op.b >= 0 ? grads_ + op.b : nullptr,
                                   rows, int(op.out), op.act, s);
          check(cublasSgemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, int(op.out), int(op.in), rows, &one,
                            op.gy, int(op.out), in, int(op.in), &zero, grads_ + op.w, int(op.out)),
                "Dense weight gradient");
          if (gin)
            check(cublasSgemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, int(op.in), rows, int(op.out), &one,
                              params_ + op.w, int(op.out), op.gy, int(op.out), &zero, gin,
                              int(op.in)),
                  "Dense input gradient");
          break;
        }
        case Kind::Act:
          if (gin)
            launchActivationBackward(op.gy, in, op.y, gin, nullptr, rows, int(op.out), op.act, s);
          break;
        case Kind::Mask:
          if (gin) launchMask(op.gy, gin, devStage_ + op.mul, nullptr, long(rows) * op.out, s);
          break;
      }
    }
    if (trainFloats_ > 0) {
      const float* hyper = devStage_ + hyperOff_;
      if (adam_)
        launchAdam(params_, grads_, slot0_, slot1_, trainFloats_, hyper, beta1_, beta2_, epsilon_,
                   s);
      else
        launchSgd(params_, grads_, slot0_, trainFloats_, hyper, momentum_, nesterov_, s);
    }
  }
  check(cudaMemcpyAsync(hostOut_, out, size_t(rows * outDim_) * 4, cudaMemcpyDeviceToHost, s),
        "copy the output");
}

CudaExecutor::Graph& CudaExecutor::graphFor(Index n, bool train) {
  auto key = std::make_pair(n, train);
  auto it = graphs_.find(key);
  if (it != graphs_.end()) return it->second;
  Graph g;
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

void CudaExecutor::upload(Optimizer& optimizer) {
  std::vector<Variable*> trainable;
  for (size_t j = 0; j < ntrain_; ++j) trainable.push_back(vars_[j].first);
  for (auto& [v, off] : vars_)
    check(cudaMemcpy(params_ + off, v->value.data(), size_t(v->value.size()) * 4,
                     cudaMemcpyHostToDevice),
          "upload the weights");
  if (slotKinds_ == 0) return;
  if (!optimizer.built()) optimizer.build(trainable);
  const std::vector<Tensor*> state = optimizer.state();
  const size_t nv = trainable.size();
  if (state.size() < nv * size_t(slotKinds_)) throw Error("GPU: optimizer state does not fit");
  for (int kind = 0; kind < slotKinds_; ++kind)
    for (size_t j = 0; j < nv; ++j)
      check(cudaMemcpy((kind ? slot1_ : slot0_) + vars_[j].second, state[kind * nv + j]->data(),
                       size_t(state[kind * nv + j]->size()) * 4, cudaMemcpyHostToDevice),
            "upload the optimizer state");
}

void CudaExecutor::download(Optimizer& optimizer) {
  check(cudaStreamSynchronize(stream_), "finish the steps");
  for (auto& [v, off] : vars_)
    check(cudaMemcpy(v->value.data(), params_ + off, size_t(v->value.size()) * 4,
                     cudaMemcpyDeviceToHost),
          "download the weights");
  if (slotKinds_ == 0 || !optimizer.built()) return;
  const size_t nv = ntrain_;
  const std::vector<Tensor*> state = optimizer.state();
  if (state.size() < nv * size_t(slotKinds_)) return;
  for (int kind = 0; kind < slotKinds_; ++kind)
    for (size_t j = 0; j < nv; ++j)
      check(cudaMemcpy(state[kind * nv + j]->data(), (kind ? slot1_ : slot0_) + vars_[j].second,
                       size_t(state[kind * nv + j]->size()) * 4, cudaMemcpyDeviceToHost),
            "download the optimizer state");
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

void CudaExecutor::run(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                       const float* scale, Index n, bool train, const Optimizer& optimizer,
                       RunContext& ctx) {
  if (n <= 0) return;
  if (n > batch_) allocate(n);
  if (x.size() != 1 || x[0].size() < n * inDim_) throw Error("GPU: the input batch does not fit");
  std::memcpy(hostStage_ + xOff_, x[0].data(), size_t(n * inDim_) * 4);
  if (train) {
    if (y.size() != 1 || y[0].size() < n * labelDim_) throw Error("GPU: the labels do not fit");
    std::memcpy(hostStage_ + yOff_, y[0].data(), size_t(n * labelDim_) * 4);
    std::memcpy(hostStage_ + scaleOff_, scale, size_t(n) * 4);
    // Dropout masks, drawn by the layer itself from ctx.rng as on the CPU.
    const bool wasTraining = ctx.training;
    ctx.training = true;
    for (Op& op : ops_)
      if (op.kind == Kind::Mask) {
        op.hostX.resize({n, op.out});
        op.layer->forward({&op.hostX}, op.hostY, ctx);
        auto* d = static_cast<DropoutBase*>(op.layer);
        float* mul = hostStage_ + op.mul;
        if (d->maskApplied()) {
          std::memcpy(mul, d->maskMul().data(), size_t(n * op.out) * 4);
          if (op.alpha)
            std::memcpy(hostStage_ + op.add, d->maskAdd().data(), size_t(n * op.out) * 4);
        } else {  // rate 0: identity
          std::fill(mul, mul + n * op.out, 1.0f);
          if (op.alpha) std::fill(hostStage_ + op.add, hostStage_ + op.add + n * op.out, 0.0f);
        }
      }
    ctx.training = wasTraining;
    // Per-step scalars of the update, as the CPU optimizers compute them.
    const double lr = optimizer.currentLearningRate();
    float* hyper = hostStage_ + hyperOff_;
    if (adam_) {
      const double t = double(optimizer.iterations() + 1);
      hyper[0] = float(lr / (1.0 - std::pow(beta1d_, t)));
      hyper[1] = float(1.0 / (1.0 - std::pow(beta2d_, t)));
    } else {
      hyper[0] = float(lr);
    }
  }
  Graph& g = graphFor(n, train);
  check(cudaGraphLaunch(g.exec, stream_), "launch the step");
  check(cudaStreamSynchronize(stream_), "run the step");
  out_.resize({n, outDim_});
  std::memcpy(out_.data(), hostOut_, size_t(n * outDim_) * 4);
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
                                           const std::vector<Variable*>& trainable,
                                           Index maxBatch) {
  return std::make_unique<CudaExecutor>(device, model, losses, lossWeights, optimizer, trainable,
                                        maxBatch);
}

}  // namespace tessel::gpu
