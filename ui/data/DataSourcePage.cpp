#include "ui/data/DataSourcePage.h"

#include <QFileDialog>

namespace tessel::ui {

QString DataSourcePage::choose(QWidget* parent, const QString& caption,
                               const QString& current) const {
  return QFileDialog::getOpenFileName(parent, caption, current);
}

}  // namespace tessel::ui
