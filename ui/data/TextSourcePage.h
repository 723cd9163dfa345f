#pragma once
// Source page of text data (DataSettings kind "text", engine/data/TextDataset.h): where the
// strings come from -- a CSV/TSV text column with a label column, a folder of .txt files with one
// subfolder per class, sentence pairs (source<TAB>target) for sequence-to-sequence, or the Debian
// fortunes package (its category files are the classes; choosing it fills the path with
// /usr/share/games/fortunes) -- and the TextVectorization settings (standardize, split, ngrams,
// max_tokens, output_mode, output_sequence_length, an optional vocabulary file). The preview
// table shows the first training texts with their label, tokens and ids, vectorized with the
// vocabulary adapted on the training split (default fractions 0.8/0.1/0.1, seed 0, for the
// preview; training uses the Split tab's).
#include <nlohmann/json.hpp>

#include "ui/data/DataSourcePage.h"

class QComboBox;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QLabel;

namespace tessel::ui {

class TextSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  // The text sources, in combo order (options.source).
  enum Source { CsvSource, FolderSource, PairsSource, FortunesSource };

  explicit TextSourcePage(QWidget* parent);
  void load(const DataSettings& s) override;
  void store(DataSettings& s) const override;
  SourceReport describe(const std::string& path) override;
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;
  QString browseCaption() const override { return tr("Text file or folder"); }
  QString choose(QWidget* parent, const QString& caption, const QString& current) const override;

  // The options store() writes (source, columns, vectorization, ...).
  nlohmann::json options() const;

  QComboBox* sourceCombo() const { return source_; }
  QLineEdit* textColumnEdit() const { return textColumn_; }
  QLineEdit* labelColumnEdit() const { return labelColumn_; }
  QLineEdit* categoriesEdit() const { return categories_; }
  QComboBox* standardizeCombo() const { return standardize_; }
  QComboBox* splitCombo() const { return split_; }
  QComboBox* outputModeCombo() const { return outputMode_; }
  QSpinBox* maxTokensSpin() const { return maxTokens_; }
  QSpinBox* sequenceLengthSpin() const { return sequenceLength_; }
  QSpinBox* ngramsSpin() const { return ngrams_; }
  QLineEdit* vocabularyFileEdit() const { return vocabularyFile_; }
  QTableWidget* previewTable() const { return preview_; }
  QLabel* vocabularyLabel() const { return vocabulary_; }

 signals:
  // An option changed: the dialog re-reads the source.
  void optionsChanged();
  // The source wants this path (fortunes: the package's folder).
  void pathSuggested(const QString& path);

 private:
  void updateFields();

  QComboBox *source_, *standardize_, *split_, *outputMode_;
  QLineEdit *textColumn_, *labelColumn_, *categories_, *vocabularyFile_;
  QSpinBox *maxTokens_, *sequenceLength_, *ngrams_;
  QTableWidget* preview_;
  QLabel* vocabulary_;
};

}  // namespace tessel::ui
