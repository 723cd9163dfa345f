#include "engine/explain/Explainer.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/train/Model.h"

namespace tessel {

namespace {

bool isSoftmax(const json& activation) {
  if (activation.is_string()) return activation.get<std::string>() == "softmax";
  if (activation.is_object() && activation.contains("class_name"))
    return activation["class_name"] == "softmax" || activation["class_name"] == "Softmax";
  return false;
}

}  // namespace

Explainer::Explainer(const ModelSpec& spec, const std::vector<Tensor>& weights)
    : spec_(logitSpec(spec)) {
  model_ = std::make_unique<Model>(spec_);
  if (!weights.empty()) model_->setWeights(weights);
  model_->setAllGradients(true);
  order_ = topologicalOrder(spec_);
}

Explainer::~Explainer() = default;

ModelSpec Explainer::logitSpec(const ModelSpec& spec) {
  ModelSpec out = spec;
  for (std::string& o : out.outputs) {
    NodeSpec* node = out.find(o);
    if (!node) continue;
    if (node->className == "Softmax" && node->inputs.size() == 1) {
      o = node->inputs[0];  // the Softmax layer's input is the logit
    } else if (node->config.contains("activation") && isSoftmax(node->config["activation"])) {
      node->config["activation"] = "linear";
    }
  }
  return out;
}

std::vector<std::string> Explainer::layerNames(const ModelSpec& spec) {
  std::vector<std::string> out;
  for (const auto& n : topologicalOrder(spec))
    if (const NodeSpec* node = spec.find(n); node && !node->isInput()) out.push_back(n);
  return out;
}

std::vector<std::string> Explainer::spatialLayers(const ModelSpec& spec) {
  const ShapeReport report = inferShapes(spec);
  std::vector<std::string> out;
  for (const auto& n : layerNames(spec)) {
    const NodeShapes* ns = report.find(n);
    if (!ns || !ns->output || ns->output->size() != 4) continue;
    const Shape& s = *ns->output;
    if (s[1] != kNone && s[2] != kNone && s[1] * s[2] > 1) out.push_back(n);
  }
  return out;
}

std::vector<std::string> Explainer::layerNames() const {
  return layerNames(spec_);
}

std::vector<std::string> Explainer::spatialLayers() const {
  return spatialLayers(spec_);
}

std::string Explainer::defaultCamLayer() const {
  const auto layers = spatialLayers();
  return layers.empty() ? std::string() : layers.back();
}

std::vector<float> Explainer::scores(const Tensor& x, int output) {
  RunContext ctx;
  model_->forward({&x}, false, ctx);
  const Tensor& y = model_->output(static_cast<size_t>(output));
  return std::vector<float>(y.data(), y.data() + y.size());
}

void Explainer::backwardFrom(int output, int unit) {
  std::vector<Tensor> dOut(model_->numOutputs());
  std::vector<const Tensor*> ptr;
  for (size_t k = 0; k < dOut.size(); ++k) {
    dOut[k] = Tensor(model_->output(k).shape(), 0.0f);
    ptr.push_back(&dOut[k]);
  }
  dOut[static_cast<size_t>(output)][unit] = 1.0f;
  RunContext ctx;
  model_->backward(ptr, ctx);
}

Tensor Explainer::inputGradient(const Tensor& x, int output, int unit, int* unitOut,
                                float* scoreOut) {
  if (x.rank() == 0 || x.dim(0) != 1) throw Error("explain: one input row expected");
  if (output < 0 || output >= static_cast<int>(model_->numOutputs()))
    throw Error("explain: no output " + std::to_string(output));
  const std::vector<float> s = scores(x, output);
  if (unit < 0) unit = static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin());
  if (unit >= static_cast<int>(s.size())) throw Error("explain: no unit " + std::to_string(unit));
  if (unitOut) *unitOut = unit;
  if (scoreOut) *scoreOut = s[static_cast<size_t>(unit)];
  backwardFrom(output, unit);
  const Tensor* g = model_->gradientOf(model_->inputName(0));
  if (!g) throw Error("explain: the input gradient was not computed");
  return *g;
}

HeatMap Explainer::saliency(const Tensor& x, int output, int unit, Index height, Index width) {
  HeatMap map;
  const Tensor g = inputGradient(x, output, unit, &map.unit, &map.score);
  map.output = output;
  Index h = 0, w = 0;
  if (x.rank() >= 3) {
    h = x.dim(1);
    w = x.dim(2);
  } else if (height > 0 && width > 0) {
    h = height;
    w = width;
  } else {
    h = 1;
    w = g.size();
  }
  const Index channels = std::max<Index>(1, g.size() / (h * w));
  map.height = h;
  map.width = w;
  map.values.assign(static_cast<size_t>(h * w), 0.0f);
  for (Index p = 0; p < h * w; ++p)
    for (Index c = 0; c < channels; ++c)
      map.values[static_cast<size_t>(p)] =
          std::max(map.values[static_cast<size_t>(p)], std::fabs(g[p * channels + c]));
  const float top = *std::max_element(map.values.begin(), map.values.end());
  if (top > 0)
    for (float& v : map.values) v /= top;
  return map;
}

HeatMap Explainer::gradCam(const Tensor& x, int output, int unit, const std::string& layer) {
  const std::string name = layer.empty() ? defaultCamLayer() : layer;
  if (name.empty()) throw Error("Grad-CAM: the model has no convolutional feature map");
  if (x.rank() < 3) throw Error("Grad-CAM: the input is no image");
  HeatMap map;
  inputGradient(x, output, unit, &map.unit, &map.score);
  map.output = output;
  map.layer = name;
  const Tensor* a = model_->activationOf(name);
  const Tensor* g = model_->gradientOf(name);
  if (!a || !g || a->rank() != 4 || g->shape() != a->shape())
    throw Error("Grad-CAM: '" + name + "' has no 4-D activation and gradient");
  const Index h = a->dim(1), w = a->dim(2), c = a->dim(3);
  std::vector<double> alpha(static_cast<size_t>(c), 0.0);
  for (Index p = 0; p < h * w; ++p)
    for (Index k = 0; k < c; ++k) alpha[static_cast<size_t>(k)] += (*g)[p * c + k];
  for (double& v : alpha) v /= double(h * w);
  std::vector<float> cam(static_cast<size_t>(h * w), 0.0f);
  for (Index p = 0; p < h * w; ++p) {
    double s = 0;
    for (Index k = 0; k < c; ++k) s += alpha[static_cast<size_t>(k)] * (*a)[p * c + k];
    cam[static_cast<size_t>(p)] = static_cast<float>(std::max(0.0, s));
  }
  map.height = x.dim(1);
  map.width = x.dim(2);
  map.values = resizeBilinear(cam, h, w, map.height, map.width);
  normalise(map.values);
  return map;
}

Tensor Explainer::activations(const Tensor& x, const std::string& layer) {
  RunContext ctx;
  model_->forward({&x}, false, ctx);
  const Tensor* a = model_->activationOf(layer);
  if (!a) throw Error("explain: unknown layer '" + layer + "'");
  return *a;
}

Tensor Explainer::features(const Tensor& x, const std::string& layer, Index batch) {
  const Index n = x.dim(0), row = n > 0 ? x.size() / n : 0;
  Tensor out;
  Shape chunkShape = x.shape();
  Index width = 0;
  for (Index pos = 0; pos < n; pos += batch) {
    const Index m = std::min(batch, n - pos);
    chunkShape[0] = m;
    Tensor chunk(chunkShape);
    std::copy(x.data() + pos * row, x.data() + (pos + m) * row, chunk.data());
    const Tensor a = activations(chunk, layer);
    if (pos == 0) {
      width = a.size() / m;
      out.resize({n, width});
    }
    std::copy(a.data(), a.data() + a.size(), out.data() + pos * width);
  }
  return out;
}

std::vector<float> Explainer::resizeBilinear(const std::vector<float>& src, Index h, Index w,
                                             Index outH, Index outW) {
  std::vector<float> out(static_cast<size_t>(outH * outW));
  auto coord = [](Index o, Index in, Index outN, Index& i0, Index& i1, float& t) {
    const float s = (float(o) + 0.5f) * float(in) / float(outN) - 0.5f;
    const float c = std::clamp(s, 0.0f, float(in - 1));
    i0 = static_cast<Index>(std::floor(c));
    i1 = std::min(i0 + 1, in - 1);
    t = c - float(i0);
  };
  for (Index y = 0; y < outH; ++y) {
    Index y0, y1;
    float ty;
    coord(y, h, outH, y0, y1, ty);
    for (Index x = 0; x < outW; ++x) {
      Index x0, x1;
      float tx;
      coord(x, w, outW, x0, x1, tx);
      auto v = [&](Index yy, Index xx) { return src[static_cast<size_t>(yy * w + xx)]; };
      const float top = v(y0, x0) * (1 - tx) + v(y0, x1) * tx;
      const float bottom = v(y1, x0) * (1 - tx) + v(y1, x1) * tx;
      out[static_cast<size_t>(y * outW + x)] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

void Explainer::normalise(std::vector<float>& v) {
  if (v.empty()) return;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const float a = *lo, b = *hi;
  for (float& x : v) x = b > a ? (x - a) / (b - a) : 0.0f;
}

}  // namespace tessel
