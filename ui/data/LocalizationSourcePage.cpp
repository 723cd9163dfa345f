#include "ui/data/LocalizationSourcePage.h"

#include <QFormLayout>
#include <QSpinBox>

#include "ui/data/FashionMnistSourcePage.h"

namespace tessel::ui {

LocalizationSourcePage::LocalizationSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* form = new QFormLayout(this);
  count_ = new QSpinBox(this);
  count_->setObjectName("locCountSpin");
  count_->setRange(16, 200000);
  count_->setValue(10000);
  validCount_ = new QSpinBox(this);
  validCount_->setObjectName("locValidSpin");
  validCount_->setRange(0, 50000);
  validCount_->setValue(1000);
  form->addRow(tr("Training items"), count_);
  form->addRow(tr("Validation items"), validCount_);
}

void LocalizationSourcePage::load(const DataSettings& s) {
  count_->setValue(s.options.value("count", 10000));
  validCount_->setValue(s.options.value("validation_count", 1000));
}

void LocalizationSourcePage::store(DataSettings& s) const {
  const int seed = static_cast<int>(s.splitSeed);
  s.options = {{"count", count_->value()},
               {"validation_count", validCount_->value()},
               {"seed", seed == 0 ? 1 : seed}};
}

SourceReport LocalizationSourcePage::describe(const std::string&) {
  SourceReport r;
  r.result = tr("x (%1, 64, 64, 1), y [class (%1,), box (%1, 4)]; validation %2 items")
                 .arg(count_->value())
                 .arg(validCount_->value());
  r.error = fashionMnistMissing();
  return r;
}

QString LocalizationSourcePage::check(const DataSettings&, const std::string&, bool) {
  requireFashionMnistData();
  return {};
}

}  // namespace tessel::ui
