// Registration of the Keras normalisation layers and the regularisation layers SpatialDropout2D
// and GaussianNoise (keys and defaults as Keras 2's get_config writes them), with their hooks.
#include <string>

#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/BatchNormalization.h"
#include "engine/layers/GaussianNoise.h"
#include "engine/layers/LayerNormalization.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/SpatialDropout2D.h"

namespace tessel {

using namespace paramspec;

namespace {

json init(const char* className) {
  return {{"class_name", className}, {"config", json::object()}};
}

// The parameter list BatchNormalization and LayerNormalization share, in Keras's order: `axis`,
// the layer's own `afterAxis` ones (BatchNormalization's momentum), epsilon, center, scale, the
// beta/gamma initializers, the moving statistics' initializers (`movingStatistics`), then the
// beta/gamma regularizers and constraints.
std::vector<ParamSpec> normalizationParams(ParamSpec axis, std::vector<ParamSpec> afterAxis,
                                           bool movingStatistics) {
  std::vector<ParamSpec> p;
  p.push_back(std::move(axis));
  for (auto& a : afterAxis) p.push_back(std::move(a));
  p.push_back(range(param("epsilon", ParamType::Float, 0.001,
                          "Small float added to variance to avoid dividing by zero."),
                    0.0, 1e9));
  p.push_back(
      param("center", ParamType::Bool, true, "If True, add offset of beta to normalized tensor."));
  p.push_back(param("scale", ParamType::Bool, true, "If True, multiply by gamma."));
  p.push_back(param("beta_initializer", ParamType::Initializer, init("Zeros"),
                    "Initializer for the beta weight."));
  p.push_back(param("gamma_initializer", ParamType::Initializer, init("Ones"),
                    "Initializer for the gamma weight."));
  if (movingStatistics) {
    p.push_back(param("moving_mean_initializer", ParamType::Initializer, init("Zeros"),
                      "Initializer for the moving mean."));
    p.push_back(param("moving_variance_initializer", ParamType::Initializer, init("Ones"),
                      "Initializer for the moving variance."));
  }
  for (const std::string w : {"beta", "gamma"})
    p.push_back(param(w + "_regularizer", ParamType::Regularizer, nullptr,
                      "Optional regularizer for the " + w + " weight."));
  for (const std::string w : {"beta", "gamma"})
    p.push_back(param(w + "_constraint", ParamType::Constraint, nullptr,
                      "Optional constraint for the " + w + " weight."));
  return p;
}

}  // namespace

void registerNormLayers(LayerRegistry& r) {
  LayerInfo& batchNorm = addLayer(
      r, "BatchNormalization", "Normalization",
      "Normalises each channel with the batch statistics in training and moving averages in "
      "inference.",
      normalizationParams(
          param("axis", ParamType::Json, -1,
                "Integer, the axis that should be normalized (typically the features axis)."),
          {range(param("momentum", ParamType::Float, 0.99, "Momentum for the moving average."), 0.0,
                 1.0)},
          true),
      factory<BatchNormalization>());
  batchNorm.onnx.write = onnxexport::batchNormalization;
  batchNorm.onnx.unsupported = onnxexport::batchNormalizationUnsupported;
  LayerInfo& layerNorm = addLayer(
      r, "LayerNormalization", "Normalization",
      "Normalises each sample over its last axis (or axes), independently of the batch.",
      normalizationParams(param("axis", ParamType::Json, -1,
                                "Integer or list of integers, the axis or axes to normalize "
                                "across (the last axes)."),
                          {}, false),
      factory<LayerNormalization>());
  layerNorm.onnx.write = onnxexport::layerNormalization;
  layerNorm.onnx.unsupported = onnxexport::layerNormalizationUnsupported;
  LayerInfo& spatialDropout = addLayer(
      r, "SpatialDropout2D", "Regularization",
      "Dropout of entire 2D feature maps (channels) during training.",
      {
          required(range(param("rate", ParamType::Float, nullptr,
                               "Float between 0 and 1. Fraction of the input channels to "
                               "drop."),
                         0.0, 1.0),
                   0.5),
          [] {
            ParamSpec p = param("data_format", ParamType::Choice, "channels_last",
                                "Only channels_last is supported.");
            p.choices = {"channels_last", "channels_first"};
            return p;
          }(),
          param("noise_shape", ParamType::Json, nullptr,
                "Ignored: the mask is always (batch, 1, 1, channels)."),
          param("seed", ParamType::Int, nullptr, "Integer random seed (null: the model's stream)."),
      },
      factory<SpatialDropout2D>());
  spatialDropout.identityAtInference = true;
  spatialDropout.subtitleKeys = {{"rate"}};
  spatialDropout.pythonPositional = {"rate"};
  LayerInfo& noise = addLayer(
      r, "GaussianNoise", "Regularization",
      "Adds zero-centred Gaussian noise during training (a regularisation layer).",
      {
          required(range(param("stddev", ParamType::Float, nullptr,
                               "Float, standard deviation of the noise distribution."),
                         0.0, 1e9),
                   0.1),
          param("seed", ParamType::Int, nullptr, "Integer random seed (null: the model's stream)."),
      },
      factory<GaussianNoise>());
  noise.identityAtInference = true;
  noise.subtitleKeys = {{"stddev"}};
}

}  // namespace tessel
