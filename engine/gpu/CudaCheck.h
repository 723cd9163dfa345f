#pragma once
// A CUDA runtime error as tessel::Error ("CUDA: <what>: <message>"), for the GPU backend's host
// code (GpuExecutor.cpp, GpuUpdate.cpp); the sticky error state is cleared first.
#include <cuda_runtime.h>

#include <string>

#include "engine/core/Error.h"

namespace tessel::gpu {

inline void check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw Error("CUDA: " + what + ": " + cudaGetErrorString(e));
  }
}

}  // namespace tessel::gpu
