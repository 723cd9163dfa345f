#pragma once
// The launch functions of engine/gpu/GpuLayerKernels.h as the host emulation builds them
// (GpuLayerKernelsEmu.cpp, generated from GpuLayerKernels.cu; CudaEmulation.h): the same
// declarations in the namespace tessel::gpu_emu, apart from the real ones of the CUDA build.
// Include it before anything that includes engine/gpu/GpuLayerKernels.h itself.
#define gpu gpu_emu
#include "engine/gpu/GpuLayerKernels.h"
#undef gpu
