#include "engine/losses/Loss.h"

#include "engine/core/Error.h"

namespace tessel {

nlohmann::json Loss::config() const {
  return {{"name", name()}, {"reduction", "auto"}};
}

nlohmann::json Loss::toJson() const {
  return {{"class_name", className()}, {"config", config()}};
}

void Loss::checkLabels(const Tensor& yTrue, const Shape& predShape) const {
  for (size_t i = 1; i < predShape.size(); ++i)
    if (predShape[i] == kNone) return;  // variable-length axes: checked per batch instead
  const Index perSample =
      predShape.size() >= 1 ? shapeProduct(Shape(predShape.begin() + 1, predShape.end())) : 1;
  const Index n = yTrue.rank() >= 1 ? yTrue.dim(0) : 1;
  const Index labelPerSample = n > 0 ? yTrue.size() / n : 0;
  if (n > 0 && labelPerSample != perSample)
    throw Error("loss '" + name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " do not match the output shape " + shapeToString(predShape) + " (" +
                std::to_string(labelPerSample) + " values per sample, the output has " +
                std::to_string(perSample) + ")");
}

}  // namespace tessel
