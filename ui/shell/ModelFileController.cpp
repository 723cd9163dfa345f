#include "ui/shell/ModelFileController.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <exception>
#include <optional>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/OnnxImport.h"
#include "engine/io/PythonExport.h"
#include "engine/io/TensorBoardExport.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/session/RunSettings.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphLayout.h"
#include "ui/editor/ModelTemplates.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/project/ProjectSession.h"
#include "ui/shell/CheckpointWeights.h"
#include "ui/shell/ShellPrompts.h"

namespace tessel::ui {

namespace {

QString what(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

// The weights an export writes: the newest run of the model whose last checkpoint fits the graph
// as it stands, else the initial weights (Keras initialisers, seed 0).
struct ExportSource {
  NamedWeights weights;
  QString text;  // "weights of run 3, epoch 4"
  std::optional<RunRecord> run;
  std::optional<Checkpoint> checkpoint;
};

ExportSource exportSource(ProjectSession& session, qint64 modelId, Model& model) {
  ExportSource src;
  src.text = QObject::tr("initial weights (no trained run fits this graph)");
  std::vector<RunRecord> runs = session.runs(modelId);
  for (auto it = runs.rbegin(); it != runs.rend() && src.weights.empty(); ++it) {
    auto cp = session.checkpoint(it->id, "last");
    if (!cp) continue;
    src.weights = checkpointWeights(*cp, model);
    if (src.weights.empty()) continue;
    src.text = QObject::tr("weights of run %1, epoch %2").arg(it->id).arg(cp->epoch);
    src.run = *it;
    src.checkpoint = std::move(cp);
  }
  if (src.weights.empty())
    for (auto& [name, var] : model.namedWeights()) src.weights.emplace_back(name, var->value);
  return src;
}

// The full model file: optimizer state of the source checkpoint (Keras model.save / tfjs
// includeOptimizer), restored through the Resume path (restoreCheckpoint) with the run's own
// compile settings; the training config is then the run's, its optimizer config as it stood at
// the checkpoint (a learning rate changed by a callback included). `state` says what was kept.
ModelFile fullModelFile(const ModelSpec& spec, Model& model, const json& compile,
                        const ExportSource& src, QString* state) {
  ModelFile file;
  file.spec = spec;
  file.weights = src.weights;
  file.trainingConfig = compile;
  if (!src.run || !src.checkpoint || src.checkpoint->meta.value("optimizer", std::string()).empty())
    return file;
  try {
    const json runCompile = src.run->settings.value("compile", json());
    Trainer trainer(model, CompileOptions::fromTrainingConfig(runCompile, spec.outputs));
    restoreCheckpoint(trainer, *src.checkpoint);
    file.optimizerWeights = optimizerWeights(trainer.optimizer(), trainableWeightNames(model));
    file.trainingConfig = runCompile;
    file.trainingConfig["optimizer_config"] = trainer.optimizer().toJson();
    *state = QObject::tr(" with %1 optimizer state (%2 steps)")
                 .arg(QString::fromStdString(trainer.optimizer().name()))
                 .arg(trainer.optimizer().iterations());
  } catch (const std::exception& e) {
    file.optimizerWeights.clear();
    file.trainingConfig = compile;
    *state = QObject::tr(" without optimizer state (%1)").arg(what(e));
  }
  return file;
}

// The Python script's fit settings and data set: the model's compile panel settings ("fit") and
// data settings (built-in Fashion-MNIST is the one set the script can load by itself).
PythonExportOptions pythonOptions(const ProjectSession::Model& m, const QString& project) {
  PythonExportOptions o;
  o.source = QObject::tr("model '%1' of %2").arg(m.name, project).toStdString();
  const json fit = m.compileSettings.is_object() ? m.compileSettings.value("fit", json::object())
                                                 : json::object();
  o.epochs = fit.value("epochs", o.epochs);
  o.batchSize = fit.value("batch_size", o.batchSize);
  o.validationSplit = fit.value("validation_split", o.validationSplit);
  const std::string kind = m.dataSettings.is_object()
                               ? m.dataSettings.value("kind", std::string("fashion_mnist"))
                               : std::string("fashion_mnist");
  if (kind == "fashion_mnist") o.dataSet = "fashion-mnist";
  return o;
}

void writeTextFile(const QString& path, const std::string& text) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
    throw Error("cannot write " + path.toStdString());
  f.write(QByteArray::fromStdString(text));
}

}  // namespace

ModelFileController::ModelFileController(ProjectSession* session, ShellPrompts* prompts,
                                         Context context, QObject* parent)
    : QObject(parent), session_(session), prompts_(prompts), context_(std::move(context)) {}

ModelSpec ModelFileController::validSpec() const {
  ModelSpec spec = context_.currentSpec();
  ShapeReport report = inferShapes(spec);
  if (!report.ok())
    throw Error("the graph is not valid: " + std::string(report.errors.front().what()));
  return spec;
}

bool ModelFileController::openModel(const QString& path) {
  ModelFile file;
  try {
    const std::string p = path.toStdString();
    // model.json, .keras, Keras 2 .h5 or ONNX
    file = isOnnxPath(p) ? readOnnxModel(p) : readAnyModelFile(p);
  } catch (const std::exception& e) {
    loadError_ = tr("Could not open %1:\n%2").arg(path, what(e));
    emit loadFailed(loadError_);
    prompts_->say(tr("Could not open %1").arg(path));
    return false;
  }
  loadError_.clear();
  if (!session_->hasProject()) {
    session_->newUntitled();
    session_->setUntitledName(QFileInfo(path).fileName());
  }
  QString name = QString::fromStdString(file.spec.name);
  if (name.isEmpty()) name = QFileInfo(path).dir().dirName();
  QString error;
  qint64 id = session_->addModel(name, file.spec.toKerasJson(), json::object(), file.trainingConfig,
                                 &error);
  if (!id) {
    prompts_->showError(tr("Import model"), tr("Could not import %1:\n%2").arg(path, error));
    return false;
  }
  emit modelAdded(id);
  // Its custom layer classes (model.json's registered custom classes) join the palette.
  QStringList conflicts;
  const QStringList classes = CustomClassLibrary::instance().adopt(file.spec, &conflicts);
  QString kept;
  if (!classes.isEmpty())
    kept += tr("; custom classes %1 added to the palette").arg(classes.join(", "));
  if (!conflicts.isEmpty())
    kept += tr("; classes %1 differ from the project's (the imported layers keep their own)")
                .arg(conflicts.join(", "));
  // The file's weights (and optimizer state) stay with the model as an imported run.
  if (!file.weights.empty()) {
    QString note, why;
    if (session_->isUntitled())
      kept += tr("; its weights are not kept (save the project, then File > Load Weights)");
    else if (recordImportedWeights(id, file.spec, file, path, file.trainingConfig, &note, &why))
      kept += tr("; its weights are kept as an imported run%1").arg(note);
    else
      kept += tr("; its weights are not kept: %1").arg(why);
  }
  prompts_->say(tr("Imported %1%2").arg(path, kept));
  return true;
}

qint64 ModelFileController::recordImportedWeights(qint64 id, const ModelSpec& spec,
                                                  const ModelFile& file, const QString& path,
                                                  const json& trainingConfig, QString* note,
                                                  QString* error) {
  try {
    Model model(spec, 0);
    const QString mismatch = weightsMismatch(model, file.weights);
    if (!mismatch.isEmpty()) throw Error(mismatch.toStdString());
    model.loadNamedWeights(file.weights);
    Checkpoint checkpoint;
    bool withState = false;
    if (!file.optimizerWeights.empty()) {
      try {
        if (trainingConfig.is_null()) throw Error("the file has no training config");
        Trainer trainer(model, CompileOptions::fromTrainingConfig(trainingConfig, spec.outputs));
        setOptimizerWeights(trainer.optimizer(), model.trainableWeights(),
                            trainableWeightNames(model), file.optimizerWeights);
        checkpoint = makeCheckpoint(trainer, "last", 0, trainer.optimizer().iterations());
        withState = true;
        if (note)
          *note = tr(" with %1 optimizer state (%2 steps)")
                      .arg(QString::fromStdString(trainer.optimizer().name()))
                      .arg(trainer.optimizer().iterations());
      } catch (const std::exception& e) {
        if (note) *note = tr(" (optimizer state not kept: %1)").arg(what(e));
      }
    }
    if (!withState) checkpoint = weightsOnlyCheckpoint(model);
    checkpoint.meta["source"] = path.toStdString();

    const ProjectSession::Model* m = session_->model(id);
    json fit = json::object();
    if (m && m->compileSettings.is_object() && m->compileSettings.contains("fit"))
      fit = m->compileSettings["fit"];
    RunRecord run;
    run.name = "imported " + QFileInfo(path).fileName().toStdString();
    run.spec = spec.toKerasJson();
    run.settings = {{"imported", {{"file", path.toStdString()}, {"optimizer_state", withState}}},
                    {"compile", trainingConfig},
                    {"fit", fit},
                    {"callbacks", json::array()}};
    const qint64 runId = session_->addImportedRun(id, std::move(run), checkpoint, error);
    if (runId) emit runsChanged();
    return runId;
  } catch (const std::exception& e) {
    if (error) *error = what(e);
    return 0;
  }
}

bool ModelFileController::loadWeights(const QString& path, bool byName) {
  const qint64 currentId = context_.currentModelId();
  const ProjectSession::Model* m = session_->model(currentId);
  if (!m) {
    prompts_->say(tr("Open or create a model first."));
    return false;
  }
  if (context_.isTraining()) {
    prompts_->showError(tr("Load weights"), tr("Stop training before loading weights."));
    return false;
  }
  try {
    const ModelSpec spec = validSpec();
    Model model(spec, 0);
    ModelFile file;
    if (isKerasFile(path.toStdString()))  // Keras load_weights: by layer order or by name
      file.weights = readAnyWeightsFile(path.toStdString(), model,
                                        byName ? WeightsMatch::ByName : WeightsMatch::ByOrder);
    else
      file = readWeightsFile(path.toStdString());
    if (file.weights.empty()) throw Error("the file holds no weights");
    const QString mismatch = weightsMismatch(model, file.weights);
    if (!mismatch.isEmpty()) {
      prompts_->showError(tr("Load weights"),
                          tr("The weights in %1 do not fit %2; nothing was loaded.\n%3")
                              .arg(path, m->name, mismatch));
      return false;
    }
    // Optimizer state is kept only with the file's own training config (the optimizer it
    // belongs to); a bare weights file leaves the model's compile settings to later runs.
    json trainingConfig = file.trainingConfig;
    if (trainingConfig.is_null() && m->compileSettings.is_object())
      trainingConfig = RunSettings::trainingConfigOf(m->compileSettings);
    QString note, error;
    const qint64 runId =
        recordImportedWeights(currentId, spec, file, path, trainingConfig, &note, &error);
    if (!runId) {
      prompts_->showError(tr("Load weights"), tr("Could not load %1:\n%2").arg(path, error));
      return false;
    }
    prompts_->say(tr("Loaded %1 weights from %2 as run %3%4; new runs of %5 start from them")
                      .arg(file.weights.size())
                      .arg(path)
                      .arg(runId)
                      .arg(note, m->name));
    return true;
  } catch (const std::exception& e) {
    prompts_->showError(tr("Load weights"), tr("Could not load %1:\n%2").arg(path, what(e)));
    return false;
  }
}

qint64 ModelFileController::newModelFromTemplate(const QString& name) {
  try {
    // The template laid out by dot, split into the project's spec and layout.
    GraphDocument doc;
    ModelTemplates::load(&doc, name);
    json spec = doc.toJson();
    json layout = spec.value("tessel_layout", json::object());
    spec.erase("tessel_layout");
    json trainingConfig;
    const QString example = ExampleLibrary::modelPath(ModelTemplates::exampleFor(name));
    if (!example.isEmpty()) trainingConfig = readModelFile(example.toStdString()).trainingConfig;
    const QString base = ModelTemplates::exampleFor(name).isEmpty()
                             ? QStringLiteral("model")
                             : ModelTemplates::exampleFor(name);
    QString error;
    qint64 id = session_->addModel(base, spec, layout, trainingConfig, &error);
    if (!id) {
      prompts_->showError(tr("New model"), error);
      return 0;
    }
    // The example's data comes with it, so the model trains as it is.
    const json data = ExampleLibrary::dataSettings(ModelTemplates::exampleFor(name));
    if (!data.is_null()) session_->setDataSettings(id, data);
    emit modelAdded(id);
    return id;
  } catch (const std::exception& e) {
    prompts_->showError(tr("New model"), what(e));
    return 0;
  }
}

qint64 ModelFileController::newModelFromExample(const QString& name) {
  const QString path = ExampleLibrary::modelPath(name);
  if (path.isEmpty()) {
    prompts_->showError(tr("New model"), tr("No bundled example named %1").arg(name));
    return 0;
  }
  try {
    ModelFile file = readModelFile(path.toStdString());
    QString error;
    qint64 id = session_->addModel(name, file.spec.toKerasJson(), json::object(),
                                   file.trainingConfig, &error);
    if (!id) {
      prompts_->showError(tr("New model"), error);
      return 0;
    }
    const json data = ExampleLibrary::dataSettings(name);
    if (!data.is_null()) session_->setDataSettings(id, data);
    emit modelAdded(id);
    return id;
  } catch (const std::exception& e) {
    prompts_->showError(tr("New model"), what(e));
    return 0;
  }
}

bool ModelFileController::exportModel(const QString& path, ExportKind kind) {
  const qint64 currentId = context_.currentModelId();
  const ProjectSession::Model* m = session_->model(currentId);
  if (!m) return false;
  try {
    ModelSpec spec = validSpec();
    const json compile =
        m->compileSettings.is_object() ? RunSettings::trainingConfigOf(m->compileSettings) : json();
    if (kind == ExportKind::Architecture) {
      writeModelFile(path.toStdString(), spec, {}, nullptr);
      prompts_->say(tr("Exported the architecture to %1").arg(path));
      return true;
    }
    if (kind == ExportKind::PythonScript) {
      writeTextFile(path, pythonScript(spec, compile, pythonOptions(*m, session_->displayName())));
      prompts_->say(tr("Exported a Keras training script of %1 to %2").arg(m->name, path));
      return true;
    }
    Model model(spec, 0);
    const ExportSource src = exportSource(*session_, currentId, model);
    if (kind == ExportKind::Onnx) {
      writeOnnxModel(path.toStdString(), spec, src.weights);
      prompts_->say(tr("Exported an ONNX model (opset %1) with %2 to %3")
                        .arg(kOnnxOpset)
                        .arg(src.text, path));
      return true;
    }
    if (kind == ExportKind::KerasArchive || kind == ExportKind::KerasH5 ||
        kind == ExportKind::KerasWeights) {
      QString state;
      const ModelFile file = fullModelFile(spec, model, compile, src, &state);
      const KerasFileFormat format = kind == ExportKind::KerasArchive ? KerasFileFormat::Keras
                                     : kind == ExportKind::KerasH5    ? KerasFileFormat::H5
                                                                      : KerasFileFormat::WeightsH5;
      writeKerasFile(path.toStdString(), format, file);
      if (kind != ExportKind::KerasH5) state.clear();  // only .h5 keeps the optimizer state
      prompts_->say(tr("Exported %1%2 to %3").arg(src.text, state, path));
      return true;
    }
    if (kind == ExportKind::FullModel) {
      QString state;
      writeModelFile(path.toStdString(), fullModelFile(spec, model, compile, src, &state));
      prompts_->say(tr("Exported %1%2 to %3").arg(src.text, state, path));
      return true;
    }
    writeWeightsManifest(path, spec, src.weights);
    prompts_->say(tr("Exported %1 to %2").arg(src.text, path));
    return true;
  } catch (const std::exception& e) {
    prompts_->showError(tr("Export model"), tr("Could not export to %1:\n%2").arg(path, what(e)));
    return false;
  }
}

bool ModelFileController::exportTensorBoard(const QString& dir) {
  const qint64 currentId = context_.currentModelId();
  const ProjectSession::Model* m = session_->model(currentId);
  if (!m) return false;
  try {
    if (session_->isUntitled()) throw Error("the project has no file yet: save it and train");
    const std::vector<RunRecord> runs = session_->runs(currentId);
    if (runs.empty()) throw Error(m->name.toStdString() + " has no runs yet");
    const Project project = Project::open(session_->path().toStdString(), /*readOnly=*/true);
    size_t files = 0;
    for (const RunRecord& r : runs)
      files += tessel::exportTensorBoard(project, dir.toStdString(), r.id).files.size();
    prompts_->say(tr("Exported %n run(s) of %1 as %2 TensorBoard event file(s) to %3 (view with: "
                     "tensorboard --logdir %3)",
                     nullptr, static_cast<int>(runs.size()))
                      .arg(m->name)
                      .arg(files)
                      .arg(dir));
    return true;
  } catch (const std::exception& e) {
    prompts_->showError(tr("Export TensorBoard logs"),
                        tr("Could not export to %1:\n%2").arg(dir, what(e)));
    return false;
  }
}

void ModelFileController::writeWeightsManifest(const QString& path, const ModelSpec& spec,
                                               const NamedWeights& weights) {
  // TF.js weights manifest (what tf.io.loadWeights reads): the model.json minus topology.
  writeModelFile(path.toStdString(), spec, weights, nullptr);
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) throw Error("cannot read back " + path.toStdString());
  json written = json::parse(f.readAll().toStdString());
  f.close();
  json manifest = {{"format", "weights-manifest"},
                   {"generatedBy", written.value("generatedBy", json())},
                   {"weightsManifest", written["weightsManifest"]}};
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
    throw Error("cannot write " + path.toStdString());
  f.write(QByteArray::fromStdString(manifest.dump(1)));
}

qint64 ModelFileController::newModelFromSpec(const ModelSpec& spec) {
  try {
    std::map<std::string, QPointF> positions;
    try {
      positions = GraphLayout::dot(spec);
    } catch (const Error&) {
      positions = GraphLayout::layered(spec);
    }
    GraphDocument doc;
    doc.setModel(spec, positions);
    json model = doc.toJson();
    json layout = model.value("tessel_layout", json::object());
    model.erase("tessel_layout");
    QString error;
    const qint64 id = session_->addModel(QString::fromStdString(spec.name), model, layout,
                                         json::object(), &error);
    if (!id) {
      prompts_->showError(tr("New model"), error);
      return 0;
    }
    emit modelAdded(id);
    return id;
  } catch (const std::exception& e) {
    prompts_->showError(tr("New model"), what(e));
    return 0;
  }
}

}  // namespace tessel::ui
