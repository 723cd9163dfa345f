#include "ui/data/FashionMnistSourcePage.h"

#include <QLabel>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/data/FashionMnist.h"

namespace tessel::ui {

QString fashionMnistMissing() {
  if (fashionMnistAvailable()) return {};
  return QObject::tr("Fashion-MNIST not found in %1 (install dataset-fashion-mnist)")
      .arg(kFashionMnistDir);
}

FashionMnistSourcePage::FashionMnistSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* text = new QLabel(
      tr("55,000 training and 5,000 validation images (the first 5,000 of the training file), "
         "standardised."),
      this);
  text->setWordWrap(true);
  text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  layout->addWidget(text);
}

SourceReport FashionMnistSourcePage::describe(const std::string&) {
  SourceReport r;
  r.error = fashionMnistMissing();
  if (r.error.isEmpty())
    r.result = tr("x (55000, 28, 28), y (55000,); validation x (5000, 28, 28)");
  return r;
}

void requireFashionMnistData() {
  if (!fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir);
}

QString FashionMnistSourcePage::check(const DataSettings&, const std::string&, bool) {
  requireFashionMnistData();
  return {};
}

}  // namespace tessel::ui
