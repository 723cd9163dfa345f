#pragma once
// The launch functions of engine/gpu/GpuLossKernels.h as the host emulation builds them
// (GpuLossKernelsEmu.cpp, generated from GpuLossKernels.cu; CudaEmulation.h): the same
// declarations in the namespace tessel::gpu_emu, apart from the real ones of the CUDA build.
// Include it before anything that includes engine/gpu/GpuLossKernels.h itself.
#define gpu gpu_emu
#include "engine/gpu/GpuLossKernels.h"
#undef gpu
