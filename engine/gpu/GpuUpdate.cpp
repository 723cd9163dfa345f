// The optimizer update on the GPU (GpuUpdate.h): the host side (which optimizer, its constants,
// the per-step scalars, the chunk table); the kernels are in GpuUpdateKernels.cu. Compiled only
// in a CUDA build (TESSEL_CUDA).
#include "engine/gpu/GpuUpdate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <typeinfo>

#include "engine/core/Error.h"
#include "engine/gpu/CudaCheck.h"
#include "engine/optimizers/Adagrad.h"
#include "engine/optimizers/Adam.h"
#include "engine/optimizers/Adamax.h"
#include "engine/optimizers/Nadam.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/optimizers/RMSprop.h"
#include "engine/optimizers/SGD.h"

namespace tessel::gpu {

namespace {

using gpu::check;  // CudaCheck.h (cudaError_t)

std::string notOnGpu(const std::string& what) {
  return what + " is not on the GPU yet; use --device cpu";
}

template <class T>
T* deviceCopy(const std::vector<T>& host, const char* what) {
  T* p = nullptr;
  const size_t bytes = std::max<size_t>(host.size(), 1) * sizeof(T);
  check(cudaMalloc(reinterpret_cast<void**>(&p), bytes), std::string("allocate ") + what);
  if (!host.empty()) {
    const cudaError_t e =
        cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice);
    if (e != cudaSuccess) cudaFree(p);
    check(e, std::string("upload ") + what);
  }
  return p;
}

template <class T>
T* deviceAlloc(size_t n, const char* what) {
  T* p = nullptr;
  check(cudaMalloc(reinterpret_cast<void**>(&p), std::max<size_t>(n, 1) * sizeof(T)),
        std::string("allocate ") + what);
  return p;
}

}  // namespace

UpdatePlan::UpdatePlan(const Optimizer& optimizer) : name_(optimizer.name()) {
  // The exact engine classes only: a subclass could override update().
  const std::type_info& type = typeid(optimizer);
  const json c = optimizer.config();
  auto num = [&](const char* key) { return c.at(key).get<double>(); };
  if (type == typeid(SGD)) {
    const auto& sgd = static_cast<const SGD&>(optimizer);
    cfg_.algo = kUpdateSgd;
    cfg_.useMomentum = sgd.momentum() != 0;  // SGD::update's test, in double
    cfg_.momentum = float(sgd.momentum());
    cfg_.nesterov = sgd.nesterov();
    slotKinds_ = cfg_.useMomentum ? 1 : 0;  // "m"
  } else if (type == typeid(Adam) || type == typeid(Adamax) || type == typeid(Nadam)) {
    cfg_.algo = type == typeid(Adam) ? kUpdateAdam
                                     : (type == typeid(Adamax) ? kUpdateAdamax : kUpdateNadam);
    beta1_ = num("beta_1");
    beta2_ = num("beta_2");
    cfg_.beta1 = float(beta1_);
    cfg_.beta2 = float(beta2_);
    cfg_.epsilon = float(num("epsilon"));
    cfg_.amsgrad = cfg_.algo == kUpdateAdam && c.at("amsgrad").get<bool>();
    slotKinds_ = cfg_.amsgrad ? 3 : 2;  // "m", "v" ("u" for Adamax), "vhat"
  } else if (type == typeid(RMSprop)) {
    cfg_.algo = kUpdateRmsprop;
    cfg_.rho = float(num("rho"));
    cfg_.epsilon = float(num("epsilon"));
    const double momentum = num("momentum");
    cfg_.momentum = float(momentum);
    cfg_.useMomentum = momentum > 0;  // RMSprop's test
    cfg_.centered = c.at("centered").get<bool>();
    // Kinds as RMSprop's constructor makes them: "velocity", "momentum", "average_gradient".
    slotKinds_ = 1;
    if (cfg_.useMomentum) cfg_.momentumSlot = slotKinds_++;
    if (cfg_.centered) cfg_.averageSlot = slotKinds_++;
  } else if (type == typeid(Adagrad)) {
    // The accumulator starts at initial_accumulator_value in the host state (uploaded).
    cfg_.algo = kUpdateAdagrad;
    cfg_.epsilon = float(num("epsilon"));
    slotKinds_ = 1;  // "accumulator"
  } else {
    // A class of the user's own, or a subclass of an engine optimizer keeping its name.
    const bool engineName = name_ == "SGD" || name_ == "Adam" || name_ == "Adamax" ||
                            name_ == "Nadam" || name_ == "RMSprop" || name_ == "Adagrad";
    throw Error(notOnGpu("the optimizer " + name_ + (engineName ? " (a subclass)" : "")));
  }
  weightDecay_ = optimizer.weightDecay();
  clipnorm_ = optimizer.clipnorm();
  globalClipnorm_ = optimizer.globalClipnorm();
  cfg_.weightDecay = weightDecay_ > 0;
  cfg_.clipvalue = optimizer.clipvalue() > 0 ? float(optimizer.clipvalue()) : 0.0f;
  cfg_.normScale = clipnorm_ > 0 || globalClipnorm_ > 0;
}

UpdatePlan::~UpdatePlan() {
  release();
}

void UpdatePlan::release() {
  for (void* p :
       {static_cast<void*>(chunks_), static_cast<void*>(segFirst_), static_cast<void*>(partial_),
        static_cast<void*>(segSq_), static_cast<void*>(segScale_)})
    if (p) cudaFree(p);
  chunks_ = nullptr;
  segFirst_ = nullptr;
  partial_ = nullptr;
  segSq_ = nullptr;
  segScale_ = nullptr;
  nchunks_ = nseg_ = 0;
}

Tensor* UpdatePlan::hostSlot(Optimizer& optimizer, int kind, size_t j, size_t nv) const {
  if (optimizer.name() != name_) throw Error("GPU: the optimizer is not the one of the plan");
  if (kind < 0 || kind >= slotKinds_ || j >= nv || (!segments_.empty() && nv != segments_.size()))
    throw Error("GPU: no optimizer slot " + std::to_string(kind) + " of variable " +
                std::to_string(j));
  // state(): every variable's slot of the first kind, then of the second, ... (Optimizer.h).
  const std::vector<Tensor*> state = optimizer.state();
  if (state.size() != size_t(slotKinds_) * nv)
    throw Error("GPU: the optimizer state (" + std::to_string(state.size()) +
                " tensors) does not fit " + std::to_string(slotKinds_) + " slots of " +
                std::to_string(nv) + " variables");
  Tensor* t = state[size_t(kind) * nv + j];
  if (!segments_.empty() && t->size() != segments_[j].count)
    throw Error("GPU: optimizer slot " + std::to_string(kind) + " of variable " +
                std::to_string(j) + " does not match the variable's size");
  return t;
}

void UpdatePlan::hostScalars(const Optimizer& optimizer, float* hyper) const {
  const double lr = optimizer.currentLearningRate();
  const long long t = optimizer.iterations() + 1;
  std::fill(hyper, hyper + kHyperFloats, 0.0f);
  hyper[kHyperInvScale] = 1.0f;  // no loss scaling unless the executor sets one
  hyper[kHyperLr] = float(lr);
  hyper[kHyperDecay] = float(weightDecay_ * lr);  // Optimizer::apply
  switch (cfg_.algo) {
    case kUpdateAdam:  // Adam::update
      hyper[kHyperC1] = float(lr / (1.0 - std::pow(beta1_, double(t))));
      hyper[kHyperC2] = float(1.0 / (1.0 - std::pow(beta2_, double(t))));
      break;
    case kUpdateAdamax:  // Adamax::update
      hyper[kHyperC1] = float(lr / (1.0 - std::pow(beta1_, double(t))));
      break;
    case kUpdateNadam: {  // Nadam::beginStep and Nadam::update
      auto u = [&](long long s) { return beta1_ * (1.0 - 0.5 * std::pow(0.96, double(s))); };
      if (productT_ != t - 1) {  // first step, or iterations() was set (resume)
        product_ = 1.0;
        for (long long s = 1; s < t; ++s) product_ *= u(s);
      }
      const double ut = u(t), ut1 = u(t + 1);
      product_ *= ut;
      productT_ = t;
      const double pt = product_, pt1 = product_ * ut1;
      hyper[kHyperC1] = float(ut1 / (1.0 - pt1));
      hyper[kHyperC2] = float((1.0 - ut) / (1.0 - pt));
      hyper[kHyperC3] = float(1.0 / (1.0 - std::pow(beta2_, double(t))));
      break;
    }
    default:  // SGD, RMSprop, Adagrad: the learning rate alone
      break;
  }
}

void UpdatePlan::prepare(const std::vector<UpdateSegment>& segments, long trainFloats) {
  release();
  segments_ = segments;
  if (segments.size() >= size_t(1) << 30) throw Error("GPU: too many trainable variables");
  std::vector<UpdateChunk> chunks;
  std::vector<int> first;
  first.reserve(segments.size() + 1);
  for (size_t s = 0; s < segments.size(); ++s) {
    const UpdateSegment& seg = segments[s];
    if (seg.offset < 0 || seg.count < 0 || seg.offset + seg.count > trainFloats)
      throw Error("GPU: trainable variable " + std::to_string(s) +
                  " lies outside the trainable floats");
    first.push_back(int(chunks.size()));
    for (long at = 0; at < seg.count; at += kUpdateChunkFloats)
      chunks.push_back(
          {seg.offset + at, int(std::min<long>(kUpdateChunkFloats, seg.count - at)), int(s)});
    if (chunks.size() >= size_t(1) << 31) throw Error("GPU: too many trainable floats");
  }
  first.push_back(int(chunks.size()));
  nchunks_ = int(chunks.size());
  nseg_ = int(segments.size());
  chunks_ = deviceCopy(chunks, "the update's chunk table");
  if (cfg_.normScale) {
    segFirst_ = deviceCopy(first, "the update's segment table");
    partial_ = deviceAlloc<double>(size_t(nchunks_), "the gradient norm scratch");
    segSq_ = deviceAlloc<double>(size_t(nseg_), "the gradient norm scratch");
    segScale_ = deviceAlloc<float>(size_t(nseg_), "the gradient norm scratch");
  }
}

void UpdatePlan::enqueue(float* params, float* grads, float* const* slots, const float* hyperDev,
                         cudaStream_t stream) const {
  if (nchunks_ == 0) return;  // nothing trainable (or prepare() not called)
  if (cfg_.normScale)
    launchClipScales(grads, chunks_, nchunks_, segFirst_, nseg_, clipnorm_, globalClipnorm_,
                     partial_, segSq_, segScale_, stream);
  float* s[3] = {nullptr, nullptr, nullptr};
  for (int k = 0; k < slotKinds_ && k < 3; ++k) s[k] = slots[k];
  launchUpdate(cfg_, params, grads, s[0], s[1], s[2], chunks_, nchunks_, segScale_, hyperDev,
               stream);
}

void UpdatePlan::enqueueUnscale(float* grads, float* hyperDev, cudaStream_t stream) const {
  launchUnscale(grads, chunks_, nchunks_, hyperDev, stream);
}

int UpdatePlan::launches() const {
  if (nchunks_ == 0) return 0;
  return cfg_.normScale ? 3 : 1;
}

}  // namespace tessel::gpu
