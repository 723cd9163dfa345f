#pragma once
// Helpers shared by the sub-commands: threads, reading model files and data, Keras-style output.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/KerasFormat.h"
#include "engine/data/DataSettings.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/RunSettings.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "engine/train/Logs.h"
#include "engine/train/Model.h"

namespace tessel {
class Project;
struct ModelRecord;
}  // namespace tessel

namespace tessel::app {

class Args;

// The project's model named by --model, else its first; a clear error when there is none.
ModelRecord projectModel(const Project& project, const Args& args);

// Applies --threads (default: all cores) to Eigen and OpenMP; returns the thread count.
int applyThreads(const Args& args);
// --seed (default 0): weight initialisation, shuffling and dropout.
std::uint64_t seedOption(const Args& args);
// The fit() options of `train`: --seed (read first), --epochs (1), --batch-size (32),
// --validation-split (0),
// --no-shuffle and --verbose (1).
FitOptions fitOptions(const Args& args);
// Parses a JSON file; tessel::Error "<path>: ..." when it cannot be read or is not JSON.
nlohmann::json readJsonFile(const std::string& path);
// "loss: 0.3012 - accuracy: 0.8912" (Keras's log line, without the step counter; numbers as
// kerasNumber in engine/core/KerasFormat.h).
std::string formatLogs(const Logs& logs, const std::string& prefix = "");
// Peak resident set size of this process in MiB.
double peakRssMiB();

// A model.json (with its weights when present) built into an executable Model. Without weights
// the layers are initialised as Keras would, from `seed`.
struct LoadedModel {
  ModelFile file;
  std::unique_ptr<Model> model;
  bool hasWeights = false;
};
LoadedModel loadModel(const std::string& path, std::uint64_t seed);

// Compile settings: the model's training_config, overridden by --loss, --metrics, --optimizer and
// --lr when the command has them. UsageError when there is no loss at all.
CompileOptions compileOptions(const LoadedModel& m, const Args& args);
// Help of --optimizer, --loss and --metrics: the names of the optimizer, loss and metric catalogs
// (engine/catalog), so the help offers exactly what the engine builds.
const char* optimizerOptionHelp();
const char* lossOptionHelp();
const char* metricsOptionHelp();
// Why `value` is not accepted for `option` ("--optimizer", "--loss" or "--metrics", a
// comma-separated list): "" when every name is in its catalog, else "unknown loss 'x' (known:
// ...)". compileOptions() throws it as a UsageError.
std::string compileOptionError(const std::string& option, const std::string& value);
// `optimizer` (a name or {"class_name", "config"}) with its learning rate set to lr.
nlohmann::json withLearningRate(const nlohmann::json& optimizer, double lr);

// The data settings of --data NAME or --x/--y: fashion-mnist is DataSettings kind
// "fashion_mnist" (what the studio trains the Fashion-MNIST MLP on), .npy files kind "npy" with
// options {"x": [absolute paths], "y": [...]}. UsageError for a missing, unknown or doubled source.
DataSettings dataSettings(const Args& args);

// The data of `settings` for `model`. Fashion-MNIST through DatasetBuilder as the studio loads
// it: train = the 55000 training samples, valid = the first 5000 of the training file, test = the
// 10000 test samples, all standardised with the training data's scaler and reshaped to the
// model's input. .npy files: train only. needY: the y files are required (train, evaluate);
// needTrain: false keeps only the test data (evaluate).
struct CliData {
  Dataset train;
  std::optional<Dataset> valid, test;
  bool builtin = false;
  DataSettings settings;  // as built (DatasetBuilder fills in fitted statistics)
};
CliData loadData(const DataSettings& settings, const Model& model, bool needY, bool needTrain,
                 const std::string& cmd);
CliData loadData(const Args& args, const Model& model, bool needY, bool needTrain);

// The run settings of `train`: compile (compileOptions), fit (fitOptions), callbacks
// (--early-stopping-patience: EarlyStopping on val_loss when `validation`, else loss) and data.
RunSettings trainSettings(const LoadedModel& m, const Args& args, const DataSettings& data,
                          bool validation);

// Checks `a` (from `what`) against model input `i` and returns it. Rows: any; other dimensions
// must equal the model's (kNone matches anything).
Array checkInput(const Array& a, const Model& model, size_t i, const std::string& what);
// Reads --x files, one per model input.
std::vector<Array> readInputs(const Args& args, const Model& model);

}  // namespace tessel::app
