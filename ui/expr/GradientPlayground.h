#pragma once
// The gradient playground (View > Gradient Playground), the seed's tf.GradientTape section
// without Python: type a function of scalars, "3*x**2 + 2*x - 1" or "g(x1, x2) = (x1 + 5) *
// x2**2" (a leading "name(params) =" fixes the variables and their order; without it they are
// the free names in order of appearance), and a point; see f, its gradient and its Hessian there,
// a plot of f, f' and f'' along one variable over a range (the others fixed at the point), and
// run gradient descent from the point step by step (learning rate, Step, Run N, the path).
//
// Every derivative is the engine's symbolic reverse mode (engine/expr/ExprGradient.h): the
// gradient is a graph built from f's graph, and the Hessian is the same reverse mode applied to
// each gradient node again (exact second derivatives, no finite differences).
#include <QWidget>
#include <optional>
#include <vector>

#include "engine/expr/Expression.h"

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace tessel::ui {

class ExpressionField;

class GradientPlayground : public QWidget {
  Q_OBJECT

 public:
  explicit GradientPlayground(QWidget* parent = nullptr);
  ~GradientPlayground() override;
  // The playground window of `owner` (created on first use, a separate window), shown and raised.
  static GradientPlayground* showFor(QWidget* owner);

  // Parses the playground's function text (with or without a "name(params) =" header); throws
  // ExprError with the position in `text`.
  static Expression parseFunction(const QString& text);

  QStringList variables() const;
  // The numbers shown (empty when the function or the point is not good).
  std::optional<PointDerivatives> current() const { return current_; }
  const std::vector<std::vector<double>>& path() const { return path_; }
  QString message() const;  // why nothing is shown (empty when all is well)

  ExpressionField* functionField() const { return function_; }
  QLineEdit* pointEdit() const { return point_; }
  QLabel* pointLabel() const { return pointLabel_; }
  QLabel* valueLabel() const { return value_; }
  QLabel* gradientLabel() const { return gradient_; }
  QTableWidget* hessianTable() const { return hessian_; }
  QComboBox* plotVariableBox() const { return plotVariable_; }
  QDoubleSpinBox* rangeFromBox() const { return from_; }
  QDoubleSpinBox* rangeToBox() const { return to_; }
  QCustomPlot* plot() const { return plot_; }
  QDoubleSpinBox* learningRateBox() const { return learningRate_; }
  QSpinBox* runStepsBox() const { return runSteps_; }
  QPushButton* stepButton() const { return step_; }
  QPushButton* runButton() const { return run_; }
  QPushButton* resetButton() const { return reset_; }
  QTableWidget* pathTable() const { return pathTable_; }

 private:
  void functionChanged();
  void recompute();  // f, gradient, Hessian at the point; plot; descent back to the point
  void replot();
  void resetDescent();
  void descend(int steps);
  void showPath();
  void setMessage(const QString& text);

  ExpressionField* function_;
  QComboBox* examples_;
  QLineEdit* point_;
  QLabel* pointLabel_;
  QLabel* message_;
  QLabel *value_, *gradient_;
  QTableWidget* hessian_;
  QComboBox* plotVariable_;
  QDoubleSpinBox *from_, *to_;
  QCustomPlot* plot_;
  QDoubleSpinBox* learningRate_;
  QSpinBox* runSteps_;
  QPushButton *step_, *run_, *reset_;
  QTableWidget* pathTable_;

  std::optional<Expression> f_;
  std::vector<double> at_;  // the point (one value per variable)
  std::optional<PointDerivatives> current_;
  std::vector<std::vector<double>> path_;  // descent: the start, then one point per step
};

}  // namespace tessel::ui
