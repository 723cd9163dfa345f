// Registration of the Keras normalisation layers and the regularisation layers SpatialDropout2D
// and GaussianNoise (keys and defaults as Keras 2's get_config writes them).
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

}  // namespace

void registerNormLayers(LayerRegistry& r) {
  addLayer(r, "BatchNormalization", "Normalization",
           "Normalises each channel with the batch statistics in training and moving averages in "
           "inference.",
           {
               param("axis", ParamType::Json, -1,
                     "Integer, the axis that should be normalized (typically the features axis)."),
               range(param("momentum", ParamType::Float, 0.99, "Momentum for the moving average."),
                     0.0, 1.0),
               range(param("epsilon", ParamType::Float, 0.001,
                           "Small float added to variance to avoid dividing by zero."),
                     0.0, 1e9),
               param("center", ParamType::Bool, true,
                     "If True, add offset of beta to normalized tensor."),
               param("scale", ParamType::Bool, true, "If True, multiply by gamma."),
               param("beta_initializer", ParamType::Initializer, init("Zeros"),
                     "Initializer for the beta weight."),
               param("gamma_initializer", ParamType::Initializer, init("Ones"),
                     "Initializer for the gamma weight."),
               param("moving_mean_initializer", ParamType::Initializer, init("Zeros"),
                     "Initializer for the moving mean."),
               param("moving_variance_initializer", ParamType::Initializer, init("Ones"),
                     "Initializer for the moving variance."),
               param("beta_regularizer", ParamType::Regularizer, nullptr,
                     "Optional regularizer for the beta weight."),
               param("gamma_regularizer", ParamType::Regularizer, nullptr,
                     "Optional regularizer for the gamma weight."),
               param("beta_constraint", ParamType::Constraint, nullptr,
                     "Optional constraint for the beta weight."),
               param("gamma_constraint", ParamType::Constraint, nullptr,
                     "Optional constraint for the gamma weight."),
           },
           factory<BatchNormalization>());
  addLayer(r, "LayerNormalization", "Normalization",
           "Normalises each sample over its last axis (or axes), independently of the batch.",
           {
               param("axis", ParamType::Json, -1,
                     "Integer or list of integers, the axis or axes to normalize across "
                     "(the last axes)."),
               range(param("epsilon", ParamType::Float, 0.001,
                           "Small float added to variance to avoid dividing by zero."),
                     0.0, 1e9),
               param("center", ParamType::Bool, true,
                     "If True, add offset of beta to normalized tensor."),
               param("scale", ParamType::Bool, true, "If True, multiply by gamma."),
               param("beta_initializer", ParamType::Initializer, init("Zeros"),
                     "Initializer for the beta weight."),
               param("gamma_initializer", ParamType::Initializer, init("Ones"),
                     "Initializer for the gamma weight."),
               param("beta_regularizer", ParamType::Regularizer, nullptr,
                     "Optional regularizer for the beta weight."),
               param("gamma_regularizer", ParamType::Regularizer, nullptr,
                     "Optional regularizer for the gamma weight."),
               param("beta_constraint", ParamType::Constraint, nullptr,
                     "Optional constraint for the beta weight."),
               param("gamma_constraint", ParamType::Constraint, nullptr,
                     "Optional constraint for the gamma weight."),
           },
           factory<LayerNormalization>());
  addLayer(
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
  addLayer(
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
}

}  // namespace tessel
