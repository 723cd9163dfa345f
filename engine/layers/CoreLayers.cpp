// Registration of the core Keras layers: parameter descriptions (keys and defaults as Keras 2's
// get_config writes them), palette group and one-line description, and the factory.
#include "engine/layers/Activation.h"
#include "engine/layers/ActivityRegularization.h"
#include "engine/layers/Add.h"
#include "engine/layers/AlphaDropout.h"
#include "engine/layers/Average.h"
#include "engine/layers/Concatenate.h"
#include "engine/layers/Dense.h"
#include "engine/layers/Dropout.h"
#include "engine/layers/Flatten.h"
#include "engine/layers/InputLayer.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/Multiply.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/Reshape.h"
#include "engine/layers/Subtract.h"

namespace tessel {

using namespace paramspec;

namespace {

std::vector<ParamSpec> dropoutParams(const char* rateDoc) {
  return {
      required(range(param("rate", ParamType::Float, nullptr, rateDoc), 0.0, 1.0), 0.5),
      param("noise_shape", ParamType::Shape, nullptr,
            "Shape of the binary dropout mask multiplied with the input (null entries take the "
            "input's dimension)."),
      param("seed", ParamType::Int, nullptr, "Integer random seed (null: the model's stream)."),
  };
}

}  // namespace

void registerCoreLayers(LayerRegistry& registry) {
  {
    LayerInfo info;
    info.className = "InputLayer";
    info.group = "Core";
    info.description = "Entry point of a model: declares the shape of one input.";
    info.minInputs = 0;
    info.maxInputs = 0;
    ParamSpec shape = param("batch_input_shape", ParamType::Shape, nullptr,
                            "Shape including the batch dimension, e.g. [null, 28, 28, 1].");
    shape.suggested = json::array({nullptr, 784});
    info.params = {
        shape,
        param("sparse", ParamType::Bool, false, "Whether the placeholder is sparse."),
        param("ragged", ParamType::Bool, false, "Whether the placeholder is ragged."),
    };
    info.create = factory<InputLayer>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "Dense";
    info.group = "Core";
    info.description = "Densely-connected layer: activation(dot(input, kernel) + bias).";
    info.params = {
        required(range(param("units", ParamType::Int, nullptr,
                             "Positive integer, dimensionality of the output space."),
                       1, 1e9),
                 32),
    };
    for (ParamSpec& p : activationKernelBiasParams()) info.params.push_back(std::move(p));
    info.create = factory<Dense>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "Activation";
    info.group = "Core";
    info.description = "Applies an activation function to its input.";
    ParamSpec act = param("activation", ParamType::Activation, nullptr,
                          "Activation function to use (relu, sigmoid, softmax, ...).");
    info.params = {required(act, "relu")};
    info.create = factory<Activation>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "Dropout";
    info.group = "Regularization";
    info.description =
        "Randomly sets inputs to 0 with frequency rate during training, scaling "
        "the rest by 1/(1 - rate).";
    info.params = dropoutParams("Float between 0 and 1: fraction of the input units to drop.");
    info.create = factory<Dropout>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "AlphaDropout";
    info.group = "Regularization";
    info.description =
        "Dropout that keeps the mean and variance of its inputs (for SELU "
        "networks).";
    info.params = dropoutParams(
        "Float, drop probability; the multiplicative noise has standard deviation "
        "sqrt(rate / (1 - rate)).");
    info.create = factory<AlphaDropout>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "ActivityRegularization";
    info.group = "Regularization";
    info.description = "Identity that adds an L1/L2 penalty on its input activity to the loss.";
    info.params = {
        range(param("l1", ParamType::Float, 0.0, "L1 regularization factor (positive float)."), 0,
              1e300),
        range(param("l2", ParamType::Float, 0.0, "L2 regularization factor (positive float)."), 0,
              1e300),
    };
    info.create = factory<ActivityRegularization>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "Flatten";
    info.group = "Reshaping";
    info.description = "Flattens the input to (batch, features). Does not affect the batch size.";
    ParamSpec f = param("data_format", ParamType::Choice, "channels_last",
                        "The ordering of the dimensions in the inputs: channels_last or "
                        "channels_first.");
    f.choices = {"channels_last", "channels_first"};
    info.params = {f};
    info.create = factory<Flatten>();
    registry.add(std::move(info));
  }
  {
    LayerInfo info;
    info.className = "Reshape";
    info.group = "Reshaping";
    info.description = "Reshapes the input to a target shape (one dimension may be -1).";
    // Json, checked by Reshape itself: TF.js writes the inferred dimension as null, Keras as -1.
    info.params = {required(param("target_shape", ParamType::Json, nullptr,
                                  "Target shape, not including the batch axis."),
                            json::array({-1}))};
    info.create = factory<Reshape>();
    registry.add(std::move(info));
  }
  auto merge = [&](const char* cls, const char* description, int maxInputs, auto tag) {
    LayerInfo info;
    info.className = cls;
    info.group = "Merging";
    info.description = description;
    info.minInputs = 2;
    info.maxInputs = maxInputs;
    info.create = factory<typename decltype(tag)::type>();
    return info;
  };
  registry.add(
      merge("Add", "Adds a list of inputs of the same shape.", -1, std::type_identity<Add>{}));
  registry.add(merge("Subtract", "Subtracts two inputs of the same shape: x0 - x1.", 2,
                     std::type_identity<Subtract>{}));
  registry.add(merge("Multiply", "Multiplies a list of inputs of the same shape elementwise.", -1,
                     std::type_identity<Multiply>{}));
  registry.add(merge("Average", "Averages a list of inputs of the same shape elementwise.", -1,
                     std::type_identity<Average>{}));
  {
    LayerInfo info = merge("Concatenate", "Concatenates a list of inputs along an axis.", -1,
                           std::type_identity<Concatenate>{});
    info.params = {param("axis", ParamType::Int, -1, "Axis along which to concatenate.")};
    info.params[0].nullable = false;
    registry.add(std::move(info));
  }
}

}  // namespace tessel
