#pragma once
// Source page of an image folder (one subfolder per class): image size and colour, "use at most
// N images" (max_rows, 0 = all), the decoded-image cache (options.cache_mb, MiB) and optional box
// annotations (a box CSV or Pascal VOC XML) with the box each image is trained to predict
// (options.box_target "first" | "largest").
#include "ui/data/DataSourcePage.h"

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace tessel::ui {

class ImageFolderSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit ImageFolderSourcePage(QWidget* parent);
  void load(const DataSettings& s) override;
  void store(DataSettings& s) const override;
  SourceReport describe(const std::string& path) override;
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;
  QString browseCaption() const override { return tr("Image folder"); }
  QString choose(QWidget* parent, const QString& caption, const QString& current) const override;

  QSpinBox* heightSpin() const { return height_; }
  QSpinBox* widthSpin() const { return width_; }
  QComboBox* colorCombo() const { return color_; }
  QSpinBox* maxRowsSpin() const { return maxRows_; }
  QSpinBox* cacheSpin() const { return cacheMb_; }
  QComboBox* annotationsCombo() const { return annotations_; }
  QLineEdit* annotationsPathEdit() const { return annotationsPath_; }
  QComboBox* boxTargetCombo() const { return boxTarget_; }

 private:
  void browseAnnotations();
  void updateAnnotations();  // path and box target only mean something with annotations

  QSpinBox *height_, *width_, *maxRows_, *cacheMb_;
  QComboBox* color_;
  QComboBox* annotations_;
  QLineEdit* annotationsPath_;
  QComboBox* boxTarget_;
};

}  // namespace tessel::ui
