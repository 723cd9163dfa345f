#pragma once
// Turns data rows and model outputs into PreviewRecords: images from the input array, ground
// truth from the label arrays, predicted classes / boxes from the output tensors.
#include <QImage>
#include <vector>

#include "engine/data/Array.h"
#include "engine/tensor/Tensor.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "ui/preview/PreviewHeads.h"
#include "ui/preview/PreviewRecord.h"

namespace tessel::ui {

class PreviewDecoder {
 public:
  // Output roles from the output shapes (batch dimension first) and the losses of compile():
  // a categorical crossentropy output (N, C) is a class head; (N, 4) with a regression loss (or
  // no categorical loss) is a box head; (N, K, 4) is a many-box head whose scores are the output
  // shaped (N, K) or (N, K, C).
  static PreviewHeads detect(const std::vector<Shape>& outputShapes,
                             const CompileOptions& compile = {});

  // True when x rows can be shown as images: (N, H, W), (N, H, W, 1|3|4) or (N, D) with D a
  // perfect square (flattened grayscale).
  static bool isImageArray(const Array& x);
  // Row `row` of an image array as a QImage (Grayscale8 or RGB888). Raw values in [0, 1] are
  // scaled by 255, values in [0, 255] kept, anything else stretched from its min/max.
  static QImage image(const Array& x, Index row);

  // Class label of a row: sparse (N,) / (N, 1) ids, or the argmax of one-hot (N, C).
  static int labelClass(const Array& y, Index row);
  // Boxes of a row: (N, 4) or (N, K, 4); empty rows (y_max <= y_min) are skipped.
  static std::vector<PreviewBox> labelBoxes(const Array& y, Index row);

  // Fills sample, image, trueClass and trueBoxes from row `row` of `data`.
  static void fillTruth(const PreviewHeads& heads, const Dataset& data, Index row,
                        PreviewRecord& rec);
  // Fills the predicted fields from row `row` of the model outputs (one tensor per output);
  // many-box outputs go through non-max suppression; IoU against rec.trueBoxes.
  static void fillPrediction(const PreviewHeads& heads, const std::vector<Tensor>& outputs,
                             Index row, PreviewRecord& rec);
  // Class head `classOutput` only: (predicted class, its probability) for a row.
  static std::pair<int, float> argmax(const Tensor& probs, Index row);

  // tf.image.non_max_suppression (engine/data/Boxes.h): indices of kept boxes, by decreasing
  // score, at most maxOutputSize, each with IoU < iouThreshold against every kept box (TF.js),
  // score > scoreThreshold. Empty for invalid thresholds.
  static std::vector<int> nonMaxSuppression(const std::vector<PreviewBox>& boxes,
                                            const std::vector<float>& scores, int maxOutputSize,
                                            float iouThreshold, float scoreThreshold);
};

}  // namespace tessel::ui
