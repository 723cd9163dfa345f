#include "ui/training/PreflightList.h"

#include <QApplication>
#include <QStyle>

namespace tessel::ui {

PreflightList::PreflightList(QWidget* parent) : QListWidget(parent) {
  setObjectName("preflightList");
  setWordWrap(true);
  setAlternatingRowColors(true);
  setMinimumHeight(80);
}

void PreflightList::setResult(const PreflightCheck::Result& result) {
  result_ = result;
  clear();
  // Errors first, then warnings, then information.
  for (auto sev : {PreflightItem::Severity::Error, PreflightItem::Severity::Warning,
                   PreflightItem::Severity::Info}) {
    for (const PreflightItem& item : result.items) {
      if (item.severity != sev) continue;
      QStyle::StandardPixmap icon =
          sev == PreflightItem::Severity::Error     ? QStyle::SP_MessageBoxCritical
          : sev == PreflightItem::Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                    : QStyle::SP_MessageBoxInformation;
      QString text = QString::fromStdString(item.message);
      if (!item.fix.empty())
        text += QStringLiteral("\n    fix: ") + QString::fromStdString(item.fix);
      auto* w = new QListWidgetItem(style()->standardIcon(icon), text, this);
      w->setData(Qt::UserRole, QString::fromStdString(item.code));
      w->setData(Qt::UserRole + 1, static_cast<int>(sev));
      if (sev == PreflightItem::Severity::Error) w->setForeground(QColor(170, 0, 0));
    }
  }
}

int PreflightList::errorCount() const {
  int n = 0;
  for (const PreflightItem& item : result_.items)
    if (item.severity == PreflightItem::Severity::Error) ++n;
  return n;
}

}  // namespace tessel::ui
