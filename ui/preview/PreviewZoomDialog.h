#pragma once
// One preview tile drawn large in its own (non-modal) dialog.
#include <QDialog>

#include "ui/preview/PreviewRecord.h"

class QLabel;

namespace tessel::ui {

class PreviewZoomDialog : public QDialog {
  Q_OBJECT
 public:
  PreviewZoomDialog(const PreviewRecord& record, const QStringList& classNames,
                    QWidget* parent = nullptr);
  const PreviewRecord& record() const { return record_; }
  QImage image() const { return image_; }  // the enlarged tile as shown

 private:
  PreviewRecord record_;
  QImage image_;
};

}  // namespace tessel::ui
