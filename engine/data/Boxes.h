#pragma once
// Bounding boxes as tf.image uses them: [y_min, x_min, y_max, x_max], usually normalised to
// [0, 1] (tf.image.draw_bounding_boxes), and tf.image.non_max_suppression.
#include <limits>
#include <vector>

#include "engine/tensor/Shape.h"

namespace tessel {

// Intersection over union of two boxes a[0..4) and b[0..4) given as [y1, x1, y2, x2] with the
// corners in any order (each pair is sorted first, as TF's NMS does). 0 when either box has no
// area (as TF / TF.js).
float boxIou(const float* a, const float* b);

// tf.image.non_max_suppression: boxes is (n, 4) [y1, x1, y2, x2] (any corner order), scores (n,).
// Keeps the boxes whose score is > scoreThreshold, greedily in decreasing score order (equal
// scores: the lower index first), dropping every box whose IoU with an already kept box is
// >= iouThreshold (TF.js's test, our numeric oracle; TF's C++ kernel agrees except exactly at the
// threshold), and stops after maxOutputSize boxes. Returns the kept indices in selection order.
// Throws Error when iouThreshold is outside [0, 1] or maxOutputSize < 0 (TF's checks).
std::vector<Index> nonMaxSuppression(
    const float* boxes, const float* scores, Index n, Index maxOutputSize,
    float iouThreshold = 0.5f, float scoreThreshold = -std::numeric_limits<float>::infinity());

}  // namespace tessel
