#pragma once
// Source page of a CSV table: the detected delimiter/header, na_value, the bad-row policy
// (refuse | skip), the crossed columns' hash buckets, and a preview table of the first rows whose
// first row holds one combo per column: numeric, categorical (one-hot), categorical (index),
// crossed (every "crossed" column together forms one crossed column), label or ignore.
#include <QStringList>
#include <functional>
#include <nlohmann/json.hpp>

#include "ui/data/DataSourcePage.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace tessel::ui {

class CsvSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit CsvSourcePage(QWidget* parent);

  // The column choices of the preview table (row 0), in column order.
  static QStringList columnChoices();
  // Whether numeric feature columns are standardised (the normalisation tab's per-feature mode).
  void setStandardizeSource(std::function<bool()> standardize) {
    standardize_ = std::move(standardize);
  }

  void load(const DataSettings& s) override;
  void store(DataSettings& s) const override;
  // Reads the format and the first rows into the table, then encodes them (encode()).
  SourceReport describe(const std::string& path) override;
  // The whole file once: a bad row (refuse) or a missing label is an error here, not later.
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;
  QString browseCaption() const override { return tr("CSV file"); }
  QString choose(QWidget* parent, const QString& caption, const QString& current) const override;

  // The preview rows encoded with the current column choices: feature width and bad rows.
  SourceReport encode(const std::string& path) const;
  // No source: an empty table.
  void clearPreview();
  bool hasColumns() const { return !columns_.isEmpty(); }
  // The CsvSpec JSON of the current choices (DataSettings::options).
  nlohmann::json options(bool standardize) const;

  QTableWidget* previewTable() const { return table_; }
  QComboBox* columnCombo(int column) const;
  QLineEdit* naValueEdit() const { return na_; }
  QComboBox* badRowsCombo() const { return badRows_; }
  QSpinBox* crossBucketsSpin() const { return crossBuckets_; }
  QLabel* formatLabel() const { return format_; }

 signals:
  // A column choice, the bad-row policy or the hash buckets changed: encode again.
  void choicesChanged();

 private:
  void loadPreview(const std::string& path);
  QComboBox* columnChoiceCombo(int column, bool numeric, int suggested);
  int storedChoice(int column, int suggested) const;

  QLineEdit* na_;
  QComboBox* badRows_;
  QLabel* format_;
  QTableWidget* table_;
  QSpinBox* crossBuckets_;
  std::function<bool()> standardize_;
  QStringList columns_;            // CSV column names of the preview
  nlohmann::json csvFormat_;       // detected format (unused when empty)
  nlohmann::json pendingColumns_;  // columns from load(), applied at the next preview
  nlohmann::json routing_ = nlohmann::json::object();  // "inputs" / "outputs" from load()
};

}  // namespace tessel::ui
