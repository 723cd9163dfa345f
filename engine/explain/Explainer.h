#pragma once
// Explanations of a model's predictions for one input: the gradient of a chosen output with
// respect to the input (gradient saliency: max |d score / d x| over the channels), Grad-CAM
// (Selvaraju et al. 2017: weights α_k = spatial mean of d score / d A_k for the activations A of
// a convolutional layer, cam = ReLU(Σ_k α_k A_k), bilinearly upsampled to the input and
// normalised to [0, 1]) and the activations of any layer.
//
// The explained score is the pre-softmax logit when the output ends in a softmax (a Dense or
// Activation node with activation "softmax", or a Softmax layer), else the output itself. The
// Explainer owns its own Model built from the spec and a weight snapshot, so it may run on any
// thread while training goes on with other weights. Layers run in inference mode (training =
// false); channels_last images (N, H, W, C) or (N, H, W) are assumed.
//
//   Explainer ex(spec, weights);                 // weights: Keras get_weights() order
//   HeatMap cam = ex.gradCam(x, 0);              // x: (1, H, W, C); unit -1 = the predicted one
//   HeatMap sal = ex.saliency(x, 0, 3);          // class 3
#include <memory>
#include <string>
#include <vector>

#include "engine/explain/HeatMap.h"
#include "engine/graph/ModelSpec.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

class Model;

class Explainer {
 public:
  // Throws Error / SpecError for an invalid spec or weights that do not fit it (empty weights:
  // the initial ones).
  Explainer(const ModelSpec& spec, const std::vector<Tensor>& weights);
  ~Explainer();
  Explainer(const Explainer&) = delete;
  Explainer& operator=(const Explainer&) = delete;

  // The spec with every softmax output made linear (its logits), same weights.
  static ModelSpec logitSpec(const ModelSpec& spec);

  // Names of the nodes in topological order with a 4-D output (N, H, W, C), H * W > 1: the
  // layers Grad-CAM and the activation grid can use (inputs excluded).
  std::vector<std::string> spatialLayers() const;
  std::vector<std::string> layerNames() const;  // every non-input node, topological order
  std::string defaultCamLayer() const;          // the last spatial layer ("" when none)
  // The same lists from the spec alone (shape inference, no model built): cheap enough for the
  // GUI thread. Throw SpecError for a cyclic or dangling graph.
  static std::vector<std::string> spatialLayers(const ModelSpec& spec);
  static std::vector<std::string> layerNames(const ModelSpec& spec);

  // The model's scores (logits) of output `output` for x (1, ...): one value per unit.
  std::vector<float> scores(const Tensor& x, int output);
  // d score / d x for unit `unit` of output `output` (-1: the largest score); same shape as x.
  // `unitOut` / `scoreOut` receive the explained unit and its score.
  Tensor inputGradient(const Tensor& x, int output, int unit, int* unitOut = nullptr,
                       float* scoreOut = nullptr);
  // Gradient saliency: max over channels of |d score / d x|, normalised to [0, 1]. A flat input
  // (1, H*W*C) is read as `height` × `width` × channels when given.
  HeatMap saliency(const Tensor& x, int output, int unit, Index height = 0, Index width = 0);
  // Grad-CAM on `layer` (empty: defaultCamLayer()); heat map of the input's height × width.
  // Throws Error when the layer is not spatial or the input is no image.
  HeatMap gradCam(const Tensor& x, int output, int unit, const std::string& layer = {});
  // The output of `layer` for x (1, ...). Throws Error for an unknown layer.
  Tensor activations(const Tensor& x, const std::string& layer);
  // The outputs of `layer` for the rows of x (N, ...), run in batches: (N, features).
  Tensor features(const Tensor& x, const std::string& layer, Index batch = 64);

  // Bilinear resize of a height × width map (half-pixel centres, as tf.image.resize).
  static std::vector<float> resizeBilinear(const std::vector<float>& src, Index h, Index w,
                                           Index outH, Index outW);
  // (v - min) / (max - min); all zeros when max == min.
  static void normalise(std::vector<float>& v);

 private:
  void backwardFrom(int output, int unit);

  ModelSpec spec_;
  std::unique_ptr<Model> model_;
  std::vector<std::string> order_;
};

}  // namespace tessel
