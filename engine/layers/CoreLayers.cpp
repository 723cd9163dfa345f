// Registration of the core Keras layers: parameter descriptions (keys and defaults as Keras 2's
// get_config writes them), docs group, doc line, factory and hooks (ONNX and Python export, editor
// subtitle, identity at inference, model input).
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/Activation.h"
#include "engine/layers/ActivityRegularization.h"
#include "engine/layers/Add.h"
#include "engine/layers/AlphaDropout.h"
#include "engine/layers/Average.h"
#include "engine/layers/Concatenate.h"
#include "engine/layers/Dense.h"
#include "engine/layers/Dot.h"
#include "engine/layers/Dropout.h"
#include "engine/layers/Flatten.h"
#include "engine/layers/InputLayer.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/Maximum.h"
#include "engine/layers/Minimum.h"
#include "engine/layers/Multiply.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/ReLU.h"
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

std::vector<ParamSpec> denseParams() {
  std::vector<ParamSpec> params = {
      required(range(param("units", ParamType::Int, nullptr,
                           "Positive integer, dimensionality of the output space."),
                     1, 1e9),
               32),
  };
  for (ParamSpec& p : activationKernelBiasParams()) params.push_back(std::move(p));
  return params;
}

// A merge layer: 2 to maxInputs (-1: any) inputs of the same shape.
LayerInfo mergeInfo(const char* cls, const char* doc, int maxInputs, std::vector<ParamSpec> params,
                    std::function<std::unique_ptr<Layer>(const json&)> create,
                    std::function<void(OnnxGraphBuilder&, const OnnxNode&)> onnx) {
  LayerInfo info = layerInfo(cls, "Merging", doc, std::move(params), std::move(create));
  info.minInputs = 2;
  info.maxInputs = maxInputs;
  info.onnx.write = std::move(onnx);
  return info;
}

// Dropout-like layers: the identity at inference; the rate is shown and passed first.
void trainingOnly(LayerInfo& info, const char* key) {
  info.identityAtInference = true;
  info.subtitleKeys = {{key}};
  if (std::string(key) == "rate") info.pythonPositional = {"rate"};
}

}  // namespace

// Long by design: a table, one registration (class, params with Keras defaults, hooks) per layer.
void registerCoreLayers(LayerRegistry& registry) {
  {
    ParamSpec shape = param("batch_input_shape", ParamType::Shape, nullptr,
                            "Shape including the batch dimension, e.g. [null, 28, 28, 1].");
    shape.suggested = json::array({nullptr, 784});
    LayerInfo info =
        layerInfo("InputLayer", "Core", "Entry point of a model: declares the shape of one input.",
                  {
                      shape,
                      param("sparse", ParamType::Bool, false, "Whether the placeholder is sparse."),
                      param("ragged", ParamType::Bool, false, "Whether the placeholder is ragged."),
                  },
                  factory<InputLayer>());
    info.minInputs = 0;
    info.maxInputs = 0;
    info.isInput = true;
    info.subtitleKeys = {{"batch_input_shape"}};
    registry.add(std::move(info));
  }
  LayerInfo& dense = addLayer(registry, "Dense", "Core",
                              "Densely-connected layer: activation(dot(input, kernel) + bias).",
                              denseParams(), factory<Dense>());
  dense.subtitleKeys = {{"units"}, {"activation", true}};
  dense.pythonPositional = {"units"};
  dense.onnx.write = onnxexport::dense;
  LayerInfo& activation =
      addLayer(registry, "Activation", "Core", "Applies an activation function to its input.",
               {required(param("activation", ParamType::Activation, nullptr,
                               "Activation function to use (relu, sigmoid, softmax, ...)."),
                         "relu")},
               factory<Activation>());
  activation.subtitleKeys = {{"activation"}};
  activation.pythonPositional = {"activation"};
  activation.onnx.write = onnxexport::activation;
  LayerInfo& relu = addLayer(
      registry, "ReLU", "Activation",
      "Rectified linear unit: min(max(x, threshold) or negative_slope * (x - threshold), "
      "max_value).",
      {range(param("max_value", ParamType::Float, nullptr,
                   "Float >= 0: the largest output (null: unbounded; 6 for ReLU6)."),
             0, 1e300),
       range(
           param("negative_slope", ParamType::Float, 0.0, "Float >= 0: slope below the threshold."),
           0, 1e300),
       param("threshold", ParamType::Float, 0.0, "Float: values below it are damped.")},
      factory<ReLU>());
  relu.subtitleKeys = {{"max_value", true, "max "}};
  relu.onnx.write = onnxexport::relu;
  relu.onnx.unsupported = onnxexport::reluUnsupported;
  trainingOnly(
      addLayer(registry, "Dropout", "Regularization",
               "Randomly sets inputs to 0 with frequency rate during training, scaling "
               "the rest by 1/(1 - rate).",
               dropoutParams("Float between 0 and 1: fraction of the input units to drop."),
               factory<Dropout>()),
      "rate");
  trainingOnly(addLayer(registry, "AlphaDropout", "Regularization",
                        "Dropout that keeps the mean and variance of its inputs (for SELU "
                        "networks).",
                        dropoutParams("Float, drop probability; the multiplicative noise has "
                                      "standard deviation sqrt(rate / (1 - rate))."),
                        factory<AlphaDropout>()),
               "rate");
  addLayer(
      registry, "ActivityRegularization", "Regularization",
      "Identity that adds an L1/L2 penalty on its input activity to the loss.",
      {
          range(param("l1", ParamType::Float, 0.0, "L1 regularization factor (positive float)."), 0,
                1e300),
          range(param("l2", ParamType::Float, 0.0, "L2 regularization factor (positive float)."), 0,
                1e300),
      },
      factory<ActivityRegularization>())
      .onnx.write = onnxexport::identity;
  addLayer(registry, "Flatten", "Reshaping",
           "Flattens the input to (batch, features). Does not affect the batch size.",
           {choice("data_format", "channels_last", {"channels_last", "channels_first"},
                   "The ordering of the dimensions in the inputs: channels_last or "
                   "channels_first.")},
           factory<Flatten>())
      .onnx.write = onnxexport::flatten;
  // target_shape is Json, checked by Reshape itself: TF.js writes the inferred dimension as null,
  // Keras as -1.
  LayerInfo& reshape = addLayer(registry, "Reshape", "Reshaping",
                                "Reshapes the input to a target shape (one dimension may be -1).",
                                {required(param("target_shape", ParamType::Json, nullptr,
                                                "Target shape, not including the batch axis."),
                                          json::array({-1}))},
                                factory<Reshape>());
  reshape.subtitleKeys = {{"target_shape"}};
  reshape.pythonPositional = {"target_shape"};
  reshape.onnx.write = onnxexport::reshape;
  registry.add(mergeInfo("Add", "Adds a list of inputs of the same shape.", -1, {}, factory<Add>(),
                         onnxexport::add));
  registry.add(mergeInfo("Subtract", "Subtracts two inputs of the same shape: x0 - x1.", 2, {},
                         factory<Subtract>(), onnxexport::subtract));
  registry.add(mergeInfo("Multiply", "Multiplies a list of inputs of the same shape elementwise.",
                         -1, {}, factory<Multiply>(), onnxexport::multiply));
  registry.add(mergeInfo("Average", "Averages a list of inputs of the same shape elementwise.", -1,
                         {}, factory<Average>(), onnxexport::average));
  registry.add(mergeInfo("Maximum", "Elementwise maximum of a list of inputs of the same shape.",
                         -1, {}, factory<Maximum>(), onnxexport::maximum));
  registry.add(mergeInfo("Minimum", "Elementwise minimum of a list of inputs of the same shape.",
                         -1, {}, factory<Minimum>(), onnxexport::minimum));
  registry
      .add(mergeInfo(
          "Dot", "Dot product of two inputs along one axis of each (the batch axis excluded).", 2,
          {required(param("axes", ParamType::Json, nullptr,
                          "Integer or list of two integers: the axis of each input along which to "
                          "take the dot product (their sizes must match)."),
                    -1),
           param("normalize", ParamType::Bool, false,
                 "Whether to L2-normalize both inputs along the dot axes first (the output is "
                 "then the cosine similarity).")},
          factory<Dot>(), nullptr))
      .onnx.notExpressible = "Dot with general axes and normalize has no ONNX export yet";
  ParamSpec axis = param("axis", ParamType::Int, -1, "Axis along which to concatenate.");
  axis.nullable = false;
  registry
      .add(mergeInfo("Concatenate", "Concatenates a list of inputs along an axis.", -1, {axis},
                     factory<Concatenate>(), onnxexport::concatenate))
      .subtitleKeys = {{"axis", true, "axis "}};
}

}  // namespace tessel
