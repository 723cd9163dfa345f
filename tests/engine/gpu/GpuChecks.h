#pragma once
// GPU-vs-CPU checks of the CUDA backend, shared by tst_engine_gpu (Qt Test; skips without a GPU)
// and `tessel-gpu-bench check` (a plain executable with no Qt, for GPU machines that lack it).
// Each check builds the same model twice from one seed (same initial weights), runs it on the
// CPU engine and on the GPU, and returns relative errors ||gpu - cpu|| / ||cpu|| with their
// tolerance. Inputs are fresh random data from a fixed seed (never zeros).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/graph/ModelSpec.h"
#include "engine/losses/Loss.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

namespace tessel::gpucheck {

using json = nlohmann::json;

struct Result {
  std::string name;
  double err = 0;
  double tol = 0;
  bool ok() const { return std::isfinite(err) && err <= tol; }
};

// TESSEL_GPU_ANY_CONV_ALGO=1 lets cuDNN use its non-deterministic convolution algorithms (atomic
// accumulation in any order, FFT, Winograd): their FP32 rounding differs more from the CPU's
// sums, so the convolution checks then allow 10x the deterministic tolerance (1e-4 instead of
// 1e-5 per layer), and the result names say so.
inline bool anyConvAlgorithm() {
  const char* a = std::getenv("TESSEL_GPU_ANY_CONV_ALGO");
  return a && std::string(a) == "1";
}
// The checks hold the GPU to the CPU with deterministic cuDNN algorithms (Keras's
// enable_op_determinism) unless TESSEL_GPU_ANY_CONV_ALGO=1 asks for the default choice (any
// algorithm, as Keras without determinism): the executor reads TESSEL_GPU_DETERMINISTIC.
inline void useCheckAlgorithms() {
  ::setenv("TESSEL_GPU_DETERMINISTIC", anyConvAlgorithm() ? "0" : "1", 1);
}
inline double algoTolerance() {
  return anyConvAlgorithm() ? 10.0 : 1.0;
}

inline double relErr(const float* a, const float* b, Index n) {
  double num = 0, den = 0;
  for (Index i = 0; i < n; ++i) {
    const double d = double(a[i]) - double(b[i]);
    num += d * d;
    den += double(b[i]) * double(b[i]);
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

// ||a - b|| / max(||b||, floor): for variables whose exact gradient is (near) zero, e.g. the bias
// of a layer followed by BatchNormalization (the batch mean removes it), where both devices return
// rounding noise and a plain relative error means nothing.
inline double relErrFloor(const float* a, const float* b, Index n, double floor) {
  double num = 0, den = 0;
  for (Index i = 0; i < n; ++i) {
    const double d = double(a[i]) - double(b[i]);
    num += d * d;
    den += double(b[i]) * double(b[i]);
  }
  return std::sqrt(num) / std::max(std::sqrt(den), floor);
}
inline double norm(const std::vector<float>& v) {
  double s = 0;
  for (float f : v) s += double(f) * f;
  return std::sqrt(s);
}

inline Tensor randomNormal(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.normal();
  return t;
}

inline Tensor randomLabels(Index n, int classes, Rng& rng) {
  Tensor t({n});
  for (Index i = 0; i < n; ++i) t[i] = float(rng.below(std::uint64_t(classes)));
  return t;
}

inline json denseLayer(const std::string& name, int units, const std::string& act,
                       int inputDim = 0) {
  json c = {{"name", name}, {"units", units}, {"activation", act}};
  if (inputDim > 0) c["batch_input_shape"] = {nullptr, inputDim};
  return {{"class_name", "Dense"}, {"config", c}};
}

inline ModelSpec sequential(const json& layers) {
  return ModelSpec::fromKerasJson(
      {{"class_name", "Sequential"}, {"config", {{"name", "m"}, {"layers", layers}}}});
}

// The seed's Fashion-MNIST MLP (bench/BenchFashionMlp.cpp): Flatten, 20 x Dense(100, selu),
// AlphaDropout(0.5), Dense(10, softmax).
inline ModelSpec seedMlp() {
  json layers = json::array();
  layers.push_back({{"class_name", "Flatten"},
                    {"config", {{"name", "flatten"}, {"batch_input_shape", {nullptr, 28, 28}}}}});
  for (int i = 0; i < 20; ++i)
    layers.push_back(denseLayer(i == 0 ? "dense" : "dense_" + std::to_string(i), 100, "selu"));
  layers.push_back(
      {{"class_name", "AlphaDropout"}, {"config", {{"name", "alpha_dropout"}, {"rate", 0.5}}}});
  layers.push_back(denseLayer("dense_20", 10, "softmax"));
  return sequential(layers);
}

// Every weight times 1 + {-1, 0, 1} * p (by index mod 3): the CPU's own sensitivity probes.
inline void perturbWeights(Model& m, float p) {
  if (p == 0.0f) return;
  for (Variable* v : m.allWeights())
    for (Index i = 0; i < v->value.size(); ++i) v->value[i] *= 1.0f + p * float(i % 3 - 1);
}

inline std::vector<float> allValues(Model& m) {
  std::vector<float> g;
  for (Variable* v : m.allWeights())
    g.insert(g.end(), v->value.data(), v->value.data() + v->value.size());
  return g;
}

// One CPU training step's forward and backward (no update) of `m` on (x, y) with per-sample loss
// scales `scale`; dropout masks from Rng(7), as the GPU side draws them.
inline void cpuStep(Model& m, const Loss& loss, const std::vector<Tensor>& xs, const Tensor& y,
                    const float* scale) {
  RunContext ctx;
  Rng rng(7);
  ctx.rng = &rng;
  std::vector<const Tensor*> in;
  for (const Tensor& x : xs) in.push_back(&x);
  m.forward(in, true, ctx);
  Tensor dOut;
  loss.gradient(y, m.output(0), scale, dOut);
  m.backward({&dOut}, ctx);
}

// One training step of `spec` on (x, y) on both devices: forward output and every gradient.
// Dropout masks come from Rng(7) on both sides.
// The gradients of every trainable variable after one CPU step of `spec` on (x, y), with the
// initial weights scaled by 1 + {-1, 0, 1} * perturb.
inline std::vector<std::vector<float>> cpuGradients(const ModelSpec& spec, const Loss& loss,
                                                    const std::vector<Tensor>& x, const Tensor& y,
                                                    float perturb) {
  const Index n = x[0].dim(0);
  std::vector<float> scale(size_t(n), 1.0f / float(n));
  Model m(spec, 1);
  perturbWeights(m, perturb);
  cpuStep(m, loss, x, y, scale.data());
  std::vector<std::vector<float>> g;
  for (Variable* v : m.trainableWeights())
    g.emplace_back(v->grad.data(), v->grad.data() + v->grad.size());
  return g;
}

// Relative error of all gradients together, and of the worst variable (floored at 1e-3 of the
// whole gradient's norm, see relErrFloor).
inline std::pair<double, double> gradientErrors(const std::vector<std::vector<float>>& a,
                                                const std::vector<std::vector<float>>& b) {
  if (a.size() != b.size()) return {1e30, 1e30};
  std::vector<float> fa, fb;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return {1e30, 1e30};
    fa.insert(fa.end(), a[i].begin(), a[i].end());
    fb.insert(fb.end(), b[i].begin(), b[i].end());
  }
  const double all = relErr(fa.data(), fb.data(), Index(fb.size()));
  const double floor = 1e-3 * norm(fb);
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, relErrFloor(a[i].data(), b[i].data(), Index(b[i].size()), floor));
  return {all, worst};
}

// One training step on both devices (above). driftPerturb > 0: models whose gradient is not
// continuous in the weights (deep ReLU stacks with max pooling: a pre-activation within rounding of
// 0, or two pooled values within rounding of each other, send a gradient element elsewhere) are
// held to max(tolerance, 3 x the CPU's own gradient change when its weights move by driftPerturb
// relative, about FP32 rounding), measured here; the label gives that drift.
inline void compareStepImpl(int device, const ModelSpec& spec, const json& lossSpec,
                            const std::vector<Tensor>& x, const Tensor& y, const std::string& name,
                            double tolForward, double tolBackward, std::vector<Result>& out,
                            float driftPerturb, gpu::Numerics numerics = {}) {
  const Index n = x[0].dim(0);
  std::unique_ptr<Loss> loss = makeLoss(lossSpec);
  std::vector<float> scale(size_t(n), 1.0f / float(n));
  tolForward *= algoTolerance();
  tolBackward *= algoTolerance();

  Model cpu(spec, 1);
  cpuStep(cpu, *loss, x, y, scale.data());
  std::string label = name;
  double tolAll = tolBackward, tolWorst = tolBackward * 10;
  if (driftPerturb > 0) {
    const auto drift = gradientErrors(cpuGradients(spec, *loss, x, y, driftPerturb),
                                      cpuGradients(spec, *loss, x, y, 0));
    tolAll = std::max(tolAll, 3 * drift.first);
    tolWorst = std::max(tolWorst, 3 * drift.second);
    char buf[96];
    std::snprintf(buf, sizeof buf, " (CPU vs CPU+%.0e: %.2g, worst %.2g)", double(driftPerturb),
                  drift.first, drift.second);
    label += buf;
  }

  Model gm(spec, 1);
  std::unique_ptr<Optimizer> opt =
      makeOptimizer({{"class_name", "SGD"}, {"config", {{"learning_rate", 0.0}}}});
  std::unique_ptr<gpu::Executor> ex = gpu::Executor::create(device, gm, {loss.get()}, {1.0}, *opt,
                                                            gm.trainableWeights(), n, numerics);
  ex->upload(*opt);
  RunContext gctx;
  Rng grng(7);
  gctx.rng = &grng;
  ex->run(x, {y}, scale.data(), n, true, *opt, gctx);
  // mixed_float16: a first step whose scaled gradient overflows float16 is skipped and the loss
  // scale halved (Keras's LossScaleOptimizer); the step is run again as Keras's next one would.
  for (int retry = 0; retry < 16 && !ex->stepApplied(); ++retry) {
    Rng again(7);
    gctx.rng = &again;
    ex->run(x, {y}, scale.data(), n, true, *opt, gctx);
  }
  ex->downloadGradients();
  out.push_back({name + " forward",
                 relErr(ex->output(0).data(), cpu.output(0).data(), cpu.output(0).size()),
                 tolForward});
  std::vector<std::vector<float>> gc, gg;
  for (Variable* v : cpu.trainableWeights())
    gc.emplace_back(v->grad.data(), v->grad.data() + v->grad.size());
  for (Variable* v : gm.trainableWeights())
    gg.emplace_back(v->grad.data(), v->grad.data() + v->grad.size());
  const auto err = gradientErrors(gg, gc);
  out.push_back({label + " backward (all gradients)", err.first, tolAll});
  out.push_back({label + " backward (worst variable)", err.second, tolWorst});
  // Non-trainable state the step updates on the device (BatchNormalization's moving statistics).
  bool hasState = false;
  for (Variable* v : cpu.allWeights()) hasState = hasState || !v->trainable;
  if (hasState) {
    ex->download(*opt);
    const std::vector<float> vc = allValues(cpu), vg = allValues(gm);
    out.push_back({name + " moving statistics",
                   vc.size() == vg.size() ? relErr(vg.data(), vc.data(), Index(vc.size())) : 1e30,
                   tolForward});
  }
}

// An error (a cuDNN call that fails, a layer refused) is one failed result naming it, so that one
// case does not hide the others.
inline void compareStep(int device, const ModelSpec& spec, const json& lossSpec, const Tensor& x,
                        const Tensor& y, const std::string& name, double tolForward,
                        double tolBackward, std::vector<Result>& out, float driftPerturb = 0,
                        gpu::Numerics numerics = {}) {
  try {
    compareStepImpl(device, spec, lossSpec, {x}, y, name, tolForward, tolBackward, out,
                    driftPerturb, numerics);
  } catch (const std::exception& e) {
    out.push_back({name + ": ERROR " + e.what(), 1e30, tolForward});
  }
}

// compareStep for a model of several inputs (1e-5 forward and backward).
inline void compareStepMulti(int device, const ModelSpec& spec, const json& lossSpec,
                             const std::vector<Tensor>& xs, const Tensor& y,
                             const std::string& name, std::vector<Result>& out) {
  try {
    compareStepImpl(device, spec, lossSpec, xs, y, name, 1e-5, 1e-5, out, 0);
  } catch (const std::exception& e) {
    out.push_back({name + ": ERROR " + e.what(), 1e30, 1e-5});
  }
}

// Dense followed by each activation (fused and as an Activation layer): forward and backward.
inline std::vector<Result> checkLayers(int device) {
  std::vector<Result> r;
  Rng rng(11);
  const Tensor x = randomNormal({16, 12}, rng);
  const Tensor y = randomNormal({16, 6}, rng);
  for (const char* act : {"linear", "relu", "elu", "selu", "sigmoid", "tanh", "softmax", "relu6",
                          "hard_sigmoid", "softplus", "softsign", "swish", "gelu", "exponential"}) {
    const json fused = json::array({denseLayer("d0", 10, act, 12), denseLayer("d1", 6, "linear")});
    compareStep(device, sequential(fused), "mse", x, y, std::string("Dense(") + act + ")", 1e-5,
                1e-5, r);
    const json separate = json::array(
        {denseLayer("d0", 10, "linear", 12),
         {{"class_name", "Activation"}, {"config", {{"name", "a"}, {"activation", act}}}},
         denseLayer("d1", 6, act)});
    compareStep(device, sequential(separate), "mse", x, y, std::string("Activation(") + act + ")",
                1e-5, 1e-5, r);
  }
  return r;
}

inline json layer(const std::string& cls, json config) {
  return {{"class_name", cls}, {"config", std::move(config)}};
}
inline json conv2d(const std::string& name, int filters, json kernel, const std::string& act,
                   const std::string& padding = "valid", json strides = 1, json dilation = 1,
                   bool bias = true) {
  return layer("Conv2D", {{"name", name},
                          {"filters", filters},
                          {"kernel_size", std::move(kernel)},
                          {"strides", std::move(strides)},
                          {"dilation_rate", std::move(dilation)},
                          {"padding", padding},
                          {"activation", act},
                          {"use_bias", bias}});
}
inline json pool2d(const std::string& cls, const std::string& name, json size, json strides,
                   const std::string& padding) {
  return layer(cls, {{"name", name},
                     {"pool_size", std::move(size)},
                     {"strides", std::move(strides)},
                     {"padding", padding}});
}

// The Fashion-MNIST CNN of the GPU benchmark: Conv2D(32, 3x3, relu), MaxPooling2D(2),
// Conv2D(64, 3x3, relu), MaxPooling2D(2), Flatten, Dense(128, relu), Dense(10, softmax); with
// batchNorm a BatchNormalization after each convolution (before its pooling).
inline ModelSpec fashionCnn(bool batchNorm = false) {
  json layers = json::array();
  json first = conv2d("conv2d", 32, 3, "relu");
  first["config"]["batch_input_shape"] = {nullptr, 28, 28, 1};
  layers.push_back(first);
  if (batchNorm) layers.push_back(layer("BatchNormalization", {{"name", "bn"}}));
  layers.push_back(pool2d("MaxPooling2D", "pool", 2, nullptr, "valid"));
  layers.push_back(conv2d("conv2d_1", 64, 3, "relu"));
  if (batchNorm) layers.push_back(layer("BatchNormalization", {{"name", "bn_1"}}));
  layers.push_back(pool2d("MaxPooling2D", "pool_1", 2, nullptr, "valid"));
  layers.push_back(layer("Flatten", {{"name", "flatten"}}));
  layers.push_back(denseLayer("dense", 128, "relu"));
  layers.push_back(denseLayer("dense_1", 10, "softmax"));
  return sequential(layers);
}

// The seed's Fashion-MNIST CNN (bench/BenchFashionCnn.cpp): Conv2D 32, 32, MaxPool, 64, 64,
// MaxPool, 128, 128, MaxPool (3x3 same relu), Flatten, Dense(128, relu), Dense(10, softmax).
inline ModelSpec seedCnn() {
  json layers = json::array();
  int conv = 0, pool = 0;
  for (int filters : {32, 64, 128}) {
    for (int r = 0; r < 2; ++r) {
      json c =
          conv2d(conv ? "conv2d_" + std::to_string(conv) : "conv2d", filters, 3, "relu", "same");
      if (conv++ == 0) c["config"]["batch_input_shape"] = {nullptr, 28, 28, 1};
      layers.push_back(c);
    }
    layers.push_back(pool2d("MaxPooling2D", "pool_" + std::to_string(pool++), 2, nullptr, "valid"));
  }
  layers.push_back(layer("Flatten", {{"name", "flatten"}}));
  layers.push_back(denseLayer("dense", 128, "relu"));
  layers.push_back(denseLayer("dense_1", 10, "softmax"));
  return sequential(layers);
}

// Each CNN layer the GPU runs, forward and every gradient, between a first convolution (so that
// the tested layer's input gradient is computed) and Flatten + Dense(4): Conv2D valid / same /
// strided / dilated / without bias with several activations, max and average pooling (valid,
// same with partial windows, overlapping), global pooling, BatchNormalization (NHWC and after
// Dense; training mode and its moving statistics).
// The models: input (9, 9, 3), output 4 (mean squared error).
inline std::vector<std::pair<std::string, ModelSpec>> cnnLayerModels() {
  std::vector<std::pair<std::string, ModelSpec>> models;
  struct Case {
    std::string name;
    json middle;
  };
  const std::vector<Case> cases = {
      {"Conv2D 3x3 valid relu", json::array({conv2d("c", 5, 3, "relu")})},
      {"Conv2D 3x3 same tanh", json::array({conv2d("c", 5, 3, "tanh", "same")})},
      {"Conv2D 2x3 stride 2 valid, no bias",
       json::array({conv2d("c", 4, {2, 3}, "linear", "valid", 2, 1, false)})},
      {"Conv2D 3x3 stride 2 same selu", json::array({conv2d("c", 4, 3, "selu", "same", 2)})},
      {"Conv2D 3x3 dilation 2 same sigmoid",
       json::array({conv2d("c", 4, 3, "sigmoid", "same", 1, 2)})},
      {"Conv2D 1x1 softmax", json::array({conv2d("c", 6, 1, "softmax")})},
      {"Conv2D 2x2 same (TF pads after only: explicit pad)",
       json::array({conv2d("c", 5, 2, "relu", "same")})},
      {"Conv2D 4x4 stride 2 same (odd pad total: explicit pad)",
       json::array({conv2d("c", 4, 4, "tanh", "same", 2)})},
      {"Conv2D groups 2", json::array({layer("Conv2D", {{"name", "c"},
                                                        {"filters", 6},
                                                        {"kernel_size", 3},
                                                        {"groups", 2},
                                                        {"activation", "elu"}})})},
      {"DepthwiseConv2D 3x3 valid relu",
       json::array({layer("DepthwiseConv2D",
                          {{"name", "c"}, {"kernel_size", 3}, {"activation", "relu"}})})},
      {"DepthwiseConv2D 2x2 stride 2 same, depth_multiplier 2 (explicit pad)",
       json::array({layer("DepthwiseConv2D", {{"name", "c"},
                                              {"kernel_size", 2},
                                              {"strides", 2},
                                              {"padding", "same"},
                                              {"depth_multiplier", 2},
                                              {"activation", "linear"}})})},
      {"SeparableConv2D 3x3 same relu",
       json::array({layer("SeparableConv2D", {{"name", "c"},
                                              {"filters", 6},
                                              {"kernel_size", 3},
                                              {"padding", "same"},
                                              {"activation", "relu"}})})},
      {"SeparableConv2D 3x3 stride 2, depth_multiplier 2, no bias",
       json::array({layer("SeparableConv2D", {{"name", "c"},
                                              {"filters", 5},
                                              {"kernel_size", 3},
                                              {"strides", 2},
                                              {"depth_multiplier", 2},
                                              {"use_bias", false},
                                              {"activation", "tanh"}})})},
      {"Conv2DTranspose 3x3 valid relu",
       json::array(
           {layer("Conv2DTranspose",
                  {{"name", "c"}, {"filters", 3}, {"kernel_size", 3}, {"activation", "relu"}})})},
      {"Conv2DTranspose 3x3 stride 2 same (explicit pad)",
       json::array({layer("Conv2DTranspose", {{"name", "c"},
                                              {"filters", 3},
                                              {"kernel_size", 3},
                                              {"strides", 2},
                                              {"padding", "same"},
                                              {"activation", "sigmoid"}})})},
      {"Conv2DTranspose 2x2 stride 2 same, no bias",
       json::array({layer("Conv2DTranspose", {{"name", "c"},
                                              {"filters", 2},
                                              {"kernel_size", 2},
                                              {"strides", 2},
                                              {"padding", "same"},
                                              {"use_bias", false}})})},
      {"MaxPooling2D 2 valid", json::array({pool2d("MaxPooling2D", "p", 2, nullptr, "valid")})},
      {"MaxPooling2D 3 stride 2 same (overlapping)",
       json::array({pool2d("MaxPooling2D", "p", 3, 2, "same")})},
      {"AveragePooling2D 2 same (partial windows)",
       json::array({pool2d("AveragePooling2D", "p", 2, nullptr, "same")})},
      {"AveragePooling2D (3,2) stride 1 valid",
       json::array({pool2d("AveragePooling2D", "p", {3, 2}, 1, "valid")})},
      {"GlobalAveragePooling2D", json::array({layer("GlobalAveragePooling2D", {{"name", "g"}})})},
      {"GlobalMaxPooling2D", json::array({layer("GlobalMaxPooling2D", {{"name", "g"}})})},
      {"BatchNormalization (NHWC) + relu",
       json::array({layer("BatchNormalization", {{"name", "bn"}}),
                    layer("Activation", {{"name", "a"}, {"activation", "relu"}})})},
      {"BatchNormalization without scale and center",
       json::array(
           {layer("BatchNormalization", {{"name", "bn"}, {"scale", false}, {"center", false}})})},
  };
  for (const Case& c : cases) {
    json layers = json::array();
    json first = conv2d("c0", 4, 3, "linear", "same");
    first["config"]["batch_input_shape"] = {nullptr, 9, 9, 3};
    layers.push_back(first);
    for (const json& l : c.middle) layers.push_back(l);
    if (layers.back()["class_name"] != "GlobalAveragePooling2D" &&
        layers.back()["class_name"] != "GlobalMaxPooling2D")
      layers.push_back(layer("Flatten", {{"name", "f"}}));
    layers.push_back(denseLayer("out", 4, "linear"));
    models.emplace_back(c.name, sequential(layers));
  }
  return models;
}

// The 1-D layers between a first Conv1D (same) and Flatten + Dense(4): input (12, 3).
inline std::vector<std::pair<std::string, ModelSpec>> conv1dLayerModels() {
  std::vector<std::pair<std::string, ModelSpec>> models;
  auto conv1d = [](int filters, int k, const std::string& act, const std::string& padding,
                   int strides, int dilation) {
    return layer("Conv1D", {{"name", "c"},
                            {"filters", filters},
                            {"kernel_size", k},
                            {"strides", strides},
                            {"dilation_rate", dilation},
                            {"padding", padding},
                            {"activation", act}});
  };
  const std::vector<std::pair<std::string, json>> cases = {
      {"Conv1D 3 valid relu", conv1d(5, 3, "relu", "valid", 1, 1)},
      {"Conv1D 3 causal dilation 2 tanh (explicit pad)", conv1d(4, 3, "tanh", "causal", 1, 2)},
      {"Conv1D 3 stride 2 same (explicit pad)", conv1d(4, 3, "selu", "same", 2, 1)},
      {"MaxPooling1D 2", layer("MaxPooling1D", {{"name", "p"}, {"pool_size", 2}})},
      {"AveragePooling1D 3 stride 2 same",
       layer("AveragePooling1D",
             {{"name", "p"}, {"pool_size", 3}, {"strides", 2}, {"padding", "same"}})},
      {"GlobalAveragePooling1D", layer("GlobalAveragePooling1D", {{"name", "g"}})},
      {"GlobalMaxPooling1D", layer("GlobalMaxPooling1D", {{"name", "g"}})},
  };
  for (const auto& [name, middle] : cases) {
    json layers = json::array();
    json first = layer("Conv1D", {{"name", "c0"},
                                  {"filters", 4},
                                  {"kernel_size", 3},
                                  {"padding", "same"},
                                  {"activation", "linear"},
                                  {"batch_input_shape", {nullptr, 12, 3}}});
    layers.push_back(first);
    layers.push_back(middle);
    if (middle["class_name"].get<std::string>().rfind("Global", 0) != 0)
      layers.push_back(layer("Flatten", {{"name", "f"}}));
    layers.push_back(denseLayer("out", 4, "linear"));
    models.emplace_back(name, sequential(layers));
  }
  return models;
}

inline std::vector<Result> checkCnnLayers(int device) {
  std::vector<Result> r;
  Rng rng(13);
  const Tensor x = randomNormal({8, 9, 9, 3}, rng);
  const Tensor y = randomNormal({8, 4}, rng);
  for (const auto& [name, spec] : cnnLayerModels())
    compareStep(device, spec, "mse", x, y, name, 1e-5, 1e-5, r);
  const Tensor x1 = randomNormal({8, 12, 3}, rng);
  for (const auto& [name, spec] : conv1dLayerModels())
    compareStep(device, spec, "mse", x1, y, name, 1e-5, 1e-5, r);
  // Dense on a rank-3 input: one matrix over every step.
  const json seq = json::array({layer("Conv1D", {{"name", "c0"},
                                                 {"filters", 4},
                                                 {"kernel_size", 3},
                                                 {"batch_input_shape", {nullptr, 12, 3}}}),
                                denseLayer("d", 5, "relu"), layer("Flatten", {{"name", "f"}}),
                                denseLayer("out", 4, "linear")});
  compareStep(device, sequential(seq), "mse", x1, y, "Dense on (batch, steps, channels)", 1e-5,
              1e-5, r);
  // BatchNormalization after Dense (rank 2), momentum and epsilon of our own.
  const Tensor x2 = randomNormal({16, 12}, rng);
  const json dense = json::array(
      {denseLayer("d0", 10, "linear", 12),
       layer("BatchNormalization", {{"name", "bn"}, {"momentum", 0.9}, {"epsilon", 0.01}}),
       denseLayer("d1", 4, "tanh")});
  compareStep(device, sequential(dense), "mse", x2, randomNormal({16, 4}, rng),
              "Dense + BatchNormalization(momentum 0.9, epsilon 0.01)", 1e-5, 1e-5, r);
  return r;
}

// The separable CNN (bench/BenchFashionCnn.cpp fashion-separable): the seed CNN with
// SeparableConv2D (3x3 same relu) in place of every convolution after the first.
inline ModelSpec seedSeparable() {
  json layers = json::array();
  int sep = 0, pool = 0;
  json first = conv2d("conv2d", 32, 3, "relu", "same");
  first["config"]["batch_input_shape"] = {nullptr, 28, 28, 1};
  layers.push_back(first);
  for (int filters : {32, 64, 64, 128, 128}) {
    layers.push_back(
        layer("SeparableConv2D", {{"name", sep ? "separable_conv2d_" + std::to_string(sep)
                                               : std::string("separable_conv2d")},
                                  {"filters", filters},
                                  {"kernel_size", 3},
                                  {"padding", "same"},
                                  {"activation", "relu"}}));
    ++sep;
    if (sep == 1 || sep == 3 || sep == 5)
      layers.push_back(
          pool2d("MaxPooling2D", "pool_" + std::to_string(pool++), 2, nullptr, "valid"));
  }
  layers.push_back(layer("Flatten", {{"name", "flatten"}}));
  layers.push_back(denseLayer("dense", 128, "relu"));
  layers.push_back(denseLayer("dense_1", 10, "softmax"));
  return sequential(layers);
}

// One training step (batch 32, sparse categorical crossentropy) of the Fashion CNN, with and
// without BatchNormalization, and of the seed CNN: output and all gradients.
inline std::vector<Result> checkCnnStep(int device) {
  std::vector<Result> r;
  Rng rng(14);
  const Tensor x = randomNormal({32, 28, 28, 1}, rng);
  const Tensor y = randomLabels(32, 10, rng);
  const std::string scce = "sparse_categorical_crossentropy";
  compareStep(device, fashionCnn(false), scce, x, y, "Fashion CNN step", 1e-5, 1e-5, r);
  compareStep(device, fashionCnn(true), scce, x, y, "Fashion CNN + BatchNorm step", 1e-5, 1e-5, r);
  compareStep(device, seedCnn(), scce, x, y, "seed CNN step", 1e-5, 1e-5, r, 1e-7f);
  compareStep(device, seedSeparable(), scce, x, y, "separable CNN step", 1e-5, 1e-5, r, 1e-7f);
  return r;
}

// One training step of the seed MLP (batch 32, sparse categorical crossentropy): output and all
// 42 gradients.
inline std::vector<Result> checkSeedMlpStep(int device) {
  std::vector<Result> r;
  Rng rng(12);
  const Tensor x = randomNormal({32, 28, 28}, rng);
  const Tensor y = randomLabels(32, 10, rng);
  compareStep(device, seedMlp(), "sparse_categorical_crossentropy", x, y, "seed MLP step", 1e-5,
              1e-5, r);
  return r;
}

struct FitResult {
  std::vector<float> before, after;
  History history;
};

inline FitResult fitOn(const std::string& device, const ModelSpec& spec, const json& compileLoss,
                       const json& optimizer, const Dataset& data, int batch, int epochs, int steps,
                       double validationSplit, float perturb = 0.0f) {
  Model m(spec, 1);
  perturbWeights(m, perturb);
  CompileOptions c;
  c.losses = {compileLoss};
  c.metrics = {{"accuracy"}};
  c.optimizer = optimizer;
  Trainer t(m, c);
  FitOptions o;
  o.epochs = epochs;
  o.batchSize = batch;
  o.stepsPerEpoch = steps;
  o.seed = 3;
  o.validationSplit = validationSplit;
  o.verbose = 0;
  o.device = device;
  FitResult f;
  f.before = allValues(m);
  f.history = t.fit(data, o);
  f.after = allValues(m);
  return f;
}

// Through Trainer::fit: weights changes (after - before) and the epoch logs, CPU vs GPU.
inline void compareFit(int device, const ModelSpec& spec, const json& loss, const json& optimizer,
                       const Dataset& data, int batch, int epochs, int steps,
                       const std::string& name, double tol, std::vector<Result>& r,
                       double validationSplit = 0) {
  tol *= algoTolerance();
  const FitResult c =
      fitOn("cpu", spec, loss, optimizer, data, batch, epochs, steps, validationSplit);
  const FitResult g = fitOn("cuda:" + std::to_string(device), spec, loss, optimizer, data, batch,
                            epochs, steps, validationSplit);
  std::vector<float> dc(c.after.size()), dg(g.after.size());
  for (size_t i = 0; i < dc.size(); ++i) dc[i] = c.after[i] - c.before[i];
  for (size_t i = 0; i < dg.size(); ++i) dg[i] = g.after[i] - g.before[i];
  r.push_back(
      {name + ": weights", relErr(g.after.data(), c.after.data(), Index(c.after.size())), tol});
  r.push_back({name + ": weight changes", relErr(dg.data(), dc.data(), Index(dc.size())),
               1e-2});  // loose: w1 - w0 loses digits to cancellation; catches wrong gradients
  for (const std::string& key : c.history.keys) {
    const double a = c.history[key].back(),
                 b = g.history.values.count(key) ? g.history[key].back() : 1e30;
    r.push_back({name + ": " + key, std::abs(a - b) / std::max(std::abs(a), 1e-12), tol});
  }
}

inline Dataset syntheticData(Index n, const Shape& sample, int classes, bool oneHot,
                             std::uint64_t seed, float inputScale = 1.0f) {
  Rng rng(seed);
  Shape xs{n};
  xs.insert(xs.end(), sample.begin(), sample.end());
  Tensor x = randomNormal(xs, rng);
  x.array() *= inputScale;
  // Labels from a fixed random projection of the inputs, so that there is something to learn.
  const Index features = x.size() / n;
  Tensor proj = randomNormal({features, Index(classes)}, rng);
  Tensor y = oneHot ? Tensor({n, Index(classes)}) : Tensor({n});
  for (Index i = 0; i < n; ++i) {
    int best = 0;
    double bestV = -1e300;
    for (int c = 0; c < classes; ++c) {
      double s = 0;
      for (Index f = 0; f < features; ++f) s += double(x[i * features + f]) * proj[f * classes + c];
      if (s > bestV) bestV = s, best = c;
    }
    if (oneHot)
      y[i * classes + best] = 1.0f;
    else
      y[i] = float(best);
  }
  Dataset d;
  d.x.push_back(Array::fromTensor(x));
  d.y.push_back(Array::fromTensor(y));
  return d;
}

// The seed MLP through Trainer::fit: one step (1e-5), then one epoch (SGD 0.01, batch 32) of 1024
// samples. Over an epoch this model (20 x SELU with glorot init, AlphaDropout 0.5, loss above
// ln 10) amplifies rounding-size differences on any device: the CPU engine against itself with
// its initial weights perturbed by 1e-6 (relative) ends the epoch about 3e-3 apart in the weights.
// So the epoch's tolerance is max(1e-4, 3 x that self-sensitivity), measured in the same check;
// a wrong kernel, mask or update lands far above it (O(1)).
inline std::vector<Result> checkSeedMlpFit(int device, Index samples = 1024) {
  std::vector<Result> r;
  const Dataset d = syntheticData(samples, {28, 28}, 10, false, 21);
  const json sgd = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}};
  const std::string loss = "sparse_categorical_crossentropy";
  compareFit(device, seedMlp(), loss, sgd, d, 32, 1, 1, "seed MLP fit, 1 step", 1e-5, r);
  const FitResult c = fitOn("cpu", seedMlp(), loss, sgd, d, 32, 1, 0, 0);
  const FitResult p = fitOn("cpu", seedMlp(), loss, sgd, d, 32, 1, 0, 0, 1e-6f);
  const FitResult g = fitOn("cuda:" + std::to_string(device), seedMlp(), loss, sgd, d, 32, 1, 0, 0);
  const Index nw = Index(c.after.size());
  const double selfW = relErr(p.after.data(), c.after.data(), nw);
  char label[160];
  std::snprintf(label, sizeof label, "seed MLP fit, 1 epoch: weights (CPU vs CPU+1e-6: %.2g)",
                selfW);
  r.push_back({label, relErr(g.after.data(), c.after.data(), nw), std::max(1e-4, 3 * selfW)});
  // The loss relative; the accuracy absolute, at least 3 samples' worth (it moves in steps).
  for (const std::string& key : {std::string("loss"), std::string("accuracy")}) {
    const bool acc = key == "accuracy";
    const double a = c.history[key].back();
    const double norm = acc ? 1.0 : std::max(std::abs(a), 1e-12);
    const double self = std::abs(p.history[key].back() - a) / norm;
    std::snprintf(label, sizeof label, "seed MLP fit, 1 epoch: %s (CPU vs CPU+1e-6: %.2g)",
                  key.c_str(), self);
    r.push_back({label, std::abs(g.history[key].back() - a) / norm,
                 std::max(acc ? 3.0 / double(samples) : 1e-4, 3 * self)});
  }
  return r;
}

// Adam and SGD with Nesterov momentum, categorical crossentropy and MSE, Dropout, two epochs with
// a validation split (the eval graph) and a partial last batch.
inline std::vector<Result> checkOptimizers(int device) {
  std::vector<Result> r;
  const Dataset d = syntheticData(500, {20}, 4, true, 31);
  const ModelSpec a =
      sequential(json::array({denseLayer("d0", 32, "relu", 20), denseLayer("d1", 16, "tanh"),
                              denseLayer("d2", 4, "softmax")}));
  compareFit(device, a, "categorical_crossentropy",
             {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}, d, 64, 2, 0,
             "Adam + categorical crossentropy, 2 epochs", 1e-4, r, 0.2);
  const ModelSpec b = sequential(
      json::array({denseLayer("d0", 32, "sigmoid", 20),
                   {{"class_name", "Dropout"}, {"config", {{"name", "drop"}, {"rate", 0.3}}}},
                   denseLayer("d1", 4, "linear")}));
  compareFit(device, b, "mse",
             {{"class_name", "SGD"},
              {"config", {{"learning_rate", 0.05}, {"momentum", 0.9}, {"nesterov", true}}}},
             d, 64, 2, 0, "SGD Nesterov momentum + MSE + Dropout, 2 epochs", 1e-4, r, 0.2);
  return r;
}

// The Fashion CNN through Trainer::fit on 1024 samples, SGD 0.01, batch 32: one epoch (weights and
// loss against max(1e-4, 3 x the CPU's own drift under a 1e-6 weight perturbation), as the seed
// MLP); with BatchNormalization, two epochs with a validation split (the eval graph runs on the
// moving statistics) and a partial last batch.
inline std::vector<Result> checkCnnFit(int device, Index samples = 1024) {
  std::vector<Result> r;
  const Dataset d = syntheticData(samples, {28, 28, 1}, 10, false, 22);
  const json sgd = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}};
  const std::string loss = "sparse_categorical_crossentropy";
  const FitResult c = fitOn("cpu", fashionCnn(), loss, sgd, d, 32, 1, 0, 0);
  const FitResult p = fitOn("cpu", fashionCnn(), loss, sgd, d, 32, 1, 0, 0, 1e-6f);
  const FitResult g =
      fitOn("cuda:" + std::to_string(device), fashionCnn(), loss, sgd, d, 32, 1, 0, 0);
  const Index nw = Index(c.after.size());
  const double selfW = relErr(p.after.data(), c.after.data(), nw);
  char label[160];
  std::snprintf(label, sizeof label, "Fashion CNN fit, 1 epoch: weights (CPU vs CPU+1e-6: %.2g)",
                selfW);
  r.push_back({label, relErr(g.after.data(), c.after.data(), nw), std::max(1e-4, 3 * selfW)});
  for (const std::string& key : {std::string("loss"), std::string("accuracy")}) {
    const bool acc = key == "accuracy";
    const double a = c.history[key].back();
    const double norm = acc ? 1.0 : std::max(std::abs(a), 1e-12);
    const double self = std::abs(p.history[key].back() - a) / norm;
    std::snprintf(label, sizeof label, "Fashion CNN fit, 1 epoch: %s (CPU vs CPU+1e-6: %.2g)",
                  key.c_str(), self);
    r.push_back({label, std::abs(g.history[key].back() - a) / norm,
                 std::max(acc ? 3.0 / double(samples) : 1e-4, 3 * self)});
  }
  const Dataset small = syntheticData(300, {28, 28, 1}, 10, false, 23);
  compareFit(device, fashionCnn(true), loss,
             {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}}, small, 64, 2, 0,
             "Fashion CNN + BatchNorm, Adam, 2 epochs", 1e-4, r, 0.2);
  return r;
}

// Adam (learning rate 1e-3) on sparse categorical crossentropy with accuracy, and quiet fit
// options: the compile and fit settings of the resume and determinism checks.
inline CompileOptions adamSparseCompile() {
  CompileOptions c;
  c.losses = {"sparse_categorical_crossentropy"};
  c.metrics = {{"accuracy"}};
  c.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}};
  return c;
}
inline FitOptions quietFit(int batch, std::uint64_t seed, int epochs, const std::string& device) {
  FitOptions o;
  o.batchSize = batch;
  o.seed = seed;
  o.verbose = 0;
  o.epochs = epochs;
  o.device = device;
  return o;
}

// Resume across devices (a CPU run resumes on the GPU and the other way round): one Trainer fits
// epochs 1-2 on one device, then epochs 3-4 (initial_epoch 2: Adam's slots and iteration count,
// BatchNormalization's moving statistics and the weights carried over) on the other. The weights
// and the last epoch's logs equal those of a 4-epoch CPU run within 3x the CPU's own drift under
// a 1e-6 weight perturbation (at least 1e-4).
// Epochs 1-2 on `first`, then 3-4 (initial_epoch 2) on `second` with the same Trainer (batch 64,
// seed 3): a run resumed on another device.
inline FitResult fitAcrossDevices(Model& m, Trainer& t, const Dataset& d, const std::string& first,
                                  const std::string& second) {
  FitOptions o = quietFit(64, 3, 2, first);
  t.fit(d, o);
  o.initialEpoch = 2;
  o.epochs = 4;
  o.device = second;
  FitResult f;
  f.history = t.fit(d, o);
  f.after = allValues(m);
  return f;
}

inline std::vector<Result> checkResume(int device) {
  std::vector<Result> r;
  const Dataset d = syntheticData(300, {28, 28, 1}, 10, false, 24);
  const std::string gpu = "cuda:" + std::to_string(device);
  auto run = [&](const std::string& first, const std::string& second, float perturb) {
    Model m(fashionCnn(true), 1);
    for (Variable* v : m.allWeights())
      for (Index i = 0; i < v->value.size(); ++i) v->value[i] *= 1.0f + perturb * float(i % 3 - 1);
    Trainer t(m, adamSparseCompile());
    return fitAcrossDevices(m, t, d, first, second);
  };
  const FitResult ref = run("cpu", "cpu", 0.0f);
  const FitResult self = run("cpu", "cpu", 1e-6f);
  const Index nw = Index(ref.after.size());
  const double drift = relErr(self.after.data(), ref.after.data(), nw);
  const double lossRef = ref.history["loss"].back();
  const double lossDrift = std::abs(self.history["loss"].back() - lossRef) / std::abs(lossRef);
  for (const auto& [a, b] :
       {std::pair{std::string("cpu"), gpu}, std::pair{gpu, std::string("cpu")}}) {
    const FitResult x = run(a, b, 0.0f);
    const std::string name = "Fashion CNN + BN, Adam: epochs 1-2 on " + a + ", 3-4 on " + b;
    char label[200];
    std::snprintf(label, sizeof label, "%s: weights (CPU vs CPU+1e-6: %.2g)", name.c_str(), drift);
    r.push_back({label, relErr(x.after.data(), ref.after.data(), nw), std::max(1e-4, 3 * drift)});
    std::snprintf(label, sizeof label, "%s: loss (CPU vs CPU+1e-6: %.2g)", name.c_str(), lossDrift);
    r.push_back({label, std::abs(x.history["loss"].back() - lossRef) / std::abs(lossRef),
                 std::max(1e-4, 3 * lossDrift)});
    r.push_back({name + ": epochs recorded", x.history["loss"].size() == 2 ? 0.0 : 1.0, 0.0});
  }
  return r;
}

// Unsets an environment variable for a scope (the run's own option then decides), then puts
// back what was there.
struct EnvUnsetScope {
  std::string name;
  std::optional<std::string> old;
  explicit EnvUnsetScope(std::string n) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    ::unsetenv(name.c_str());
  }
  ~EnvUnsetScope() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
  }
};

// FitOptions::deterministic (Keras's enable_op_determinism, `--deterministic`): two GPU fits of
// the same model with the same seed end with the same weights bit for bit. The default (cuDNN's
// fastest algorithms) is only reported: it may differ in the last bits from run to run.
inline std::vector<Result> checkDeterminism(int device) {
  std::vector<Result> r;
  const EnvUnsetScope unset("TESSEL_GPU_DETERMINISTIC");
  const Dataset d = syntheticData(512, {28, 28, 1}, 10, false, 25);
  auto fit = [&](bool deterministic) {
    Model m(fashionCnn(true), 1);
    Trainer t(m, adamSparseCompile());
    FitOptions o = quietFit(256, 5, 2, "cuda:" + std::to_string(device));
    o.deterministic = deterministic;
    t.fit(d, o);
    return allValues(m);
  };
  auto differing = [](const std::vector<float>& a, const std::vector<float>& b) {
    double n = 0;
    for (size_t i = 0; i < a.size(); ++i) n += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
    return n;
  };
  const std::vector<float> a = fit(true), b = fit(true);
  r.push_back(
      {"deterministic: two GPU fits, weights differing bit-wise (count)", differing(a, b), 0.0});
  const std::vector<float> c = fit(false), e = fit(false);
  std::printf("info default algorithms: two GPU fits differ in %.0f of %zu weights (rel %.2g)\n",
              differing(c, e), c.size(), relErr(c.data(), e.data(), Index(c.size())));
  return r;
}

// FitOptions::tf32 (Keras's enable_tensor_float_32_execution, `--tf32`): one epoch of the Fashion
// CNN with TF32 tensor-core products stays within 1e-2 of the CPU's FP32 weights and loss, and
// differs from the GPU's own FP32 run (so the option takes effect).
inline std::vector<Result> checkTf32(int device) {
  std::vector<Result> r;
  const EnvUnsetScope unset("TESSEL_GPU_TF32");
  const Dataset d = syntheticData(512, {28, 28, 1}, 10, false, 26);
  const std::string gpu = "cuda:" + std::to_string(device);
  auto fit = [&](const std::string& dev, bool tf32) {
    Model m(fashionCnn(), 1);
    Trainer t(m, adamSparseCompile());
    FitOptions o = quietFit(64, 7, 1, dev);
    o.tf32 = tf32;
    FitResult f;
    f.history = t.fit(d, o);
    f.after = allValues(m);
    return f;
  };
  const FitResult cpu = fit("cpu", false), fp32 = fit(gpu, false), tf = fit(gpu, true);
  const Index nw = Index(cpu.after.size());
  r.push_back({"TF32 Fashion CNN, 1 epoch: weights vs the CPU's FP32",
               relErr(tf.after.data(), cpu.after.data(), nw), 1e-2});
  const double lc = cpu.history["loss"].back();
  r.push_back({"TF32 Fashion CNN, 1 epoch: loss vs the CPU's FP32",
               std::abs(tf.history["loss"].back() - lc) / std::abs(lc), 1e-2});
  const double fromFp32 = relErr(tf.after.data(), fp32.after.data(), nw);
  std::printf("info TF32 vs FP32 on the GPU: weights %.3g apart (FP32 GPU vs CPU: %.3g)\n",
              fromFp32, relErr(fp32.after.data(), cpu.after.data(), nw));
  r.push_back({"TF32 differs from FP32 on the GPU (the option takes effect)",
               fromFp32 > 1e-6 ? 0.0 : 1.0, 0.0});
  return r;
}

// Trainer::evaluate and Trainer::predict on the GPU (an inference plan: forward only, loss and
// metrics on the host) against the CPU: the Fashion CNN with BatchNormalization (inference on
// the moving statistics, after one CPU epoch moved them) and the separable CNN, batch 64 with a
// partial last batch.
inline std::vector<Result> checkInference(int device) {
  std::vector<Result> r;
  const Dataset d = syntheticData(300, {28, 28, 1}, 10, false, 41);
  const std::string dev = "cuda:" + std::to_string(device);
  for (int which = 0; which < 2; ++which) {
    const std::string name = which ? "separable CNN" : "Fashion CNN + BatchNorm";
    Model m(which ? seedSeparable() : fashionCnn(true), 1);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.metrics = {{"accuracy"}};
    c.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}};
    Trainer t(m, c);
    FitOptions o;
    o.epochs = 1;
    o.batchSize = 64;
    o.verbose = 0;
    t.fit(d, o);  // on the CPU: moving statistics and weights away from their initial values
    const Logs lc = t.evaluate(d, 64, "cpu");
    const Logs lg = t.evaluate(d, 64, dev);
    for (size_t i = 0; i < lc.size(); ++i) {
      const double a = lc[i].second, b = i < lg.size() ? lg[i].second : 1e30;
      r.push_back({name + " evaluate on the GPU: " + lc[i].first,
                   std::abs(a - b) / std::max(std::abs(a), 1e-12),
                   lc[i].first == "accuracy" ? 1.0 / 300 : 1e-5 * algoTolerance()});
    }
    const std::vector<Tensor> pc = t.predict(d.x, 64, "cpu");
    const std::vector<Tensor> pg = t.predict(d.x, 64, dev);
    r.push_back({name + " predict on the GPU",
                 pg.size() == 1 && pg[0].size() == pc[0].size()
                     ? relErr(pg[0].data(), pc[0].data(), pc[0].size())
                     : 1e30,
                 1e-5 * algoTolerance()});
  }
  return r;
}

// The check groups by name, in the order checkAll runs them.
}  // namespace tessel::gpucheck
