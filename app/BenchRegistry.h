#pragma once
// The built-in benchmarks of `tessel bench NAME`. To add one, create app/Bench<Name>.cpp with a
// run function and register it at file scope (app sources are linked straight into the
// executable, so the registration is never dropped):
//
//   static int runSeedCnn(const BenchOptions& o);
//   TESSEL_REGISTER_BENCH(seed_cnn, "seed-cnn", "the seed's CNN on Fashion-MNIST", runSeedCnn);
//
// A run function prints what it likes and ends with the line `samples_per_s=N` (bench/run_bench.sh
// parses it); benchSeedModel() below does all of that for a Keras model trained on Fashion-MNIST.
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tessel {
class Trainer;
class TrainObserver;
}  // namespace tessel

namespace tessel::app {

struct BenchOptions {
  long long samples = 55000;  // training samples per epoch (after the 5000 validation images)
  int epochs = 1;
  int threads = 0;  // already applied (Eigen + OpenMP) before run() is called; 0 = all cores
  // The command line after `bench` as given (NAME and every option), for options only one
  // benchmark reads (imagefolder: --images, --size, --cache-mb, --dir, --eager, --batch-size).
  std::vector<std::string> args;
};

struct BenchCase {
  std::string name;         // "seed-mlp"
  std::string description;  // one line for `tessel bench --help`
  int (*run)(const BenchOptions&);
};

std::vector<BenchCase>& benchRegistry();  // sorted by name when listed
const BenchCase* findBench(const std::string& name);

struct BenchRegistration {
  explicit BenchRegistration(BenchCase c);
};

#define TESSEL_REGISTER_BENCH(id, name, description, fn) \
  static const ::tessel::app::BenchRegistration tesselBench_##id({name, description, fn})

// Shared driver: builds the Keras model `kerasModelJson` (a Sequential/Functional topology as
// model.to_json() writes it), compiles it with SGD(lr) + sparse_categorical_crossentropy +
// accuracy, trains it on the first o.samples Fashion-MNIST training images after the 5000
// validation ones (StandardScaler over all pixels, reshaped to the model's input), batch
// `batchSize`, shuffled, and prints per-epoch speed, test accuracy, peak RSS and, last,
// `samples_per_s=N`. Returns 0.
// observerFor, when given, makes an extra observer for the trainer (e.g. a RunRecorder writing
// the run into a project file) that sees every callback too.
using ObserverFactory = std::function<std::unique_ptr<TrainObserver>(Trainer&)>;
int benchSeedModel(const std::string& kerasModelJson, const BenchOptions& o, int batchSize = 32,
                   double learningRate = 0.01, const ObserverFactory& observerFor = {});
// The seed classifier's Keras JSON (BenchSeedMlp.cpp).
std::string seedMlpJson();

}  // namespace tessel::app
