#include "engine/layers/MergeLayer.h"

#include "engine/core/Error.h"

namespace tessel {

MergeLayer::MergeLayer(std::string className, const json& config, int minInputs, int maxInputs)
    : Layer(std::move(className), config), minInputs_(minInputs), maxInputs_(maxInputs) {}

Shape MergeLayer::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, size_t(minInputs_), maxInputs_);
  Shape out = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    bool ok = s.size() == out.size();
    for (size_t d = 0; ok && d < s.size(); ++d) {
      if (out[d] == kNone)
        out[d] = s[d];
      else
        ok = s[d] == kNone || s[d] == out[d];
    }
    if (!ok)
      throwShapeMismatch(className_ + " needs inputs of the same shape, got " +
                         shapeToString(inputs[0]) + " and " + shapeToString(s));
  }
  out[0] = kNone;
  return out;
}

void MergeLayer::checkSameShapes(const std::vector<const Tensor*>& x) const {
  if (int(x.size()) < minInputs_ || (maxInputs_ >= 0 && int(x.size()) > maxInputs_))
    throw Error(className_ + " '" + name_ + "': wrong number of inputs (" +
                std::to_string(x.size()) + ")");
  for (size_t i = 1; i < x.size(); ++i)
    if (x[i]->shape() != x[0]->shape())
      throw Error(className_ + " '" + name_ + "': inputs of shapes " +
                  shapeToString(x[0]->shape()) + " and " + shapeToString(x[i]->shape()));
}

void MergeLayer::routeToSelected(const std::vector<const Tensor*>& x, const Tensor& y,
                                 const Tensor& dy, const std::vector<Tensor*>& dx) {
  for (size_t i = 0; i < dx.size() && i < x.size(); ++i)
    if (dx[i]) {
      dx[i]->resize(dy.shape());
      dx[i]->fill(0.0f);
    }
  const float* out = y.data();
  for (Index k = 0; k < y.size(); ++k) {
    size_t i = 0;
    while (i + 1 < x.size() && x[i]->data()[k] != out[k]) ++i;
    if (i < dx.size() && dx[i]) dx[i]->data()[k] = dy.data()[k];
  }
}

}  // namespace tessel
