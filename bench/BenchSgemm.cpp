// `tessel-bench sgemm`: Eigen single-precision GEMM speed on this machine, the peak the
// convolution benchmarks are measured against. Square sizes and the im2col GEMMs of the
// Fashion-MNIST CNN (batch 32, 3x3 same convolutions: (32*H*W, 9*Cin) x (9*Cin, Cout)), row-major
// as the engine stores them, on 1 and 2 threads. Prints one line per case and, last,
// `gflops_peak=N` (the best Eigen case). Where the engine's own AVX-512 kernel for the convolutions
// (convGemm, ConvUtils.h) runs, the same shapes per sample (as Conv2D calls it: one sample per
// thread) are timed too and their best is printed as `convgemm_gflops_peak=N`; Conv2D layers can
// exceed the Eigen peak.
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/BenchRegistry.h"
#include "engine/layers/ConvUtils.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct GemmCase {
  std::string name;
  Eigen::Index m, k, n;  // C (m, n) = A (m, k) * B (k, n)
};

// GFLOP/s of `product` (doing `flops` flops per call), called until at least `minSeconds` have
// passed (after one warm-up call); the best of three such rounds.
template <typename Product>
double gflops(double flops, double minSeconds, Product&& product) {
  product();  // warm-up: page in the buffers, start the thread pool
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    int reps = 0;
    const auto begin = Clock::now();
    double seconds = 0;
    do {
      product();
      ++reps;
      seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    } while (seconds < minSeconds);
    best = std::max(best, flops * reps / seconds / 1e9);
  }
  return best;
}

// Eigen: C = A * B with Eigen's own threading (Eigen::setNbThreads).
double eigenGflops(const GemmCase& g, double minSeconds) {
  Matrix a = Matrix::Random(g.m, g.k);
  Matrix b = Matrix::Random(g.k, g.n);
  Matrix c(g.m, g.n);
  const double flops = 2.0 * double(g.m) * double(g.n) * double(g.k);
  return gflops(flops, minSeconds, [&] { c.noalias() = a * b; });
}

// convGemm: one product per thread, each on its own C (as Conv2D runs one sample per thread).
double convGemmGflops(const GemmCase& g, int threads, double minSeconds) {
  Matrix a = Matrix::Random(g.m, g.k);
  Matrix b = Matrix::Random(g.k, g.n);
  std::vector<Matrix> c(size_t(threads), Matrix(g.m, g.n));
  const double flops = 2.0 * double(g.m) * double(g.n) * double(g.k) * threads;
  return gflops(flops, minSeconds, [&] {
#pragma omp parallel num_threads(threads)
    {
      Matrix& ct = c[size_t(omp_get_thread_num())];
      convGemm(g.m, g.n, g.k, a.data(), g.k, 1, b.data(), g.n, ct.data(), g.n, false);
    }
  });
}

void printCase(const char* kernel, const GemmCase& g, int threads, double gflops) {
  std::printf("%s %-20s M=%-6lld K=%-5lld N=%-5lld threads=%d gflops=%.1f\n", kernel,
              g.name.c_str(), static_cast<long long>(g.m), static_cast<long long>(g.k),
              static_cast<long long>(g.n), threads, gflops);
  std::fflush(stdout);
}

int runSgemm(const BenchOptions&) {
  // The Fashion-MNIST CNN, batch 32, 3x3 same: 28x28 (1->32, 32->32), 14x14 (32->64, 64->64),
  // 7x7 (64->128, 128->128).
  const std::vector<GemmCase> cases = {
      {"square", 512, 512, 512},
      {"square", 1024, 1024, 1024},
      {"conv2d_28x28_1to32", 32 * 28 * 28, 9 * 1, 32},
      {"conv2d_28x28_32to32", 32 * 28 * 28, 9 * 32, 32},
      {"conv2d_14x14_32to64", 32 * 14 * 14, 9 * 32, 64},
      {"conv2d_14x14_64to64", 32 * 14 * 14, 9 * 64, 64},
      {"conv2d_7x7_64to128", 32 * 7 * 7, 9 * 64, 128},
      {"conv2d_7x7_128to128", 32 * 7 * 7, 9 * 128, 128},
  };
  const int savedThreads = Eigen::nbThreads();
  std::printf("bench sgemm: Eigen %d.%d.%d, float32 row-major C = A * B, best of 3 rounds\n",
              EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
  std::fflush(stdout);
  double peak = 0;
  for (int threads : {1, 2}) {
    Eigen::setNbThreads(threads);
    for (const GemmCase& g : cases) {
      const double v = eigenGflops(g, 0.1);
      peak = std::max(peak, v);
      printCase("sgemm", g, threads, v);
    }
  }
  Eigen::setNbThreads(savedThreads);
  if (convGemmAvailable()) {
    // Conv2D's per-sample shapes: (H*W, 9*Cin) x (9*Cin, Cout).
    std::vector<GemmCase> perSample;
    for (const GemmCase& g : cases)
      if (g.name != "square") perSample.push_back({g.name, g.m / 32, g.k, g.n});
    double convPeak = 0;
    for (int threads : {1, 2}) {
      for (const GemmCase& g : perSample) {
        const double v = convGemmGflops(g, threads, 0.1);
        convPeak = std::max(convPeak, v);
        printCase("convgemm", g, threads, v);
      }
    }
    std::printf("convgemm_gflops_peak=%.1f\n", convPeak);
  } else {
    std::printf("convgemm: not available on this CPU (needs AVX-512)\n");
  }
  std::printf("gflops_peak=%.1f\n", peak);
  std::fflush(stdout);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(
    sgemm, "sgemm",
    "Eigen float32 GEMM GFLOP/s (square and the Fashion-MNIST CNN's im2col shapes) on "
    "1 and 2 threads; last line gflops_peak=N",
    runSgemm);

}  // namespace tessel::bench
