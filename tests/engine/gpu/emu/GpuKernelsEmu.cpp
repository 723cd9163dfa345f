// What the emulated GpuLayerKernels.cu calls from GpuKernels.cu (not emulated itself): column sums
// in double (GpuKernels.cu sums chunks of rows in double, then the chunks in double: equal to
// within double rounding, so the same float after the final rounding but for rare ties).
#define gpu gpu_emu
#include "engine/gpu/GpuKernels.h"
#undef gpu

namespace tessel::gpu_emu {

void launchColumnSums(const float* a, int rows, int cols, double* scratch, float* out,
                      cudaStream_t stream) {
  (void)scratch;
  (void)stream;
  for (int c = 0; c < cols; ++c) {
    double sum = 0.0;
    for (long r = 0; r < rows; ++r) sum += double(a[r * long(cols) + c]);
    out[c] = float(sum);
  }
}

}  // namespace tessel::gpu_emu
