#pragma once
// The "Sequences" preview tab for text and sequence models (SequenceSetup.h): one table row per
// sample of the preview driver's fixed validation sample.
//   text classification: the raw text (or its words from the vocabulary), the token ids, the
//                        true and the predicted class with its probability;
//   CTC:                 the input image strip, the target labels, the greedy decoding (and the
//                        beam search decoding when chosen, with its log probability);
//   seq2seq:             the source, the target and the greedy decoding (and the beam search
//                        decoding when chosen in the decoder box, with its log probability).
// Beam search for seq2seq (Seq2SeqDecoder.h: sum of log probabilities, no length normalisation)
// and the "type a sentence" line run on a GUI-thread copy of the model with the driver's
// epoch-end weights (as InferenceView), synchronously. A typed sentence is vectorized with the
// data's TextVectorization config (its adapted vocabulary; else the model's TextVectorization
// node's), then: a text classifier shows its top classes with probabilities, a seq2seq model its
// decoding (greedy, or beam search as the decoder box says); the heat map then shows the typed
// sentence's attention until a table row is selected.
// Wrong predictions are marked (✗, red), right ones ✓ (green). Below, the attention heat map of
// the selected row for a chosen attention layer and head (AttentionHeatMap), with the tokens as
// labels when the data has a vocabulary.
#include <QImage>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewRecord.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace tessel {
class AttentionProbe;
class Model;
}  // namespace tessel

namespace tessel::ui {

class AttentionHeatMap;
class PreviewDriver;
class TextSourceInfo;

class SequencePreview : public QWidget {
  Q_OBJECT
 public:
  // One shown row (what the table's cells say).
  struct Row {
    QString input;   // text / source ("" for CTC: the image)
    QString ids;     // token ids (text classification)
    QString target;  // true class / target sequence
    QString predicted;
    QString beam;  // CTC / seq2seq beam search decoding (when chosen)
    bool correct = false;
    bool predictedYet = false;
    bool beamCorrect = false;
    bool beamDone = false;  // `beam` is a decoding (not a note)
    QImage image;           // CTC input strip
  };

  // What the typed sentence gave (typeSentence).
  struct Typed {
    bool valid = false;
    std::vector<std::string> tokens;
    std::vector<Index> ids;                      // non-padding ids of the vectorized row
    std::vector<std::pair<int, float>> classes;  // text classifier: (class, p), best first
    std::vector<Index> decoded;                  // seq2seq: decoded ids (no end token)
    bool beam = false;                           // seq2seq: decoded by beam search
    double logProb = 0;                          // seq2seq beam search: its log probability
  };

  explicit SequencePreview(PreviewDriver* driver, QWidget* parent = nullptr);
  ~SequencePreview() override;

  void setTextInfo(const TextSourceInfo* info);  // not owned; may be null
  void setClassNames(const QStringList& names);
  // Rebuilds the rows from the driver (after configure and each previewUpdated).
  void refresh();
  // Text classification only: show these records (e.g. one confusion cell's validation rows,
  // PreviewDriver::cellRecords) instead of the driver's sample; no attention pane.
  void showRecords(std::vector<PreviewRecord> records);
  void clear();

  const std::vector<Row>& rows() const { return rows_; }
  QTableWidget* table() const { return table_; }
  AttentionHeatMap* heatMap() const { return heat_; }
  QComboBox* decoderBox() const { return decoder_; }
  QSpinBox* beamWidthBox() const { return beamWidth_; }
  bool beamChosen() const;
  // The "type a sentence" line: Return runs typeSentence(text()).
  QLineEdit* sentenceEdit() const { return sentence_; }
  QLabel* sentenceResultLabel() const { return sentenceResult_; }
  // Vectorizes `text` as training did and runs the model (above). False (with a message in the
  // result label) when it cannot: no vocabulary, no weights yet, not a text or seq2seq model.
  bool typeSentence(const QString& text);
  const Typed& typed() const { return typed_; }
  // The heat map shows the typed sentence's attention (until a table row is selected).
  bool typedAttentionShown() const { return typedAttention_; }
  QComboBox* layerBox() const { return layer_; }
  QComboBox* headBox() const { return head_; }
  bool attentionShown() const;  // the model has an attention layer: the heat map pane shows
  // The row whose attention the heat map shows (-1: none).
  int attentionRow() const { return attentionRow_; }
  void showAttention(int row);

 private:
  void rebuildTable();
  void rebuildLayers();
  QString className(int id) const;
  QString ctcLabel(long long id, long long classes) const;
  QStringList tokenLabels(int row, long long steps, int modelInput) const;
  QStringList typedLabels(long long steps, int modelInput) const;
  // The GUI-thread model with the driver's epoch-end weights (null before the first epoch end).
  Model* guiModel();
  // Seq2seq beam search of the shown rows (cached per weights and width).
  void decodeBeamRows();
  const SequenceFrame& shownFrame() const;
  QString targetWords(const std::vector<Index>& ids) const;

  PreviewDriver* driver_;
  const TextSourceInfo* info_ = nullptr;
  QStringList names_;
  std::vector<Row> rows_;
  QLabel* caption_;
  QComboBox* decoder_;
  QSpinBox* beamWidth_;
  QLineEdit* sentence_;
  QLabel* sentenceResult_;
  QWidget* sentenceBar_;
  QTableWidget* table_;
  QComboBox* layer_;
  QComboBox* head_;
  QLabel* attentionNote_;
  AttentionHeatMap* heat_;
  QWidget* attentionPane_;
  int attentionRow_ = -1;
  std::optional<std::vector<PreviewRecord>> fixed_;  // showRecords()
  // GUI-thread model (guiModel) and what it was built from.
  std::unique_ptr<Model> model_;
  std::unique_ptr<AttentionProbe> probe_;
  ModelSpec modelSpec_;
  int modelEpoch_ = -2;
  const void* modelWeights_ = nullptr;
  int weightsVersion_ = 0, weightsSeen_ = -1, modelVersion_ = 0;
  // Seq2seq beam search of the shown rows, and what it was computed for.
  SequenceFrame beamFrame_;
  std::vector<double> beamLogProb_;
  std::vector<Index> beamRows_;
  int beamVersion_ = -1, beamWidthDone_ = 0;
  // The typed sentence's result and attention (rows: 1).
  Typed typed_;
  QString typedText_;
  SequenceFrame typedFrame_;
  bool typedAttention_ = false;
};

}  // namespace tessel::ui
