#pragma once
// Source page of TFRecord shards (DataSettings kind "tfrecord"): the compression and an EDITABLE
// table of the feature specification proposed from the first records (TfRecordSource.h's
// inspectTfRecords), as the CSV preview proposes columns and as Keras users write the dict for
// tf.io.parse_single_example: one row per feature with its key (editable), Keras type
// (FixedLenFeature / VarLenFeature / FixedLenSequenceFeature), dtype (float32, int64, string
// (image)), shape (a FixedLenFeature's shape; a VarLenFeature's (length,); a sequence's (steps,
// shape...); an image's decoded (height, width, channels)), default value (empty: none; one
// number or one per value), the first record's values and a role (input, label, ignore).
// The edited rows with their roles become the spec's "features", "inputs" and "labels"
// (DataSettings::options); a cell that does not parse, or a specification that does not fit the
// records (a missing feature, a wrong dtype), is a clear error when OK checks the source.
#include <QStringList>
#include <nlohmann/json.hpp>

#include "engine/data/TfFeatureSpec.h"
#include "ui/data/DataSourcePage.h"

class QComboBox;
class QLineEdit;
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
  QComboBox* typeCombo(int row) const;
  QComboBox* dtypeCombo(int row) const;
  QLineEdit* shapeEdit(int row) const;
  QLineEdit* defaultEdit(int row) const;
  // The row of a feature name (-1: none).
  int rowOf(const QString& feature) const;
  // The TfFeatureSpec JSON of the table's rows as edited, with the chosen roles and the
  // compression; throws Error naming the feature and cell that does not parse.
  nlohmann::json options() const;
  // The specification of the table's rows (not ignored), as edited; throws Error as options().
  TfFeatureSpec editedSpec() const;

 private:
  static QString shapeText(const TfFeatureSpec::Feature& f);
  void addRow(int row, const TfFeatureSpec::Feature& f, const QString& values, int role);
  QComboBox* compression_;
  QTableWidget* table_;
  TfFeatureSpec spec_;             // as proposed (or stored)
  nlohmann::json pendingOptions_;  // from load(): roles and types kept at the next describe
};

}  // namespace tessel::ui
