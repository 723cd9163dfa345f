#include "ui/preview/PreviewGrid.h"
#include "ui/preview/PositionToolTip.h"

#include <QHelpEvent>
#include <QToolTip>

#include <QMouseEvent>
#include <QPainter>
#include <QPointer>

#include "ui/preview/PreviewPainter.h"
#include "ui/preview/PreviewZoomDialog.h"

namespace tessel::ui {

QString PreviewGrid::toolTipAt(const QPoint& pos) const {
  const int i = tileAt(pos);
  if (i < 0) return {};
  return PreviewPainter::captionLines(records_[static_cast<size_t>(i)], names_, true).join("\n");
}

bool PreviewGrid::event(QEvent* e) {
  if (showPositionToolTip(this, e, [this](const QPoint& p) { return toolTipAt(p); })) return true;
  return QWidget::event(e);
}

PreviewGrid::PreviewGrid(QWidget* parent) : QWidget(parent) {
  setAutoFillBackground(false);
  QSizePolicy sp(QSizePolicy::Preferred, QSizePolicy::Preferred);
  sp.setHeightForWidth(true);
  setSizePolicy(sp);
  setMouseTracking(false);
}

void PreviewGrid::setRecords(std::vector<PreviewRecord> records) {
  records_ = std::move(records);
  updateMinimumHeight();
  updateGeometry();
  update();
}

void PreviewGrid::setClassNames(const QStringList& names) {
  names_ = names;
  update();
}

void PreviewGrid::setTileSide(int side) {
  side_ = std::max(16, side);
  updateMinimumHeight();
  updateGeometry();
  update();
}

int PreviewGrid::columnsFor(int width) const {
  const int tw = PreviewPainter::tileSize(side_, false).width() + kSpacing;
  return std::max(1, (width - kSpacing) / tw);
}

int PreviewGrid::columns() const {
  return columnsFor(width());
}

int PreviewGrid::heightForWidth(int width) const {
  const int n = static_cast<int>(records_.size());
  const int cols = columnsFor(width);
  const int rows = std::max(1, (n + cols - 1) / cols);
  return kSpacing + rows * (PreviewPainter::tileSize(side_, false).height() + kSpacing);
}

QSize PreviewGrid::sizeHint() const {
  const QSize t = PreviewPainter::tileSize(side_, false);
  const int w = kSpacing + 4 * (t.width() + kSpacing);
  return {w, heightForWidth(w)};
}

void PreviewGrid::updateMinimumHeight() {
  setMinimumHeight(heightForWidth(std::max(width(), sizeHint().width() / 4)));
}

void PreviewGrid::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  updateMinimumHeight();
}

QRect PreviewGrid::tileRect(int index) const {
  if (index < 0 || index >= static_cast<int>(records_.size())) return {};
  const QSize t = PreviewPainter::tileSize(side_, false);
  const int cols = columns();
  const int r = index / cols, c = index % cols;
  return QRect(kSpacing + c * (t.width() + kSpacing), kSpacing + r * (t.height() + kSpacing),
               t.width(), t.height());
}

QRect PreviewGrid::imageRect(int index) const {
  const QRect t = tileRect(index);
  if (t.isNull()) return {};
  return PreviewPainter::imageRect(t, records_[index].image, false);
}

int PreviewGrid::tileAt(const QPoint& pos) const {
  for (int i = 0; i < static_cast<int>(records_.size()); ++i)
    if (tileRect(i).contains(pos)) return i;
  return -1;
}

void PreviewGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(20, 20, 22));
  if (records_.empty()) {
    p.setPen(QColor(180, 180, 180));
    p.drawText(rect(), Qt::AlignCenter, tr("Previews appear at the end of each epoch"));
    return;
  }
  for (int i = 0; i < static_cast<int>(records_.size()); ++i)
    PreviewPainter::paintTile(p, tileRect(i), records_[i], names_, false);
}

void PreviewGrid::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return QWidget::mouseReleaseEvent(e);
  const int i = tileAt(e->position().toPoint());
  if (i < 0) return;
  emit tileClicked(i);
  if (!enlarge_) return;
  if (auto* old = zoomDialog()) old->close();
  auto* dlg = new PreviewZoomDialog(records_[i], names_, this);
  dlg->setAttribute(Qt::WA_DeleteOnClose);
  dlg->show();
}

PreviewZoomDialog* PreviewGrid::zoomDialog() const {
  for (auto* d : findChildren<PreviewZoomDialog*>(QString(), Qt::FindDirectChildrenOnly))
    if (d->isVisible()) return d;
  return nullptr;
}

QImage PreviewGrid::renderGrid(int cols) const {
  const int n = std::max<int>(1, static_cast<int>(records_.size()));
  if (cols <= 0) cols = columns();
  cols = std::min(cols, n);
  const QSize t = PreviewPainter::tileSize(side_, false);
  const int rows = (n + cols - 1) / cols;
  QImage img(kSpacing + cols * (t.width() + kSpacing), kSpacing + rows * (t.height() + kSpacing),
             QImage::Format_RGB32);
  img.fill(QColor(20, 20, 22));
  QPainter p(&img);
  for (int i = 0; i < static_cast<int>(records_.size()); ++i) {
    const int r = i / cols, c = i % cols;
    PreviewPainter::paintTile(p,
                              QRect(kSpacing + c * (t.width() + kSpacing),
                                    kSpacing + r * (t.height() + kSpacing), t.width(), t.height()),
                              records_[i], names_, false);
  }
  p.end();
  return img;
}

bool PreviewGrid::exportPng(const QString& path) const {
  return renderGrid().save(path, "PNG");
}

}  // namespace tessel::ui
