#pragma once
// Source page of built-in Fashion-MNIST (Debian's dataset-fashion-mnist): nothing to choose.
#include "ui/data/DataSourcePage.h"

namespace tessel::ui {

class FashionMnistSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit FashionMnistSourcePage(QWidget* parent);
  SourceReport describe(const std::string& path) override;
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;
};

// The error line when Fashion-MNIST is not installed (empty when it is).
QString fashionMnistMissing();
// Throws Error when Fashion-MNIST is not installed.
void requireFashionMnistData();

}  // namespace tessel::ui
