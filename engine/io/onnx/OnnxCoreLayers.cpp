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
