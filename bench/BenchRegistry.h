#pragma once
// The built-in benchmarks of `tessel-bench NAME`. To add one, create bench/Bench<Name>.cpp with a
// run function and register it at file scope (bench sources are linked straight into the
// executable, so the registration is never dropped):
//
//   static int runFashionCnn(const BenchOptions& o);
//   TESSEL_REGISTER_BENCH(fashion_cnn, "fashion-cnn", "the Fashion-MNIST CNN", runFashionCnn);
//
// Optional fields after the run function: the benchmark's own options (parsed with the common
// ones by the CLI's option parser; read them from o.args) and older names still accepted.
// A run function prints what it likes and ends with the line `samples_per_s=N`
// (tests/bench/run_bench.sh parses it); benchFashionModel() below does all of that for a Keras
// model trained on Fashion-MNIST.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/Args.h"
#include "app/cli/CommandSpec.h"

namespace tessel {
class Trainer;
class TrainObserver;
}  // namespace tessel

namespace tessel::bench {

struct BenchOptions {
  long long samples = 55000;  // training samples per epoch (after the 5000 validation images)
  int epochs = 1;
  int threads = 0;  // already applied (Eigen + OpenMP) before run() is called; 0 = all cores
  // The parsed command line (common options and the benchmark's own); null when a benchmark is
  // run from another one.
  const app::Args* args = nullptr;
};

struct BenchCase {
  std::string name;         // "fashion-mlp"
  std::string description;  // one line for `tessel-bench --help`
  int (*run)(const BenchOptions&);
  std::vector<app::OptionSpec> options = {};  // options of this benchmark only
  std::vector<std::string> aliases = {};      // older names, accepted but not listed
};

std::vector<BenchCase>& benchRegistry();  // sorted by name
// By name or alias; nullptr when unknown.
const BenchCase* findBench(const std::string& name);

struct BenchRegistration {
  explicit BenchRegistration(BenchCase c);
};

#define TESSEL_REGISTER_BENCH(id, ...)                              \
  static const ::tessel::bench::BenchRegistration tesselBench_##id( \
      ::tessel::bench::BenchCase{__VA_ARGS__})

// Shared driver: builds the Keras model `kerasModelJson` (a Sequential/Functional topology as
// model.to_json() writes it), compiles it with SGD(lr) + sparse_categorical_crossentropy +
// accuracy, trains it on the first o.samples Fashion-MNIST training images after the 5000
// validation ones (StandardScaler over all pixels, reshaped to the model's input), batch
// `batchSize`, shuffled, and prints per-epoch speed, test accuracy, peak RSS and, last,
// `samples_per_s=N`. Returns 0.
// observerFor, when given, makes an extra observer for the trainer (e.g. a RunRecorder writing
// the run into a project file) that sees every callback too.
using ObserverFactory = std::function<std::unique_ptr<TrainObserver>(Trainer&)>;
int benchFashionModel(const std::string& kerasModelJson, const BenchOptions& o, int batchSize = 32,
                      double learningRate = 0.01, const ObserverFactory& observerFor = {});
// The Fashion-MNIST MLP's Keras JSON (BenchFashionMlp.cpp).
std::string fashionMlpJson();

}  // namespace tessel::bench
