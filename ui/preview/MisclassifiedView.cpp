#include "ui/preview/MisclassifiedView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewGrid.h"
#include "ui/preview/PreviewPainter.h"

namespace tessel::ui {

MisclassifiedView::MisclassifiedView(PreviewDriver* driver, QWidget* parent)
    : QWidget(parent), driver_(driver) {
  auto* lay = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  title_ = new QLabel(this);
  title_->setObjectName("misclassifiedTitle");
  bar->addWidget(title_, 1);
  all_ = new QPushButton(tr("All errors"), this);
  all_->setObjectName("allErrors");
  bar->addWidget(all_);
  lay->addLayout(bar);
  grid_ = new PreviewGrid;
  grid_->setObjectName("misclassifiedGrid");
  grid_->setTileSide(120);  // room for "Ankle boot 93%" under the image
  grid_->setEnlargeOnClick(false);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setWidget(grid_);
  lay->addWidget(scroll, 1);
  connect(all_, &QPushButton::clicked, this, [this] { setFilter(-1, -1); });
  connect(grid_, &PreviewGrid::tileClicked, this, [this](int i) {
    if (i >= 0 && i < static_cast<int>(grid_->records().size()))
      emit recordClicked(grid_->records()[static_cast<size_t>(i)]);
  });
  refresh();
}

void MisclassifiedView::setFilter(int trueClass, int predClass) {
  true_ = trueClass;
  pred_ = predClass;
  refresh();
}

QString MisclassifiedView::title() const {
  return title_->text();
}

void MisclassifiedView::clear() {
  true_ = pred_ = -1;
  grid_->setRecords({});
  title_->setText(tr("No validation errors yet"));
  all_->setEnabled(false);
}

void MisclassifiedView::refresh() {
  const QStringList& names = driver_->classNames();
  grid_->setClassNames(names);
  grid_->setRecords(driver_->misclassified(0, true_, pred_));
  const int n = static_cast<int>(grid_->records().size());
  QString which = tr("All validation errors");
  if (true_ >= 0 || pred_ >= 0)
    which = tr("Errors: true %1, predicted %2")
                .arg(true_ >= 0 ? PreviewPainter::className(names, true_) : tr("any"),
                     pred_ >= 0 ? PreviewPainter::className(names, pred_) : tr("any"));
  title_->setText(tr("%1 — %n image(s), most confident first", nullptr, n).arg(which));
  all_->setEnabled(true_ >= 0 || pred_ >= 0);
}

}  // namespace tessel::ui
