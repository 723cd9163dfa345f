#pragma once
// Source page of the generated Fashion-MNIST sequence set for CTC (engine/data/FashionSequence.h):
// strips of min..max items side by side, (28, 28 * max, 1), with their class ids + 1 as labels
// (0 = blank / padding): how many training and validation strips and how many items each.
#include "ui/data/DataSourcePage.h"

class QSpinBox;

namespace tessel::ui {

class SequenceSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit SequenceSourcePage(QWidget* parent);
  void load(const DataSettings& s) override;
  // options {count, validation_count, length, min_length, seed}: the seed is the split seed (0
  // becomes 1).
  void store(DataSettings& s) const override;
  SourceReport describe(const std::string& path) override;
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;

 signals:
  // A count changed: the dialog re-reads the result line and forgets stored statistics.
  void optionsChanged();

 private:
  QSpinBox *count_, *validCount_, *length_, *minLength_;
};

}  // namespace tessel::ui
