#include "ui/expr/CustomFunctionDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "engine/expr/ExprError.h"
#include "engine/expr/ExprSampleFunction.h"
#include "ui/expr/ExpressionField.h"

namespace tessel::ui {

using json = nlohmann::json;

namespace {

const char* kDefault[] = {"tf.reduce_mean(tf.square(y_pred - y_true))",
                          "tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)"};
const char* kDefaultName[] = {"customized_mse", "custom_metric"};

}  // namespace

const char* CustomFunctionDialog::className(Kind kind) {
  return kind == Loss ? "ExpressionLoss" : "ExpressionMetric";
}

CustomFunctionDialog::CustomFunctionDialog(Kind kind, const QString& outputName,
                                           const Shape& output, QWidget* parent)
    : QDialog(parent), kind_(kind) {
  setObjectName("customFunctionDialog");
  setWindowTitle(kind == Loss ? tr("Custom loss of %1").arg(outputName)
                              : tr("Custom metric of %1").arg(outputName));
  const QString shape = QString::fromStdString(shapeToString(output));
  auto* intro = new QLabel(
      tr("<p>An expression of <b>y_true</b> and <b>y_pred</b> (both %1 for output <i>%2</i>) "
         "and <b>sample_weight</b> (None,), with TensorFlow's names, as<br>"
         "<code>def customized_mse(y_true, y_pred): return "
         "tf.reduce_mean(tf.square(y_pred - y_true))</code></p>"
         "<p>It gives one value per sample (batch first) or one number for the batch. %3</p>")
          .arg(shape.toHtmlEscaped(), outputName.toHtmlEscaped(),
               kind == Loss ? tr("Sample and class weights apply as for every Keras loss; a loss "
                                 "that reads sample_weight applies them itself (the batch mean "
                                 "then divides by the batch size).")
                            : tr("The values are averaged over the samples like Keras's "
                                 "MeanMetricWrapper (weighted by the sample weights).")),
      this);
  intro->setWordWrap(true);
  intro->setTextFormat(Qt::RichText);
  name_ = new QLineEdit(this);
  name_->setObjectName("customName");
  field_ = new ExpressionField(this);
  field_->setObjectName("customExpression");
  field_->setMinimumWidth(560);
  const Shape yTrue = output, yPred = output;
  field_->setChecker([yTrue, yPred](const QString& text) {
    return ExpressionField::checkWith([&] {
      const std::string t = text.toStdString();
      ExprSampleFunction(t, true).check(yTrue, yPred);  // the rules training applies
      return Expression::parse(t,
                               {{"y_true", yTrue}, {"y_pred", yPred}, {"sample_weight", {kNone}}})
          .outputShape();
    });
  });
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->addRow(tr("name"), name_);
  form->addRow(tr("expression"), field_);
  auto* layout = new QVBoxLayout(this);
  layout->setSpacing(10);
  layout->addWidget(intro);
  layout->addLayout(form);
  layout->addStretch(1);
  layout->addWidget(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(field_, &ExpressionField::checked, this, &CustomFunctionDialog::updateOk);
  connect(name_, &QLineEdit::textChanged, this, &CustomFunctionDialog::updateOk);
  setValue(nullptr);
  resize(720, 300);
}

void CustomFunctionDialog::setValue(const json& value) {
  const json config = value.is_object() ? value.value("config", json::object()) : json::object();
  name_->setText(QString::fromStdString(config.value("name", std::string(kDefaultName[kind_]))));
  field_->setText(QString::fromStdString(config.value("expression", std::string(kDefault[kind_]))));
  updateOk();
}

json CustomFunctionDialog::value() const {
  return {{"class_name", className(kind_)},
          {"config",
           {{"name", name_->text().trimmed().toStdString()},
            {"expression", field_->text().toStdString()}}}};
}

void CustomFunctionDialog::updateOk() {
  buttons_->button(QDialogButtonBox::Ok)
      ->setEnabled(field_->isValid() && !name_->text().trimmed().isEmpty());
}

}  // namespace tessel::ui
