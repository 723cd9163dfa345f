#include "ui/data/AugmentationPage.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/data/DataDialogFields.h"

namespace tessel::ui {

AugmentationPage::AugmentationPage(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  group_ = new QGroupBox(tr("Random augmentation of training images"), this);
  group_->setObjectName("augmentationGroup");
  auto* form = new QFormLayout(group_);
  auto* flips = new QHBoxLayout;
  flipH_ = new QCheckBox(tr("horizontal"), group_);
  flipH_->setObjectName("flipHorizontalCheck");
  flipV_ = new QCheckBox(tr("vertical"), group_);
  flipV_->setObjectName("flipVerticalCheck");
  flips->addWidget(flipH_);
  flips->addWidget(flipV_);
  flips->addStretch(1);
  rotation_ = factorSpin(group_, "rotationSpin",
                         tr("RandomRotation factor: a fraction of a full turn (0.1 = up to 36°)"));
  zoom_ = factorSpin(group_, "zoomSpin", tr("RandomZoom height factor: zoom by up to +-factor"));
  translate_ = factorSpin(group_, "translateSpin",
                          tr("RandomTranslation factor: shift by up to this fraction of the size"));
  contrast_ = factorSpin(group_, "contrastSpin",
                         tr("RandomContrast factor: contrast in [1 - factor, 1 + factor]"));
  brightness_ =
      factorSpin(group_, "brightnessSpin",
                 tr("RandomBrightness factor: shift by up to this fraction of the range"));
  seed_ = new QSpinBox(group_);
  seed_->setObjectName("augmentationSeedSpin");
  seed_->setRange(0, 1 << 30);
  form->addRow(tr("RandomFlip"), flips);
  form->addRow(tr("RandomRotation"), rotation_);
  form->addRow(tr("RandomZoom"), zoom_);
  form->addRow(tr("RandomTranslation"), translate_);
  form->addRow(tr("RandomContrast"), contrast_);
  form->addRow(tr("RandomBrightness"), brightness_);
  form->addRow(tr("Seed"), seed_);
  layout->addWidget(group_);
  hint_ = new QLabel(
      tr("Augmentation applies to training batches only; validation and test data are never "
         "augmented. Bounding boxes follow flips, zoom, translation and rotation. Factors are "
         "Keras's: 0 = off."),
      this);
  hint_->setObjectName("augmentationHintLabel");
  hint_->setWordWrap(true);
  layout->addWidget(hint_);
  layout->addStretch(1);
  for (QDoubleSpinBox* s : {rotation_, zoom_, translate_, contrast_, brightness_})
    connect(s, &QDoubleSpinBox::valueChanged, this, [this, s] {
      if (!loading_) forgetExact(s);
    });
}

void AugmentationPage::setImageSource(bool images) {
  group_->setEnabled(images);
}

void AugmentationPage::load(const DataSettings& s) {
  loading_ = true;
  const auto& a = s.augmentation;
  flipH_->setChecked(a.flipHorizontal);
  flipV_->setChecked(a.flipVertical);
  setExact(rotation_, a.rotation);
  setExact(zoom_, a.zoom);
  setExact(translate_, a.translate);
  setExact(contrast_, a.contrast);
  setExact(brightness_, a.brightness);
  seed_->setValue(static_cast<int>(a.seed));
  loading_ = false;
}

void AugmentationPage::store(DataSettings& s) const {
  auto& a = s.augmentation;
  a.flipHorizontal = flipH_->isChecked();
  a.flipVertical = flipV_->isChecked();
  a.rotation = exactValue(rotation_);
  a.zoom = exactValue(zoom_);
  a.translate = exactValue(translate_);
  a.contrast = exactValue(contrast_);
  a.brightness = exactValue(brightness_);
  a.seed = static_cast<std::uint64_t>(seed_->value());
}

}  // namespace tessel::ui
