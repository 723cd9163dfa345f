// engine/gpu/GpuUpdate.cpp (UpdatePlan: the optimizer update's host side) compiled into the
// namespace tessel::gpu_emu, so that the test drives the engine's own plan (its chunk table,
// hyper-parameter block and launches) against the emulated kernels of GpuUpdateKernelsEmu.cpp.
// cudaMalloc / cudaMemcpy / cudaFree work on host memory (CudaRuntimeEmu.h).
#include "CudaRuntimeEmu.h"

// The engine headers GpuUpdate.cpp includes, outside the renaming (they stay tessel's own).
#include <algorithm>
#include <cmath>
#include <string>
#include <typeinfo>

#include "engine/core/Error.h"
#include "engine/optimizers/Adagrad.h"
#include "engine/optimizers/Adam.h"
#include "engine/optimizers/Adamax.h"
#include "engine/optimizers/Nadam.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/optimizers/RMSprop.h"
#include "engine/optimizers/SGD.h"

// GpuUpdate.h, GpuUpdateKernels.h and CudaCheck.h (not yet included) in tessel::gpu_emu.
#define gpu gpu_emu
#include "engine/gpu/GpuUpdate.cpp"
#undef gpu
