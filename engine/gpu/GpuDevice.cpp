#include "engine/gpu/GpuDevice.h"

#include <algorithm>
#include <cstdlib>

#include "engine/core/Error.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/graph/ModelSpec.h"

#ifdef TESSEL_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace tessel::gpu {

#ifdef TESSEL_HAVE_CUDA
bool cudaBuild() {
  return true;
}

int deviceCount() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return n;
}

std::string unavailableReason() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    cudaGetLastError();
    return std::string("no CUDA device found (") + cudaGetErrorString(e) + ")";
  }
  return n > 0 ? "" : "no CUDA device found";
}

DeviceInfo deviceInfo(int index) {
  const int n = deviceCount();
  if (index < 0 || index >= n)
    throw Error("cuda:" + std::to_string(index) + " is not a device (" + std::to_string(n) +
                " CUDA device(s) found)");
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, index) != cudaSuccess)
    throw Error("cuda:" + std::to_string(index) + ": cannot read the device properties");
  DeviceInfo info;
  info.index = index;
  info.name = p.name;
  info.totalBytes = p.totalGlobalMem;
  info.major = p.major;
  info.minor = p.minor;
  info.multiprocessors = p.multiProcessorCount;
  int current = 0;
  cudaGetDevice(&current);
  if (cudaSetDevice(index) == cudaSuccess) {
    size_t freeB = 0, totalB = 0;
    if (cudaMemGetInfo(&freeB, &totalB) == cudaSuccess) info.freeBytes = freeB;
    cudaSetDevice(current);
  }
  return info;
}
#else
bool cudaBuild() {
  return false;
}
int deviceCount() {
  return 0;
}
std::string unavailableReason() {
  return "this build has no CUDA backend (configure with the CUDA toolkit installed, "
         "TESSEL_CUDA=AUTO or ON)";
}
DeviceInfo deviceInfo(int index) {
  throw Error("cuda:" + std::to_string(index) + ": " + unavailableReason());
}
#endif

std::int64_t estimateDeviceBytes(const ModelSpec& spec, std::int64_t parameters, std::int64_t batch,
                                 int optimizerSlots) {
  const ShapeReport shapes = inferShapes(spec);
  std::int64_t features = 0, inputs = 0;
  bool conv = false;
  for (const auto& [name, ns] : shapes.nodes) {
    if (!ns.output) continue;
    std::int64_t e = 1;
    for (size_t d = 1; d < ns.output->size(); ++d) e *= std::max<std::int64_t>(1, (*ns.output)[d]);
    features += e;
    if (std::find(spec.inputs.begin(), spec.inputs.end(), name) != spec.inputs.end()) inputs += e;
  }
  for (const NodeSpec& node : spec.nodes) {
    conv = conv || node.className.find("Conv") != std::string::npos;
    // Recurrent layers keep every step: pre-activations, activations and their gradients (3 x
    // gates x units), the states and the cell / GRU products (about 6 x units).
    const int gates = node.className == "LSTM"        ? 4
                      : node.className == "GRU"       ? 3
                      : node.className == "SimpleRNN" ? 1
                                                      : 0;
    const NodeShapes* ns = shapes.find(node.name);
    if (gates == 0 || !ns || ns->inputs.empty() || ns->inputs[0].size() != 3) continue;
    const std::int64_t steps = std::max<std::int64_t>(1, ns->inputs[0][1]);
    const std::int64_t units = node.config.value("units", 0);
    features += steps * units * (3 * gates + 6);
  }
  const std::int64_t mib = 1 << 20;
  return 4 * (3 * features * batch + 2 * inputs * batch + parameters * (2 + optimizerSlots)) +
         32 * mib + (conv ? 256 * mib : 0) + 400 * mib;
}

int parseDevice(const std::string& text) {
  if (text == "cpu") return -1;
  if (text == "cuda" || text == "gpu") return 0;
  if (text.rfind("cuda:", 0) == 0 && text.size() > 5 && text.size() < 9) {
    int v = 0;
    for (size_t i = 5; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') v = -1;
      if (v >= 0) v = v * 10 + (text[i] - '0');
    }
    if (v >= 0) return v;
  }
  throw Error("unknown device '" + text + "' (expected cpu, cuda or cuda:N)");
}

Precision precisionFromName(const std::string& policy) {
  if (policy == "float32") return Precision::Float32;
  if (policy == "mixed_float16") return Precision::MixedFloat16;
  if (policy == "mixed_bfloat16") return Precision::MixedBFloat16;
  throw Error("unknown dtype policy '" + policy +
              "' (expected float32, mixed_float16 or mixed_bfloat16)");
}

int requireDevice(const std::string& text) {
  const int index = parseDevice(text);
  if (index < 0) return index;
  const std::string why = unavailableReason();
  if (!why.empty()) throw Error("device " + text + ": " + why + "; use --device cpu");
  const int n = deviceCount();
  if (index >= n)
    throw Error("device " + text + ": only " + std::to_string(n) + " CUDA device(s) (cuda:0" +
                (n > 1 ? " to cuda:" + std::to_string(n - 1) : std::string()) + ")");
  return index;
}

}  // namespace tessel::gpu
