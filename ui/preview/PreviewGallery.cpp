#include "ui/preview/PreviewGallery.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/preview/PreviewGrid.h"

namespace tessel::ui {

PreviewGallery::PreviewGallery(const QString& title, std::vector<PreviewRecord> records,
                               const QStringList& classNames, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(title);
  auto* lay = new QVBoxLayout(this);
  auto* head = new QLabel(
      tr("%1 — %n image(s)", nullptr, static_cast<int>(records.size())).arg(title), this);
  head->setObjectName("galleryTitle");
  lay->addWidget(head);
  grid_ = new PreviewGrid;
  grid_->setObjectName("galleryGrid");
  grid_->setClassNames(classNames);
  grid_->setTileSide(96);
  grid_->setRecords(std::move(records));
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setWidget(grid_);
  lay->addWidget(scroll, 1);
  resize(720, 520);
}

}  // namespace tessel::ui
