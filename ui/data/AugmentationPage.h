#pragma once
// The data dialog's Augmentation tab: Keras preprocessing-layer factors (RandomFlip,
// RandomRotation, RandomZoom, RandomTranslation, RandomContrast, RandomBrightness) and a seed;
// image sources only; applied to training batches only.
#include <QWidget>

#include "engine/data/DataSettings.h"

class QCheckBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QSpinBox;

namespace tessel::ui {

class AugmentationPage : public QWidget {
  Q_OBJECT
 public:
  explicit AugmentationPage(QWidget* parent);

  // Augmentation is for image sources (not CSV).
  void setImageSource(bool images);
  void load(const DataSettings& s);
  void store(DataSettings& s) const;

  QGroupBox* group() const { return group_; }
  QCheckBox* flipHorizontalCheck() const { return flipH_; }
  QCheckBox* flipVerticalCheck() const { return flipV_; }
  QDoubleSpinBox* rotationSpin() const { return rotation_; }
  QDoubleSpinBox* zoomSpin() const { return zoom_; }
  QDoubleSpinBox* translateSpin() const { return translate_; }
  QDoubleSpinBox* contrastSpin() const { return contrast_; }
  QDoubleSpinBox* brightnessSpin() const { return brightness_; }
  QSpinBox* seedSpin() const { return seed_; }
  QLabel* hint() const { return hint_; }

 private:
  QGroupBox* group_;
  QCheckBox *flipH_, *flipV_;
  QDoubleSpinBox *rotation_, *zoom_, *translate_, *contrast_, *brightness_;
  QSpinBox* seed_;
  QLabel* hint_;
  bool loading_ = false;  // load() is filling the fields
};

}  // namespace tessel::ui
