#pragma once
// Keras compile() + fit() settings of one model, as a form: loss per output and loss_weights
// (multi-output models) and metrics (LossMetricEditor), optimizer and its parameters with the
// catalog's Keras defaults and the learning-rate schedule (OptimizerEditor), batch size, epochs,
// validation split, class weights and the callbacks EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, TerminateOnNaN with their Keras parameters and defaults.
//
// JSON forms (what the project stores in compileSettings):
//  - trainingConfig(): Keras training_config {"loss", "metrics", "loss_weights",
//    "optimizer_config": {"class_name", "config"}} (dict forms keyed by output name when the
//    model has several outputs; the learning rate may be a schedule {"class_name", "config"}).
//  - fitConfig(): {"epochs", "batch_size", "validation_split", "shuffle", "class_weight": {"0":
//    w, ...}} with Keras fit() keys, and "device" ("cuda:N", DeviceSelector) when not the CPU.
//  - callbacksConfig(): [{"class_name": "EarlyStopping", "config": {...Keras keys...}}, ...].
//  - settings(): {"compile", "fit", "callbacks"} (RunSettings' keys), plus "fine_tune" (the
//    FineTuneRecipe JSON, FineTuneRecipeBox) when the two-phase recipe is on; setSettings() reads
//    it back.
#include <QWidget>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace tessel {
class Callback;
}  // namespace tessel

namespace tessel::ui {

class FineTuneRecipeBox;
class DeviceSelector;
class LossMetricEditor;
class OptimizerEditor;

class CompilePanel : public QWidget {
  Q_OBJECT
 public:
  explicit CompilePanel(QWidget* parent = nullptr);

  // Builds the per-output rows (loss, loss weight, metrics) from the model's outputs and picks a
  // default loss from each output layer (softmax + units > 1: sparse_categorical_crossentropy,
  // sigmoid + 1 unit: binary_crossentropy, else mse). Keeps settings already chosen for outputs
  // with the same name.
  void setModel(const ModelSpec& spec);
  QStringList outputNames() const;

  CompileOptions compileOptions() const;
  FitOptions fitOptions() const;  // verbose 0
  nlohmann::json trainingConfig() const;
  void setTrainingConfig(const nlohmann::json& trainingConfig);
  nlohmann::json fitConfig() const;
  void setFitConfig(const nlohmann::json& fit);
  nlohmann::json callbacksConfig() const;
  void setCallbacksConfig(const nlohmann::json& callbacks);
  nlohmann::json settings() const;
  void setSettings(const nlohmann::json& settings);

  // The optimizer catalog's Keras defaults of an optimizer's parameters ("Adam" ->
  // {"learning_rate": 0.001, "beta_1": 0.9, ...}); empty for an unknown name.
  static nlohmann::json optimizerDefaults(const QString& className);
  // What the panel offers: the optimizer, loss and metric catalogs' names (OptimizerEditor,
  // LossMetricEditor).
  static QStringList optimizerNames();
  static QStringList lossNames();
  static QStringList metricNames();

  // Widgets (for tests and the window).
  OptimizerEditor* optimizerEditor() const { return optimizerEditor_; }
  LossMetricEditor* lossMetricEditor() const { return outputsEditor_; }
  QComboBox* optimizerBox() const;
  QDoubleSpinBox* learningRateBox() const;
  QComboBox* lossBox(int output) const;
  QSpinBox* epochsBox() const { return epochs_; }
  QSpinBox* batchSizeBox() const { return batchSize_; }
  QDoubleSpinBox* validationSplitBox() const { return validationSplit_; }
  // "Fine-tune in two phases" (its config() is null when off; then Train runs fitConfig()).
  FineTuneRecipeBox* fineTuneBox() const { return fineTune_; }
  DeviceSelector* deviceSelector() const { return device_; }

 signals:
  void changed();

 private:
  struct CallbackBox;
  void emitChanged();

  LossMetricEditor* outputsEditor_ = nullptr;
  OptimizerEditor* optimizerEditor_ = nullptr;
  QSpinBox* epochs_ = nullptr;
  QSpinBox* batchSize_ = nullptr;
  QDoubleSpinBox* validationSplit_ = nullptr;
  QCheckBox* shuffle_ = nullptr;
  QLineEdit* classWeight_ = nullptr;  // "0: 1.0, 1: 2.5"
  FineTuneRecipeBox* fineTune_ = nullptr;
  DeviceSelector* device_ = nullptr;    // fit.device
  QCheckBox* deterministic_ = nullptr;  // fit.deterministic
  QCheckBox* tf32_ = nullptr;           // fit.tf32
  QComboBox* dtypePolicy_ = nullptr;    // fit.dtype_policy (enabled with a GPU device)
  void syncDtypePolicy();               // float32 and greyed out on the CPU
  std::vector<CallbackBox*> callbacks_;
  bool building_ = false;
};

}  // namespace tessel::ui
