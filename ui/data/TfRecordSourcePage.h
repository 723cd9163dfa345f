#pragma once
// Source page of TFRecord shards (DataSettings kind "tfrecord"): the compression and a table of
// the feature specification proposed from the first records (TfRecordSource.h's
// inspectTfRecords), as the CSV preview proposes columns: one row per feature with its Keras type
// (FixedLenFeature / VarLenFeature / FixedLenSequenceFeature), dtype, shape (an image's decoded
// height x width x channels), the first record's values and a role combo (input, label, ignore).
// The chosen roles become the spec's "inputs" and "labels" (DataSettings::options).
#include <QStringList>
#include <nlohmann/json.hpp>

#include "engine/data/TfFeatureSpec.h"
#include "ui/data/DataSourcePage.h"

class QComboBox;
class QTableWidget;

namespace tessel::ui {

class TfRecordSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit TfRecordSourcePage(QWidget* parent);

  // The role choices of the table's last column, in order.
  static QStringList roleChoices();

  void load(const DataSettings& s) override;
  void store(DataSettings& s) const override;
  // Inspects the first records and fills the table with the proposed specification.
  SourceReport describe(const std::string& path) override;
  // The whole data set is counted and checked (every record, no image decoded).
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;
  QString browseCaption() const override { return tr("TFRecord file or folder of shards"); }

  QComboBox* compressionCombo() const { return compression_; }
  QTableWidget* featureTable() const { return table_; }
  QComboBox* roleCombo(int row) const;
  // The TfFeatureSpec JSON of the table's features with the chosen roles.
  nlohmann::json options() const;

 private:
  QString shapeText(const TfFeatureSpec::Feature& f) const;
  QComboBox* compression_;
  QTableWidget* table_;
  TfFeatureSpec spec_;             // as proposed (or stored)
  nlohmann::json pendingOptions_;  // from load(): roles and types kept at the next describe
};

}  // namespace tessel::ui
