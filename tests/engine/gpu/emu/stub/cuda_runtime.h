#pragma once
// Stand-in for the CUDA runtime header when a .cu file is compiled as plain C++ by the kernel
// emulation (CudaEmulation.h): only the types the engine's kernel headers name. cudaStream_t is
// the same type as the real header's, so that declarations mangle alike.
typedef struct CUstream_st* cudaStream_t;

// CUDA's launch dimensions (vector_types.h): a dim3 converts from one integer (x; y = z = 1).
struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
};
struct uint3 {
  unsigned x = 0, y = 0, z = 0;
};
