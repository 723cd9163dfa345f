// Executor::create in a build without the CUDA backend: a clear error, never a silent CPU run.
#include "engine/core/Error.h"
#include "engine/gpu/GpuExecutor.h"

namespace tessel::gpu {

std::unique_ptr<Executor> Executor::create(int device, Model&, const std::vector<const Loss*>&,
                                           const std::vector<double>&, const Optimizer&,
                                           const std::vector<Variable*>&, Index, Numerics) {
  throw Error("cuda:" + std::to_string(device) + ": " + unavailableReason() + "; use --device cpu");
}

void Executor::checkPlan(Model&, const std::vector<const Loss*>&, const Optimizer&) {
  throw Error(unavailableReason());
}

std::vector<ConvPlan> Executor::convPlans(Model&) {
  throw Error(unavailableReason());
}

std::unique_ptr<Executor> Executor::createInference(int device, Model&, Index, Numerics) {
  throw Error("cuda:" + std::to_string(device) + ": " + unavailableReason() + "; use --device cpu");
}

}  // namespace tessel::gpu
