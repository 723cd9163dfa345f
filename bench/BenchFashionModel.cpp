#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/CliSupport.h"
#include "bench/BenchRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/FashionMnist.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Times the training loop only (epoch begin to the last batch's end), as peer_torch.py does; the
// epoch-end metric pass is not counted.
class SpeedObserver : public TrainObserver {
 public:
  SpeedObserver(Index samples, TrainObserver* also) : samples_(samples), also_(also) {}
  void onTrainBegin(const FitOptions& o, int steps) override {
    if (also_) also_->onTrainBegin(o, steps);
  }
  void onEpochBegin(int epoch) override {
    if (also_) also_->onEpochBegin(epoch);
    begin_ = last_ = Clock::now();
  }
  void onBatchEnd(int epoch, int batch, const Logs& logs) override {
    if (also_) also_->onBatchEnd(epoch, batch, logs);
    last_ = Clock::now();
    if (!logs.empty()) loss_ = logs.front().second;
  }
  void onFinished(const History& h) override {
    if (also_) also_->onFinished(h);
  }
  void onFailed(const std::string& m) override {
    if (also_) also_->onFailed(m);
  }
  void onEpochEnd(int epoch, const Logs& logs) override {
    if (also_) also_->onEpochEnd(epoch, logs);
    double dt = std::chrono::duration<double>(last_ - begin_).count();
    total_ += dt;
    std::printf("epoch %d train_samples_per_s %.0f loss %.4f", epoch + 1, samples_ / dt, loss_);
    for (const auto& [k, v] : logs)
      if (k != "loss") std::printf(" %s %.4f", k.c_str(), v);
    std::printf("\n");
    std::fflush(stdout);
  }
  double totalSeconds() const { return total_; }

 private:
  Index samples_;
  TrainObserver* also_;
  Clock::time_point begin_, last_;
  double total_ = 0, loss_ = 0;
};

// Product of a Keras tuple config (`kernel_size=3` means 3 in each of the `rank` dimensions).
double tupleProduct(const nlohmann::json& config, const char* key, int rank) {
  const nlohmann::json& v = config.at(key);
  double p = 1;
  if (v.is_number()) {
    for (int i = 0; i < rank; ++i) p *= v.get<double>();
  } else {
    for (const auto& d : v) p *= d.get<double>();
  }
  return p;
}

double product(const Shape& s, size_t from, size_t to) {
  double p = 1;
  for (size_t i = from; i < to; ++i) p *= double(s[i]);
  return p;
}

// Training FLOPs per sample, counted from the shapes of the layers that multiply (the rest --
// activations, pooling, the loss, the optimizer -- is ignored):
//   flops_per_sample = 3 * 2 * MACs_forward
// MACs_forward is the forward multiply-adds per sample; a multiply-add is 2 flops; the backward
// pass costs about twice the forward (one product for dL/dx, one for dL/dw), hence 3x. Per layer,
// with `out` the output shape without the batch dimension, K the kernel area, Cin the input
// channels:
//   Dense                    prod(out) * in_features
//   Conv1D / Conv2D          prod(out) * K * Cin / groups
//   DepthwiseConv2D          prod(out) * K                  (out channels = Cin * depth_multiplier)
//   SeparableConv2D          H*W*Cin*dm * K  +  prod(out) * Cin*dm   (depthwise + pointwise)
//   Conv2DTranspose          prod(in) * K * Cout             (every input pixel scatters a kernel)
double trainingFlopsPerSample(const ModelSpec& spec) {
  const ShapeReport report = inferShapes(spec);
  double macs = 0;
  for (const NodeSpec& node : spec.nodes) {
    const NodeShapes* shapes = report.find(node.name);
    if (!shapes || !shapes->output || shapes->inputs.empty()) continue;
    const Shape& in = shapes->inputs[0];
    const Shape& out = *shapes->output;
    const double outSize = product(out, 1, out.size());
    const double cin = double(in.back());
    const std::string& cls = node.className;
    const nlohmann::json c = LayerRegistry::instance().completeConfig(cls, node.config, node.name);
    if (cls == "Dense") {
      macs += outSize * cin;
    } else if (cls == "Conv1D" || cls == "Conv2D") {
      macs += outSize * tupleProduct(c, "kernel_size", cls == "Conv1D" ? 1 : 2) * cin /
              c.at("groups").get<double>();
    } else if (cls == "DepthwiseConv2D") {
      macs += outSize * tupleProduct(c, "kernel_size", 2);
    } else if (cls == "SeparableConv2D") {
      const double mid = cin * c.at("depth_multiplier").get<double>();
      const double pixels = product(out, 1, out.size() - 1);
      macs += pixels * mid * tupleProduct(c, "kernel_size", 2) + outSize * mid;
    } else if (cls == "Conv2DTranspose") {
      macs += product(in, 1, in.size()) * tupleProduct(c, "kernel_size", 2) * double(out.back());
    }
  }
  return 3.0 * 2.0 * macs;
}

}  // namespace

int benchFashionModel(const std::string& kerasModelJson, const BenchOptions& o, int batchSize,
                      double learningRate, const ObserverFactory& observerFor) {
  ModelSpec spec = ModelSpec::fromKerasJson(nlohmann::json::parse(kerasModelJson));
  Model model(spec, /*seed=*/0);
  CompileOptions compile;
  compile.losses = {"sparse_categorical_crossentropy"};
  compile.metrics = {{"accuracy"}};
  compile.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", learningRate}}}};
  Trainer trainer(model, compile);

  if (!fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
  FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, o.samples);
  Shape inputShape = model.inputShape(0);
  auto fit = [&](const Array& images) {
    Shape s{images.rows()};
    for (size_t d = 1; d < inputShape.size(); ++d) s.push_back(inputShape[d]);
    return images.reshaped(s);
  };
  Dataset train{{fit(f.xTrain)}, {f.yTrain}, {}};
  Dataset test{{fit(f.xTest)}, {f.yTest}, {}};

  std::printf(
      "bench %s: %lld samples x %d epoch(s), batch %d, SGD lr %g, %d thread(s), %lld "
      "parameters\n",
      spec.name.c_str(), static_cast<long long>(train.size()), o.epochs, batchSize, learningRate,
      o.threads, static_cast<long long>(model.parameterCount()));
  std::fflush(stdout);
  FitOptions options;
  options.epochs = o.epochs;
  options.batchSize = batchSize;
  options.shuffle = true;
  options.verbose = 0;
  std::unique_ptr<TrainObserver> extra = observerFor ? observerFor(trainer) : nullptr;
  SpeedObserver speed(train.size(), extra.get());
  History h = trainer.fit(train, options, {}, &speed);
  if (!h.stopReason.empty()) std::printf("stopped: %s\n", h.stopReason.c_str());
  Logs test_logs = trainer.evaluate(test, 256);
  std::printf("test %s\n", app::formatLogs(test_logs).c_str());
  std::printf("peak_rss_mib=%.1f\n", app::peakRssMiB());
  double sps = static_cast<double>(train.size()) * o.epochs / speed.totalSeconds();
  const double flops = trainingFlopsPerSample(spec);
  std::printf("train_mflops_per_sample=%.2f\n", flops / 1e6);
  std::printf("achieved_gflops=%.2f\n", flops * sps / 1e9);
  std::printf("samples_per_s=%.0f\n", sps);
  std::fflush(stdout);
  return 0;
}

}  // namespace tessel::bench
