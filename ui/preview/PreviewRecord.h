#pragma once
// What the preview widgets draw: one validation (or dropped) image with its ground truth and the
// model's prediction. Boxes follow tf.image.draw_bounding_boxes: [y_min, x_min, y_max, x_max]
// normalised to [0, 1] of the image height/width.
#include <QImage>
#include <algorithm>
#include <vector>

#include "engine/data/Boxes.h"
#include "engine/tensor/Shape.h"

namespace tessel::ui {

struct PreviewBox {
  float yMin = 0, xMin = 0, yMax = 0, xMax = 0;
  int classId = -1;  // -1: no class attached
  float score = -1;  // < 0: no score (ground truth)
  float iou = -1;    // predicted boxes: best IoU with a ground-truth box (-1: no ground truth)
  bool valid() const { return yMax > yMin && xMax > xMin; }
  float area() const { return valid() ? (yMax - yMin) * (xMax - xMin) : 0.0f; }
};

// Intersection over union of two boxes (engine/data/Boxes.h boxIou: 0 when either is empty).
inline float boxIoU(const PreviewBox& a, const PreviewBox& b) {
  const float pa[4] = {a.yMin, a.xMin, a.yMax, a.xMax}, pb[4] = {b.yMin, b.xMin, b.yMax, b.xMax};
  return boxIou(pa, pb);
}

// Correctness of a prediction: class right and (when there are boxes) IoU >= 0.5.
enum class PreviewVerdict { Unknown, Correct, Partial, Wrong };

struct PreviewRecord {
  Index sample = -1;         // row in the validation set (-1 for a dropped image)
  QImage image;              // as the model sees it (grayscale or RGB), any size
  int trueClass = -1;        // -1: no class label
  int predClass = -1;        // -1: no class head
  float confidence = 0;      // probability of predClass
  std::vector<float> probs;  // class head output (empty without a class head)
  std::vector<PreviewBox> trueBoxes, predBoxes;
  float iou = -1;  // IoU of the best predicted box with the ground truth (-1: not applicable)

  bool hasClass() const { return predClass >= 0; }
  bool hasBoxes() const { return !predBoxes.empty() || !trueBoxes.empty(); }
  PreviewVerdict verdict(float iouThreshold = 0.5f) const {
    const bool classKnown = predClass >= 0 && trueClass >= 0;
    const bool boxKnown = iou >= 0;
    if (!classKnown && !boxKnown) return PreviewVerdict::Unknown;
    const bool classOk = !classKnown || predClass == trueClass;
    const bool boxOk = !boxKnown || iou >= iouThreshold;
    if (classOk && boxOk) return PreviewVerdict::Correct;
    if (classOk || boxOk)
      return classKnown && boxKnown ? PreviewVerdict::Partial : PreviewVerdict::Wrong;
    return PreviewVerdict::Wrong;
  }
};

}  // namespace tessel::ui
