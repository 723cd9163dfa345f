#pragma once
// Small stand-ins for Dense, Flatten, Concatenate and Add, registered into a LOCAL registry so the
// graph tests do not depend on the real layer implementations. Shapes and parameter counts follow
// Keras: Dense kernel (in, units) + bias (units).
#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel::test {

class FakeDense : public Layer {
 public:
  using Layer::Layer;
  Shape outputShape(const std::vector<Shape>& in) const override {
    Shape s = in.at(0);
    s.back() = config_.at("units").get<Index>();
    return s;
  }
  void build(const std::vector<Shape>& in, Rng&) override {
    Index units = config_.at("units").get<Index>();
    addVariable("kernel", {in.at(0).back(), units});
    if (config_.value("use_bias", true)) addVariable("bias", {units});
    built_ = true;
  }
  void forward(const std::vector<const Tensor*>&, Tensor&, RunContext&) override {}
  void backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor&,
                const std::vector<Tensor*>&, RunContext&) override {}
};

class FakeFlatten : public Layer {
 public:
  using Layer::Layer;
  Shape outputShape(const std::vector<Shape>& in) const override {
    Shape s = in.at(0);
    return {kNone, shapeProduct(Shape(s.begin() + 1, s.end()))};
  }
  void forward(const std::vector<const Tensor*>&, Tensor&, RunContext&) override {}
  void backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor&,
                const std::vector<Tensor*>&, RunContext&) override {}
};

// Concatenate on the last axis; Add requires equal shapes.
class FakeMerge : public Layer {
 public:
  using Layer::Layer;
  Shape outputShape(const std::vector<Shape>& in) const override {
    Shape out = in.at(0);
    for (size_t i = 1; i < in.size(); ++i) {
      if (className_ == "Concatenate") {
        out.back() += in[i].back();
      } else if (in[i] != in[0]) {
        throw SpecError(SpecErrorKind::ShapeMismatch, name_,
                        "inputs must have the same shape, got " + shapeToString(in[0]) + " and " +
                            shapeToString(in[i]));
      }
    }
    return out;
  }
  void build(const std::vector<Shape>&, Rng&) override {
    if (className_ == "Add" && config_.value("fake_frozen_param", false))
      addVariable("frozen", {2, 3}, false);
    built_ = true;
  }
  void forward(const std::vector<const Tensor*>&, Tensor&, RunContext&) override {}
  void backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor&,
                const std::vector<Tensor*>&, RunContext&) override {}
};

// A layer whose outputShape throws a plain std::exception.
class FakeThrower : public Layer {
 public:
  using Layer::Layer;
  Shape outputShape(const std::vector<Shape>&) const override {
    throw std::runtime_error("cannot handle this input");
  }
  void forward(const std::vector<const Tensor*>&, Tensor&, RunContext&) override {}
  void backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor&,
                const std::vector<Tensor*>&, RunContext&) override {}
};

template <class T>
std::function<std::unique_ptr<Layer>(const json&)> maker(const std::string& cls) {
  return [cls](const json& config) { return std::make_unique<T>(cls, config); };
}

inline ParamSpec param(const std::string& key, ParamType type, json def, double min = -1e300,
                       double max = 1e300) {
  ParamSpec p;
  p.key = key;
  p.type = type;
  p.defaultValue = std::move(def);
  p.min = min;
  p.max = max;
  return p;
}

inline LayerRegistry& fakeRegistry() {
  static LayerRegistry* r = [] {
    auto* reg = new LayerRegistry;
    LayerInfo dense;
    dense.className = "Dense";
    dense.group = "Core";
    dense.params = {
        param("units", ParamType::Int, nullptr, 1, 1e9),
        param("activation", ParamType::Activation, "linear"),
        param("use_bias", ParamType::Bool, true),
        param("kernel_initializer", ParamType::Initializer, "glorot_uniform"),
        param("bias_initializer", ParamType::Initializer, "zeros"),
        param("kernel_regularizer", ParamType::Regularizer, nullptr),
        param("bias_regularizer", ParamType::Regularizer, nullptr),
        param("activity_regularizer", ParamType::Regularizer, nullptr),
        param("kernel_constraint", ParamType::Constraint, nullptr),
        param("bias_constraint", ParamType::Constraint, nullptr),
    };
    dense.create = maker<FakeDense>("Dense");
    reg->add(dense);

    LayerInfo flatten;
    flatten.className = "Flatten";
    flatten.group = "Reshaping";
    flatten.params = {param("data_format", ParamType::Choice, "channels_last")};
    flatten.params[0].choices = {"channels_last", "channels_first"};
    flatten.create = maker<FakeFlatten>("Flatten");
    reg->add(flatten);

    LayerInfo concat;
    concat.className = "Concatenate";
    concat.group = "Merging";
    concat.minInputs = 2;
    concat.maxInputs = -1;
    concat.params = {param("axis", ParamType::Int, -1)};
    concat.create = maker<FakeMerge>("Concatenate");
    reg->add(concat);

    LayerInfo add;
    add.className = "Add";
    add.group = "Merging";
    add.minInputs = 2;
    add.maxInputs = -1;
    add.params = {param("fake_frozen_param", ParamType::Bool, false)};
    add.create = maker<FakeMerge>("Add");
    reg->add(add);

    LayerInfo thrower;
    thrower.className = "Thrower";
    thrower.create = maker<FakeThrower>("Thrower");
    reg->add(thrower);
    return reg;
  }();
  return *r;
}

}  // namespace tessel::test
