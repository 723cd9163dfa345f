#include "ui/data/SequenceSourcePage.h"

#include <QFormLayout>
#include <QSpinBox>

#include "ui/data/FashionMnistSourcePage.h"

namespace tessel::ui {

namespace {

QSpinBox* spin(QWidget* parent, const char* name, int lo, int hi, int value) {
  auto* s = new QSpinBox(parent);
  s->setObjectName(name);
  s->setRange(lo, hi);
  s->setValue(value);
  return s;
}

}  // namespace

SequenceSourcePage::SequenceSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* form = new QFormLayout(this);
  count_ = spin(this, "seqCountSpin", 16, 200000, 10000);
  validCount_ = spin(this, "seqValidSpin", 0, 50000, 1000);
  length_ = spin(this, "seqLengthSpin", 1, 16, 4);
  minLength_ = spin(this, "seqMinLengthSpin", 1, 16, 1);
  length_->setToolTip(
      tr("The most items per strip: the strip is 28 x 28*max pixels and the "
         "label has max columns (0 = blank padding)."));
  minLength_->setToolTip(
      tr("The fewest items per strip; each strip's count is uniform in "
         "[min, max]."));
  form->addRow(tr("Training strips"), count_);
  form->addRow(tr("Validation strips"), validCount_);
  form->addRow(tr("Items per strip, at most"), length_);
  form->addRow(tr("Items per strip, at least"), minLength_);
  // min <= max, whichever is edited.
  connect(length_, &QSpinBox::valueChanged, this, [this](int v) {
    if (minLength_->value() > v) minLength_->setValue(v);
  });
  connect(minLength_, &QSpinBox::valueChanged, this, [this](int v) {
    if (length_->value() < v) length_->setValue(v);
  });
  for (QSpinBox* s : {count_, validCount_, length_, minLength_})
    connect(s, &QSpinBox::valueChanged, this, &SequenceSourcePage::optionsChanged);
}

void SequenceSourcePage::load(const DataSettings& s) {
  count_->setValue(s.options.value("count", 10000));
  validCount_->setValue(s.options.value("validation_count", 1000));
  length_->setValue(s.options.value("length", 4));
  minLength_->setValue(s.options.value("min_length", 1));
}

void SequenceSourcePage::store(DataSettings& s) const {
  const int seed = static_cast<int>(s.splitSeed);
  s.options = {{"count", count_->value()},
               {"validation_count", validCount_->value()},
               {"length", length_->value()},
               {"min_length", minLength_->value()},
               {"seed", seed == 0 ? 1 : seed}};
}

SourceReport SequenceSourcePage::describe(const std::string&) {
  SourceReport r;
  const int len = length_->value();
  r.result = tr("x (%1, 28, %2, 1), y (%1, %3) class ids + 1, 0 = blank (CTC, 11 classes); "
                "validation %4 strips")
                 .arg(count_->value())
                 .arg(28 * len)
                 .arg(len)
                 .arg(validCount_->value());
  r.error = fashionMnistMissing();
  return r;
}

QString SequenceSourcePage::check(const DataSettings&, const std::string&, bool) {
  requireFashionMnistData();
  return {};
}

}  // namespace tessel::ui
