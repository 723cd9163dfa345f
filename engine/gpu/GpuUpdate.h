#pragma once
// The optimizer update of a GPU training step (GpuExecutor): every optimizer of the catalog
// (SGD with momentum / nesterov, Adam with amsgrad, Adamax, Nadam, RMSprop with rho / momentum /
// centered, Adagrad with initial_accumulator_value) with the options every optimizer has:
// clipnorm, global_clipnorm, clipvalue, weight_decay (decoupled, on every trainable variable as
// the CPU) and learning-rate schedules (host side: currentLearningRate()). Numerics are the CPU
// engine's (Optimizer::apply, engine/optimizers/*.cpp), FP32 with the per-step scalars computed
// on the host in double as the CPU does.
//
// Layout: params, grads and each slot array are flat device arrays with the same offsets; each
// trainable variable is a segment (offset, count). Only the segments are read and written (the
// gaps between them may hold anything). Slot kind k is the CPU optimizer's slot kind k (state()
// order), so upload / download copy state() <-> slots one to one (hostSlot).
//
// Everything enqueue() does is kernel launches on one stream (no allocation, sync or branch on
// device values): it can be captured once in the step's CUDA graph and replayed; the per-step
// scalars come from the hyper block the host fills (hostScalars) and copies up before each replay.
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "engine/gpu/GpuUpdateKernels.h"

namespace tessel {
class Optimizer;
class Tensor;
}  // namespace tessel

namespace tessel::gpu {

struct UpdateSegment {
  long offset;  // in params / grads / slots (floats)
  long count;   // the variable's size
};

class UpdatePlan {
 public:
  // Throws tessel::Error("<what> is not on the GPU yet; use --device cpu") for an optimizer
  // without a GPU path (a custom class, or a subclass of an engine optimizer).
  explicit UpdatePlan(const Optimizer& optimizer);
  ~UpdatePlan();
  UpdatePlan(const UpdatePlan&) = delete;
  UpdatePlan& operator=(const UpdatePlan&) = delete;

  // Slot arrays the update needs (0 to 3), each as long as the trainable floats.
  int slotKinds() const { return slotKinds_; }
  // The host tensor behind slot `kind` of trainable variable j (of nv), in the CPU optimizer's
  // state(): state()[kind * nv + j]. The optimizer must be built (Optimizer::build) for the nv
  // trainable variables; throws Error when its state does not match this plan.
  Tensor* hostSlot(Optimizer& optimizer, int kind, size_t j, size_t nv) const;

  // Per-step scalars (UpdateHyper in GpuUpdateKernels.h), written by hostScalars.
  static constexpr int kHyperFloats = 16;
  // The scalars of the next step from optimizer.currentLearningRate() and t =
  // optimizer.iterations() + 1, in double then float as the CPU optimizer computes them.
  void hostScalars(const Optimizer& optimizer, float* hyper) const;

  // Once before any capture, with the trainable variables' segments (in the optimizer's order,
  // within [0, trainFloats)): uploads the chunk table and allocates the norm scratch (clipnorm,
  // global_clipnorm). Synchronous; freed by the destructor.
  void prepare(const std::vector<UpdateSegment>& segments, long trainFloats);
  // The whole update (clip scales, clipping, weight decay, the optimizer) on `stream`: at most 3
  // kernel launches. slots[k] for k < slotKinds(); hyperDev: the device copy of the hyper block.
  void enqueue(float* params, float* grads, float* const* slots, const float* hyperDev,
               cudaStream_t stream) const;

  // Dynamic loss scaling (mixed_float16), before the regularizers' gradients and enqueue(): the
  // trainable gradients times hyper[kHyperInvScale], and hyper[kHyperSkip] = 1 when one is not
  // finite (enqueue() then changes nothing). One kernel launch.
  void enqueueUnscale(float* grads, float* hyperDev, cudaStream_t stream) const;

  // For the tests and the profile: kernels enqueue() launches (0 before prepare()).
  int launches() const;

 private:
  UpdateConfig cfg_;
  std::string name_;  // the optimizer's name(), for hostSlot's check
  int slotKinds_ = 0;
  double beta1_ = 0, beta2_ = 0;  // Adam family, in double for the bias corrections
  double weightDecay_ = 0, clipnorm_ = 0, globalClipnorm_ = 0;
  // Nadam's running product P_t = prod_{s<=t} u_s (as Nadam::beginStep: recomputed when t jumps).
  mutable long long productT_ = 0;
  mutable double product_ = 1.0;

  std::vector<UpdateSegment> segments_;
  int nchunks_ = 0, nseg_ = 0;
  UpdateChunk* chunks_ = nullptr;  // device, nchunks_
  int* segFirst_ = nullptr;        // device, nseg_ + 1: first chunk of each segment
  double* partial_ = nullptr;      // device, nchunks_ (clip norms only)
  double* segSq_ = nullptr;        // device, nseg_
  float* segScale_ = nullptr;      // device, nseg_
  void release();
};

}  // namespace tessel::gpu
