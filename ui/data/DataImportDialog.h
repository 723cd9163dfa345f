#pragma once
// The studio's one data import dialog: choose the source kind (built-in Fashion-MNIST, the
// generated localization set, an IDX pair, a CSV table, an image folder with optional box
// annotations), its file or folder, the kind's options and the train/validation/test split with a
// seed. For CSV it shows the detected delimiter/header and a preview table of the first rows whose
// first row holds one combo per column: numeric, categorical (one-hot), categorical (index),
// crossed (every "crossed" column together forms one crossed column with the given hash buckets),
// label or ignore; na_value and the bad-row policy (refuse | skip) are editable. The resulting
// feature width / shapes and any error are shown live. OK checks the source (a CSV is imported
// once; an error keeps the dialog open with the message) and settings() then gives the
// DataSettings JSON (engine/data/DataSettings.h).
#include <QDialog>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "engine/data/DataSettings.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStackedWidget;
class QTableWidget;
class QDialogButtonBox;
class QCheckBox;

namespace tessel::ui {

class DataImportDialog : public QDialog {
  Q_OBJECT
 public:
  explicit DataImportDialog(QWidget* parent = nullptr);

  // Fills the widgets from a DataSettings JSON (invalid JSON leaves the defaults, with a message).
  void setSettings(const nlohmann::json& settings);
  // The settings the widgets describe (after OK: the checked ones).
  nlohmann::json settings() const;
  // One line for the status bar: "csv iris.csv: feature width 4".
  QString summary() const { return summary_; }
  // The CSV feature width of the preview (0 when not a CSV or it failed).
  int featureWidth() const { return featureWidth_; }
  QString errorText() const;

  // The column choices of the CSV preview table (row 0), in column order.
  static QStringList columnChoices();

  // Parts, for tests.
  QComboBox* kindCombo() const { return kind_; }
  QLineEdit* pathEdit() const { return path_; }
  QTableWidget* previewTable() const { return table_; }
  QComboBox* columnCombo(int column) const;
  QLineEdit* naValueEdit() const { return na_; }
  QComboBox* badRowsCombo() const { return badRows_; }
  QLabel* formatLabel() const { return format_; }
  QLabel* resultLabel() const { return result_; }
  QLabel* errorLabel() const { return error_; }
  QDialogButtonBox* buttons() const { return buttons_; }

 public slots:
  void accept() override;
  // Re-reads the source (CSV: format + preview table) and updates the result line.
  void reload();

 private:
  void browse();
  void browseAnnotations();
  void updatePage();
  void updateCsvResult();  // encodes the preview with the current column choices
  DataSettings current() const;
  nlohmann::json csvOptions() const;
  void setError(const QString& text);

  QComboBox* kind_;
  QLineEdit* path_;
  QStackedWidget* pages_;
  // CSV
  QLineEdit* na_;
  QComboBox* badRows_;
  QLabel* format_;
  QTableWidget* table_;
  QSpinBox* crossBuckets_;
  // image folder
  QSpinBox *height_, *width_, *maxRows_;
  QComboBox* color_;
  QComboBox* annotations_;
  QLineEdit* annotationsPath_;
  // localization
  QSpinBox *locCount_, *locValid_;
  // split
  QDoubleSpinBox *train_, *valid_, *test_;
  QSpinBox* seed_;
  QLabel *result_, *error_;
  QDialogButtonBox* buttons_;

  QStringList columns_;            // CSV column names of the preview
  nlohmann::json csvFormat_;       // detected format (unused when empty)
  nlohmann::json pendingColumns_;  // columns from setSettings, applied at the next reload
  nlohmann::json result_json_;
  int featureWidth_ = 0;
  QString summary_;
  bool loading_ = false;
};

}  // namespace tessel::ui
