// Manual timing of the seed CNN's conv/pool layers (batch 32, forward + backward), printed as
// ms per batch and GFLOP/s. Skipped unless TESSEL_CONV_TIMING=1 (no timing assertions).
#include <QtTest>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "../support/GradCheck.h"
#include "ConvTestUtil.h"

using namespace tessel;
using namespace tessel::test;

class TestConvTiming : public QObject {
  Q_OBJECT
 private slots:
  void seedCnn();
};

void TestConvTiming::seedCnn() {
  const char* env = std::getenv("TESSEL_CONV_TIMING");
  if (!env || std::string(env) != "1") QSKIP("set TESSEL_CONV_TIMING=1 to run");
  const int reps =
      std::getenv("TESSEL_CONV_REPS") ? std::atoi(std::getenv("TESSEL_CONV_REPS")) : 20;
  struct L {
    std::string cls;
    json cfg;
    Shape in;
    bool first;
  };
  json conv = {{"kernel_size", 3}, {"padding", "same"}, {"activation", "relu"}};
  auto c = [&](int f) {
    json j = conv;
    j["filters"] = f;
    return j;
  };
  std::vector<L> net = {
      {"Conv2D", c(32), {kNone, 28, 28, 1}, true},
      {"Conv2D", c(32), {kNone, 28, 28, 32}, false},
      {"MaxPooling2D", json::object(), {kNone, 28, 28, 32}, false},
      {"Conv2D", c(64), {kNone, 14, 14, 32}, false},
      {"Conv2D", c(64), {kNone, 14, 14, 64}, false},
      {"MaxPooling2D", json::object(), {kNone, 14, 14, 64}, false},
      {"Conv2D", c(128), {kNone, 7, 7, 64}, false},
      {"Conv2D", c(128), {kNone, 7, 7, 128}, false},
      {"MaxPooling2D", json::object(), {kNone, 7, 7, 128}, false},
  };
  const Index N = 32;
  Rng rng(1);
  double totalMs = 0, totalFlop = 0;
  std::printf("%-14s %-22s %9s %9s %9s %8s\n", "layer", "input", "fwd ms", "bwd ms", "f+b ms",
              "GFLOP/s");
  for (auto& l : net) {
    auto layer = makeLayer(l.cls, l.cfg, l.in);
    Tensor x = randomTensor(withBatch(l.in, N), rng);
    Tensor y, dx;
    RunContext ctx;
    ctx.training = true;
    layer->forward({&x}, y, ctx);
    Tensor dy = randomTensor(y.shape(), rng);
    std::vector<Tensor*> dxp = {l.first ? nullptr : &dx};
    layer->backward({&x}, y, dy, dxp, ctx);
    double fwd = 0, bwd = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      layer->forward({&x}, y, ctx);
      auto t1 = std::chrono::steady_clock::now();
      layer->backward({&x}, y, dy, dxp, ctx);
      auto t2 = std::chrono::steady_clock::now();
      fwd += std::chrono::duration<double, std::milli>(t1 - t0).count();
      bwd += std::chrono::duration<double, std::milli>(t2 - t1).count();
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
  {
    // Calibration: a plain Eigen GEMM of conv2's forward shape (25088 x 288 · 288 x 32) on this
    // machine right now, to read the layer numbers as a fraction of what GEMM achieves.
    MatrixRM a = MatrixRM::Random(25088, 288), b = MatrixRM::Random(288, 32), c(25088, 32);
    c.noalias() = a * b;
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) c.noalias() = a * b;
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        reps;
    std::printf("calibration: plain GEMM 25088x288x32 %.3f ms = %.1f GFLOP/s\n", ms,
                2.0 * 25088 * 288 * 32 / (ms * 1e6));
  }
  std::printf(
      "total conv/pool f+b %.2f ms per batch of 32 (%.0f samples/s for these layers), "
      "%.1f GFLOP/s overall\n",
      totalMs, 32 * 1000.0 / totalMs, totalFlop / (totalMs * 1e6));
}

QTEST_APPLESS_MAIN(TestConvTiming)
#include "tst_engine_conv_timing.moc"
