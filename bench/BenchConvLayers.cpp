// `tessel-bench conv-layers`: the Fashion-MNIST CNN's convolution and pooling layers alone
// (Conv2D 32,32 / 64,64 / 128,128, 3x3 same relu, MaxPooling2D after each pair), batch 32, forward
// and backward on random data, --reps times each (default 20) after one warm-up pass. Prints per
// layer the ms of forward, backward and both and the Conv2D GFLOP/s (forward + dW + dx, the first
// layer has no dx), a plain Eigen GEMM of the second layer's forward shape (25088 x 288 x 32) as
// calibration, and, last, `samples_per_s=N` for the whole stack.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/Args.h"
#include "bench/BenchRegistry.h"
#include "engine/core/Rng.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/tensor/Shape.h"
#include "engine/tensor/Tensor.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Tensor randomTensor(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

struct LayerCase {
  std::string cls;
  json config;
  Shape in;
  bool first;  // no gradient for the input
};

std::vector<LayerCase> cnnLayers() {
  auto conv = [](int filters) {
    return json{
        {"kernel_size", 3}, {"padding", "same"}, {"activation", "relu"}, {"filters", filters}};
  };
  return {
      {"Conv2D", conv(32), {kNone, 28, 28, 1}, true},
      {"Conv2D", conv(32), {kNone, 28, 28, 32}, false},
      {"MaxPooling2D", json::object(), {kNone, 28, 28, 32}, false},
      {"Conv2D", conv(64), {kNone, 14, 14, 32}, false},
      {"Conv2D", conv(64), {kNone, 14, 14, 64}, false},
      {"MaxPooling2D", json::object(), {kNone, 14, 14, 64}, false},
      {"Conv2D", conv(128), {kNone, 7, 7, 64}, false},
      {"Conv2D", conv(128), {kNone, 7, 7, 128}, false},
      {"MaxPooling2D", json::object(), {kNone, 7, 7, 128}, false},
  };
}

// A plain Eigen GEMM of conv2's forward shape (25088 x 288 . 288 x 32) on this machine now, to
// read the layer figures as a fraction of what GEMM achieves.
void printCalibration(int reps) {
  MatrixRM a = MatrixRM::Random(25088, 288), b = MatrixRM::Random(288, 32), c(25088, 32);
  c.noalias() = a * b;
  auto t0 = Clock::now();
  for (int r = 0; r < reps; ++r) c.noalias() = a * b;
  double ms = msSince(t0) / reps;
  std::printf("calibration: plain GEMM 25088x288x32 %.3f ms = %.1f GFLOP/s\n", ms,
              2.0 * 25088 * 288 * 32 / (ms * 1e6));
}

int runConvLayers(const BenchOptions& o) {
  const int reps = o.args ? static_cast<int>(o.args->intValue("--reps", 20, 1, 100000)) : 20;
  const Index n = 32;
  Rng rng(1);
  double totalMs = 0, totalFlop = 0;
  std::printf("%-14s %-22s %9s %9s %9s %8s\n", "layer", "input", "fwd ms", "bwd ms", "f+b ms",
              "GFLOP/s");
  for (const auto& l : cnnLayers()) {
    auto layer = LayerRegistry::instance().create(l.cls, l.config, "node");
    Rng init(7);
    layer->build({l.in}, init);
    Tensor x = randomTensor(withBatch(l.in, n), rng);
    Tensor y, dx;
    RunContext ctx;
    ctx.training = true;
    layer->forward({&x}, y, ctx);
    Tensor dy = randomTensor(y.shape(), rng);
    std::vector<Tensor*> dxp = {l.first ? nullptr : &dx};
    layer->backward({&x}, y, dy, dxp, ctx);
    double fwd = 0, bwd = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      layer->forward({&x}, y, ctx);
      fwd += msSince(t0);
      auto t1 = Clock::now();
      layer->backward({&x}, y, dy, dxp, ctx);
      bwd += msSince(t1);
    }
    fwd /= reps, bwd /= reps;
    double flop = 0;
    if (l.cls == "Conv2D") {
      double macs = double(y.size()) * 9 * double(l.in[3]);
      flop = 2 * macs * (l.first ? 2 : 3);  // forward + dW (+ dx)
    }
    totalMs += fwd + bwd;
    totalFlop += flop;
    std::printf("%-14s %-22s %9.3f %9.3f %9.3f %8.1f\n", l.cls.c_str(), shapeToString(l.in).c_str(),
                fwd, bwd, fwd + bwd, flop > 0 ? flop / ((fwd + bwd) * 1e6) : 0.0);
  }
  printCalibration(reps);
  std::printf("total conv/pool f+b %.2f ms per batch of %lld, %.1f GFLOP/s overall\n", totalMs,
              static_cast<long long>(n), totalFlop / (totalMs * 1e6));
  std::printf("samples_per_s=%.0f\n", double(n) * 1000.0 / totalMs);
  std::fflush(stdout);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(conv_layers, "conv-layers",
                      "the Fashion-MNIST CNN's Conv2D/MaxPooling2D layers alone, batch 32, "
                      "forward and backward: ms per layer, GFLOP/s, GEMM calibration",
                      runConvLayers,
                      {{"--reps", "N", false, "timed passes per layer (default 20)"}});

}  // namespace tessel::bench
