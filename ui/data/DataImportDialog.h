#pragma once
// The studio's one data import dialog (Train > Data...), in four tabs:
//   Source         the kind (built-in Fashion-MNIST, the generated localization set, an IDX pair,
//                  a CSV table, an image folder with optional box annotations), its file or folder
//                  and the kind's options. For CSV it shows the detected delimiter/header and a
//                  preview table of the first rows whose first row holds one combo per column:
//                  numeric, categorical (one-hot), categorical (index), crossed (every "crossed"
//                  column together forms one crossed column with the given hash buckets), label or
//                  ignore; na_value and the bad-row policy (refuse | skip) are editable. Image
//                  folders: size, colour, "use at most N images" (max_rows, 0 = all), the cache
//                  size (options.cache_mb, MiB) and, with box annotations, which box is the target
//                  (options.box_target "first" | "largest").
//   Split          fractions {train, validation, test} + seed (sum <= 1), or given files: a
//                  training / validation / test file or folder (DataSettings::trainFile ...).
//   Normalisation  none | rescale (factor, "1/255" accepted) | standardize_global (statistics
//                  fitted on the training split, shown read-only once known) |
//                  standardize_per_feature (CSV only; it sets the numeric columns' standardize).
//   Pipeline       the tf.data steps in order (PipelinePage): interleave cycle length, skip, take,
//                  cache, shuffle buffer, batch, prefetch; a TFRecord source uses all of them.
//                  (The tab is the last one.)
//   Augmentation   Keras preprocessing-layer factors (RandomFlip, RandomRotation, RandomZoom,
//                  RandomTranslation, RandomContrast, RandomBrightness) and a seed; image sources
//                  only; applied to training batches only.
// Each tab is its own page widget (SourcePage with one DataSourcePage per kind, SplitPage,
// NormalizationPage, AugmentationPage); the dialog composes them and keeps them consistent.
// The resulting feature width / shapes and any error are shown live under the tabs. OK checks the
// settings and the source (a CSV is imported once); an error keeps the dialog open with the
// message, and settings() then gives the DataSettings JSON (engine/data/DataSettings.h).
#include <QDialog>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "engine/data/DataSettings.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QGroupBox;
class QKeyEvent;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace tessel::ui {

class AugmentationPage;
class NormalizationPage;
class PipelinePage;
class TfRecordSourcePage;
class SourcePage;
class SplitPage;
struct SourceReport;

class DataImportDialog : public QDialog {
  Q_OBJECT
 public:
  enum Tab { SourceTab, SplitTab, NormalizationTab, AugmentationTab, PipelineTab };

  explicit DataImportDialog(QWidget* parent = nullptr);
  // Disconnects the children first: a focused line edit emits editingFinished while the QWidget
  // destructor deletes it, after this class's members are gone.
  ~DataImportDialog() override;

  // Fills the widgets from a DataSettings JSON (invalid JSON leaves the defaults, with a message).
  void setSettings(const nlohmann::json& settings);
  // The settings the widgets describe (after OK: the checked ones).
  nlohmann::json settings() const;
  // The standardize_global statistics fitted on the training split of the current source (e.g.
  // BuiltData::settings after a load); shown read-only and written by settings() while the
  // source, split and mode stay the same.
  void setFittedStatistics(double mean, double std);
  bool hasFittedStatistics() const;
  // One line for the status bar: "csv iris.csv: feature width 4".
  QString summary() const { return summary_; }
  // The CSV feature width of the preview (0 when not a CSV or it failed).
  int featureWidth() const { return featureWidth_; }
  QString errorText() const;

  // The column choices of the CSV preview table (row 0), in column order.
  static QStringList columnChoices();
  // The normalisation modes of normalizationCombo(), in order (DataSettings::normalization).
  static QStringList normalizationModes();

  // Parts, for tests.
  QTabWidget* tabs() const { return tabs_; }
  QComboBox* kindCombo() const;
  QLineEdit* pathEdit() const;
  QTableWidget* previewTable() const;
  QComboBox* columnCombo(int column) const;
  QLineEdit* naValueEdit() const;
  QComboBox* badRowsCombo() const;
  QLabel* formatLabel() const;
  QSpinBox* maxRowsSpin() const;
  QSpinBox* cacheSpin() const;
  QComboBox* annotationsCombo() const;
  QLineEdit* annotationsPathEdit() const;
  QComboBox* boxTargetCombo() const;
  // Split.
  QRadioButton* fractionsRadio() const;
  QRadioButton* givenFilesRadio() const;
  QDoubleSpinBox* trainFractionSpin() const;
  QDoubleSpinBox* validationFractionSpin() const;
  QDoubleSpinBox* testFractionSpin() const;
  QSpinBox* seedSpin() const;
  QLabel* fractionSumLabel() const;
  QLineEdit* trainFileEdit() const;
  QLineEdit* validationFileEdit() const;
  QLineEdit* testFileEdit() const;
  // Normalisation.
  QComboBox* normalizationCombo() const;
  QLineEdit* rescaleEdit() const;
  QLineEdit* statisticsEdit() const;
  // Augmentation.
  QGroupBox* augmentationGroup() const;
  QCheckBox* flipHorizontalCheck() const;
  QCheckBox* flipVerticalCheck() const;
  QDoubleSpinBox* rotationSpin() const;
  QDoubleSpinBox* zoomSpin() const;
  QDoubleSpinBox* translateSpin() const;
  QDoubleSpinBox* contrastSpin() const;
  QDoubleSpinBox* brightnessSpin() const;
  QSpinBox* augmentationSeedSpin() const;
  QLabel* augmentationHint() const;
  // TFRecord source and pipeline.
  TfRecordSourcePage* tfrecordPage() const;
  PipelinePage* pipelinePage() const { return pipeline_; }
  QLabel* resultLabel() const { return result_; }
  QLabel* errorLabel() const { return error_; }
  QDialogButtonBox* buttons() const { return buttons_; }

 public slots:
  void accept() override;
  // Re-reads the source (CSV: format + preview table) and updates the result line.
  void reload();

 protected:
  // Enter in a path or text field confirms that field (editingFinished: the preview reloads)
  // instead of pressing OK; elsewhere (spin boxes, combos) Enter is OK as in every dialog.
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void wireSource();
  void wireSplit();
  void browse();
  void browseGiven(QLineEdit* edit, const QString& caption);
  void updatePage();        // enables what the kind allows
  void forgetStatistics();  // the source or split changed: the fitted statistics are stale
  void updateCsvResult();   // encodes the preview with the current column choices
  void showReport(const SourceReport& report);
  std::string sourcePath() const;  // the path, or in given-files mode with no path the train file
  bool givenFiles() const;
  DataSettings current() const;
  void setError(const QString& text);

  QTabWidget* tabs_;
  SourcePage* source_;
  SplitPage* split_;
  NormalizationPage* norm_;
  AugmentationPage* aug_;
  PipelinePage* pipeline_;
  QLabel *result_, *error_;
  QDialogButtonBox* buttons_;

  nlohmann::json result_json_;
  int featureWidth_ = 0;
  QString summary_;
  bool loading_ = false;
};

}  // namespace tessel::ui
