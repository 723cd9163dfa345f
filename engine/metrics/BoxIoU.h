#pragma once
// box_iou: the mean over samples of the intersection over union between the predicted and the
// true box of each sample, both [y_min, x_min, y_max, x_max] (normalised or pixels, any corner
// order; boxIou in engine/data/Boxes.h). yTrue and yPred are (N, 4), or (N, ..., 4) with the IoU
// averaged over the boxes of a sample first. Weighted by sample_weight like any Keras mean metric.
//
// Not Keras's MeanIoU: that one is a segmentation metric (per-class IoU from a confusion matrix of
// class ids). Compile metrics name this one "box_iou" or {"class_name": "BoxIoU"}.
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class BoxIoU : public MeanMetricWrapper {
 public:
  explicit BoxIoU(std::string name = "box_iou") : MeanMetricWrapper(std::move(name)) {}

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override;
};

}  // namespace tessel
