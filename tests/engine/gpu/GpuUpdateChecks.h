#pragma once
// GPU-vs-CPU checks of the optimizer update on the GPU (engine/gpu/GpuUpdate.h): every optimizer
// of the catalog with its non-default options, and the options every optimizer has (clipnorm,
// clipvalue, global_clipnorm, weight_decay, learning-rate schedules, the legacy decay), each
// through Trainer::fit on both devices (compareFit: 2 epochs, validation split, a partial last
// batch); resume across devices for optimizers with several slots; and the refusal, by name, of
// an optimizer the GPU has no path for (a class of the user's own, or a subclass).
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "GpuChecks.h"
#include "engine/core/Error.h"
#include "engine/optimizers/Adam.h"

namespace tessel::gpucheck {

// An optimizer of the user's own (plain SGD, not from the catalog): the GPU has no path for it.
class CustomSgdForChecks : public Optimizer {
 public:
  std::string name() const override { return "CustomSgd"; }
  json config() const override { return baseConfig(); }

 protected:
  void update(size_t, Variable& var, const Tensor& grad, double lr, long long) override {
    var.value.array() -= float(lr) * grad.array();
  }
};

// An engine optimizer subclassed (it could override update()): refused too, although its name()
// is the engine's.
class SubclassedAdamForChecks : public Adam {
 public:
  SubclassedAdamForChecks() : Adam(0.001, 0.9, 0.999, 1e-7, false) {}
};

// The Dense model of checkOptimizers: 20 -> 32 relu -> 16 tanh -> 4 softmax.
inline ModelSpec updateCheckModel() {
  return sequential(json::array({denseLayer("d0", 32, "relu", 20), denseLayer("d1", 16, "tanh"),
                                 denseLayer("d2", 4, "softmax")}));
}

inline json optimizerSpec(const std::string& cls, json config) {
  return {{"class_name", cls}, {"config", std::move(config)}};
}

// The GPU plan refuses what has no GPU path, naming it, before any device is touched.
inline std::vector<Result> checkUpdateRefusals(int device) {
  std::vector<Result> r;
  Model m(updateCheckModel(), 1);
  std::unique_ptr<Loss> loss = makeLoss("categorical_crossentropy");
  CustomSgdForChecks custom;
  const std::string want = "the optimizer CustomSgd is not on the GPU yet; use --device cpu";
  std::string got = "(accepted)";
  try {
    gpu::Executor::create(device, m, {loss.get()}, {1.0}, custom, m.trainableWeights(), 4);
  } catch (const std::exception& e) {
    got = e.what();
  }
  r.push_back(
      {"custom optimizer refused by name (got: " + got + ")", got == want ? 0.0 : 1.0, 0.0});
  SubclassedAdamForChecks sub;
  const std::string wantSub =
      "the optimizer Adam (a subclass) is not on the GPU yet; use --device cpu";
  got = "(accepted)";
  try {
    gpu::Executor::create(device, m, {loss.get()}, {1.0}, sub, m.trainableWeights(), 4);
  } catch (const std::exception& e) {
    got = e.what();
  }
  r.push_back({"subclass of Adam refused (got: " + got + ")", got == wantSub ? 0.0 : 1.0, 0.0});
  return r;
}

// One compareFit per optimizer and per option, and resume across devices.
inline std::vector<Result> checkUpdates(int device) {
  std::vector<Result> r;
  const Dataset d = syntheticData(500, {20}, 4, true, 31);
  const ModelSpec model = updateCheckModel();
  const std::string cce = "categorical_crossentropy";
  // 2 epochs of 7 steps (400 training rows, batch 64): schedules change within the run.
  const std::vector<std::pair<std::string, json>> cases = {
      {"SGD", optimizerSpec("SGD", {{"learning_rate", 0.05}})},
      {"SGD momentum 0.9", optimizerSpec("SGD", {{"learning_rate", 0.05}, {"momentum", 0.9}})},
      {"SGD nesterov momentum 0.8 + weight_decay 0.01",
       optimizerSpec("SGD", {{"learning_rate", 0.05},
                             {"momentum", 0.8},
                             {"nesterov", true},
                             {"weight_decay", 0.01}})},
      {"Adam", optimizerSpec("Adam", {{"learning_rate", 0.01}})},
      {"Adam amsgrad", optimizerSpec("Adam", {{"learning_rate", 0.01}, {"amsgrad", true}})},
      {"Adam beta_1 0.8, beta_2 0.99, epsilon 1e-4",
       optimizerSpec(
           "Adam",
           {{"learning_rate", 0.01}, {"beta_1", 0.8}, {"beta_2", 0.99}, {"epsilon", 1e-4}})},
      {"Adam weight_decay 0.05 (AdamW)",
       optimizerSpec("Adam", {{"learning_rate", 0.01}, {"weight_decay", 0.05}})},
      {"Adamax", optimizerSpec("Adamax", {{"learning_rate", 0.01}})},
      {"Adamax beta_2 0.9, epsilon 1e-3",
       optimizerSpec("Adamax", {{"learning_rate", 0.01}, {"beta_2", 0.9}, {"epsilon", 1e-3}})},
      {"Nadam", optimizerSpec("Nadam", {{"learning_rate", 0.01}})},
      {"Nadam beta_1 0.8, epsilon 1e-4",
       optimizerSpec("Nadam", {{"learning_rate", 0.01}, {"beta_1", 0.8}, {"epsilon", 1e-4}})},
      {"RMSprop", optimizerSpec("RMSprop", {{"learning_rate", 0.005}})},
      {"RMSprop rho 0.8, momentum 0.5",
       optimizerSpec("RMSprop", {{"learning_rate", 0.005}, {"rho", 0.8}, {"momentum", 0.5}})},
      {"RMSprop centered",
       optimizerSpec("RMSprop", {{"learning_rate", 0.005}, {"centered", true}})},
      {"RMSprop centered + momentum 0.9, epsilon 1e-5",
       optimizerSpec(
           "RMSprop",
           {{"learning_rate", 0.002}, {"centered", true}, {"momentum", 0.9}, {"epsilon", 1e-5}})},
      {"Adagrad", optimizerSpec("Adagrad", {{"learning_rate", 0.05}})},
      {"Adagrad initial_accumulator_value 0.5, epsilon 1e-5",
       optimizerSpec(
           "Adagrad",
           {{"learning_rate", 0.05}, {"initial_accumulator_value", 0.5}, {"epsilon", 1e-5}})},
      {"Adam clipnorm 0.05", optimizerSpec("Adam", {{"learning_rate", 0.01}, {"clipnorm", 0.05}})},
      {"SGD momentum clipvalue 0.02",
       optimizerSpec("SGD", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"clipvalue", 0.02}})},
      {"RMSprop global_clipnorm 0.1",
       optimizerSpec("RMSprop", {{"learning_rate", 0.005}, {"global_clipnorm", 0.1}})},
      {"SGD global_clipnorm 0.2 + clipvalue 0.01",
       optimizerSpec("SGD",
                     {{"learning_rate", 0.1}, {"global_clipnorm", 0.2}, {"clipvalue", 0.01}})},
      {"Nadam clipnorm 0.1 + clipvalue 0.01 + weight_decay 0.02",
       optimizerSpec("Nadam", {{"learning_rate", 0.01},
                               {"clipnorm", 0.1},
                               {"clipvalue", 0.01},
                               {"weight_decay", 0.02}})},
      {"Adagrad clipnorm 0.05 + weight_decay 0.1",
       optimizerSpec("Adagrad",
                     {{"learning_rate", 0.05}, {"clipnorm", 0.05}, {"weight_decay", 0.1}})},
      {"Adam ExponentialDecay(0.01, 3 steps, 0.5)",
       optimizerSpec(
           "Adam",
           {{"learning_rate",
             {{"class_name", "ExponentialDecay"},
              {"config",
               {{"initial_learning_rate", 0.01}, {"decay_steps", 3}, {"decay_rate", 0.5}}}}}})},
      {"SGD momentum PiecewiseConstantDecay([4, 9], [0.1, 0.05, 0.01])",
       optimizerSpec("SGD",
                     {{"momentum", 0.9},
                      {"learning_rate",
                       {{"class_name", "PiecewiseConstantDecay"},
                        {"config", {{"boundaries", {4, 9}}, {"values", {0.1, 0.05, 0.01}}}}}}})},
      {"RMSprop CosineDecay with warmup + weight_decay 0.01",
       optimizerSpec("RMSprop", {{"weight_decay", 0.01},
                                 {"learning_rate",
                                  {{"class_name", "CosineDecay"},
                                   {"config",
                                    {{"initial_learning_rate", 0.0},
                                     {"decay_steps", 10},
                                     {"warmup_target", 0.005},
                                     {"warmup_steps", 4}}}}}})},
      {"Adagrad legacy decay 0.05 (InverseTimeDecay)",
       optimizerSpec("Adagrad", {{"learning_rate", 0.05}, {"decay", 0.05}})},
  };
  for (const auto& [name, spec] : cases) {
    try {
      compareFit(device, model, cce, spec, d, 64, 2, 0, name + ", 2 epochs", 1e-4, r, 0.2);
    } catch (const std::exception& e) {
      r.push_back({name + ": ERROR " + e.what(), 1e30, 1e-4});
    }
  }
  // MSE with Dropout (masks drawn on the host) under a stateful optimizer with clipping.
  const ModelSpec dropout = sequential(
      json::array({denseLayer("d0", 32, "sigmoid", 20),
                   {{"class_name", "Dropout"}, {"config", {{"name", "drop"}, {"rate", 0.3}}}},
                   denseLayer("d1", 4, "linear")}));
  try {
    compareFit(
        device, dropout, "mse",
        optimizerSpec(
            "RMSprop",
            {{"learning_rate", 0.005}, {"centered", true}, {"momentum", 0.5}, {"clipnorm", 0.2}}),
        d, 64, 2, 0, "RMSprop centered + momentum + clipnorm, MSE + Dropout, 2 epochs", 1e-4, r,
        0.2);
  } catch (const std::exception& e) {
    r.push_back({std::string("RMSprop + Dropout: ERROR ") + e.what(), 1e30, 1e-4});
  }

  // Resume across devices: epochs 1-2 on one device, 3-4 on the other (every slot, the iteration
  // count and Nadam's running product carried over), against 4 epochs on the CPU; twice as many
  // steps as above, so 3e-4.
  const std::string gpu = "cuda:" + std::to_string(device);
  const std::vector<std::pair<std::string, json>> resumed = {
      {"Nadam", optimizerSpec("Nadam", {{"learning_rate", 0.01}})},
      {"RMSprop centered + momentum",
       optimizerSpec("RMSprop", {{"learning_rate", 0.005}, {"centered", true}, {"momentum", 0.5}})},
      {"Adam amsgrad + clipnorm",
       optimizerSpec("Adam", {{"learning_rate", 0.01}, {"amsgrad", true}, {"clipnorm", 0.1}})},
      {"Adagrad", optimizerSpec("Adagrad", {{"learning_rate", 0.05}})},
  };
  for (const auto& [name, spec] : resumed) {
    auto run = [&](const std::string& first, const std::string& second) {
      Model m(model, 1);
      CompileOptions c;
      c.losses = {cce};
      c.metrics = {{"accuracy"}};
      c.optimizer = spec;
      Trainer t(m, c);
      return fitAcrossDevices(m, t, d, first, second);
    };
    try {
      const FitResult ref = run("cpu", "cpu");
      const Index nw = Index(ref.after.size());
      const double lossRef = ref.history["loss"].back();
      for (const auto& [a, b] :
           {std::pair{std::string("cpu"), gpu}, std::pair{gpu, std::string("cpu")}}) {
        const FitResult x = run(a, b);
        const std::string label = name + ": epochs 1-2 on " + a + ", 3-4 on " + b;
        r.push_back({label + ": weights", relErr(x.after.data(), ref.after.data(), nw), 3e-4});
        r.push_back({label + ": loss",
                     std::abs(x.history["loss"].back() - lossRef) / std::abs(lossRef), 3e-4});
      }
    } catch (const std::exception& e) {
      r.push_back({name + " resume: ERROR " + e.what(), 1e30, 1e-4});
    }
  }

  for (Result& x : checkUpdateRefusals(device)) r.push_back(std::move(x));
  return r;
}

}  // namespace tessel::gpucheck
