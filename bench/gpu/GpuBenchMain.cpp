// tessel-gpu-bench: the CUDA backend's benchmark and CPU/GPU check, linked with the engine only
// (no Qt), so that it runs on a GPU machine that has no Qt.
//   tessel-gpu-bench info                       the CUDA devices
//   tessel-gpu-bench check [cuda:N] [--models G1,G2]  GPU vs CPU equality (GpuChecks.h), all
//                                               groups or those named (layers, mlp-step,
//                                               optimizers, cnn-layers, cnn-steps, mlp-fit,
//                                               cnn-fit, inference); exit status 1 on a mismatch
//   tessel-gpu-bench bench [cuda:N] [--samples N] [--epochs E] [--batches 32,256]
//                          [--models mlp,cnn,seed-cnn] [--dtype-policy float32|mixed_float16|
//                          mixed_bfloat16]
//       mlp: the seed MLP (Flatten, 20 x Dense(100, selu), AlphaDropout, Dense(10, softmax));
//       cnn: Conv2D(32, 3x3, relu), MaxPool 2, Conv2D(64, 3x3, relu), MaxPool 2, Flatten,
//       Dense(128, relu), Dense(10, softmax); seed-cnn: the seed's CNN (bench/BenchFashionCnn.cpp,
//       six 3x3 same convolutions 32-32-64-64-128-128 with three max pools, Dense 128, 10);
//       separable: the same with SeparableConv2D after the first convolution (the issue's
//       separable CNN, tessel-bench fashion-separable).
//       SGD 0.01, sparse categorical crossentropy, accuracy, trained through Trainer::fit on the
//       GPU on synthetic Fashion-MNIST-shaped data; per model and batch size: samples/s of the
//       training loop (the last epoch; the first one captures the graphs), GPU time per step from
//       graph replays, graph nodes, launches per step and TFLOP/s. Last line per run:
//       RESULT engine=tessel model=M batch=B samples_per_s=S gpu_ms_per_step=T ...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/gpu/GpuDevice.h"
#include "tests/engine/gpu/GpuCheckGroups.h"

using namespace tessel;
using Clock = std::chrono::steady_clock;

namespace {

// Training-loop time of each epoch (epoch begin to its last batch end), as peer_torch.py times.
class LoopTimer : public Callback {
 public:
  void onEpochBegin(int) override { begin_ = last_ = Clock::now(); }
  void onBatchEnd(int, int, const Logs&) override { last_ = Clock::now(); }
  void onEpochEnd(int, const Logs& logs) override {
    seconds.push_back(std::chrono::duration<double>(last_ - begin_).count());
    for (const auto& [k, v] : logs)
      if (k == "loss")
        loss = v;
      else if (k == "accuracy")
        accuracy = v;
  }
  std::vector<double> seconds;
  double loss = 0, accuracy = 0;

 private:
  Clock::time_point begin_, last_;
};

int info() {
  const int n = gpu::deviceCount();
  if (n == 0) {
    std::printf("%s\n", gpu::unavailableReason().c_str());
    return 1;
  }
  for (int i = 0; i < n; ++i) {
    const gpu::DeviceInfo d = gpu::deviceInfo(i);
    std::printf("cuda:%d %s, compute %d.%d, %d SMs, %.1f GiB (%.1f GiB free)\n", i, d.name.c_str(),
                d.major, d.minor, d.multiprocessors, d.totalBytes / 1073741824.0,
                d.freeBytes / 1073741824.0);
  }
  return 0;
}

// groups: names of gpucheck::checkGroups() (empty: all); each group's lines are printed as soon
// as it ends.
int check(int device, const std::vector<std::string>& groups) {
  const auto t0 = Clock::now();
  size_t count = 0;
  int bad = 0;
  for (const auto& [name, f] : gpucheck::checkGroups()) {
    if (!groups.empty() && std::find(groups.begin(), groups.end(), name) == groups.end()) continue;
    for (const auto& r : gpucheck::checkGroup(name, f, device)) {
      std::printf("%-4s %-62s %.3g (tol %.0e)\n", r.ok() ? "ok" : "FAIL", r.name.c_str(), r.err,
                  r.tol);
      bad += r.ok() ? 0 : 1;
      ++count;
    }
    std::fflush(stdout);
  }
  std::printf("check: %zu comparisons, %d failed, %.1f s\n", count, bad,
              std::chrono::duration<double>(Clock::now() - t0).count());
  return bad ? 1 : 0;
}

// Training FLOPs per sample: 3 x 2 x multiply-adds of the forward pass (Conv2D: oh * ow * filters
// * kh * kw * cin; Dense: in * out), as bench/BenchFashionModel.cpp counts.
double flopsPerSample(const std::string& model) {
  if (model == "lstm-text")  // 64 steps of LSTM(64) on Embedding(10000, 64), Dense(5)
    return 6.0 * (64.0 * 4 * 64 * (64 + 64) + 64.0 * 5);
  if (model == "mlp") return 6.0 * (784.0 * 100 + 19 * 100.0 * 100 + 100.0 * 10);
  if (model == "cnn")
    return 6.0 * (26.0 * 26 * 32 * 9 + 11.0 * 11 * 64 * 9 * 32 + 1600.0 * 128 + 128.0 * 10);
  if (model == "separable")  // SeparableConv2D: depthwise H*W*Cin*9 + pointwise H*W*Cin*Cout
    return 6.0 *
           (784.0 * 32 * 9 + 784.0 * 32 * (9 + 32) + 196.0 * 32 * (9 + 64) + 196.0 * 64 * (9 + 64) +
            49.0 * 64 * (9 + 128) + 49.0 * 128 * (9 + 128) + 1152.0 * 128 + 128.0 * 10);
  return 6.0 * (784.0 * 32 * 9 + 784.0 * 32 * 9 * 32 + 196.0 * 64 * 9 * 32 + 196.0 * 64 * 9 * 64 +
                49.0 * 128 * 9 * 64 + 49.0 * 128 * 9 * 128 + 1152.0 * 128 + 128.0 * 10);
}

// The text model: 64 token ids of a 10,000-word vocabulary, Embedding(10000, 64), LSTM(64),
// Dense(5, softmax) (the fortunes example's shape without masking or Bidirectional, which have
// no GPU path yet).
ModelSpec lstmText() {
  json emb = gpucheck::layer("Embedding",
                             {{"name", "embedding"}, {"input_dim", 10000}, {"output_dim", 64}});
  emb["config"]["batch_input_shape"] = {nullptr, 64};
  return gpucheck::sequential(json::array({emb, gpucheck::rnnLayer("LSTM", "lstm", 64, false),
                                           gpucheck::denseLayer("dense", 5, "softmax")}));
}

ModelSpec benchModel(const std::string& model) {
  if (model == "lstm-text") return lstmText();
  if (model == "mlp") return gpucheck::seedMlp();
  if (model == "cnn") return gpucheck::fashionCnn();
  if (model == "seed-cnn") return gpucheck::seedCnn();
  if (model == "separable") return gpucheck::seedSeparable();
  throw Error("unknown model '" + model + "' (mlp, cnn, seed-cnn, separable, lstm-text)");
}

int bench(int device, Index samples, int epochs, const std::vector<int>& batches,
          const std::vector<std::string>& models, const std::string& policy) {
  const gpu::DeviceInfo dev = gpu::deviceInfo(device);
  const gpu::Precision precision = gpu::precisionFromName(policy);
  std::printf("device cuda:%d %s; %s, TF32 off; %lld samples x %d epochs\n", device,
              dev.name.c_str(), policy == "float32" ? "FP32" : policy.c_str(), (long long)samples,
              epochs);
  for (const std::string& model : models) try {
      const bool mlp = model == "mlp", text = model == "lstm-text";
      const Shape sample = mlp ? Shape{28, 28} : text ? Shape{64} : Shape{28, 28, 1};
      const int classes = text ? 5 : 10;
      const Dataset data = text ? gpucheck::idData(samples, 64, 10000, classes, 5)
                                : gpucheck::syntheticData(samples, sample, classes, false, 5);
      for (int batch : batches) {
        // Through Trainer::fit, as `tessel train --device cuda` runs it.
        Model m(benchModel(model), 0);
        CompileOptions c;
        c.losses = {"sparse_categorical_crossentropy"};
        c.metrics = {{"accuracy"}};
        c.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}};
        Trainer t(m, c);
        FitOptions o;
        o.epochs = epochs;
        o.batchSize = batch;
        o.verbose = 0;
        o.device = "cuda:" + std::to_string(device);
        o.dtypePolicy = policy;
        LoopTimer timer;
        t.fit(data, o, {&timer});
        const double sec = timer.seconds.back();
        const double sps = double(samples) / sec;

        // GPU time per step: replays of the captured training step (no host work).
        Model m2(benchModel(model), 0);
        auto loss = makeLoss("sparse_categorical_crossentropy");
        auto opt = makeOptimizer(c.optimizer);
        auto ex =
            gpu::Executor::create(device, m2, {loss.get()}, {1.0}, *opt, m2.trainableWeights(),
                                  batch, gpu::Numerics{false, false, precision});
        ex->upload(*opt);
        Rng rng(1);
        RunContext ctx;
        ctx.rng = &rng;
        Shape xs{Index(batch)};
        xs.insert(xs.end(), sample.begin(), sample.end());
        Tensor x = text ? gpucheck::idData(batch, 64, 10000, classes, 6).x[0].toTensor()
                        : gpucheck::randomNormal(xs, rng);
        Tensor y = gpucheck::randomLabels(batch, classes, rng);
        std::vector<float> scale(size_t(batch), 1.0f / float(batch));
        ex->run({x}, {y}, scale.data(), batch, true, *opt, ctx);
        const double ms = ex->timeReplays(batch, true, mlp || text ? 1000 : 300);
        const double tflops = flopsPerSample(model) * batch / (ms * 1e-3) / 1e12;
        std::printf("epoch times:");
        for (double s : timer.seconds) std::printf(" %.3f s", s);
        std::printf(" (last: loss %.4f accuracy %.4f)\n", timer.loss, timer.accuracy);
        std::printf(
            "RESULT engine=tessel model=%s batch=%d samples_per_s=%.0f step_ms=%.4f "
            "gpu_ms_per_step=%.4f gpu_samples_per_s=%.0f launches_per_step=%d graph_nodes=%d "
            "tflops=%.3f policy=%s\n",
            model.c_str(), batch, sps, 1e3 * sec / std::ceil(double(samples) / batch), ms,
            batch / (ms * 1e-3), ex->launchesPerStep(), ex->nodesPerStep(batch, true), tflops,
            policy.c_str());
        if (!mlp)
          std::printf("step profile, %s batch %d:\n%s", model.c_str(), batch,
                      ex->profile(batch, true, 20).c_str());
        std::fflush(stdout);
      }
    } catch (const std::exception& e) {
      std::printf("bench %s: ERROR %s\n", model.c_str(), e.what());
      std::fflush(stdout);
    }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string cmd = argc > 1 ? argv[1] : "info";
    int device = 0;
    Index samples = 55000;
    int epochs = 2;
    std::vector<int> batches = {32, 256};
    const std::vector<std::string> defaultModels = {"mlp", "cnn", "seed-cnn", "separable",
                                                    "lstm-text"};
    std::vector<std::string> models = defaultModels;
    std::string policy = "float32";
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if (a.rfind("cuda", 0) == 0) {
        device = gpu::requireDevice(a);
      } else if (a == "--samples" && i + 1 < argc) {
        samples = std::atoll(argv[++i]);
      } else if (a == "--epochs" && i + 1 < argc) {
        epochs = std::atoi(argv[++i]);
      } else if (a == "--batches" && i + 1 < argc) {
        batches.clear();
        for (const char* p = argv[++i]; *p;) {
          batches.push_back(std::atoi(p));
          while (*p && *p != ',') ++p;
          if (*p) ++p;
        }
      } else if (a == "--dtype-policy" && i + 1 < argc) {
        policy = argv[++i];
        gpu::precisionFromName(policy);
      } else if (a == "--models" && i + 1 < argc) {
        models.clear();
        std::string list = argv[++i];
        for (size_t p = 0; p <= list.size();) {
          const size_t q = std::min(list.find(',', p), list.size());
          if (q > p) models.push_back(list.substr(p, q - p));
          p = q + 1;
        }
      } else {
        std::fprintf(stderr, "tessel-gpu-bench: unknown argument '%s'\n", a.c_str());
        return 2;
      }
    }
    if (cmd == "info") return info();
    gpu::requireDevice("cuda:" + std::to_string(device));
    if (cmd == "check")
      return check(device, models == defaultModels ? std::vector<std::string>{} : models);
    if (cmd == "bench") return bench(device, samples, std::max(epochs, 1), batches, models, policy);
    std::fprintf(stderr,
                 "usage: tessel-gpu-bench info | check [cuda:N] | bench [cuda:N] "
                 "[--samples N] [--epochs E] [--batches 32,256] "
                 "[--models mlp,cnn,seed-cnn,separable] [--dtype-policy mixed_float16]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessel-gpu-bench: %s\n", e.what());
    return 1;
  }
}
