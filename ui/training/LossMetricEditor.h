#pragma once
// The per-output part of the compile settings: one row per model output with its loss (an
// editable list of the loss catalog's names), loss weight (shown for multi-output models) and
// metrics (comma-separated names of the metric catalog). Reads and writes the "loss", "metrics"
// and "loss_weights" keys of Keras's training_config (dict forms keyed by output name when the
// model has several outputs). "custom…" in a loss combo, or the metrics field's ƒ+ button, opens a
// CustomFunctionDialog (ui/expr): a loss or metric written as an expression of y_true, y_pred and
// sample_weight, stored as {"class_name": "ExpressionLoss" / "ExpressionMetric", "config":
// {"name", "expression"}} and shown by its name.
#include <QGroupBox>
#include <QPointer>
#include <QStringList>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/graph/ModelSpec.h"

class QAction;
class QComboBox;
class QLineEdit;
class QTableWidget;

namespace tessel::ui {

class CustomFunctionDialog;

class LossMetricEditor : public QGroupBox {
  Q_OBJECT
 public:
  explicit LossMetricEditor(QWidget* parent = nullptr);

  // One row per output; a new output's loss and metrics come from its layer (softmax + units > 1:
  // sparse_categorical_crossentropy + accuracy, sigmoid: binary_crossentropy + accuracy, else
  // mse + mae). Rows of outputs with the same name keep their settings.
  void setModel(const ModelSpec& spec);
  QStringList outputNames() const { return outputs_; }

  // Writes "loss", "metrics" and "loss_weights" into `trainingConfig`.
  void writeTo(nlohmann::json& trainingConfig) const;
  void readFrom(const nlohmann::json& trainingConfig);

  // The short name of each loss catalog entry (its first alias), in catalog order; the custom
  // loss entry is customItem().
  static QStringList lossNames();
  static QString customItem();  // "custom…"
  // The custom loss / metric editor now open (nullptr when none).
  CustomFunctionDialog* customDialog() const;
  QAction* customMetricAction(int output) const;
  // The names compile() resolves ("accuracy", ...), then each metric catalog entry's short name.
  static QStringList metricNames();

  QComboBox* lossBox(int output) const;
  QLineEdit* metricsEdit(int output) const;
  QTableWidget* table() const { return table_; }

 signals:
  void changed();

 private:
  void emitChanged();
  void editCustom(int row, bool metric);
  void rememberCustomMetrics(const QString& output, const nlohmann::json& metrics);
  nlohmann::json metricsOf(int row) const;

  QStringList outputs_;
  QTableWidget* table_ = nullptr;                  // output | loss | loss weight | metrics
  std::map<QString, nlohmann::json> outputState_;  // output -> {"loss", "weight", "metrics"}
  std::map<QString, Shape> outputShapes_;
  std::map<QString, nlohmann::json> customLoss_;  // output -> its ExpressionLoss object
  std::map<QString, std::map<QString, nlohmann::json>> customMetrics_;  // output -> name -> obj
  QPointer<CustomFunctionDialog> dialog_;
  bool building_ = false;
};

}  // namespace tessel::ui
