#pragma once
// The launch functions of engine/gpu/GpuKernels.h as the host emulation builds them
// (GpuKernelsEmu.cpp, generated from GpuKernels.cu; CudaEmulation.h): the same declarations in the
// namespace tessel::gpu_emu, apart from the real ones of the CUDA build. Include it before
// anything that includes engine/gpu/GpuKernels.h itself.
#define gpu gpu_emu
#include "engine/gpu/GpuKernels.h"
#undef gpu
