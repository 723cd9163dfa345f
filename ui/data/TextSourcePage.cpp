#include "ui/data/TextSourcePage.h"

#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/data/Fortunes.h"
#include "engine/data/TextDataset.h"

namespace tessel::ui {

namespace {

constexpr const char* kSources[] = {"csv", "folder", "pairs", "fortunes"};
constexpr int kPreviewRows = 8;

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString joinedIds(const std::vector<std::int64_t>& ids) {
  size_t shown = ids.size();
  while (shown > 1 && ids[shown - 1] == 0) --shown;  // trailing padding
  QStringList parts;
  for (size_t k = 0; k < shown; ++k) parts << QString::number(ids[k]);
  QString t = parts.join(' ');
  if (shown < ids.size()) t += QObject::tr("  (+%1 padding)").arg(ids.size() - shown);
  return t;
}

}  // namespace

TextSourcePage::TextSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* layout = new QVBoxLayout(this);
  source_ = new QComboBox(this);
  source_->setObjectName("textSourceCombo");
  source_->addItem(tr("CSV/TSV: a text column with a label column"), kSources[CsvSource]);
  source_->addItem(tr("Folder of .txt files, one subfolder per class"), kSources[FolderSource]);
  source_->addItem(tr("Sentence pairs (source<TAB>target) for seq2seq"), kSources[PairsSource]);
  source_->addItem(tr("Fortunes (Debian package; categories are the classes)"),
                   kSources[FortunesSource]);
  textColumn_ = new QLineEdit("text", this);
  textColumn_->setObjectName("textColumnEdit");
  labelColumn_ = new QLineEdit("label", this);
  labelColumn_->setObjectName("labelColumnEdit");
  categories_ = new QLineEdit(this);
  categories_->setObjectName("categoriesEdit");
  QStringList defaults;
  for (const auto& c : defaultFortuneCategories()) defaults << q(c);
  categories_->setPlaceholderText(defaults.join(", "));
  categories_->setToolTip(tr("Comma-separated fortune categories (empty: the five default ones)"));
  standardize_ = new QComboBox(this);
  standardize_->setObjectName("standardizeCombo");
  for (const char* s : {"lower_and_strip_punctuation", "lower", "strip_punctuation"})
    standardize_->addItem(s, s);
  standardize_->addItem(tr("none"), QVariant());
  split_ = new QComboBox(this);
  split_->setObjectName("splitCombo");
  split_->addItem("whitespace", "whitespace");
  split_->addItem("character", "character");
  split_->addItem(tr("none"), QVariant());
  ngrams_ = new QSpinBox(this);
  ngrams_->setObjectName("ngramsSpin");
  ngrams_->setRange(1, 8);
  ngrams_->setSpecialValueText(tr("none (words)"));
  ngrams_->setToolTip(tr("n > 1: every 1..n-gram is a token (Keras ngrams=n)"));
  maxTokens_ = new QSpinBox(this);
  maxTokens_->setObjectName("maxTokensSpin");
  maxTokens_->setRange(0, 10000000);
  maxTokens_->setValue(10000);
  maxTokens_->setSpecialValueText(tr("no limit"));
  maxTokens_->setToolTip(tr("Vocabulary size including the mask '' and OOV '[UNK]' tokens"));
  outputMode_ = new QComboBox(this);
  outputMode_->setObjectName("outputModeCombo");
  for (const char* m : {"int", "multi_hot", "count", "tf_idf"}) outputMode_->addItem(m, m);
  sequenceLength_ = new QSpinBox(this);
  sequenceLength_->setObjectName("sequenceLengthSpin");
  sequenceLength_->setRange(1, 100000);
  sequenceLength_->setValue(64);
  sequenceLength_->setToolTip(
      tr("int mode: texts are padded with 0 or truncated to their first N tokens (as Keras)"));
  vocabularyFile_ = new QLineEdit(this);
  vocabularyFile_->setObjectName("vocabularyFileEdit");
  vocabularyFile_->setPlaceholderText(tr("none: adapted on the training split"));
  // Two columns of settings, so the preview table keeps most of the page.
  auto* grid = new QGridLayout;
  auto add = [&](int row, int col, const QString& label, QWidget* w, int span = 1) {
    auto* l = new QLabel(label, this);
    l->setBuddy(w);
    grid->addWidget(l, row, col * 2);
    grid->addWidget(w, row, col * 2 + 1, 1, span);
  };
  add(0, 0, tr("Text source"), source_, 3);
  add(1, 0, tr("Text column"), textColumn_);
  add(1, 1, tr("Label column"), labelColumn_);
  add(2, 0, tr("Categories"), categories_, 3);
  add(3, 0, tr("Standardize"), standardize_);
  add(3, 1, tr("Split"), split_);
  add(4, 0, tr("N-grams"), ngrams_);
  add(4, 1, tr("Max tokens"), maxTokens_);
  add(5, 0, tr("Output mode"), outputMode_);
  add(5, 1, tr("Sequence length"), sequenceLength_);
  add(6, 0, tr("Vocabulary file"), vocabularyFile_, 3);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(3, 1);
  layout->addLayout(grid);
  vocabulary_ = new QLabel(this);
  vocabulary_->setObjectName("vocabularyLabel");
  vocabulary_->setWordWrap(true);
  layout->addWidget(vocabulary_);
  preview_ = new QTableWidget(0, 4, this);
  preview_->setObjectName("textPreviewTable");
  preview_->setHorizontalHeaderLabels({tr("Label"), tr("Text"), tr("Tokens"), tr("Ids")});
  preview_->horizontalHeader()->setStretchLastSection(true);
  preview_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  preview_->verticalHeader()->setVisible(false);
  preview_->setWordWrap(false);
  layout->addWidget(preview_, 1);

  connect(source_, &QComboBox::currentIndexChanged, this, [this] {
    updateFields();
    if (source_->currentIndex() == FortunesSource) emit pathSuggested(q(kFortunesDir));
    emit optionsChanged();
  });
  for (QComboBox* c : {standardize_, split_, outputMode_})
    connect(c, &QComboBox::currentIndexChanged, this, [this] {
      updateFields();
      emit optionsChanged();
    });
  for (QSpinBox* s : {maxTokens_, sequenceLength_, ngrams_})
    connect(s, &QSpinBox::valueChanged, this, &TextSourcePage::optionsChanged);
  for (QLineEdit* e : {textColumn_, labelColumn_, categories_, vocabularyFile_})
    connect(e, &QLineEdit::editingFinished, this, &TextSourcePage::optionsChanged);
  updateFields();
}

void TextSourcePage::updateFields() {
  const int s = source_->currentIndex();
  textColumn_->setEnabled(s == CsvSource);
  labelColumn_->setEnabled(s == CsvSource);
  categories_->setEnabled(s == FortunesSource);
  sequenceLength_->setEnabled(outputMode_->currentIndex() == 0);
}

nlohmann::json TextSourcePage::options() const {
  const int s = source_->currentIndex();
  nlohmann::json o = {{"source", kSources[std::max(0, s)]}};
  if (s == CsvSource) {
    o["text_column"] = textColumn_->text().trimmed().toStdString();
    o["label_column"] = labelColumn_->text().trimmed().toStdString();
  }
  if (s == FortunesSource) {
    std::vector<std::string> cats;
    for (const QString& c : categories_->text().split(',', Qt::SkipEmptyParts))
      if (!c.trimmed().isEmpty()) cats.push_back(c.trimmed().toStdString());
    if (!cats.empty()) o["categories"] = cats;
  }
  nlohmann::json v;
  const QVariant st = standardize_->currentData(), sp = split_->currentData();
  v["standardize"] = st.isValid() ? nlohmann::json(st.toString().toStdString()) : nlohmann::json();
  v["split"] = sp.isValid() ? nlohmann::json(sp.toString().toStdString()) : nlohmann::json();
  v["ngrams"] = ngrams_->value() > 1 ? nlohmann::json(ngrams_->value()) : nlohmann::json();
  v["max_tokens"] =
      maxTokens_->value() > 0 ? nlohmann::json(maxTokens_->value()) : nlohmann::json();
  v["output_mode"] = outputMode_->currentData().toString().toStdString();
  if (outputMode_->currentIndex() == 0) v["output_sequence_length"] = sequenceLength_->value();
  o["vectorization"] = v;
  const QString vocab = vocabularyFile_->text().trimmed();
  if (!vocab.isEmpty()) o["vocabulary_file"] = vocab.toStdString();
  return o;
}

void TextSourcePage::load(const DataSettings& s) {
  const nlohmann::json& o = s.options;
  const std::string source = o.value("source", std::string("csv"));
  for (int i = 0; i < 4; ++i)
    if (source == kSources[i]) source_->setCurrentIndex(i);
  textColumn_->setText(q(o.value("text_column", std::string("text"))));
  labelColumn_->setText(q(o.value("label_column", std::string("label"))));
  QStringList cats;
  if (o.contains("categories"))
    for (const auto& c : o["categories"]) cats << q(c.get<std::string>());
  categories_->setText(cats.join(", "));
  const nlohmann::json v = o.value("vectorization", defaultTextVectorizationConfig());
  auto pick = [](QComboBox* c, const nlohmann::json& value) {
    for (int i = 0; i < c->count(); ++i) {
      const QVariant d = c->itemData(i);
      if ((value.is_null() && !d.isValid()) ||
          (value.is_string() && d.toString().toStdString() == value.get<std::string>()))
        c->setCurrentIndex(i);
    }
  };
  pick(standardize_, v.value("standardize", nlohmann::json("lower_and_strip_punctuation")));
  pick(split_, v.value("split", nlohmann::json("whitespace")));
  pick(outputMode_, v.value("output_mode", nlohmann::json("int")));
  ngrams_->setValue(v.contains("ngrams") && v["ngrams"].is_number_integer() ? v["ngrams"].get<int>()
                                                                            : 1);
  maxTokens_->setValue(v.contains("max_tokens") && v["max_tokens"].is_number_integer()
                           ? v["max_tokens"].get<int>()
                           : 0);
  if (v.contains("output_sequence_length") && v["output_sequence_length"].is_number_integer())
    sequenceLength_->setValue(v["output_sequence_length"].get<int>());
  vocabularyFile_->setText(q(o.value("vocabulary_file", std::string())));
  updateFields();
}

void TextSourcePage::store(DataSettings& s) const {
  s.options = options();
  s.normalization = "none";  // ids are not scaled
}

SourceReport TextSourcePage::describe(const std::string& path) {
  preview_->setRowCount(0);
  vocabulary_->clear();
  DataSettings s;
  s.kind = "text";
  s.path = path;
  s.options = options();
  const TextData td = prepareTextData(s);
  const TextSamples& S = td.samples;
  const auto rows = textPreview(td, kPreviewRows);
  preview_->setRowCount(int(rows.size()));
  for (int r = 0; r < int(rows.size()); ++r) {
    QString text = q(rows[size_t(r)].text).simplified();
    if (text.size() > 120) text = text.left(120) + "...";
    const QStringList tokens = [&] {
      QStringList t;
      for (const auto& tok : rows[size_t(r)].tokens) t << q(tok);
      return t;
    }();
    const QString items[] = {q(rows[size_t(r)].label), text, tokens.join(" | "),
                             joinedIds(rows[size_t(r)].ids)};
    for (int c = 0; c < 4; ++c) {
      auto* item = new QTableWidgetItem(items[c]);
      item->setToolTip(c == 1 ? q(rows[size_t(r)].text) : items[c]);
      preview_->setItem(r, c, item);
    }
  }
  preview_->resizeColumnToContents(0);
  preview_->setColumnWidth(1, 220);
  preview_->setColumnWidth(2, 220);
  const auto vocab = td.source->vocabulary();
  QStringList first;
  for (size_t i = 0; i < vocab.size() && i < 12; ++i) first << "'" + q(vocab[i]) + "'";
  vocabulary_->setText(tr("Vocabulary: %1 tokens (%2); first: %3")
                           .arg(vocab.size())
                           .arg(s.options.contains("vocabulary_file")
                                    ? tr("from the vocabulary file")
                                    : tr("adapted on the training split"))
                           .arg(first.join(", ")));
  if (td.source->outputMode() == "int" && td.source->outputSequenceLength()) {
    std::vector<std::string> train;
    for (Index r : td.train) train.push_back(S.texts[size_t(r)]);
    std::int64_t w = 0, truncated = 0;
    td.source->vectorize(train, w, &truncated);
    if (truncated > 0)
      vocabulary_->setText(vocabulary_->text() +
                           tr("\n%1 of %2 training texts are longer than %3 tokens: truncated to "
                              "their first %3 (as Keras).")
                               .arg(truncated)
                               .arg(train.size())
                               .arg(w));
  }
  const std::int64_t width = td.source->outputWidth();
  const QString w = width > 0 ? QString::number(width) : QString("L");
  SourceReport rep;
  if (td.target)
    rep.result = tr("%1 sentence pairs -> x [source ids (N, %2), decoder input (N, %3)], y "
                    "decoder target (N, %3)")
                     .arg(S.texts.size())
                     .arg(w)
                     .arg(td.target->outputWidth() - 1);
  else
    rep.result =
        tr("%1 texts, %2 classes -> x (N, %3) %4, y (N,)")
            .arg(S.texts.size())
            .arg(S.classNames.size())
            .arg(w)
            .arg(td.source->outputMode() == "int" ? tr("token ids") : q(td.source->outputMode()));
  rep.summary = tr("text %1 %2: %3 samples")
                    .arg(q(s.options["source"].get<std::string>()), q(path))
                    .arg(S.texts.size());
  return rep;
}

QString TextSourcePage::check(const DataSettings& s, const std::string&, bool) {
  const TextData td = prepareTextData(s);
  return tr("text %1: %2 samples, vocabulary %3")
      .arg(q(s.options.value("source", std::string())))
      .arg(td.samples.texts.size())
      .arg(td.source->vocabulary().size());
}

QString TextSourcePage::choose(QWidget* parent, const QString& caption,
                               const QString& current) const {
  const int s = source_->currentIndex();
  if (s == FolderSource || s == FortunesSource)
    return QFileDialog::getExistingDirectory(parent, caption, current);
  return QFileDialog::getOpenFileName(parent, caption, current,
                                      tr("Text tables (*.csv *.tsv *.txt);;All (*)"));
}

}  // namespace tessel::ui
