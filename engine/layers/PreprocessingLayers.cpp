// Registration of the Keras preprocessing layers: the image augmentation layers (active only in
// training) RandomFlip, RandomTranslation, RandomRotation, RandomZoom, RandomContrast,
// RandomBrightness, and Rescaling and Normalization (keys and defaults as Keras 2's get_config
// writes them; Keras 3 differs: value_range on RandomContrast, data_format keys, ...), with their
// hooks: the Random* layers are the identity at inference.
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/Normalization.h"
#include "engine/layers/ParamSpecBuilders.h"
#include "engine/layers/RandomBrightness.h"
#include "engine/layers/RandomContrast.h"
#include "engine/layers/RandomFlip.h"
#include "engine/layers/RandomRotation.h"
#include "engine/layers/RandomTranslation.h"
#include "engine/layers/RandomZoom.h"
#include "engine/layers/Rescaling.h"

namespace tessel {

using namespace paramspec;

namespace {

ParamSpec seedParam() {
  return param("seed", ParamType::Int, nullptr,
               "Integer. Used to create a random seed (null: the training run's stream).");
}

// A factor: a number or a list of two numbers, required.
ParamSpec factorParam(const char* key, json suggested, const char* doc) {
  return required(param(key, ParamType::Json, nullptr, doc), std::move(suggested));
}

// fill_mode, interpolation, seed, fill_value of RandomTranslation / RandomRotation / RandomZoom.
std::vector<ParamSpec> withTransformParams(std::vector<ParamSpec> params) {
  params.push_back(choice("fill_mode", "reflect", {"reflect", "wrap", "constant", "nearest"},
                          "Points outside the boundaries of the input are filled according to "
                          "the given mode."));
  params.push_back(
      choice("interpolation", "bilinear", {"nearest", "bilinear"}, "Interpolation mode."));
  params.push_back(seedParam());
  params.push_back(param("fill_value", ParamType::Float, 0.0,
                         "The value filled outside the boundaries when fill_mode is constant."));
  return params;
}

// Active in training only: inference passes the images through.
void augmentation(LayerInfo& info) {
  info.identityAtInference = true;
}

}  // namespace

// Long by design: a table, one registration (class, params with Keras defaults, hooks) per layer.
void registerPreprocessingLayers(LayerRegistry& r) {
  augmentation(
      addLayer(r, "RandomFlip", "Preprocessing",
               "Randomly flips images horizontally and/or vertically during training.",
               {
                   choice("mode", "horizontal_and_vertical",
                          {"horizontal", "vertical", "horizontal_and_vertical"},
                          "Which flips to apply (horizontal is left-right, vertical top-bottom)."),
                   seedParam(),
               },
               factory<RandomFlip>()));
  augmentation(addLayer(
      r, "RandomTranslation", "Preprocessing",
      "Randomly translates images during training, filling empty space by fill_mode.",
      withTransformParams({
          factorParam("height_factor", 0.1,
                      "Fraction of the height, or (lower, upper), for shifting vertically "
                      "(positive: down)."),
          factorParam("width_factor", 0.1,
                      "Fraction of the width, or (lower, upper), for shifting horizontally "
                      "(positive: right)."),
      }),
      factory<RandomTranslation>()));
  augmentation(
      addLayer(r, "RandomRotation", "Preprocessing",
               "Randomly rotates images during training, filling empty space by fill_mode.",
               withTransformParams({
                   factorParam("factor", 0.1,
                               "Fraction of 2 pi, or (lower, upper); positive values rotate "
                               "counter-clockwise."),
               }),
               factory<RandomRotation>()));
  augmentation(
      addLayer(r, "RandomZoom", "Preprocessing",
               "Randomly zooms images in or out during training, filling empty space by fill_mode.",
               withTransformParams({
                   factorParam("height_factor", 0.1,
                               "Fraction, or (lower, upper), for zooming vertically (positive: "
                               "zoom out)."),
                   param("width_factor", ParamType::Json, nullptr,
                         "Fraction, or (lower, upper), for zooming horizontally (null: keep the "
                         "aspect ratio)."),
               }),
               factory<RandomZoom>()));
  augmentation(
      addLayer(r, "RandomContrast", "Preprocessing",
               "Randomly adjusts the contrast of each image during training.",
               {
                   factorParam("factor", 0.2,
                               "Contrast factor drawn from [1 - lower, 1 + upper]; a number means "
                               "lower = upper."),
                   seedParam(),
               },
               factory<RandomContrast>()));
  augmentation(addLayer(
      r, "RandomBrightness", "Preprocessing",
      "Randomly adjusts the brightness of each image during training.",
      {
          factorParam("factor", 0.2,
                      "Number or (lower, upper) in [-1, 1]: the delta as a fraction of the "
                      "value range."),
          param("value_range", ParamType::Json, json::array({0, 255}),
                "The [low, high] range of the input values; the output is clipped to it."),
          seedParam(),
      },
      factory<RandomBrightness>()));
  addLayer(
      r, "Rescaling", "Preprocessing",
      "Rescales the inputs: x * scale + offset (in training and inference).",
      {
          required(param("scale", ParamType::Float, nullptr, "The scale to apply to the inputs."),
                   1.0 / 255.0),
          param("offset", ParamType::Float, 0.0, "The offset to apply to the inputs."),
      },
      factory<Rescaling>())
      .onnx.write = onnxexport::rescaling;
  addLayer(r, "Normalization", "Preprocessing",
           "Normalizes features with a mean and variance given or adapted on the training data.",
           {
               // Keras 2 stores axis as a tuple: to_json writes [-1] for the default axis=-1.
               param("axis", ParamType::Json, json::array({-1}),
                     "Integer, list of integers, or null: the axis or axes that have a separate "
                     "mean and variance."),
               param("mean", ParamType::Json, nullptr,
                     "The mean value(s) to use (null: learned by adapt on the training data)."),
               param("variance", ParamType::Json, nullptr,
                     "The variance value(s) to use (null: learned by adapt)."),
               param("invert", ParamType::Bool, false,
                     "If True, apply the inverse transformation (de-normalize)."),
           },
           factory<Normalization>())
      .onnx.write = onnxexport::normalization;
}

}  // namespace tessel
