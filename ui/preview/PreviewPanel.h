#pragma once
// The studio's preview panel: a toolbar (sample count, refresh every N batches, export PNG),
// then tabs — "Samples" (PreviewGrid of the fixed validation sample), one "Confusion: <output>"
// tab per classification head (clicking a cell opens a PreviewGallery of those images) and
// "Single image" (InferenceView, drop or browse an image file), "Explain" (ExplainView: Grad-CAM,
// saliency and feature maps of a clicked tile, point or the single image), "Misclassified"
// (validation errors, most confident first, filtered by the last confusion cell clicked) and
// "Embedding" (PCA / t-SNE of a layer's outputs).
//
// Embedding (GUI thread):
//   auto* panel = new PreviewPanel(parent);
//   panel->setClassNames(names);                      // optional ("0".."9" otherwise)
//   panel->configure(spec, compile, data, fit);       // before each run
//   // on the training thread, once the Model exists (see PreviewDriver::makeObserver):
//   auto observer = panel->driver()->makeObserver(model);
#include <QPointer>
#include <QWidget>
#include <array>
#include <vector>

#include "engine/data/DataSettings.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "ui/preview/SequenceSetup.h"

class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace tessel::ui {

class ConfusionMatrixWidget;
class EmbeddingView;
class ExplainView;
class InferenceView;
class MisclassifiedView;
class PreviewDriver;
class PreviewGallery;
class PreviewGrid;
class SequencePreview;

class PreviewPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PreviewPanel(QWidget* parent = nullptr);

  // Prepares the previews of the run about to start (see PreviewDriver::configure). Throws Error
  // for an invalid spec.
  void configure(const ModelSpec& spec, const CompileOptions& compile, const Dataset& data,
                 const FitOptions& fit);
  void setClassNames(const QStringList& names);
  // The data settings of the next run (as built, vocabularies filled in): text data gets the
  // "Sequences" tab with raw strings and words (SequencePreview). Call before configure().
  void setDataSettings(const DataSettings& settings);
  // Every annotated box per validation sample (PreviewDriver::setAllTruthBoxes).
  void setAllTruthBoxes(std::vector<std::vector<std::array<float, 4>>> boxes);

  PreviewDriver* driver() const { return driver_; }
  PreviewGrid* grid() const { return grid_; }
  InferenceView* inferenceView() const { return inference_; }
  ExplainView* explainView() const { return explain_; }
  MisclassifiedView* misclassifiedView() const { return misclassified_; }
  EmbeddingView* embeddingView() const { return embedding_; }
  // Text, CTC and seq2seq models: the "Sequences" tab (shown only for those).
  SequencePreview* sequencePreview() const { return sequences_; }
  bool sequenceTabVisible() const;
  QTabWidget* tabs() const { return tabs_; }
  QSpinBox* sampleCountBox() const { return sampleCount_; }
  QSpinBox* everyNBox() const { return everyN_; }
  int confusionCount() const { return static_cast<int>(confusion_.size()); }
  ConfusionMatrixWidget* confusionWidget(int head) const;
  // The gallery opened by the last confusion-cell click (nullptr when closed).
  PreviewGallery* gallery() const { return gallery_; }
  // Text classification: the texts of the last confusion cell clicked (nullptr when closed).
  SequencePreview* textGallery() const;
  QString statusText() const;
  // Empties the sample grid, the confusion tabs, the single-image, explain, misclassified and
  // embedding views and closes the gallery (another model or project is shown).
  void clear();

  // Writes the sample grid as a PNG (what the Export button does after asking for a path).
  bool exportGrid(const QString& path) const;

 public slots:
  void showCell(int head, int trueClass, int predClass);
  // Opens validation row `row` in the Explain tab (Grad-CAM, saliency, feature maps).
  void explainRow(Index row);

 private:
  void onPreview(int epoch, int batch);
  void onConfusion(int epoch);
  void applySettings();
  void rebuildConfusionTabs();

  PreviewDriver* driver_;
  QTabWidget* tabs_;
  PreviewGrid* grid_;
  InferenceView* inference_;
  ExplainView* explain_;
  MisclassifiedView* misclassified_;
  EmbeddingView* embedding_;
  SequencePreview* sequences_;
  QWidget* samplesTab_;
  TextSourceInfo textInfo_;
  std::vector<ConfusionMatrixWidget*> confusion_;
  QSpinBox* sampleCount_;
  QSpinBox* everyN_;
  QPushButton* export_;
  QLabel* status_;
  QPointer<PreviewGallery> gallery_;
  QPointer<SequencePreview> textGallery_;
  std::vector<std::string> headNames_;
};

}  // namespace tessel::ui
