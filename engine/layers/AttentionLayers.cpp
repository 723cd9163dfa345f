// Registration of the Keras sequence-reshaping and attention layers: RepeatVector, Permute
// (Reshaping), TimeDistributed (Recurrent, as the Keras docs group it), Attention,
// AdditiveAttention and MultiHeadAttention (Attention). Keys and defaults as Keras 2.12's
// get_config writes them; Keras's call arguments use_causal_mask / return_attention_scores are
// config keys here (the graph has no call arguments), and Keras 3's `seed` is accepted.
#include "engine/io/PythonExport.h"
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/AdditiveAttention.h"
#include "engine/layers/Attention.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/MultiHeadAttention.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/Permute.h"
#include "engine/layers/RepeatVector.h"
#include "engine/layers/TimeDistributed.h"

namespace tessel {

using namespace paramspec;

namespace {

// The keys Attention and AdditiveAttention share after use_scale (Keras 2.12 order), and the call
// arguments kept as config keys.
std::vector<ParamSpec> attentionTail() {
  return {
      range(param("dropout", ParamType::Float, 0.0,
                  "Float between 0 and 1: fraction of the units to drop for the attention "
                  "scores (training only)."),
            0.0, 0.999999),
      param("use_causal_mask", ParamType::Bool, false,
            "Keras call argument: mask position i from attending to positions j > i (decoder "
            "self-attention)."),
      param("causal", ParamType::Bool, false,
            "Keras 2's deprecated constructor form of use_causal_mask (either enables it)."),
      param("return_attention_scores", ParamType::Bool, false,
            "Keras call argument: also return the attention weights, a second output "
            "(scores)."),
      param("seed", ParamType::Int, nullptr,
            "Keras 3: random seed for the dropout (null: the model's stream)."),
  };
}

// TimeDistributed(layers.Dense(...)): the wrapped layer's own constructor call.
std::string timeDistributedPython(const json& config, const std::string& name) {
  const json& inner = config.at("layer");
  NodeSpec n;
  n.className = inner.value("class_name", std::string("Dense"));
  n.config = inner.value("config", json::object());
  n.name = n.config.value("name", name + "_" + n.className);
  return "layers.TimeDistributed(" + pythonLayerCall(n) + ", name=" + pythonLiteral(name) + ")";
}

std::string timeDistributedUnsupported(const json& config) {
  if (!config.is_object() || !config.contains("layer"))
    return "config has no 'layer' (the wrapped layer's config)";
  const json& inner = config["layer"];
  if (!inner.is_object() || !inner.contains("class_name") || !inner["class_name"].is_string())
    return "config 'layer' must be a layer config {\"class_name\": ..., \"config\": {...}}";
  const std::string cls = inner["class_name"];
  const LayerInfo* info = LayerRegistry::instance().find(cls);
  if (!info) return "TimeDistributed wraps layer type '" + cls + "', which is not supported";
  if (info->unsupported)
    if (std::string why = info->unsupported(inner.value("config", json::object())); !why.empty())
      return "wrapped layer: " + why;
  return "";
}

}  // namespace

void registerAttentionLayers(LayerRegistry& registry) {
  LayerInfo& repeat = addLayer(
      registry, "RepeatVector", "Reshaping",
      "Repeats the input n times: (batch, features) -> (batch, n, features).",
      {required(range(param("n", ParamType::Int, nullptr, "Repetition factor."), 1, 1e9), 3)},
      factory<RepeatVector>());
  repeat.subtitleKeys = {{"n", false, "×"}};
  repeat.pythonPositional = {"n"};
  repeat.onnx.write = onnxexport::repeatVector;

  LayerInfo& permute = addLayer(
      registry, "Permute", "Reshaping",
      "Permutes the dimensions of the input according to a given pattern (batch axis excluded).",
      {required(param("dims", ParamType::IntList, nullptr,
                      "Permutation pattern of the non-batch axes, 1-based: (2, 1) swaps the "
                      "first and second."),
                json::array({2, 1}))},
      factory<Permute>());
  permute.subtitleKeys = {{"dims"}};
  permute.pythonPositional = {"dims"};
  permute.onnx.write = onnxexport::permute;

  LayerInfo& td = addLayer(
      registry, "TimeDistributed", "Recurrent",
      "Applies the wrapped layer to every temporal slice of the input (batch, time, ...).",
      {required(param("layer", ParamType::Json, nullptr,
                      "The wrapped layer as a Keras layer config {class_name, config}; its "
                      "weights are the wrapper's."),
                json{{"class_name", "Dense"}, {"config", {{"units", 8}}}})},
      factory<TimeDistributed>());
  td.unsupported = &timeDistributedUnsupported;
  td.pythonCall = &timeDistributedPython;
  td.onnx.write = onnxexport::timeDistributed;
  td.onnx.unsupported = onnxexport::timeDistributedUnsupported;

  {
    std::vector<ParamSpec> p = {
        param("use_scale", ParamType::Bool, false,
              "If True, a scalar variable scales the attention scores."),
        choice("score_mode", "dot", {"dot", "concat"},
               "Function to compute attention scores: dot (query · key) or concat "
               "(tanh of query + key, summed)."),
    };
    for (ParamSpec& s : attentionTail()) p.push_back(std::move(s));
    LayerInfo info = layerInfo("Attention", "Attention",
                               "Dot-product (Luong-style) attention of a query over value/key "
                               "sequences: inputs [query, value] or [query, value, key].",
                               std::move(p), factory<Attention>());
    info.minInputs = 2;
    info.maxInputs = 3;
    info.subtitleKeys = {{"score_mode", true}, {"use_causal_mask", true, "causal "}};
    info.callArguments = {"use_causal_mask", "return_attention_scores"};
    info.keras2OnlyKeys = {"causal"};
    info.onnx.write = onnxexport::attention;
    info.onnx.unsupported = onnxexport::attentionUnsupported;
    registry.add(std::move(info));
  }
  {
    std::vector<ParamSpec> p = {
        param("use_scale", ParamType::Bool, true,
              "If True, a variable vector (one entry per feature) scales the attention scores."),
    };
    for (ParamSpec& s : attentionTail()) p.push_back(std::move(s));
    LayerInfo info = layerInfo("AdditiveAttention", "Attention",
                               "Additive (Bahdanau-style) attention: scores sum(scale * tanh("
                               "query + key)); inputs [query, value] or [query, value, key].",
                               std::move(p), factory<AdditiveAttention>());
    info.minInputs = 2;
    info.maxInputs = 3;
    info.subtitleKeys = {{"use_causal_mask", true, "causal "}};
    info.callArguments = {"use_causal_mask", "return_attention_scores"};
    info.keras2OnlyKeys = {"causal"};
    info.onnx.write = onnxexport::attention;
    info.onnx.unsupported = onnxexport::attentionUnsupported;
    registry.add(std::move(info));
  }
  {
    std::vector<ParamSpec> p = {
        required(range(param("num_heads", ParamType::Int, nullptr, "Number of attention heads."), 1,
                       1e6),
                 2),
        required(range(param("key_dim", ParamType::Int, nullptr,
                             "Size of each attention head for query and key."),
                       1, 1e9),
                 16),
        range(param("value_dim", ParamType::Int, nullptr,
                    "Size of each attention head for value (null: key_dim)."),
              1, 1e9),
        range(param("dropout", ParamType::Float, 0.0,
                    "Dropout probability on the attention weights (training only)."),
              0.0, 0.999999),
        param("use_bias", ParamType::Bool, true,
              "Whether the dense layers use bias vectors/matrices."),
        param("output_shape", ParamType::Json, nullptr,
              "The size of the output's last dimension (int or list of one); null: the "
              "query's feature dimension."),
        param("attention_axes", ParamType::Json, nullptr,
              "Axes over which attention is applied; null: every axis between batch and "
              "features (only the default is supported)."),
        param("kernel_initializer", ParamType::Initializer, keras2Initializer("GlorotUniform"),
              "Initializer for the dense layer kernels."),
        param("bias_initializer", ParamType::Initializer, keras2Initializer("Zeros"),
              "Initializer for the dense layer biases."),
        param("kernel_regularizer", ParamType::Regularizer, nullptr,
              "Regularizer for the dense layer kernels."),
        param("bias_regularizer", ParamType::Regularizer, nullptr,
              "Regularizer for the dense layer biases."),
        param("activity_regularizer", ParamType::Regularizer, nullptr,
              "Regularizer for the output of the layer."),
        param("kernel_constraint", ParamType::Constraint, nullptr,
              "Constraint for the dense layer kernels."),
        param("bias_constraint", ParamType::Constraint, nullptr,
              "Constraint for the dense layer biases."),
        param("query_shape", ParamType::Json, nullptr,
              "Keras 2.12 writes the built query shape here (ignored; shapes come from the "
              "graph)."),
        param("key_shape", ParamType::Json, nullptr, "Keras 2.12: the built key shape (ignored)."),
        param("value_shape", ParamType::Json, nullptr,
              "Keras 2.12: the built value shape (ignored)."),
        param("use_causal_mask", ParamType::Bool, false,
              "Keras call argument: mask position i from attending to positions j > i."),
        param("return_attention_scores", ParamType::Bool, false,
              "Keras call argument: also return the attention weights, a second output "
              "(scores)."),
        param("seed", ParamType::Int, nullptr,
              "Keras 3: random seed for the dropout (null: the model's stream)."),
    };
    LayerInfo info =
        layerInfo("MultiHeadAttention", "Attention",
                  "Multi-head attention (Vaswani et al.): inputs [query, value] or [query, "
                  "value, key]; self-attention when query and value are the same tensor.",
                  std::move(p), factory<MultiHeadAttention>());
    info.minInputs = 2;
    info.maxInputs = 3;
    info.subtitleKeys = {{"num_heads", false, "heads "},
                         {"key_dim", false, "key "},
                         {"use_causal_mask", true, "causal "}};
    info.callArguments = {"use_causal_mask", "return_attention_scores"};
    info.callInputsAsArguments = true;
    info.keras2OnlyKeys = {"query_shape", "key_shape", "value_shape"};
    info.onnx.write = onnxexport::multiHeadAttention;
    info.onnx.unsupported = onnxexport::multiHeadAttentionUnsupported;
    registry.add(std::move(info));
  }
}

}  // namespace tessel
