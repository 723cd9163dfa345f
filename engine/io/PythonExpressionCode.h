#pragma once
// Python (tf.keras) code for the expression pieces of a model: a Lambda as
// `layers.Lambda(lambda x: <expression>)`, a CustomLayer as a keras.layers.Layer subclass with
// __init__ / build / call / get_config, and a custom loss or metric as a Python function of
// (y_true, y_pred). The expression language is TensorFlow's Python syntax, so expressions are
// written as they are, with names rewritten (weights and params become self.<name>).
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace tessel {

// `text` with every standalone name (not an attribute after '.') in `renames` replaced.
std::string renameExpressionNames(const std::string& text,
                                  const std::map<std::string, std::string>& renames);
// layers.Lambda(lambda x: ..., name=...) for a completed Lambda config.
std::string pythonLambdaCall(const nlohmann::json& config, const std::string& name);
// The class definition of a CustomLayer config's custom_class (defaults: its params).
std::string pythonCustomLayerClass(const nlohmann::json& config);
// CustomizedDenseLayer(units=30, activation="relu", name=...).
std::string pythonCustomLayerCall(const nlohmann::json& config, const std::string& name);
// def <function>(y_true, y_pred): return <expression>   (a loss or a metric function). A loss
// that reads sample_weight becomes a keras.losses.Loss subclass overriding
// __call__(y_true, y_pred, sample_weight=None) and `<function> = <Class>(name=...)`; a metric
// that reads it a keras.metrics.Mean subclass overriding update_state (Keras gives metric
// functions no sample weights), averaged as Tessel's ExpressionMetric.
std::string pythonLossFunction(const std::string& function, const std::string& expression,
                               bool metric = false);

}  // namespace tessel
