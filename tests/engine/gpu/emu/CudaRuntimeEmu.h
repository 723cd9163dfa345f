#pragma once
// The few CUDA runtime calls of the GPU backend's host code (GpuUpdate.cpp: cudaMalloc,
// cudaMemcpy, cudaFree and CudaCheck.h's error calls) on host memory, for GpuUpdateEmu.cpp. They
// are C++ functions (mangled names), so they never clash with libcudart's C symbols in the test
// executable; the types are this header's own (the stub cuda_runtime.h has none).
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

enum cudaError { cudaSuccess = 0, cudaErrorMemoryAllocation = 2 };
typedef enum cudaError cudaError_t;
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};

inline cudaError_t cudaMalloc(void** p, std::size_t bytes) {
  *p = std::malloc(bytes);
  return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind) {
  std::memcpy(dst, src, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaGetLastError() {
  return cudaSuccess;
}
inline const char* cudaGetErrorString(cudaError_t e) {
  return e == cudaSuccess ? "no error" : "out of memory (emulated)";
}
