#pragma once
// Stand-in for CUDA's half-precision header in the kernel emulation (CudaEmulation.h): the type
// and the conversions engine/gpu/GpuKernels.cu uses, through g++'s _Float16 (IEEE binary16,
// conversions rounded to nearest-even, overflow to +-inf).
struct __half {
  _Float16 value;
};
inline __half __float2half_rn(float f) {
  return {static_cast<_Float16>(f)};
}
inline float __half2float(__half h) {
  return static_cast<float>(h.value);
}
