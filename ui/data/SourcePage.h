#pragma once
// The data dialog's Source tab: the kind (combo, in DataSourceKind order), its file or folder
// (with Browse...), and the kind's own page (DataSourcePage) below.
#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace tessel::ui {

class CsvSourcePage;
class DataSourcePage;
class ImageFolderSourcePage;
class LocalizationSourcePage;
class TfRecordSourcePage;
class TextSourcePage;

class SourcePage : public QWidget {
  Q_OBJECT
 public:
  explicit SourcePage(QWidget* parent);

  int kind() const;  // DataSourceKind
  // Shows the kind's page and enables the path for the kinds read from files.
  void showKind(int kind);
  DataSourcePage* kindPage(int kind) const;
  DataSourcePage* currentPage() const { return kindPage(kind()); }

  QComboBox* kindCombo() const { return kind_; }
  QLineEdit* pathEdit() const { return path_; }
  QPushButton* browseButton() const { return browse_; }
  CsvSourcePage* csv() const { return csv_; }
  ImageFolderSourcePage* imageFolder() const { return image_; }
  LocalizationSourcePage* localization() const { return localization_; }
  TfRecordSourcePage* tfrecord() const { return tfrecord_; }
  TextSourcePage* text() const { return text_; }

 private:
  QComboBox* kind_;
  QLineEdit* path_;
  QPushButton* browse_;
  QStackedWidget* pages_;
  LocalizationSourcePage* localization_;
  CsvSourcePage* csv_;
  ImageFolderSourcePage* image_;
  TfRecordSourcePage* tfrecord_;
  TextSourcePage* text_;
};

}  // namespace tessel::ui
