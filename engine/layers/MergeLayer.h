#pragma once
// Base of the elementwise merge layers (Add, Subtract, Multiply, Average) and Concatenate:
// at least two inputs (Keras 2 / TF.js), each (N, ...). The elementwise ones need equal shapes
// (no broadcasting); the output has that shape.
#include "engine/layers/Layer.h"

namespace tessel {

class MergeLayer : public Layer {
 public:
  MergeLayer(std::string className, const json& config, int minInputs = 2, int maxInputs = -1);
  Shape outputShape(const std::vector<Shape>& inputs) const override;

 protected:
  // Runtime check: every input has the first one's shape (throws Error otherwise).
  void checkSameShapes(const std::vector<const Tensor*>& x) const;
  // Backward of a selecting merge (Minimum, Maximum): dx_i[k] = dy[k] when x_i is the first input
  // with x_i[k] == y[k] (ties go to the earlier input, as TF's gradient of tf.minimum/tf.maximum
  // chained over the inputs), else 0.
  static void routeToSelected(const std::vector<const Tensor*>& x, const Tensor& y,
                              const Tensor& dy, const std::vector<Tensor*>& dx);
  int minInputs_, maxInputs_;
};

}  // namespace tessel
