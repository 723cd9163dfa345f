// Registration of the Keras convolution, pooling and reshaping layers: parameter descriptions
// (keys and defaults as Keras 2's get_config writes them), docs group, doc line, aliases (Keras's
// Convolution2D, MaxPool2D, ...), factory and hooks (ONNX and Python export, editor subtitle).
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/AveragePooling1D.h"
#include "engine/layers/AveragePooling2D.h"
#include "engine/layers/Conv1D.h"
#include "engine/layers/Conv2D.h"
#include "engine/layers/Conv2DTranspose.h"
#include "engine/layers/Cropping2D.h"
#include "engine/layers/DepthwiseConv2D.h"
#include "engine/layers/GlobalAveragePooling1D.h"
#include "engine/layers/GlobalAveragePooling2D.h"
#include "engine/layers/GlobalMaxPooling1D.h"
#include "engine/layers/GlobalMaxPooling2D.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/MaxPooling1D.h"
#include "engine/layers/MaxPooling2D.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/SeparableConv2D.h"
#include "engine/layers/UpSampling2D.h"
#include "engine/layers/ZeroPadding2D.h"

namespace tessel {

using namespace paramspec;

namespace {

json ones(int rank) {
  return rank == 1 ? json::array({1}) : json::array({1, 1});
}

ParamSpec dataFormat() {
  // channels_first is accepted by validation and rejected by the layer with a clear message.
  return choice("data_format", "channels_last", {"channels_last", "channels_first"},
                "Ordering of the dimensions in the inputs; only channels_last (batch, ..., "
                "channels) is supported.");
}

ParamSpec paddingParam(bool causal) {
  std::vector<std::string> c = {"valid", "same"};
  if (causal) c.push_back("causal");
  return choice("padding", "valid", c,
                causal ? "valid: no padding; same: pad evenly so the output has ceil(in/strides) "
                         "steps; causal: pad on the left only (output[t] sees input[:t+1])."
                       : "valid: no padding; same: pad evenly (extra on the bottom/right) so the "
                         "output has ceil(in/strides) rows/columns.");
}

// Parameters shared by Conv1D / Conv2D (Keras 2 Conv.get_config order).
std::vector<ParamSpec> convParams(int rank) {
  const char* dims = rank == 1 ? "1 integer" : "2 integers";
  std::vector<ParamSpec> params = {
      required(range(param("filters", ParamType::Int, nullptr,
                           "Integer, the dimensionality of the output space (number of filters)."),
                     1, 1e9),
               32),
      required(range(param("kernel_size", ParamType::IntList, nullptr,
                           std::string("An integer or tuple of ") + dims +
                               ": the size of the convolution window."),
                     1, 1e6),
               rank == 1 ? json::array({3}) : json::array({3, 3})),
      range(param("strides", ParamType::IntList, ones(rank),
                  std::string("An integer or tuple of ") + dims +
                      ": the strides of the convolution."),
            1, 1e6),
      paddingParam(rank == 1),
      dataFormat(),
      range(param("dilation_rate", ParamType::IntList, ones(rank),
                  "Dilation rate for dilated (atrous) convolution; strides > 1 cannot be "
                  "combined with dilation_rate > 1."),
            1, 1e6),
      range(param("groups", ParamType::Int, 1,
                  "Number of groups the input channels are split into; each group is convolved "
                  "with filters / groups filters (channels and filters must be divisible)."),
            1, 1e6),
  };
  for (ParamSpec& p : activationKernelBiasParams()) params.push_back(std::move(p));
  return params;
}

// Removes the parameter `key` from a list.
std::vector<ParamSpec> without(std::vector<ParamSpec> ps, const std::string& key) {
  std::erase_if(ps, [&](const ParamSpec& p) { return p.key == key; });
  return ps;
}

// DepthwiseConv2D / SeparableConv2D: the Conv2D list with depthwise_* (and pointwise_*) in
// place of kernel_* (Keras 2 get_config).
std::vector<ParamSpec> depthwiseParams(bool separable) {
  std::vector<ParamSpec> ps =
      without(without(without(without(convParams(2), "kernel_initializer"), "kernel_regularizer"),
                      "kernel_constraint"),
              "groups");
  if (!separable) ps = without(ps, "filters");
  ps.push_back(range(param("depth_multiplier", ParamType::Int, 1,
                           "The number of depthwise convolution output channels for each input "
                           "channel."),
                     1, 1e6));
  ps.push_back(param("depthwise_initializer", ParamType::Initializer,
                     keras2Initializer("GlorotUniform"),
                     "Initializer for the depthwise kernel matrix."));
  if (separable)
    ps.push_back(param("pointwise_initializer", ParamType::Initializer,
                       keras2Initializer("GlorotUniform"),
                       "Initializer for the pointwise kernel matrix."));
  ps.push_back(param("depthwise_regularizer", ParamType::Regularizer, nullptr,
                     "Regularizer function applied to the depthwise kernel matrix."));
  if (separable)
    ps.push_back(param("pointwise_regularizer", ParamType::Regularizer, nullptr,
                       "Regularizer function applied to the pointwise kernel matrix."));
  ps.push_back(param("depthwise_constraint", ParamType::Constraint, nullptr,
                     "Constraint function applied to the depthwise kernel matrix."));
  if (separable)
    ps.push_back(param("pointwise_constraint", ParamType::Constraint, nullptr,
                       "Constraint function applied to the pointwise kernel matrix."));
  return ps;
}

std::vector<ParamSpec> globalPoolParams() {
  return {dataFormat(), param("keepdims", ParamType::Bool, false,
                              "Whether to keep the spatial dimensions (as size 1).")};
}

std::vector<ParamSpec> poolParams(int rank) {
  const char* dims = rank == 1 ? "1 integer" : "2 integers";
  return {
      range(
          param(
              "pool_size", ParamType::IntList, rank == 1 ? json::array({2}) : json::array({2, 2}),
              std::string("An integer or tuple of ") + dims + ": the size of the pooling window."),
          1, 1e6),
      range(param("strides", ParamType::IntList, nullptr,
                  std::string("An integer or tuple of ") + dims +
                      ", or null: the strides (null: pool_size)."),
            1, 1e6),
      paddingParam(false),
      dataFormat(),
  };
}

// The hooks every convolution shares: subtitle "filters kernel /strides · activation · same",
// the filters and kernel size passed by position, the ONNX Conv / ConvTranspose.
void convolution(LayerInfo& info, std::vector<std::string> aliases) {
  info.aliases = std::move(aliases);
  info.subtitleKeys = {{"filters"},
                       {"kernel_size"},
                       {"strides", true, "/"},
                       {"activation", true},
                       {"padding", true}};
  info.pythonPositional = {"filters", "kernel_size"};
  info.onnx.write = onnxexport::convolution;
  info.onnx.unsupported = onnxexport::convolutionUnsupported;
}

void pooling(LayerInfo& info, std::vector<std::string> aliases) {
  info.aliases = std::move(aliases);
  info.subtitleKeys = {{"pool_size"}, {"padding", true}};
  info.onnx.write = onnxexport::pooling;
}

void globalPooling(LayerInfo& info, std::vector<std::string> aliases) {
  info.aliases = std::move(aliases);
  info.onnx.write = onnxexport::globalPooling;
}

}  // namespace

// Long by design: a table, one registration (class, params with Keras defaults, hooks) per layer.
void registerConvLayers(LayerRegistry& r) {
  convolution(addLayer(r, "Conv2D", "Convolution",
                       "2D convolution over images (batch, height, width, channels): "
                       "activation(conv(x, kernel) + bias).",
                       convParams(2), factory<Conv2D>()),
              {"Convolution2D"});
  convolution(addLayer(r, "Conv1D", "Convolution",
                       "1D convolution over sequences (batch, steps, channels), e.g. temporal "
                       "convolution.",
                       convParams(1), factory<Conv1D>()),
              {"Convolution1D"});
  LayerInfo& depthwise =
      addLayer(r, "DepthwiseConv2D", "Convolution",
               "Depthwise 2D convolution: each input channel is convolved with its own "
               "depth_multiplier filters.",
               depthwiseParams(false), factory<DepthwiseConv2D>());
  convolution(depthwise, {});
  depthwise.subtitleKeys.erase(depthwise.subtitleKeys.begin());  // no filters
  depthwise.pythonPositional = {"kernel_size"};
  convolution(addLayer(r, "SeparableConv2D", "Convolution",
                       "Depthwise separable 2D convolution: a depthwise convolution followed by a "
                       "pointwise (1x1) convolution.",
                       depthwiseParams(true), factory<SeparableConv2D>()),
              {"SeparableConvolution2D"});
  {
    std::vector<ParamSpec> ps = without(convParams(2), "groups");
    ps.push_back(param("output_padding", ParamType::IntList, nullptr,
                       "Padding along the height and width of the output (only null is "
                       "supported)."));
    LayerInfo& transpose =
        addLayer(r, "Conv2DTranspose", "Convolution",
                 "Transposed 2D convolution (sometimes called deconvolution): upsamples with a "
                 "learned kernel.",
                 ps, factory<Conv2DTranspose>());
    convolution(transpose, {"Convolution2DTranspose"});
    transpose.onnx.unsupported = onnxexport::convolutionTransposeUnsupported;
  }
  globalPooling(addLayer(r, "GlobalAveragePooling2D", "Pooling",
                         "Averages each channel over all spatial positions: (batch, h, w, c) → "
                         "(batch, c).",
                         globalPoolParams(), factory<GlobalAveragePooling2D>()),
                {"GlobalAvgPool2D"});
  globalPooling(addLayer(r, "GlobalMaxPooling2D", "Pooling",
                         "Maximum of each channel over all spatial positions: (batch, h, w, c) → "
                         "(batch, c).",
                         globalPoolParams(), factory<GlobalMaxPooling2D>()),
                {"GlobalMaxPool2D"});
  globalPooling(addLayer(r, "GlobalAveragePooling1D", "Pooling",
                         "Averages each channel over all steps: (batch, steps, c) → (batch, c).",
                         globalPoolParams(), factory<GlobalAveragePooling1D>()),
                {"GlobalAvgPool1D"});
  globalPooling(addLayer(r, "GlobalMaxPooling1D", "Pooling",
                         "Maximum of each channel over all steps: (batch, steps, c) → (batch, c).",
                         globalPoolParams(), factory<GlobalMaxPooling1D>()),
                {"GlobalMaxPool1D"});
  {
    ParamSpec interp = choice("interpolation", "nearest", {"nearest", "bilinear"},
                              "Interpolation method; only nearest is supported.");
    LayerInfo& up =
        addLayer(r, "UpSampling2D", "Reshaping",
                 "Repeats rows and columns of images by size[0] and size[1] (nearest neighbour).",
                 {range(param("size", ParamType::IntList, json::array({2, 2}),
                              "Int, or tuple of 2 integers: the upsampling factors for rows and "
                              "columns."),
                        1, 1e6),
                  dataFormat(), interp},
                 factory<UpSampling2D>());
    up.onnx.write = onnxexport::upSampling2D;
    up.onnx.unsupported = onnxexport::upSampling2DUnsupported;
  }
  addLayer(
      r, "ZeroPadding2D", "Reshaping",
      "Adds rows and columns of zeros at the top, bottom, left and right of images.",
      {param("padding", ParamType::Json, json::array({json::array({1, 1}), json::array({1, 1})}),
             "Int, tuple of 2 ints or ((top, bottom), (left, right)): the zero padding."),
       dataFormat()},
      factory<ZeroPadding2D>())
      .onnx.write = onnxexport::zeroPadding2D;
  addLayer(
      r, "Cropping2D", "Reshaping",
      "Crops rows and columns at the top, bottom, left and right of images.",
      {param("cropping", ParamType::Json, json::array({json::array({0, 0}), json::array({0, 0})}),
             "Int, tuple of 2 ints or ((top, bottom), (left, right)): what to crop."),
       dataFormat()},
      factory<Cropping2D>())
      .onnx.write = onnxexport::cropping2D;
  pooling(addLayer(r, "MaxPooling2D", "Pooling",
                   "Downsamples images by taking the maximum over each pool_size window.",
                   poolParams(2), factory<MaxPooling2D>()),
          {"MaxPool2D"});
  pooling(addLayer(r, "AveragePooling2D", "Pooling",
                   "Downsamples images by averaging each pool_size window.", poolParams(2),
                   factory<AveragePooling2D>()),
          {"AvgPool2D"});
  pooling(addLayer(r, "MaxPooling1D", "Pooling",
                   "Downsamples sequences by taking the maximum over each pool_size window.",
                   poolParams(1), factory<MaxPooling1D>()),
          {"MaxPool1D"});
  pooling(addLayer(r, "AveragePooling1D", "Pooling",
                   "Downsamples sequences by averaging each pool_size window.", poolParams(1),
                   factory<AveragePooling1D>()),
          {"AvgPool1D"});
}

}  // namespace tessel
