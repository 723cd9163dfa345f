#pragma once
// Explains one image (a preview tile, a validation point or the single-image view's image):
// Grad-CAM or gradient saliency of the predicted class, a chosen class or (box models) a box
// coordinate, drawn over the image with an opacity slider, and the feature maps of a chosen
// layer as an ActivationGrid. The work runs on the thread pool with its own Model built from a
// weight snapshot (the driver's epoch-end copy), never on the trainer's model.
#include <QImage>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/explain/HeatMap.h"
#include "engine/graph/ModelSpec.h"
#include "engine/tensor/Tensor.h"
#include "ui/preview/PreviewHeads.h"
#include "ui/preview/PreviewRecord.h"

class QComboBox;
class QLabel;
class QSlider;

namespace tessel::ui {

class ActivationGrid;

class ExplainView : public QWidget {
  Q_OBJECT
 public:
  explicit ExplainView(QWidget* parent = nullptr);
  ~ExplainView() override;

  void setModel(const ModelSpec& spec, const PreviewHeads& heads);
  void setWeights(const std::vector<Tensor>& weights);  // Keras order; empty: initial weights
  void setClassNames(const QStringList& names);
  // Forgets the model, the image and any explanation still being computed.
  void clear();
  // Shows `record` and explains it; x is its model input (1, ...).
  void explain(const PreviewRecord& record, const Tensor& x);

  bool isBusy() const { return pending_ > 0; }
  const HeatMap& heatMap() const { return map_; }
  const PreviewRecord& record() const { return record_; }
  QString message() const;
  QImage overlay() const;  // the image with the heat map at the slider's opacity
  double opacity() const;

  QComboBox* methodBox() const { return method_; }
  QComboBox* targetBox() const { return target_; }
  QComboBox* camLayerBox() const { return camLayer_; }
  QComboBox* activationLayerBox() const { return actLayer_; }
  QSlider* opacitySlider() const { return opacity_; }
  ActivationGrid* activationGrid() const { return grid_; }

  // Heat colour of v in [0, 1] (blue → cyan → yellow → red).
  static QColor heatColor(float v);

 signals:
  void explained();  // heatMap() / the activation grid changed

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void rebuildTargets();
  void run();
  void redraw();

  std::shared_ptr<const ModelSpec> spec_;
  std::shared_ptr<const std::vector<Tensor>> weights_;
  PreviewHeads heads_;
  QStringList names_;
  PreviewRecord record_;
  Tensor x_;
  HeatMap map_;
  int generation_ = 0, pending_ = 0;
  QComboBox* method_;
  QComboBox* target_;
  QComboBox* camLayer_;
  QComboBox* actLayer_;
  QSlider* opacity_;
  QLabel* image_;
  QLabel* message_;
  ActivationGrid* grid_;
};

}  // namespace tessel::ui
