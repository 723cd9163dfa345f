// `tessel export`: a project's run or model, or a model.json, to other tools' formats:
//   --out model.json   a run's trained model as a TF.js / Keras 2 model.json (cmdExport)
//   --keras3 FILE      Keras 3 model.to_json() topology
//   --python FILE      a runnable Keras training script
//   --keras FILE       a Keras 3 .keras archive; --h5 FILE a Keras 2 .h5 model with the run's
//                      optimizer state; --weights-h5 FILE the weights (Keras 3 .weights.h5)
//   --onnx FILE        an ONNX model (opset 13) with the trained weights
//   --tensorboard DIR  every run's metrics as TensorBoard event files
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasCustomClasses.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/PythonExport.h"
#include "engine/io/TensorBoardExport.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/ExportModel.h"
#include "engine/session/ImportModelFile.h"
#include "engine/session/RecordedSettings.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"

namespace tessel::app {

namespace {

// What to export: a spec, its compile settings, weights (maybe initialised) and how it was
// trained (the `train` argv of its run, when known).
struct Source {
  ModelSpec spec;
  json trainingConfig;
  NamedWeights weights;
  bool trainedWeights = false;
  std::vector<std::string> trainArgv;   // a run recorded with its command line
  std::optional<RunSettings> settings;  // a run recorded with its settings
  std::string description;
  std::optional<RunRecord> run;  // the run and checkpoint the weights come from
  std::optional<Checkpoint> checkpoint;
  NamedWeights optimizerWeights;  // a model file's own optimizer state
};

void makeParent(const std::string& path) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
}

void writeText(const std::string& path, const std::string& text) {
  makeParent(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write '" + path + "'");
  out << text;
  out.flush();
  if (!out) throw Error("cannot write '" + path + "'");
}

NamedWeights initialWeights(const ModelSpec& spec) {
  Model m(spec, 0);
  NamedWeights w;
  for (auto& [name, var] : m.namedWeights()) w.emplace_back(name, var->value);
  return w;
}

// How a run was trained: its RunSettings, or the `train` command line it was recorded with.
void readTraining(const RunRecord& run, Source& s) {
  s.trainArgv = recordedArgv(run);
  if (!s.trainArgv.empty()) return;
  try {
    s.settings = recordedSettings(run);
  } catch (const Error&) {
    // Unreadable settings: the script gets the defaults.
  }
}

Source fromRun(const Project& project, const RunRecord& run, const std::string& kind) {
  Source s;
  s.spec = ModelSpec::fromKerasJson(run.spec);
  s.trainingConfig = runTrainingConfig(run);
  readTraining(run, s);
  // Only the weights: the optimizer state is not needed to export.
  if (auto checkpoint = pickCheckpoint(project, run.id, kind)) {
    s.weights = runModelFile(run, *checkpoint).weights;
    s.trainedWeights = true;
    s.run = run;
    s.checkpoint = checkpoint;
    s.description = checkpointDescription(run, *checkpoint);
  } else {
    s.description = "run " + std::to_string(run.id) + " (no checkpoint)";
  }
  return s;
}

Source loadSource(const Args& args) {
  const std::string path = args.positional()[0];
  const std::string kind = args.value("--checkpoint", "best");
  if (kind != "best" && kind != "last")
    throw UsageError("export: --checkpoint must be best or last, got '" + kind + "'");
  Source s;
  if (isProjectPath(path)) {
    Project project = Project::open(path, /*readOnly=*/true);
    if (args.has("--run")) {
      std::int64_t runId = args.intValue("--run", 0, 1, 1LL << 62);
      auto run = project.run(runId);
      if (!run) throw Error("project has no run " + std::to_string(runId));
      s = fromRun(project, *run, kind);
    } else {
      std::optional<ModelRecord> model;
      if (args.has("--model")) {
        model = project.model(args.value("--model"));
        if (!model) throw Error("project has no model named '" + args.value("--model") + "'");
      } else {
        auto all = project.models();
        if (all.empty()) throw Error("project has no model yet (add one with `tessel import`)");
        model = all.front();
      }
      // The model's latest run with a checkpoint gives the weights and the training settings.
      if (auto run = latestTrainedRun(project, model->id, &model->spec))
        s = fromRun(project, *run, kind);
      if (s.spec.nodes.empty()) {
        s.spec = ModelSpec::fromKerasJson(model->spec);
        s.trainingConfig = RunSettings::trainingConfigOf(model->compileSettings);
        auto runs = project.runs(model->id);
        if (!runs.empty()) readTraining(runs.back(), s);
        s.description = "model '" + model->name + "' (untrained)";
      } else {
        s.description = "model '" + model->name + "', " + s.description;
      }
    }
    s.description = path + ", " + s.description;
  } else {
    ModelFile file = readAnyModelFile(path);
    s.spec = file.spec;
    s.trainingConfig = file.trainingConfig;
    s.weights = file.weights;
    s.optimizerWeights = file.optimizerWeights;
    s.trainedWeights = !file.weights.empty();
    s.description = path;
  }
  if (!s.trainedWeights) s.weights = initialWeights(s.spec);
  return s;
}

// The compile settings the run really used: its training_config overridden by the --loss,
// --metrics, --optimizer and --lr of its recorded `train` command line.
json effectiveTrainingConfig(const Source& s) {
  json tc = s.trainingConfig.is_object() ? s.trainingConfig : json::object();
  if (s.trainArgv.empty()) return s.trainingConfig;
  Args a(*findCommand("train"), s.trainArgv);
  if (a.has("--loss")) tc["loss"] = a.value("--loss");
  if (a.has("--metrics")) {
    json list = json::array();
    std::stringstream in(a.value("--metrics"));
    for (std::string item; std::getline(in, item, ',');)
      if (!item.empty()) list.push_back(item);
    tc["metrics"] = list;
  }
  if (a.has("--optimizer")) {
    tc["optimizer_config"] = a.value("--optimizer");
    tc.erase("optimizer");
  }
  if (a.has("--lr")) {
    json opt = tc.contains("optimizer_config") ? tc["optimizer_config"] : json("rmsprop");
    tc["optimizer_config"] = withLearningRate(opt, a.doubleValue("--lr", 0.001, 0.0, 1e6));
  }
  return tc;
}

// Fit settings of a recorded `train` argv, for the Python script.
PythonExportOptions pythonOptions(const Source& s) {
  PythonExportOptions o;
  o.source = s.description;
  if (s.settings) {
    const RunSettings& r = *s.settings;
    if (r.data && r.data->kind == "fashion_mnist") o.dataSet = "fashion-mnist";
    if (r.data && r.data->kind == "npy") {
      o.dataSet = "npy";
      o.xFiles = r.data->options.value("x", std::vector<std::string>{});
      o.yFiles = r.data->options.value("y", std::vector<std::string>{});
    }
    o.epochs = r.fit.epochs;
    o.batchSize = r.fit.batchSize;
    o.validationSplit = r.fit.validationSplit;
    for (const auto& c : r.callbacks)
      if (c.className == "EarlyStopping") o.earlyStoppingPatience = c.config.value("patience", 0);
    if (!o.dataSet.empty()) return o;
  }
  if (s.trainArgv.empty()) {
    // No recorded training: a one-input, one-output model on 28x28 images is one of the
    // Fashion-MNIST models (the bundled examples), so the script loads that data set.
    ShapeReport r = inferShapes(s.spec);
    if (r.ok() && s.spec.inputs.size() == 1 && s.spec.outputs.size() == 1) {
      const NodeShapes* in = r.find(s.spec.inputs[0]);
      if (in && in->output && shapeProduct(*in->output) == 28 * 28) o.dataSet = "fashion-mnist";
    }
    return o;
  }
  const CommandSpec* train = findCommand("train");
  std::vector<std::string> argv = s.trainArgv;
  // The recorded argv may start with the model/project path (positional).
  Args a(*train, argv);
  if (a.has("--data")) o.dataSet = a.value("--data");
  o.xFiles = a.values("--x");
  o.yFiles = a.values("--y");
  if (!o.xFiles.empty()) o.dataSet = "npy";
  o.epochs = static_cast<int>(a.intValue("--epochs", 1, 1, 1000000));
  o.batchSize = static_cast<int>(a.intValue("--batch-size", 32, 1, 1 << 24));
  o.validationSplit = a.doubleValue("--validation-split", 0.0, 0.0, 0.999999);
  o.earlyStoppingPatience =
      static_cast<int>(a.intValue("--early-stopping-patience", -1, 0, 1 << 30));
  o.csvLog = a.value("--csv-log");
  return o;
}

// --keras, --h5, --weights-h5: the source's model and weights; the .h5 with the optimizer state
// of the run's checkpoint (or of the model file) when there is one.
void writeKerasOutputs(const Args& args, const Source& s) {
  const std::string untrained =
      s.trainedWeights ? "" : " with freshly initialised weights (no trained weights)";
  ModelFile file;
  file.spec = s.spec;
  file.weights = s.weights;
  file.trainingConfig = s.trainingConfig;
  if (args.has("--flatten-blocks")) file.spec.groups.clear();  // blocks as plain layers
  if (args.has("--keras")) {
    json tc = effectiveTrainingConfig(s);
    if (tc.is_object() && tc.contains("loss"))
      tc = CompileOptions::fromTrainingConfig(tc, s.spec.outputs).toTrainingConfig();
    ModelFile k = file;
    if (s.run && s.checkpoint) {
      // Adam / SGD state goes into optimizer/vars (Keras 3's layout).
      ModelFile state = runModelFileWithOptimizer(*s.run, *s.checkpoint);
      k.optimizerWeights = state.optimizerWeights;
      if (!k.optimizerWeights.empty() && tc.is_object())
        tc["optimizer_config"] = state.trainingConfig["optimizer_config"];
    }
    k.trainingConfig = tc;
    if (args.has("--flatten-blocks")) k.spec.groups.clear();
    makeParent(args.value("--keras"));
    writeKerasFile(args.value("--keras"), KerasFileFormat::Keras, k);
    std::cout << "wrote Keras 3 archive of " << s.description << " to " << args.value("--keras")
              << untrained << "\n";
  }
  if (args.has("--h5")) {
    std::string note;
    ModelFile h = file;
    if (s.run && s.checkpoint) {
      h = runModelFileWithOptimizer(*s.run, *s.checkpoint, &note);
    } else if (!s.optimizerWeights.empty()) {
      h.optimizerWeights = s.optimizerWeights;
      note = " with its optimizer state";
    }
    if (args.has("--flatten-blocks")) h.spec.groups.clear();  // blocks as plain layers
    makeParent(args.value("--h5"));
    writeKerasFile(args.value("--h5"), KerasFileFormat::H5, h);
    std::cout << "wrote Keras 2 .h5 of " << s.description << note << " to " << args.value("--h5")
              << untrained << "\n";
  }
  if (args.has("--weights-h5")) {
    makeParent(args.value("--weights-h5"));
    writeKerasFile(args.value("--weights-h5"), KerasFileFormat::WeightsH5, file);
    std::cout << "wrote the weights of " << s.description << " to " << args.value("--weights-h5")
              << " (Keras 3 .weights.h5)" << untrained << "\n";
  }
}

}  // namespace

int cmdExportAll(const Args& args) {
  const bool keras = args.has("--keras") || args.has("--h5") || args.has("--weights-h5");
  const bool any = args.has("--out") || args.has("--keras3") || args.has("--python") ||
                   args.has("--onnx") || args.has("--tensorboard") || keras;
  if (!any)
    throw UsageError(
        "export: nothing to write: give --out, --keras3, --keras, --h5, --weights-h5, --python, "
        "--onnx or --tensorboard");
  const std::string path = args.positional()[0];
  const bool project = isProjectPath(path);
  if (args.has("--out")) {
    if (!project) throw UsageError("export: --out needs a PROJECT (and --run)");
    if (!args.has("--run")) throw UsageError("export: --out needs --run RUN");
    Source s = loadSource(args);
    if (!s.trainedWeights) throw Error(s.description + ": the run has no checkpoint");
    const std::string out = args.value("--out");
    makeParent(out);
    writeModelFile(out, s.spec, s.weights, s.trainingConfig);
    std::cout << "exported " << s.description << " to " << out << "\n";
  }
  if (args.has("--tensorboard")) {
    if (!project) throw UsageError("export: --tensorboard needs a PROJECT");
    Project p = Project::open(path, /*readOnly=*/true);
    std::int64_t runId = args.has("--run") ? args.intValue("--run", 0, 1, 1LL << 62) : 0;
    auto r = exportTensorBoard(p, args.value("--tensorboard"), runId);
    std::cout << "wrote " << r.scalars << " scalars in " << r.files.size()
              << " event file(s) under " << args.value("--tensorboard")
              << " (view with: tensorboard --logdir " << args.value("--tensorboard") << ")\n";
  }
  if (!args.has("--keras3") && !args.has("--python") && !args.has("--onnx") && !keras) return 0;
  Source s = loadSource(args);
  if (keras) writeKerasOutputs(args, s);
  if (args.has("--keras3")) {
    // The run's training_config becomes Keras 3's compile_config (as model.save's config.json).
    Keras3JsonOptions k3;
    json tc = effectiveTrainingConfig(s);
    // Canonical Keras form (an optimizer given as "adam" on the train command line becomes its
    // full config with Keras defaults).
    if (tc.is_object() && tc.contains("loss"))
      tc = CompileOptions::fromTrainingConfig(tc, s.spec.outputs).toTrainingConfig();
    k3.trainingConfig = tc;
    ModelSpec spec = s.spec;
    if (args.has("--flatten-blocks")) spec.groups.clear();
    json keras3 = toKeras3Json(spec, k3);
    writeCustomClassLayers(keras3);
    writeText(args.value("--keras3"), keras3.dump(1) + "\n");
    std::cout << "wrote Keras 3 JSON of " << s.description << " to " << args.value("--keras3")
              << "\n";
  }
  if (args.has("--python")) {
    writeText(args.value("--python"),
              pythonScript(s.spec, effectiveTrainingConfig(s), pythonOptions(s)));
    std::cout << "wrote Python script of " << s.description << " to " << args.value("--python")
              << "\n";
  }
  if (args.has("--onnx")) {
    makeParent(args.value("--onnx"));
    writeOnnxModel(args.value("--onnx"), s.spec, s.weights);
    std::cout << "wrote ONNX model (opset " << kOnnxOpset << ") of " << s.description << " to "
              << args.value("--onnx")
              << (s.trainedWeights ? "" : " with freshly initialised weights (no trained weights)")
              << "\n";
  }
  return 0;
}

}  // namespace tessel::app
