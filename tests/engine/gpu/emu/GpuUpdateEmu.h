#pragma once
// engine/gpu/GpuUpdate.h's UpdatePlan in the namespace tessel::gpu_emu: the engine's own host code
// (GpuUpdate.cpp, compiled again by GpuUpdateEmu.cpp) driving the emulated kernels of
// GpuUpdateKernelsEmu.cpp, with the CUDA memory calls on host memory (CudaRuntimeEmu.h). Device
// pointers are host pointers. Include it before anything that includes engine/gpu/GpuUpdate.h.
#include "CudaRuntimeEmu.h"
#include "GpuUpdateKernelsEmu.h"
#define gpu gpu_emu
#include "engine/gpu/GpuUpdate.h"
#undef gpu
