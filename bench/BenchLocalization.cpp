// `tessel-bench localization`: the bundled Fashion-MNIST localization example
// (resources/examples/fashion_mnist_localization/model.json: shared conv trunk, Dense(10, softmax)
// class head and Dense(4, sigmoid) box head, compiled from its training_config) trained on the
// generated localization set (engine/data/FashionLocalization.h): --samples items made from the
// Fashion-MNIST training images (after the 5000 validation ones), validated on 2000 items made
// from the 5000 validation images (other sources, other seed). Prints per epoch the training time,
// the losses, and the validation class accuracy and mean box IoU; then whether the example's goal
// (class accuracy >= 0.85, mean IoU >= 0.70) is reached, and `samples_per_s=N`. With
// TESSEL_BENCH_SAVE=PATH/model.json the trained model is written there (TF.js format).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/BenchRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kExample = "fashion_mnist_localization/model.json";
constexpr Index kValidItems = 2000;

// The example next to the executable once installed (bin/../share/tessel/examples), in a build
// tree (build/app/tessel), or in the source tree.
std::string findExample() {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    roots.push_back(exe.parent_path() / "../share/tessel/examples");
    roots.push_back(exe.parent_path() / "../resources/examples");
    roots.push_back(exe.parent_path() / "../../resources/examples");
  }
#ifdef TESSEL_SOURCE_DIR
  roots.push_back(fs::path(TESSEL_SOURCE_DIR) / "resources/examples");
#endif
  for (const auto& r : roots)
    if (fs::is_regular_file(r / kExample, ec)) return (r / kExample).string();
  throw Error(std::string("bundled example ") + kExample + " not found");
}

class EpochPrinter : public TrainObserver {
 public:
  EpochPrinter(const std::string& accKey, const std::string& iouKey)
      : accKey_(accKey), iouKey_(iouKey) {}
  void onEpochBegin(int) override { begin_ = last_ = Clock::now(); }
  void onBatchEnd(int, int, const Logs&) override { last_ = Clock::now(); }
  void onEpochEnd(int epoch, const Logs& logs) override {
    const double dt = std::chrono::duration<double>(last_ - begin_).count();
    total_ += dt;
    ++epochs_;
    acc_ = findLog(logs, "val_" + accKey_).value_or(-1);
    iou_ = findLog(logs, "val_" + iouKey_).value_or(-1);
    std::printf("epoch %d train_s %.1f", epoch + 1, dt);
    for (const auto& [k, v] : logs)
      if (k.rfind("val_", 0) != 0) std::printf(" %s %.4f", k.c_str(), v);
    std::printf(" | val class_accuracy %.4f mean_iou %.4f", acc_, iou_);
    for (const auto& [k, v] : logs)
      if (k.rfind("val_", 0) == 0 && k != "val_" + accKey_ && k != "val_" + iouKey_)
        std::printf(" %s %.4f", k.c_str(), v);
    std::printf("\n");
    std::fflush(stdout);
  }
  double total_ = 0, acc_ = -1, iou_ = -1;
  int epochs_ = 0;

 private:
  std::string accKey_, iouKey_;
  Clock::time_point begin_, last_;
};

int runLocalization(const BenchOptions& o) {
  const std::string path = findExample();
  ModelFile file = readModelFile(path);
  Model model(file.spec, /*seed=*/0);
  if (model.numOutputs() != 2)
    throw Error(path + ": expected two outputs (class, box), got " +
                std::to_string(model.numOutputs()));
  std::vector<std::string> outputs = {model.outputName(0), model.outputName(1)};
  CompileOptions compile = CompileOptions::fromTrainingConfig(file.trainingConfig, outputs);
  Trainer trainer(model, compile);

  if (!fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
  const Index samples = std::min<Index>(std::max<Index>(o.samples, 1), 55000);
  FashionMnist f = loadFashionMnist(kFashionMnistDir, samples, 0);
  const auto t0 = Clock::now();
  LocalizationOptions lo;
  lo.count = samples;
  lo.seed = 1;
  LocalizationSet train = generateFashionLocalization(f.xTrain, f.yTrain, lo);
  lo.count = kValidItems;
  lo.seed = 2;
  LocalizationSet valid = generateFashionLocalization(f.xValid, f.yValid, lo);
  const double genSeconds = std::chrono::duration<double>(Clock::now() - t0).count();

  Dataset trainData{{train.x}, {train.yClass, train.yBox}, {}};
  FitOptions options;
  options.epochs = o.epochs;
  options.batchSize = 32;
  options.shuffle = true;
  options.verbose = 0;
  options.validationData = Dataset{{valid.x}, {valid.yClass, valid.yBox}, {}};

  std::printf(
      "bench localization: %s\n  %lld generated training items (64x64, seed 1), %lld validation "
      "items (seed 2), generated in %.1f s; %d epoch(s), batch %d, %d thread(s), %lld "
      "parameters\n  training_config: %s\n",
      path.c_str(), static_cast<long long>(train.size()), static_cast<long long>(valid.size()),
      genSeconds, o.epochs, options.batchSize, o.threads,
      static_cast<long long>(model.parameterCount()), file.trainingConfig.dump().c_str());
  std::fflush(stdout);
  // Keras names multi-output metrics "<output>_<metric>".
  EpochPrinter printer(outputs[0] + "_accuracy", outputs[1] + "_box_iou");
  History h = trainer.fit(trainData, options, {}, &printer);
  if (!h.stopReason.empty()) std::printf("stopped: %s\n", h.stopReason.c_str());
  // TESSEL_BENCH_SAVE=DIR/model.json keeps the trained model (e.g. for `tessel predict --image`).
  if (const char* save = std::getenv("TESSEL_BENCH_SAVE"); save && *save) {
    NamedWeights weights;
    for (auto& [name, var] : model.namedWeights()) weights.emplace_back(name, var->value);
    if (fs::path(save).has_parent_path()) fs::create_directories(fs::path(save).parent_path());
    writeModelFile(save, file.spec, weights, file.trainingConfig);
    std::printf("saved the trained model to %s\n", save);
  }
  const bool goal = printer.acc_ >= 0.85 && printer.iou_ >= 0.70;
  std::printf(
      "final val class_accuracy %.4f mean_iou %.4f after %d epoch(s), %.1f s of training: "
      "goal (>= 0.85, >= 0.70) %s\n",
      printer.acc_, printer.iou_, printer.epochs_, printer.total_,
      goal ? "reached" : "NOT reached");
  std::printf("samples_per_s=%.0f\n",
              printer.total_ > 0 ? double(train.size()) * printer.epochs_ / printer.total_ : 0.0);
  std::fflush(stdout);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(localization, "localization",
                      "the Fashion-MNIST localization example (class + box heads) on the generated "
                      "64x64 set; prints validation class accuracy and mean IoU per epoch",
                      runLocalization);

}  // namespace tessel::bench
