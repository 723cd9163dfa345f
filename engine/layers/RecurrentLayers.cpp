// Registration of the Keras recurrent layers (SimpleRNN, LSTM, GRU, Bidirectional; group
// "Recurrent") and of Embedding and Masking (group "Core", as the Keras docs): parameter
// descriptions (keys and defaults as Keras 2's get_config writes them), docs group, doc line,
// factory and hooks (ONNX export, editor subtitle).
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/Bidirectional.h"
#include "engine/layers/Embedding.h"
#include "engine/layers/GRU.h"
#include "engine/layers/LSTM.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/Masking.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/SimpleRNN.h"

namespace tessel {

using namespace paramspec;

namespace {

// TF.js writes null for some keys Keras has a default for (unit_forget_bias, implementation).
ParamSpec nullableParam(const char* key, ParamType type, json def, const char* doc) {
  ParamSpec p = param(key, type, std::move(def), doc);
  p.nullable = true;
  return p;
}

json orthogonal() {
  return {{"class_name", "Orthogonal"}, {"config", {{"gain", 1.0}, {"seed", nullptr}}}};
}

// Keras 2 get_config order of SimpleRNN / LSTM / GRU: units, activation(s), use_bias,
// initializers, regularizers, constraints, dropouts, then the RNN base keys.
std::vector<ParamSpec> rnnParams(bool gated, const char* extraKey = nullptr) {
  std::vector<ParamSpec> p = {
      required(range(param("units", ParamType::Int, nullptr,
                           "Positive integer, dimensionality of the output space (the state)."),
                     1, 1e9),
               32),
      param("activation", ParamType::Activation, "tanh",
            "Activation function to use (tanh by default; linear: a(x) = x)."),
  };
  if (gated)
    p.push_back(param("recurrent_activation", ParamType::Activation, "sigmoid",
                      "Activation function for the recurrent step's gates (sigmoid, Keras 2)."));
  p.push_back(param("use_bias", ParamType::Bool, true, "Whether the layer uses a bias vector."));
  p.push_back(param("kernel_initializer", ParamType::Initializer,
                    keras2Initializer("GlorotUniform"),
                    "Initializer for the kernel weights matrix (the inputs' linear transform)."));
  p.push_back(param("recurrent_initializer", ParamType::Initializer, orthogonal(),
                    "Initializer for the recurrent_kernel weights matrix (the state's linear "
                    "transform)."));
  p.push_back(param("bias_initializer", ParamType::Initializer, keras2Initializer("Zeros"),
                    "Initializer for the bias vector."));
  if (extraKey && std::string(extraKey) == "unit_forget_bias")
    p.push_back(nullableParam("unit_forget_bias", ParamType::Bool, true,
                              "Add 1 to the bias of the forget gate at initialization."));
  for (const char* w : {"kernel", "recurrent", "bias"})
    p.push_back(param(std::string(w) + "_regularizer", ParamType::Regularizer, nullptr,
                      std::string("Regularizer function applied to the ") + w +
                          (std::string(w) == "bias" ? " vector." : " weights matrix.")));
  p.push_back(param("activity_regularizer", ParamType::Regularizer, nullptr,
                    "Regularizer function applied to the output of the layer."));
  for (const char* w : {"kernel", "recurrent", "bias"})
    p.push_back(param(std::string(w) + "_constraint", ParamType::Constraint, nullptr,
                      std::string("Constraint function applied to the ") + w + " weights."));
  p.push_back(range(param("dropout", ParamType::Float, 0.0,
                          "Fraction of the units to drop for the linear transformation of the "
                          "inputs (one mask for all time steps)."),
                    0.0, 1.0));
  p.push_back(range(param("recurrent_dropout", ParamType::Float, 0.0,
                          "Fraction of the units to drop for the linear transformation of the "
                          "recurrent state (one mask for all time steps)."),
                    0.0, 1.0));
  if (gated)
    p.push_back(range(nullableParam("implementation", ParamType::Int, 2,
                                    "Keras implementation mode (1 or 2): same numerics here."),
                      1, 2));
  if (extraKey && std::string(extraKey) == "reset_after")
    p.push_back(param("reset_after", ParamType::Bool, true,
                      "GRU convention: apply the reset gate after the matrix multiplication "
                      "(Keras 2 default, bias (2, 3*units)) or before (bias (3*units))."));
  p.push_back(param("return_sequences", ParamType::Bool, false,
                    "Whether to return the whole output sequence (batch, timesteps, units) or "
                    "the last output (batch, units)."));
  p.push_back(param("return_state", ParamType::Bool, false,
                    "Whether to return the last state(s) too: more outputs, h (and c for LSTM)."));
  p.push_back(param("go_backwards", ParamType::Bool, false,
                    "If true, process the input sequence backwards and return the reversed "
                    "sequence."));
  p.push_back(
      param("stateful", ParamType::Bool, false,
            "Keep the last state of sample i of each batch as the initial state of sample i "
            "of the next (needs a fixed batch size on the input; reset_states to clear)."));
  p.push_back(param("unroll", ParamType::Bool, false,
                    "Whether the network is unrolled (same numerics here)."));
  p.push_back(param("time_major", ParamType::Bool, false,
                    "Inputs as (timesteps, batch, features) (not supported)."));
  p.push_back(param("zero_output_for_mask", ParamType::Bool, false,
                    "Whether the output at masked time steps is zero instead of the previous "
                    "output."));
  return p;
}

LayerInfo& addRnn(LayerRegistry& r, const char* cls, const char* doc, std::vector<ParamSpec> params,
                  std::function<std::unique_ptr<Layer>(const json&)> create, int states) {
  LayerInfo& info = addLayer(r, cls, "Recurrent", doc, std::move(params), std::move(create));
  info.maxInputs = 1 + states;  // initial states as extra inputs (Keras initial_state=)
  info.subtitleKeys = {{"units"}, {"return_sequences", true, "seq "}};
  info.pythonPositional = {"units"};
  info.keras2OnlyKeys = {"time_major", "implementation"};  // Keras 3 refuses them
  info.onnx.write = onnxexport::recurrent;
  info.onnx.unsupported = onnxexport::recurrentUnsupported;
  return info;
}

}  // namespace

void registerRecurrentLayers(LayerRegistry& registry) {
  LayerInfo& emb = addLayer(
      registry, "Embedding", "Core",
      "Turns non-negative integers (ids) into dense vectors of fixed size: the rows of a "
      "trainable (input_dim, output_dim) matrix.",
      {
          required(range(param("input_dim", ParamType::Int, nullptr,
                               "Size of the vocabulary: maximum integer index + 1."),
                         1, 1e9),
                   1000),
          required(range(param("output_dim", ParamType::Int, nullptr,
                               "Dimension of the dense embedding."),
                         1, 1e9),
                   64),
          param("embeddings_initializer", ParamType::Initializer,
                json{{"class_name", "RandomUniform"},
                     {"config", {{"minval", -0.05}, {"maxval", 0.05}, {"seed", nullptr}}}},
                "Initializer for the embeddings matrix."),
          param("embeddings_regularizer", ParamType::Regularizer, nullptr,
                "Regularizer function applied to the embeddings matrix."),
          param("activity_regularizer", ParamType::Regularizer, nullptr,
                "Regularizer function applied to the output of the layer."),
          param("embeddings_constraint", ParamType::Constraint, nullptr,
                "Constraint function applied to the embeddings matrix."),
          nullableParam("mask_zero", ParamType::Bool, false,
                        "Whether id 0 is a padding value to be masked out (then input_dim counts "
                        "it)."),
          param("input_length", ParamType::Json, nullptr,
                "Length of the input sequences when constant (Keras 2; null: any)."),
      },
      factory<Embedding>());
  emb.subtitleKeys = {{"input_dim"}, {"output_dim", false, "→"}};
  emb.pythonPositional = {"input_dim", "output_dim"};
  emb.onnx.write = onnxexport::embedding;
  emb.onnx.unsupported = onnxexport::embeddingUnsupported;
  LayerInfo& masking =
      addLayer(registry, "Masking", "Core",
               "Masks the time steps whose features all equal mask_value: later layers skip them.",
               {param("mask_value", ParamType::Float, 0.0,
                      "Time steps whose features all equal this value are masked.")},
               factory<Masking>());
  masking.subtitleKeys = {{"mask_value", true}};
  masking.onnx.notExpressible =
      "Masking has no ONNX form (ONNX has no masks for the recurrent layers to skip)";

  addRnn(registry, "SimpleRNN", "Fully-connected RNN where the output is fed back to the input.",
         rnnParams(false), factory<SimpleRNN>(), 1);
  addRnn(registry, "LSTM", "Long Short-Term Memory layer (Hochreiter 1997).",
         rnnParams(true, "unit_forget_bias"), factory<LSTM>(), 2);
  addRnn(registry, "GRU", "Gated Recurrent Unit (Cho et al. 2014).", rnnParams(true, "reset_after"),
         factory<GRU>(), 1);
  ParamSpec layer = required(
      param("layer", ParamType::Json, nullptr,
            "The recurrent layer to wrap, as {\"class_name\": \"LSTM\" | \"GRU\" | \"SimpleRNN\", "
            "\"config\": {...}}."),
      json{{"class_name", "LSTM"}, {"config", {{"units", 32}}}});
  ParamSpec merge = choice("merge_mode", "concat", {"concat", "sum", "mul", "ave"},
                           "How the forward and backward outputs are combined (null: not combined, "
                           "two outputs).");
  merge.nullable = true;  // Keras None: two outputs, forward and backward
  ParamSpec backwardLayer = param("backward_layer", ParamType::Json, nullptr,
                                  "A separate backward layer (not supported: null).");
  LayerInfo& bi = addLayer(registry, "Bidirectional", "Recurrent",
                           "Bidirectional wrapper for RNNs: runs the layer forwards and backwards "
                           "and merges both outputs.",
                           {layer, merge, backwardLayer}, factory<Bidirectional>());
  bi.subtitleKeys = {{"merge_mode", true}};
  bi.maxInputs = 5;  // x + initial states: forward then backward (LSTM: h, c each)
  bi.pythonPositional = {"layer"};
  bi.onnx.write = onnxexport::bidirectional;
  bi.onnx.unsupported = onnxexport::recurrentUnsupported;
}

}  // namespace tessel
