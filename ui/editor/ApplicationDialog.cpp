#include "ui/editor/ApplicationDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/graph/FineTune.h"

namespace tessel::ui {

namespace {

QSpinBox* spin(int lo, int hi, int value, const char* name) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setValue(value);
  s->setObjectName(name);
  return s;
}

}  // namespace

ApplicationDialog::ApplicationDialog(const QString& application, QWidget* parent)
    : QDialog(parent) {
  setObjectName("applicationDialog");
  setWindowTitle(tr("New model from keras.applications"));
  app_ = new QComboBox;
  app_->setObjectName("application");
  for (const std::string& n : applicationNames()) app_->addItem(QString::fromStdString(n));
  if (const int i = app_->findText(application); i >= 0) app_->setCurrentIndex(i);
  includeTop_ = new QCheckBox(tr("include_top (the ImageNet classifier layers)"));
  includeTop_->setObjectName("includeTop");
  includeTop_->setChecked(true);
  pooling_ = new QComboBox;
  pooling_->setObjectName("pooling");
  pooling_->addItem(tr("None (4-D feature map)"), QString());
  pooling_->addItem("avg (GlobalAveragePooling2D)", QString("avg"));
  pooling_->addItem("max (GlobalMaxPooling2D)", QString("max"));
  height_ = spin(32, 4096, 224, "inputHeight");
  width_ = spin(32, 4096, 224, "inputWidth");
  channels_ = spin(1, 64, 3, "inputChannels");
  auto* shape = new QHBoxLayout;
  for (QSpinBox* s : {height_, width_, channels_}) shape->addWidget(s);
  classes_ = spin(1, 100000, 1000, "classes");
  activation_ = new QComboBox;
  activation_->setObjectName("classifierActivation");
  activation_->addItems({"softmax", "linear", "sigmoid"});
  alpha_ = new QDoubleSpinBox;
  alpha_->setObjectName("alpha");
  alpha_->setRange(0.1, 2.0);
  alpha_->setSingleStep(0.05);
  alpha_->setDecimals(2);
  alpha_->setValue(1.0);

  auto* form = new QFormLayout;
  form->addRow(tr("Architecture:"), app_);
  form->addRow(QString(), includeTop_);
  form->addRow(tr("pooling:"), pooling_);
  form->addRow(tr("input_shape (H, W, C):"), shape);
  form->addRow(tr("classes:"), classes_);
  form->addRow(tr("classifier_activation:"), activation_);
  form->addRow(tr("alpha (MobileNetV2):"), alpha_);
  totals_ = new QLabel;
  totals_->setObjectName("applicationTotals");
  totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  totals_->setWordWrap(true);
  totals_->setMinimumHeight(2 * totals_->fontMetrics().lineSpacing() + 4);  // two lines
  setMinimumWidth(520);
  note_ =
      new QLabel(tr("Random weights (Keras weights=None). Load your own .h5 / .keras weights "
                    "afterwards; nothing is downloaded."));
  note_->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Create model"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(totals_);
  layout->addWidget(note_);
  layout->addWidget(buttons);

  connect(app_, &QComboBox::currentIndexChanged, this, &ApplicationDialog::refresh);
  connect(includeTop_, &QCheckBox::toggled, this, &ApplicationDialog::refresh);
  connect(pooling_, &QComboBox::currentIndexChanged, this, &ApplicationDialog::refresh);
  connect(activation_, &QComboBox::currentIndexChanged, this, &ApplicationDialog::refresh);
  for (QSpinBox* s : {height_, width_, channels_, classes_})
    connect(s, &QSpinBox::valueChanged, this, &ApplicationDialog::refresh);
  connect(alpha_, &QDoubleSpinBox::valueChanged, this, &ApplicationDialog::refresh);
  count_ = new QTimer(this);
  count_->setSingleShot(true);
  count_->setInterval(150);
  connect(count_, &QTimer::timeout, this, &ApplicationDialog::countNow);
  refresh();
}

QString ApplicationDialog::application() const {
  return app_->currentText();
}

ApplicationOptions ApplicationDialog::options() const {
  ApplicationOptions o;
  o.includeTop = includeTop_->isChecked();
  o.pooling = o.includeTop ? std::string() : pooling_->currentData().toString().toStdString();
  o.inputShape = Shape{height_->value(), width_->value(), channels_->value()};
  o.classes = classes_->value();
  o.classifierActivation = activation_->currentText().toStdString();
  o.alpha = alpha_->value();
  return o;
}

ModelSpec ApplicationDialog::spec() const {
  return buildApplication(application().toStdString(), options());
}

QString ApplicationDialog::totalsText() const {
  return totals_->text();
}

void ApplicationDialog::refresh() {
  const bool top = includeTop_->isChecked();
  pooling_->setEnabled(!top);
  classes_->setEnabled(top);
  activation_->setEnabled(top);
  alpha_->setEnabled(application() == "MobileNetV2");
  auto* ok = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
  try {
    spec();
    ok->setEnabled(true);
    totals_->setText(tr("Counting parameters..."));
    count_->start();  // building VGG16's layers takes a moment: once the options settle
  } catch (const std::exception& e) {
    count_->stop();
    totals_->setText(QString::fromUtf8(e.what()));
    ok->setEnabled(false);
  }
}

void ApplicationDialog::countNow() {
  try {
    const ModelSpec s = spec();
    const ParamCounts c = countParameters(s);
    const QLocale en(QLocale::English);
    totals_->setText(tr("%1: %2 layers\nTotal params: %3 · Trainable: %4 · Non-trainable: %5")
                         .arg(QString::fromStdString(s.name))
                         .arg(s.nodes.size())
                         .arg(en.toString(qlonglong(c.total)), en.toString(qlonglong(c.trainable)),
                              en.toString(qlonglong(c.nonTrainable))));
  } catch (const std::exception& e) {
    totals_->setText(QString::fromUtf8(e.what()));
  }
}

}  // namespace tessel::ui
