#pragma once
// The optimizer part of the compile settings: the optimizer (the optimizer catalog's entries),
// its parameters with the catalog's Keras defaults, and an optional learning-rate schedule (the
// schedule catalog's entries) whose config is edited as JSON. optimizerConfig() is Keras's
// optimizer_config {"class_name", "config"}; parameters left at None stay out of the config.
#include <QGroupBox>
#include <nlohmann/json.hpp>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;

namespace tessel::ui {

class ParamForm;

class OptimizerEditor : public QGroupBox {
  Q_OBJECT
 public:
  explicit OptimizerEditor(QWidget* parent = nullptr);

  nlohmann::json optimizerConfig() const;
  // Reads {"class_name", "config"} (class name in any case; a schedule in learning_rate).
  void setOptimizerConfig(const nlohmann::json& optimizerConfig);

  // The optimizer catalog's class names, in catalog order.
  static QStringList optimizerNames();
  // The catalog's Keras defaults of an optimizer's parameters; {} for an unknown name.
  static nlohmann::json optimizerDefaults(const QString& className);
  // "None" then the schedule catalog's class names.
  static QStringList scheduleNames();
  // The config a newly chosen schedule starts from: Keras defaults, the catalog's suggestions
  // for the arguments Keras requires, and initial_learning_rate = lr.
  static nlohmann::json scheduleStart(const QString& className, double lr);

  QComboBox* optimizerBox() const { return optimizer_; }
  QComboBox* scheduleBox() const { return schedule_; }
  QLineEdit* scheduleParams() const { return scheduleParams_; }
  QDoubleSpinBox* learningRateBox() const;
  ParamForm* paramForm() const { return params_; }

 signals:
  void changed();

 private:
  void rebuildParams(const nlohmann::json& values);
  void emitChanged();

  QFormLayout* form_ = nullptr;
  QComboBox* optimizer_ = nullptr;
  ParamForm* params_ = nullptr;
  QComboBox* schedule_ = nullptr;
  QLineEdit* scheduleParams_ = nullptr;  // JSON config of the schedule
  bool building_ = false;
};

}  // namespace tessel::ui
