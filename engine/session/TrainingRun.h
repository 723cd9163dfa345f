#pragma once
// One training run as the command line and the studio run it: the Model built from the spec and
// the settings' seed, the Trainer compiled with the settings, optionally a checkpoint restored
// (resume) and a RunRecorder writing into a project run; then fit() and, after a finished fit,
// Keras evaluate() on the test data (recorded as a "test" event).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/session/RunSettings.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

namespace tessel {

class Callback;

class TrainingRun {
 public:
  // Builds the model (weights initialised from settings.fit.seed) and the trainer; throws
  // tessel::Error for an invalid spec or compile settings.
  TrainingRun(const ModelSpec& spec, const RunSettings& settings);
  ~TrainingRun();

  Model& model() { return *model_; }
  Trainer& trainer() { return *trainer_; }
  const ModelSpec& spec() const { return spec_; }
  const RunSettings& settings() const { return settings_; }
  // The fit() options: settings.fit with the validation data and the first epoch set here.
  FitOptions& fitOptions() { return fit_; }

  // Starts from these weights (a model file's) instead of the initialisation.
  void loadWeights(const std::vector<std::pair<std::string, Tensor>>& weights);
  // Resume: weights and optimizer state of `checkpoint`, fit continues at its epoch + 1.
  void restore(const Checkpoint& checkpoint);
  // Validation data (Keras validation_data; wins over validation_split).
  void setValidationData(std::optional<Dataset> validation);
  // Records into run `runId` of `project` (the project must outlive the run). The monitor of the
  // "best" checkpoint is val_loss with validation data, else loss.
  void record(Project& project, std::int64_t runId);
  RunRecorder* recorder() { return recorder_.get(); }
  std::int64_t runId() const { return runId_; }
  std::string monitor() const;

  // Keras fit(). observer: sees every report; when recording and observer is set, the observer
  // forwards the reports to recorder() itself (the studio does, to order pauses); nullptr = the
  // recorder alone.
  History fit(const Dataset& train, const std::vector<Callback*>& callbacks = {},
              TrainObserver* observer = nullptr);
  // Keras evaluate() on `test` with the fit batch size; recorded as a "test" event (the logs and
  // "samples") when recording.
  Logs evaluateTest(const Dataset& test);

 private:
  ModelSpec spec_;
  RunSettings settings_;
  FitOptions fit_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Trainer> trainer_;
  std::unique_ptr<RunRecorder> recorder_;
  std::int64_t runId_ = 0;
};

}  // namespace tessel
