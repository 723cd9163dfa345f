#pragma once
// Single-image inference: drop a PNG/JPEG or pick one with Browse… (or call loadImage), the image
// is preprocessed as the data set is (ImagePreprocessor), run through a GUI-thread copy of the
// model with the latest weights, and shown with the predicted boxes and the top-5 classes.
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/tensor/Tensor.h"
#include "ui/preview/ImagePreprocessor.h"
#include "ui/preview/PreviewHeads.h"
#include "ui/preview/PreviewRecord.h"

class QLabel;
class QListWidget;
class QPushButton;

namespace tessel {
class Model;
}  // namespace tessel

namespace tessel::ui {

class InferenceView : public QWidget {
  Q_OBJECT
 public:
  explicit InferenceView(QWidget* parent = nullptr);
  ~InferenceView() override;

  // Builds the model (initial weights until setWeights). Errors show in the view.
  void setModel(const ModelSpec& spec, const PreviewHeads& heads, const ImagePreprocessor& pre);
  // Keras get_weights() order; re-runs the current image.
  void setWeights(const std::vector<Tensor>& weights);
  void setClassNames(const QStringList& names);
  // Forgets the model, its weights and the image (another model or project is shown).
  void clear();

  bool loadImage(const QString& path);  // what a drop does; false (with a message) on failure
  bool predictImage(const QImage& image);

  QStringList topLabels() const;  // "Shirt 93.1%", best first (at most 5)
  const PreviewRecord& record() const { return record_; }
  QString message() const;  // hint or the last error
  QListWidget* topList() const { return top_; }
  QPushButton* browseButton() const { return browse_; }
  QPushButton* explainButton() const { return explainButton_; }
  // The model input of the current image (1, ...); empty without one.
  Tensor inputTensor() const;
  // What Browse… does after the file dialog (tests call it with a path).
  bool browseTo(const QString& path);

 signals:
  void predicted();
  void explainRequested();  // the Explain button: Grad-CAM / saliency of the current image

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  void showMessage(const QString& text);
  void refresh();
  void redraw();

  std::unique_ptr<Model> model_;
  PreviewHeads heads_;
  ImagePreprocessor pre_;
  QStringList names_;
  QImage source_;
  QByteArray sourceBytes_;  // the dropped file's bytes (empty for an image given in memory)
  QString sourceName_;
  PreviewRecord record_;
  QLabel* image_ = nullptr;
  QLabel* message_ = nullptr;
  QListWidget* top_ = nullptr;
  QPushButton* browse_ = nullptr;
  QPushButton* explainButton_ = nullptr;
};

}  // namespace tessel::ui
