#include "app/CliSupport.h"

#include <omp.h>
#include <sys/resource.h>

#include <Eigen/Core>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/Cli.h"
#include "engine/catalog/CompileNames.h"
#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"
#include "engine/catalog/OptimizerCatalog.h"
#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/Npy.h"
#include "engine/gpu/GpuDevice.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/io/KerasArchive.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"
#include "engine/store/Project.h"

namespace tessel::app {

int applyThreads(const Args& args) {
  int cores = omp_get_num_procs();
  int n = static_cast<int>(args.intValue("--threads", cores, 1, 1024));
  Eigen::setNbThreads(n);
  omp_set_num_threads(n);
  return n;
}

std::uint64_t seedOption(const Args& args) {
  return static_cast<std::uint64_t>(args.intValue("--seed", 0, 0, 1LL << 62));
}

FitOptions fitOptions(const Args& args) {
  FitOptions fit;
  fit.seed = seedOption(args);  // first: a bad --seed is the error reported first
  fit.epochs = static_cast<int>(args.intValue("--epochs", 1, 1, 1000000));
  fit.batchSize = static_cast<int>(args.intValue("--batch-size", 32, 1, 1 << 24));
  fit.validationSplit = args.doubleValue("--validation-split", 0.0, 0.0, 0.999999);
  fit.shuffle = !args.has("--no-shuffle");
  fit.verbose = static_cast<int>(args.intValue("--verbose", 1, 0, 2));
  if (args.has("--device")) {
    fit.device = args.value("--device");
    gpu::requireDevice(fit.device);  // a clear error now, before the data is read
  }
  fit.deterministic = args.has("--deterministic");
  fit.tf32 = args.has("--tf32");
  if (args.has("--dtype-policy")) {
    fit.dtypePolicy = args.value("--dtype-policy");
    gpu::precisionFromName(fit.dtypePolicy);  // an unknown name is reported now
    if (fit.dtypePolicy != "float32" && gpu::parseDevice(fit.device) < 0)
      throw Error("--dtype-policy " + fit.dtypePolicy +
                  " runs on a GPU: add --device cuda (the CPU engine computes in float32)");
  }
  return fit;
}

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return nlohmann::json::parse(buffer.str());
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, ...": keep the part
    // after the bracket.
    std::string m = e.what();
    if (auto p = m.find("] "); p != std::string::npos) m = m.substr(p + 2);
    throw Error(path + ": not valid JSON: " + m);
  }
}

std::string formatLogs(const Logs& logs, const std::string& prefix) {
  std::string s;
  for (const auto& [k, v] : logs) {
    if (!s.empty()) s += " - ";
    s += prefix + k + ": " + kerasNumber(v);
  }
  return s;
}

double peakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// ---- models --------------------------------------------------------------------------------

LoadedModel loadModel(const std::string& path, std::uint64_t seed) {
  LoadedModel m;
  m.file = readAnyModelFile(path);  // model.json, .keras or Keras 2 .h5
  m.model = std::make_unique<Model>(m.file.spec, seed);
  m.hasWeights = !m.file.weights.empty();
  if (m.hasWeights) {
    try {
      m.model->loadNamedWeights(m.file.weights);
    } catch (const std::exception& e) {
      throw Error(path + ": " + e.what());
    }
  }
  return m;
}

nlohmann::json withLearningRate(const nlohmann::json& optimizer, double lr) {
  if (optimizer.is_object()) {
    nlohmann::json o = optimizer;
    if (!o.contains("config") || !o["config"].is_object()) o["config"] = nlohmann::json::object();
    o["config"]["learning_rate"] = lr;
    return o;
  }
  if (!optimizer.is_string()) throw Error("optimizer: expected a name or {class_name, config}");
  const std::string name = optimizer.get<std::string>();
  const OptimizerEntry* e = optimizerCatalog().find(name);
  return {{"class_name", e ? e->className : name}, {"config", {{"learning_rate", lr}}}};
}

namespace {

// "a, b, c": the short name of each entry (its first alias, else its class name).
template <typename Entry>
std::string shortNames(const Catalog<Entry>& catalog) {
  std::string s;
  for (const Entry& e : catalog.all())
    s += (s.empty() ? "" : ", ") + (e.aliases.empty() ? e.className : e.aliases.front());
  return s;
}

std::vector<std::string> splitList(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream s(list);
  for (std::string item; std::getline(s, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

const char* optimizerOptionHelp() {
  static const std::string s =
      "Keras optimizer with its Keras defaults: " + shortNames(optimizerCatalog()) +
      " (or the class names)";
  return s.c_str();
}

const char* lossOptionHelp() {
  static const std::string s =
      "Keras loss: " + shortNames(lossCatalog()) + " (or a Keras alias or class name)";
  return s.c_str();
}

const char* metricsOptionHelp() {
  std::string resolved;
  for (const std::string& n : resolvedMetricNames()) resolved += n + ", ";
  static const std::string s = "comma-separated Keras metrics: " + resolved +
                               shortNames(metricCatalog()) + " (or a Keras alias or class name)";
  return s.c_str();
}

std::string compileOptionError(const std::string& option, const std::string& value) {
  if (option == "--optimizer") return optimizerNameError(value);
  if (option == "--loss") return lossNameError(value);
  if (option == "--metrics") {
    for (const std::string& m : splitList(value))
      if (std::string why = metricNameError(m); !why.empty()) return why;
    return "";
  }
  return "not a compile option: " + option;
}

// {"class_name": cls, "config": {"name", "expression"}}, its syntax checked now (UsageError).
static nlohmann::json expressionCompileEntry(const char* cls, const char* option,
                                             const std::string& name,
                                             const std::string& expression) {
  const nlohmann::json entry = {{"class_name", cls},
                                {"config", {{"name", name}, {"expression", expression}}}};
  try {
    if (std::string(cls) == "ExpressionLoss")
      makeLoss(entry);
    else
      makeMetric(entry, nullptr, {});
  } catch (const std::exception& e) {
    throw UsageError(std::string(option) + ": " + e.what());
  }
  return entry;
}

CompileOptions compileOptions(const LoadedModel& m, const Args& args) {
  CompileOptions c;
  std::vector<std::string> outputNames;
  for (size_t i = 0; i < m.model->numOutputs(); ++i) outputNames.push_back(m.model->outputName(i));
  if (!m.file.trainingConfig.is_null()) {
    try {
      c = CompileOptions::fromTrainingConfig(m.file.trainingConfig, outputNames);
    } catch (const std::exception& e) {
      throw Error(args.positional()[0] + ": training_config: " + e.what());
    }
  }
  const auto& opts = args.command().options;
  auto known = [&](const char* name) {
    return std::any_of(opts.begin(), opts.end(),
                       [&](const OptionSpec& o) { return std::string(o.name) == name; });
  };
  for (const char* option : {"--optimizer", "--loss", "--metrics"})
    if (known(option) && args.has(option))
      if (std::string why = compileOptionError(option, args.value(option)); !why.empty())
        throw UsageError(std::string(option) + ": " + why);
  if (known("--loss") && args.has("--loss")) c.losses = {nlohmann::json(args.value("--loss"))};
  if (known("--metrics") && args.has("--metrics")) {
    std::vector<nlohmann::json> list;
    for (const std::string& item : splitList(args.value("--metrics"))) list.emplace_back(item);
    c.metrics = {list};
  }
  if (known("--loss-expression") && args.has("--loss-expression"))
    c.losses = {expressionCompileEntry("ExpressionLoss", "--loss-expression", "custom_loss",
                                       args.value("--loss-expression"))};
  if (known("--metric-expression"))
    for (const std::string& item : args.values("--metric-expression")) {
      const size_t eq = item.find('=');
      const bool named = eq != std::string::npos && eq > 0 &&
                         item.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_") == eq;
      if (c.metrics.empty()) c.metrics.emplace_back();
      c.metrics[0].push_back(expressionCompileEntry("ExpressionMetric", "--metric-expression",
                                                    named ? item.substr(0, eq) : "custom_metric",
                                                    named ? item.substr(eq + 1) : item));
    }
  if (known("--optimizer") && args.has("--optimizer"))
    c.optimizer = nlohmann::json(args.value("--optimizer"));
  if (known("--lr") && args.has("--lr"))
    c.optimizer = withLearningRate(c.optimizer, args.doubleValue("--lr", 0.01, 0.0, 1e6));
  if (c.losses.empty())
    throw UsageError(std::string(args.command().name) + ": " + args.positional()[0] +
                     " has no training_config: give --loss (and --optimizer, --metrics)");
  return c;
}

// ---- data ----------------------------------------------------------------------------------

Array checkInput(const Array& a, const Model& model, size_t i, const std::string& what) {
  const Shape& want = model.inputShape(i);
  bool ok = a.shape().size() == want.size() && !a.shape().empty();
  for (size_t d = 1; ok && d < want.size(); ++d) ok = want[d] == kNone || want[d] == a.shape()[d];
  if (!ok) {
    Shape got = a.shape();
    std::string gotText = "(";
    for (size_t d = 0; d < got.size(); ++d) gotText += (d ? ", " : "") + std::to_string(got[d]);
    gotText += got.size() == 1 ? ",)" : ")";
    throw Error(what + ": shape " + gotText + " does not fit model input '" + model.inputName(i) +
                "' " + shapeToString(want));
  }
  return a;
}

std::vector<Array> readInputs(const Args& args, const Model& model) {
  auto files = args.values("--x");
  const std::string cmd = args.command().name;
  if (files.size() != model.numInputs())
    throw UsageError(cmd + ": the model has " + std::to_string(model.numInputs()) +
                     " input(s), got " + std::to_string(files.size()) + " --x file(s)");
  std::vector<Array> x;
  for (size_t i = 0; i < files.size(); ++i) {
    Array a = readNpy(files[i]);
    if (a.dtype() == DType::Bool) throw Error(files[i] + ": dtype bool is not a model input");
    x.push_back(checkInput(a, model, i, files[i]));
    if (x.back().rows() != x.front().rows())
      throw Error(files[i] + ": " + std::to_string(x.back().rows()) + " samples, but " + files[0] +
                  " has " + std::to_string(x.front().rows()));
  }
  return x;
}

namespace {

// The arrays of .npy files: x checked against the model's inputs, y against x's rows.
void readNpyData(const DataSettings& settings, const Model& model, bool needY,
                 const std::string& cmd, Dataset& out) {
  const nlohmann::json& o = settings.options;
  const auto xFiles = o.value("x", std::vector<std::string>{});
  const auto yFiles = o.value("y", std::vector<std::string>{});
  if (xFiles.size() != model.numInputs())
    throw UsageError(cmd + ": the model has " + std::to_string(model.numInputs()) +
                     " input(s), got " + std::to_string(xFiles.size()) + " --x file(s)");
  for (size_t i = 0; i < xFiles.size(); ++i) {
    Array a = readNpy(xFiles[i]);
    if (a.dtype() == DType::Bool) throw Error(xFiles[i] + ": dtype bool is not a model input");
    out.x.push_back(checkInput(a, model, i, xFiles[i]));
    if (out.x.back().rows() != out.x.front().rows())
      throw Error(xFiles[i] + ": " + std::to_string(out.x.back().rows()) + " samples, but " +
                  xFiles[0] + " has " + std::to_string(out.x.front().rows()));
  }
  if (!needY) return;
  if (yFiles.size() != model.numOutputs())
    throw UsageError(cmd + ": the model has " + std::to_string(model.numOutputs()) +
                     " output(s), got " + std::to_string(yFiles.size()) + " --y file(s)");
  for (const auto& file : yFiles) {
    Array y = readNpy(file);
    if (y.rows() != out.x[0].rows())
      throw Error(file + ": " + std::to_string(y.rows()) + " samples, but " + xFiles[0] + " has " +
                  std::to_string(out.x[0].rows()));
    out.y.push_back(std::move(y));
  }
}

// A built data set part reshaped to the model's input, with the command's error wording.
Dataset fitted(Dataset d, const Model& model) {
  try {
    fitDatasetToModel(d, model.spec());
  } catch (const Error& e) {
    throw Error(std::string("fashion-mnist: ") + e.what());
  }
  return d;
}

}  // namespace

DataSettings dataSettings(const Args& args) {
  const std::string cmd = args.command().name;
  DataSettings d;
  if (args.has("--data-settings")) {
    if (args.has("--data") || args.has("--x") || args.has("--tfrecord"))
      throw UsageError(cmd + ": give either --data-settings, --data, --tfrecord or --x/--y");
    const std::string file = args.value("--data-settings");
    d = DataSettings::fromJson(readJsonFile(file));
    const auto base = std::filesystem::absolute(file).parent_path();
    for (std::string* p : {&d.path, &d.trainFile, &d.validationFile, &d.testFile})
      if (!p->empty() && std::filesystem::path(*p).is_relative())
        *p = (base / *p).lexically_normal().string();
    return d;
  }
  if (args.has("--tfrecord")) {
    if (args.has("--data") || args.has("--x") || args.has("--y"))
      throw UsageError(cmd + ": give either --tfrecord, --data or --x/--y, not several");
    // Every record is training data (fit's --validation-split holds out the last ones).
    d.kind = "tfrecord";
    const std::string pattern = args.value("--tfrecord");
    d.path = std::filesystem::absolute(pattern).lexically_normal().string();
    d.fractions = {1, 0, 0};
    if (cmd == "train") {
      d.pipeline.prefetch = int(args.intValue("--prefetch", 0, 0, 1 << 20));
      d.pipeline.shuffleBuffer = args.intValue("--shuffle-buffer", 0, 0, 1LL << 40);
    }
    return d;
  }
  if (args.has("--data")) {
    if (args.has("--x") || args.has("--y"))
      throw UsageError(cmd + ": give either --data or --x/--y, not both");
    std::string name = args.value("--data");
    if (name != "fashion-mnist" && name != "fashion_mnist")
      throw UsageError(cmd + ": unknown data set '" + name + "' (known: fashion-mnist)");
    d.kind = "fashion_mnist";
    return d;
  }
  if (!args.has("--x"))
    throw UsageError(cmd +
                     ": no data: give --data fashion-mnist, --tfrecord PATTERN or --x FILE.npy "
                     "--y FILE.npy");
  auto absolute = [](const std::vector<std::string>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) out.push_back(std::filesystem::absolute(f).lexically_normal());
    return out;
  };
  d.kind = "npy";
  d.options = {{"x", absolute(args.values("--x"))}, {"y", absolute(args.values("--y"))}};
  return d;
}

CliData loadData(const DataSettings& settings, const Model& model, bool needY, bool needTrain,
                 const std::string& cmd) {
  CliData d;
  d.settings = settings;
  if (settings.kind == "npy") {
    readNpyData(settings, model, needY, cmd, d.train);
    return d;
  }
  if (settings.kind != "fashion_mnist") {  // tfrecord, --data-settings
    BuiltData built = buildDataset(settings);
    d.settings = built.settings;
    auto fit = [&](Dataset part) {
      try {
        fitDatasetToModel(part, model.spec());
      } catch (const Error& e) {
        throw Error((settings.path.empty() ? settings.kind : settings.path) + ": " + e.what());
      }
      return part;
    };
    if (needTrain) {
      d.train = fit(std::move(built.train));
      if (built.validation) d.valid = fit(std::move(*built.validation));
      if (built.test) d.test = fit(std::move(*built.test));
    } else {
      d.test = fit(std::move(built.train));  // evaluate: every record
    }
    return d;
  }
  if (!fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
  if (model.numInputs() != 1 || model.numOutputs() != 1)
    throw Error("fashion-mnist needs a model with one input and one output (this one has " +
                std::to_string(model.numInputs()) + " and " + std::to_string(model.numOutputs()) +
                ")");
  // The scaler is fitted on the training images, so they are read even for evaluate.
  BuiltData built = buildDataset(settings);
  d.builtin = true;
  d.settings = built.settings;
  if (needTrain) {
    d.train = fitted(std::move(built.train), model);
    if (built.validation) d.valid = fitted(std::move(*built.validation), model);
  }
  if (built.test) d.test = fitted(std::move(*built.test), model);
  return d;
}

CliData loadData(const Args& args, const Model& model, bool needY, bool needTrain) {
  return loadData(dataSettings(args), model, needY, needTrain, args.command().name);
}

RunSettings trainSettings(const LoadedModel& m, const Args& args, const DataSettings& data,
                          bool validation) {
  RunSettings s;
  s.compile = compileOptions(m, args);
  s.fit = RunSettings::fitFrom(fitOptions(args));
  const long long patience = args.intValue("--early-stopping-patience", -1, 0, 1000000);
  if (patience >= 0)
    s.callbacks.push_back(
        {"EarlyStopping",
         {{"monitor", validation || s.fit.validationSplit > 0 ? "val_loss" : "loss"},
          {"patience", patience}}});
  s.data = data;
  return s;
}

ModelRecord projectModel(const Project& project, const Args& args) {
  if (args.has("--model")) {
    auto m = project.model(args.value("--model"));
    if (!m) throw Error("project has no model named '" + args.value("--model") + "'");
    return *m;
  }
  auto all = project.models();
  if (all.empty()) throw Error("project has no model yet (add one with `tessel import`)");
  return all.front();
}

}  // namespace tessel::app
