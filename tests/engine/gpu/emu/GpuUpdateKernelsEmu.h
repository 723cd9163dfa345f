#pragma once
// The launch functions of engine/gpu/GpuUpdateKernels.h as the host emulation builds them
// (GpuUpdateKernelsEmu.cpp, generated from GpuUpdateKernels.cu; CudaEmulation.h): the same
// declarations in the namespace tessel::gpu_emu, apart from the real ones of the CUDA build.
// Include it before anything that includes engine/gpu/GpuUpdateKernels.h itself.
#define gpu gpu_emu
#include "engine/gpu/GpuUpdateKernels.h"
#undef gpu
