// `tessel-bench lambda-softplus`: the cost of a Lambda layer. Two MLPs on the same random data
// (784 features, Dense(256) -> softplus -> Dense(128) -> softplus -> Dense(10), MSE, SGD 0.01,
// batch 32): one with Dense(activation="softplus"), one with linear Dense layers followed by
// Lambda(tf.nn.softplus(x)). They train alternately --reps times (default 3) for --epochs over
// --samples samples (defaults 1 and 20000); the best epoch time of each counts. Prints both
// speeds and `lambda_vs_builtin=R` (the goal is R >= 0.9), then `samples_per_s=N` of the Lambda
// model.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "bench/BenchRegistry.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using json = nlohmann::json;

ModelSpec mlp(bool lambda) {
  json layers = json::array();
  layers.push_back({{"class_name", "InputLayer"},
                    {"config", {{"name", "in"}, {"batch_input_shape", {nullptr, 784}}}}});
  const int units[] = {256, 128};
  for (int k = 0; k < 2; ++k) {
    const std::string d = "dense_" + std::to_string(k);
    layers.push_back(
        {{"class_name", "Dense"},
         {"config",
          {{"name", d}, {"units", units[k]}, {"activation", lambda ? "linear" : "softplus"}}}});
    if (lambda)
      layers.push_back(
          {{"class_name", "Lambda"},
           {"config",
            {{"name", "softplus_" + std::to_string(k)}, {"expression", "tf.nn.softplus(x)"}}}});
  }
  layers.push_back({{"class_name", "Dense"}, {"config", {{"name", "out"}, {"units", 10}}}});
  return ModelSpec::fromKerasJson(
      {{"class_name", "Sequential"},
       {"config", {{"name", lambda ? "mlp_lambda" : "mlp_builtin"}, {"layers", layers}}}});
}

// Samples per second of one fit() call.
double trainOnce(Model& m, const Dataset& d, int epochs) {
  Trainer t(m,
            CompileOptions{
                {"mse"}, {}, {}, {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}}});
  FitOptions o;
  o.epochs = epochs, o.batchSize = 32, o.verbose = 0;
  const auto t0 = std::chrono::steady_clock::now();
  t.fit(d, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return double(d.size()) * epochs / s;
}

int runLambdaSoftplus(const BenchOptions& o) {
  const int reps = o.args ? int(o.args->intValue("--reps", 3, 1, 1000)) : 3;
  const Index n = o.args && o.args->has("--samples") ? Index(o.samples) : 20000;
  Rng rng(7);
  Tensor x({n, 784}), y({n, 10});
  for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
  for (Index i = 0; i < y.size(); ++i) y[i] = rng.uniform(0, 1);
  Dataset d;
  d.x = {Array::fromTensor(x)};
  d.y = {Array::fromTensor(y)};
  Model builtin(mlp(false), 1), lambda(mlp(true), 1);
  lambda.setWeights(builtin.getWeights());
  double best[2] = {0, 0};
  for (int r = 0; r < reps; ++r)
    for (int k = 0; k < 2; ++k) {
      const double sps = trainOnce(k ? lambda : builtin, d, o.epochs);
      best[k] = std::max(best[k], sps);
      std::printf("rep %d %-8s %.0f samples/s\n", r + 1, k ? "lambda" : "builtin", sps);
    }
  std::printf("builtin_samples_per_s=%.0f\nlambda_samples_per_s=%.0f\nlambda_vs_builtin=%.3f\n",
              best[0], best[1], best[1] / best[0]);
  std::printf("samples_per_s=%.0f\n", best[1]);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(lambda_softplus, "lambda-softplus",
                      "a Lambda(tf.nn.softplus(x)) MLP against Dense(activation=softplus): the "
                      "speed ratio",
                      runLambdaSoftplus,
                      {{"--reps", "N", false, "alternating runs of each model (default 3)"}});

}  // namespace tessel::bench
