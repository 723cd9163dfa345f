#pragma once
// Source page of the generated Fashion-MNIST localization set (64x64 images with one item and
// its box): how many training and validation items.
#include "ui/data/DataSourcePage.h"

class QSpinBox;

namespace tessel::ui {

class LocalizationSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit LocalizationSourcePage(QWidget* parent);
  void load(const DataSettings& s) override;
  // options {count, validation_count, seed}: the seed is the split seed (0 becomes 1).
  void store(DataSettings& s) const override;
  SourceReport describe(const std::string& path) override;
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;

 private:
  QSpinBox *count_, *validCount_;
};

}  // namespace tessel::ui
