// ONNX hooks of the core layers: the identity (training-only layers at inference,
// ActivityRegularization), Dense and Activation.
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

void identity(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& src = n.input(0);
  if (!b.kerasName(src).empty()) {
    b.node("Identity", {b.kerasName(src)}, n.out, n.name());
    b.setKeras(n.name(), n.out);
  } else {
    b.node("Identity", {b.channelsFirstName(src)}, n.out, n.name());
    b.setChannelsFirst(n.name(), n.out);
  }
}

// x (N, ..., in) · kernel (in, units) + bias: Gemm on 2-D inputs, MatMul + Add on more axes.
void dense(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  const Tensor& k = b.weight(name, "kernel");
  std::string x = b.keras(n.input(0));
  std::string kName = b.floatInit(name + "/kernel", k.shape(), k.toVector());
  const bool bias = n.config.at("use_bias");
  const std::string act = n.config.at("activation");
  std::string pre = (act.empty() || act == "linear") ? n.out : b.fresh(name + "/linear");
  if (n.outputShape().size() == 2) {
    std::vector<std::string> ins = {x, kName};
    if (bias)
      ins.push_back(b.floatInit(name + "/bias", {k.shape()[1]}, b.weight(name, "bias").toVector()));
    b.node("Gemm", ins, pre, name);
  } else {
    std::string mm = bias ? b.fresh(name + "/matmul") : pre;
    b.node("MatMul", {x, kName}, mm, name + "/matmul");
    if (bias)
      b.node("Add",
             {mm, b.floatInit(name + "/bias", {k.shape()[1]}, b.weight(name, "bias").toVector())},
             pre, name + "/bias_add");
  }
  if (pre != n.out) b.activation(act, pre, n.out, name + "/activation", -1);
  b.setKeras(name, n.out);
}

// Keeps a channels-first input channels-first (softmax then runs on axis 1).
void activation(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string act = n.config.at("activation");
  if (b.onlyChannelsFirst(n.input(0))) {
    b.activation(act, b.channelsFirstName(n.input(0)), n.out, n.name(), 1);
    b.setChannelsFirst(n.name(), n.out);
  } else {
    b.activation(act, b.keras(n.input(0)), n.out, n.name(), -1);
    b.setKeras(n.name(), n.out);
  }
}

}  // namespace tessel::onnxexport

namespace tessel::onnxexport {

namespace {

struct ReluParams {
  json max;  // null or a number
  double slope = 0, threshold = 0;
};

ReluParams reluParams(const OnnxNode& n) {
  ReluParams p;
  p.max = n.config.value("max_value", json());
  p.slope = n.config.value("negative_slope", json(0.0)).get<double>();
  p.threshold = n.config.value("threshold", json(0.0)).get<double>();
  return p;
}

}  // namespace

// ReLU layer: Relu (plain), Clip(0, max_value) (ReLU6), LeakyRelu (negative_slope); layout kept.
std::string reluUnsupported(const OnnxNode& n) {
  const ReluParams p = reluParams(n);
  if (p.threshold != 0) return "ReLU with a threshold has no ONNX export yet";
  if (p.slope != 0 && !p.max.is_null())
    return "ReLU with both negative_slope and max_value has no ONNX export yet";
  return "";
}

void relu(OnnxGraphBuilder& b, const OnnxNode& n) {
  const ReluParams p = reluParams(n);
  const bool cf = b.onlyChannelsFirst(n.input(0));
  const std::string x = cf ? b.channelsFirstName(n.input(0)) : b.keras(n.input(0));
  const std::string& name = n.name();
  if (!p.max.is_null())
    b.node("Clip", {x, b.scalar(name + "/min", 0.0f), b.scalar(name + "/max", p.max.get<float>())},
           n.out, name);
  else if (p.slope != 0)
    OnnxGraphBuilder::attr(b.node("LeakyRelu", {x}, n.out, name), "alpha", float(p.slope));
  else
    b.node("Relu", {x}, n.out, name);
  if (cf)
    b.setChannelsFirst(name, n.out);
  else
    b.setKeras(name, n.out);
}

}  // namespace tessel::onnxexport
