// Registration of the expression layers: Lambda (Keras's class, with an "expression" instead of
// Python code) and CustomLayer (declared weights and a call expression, group "Custom").
#include "engine/io/PythonExpressionCode.h"
#include "engine/io/onnx/OnnxExpressionLayers.h"
#include "engine/layers/CustomLayer.h"
#include "engine/layers/Lambda.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/ParamSpecBuilders.h"

namespace tessel {

using namespace paramspec;

void registerExpressionLayers(LayerRegistry& registry) {
  {
    ParamSpec expr = param("expression", ParamType::String, nullptr,
                           "Differentiable expression of the input x (tf. operations), e.g. "
                           "tf.nn.softplus(x); several inputs are x[0], x[1], ...");
    expr = required(expr, "tf.nn.softplus(x)");
    LayerInfo info = layerInfo(
        "Lambda", "Core", "Wraps an expression of its inputs as a layer (no Python code).",
        {
            expr,
            param("arguments", ParamType::Json, json::object(),
                  "Named numbers (or strings) the expression may use."),
            param("function", ParamType::Json, nullptr,
                  "Keras's Python function (never read or run)."),
            param("function_type", ParamType::Json, nullptr, "Keras: lambda or function."),
            param("module", ParamType::Json, nullptr, "Keras: the function's module."),
            param("output_shape", ParamType::Json, nullptr,
                  "Keras's declared output shape (the expression's inferred shape is used)."),
            param("output_shape_type", ParamType::Json, nullptr, "Keras: raw or function."),
            param("output_shape_module", ParamType::Json, nullptr, "Keras: its module."),
            param("mask", ParamType::Json, nullptr, "Keras: output mask (not supported)."),
        },
        factory<Lambda>());
    info.maxInputs = -1;
    info.subtitleKeys = {{"expression"}};
    info.unsupported = &Lambda::unsupportedReason;
    info.pythonCall = &pythonLambdaCall;
    info.onnx.write = onnxexport::expressionLayer;
    info.onnx.unsupported = onnxexport::expressionLayerUnsupported;
    registry.add(std::move(info));
  }
  {
    ParamSpec call = param("call", ParamType::String, nullptr,
                           "The layer's call: an expression of x, the weights and the params.");
    call = required(call, "activation(x @ kernel + bias)");
    ParamSpec weights = param("weights", ParamType::Json, json::array(),
                              "Declared weights: [{name, shape, initializer, trainable}], shape "
                              "entries integers or expressions of the params and input_shape.");
    weights.required = true;  // with `suggested`: a new node is the CustomizedDenseLayer template
    weights.suggested = json::array(
        {{{"name", "kernel"},
          {"shape", {"input_shape[-1]", "units"}},
          {"initializer", "glorot_uniform"},
          {"trainable", true}},
         {{"name", "bias"}, {"shape", {"units"}}, {"initializer", "zeros"}, {"trainable", true}}});
    ParamSpec params = param("params", ParamType::Json, json::object(),
                             "Named parameters (numbers, booleans, strings; null is linear).");
    params.required = true;
    params.suggested = {{"units", 30}, {"activation", "relu"}};
    LayerInfo info = layerInfo(
        "CustomLayer", "Custom",
        "A layer defined by declared weights and a call expression (a Keras Layer subclass).",
        {required(param("custom_class", ParamType::String, nullptr,
                        "The class name (as the Python export writes it)."),
                  "CustomizedDenseLayer"),
         params, weights, call},
        factory<CustomLayer>());
    info.subtitleKeys = {{"custom_class"}};
    info.pythonCall = &pythonCustomLayerCall;
    info.pythonDefinition = &pythonCustomLayerClass;
    info.onnx.write = onnxexport::expressionLayer;
    info.onnx.unsupported = onnxexport::expressionLayerUnsupported;
    registry.add(std::move(info));
  }
}

}  // namespace tessel
