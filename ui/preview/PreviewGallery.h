#pragma once
// A dialog listing preview tiles (e.g. the validation images of one confusion-matrix cell) in a
// scrollable PreviewGrid.
#include <QDialog>
#include <vector>

#include "ui/preview/PreviewRecord.h"

namespace tessel::ui {

class PreviewGrid;

class PreviewGallery : public QDialog {
  Q_OBJECT
 public:
  PreviewGallery(const QString& title, std::vector<PreviewRecord> records,
                 const QStringList& classNames, QWidget* parent = nullptr);
  PreviewGrid* grid() const { return grid_; }

 private:
  PreviewGrid* grid_;
};

}  // namespace tessel::ui
