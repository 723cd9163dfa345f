#pragma once
// "New Model from Template > Keras Applications": the options of a keras.applications
// architecture (engine/graph/Applications.h) before it becomes a model of the project:
// include_top, pooling (without the top), input shape, classes and classifier activation (with
// the top), MobileNetV2's alpha. A live line shows the parameter totals Keras's summary would
// print, or why the options are refused. Nothing is downloaded: weights come from a file the user
// loads afterwards (File > Load Weights).
#include <QDialog>

#include "engine/graph/Applications.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTimer;

namespace tessel::ui {

class ApplicationDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ApplicationDialog(const QString& application, QWidget* parent = nullptr);

  QString application() const;
  ApplicationOptions options() const;
  // The model for the current options (throws tessel::Error when refused).
  ModelSpec spec() const;
  // "resnet50: 177 layers · Total params: 25,636,712 · ..." once counted (150 ms after the last
  // change; countNow() does it at once), or why the options are refused.
  QString totalsText() const;
  void countNow();

  QComboBox* applicationBox() const { return app_; }
  QCheckBox* includeTopBox() const { return includeTop_; }
  QComboBox* poolingBox() const { return pooling_; }
  QSpinBox* classesBox() const { return classes_; }

 private:
  void refresh();

  QComboBox* app_;
  QCheckBox* includeTop_;
  QComboBox* pooling_;
  QSpinBox *height_, *width_, *channels_, *classes_;
  QComboBox* activation_;
  QDoubleSpinBox* alpha_;
  QLabel* totals_;
  QLabel* note_;
  QTimer* count_;
};

}  // namespace tessel::ui
