#include "ui/data/ImageFolderSourcePage.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include "engine/core/Error.h"
#include "engine/data/ImageFolder.h"
#include "ui/data/DataDialogFields.h"

namespace tessel::ui {

ImageFolderSourcePage::ImageFolderSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* form = new QFormLayout(this);
  height_ = new QSpinBox(this);
  height_->setObjectName("heightSpin");
  width_ = new QSpinBox(this);
  width_->setObjectName("widthSpin");
  for (QSpinBox* s : {height_, width_}) {
    s->setRange(1, 1024);
    s->setValue(64);
  }
  color_ = new QComboBox(this);
  color_->setObjectName("colorCombo");
  color_->addItem(tr("RGB"), false);
  color_->addItem(tr("Grayscale"), true);
  maxRows_ = new QSpinBox(this);
  maxRows_->setObjectName("maxRowsSpin");
  maxRows_->setRange(0, 100000000);
  maxRows_->setValue(0);
  maxRows_->setSpecialValueText(tr("all"));
  maxRows_->setToolTip(
      tr("Use at most this many images (a seeded sample when the folder holds more); 0 = all"));
  cacheMb_ = new QSpinBox(this);
  cacheMb_->setObjectName("cacheSpin");
  cacheMb_->setRange(1, 1 << 20);
  cacheMb_->setValue(kDefaultCacheMb);
  cacheMb_->setSuffix(tr(" MiB"));
  cacheMb_->setToolTip(tr("Decoded images kept in memory while training reads the folder"));
  annotations_ = new QComboBox(this);
  annotations_->setObjectName("annotationsCombo");
  annotations_->addItem(tr("none"), "");
  annotations_->addItem(tr("box CSV (filename, y_min, x_min, y_max, x_max, label)"), "csv");
  annotations_->addItem(tr("Pascal VOC XML (file or folder)"), "voc");
  auto* annRow = new QHBoxLayout;
  annotationsPath_ = new QLineEdit(this);
  annotationsPath_->setObjectName("annotationsPathEdit");
  auto* annBrowse = new QPushButton(tr("Browse..."), this);
  annRow->addWidget(annotationsPath_, 1);
  annRow->addWidget(annBrowse);
  boxTarget_ = new QComboBox(this);
  boxTarget_->setObjectName("boxTargetCombo");
  boxTarget_->addItem(tr("first box"), "first");
  boxTarget_->addItem(tr("largest box"), "largest");
  boxTarget_->setToolTip(tr("The box each image is trained to predict, of the ones annotated"));
  form->addRow(tr("Height"), height_);
  form->addRow(tr("Width"), width_);
  form->addRow(tr("Colour"), color_);
  form->addRow(tr("Use at most N images"), maxRows_);
  form->addRow(tr("Cache"), cacheMb_);
  form->addRow(tr("Box annotations"), annotations_);
  form->addRow(tr("Annotation file"), annRow);
  form->addRow(tr("Box target"), boxTarget_);
  connect(annBrowse, &QPushButton::clicked, this, &ImageFolderSourcePage::browseAnnotations);
  connect(annotations_, &QComboBox::currentIndexChanged, this,
          &ImageFolderSourcePage::updateAnnotations);
  updateAnnotations();
}

void ImageFolderSourcePage::updateAnnotations() {
  const bool boxes = !annotations_->currentData().toString().isEmpty();
  annotationsPath_->setEnabled(boxes);
  boxTarget_->setEnabled(boxes);
}

void ImageFolderSourcePage::browseAnnotations() {
  const QString chosen =
      QFileDialog::getOpenFileName(this, tr("Box annotations"), annotationsPath_->text(),
                                   tr("Annotations (*.csv *.xml);;All (*)"));
  if (!chosen.isEmpty()) annotationsPath_->setText(chosen);
}

QString ImageFolderSourcePage::choose(QWidget* parent, const QString& caption,
                                      const QString& current) const {
  return QFileDialog::getExistingDirectory(parent, caption, current);
}

void ImageFolderSourcePage::load(const DataSettings& s) {
  const nlohmann::json& o = s.options;
  height_->setValue(o.value("height", 64));
  width_->setValue(o.value("width", 64));
  color_->setCurrentIndex(o.value("grayscale", false) ? 1 : 0);
  maxRows_->setValue(o.value("max_rows", 0));
  cacheMb_->setValue(o.value("cache_mb", kDefaultCacheMb));
  boxTarget_->setCurrentIndex(o.value("box_target", std::string("first")) == "largest" ? 1 : 0);
  annotations_->setCurrentIndex(s.annotations == "csv" ? 1 : s.annotations == "voc" ? 2 : 0);
  annotationsPath_->setText(QString::fromStdString(s.annotationsPath));
}

void ImageFolderSourcePage::store(DataSettings& s) const {
  s.options = {{"height", height_->value()},
               {"width", width_->value()},
               {"grayscale", color_->currentData().toBool()},
               {"cache_mb", cacheMb_->value()},
               {"box_target", boxTarget_->currentData().toString().toStdString()}};
  if (maxRows_->value() > 0) s.options["max_rows"] = maxRows_->value();  // absent = all
  s.annotations = annotations_->currentData().toString().toStdString();
  if (!s.annotations.empty()) s.annotationsPath = annotationsPath_->text().toStdString();
}

SourceReport ImageFolderSourcePage::describe(const std::string& path) {
  ImageFolderOptions io;
  io.height = height_->value();
  io.width = width_->value();
  io.grayscale = color_->currentData().toBool();
  ImageFolder folder(path, io);
  SourceReport r;
  r.result = tr("%1 images, %2 classes -> x (N, %3, %4, %5), y (N,)")
                 .arg(folder.size())
                 .arg(folder.classNames().size())
                 .arg(io.height)
                 .arg(io.width)
                 .arg(folder.channels());
  return r;
}

QString ImageFolderSourcePage::check(const DataSettings& s, const std::string& path, bool) {
  ImageFolder folder(path, {});
  if (!s.annotations.empty() && s.annotationsPath.empty())
    throw Error("choose the annotation file");
  return {};
}

}  // namespace tessel::ui
