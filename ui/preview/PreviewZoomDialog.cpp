#include "ui/preview/PreviewZoomDialog.h"

#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/preview/PreviewPainter.h"

namespace tessel::ui {

PreviewZoomDialog::PreviewZoomDialog(const PreviewRecord& record, const QStringList& classNames,
                                     QWidget* parent)
    : QDialog(parent), record_(record) {
  setWindowTitle(record.sample >= 0 ? tr("Validation sample %1").arg(record.sample)
                                    : tr("Prediction"));
  image_ = PreviewPainter::renderTile(record_, classNames, 448, true);
  auto* label = new QLabel(this);
  label->setObjectName("zoomImage");
  label->setPixmap(QPixmap::fromImage(image_));
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(6, 6, 6, 6);
  lay->addWidget(label);
  // Top-5 classes when there is a class head.
  if (!record_.probs.empty()) {
    std::vector<int> order(record_.probs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return record_.probs[a] > record_.probs[b]; });
    QStringList top;
    for (size_t i = 0; i < order.size() && i < 5; ++i)
      top << QStringLiteral("%1 %2%")
                 .arg(PreviewPainter::className(classNames, order[i]))
                 .arg(record_.probs[order[i]] * 100.0f, 0, 'f', 1);
    auto* t = new QLabel(top.join(QStringLiteral("   ")), this);
    t->setObjectName("zoomTop5");
    lay->addWidget(t);
  }
}

}  // namespace tessel::ui
