#pragma once
// Which devices the engine can train on: "cpu" or a CUDA GPU ("cuda", "cuda:N"). This interface
// is compiled in every build; without the CUDA backend (CMake TESSEL_CUDA off or no toolkit
// found) it reports no GPU and says why. No CUDA types here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {
class ModelSpec;
}

namespace tessel::gpu {

struct DeviceInfo {
  int index = 0;
  std::string name;            // "NVIDIA H100 80GB HBM3"
  std::size_t totalBytes = 0;  // device memory
  std::size_t freeBytes = 0;   // free at the time of the query
  int major = 0, minor = 0;    // compute capability
  int multiprocessors = 0;
};

// True when this build has the CUDA backend.
bool cudaBuild();
// Number of CUDA devices (0 without the backend, without a driver or without a GPU).
int deviceCount();
// Throws Error when index is not a device.
DeviceInfo deviceInfo(int index);
// Why no GPU can be used ("this build has no CUDA backend ...", "no CUDA device found: ..."), or
// "" when at least one device is there.
std::string unavailableReason();

// Device memory that training `spec` at `batch` takes (GpuExecutor's buffers), for the pre-flight
// check: three floats per layer output feature and sample (output, pre-activation, gradient), the
// per-step buffers of recurrent layers (3 x gates + 6 floats per unit and step),
// twice the input batch (staging), weights and gradients and `optimizerSlots` slots per
// parameter, cuBLAS's 32 MiB workspace, cuDNN's 256 MiB one when the model has convolutions, and
// 400 MiB for the CUDA context and libraries. An estimate, not a bound. Works without CUDA.
std::int64_t estimateDeviceBytes(const ModelSpec& spec, std::int64_t parameters, std::int64_t batch,
                                 int optimizerSlots);

// "cpu" -> -1; "cuda" -> 0; "cuda:N" -> N. Throws Error for anything else.
int parseDevice(const std::string& text);
// parseDevice, then checks that the GPU exists: throws Error with a clear message (no CUDA build,
// no device, index out of range). Returns the index (-1 for cpu).
int requireDevice(const std::string& text);

}  // namespace tessel::gpu
