#pragma once
// The compile panel's editor of a custom loss or metric: a name and an expression of y_true,
// y_pred and sample_weight, as Keras's def customized_mse(y_true, y_pred), checked as typed
// against the output's shape (ExpressionField). A loss that reads sample_weight weighs the
// samples itself (ExpressionLoss.h); a metric is averaged like Keras's MeanMetricWrapper.
// value() is the loss / metric object the compile settings store:
//   {"class_name": "ExpressionLoss", "config": {"name": ..., "expression": ...}}
#include <QDialog>
#include <nlohmann/json.hpp>

#include "engine/tensor/Shape.h"

class QDialogButtonBox;
class QLineEdit;

namespace tessel::ui {

class ExpressionField;

class CustomFunctionDialog : public QDialog {
  Q_OBJECT

 public:
  enum Kind { Loss, Metric };
  // `output` is the model output's shape (batch kNone); y_true is taken to have the same shape.
  CustomFunctionDialog(Kind kind, const QString& outputName, const Shape& output,
                       QWidget* parent = nullptr);

  // Starts from an ExpressionLoss / ExpressionMetric object (or its defaults when null).
  void setValue(const nlohmann::json& value);
  nlohmann::json value() const;
  static const char* className(Kind kind);

  QLineEdit* nameEdit() const { return name_; }
  ExpressionField* expressionField() const { return field_; }
  QDialogButtonBox* buttons() const { return buttons_; }

 private:
  void updateOk();
  Kind kind_;
  QLineEdit* name_;
  ExpressionField* field_;
  QDialogButtonBox* buttons_;
};

}  // namespace tessel::ui
