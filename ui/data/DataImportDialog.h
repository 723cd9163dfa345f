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
//   Augmentation   Keras preprocessing-layer factors (RandomFlip, RandomRotation, RandomZoom,
//                  RandomTranslation, RandomContrast, RandomBrightness) and a seed; image sources
//                  only; applied to training batches only.
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
class QPushButton;
class QRadioButton;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableWidget;

namespace tessel::ui {

class DataImportDialog : public QDialog {
  Q_OBJECT
 public:
  enum Tab { SourceTab, SplitTab, NormalizationTab, AugmentationTab };

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
  bool hasFittedStatistics() const { return fitted_; }
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
  QComboBox* kindCombo() const { return kind_; }
  QLineEdit* pathEdit() const { return path_; }
  QTableWidget* previewTable() const { return table_; }
  QComboBox* columnCombo(int column) const;
  QLineEdit* naValueEdit() const { return na_; }
  QComboBox* badRowsCombo() const { return badRows_; }
  QLabel* formatLabel() const { return format_; }
  QSpinBox* maxRowsSpin() const { return maxRows_; }
  QSpinBox* cacheSpin() const { return cacheMb_; }
  QComboBox* annotationsCombo() const { return annotations_; }
  QLineEdit* annotationsPathEdit() const { return annotationsPath_; }
  QComboBox* boxTargetCombo() const { return boxTarget_; }
  // Split.
  QRadioButton* fractionsRadio() const { return fractionsRadio_; }
  QRadioButton* givenFilesRadio() const { return givenRadio_; }
  QDoubleSpinBox* trainFractionSpin() const { return train_; }
  QDoubleSpinBox* validationFractionSpin() const { return valid_; }
  QDoubleSpinBox* testFractionSpin() const { return test_; }
  QSpinBox* seedSpin() const { return seed_; }
  QLabel* fractionSumLabel() const { return fractionSum_; }
  QLineEdit* trainFileEdit() const { return trainFile_; }
  QLineEdit* validationFileEdit() const { return validFile_; }
  QLineEdit* testFileEdit() const { return testFile_; }
  // Normalisation.
  QComboBox* normalizationCombo() const { return norm_; }
  QLineEdit* rescaleEdit() const { return rescale_; }
  QLineEdit* statisticsEdit() const { return stats_; }
  // Augmentation.
  QGroupBox* augmentationGroup() const { return augGroup_; }
  QCheckBox* flipHorizontalCheck() const { return flipH_; }
  QCheckBox* flipVerticalCheck() const { return flipV_; }
  QDoubleSpinBox* rotationSpin() const { return rotation_; }
  QDoubleSpinBox* zoomSpin() const { return zoom_; }
  QDoubleSpinBox* translateSpin() const { return translate_; }
  QDoubleSpinBox* contrastSpin() const { return contrast_; }
  QDoubleSpinBox* brightnessSpin() const { return brightness_; }
  QSpinBox* augmentationSeedSpin() const { return augSeed_; }
  QLabel* augmentationHint() const { return augHint_; }
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
  QWidget* buildSourceTab();
  QWidget* buildSplitTab();
  QWidget* buildNormalizationTab();
  QWidget* buildAugmentationTab();
  void browse();
  void browseAnnotations();
  void browseGiven(QLineEdit* edit, const QString& caption);
  void updatePage();               // enables what the kind allows
  void updateSplit();              // fractions vs given files, the sum line
  void updateNormalization();      // rescale / statistics fields of the mode
  void applyKindDefaults();        // a kind chosen by the user: its usual normalisation
  void forgetStatistics();         // the source or split changed: the fitted statistics are stale
  void updateCsvResult();          // encodes the preview with the current column choices
  std::string sourcePath() const;  // the path, or in given-files mode with no path the train file
  bool givenFiles() const;
  DataSettings current() const;
  nlohmann::json csvOptions() const;
  void setError(const QString& text);

  QTabWidget* tabs_;
  QComboBox* kind_;
  QLineEdit* path_;
  QPushButton* browse_;
  QStackedWidget* pages_;
  // CSV
  QLineEdit* na_;
  QComboBox* badRows_;
  QLabel* format_;
  QTableWidget* table_;
  QSpinBox* crossBuckets_;
  // image folder
  QSpinBox *height_, *width_, *maxRows_, *cacheMb_;
  QComboBox* color_;
  QComboBox* annotations_;
  QLineEdit* annotationsPath_;
  QComboBox* boxTarget_;
  // localization
  QSpinBox *locCount_, *locValid_;
  // split
  QRadioButton *fractionsRadio_, *givenRadio_;
  QDoubleSpinBox *train_, *valid_, *test_;
  QSpinBox* seed_;
  QLabel* fractionSum_;
  QLineEdit *trainFile_, *validFile_, *testFile_;
  QList<QWidget*> givenWidgets_;  // edits and browse buttons of the given files
  QLabel* splitNote_;
  // normalisation
  QComboBox* norm_;
  QLineEdit* rescale_;
  QLineEdit* stats_;
  QLabel* normNote_;
  // augmentation
  QGroupBox* augGroup_;
  QCheckBox *flipH_, *flipV_;
  QDoubleSpinBox *rotation_, *zoom_, *translate_, *contrast_, *brightness_;
  QSpinBox* augSeed_;
  QLabel* augHint_;

  QLabel *result_, *error_;
  QDialogButtonBox* buttons_;

  QStringList columns_;            // CSV column names of the preview
  nlohmann::json csvFormat_;       // detected format (unused when empty)
  nlohmann::json pendingColumns_;  // columns from setSettings, applied at the next reload
  nlohmann::json result_json_;
  int featureWidth_ = 0;
  QString summary_;
  bool loading_ = false;
  bool fitted_ = false;  // standardize_global statistics known for the current source
  double fittedMean_ = 0.0, fittedStd_ = 1.0;
};

}  // namespace tessel::ui
