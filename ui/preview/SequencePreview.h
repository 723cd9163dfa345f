#pragma once
// The "Sequences" preview tab for text and sequence models (SequenceSetup.h): one table row per
// sample of the preview driver's fixed validation sample.
//   text classification: the raw text (or its words from the vocabulary), the token ids, the
//                        true and the predicted class with its probability;
//   CTC:                 the input image strip, the target labels, the greedy decoding (and the
//                        beam search decoding when chosen, with its log probability);
//   seq2seq:             the source, the target and the greedy decoding.
// Wrong predictions are marked (✗, red), right ones ✓ (green). Below, the attention heat map of
// the selected row for a chosen attention layer and head (AttentionHeatMap), with the tokens as
// labels when the data has a vocabulary.
#include <QImage>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

#include "ui/preview/PreviewRecord.h"

class QComboBox;
class QLabel;
class QSpinBox;
class QTableWidget;

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
    QString beam;  // CTC beam search decoding (when chosen)
    bool correct = false;
    bool predictedYet = false;
    bool beamCorrect = false;
    QImage image;  // CTC input strip
  };

  explicit SequencePreview(PreviewDriver* driver, QWidget* parent = nullptr);

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

  PreviewDriver* driver_;
  const TextSourceInfo* info_ = nullptr;
  QStringList names_;
  std::vector<Row> rows_;
  QLabel* caption_;
  QComboBox* decoder_;
  QSpinBox* beamWidth_;
  QTableWidget* table_;
  QComboBox* layer_;
  QComboBox* head_;
  QLabel* attentionNote_;
  AttentionHeatMap* heat_;
  QWidget* attentionPane_;
  int attentionRow_ = -1;
  std::optional<std::vector<PreviewRecord>> fixed_;  // showRecords()
};

}  // namespace tessel::ui
