#pragma once
// Models of several inputs and outputs on the GPU against the CPU engine, through Trainer::fit:
// the wide & deep model of the bundled examples with its two inputs and two outputs (a loss and
// a loss weight each), and a localization model (one image in; a class and a box out, sparse
// crossentropy + MSE, as resources/examples/fashion_mnist_localization), with per-output losses
// and metrics in the logs and a validation split.
#include "GpuBranchChecks.h"
#include "GpuChecks.h"

namespace tessel::gpucheck {

// resources/examples/wide_deep_multi_output's shape: wide (5) and deep (6) inputs; the deep path
// through two Dense(30, relu), concatenated with the wide input into the main output; an
// auxiliary output on the deep path.
inline ModelSpec wideDeepTwoOutputs() {
  return multiIo({{"wide", {kNone, 5}}, {"deep", {kNone, 6}}},
                 {{"h1", "Dense", denseConfig(30, "relu"), {"deep"}},
                  {"h2", "Dense", denseConfig(30, "relu"), {"h1"}},
                  {"cat", "Concatenate", {{"axis", -1}}, {"wide", "h2"}},
                  {"main", "Dense", denseConfig(1, "linear"), {"cat"}},
                  {"aux", "Dense", denseConfig(1, "linear"), {"h2"}}},
                 {"main", "aux"});
}

// A localization CNN (resources/examples/fashion_mnist_localization's shape, smaller): conv,
// pool, conv, pool, Dense, then a class head (softmax) and a box head (sigmoid, 4 values).
inline ModelSpec localization() {
  auto conv = [](int filters) {
    return json{{"filters", filters}, {"kernel_size", 3}, {"activation", "relu"}};
  };
  const json pool = {{"pool_size", 2}};
  return multiIo({{"image", {kNone, 20, 20, 1}}},
                 {{"c1", "Conv2D", conv(8), {"image"}},
                  {"p1", "MaxPooling2D", pool, {"c1"}},
                  {"c2", "Conv2D", conv(16), {"p1"}},
                  {"p2", "MaxPooling2D", pool, {"c2"}},
                  {"flat", "Flatten", {}, {"p2"}},
                  {"hidden", "Dense", denseConfig(32, "relu"), {"flat"}},
                  {"class", "Dense", denseConfig(10, "softmax"), {"hidden"}},
                  {"box", "Dense", denseConfig(4, "sigmoid"), {"hidden"}}},
                 {"class", "box"});
}

struct MultiIoCase {
  std::string name;
  ModelSpec spec;
  CompileOptions compile;
  Dataset data;
};

inline std::vector<MultiIoCase> multiIoCases() {
  std::vector<MultiIoCase> cases;
  Rng rng(81);
  {
    MultiIoCase c{
        "wide & deep, 2 inputs, 2 outputs (MSE 0.9 / 0.1), Adam", wideDeepTwoOutputs(), {}, {}};
    c.compile.losses = {"mean_squared_error", "mean_squared_error"};
    c.compile.lossWeights = {0.9, 0.1};
    c.compile.metrics = {{"mean_absolute_error"}, {"mean_absolute_error"}};
    c.compile.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}};
    const Index n = 400;
    c.data.x = {Array::fromTensor(randomNormal({n, 5}, rng)),
                Array::fromTensor(randomNormal({n, 6}, rng))};
    c.data.y = {Array::fromTensor(randomNormal({n, 1}, rng)),
                Array::fromTensor(randomNormal({n, 1}, rng))};
    cases.push_back(std::move(c));
  }
  {
    MultiIoCase c{
        "localization, 1 image, class + box (crossentropy + MSE), SGD", localization(), {}, {}};
    c.compile.losses = {"sparse_categorical_crossentropy", "mean_squared_error"};
    c.compile.metrics = {{"accuracy"}, {"mean_absolute_error"}};
    c.compile.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.05}}}};
    const Index n = 320;
    c.data.x = {Array::fromTensor(randomNormal({n, 20, 20, 1}, rng))};
    Tensor box({n, 4});
    for (Index i = 0; i < box.size(); ++i) box[i] = float(rng.uniform());
    c.data.y = {Array::fromTensor(randomLabels(n, 10, rng)), Array::fromTensor(box)};
    cases.push_back(std::move(c));
  }
  return cases;
}

// Two epochs (batch 32, validation split 0.2, a partial last batch) on each device; every log
// of the last epoch (total and per-output losses, per-output metrics, their val_ forms) and the
// weights, held to max(1e-4, 3 x the CPU's own drift under a 1e-6 weight perturbation).
inline void compareMultiIoFit(int device, const MultiIoCase& c, std::vector<Result>& r) {
  try {
    auto fit = [&](const std::string& dev, float perturb) {
      Model m(c.spec, 1);
      perturbWeights(m, perturb);
      Trainer t(m, c.compile);
      FitOptions o = quietFit(32, 4, 2, dev);
      o.validationSplit = 0.2;
      FitResult f;
      f.history = t.fit(c.data, o);
      f.after = allValues(m);
      return f;
    };
    const FitResult cpu = fit("cpu", 0), self = fit("cpu", 1e-6f),
                    gpu = fit("cuda:" + std::to_string(device), 0);
    const Index nw = Index(cpu.after.size());
    const double drift = relErr(self.after.data(), cpu.after.data(), nw);
    char label[240];
    std::snprintf(label, sizeof label, "%s: weights (CPU vs CPU+1e-6: %.2g)", c.name.c_str(),
                  drift);
    r.push_back({label, relErr(gpu.after.data(), cpu.after.data(), nw), std::max(1e-4, 3 * drift)});
    for (const std::string& key : cpu.history.keys) {
      const double a = cpu.history[key].back();
      const double norm = std::max(std::abs(a), 1e-6);
      const double selfErr = std::abs(self.history[key].back() - a) / norm;
      const double b = gpu.history.values.count(key) ? gpu.history[key].back() : 1e30;
      const bool accuracy = key.find("accuracy") != std::string::npos;
      r.push_back({c.name + ": " + key, std::abs(b - a) / (accuracy ? 1.0 : norm),
                   std::max(accuracy ? 3.0 / 320 : 1e-4, 3 * selfErr)});
    }
    r.push_back(
        {c.name + ": the same logs", gpu.history.keys == cpu.history.keys ? 0.0 : 1.0, 0.0});
  } catch (const std::exception& e) {
    r.push_back({c.name + ": ERROR " + e.what(), 1e30, 0});
  }
}

inline std::vector<Result> checkMultiIo(int device) {
  std::vector<Result> r;
  for (const MultiIoCase& c : multiIoCases()) compareMultiIoFit(device, c, r);
  return r;
}

}  // namespace tessel::gpucheck
