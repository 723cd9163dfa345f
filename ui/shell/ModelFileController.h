#pragma once
// The studio's model files: File > Import model.json, Export Model (architecture only, weights
// only, full model with optimizer state), Load Weights into This Model, and new models from the
// bundled templates and examples.
//
// Weights loaded from a file (Load Weights, or the weights of an imported model.json) are kept as
// a run of the model (name "imported …", settings["imported"]) whose "last" checkpoint holds
// them, with the optimizer state when the file has one that fits its training config. Exports
// pick them up like any run (newest run whose checkpoint fits the graph).
#include <QObject>
#include <QString>
#include <functional>

#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"

namespace tessel::ui {

class ProjectSession;
class ShellPrompts;

class ModelFileController : public QObject {
  Q_OBJECT
 public:
  // Onnx: an ONNX model (opset 13) with the export weights; PythonScript: a runnable Keras
  // training script (compile and fit settings and data set of the model).
  // KerasArchive: a Keras 3 .keras; KerasH5: a Keras 2 .h5 with the optimizer state; KerasWeights:
  // a Keras 3 .weights.h5 (engine/io/KerasArchive.h).
  enum class ExportKind {
    Architecture,
    WeightsOnly,
    FullModel,
    Onnx,
    PythonScript,
    KerasArchive,
    KerasH5,
    KerasWeights
  };

  // What the controller reads of the window: the model shown and its graph as edited.
  struct Context {
    std::function<qint64()> currentModelId;
    std::function<ModelSpec()> currentSpec;
    std::function<bool()> isTraining;
  };

  ModelFileController(ProjectSession* session, ShellPrompts* prompts, Context context,
                      QObject* parent);

  // Imports a Keras / TF.js model.json as a new model of the project (an untitled project is
  // started when none is open); modelAdded then shows it.
  bool openModel(const QString& path);
  // A new model from the editor's templates, laid out by dot, with the training config of its
  // bundled example; returns its id or 0.
  qint64 newModelFromTemplate(const QString& name);
  // A new model of `spec` named after it (keras.applications templates), laid out by dot, with
  // no training config or data settings; returns its id or 0.
  qint64 newModelFromSpec(const ModelSpec& spec);
  // A new model from a bundled example (folder name); returns its id or 0.
  qint64 newModelFromExample(const QString& name);
  // Full model: architecture, weights, training config and the optimizer state of the source
  // run's last checkpoint (TF.js includeOptimizer form: "group": "optimizer" weight specs).
  bool exportModel(const QString& path, ExportKind kind);
  // Every run of the current model as TensorBoard event files under `dir` (run-<id>/train,
  // run-<id>/validation, as Keras's TensorBoard callback lays them out). Needs a project file.
  bool exportTensorBoard(const QString& dir);
  // Keras load_weights into the current model: weights matched BY NAME with shapes checked; on
  // any missing, extra or misshaped name a message lists them and nothing changes. Keras .h5 /
  // .weights.h5 / .keras files match by layer order (Keras 2 default) or, with byName, by layer
  // name (by_name=True).
  bool loadWeights(const QString& path, bool byName = false);

  // Why the last model.json could not be opened (empty after a successful import).
  QString loadError() const { return loadError_; }

 signals:
  void modelAdded(qint64 id);  // a new model of the project: show it
  void runsChanged();          // an imported run was recorded
  void loadFailed(const QString& text);

 private:
  // Stores `file`'s weights (and optimizer state when it fits `trainingConfig`) as an imported
  // run of model `id` whose graph is `spec`; returns the run id or 0 with `error` set. `note`
  // says whether the optimizer state was kept.
  qint64 recordImportedWeights(qint64 id, const ModelSpec& spec, const ModelFile& file,
                               const QString& path, const json& trainingConfig, QString* note,
                               QString* error);
  // The current graph, shape-checked (throws Error when it is not valid).
  ModelSpec validSpec() const;
  void writeWeightsManifest(const QString& path, const ModelSpec& spec,
                            const NamedWeights& weights);

  ProjectSession* session_;
  ShellPrompts* prompts_;
  Context context_;
  QString loadError_;
};

}  // namespace tessel::ui
