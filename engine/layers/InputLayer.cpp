#include "engine/layers/InputLayer.h"

#include "engine/core/Error.h"

namespace tessel {

InputLayer::InputLayer(const json& config) : Layer("InputLayer", config) {
  json shape = config_.at("batch_input_shape");
  if (shape.is_null() && config_.contains("batch_shape")) {  // Keras 3
    shape = config_["batch_shape"];
    config_.erase("batch_shape");
  }
  if (shape.is_null() && config_.contains("input_shape") && config_["input_shape"].is_array()) {
    shape = json::array({nullptr});
    for (const auto& d : config_["input_shape"]) shape.push_back(d);
    config_.erase("input_shape");
  }
  if (!shape.is_array() || shape.empty())
    throwBadValue("InputLayer needs batch_input_shape, e.g. [null, 784]");
  for (const auto& d : shape) {
    if (d.is_null())
      shape_.push_back(kNone);
    else if (d.is_number_integer() && d.get<Index>() >= 0)
      shape_.push_back(d.get<Index>());
    else
      throwBadValue("config 'batch_input_shape' = " + shape.dump() +
                    ": expected a list of non-negative integers or null");
  }
  shape_[0] = kNone;  // the engine's batch dimension is always free
  config_["batch_input_shape"] = shape;
}

Shape InputLayer::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 0, 0);
  return shape_;
}

// x[0] is the fed batch (N, ...); y is a copy.
void InputLayer::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  if (x.empty() || !x[0]) throw Error("InputLayer '" + name_ + "': no data fed");
  const Tensor& t = *x[0];
  bool ok = t.rank() == int(shape_.size());
  for (size_t i = 1; ok && i < shape_.size(); ++i)
    ok = shape_[i] == kNone || shape_[i] == t.shape()[i];
  if (!ok)
    throw Error("input '" + name_ + "' expects " + shapeToString(shape_) + ", got data of shape " +
                shapeToString(t.shape()));
  y.copyFrom(t);
}

// dx = dy when a gradient is requested for the fed data.
void InputLayer::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dy,
                          const std::vector<Tensor*>& dx, RunContext&) {
  if (!dx.empty() && dx[0]) dx[0]->copyFrom(dy);
}

}  // namespace tessel
