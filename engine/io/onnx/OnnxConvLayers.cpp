// ONNX hooks of the convolution layers: Conv1D, Conv2D, DepthwiseConv2D (Conv with group = C),
// SeparableConv2D (that, then a 1x1 Conv) and Conv2DTranspose (ConvTranspose). They run on the
// channels-first input; kernels are relaid from Keras's (k..., in, out) to ONNX's (out, in, k...).
#include <algorithm>

#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

namespace {

// Relays a Keras conv kernel (k..., in, out) to ONNX (out, in, k...).
std::vector<float> relayKernel(const Tensor& k) {
  const Shape& s = k.shape();
  size_t r = s.size();
  Index in = s[r - 2], out = s[r - 1], spatial = 1;
  for (size_t i = 0; i + 2 < r; ++i) spatial *= s[i];
  std::vector<float> v(static_cast<size_t>(k.size()));
  for (Index p = 0; p < spatial; ++p)
    for (Index i = 0; i < in; ++i)
      for (Index o = 0; o < out; ++o) v[(o * in + i) * spatial + p] = k[(p * in + i) * out + o];
  return v;
}

// The ONNX kernel of a node (its dims in `dims`) and its group count.
struct OnnxKernel {
  std::vector<float> values;
  Shape dims;
  Index group = 1;
};

OnnxKernel kernelOf(const OnnxGraphBuilder& b, const OnnxNode& n, size_t sp, Index cin) {
  const std::string& c = n.className;
  OnnxKernel k;
  if (c == "DepthwiseConv2D" || c == "SeparableConv2D") {
    const Tensor& kt = b.weight(n.name(), "depthwise_kernel");  // (kh, kw, C, m)
    Index m = kt.shape()[3], kh = kt.shape()[0], kw = kt.shape()[1];
    k.values.resize(static_cast<size_t>(kt.size()));
    for (Index i = 0; i < kh; ++i)
      for (Index j = 0; j < kw; ++j)
        for (Index ch = 0; ch < cin; ++ch)
          for (Index mm = 0; mm < m; ++mm)
            k.values[((ch * m + mm) * kh + i) * kw + j] = kt[((i * kw + j) * cin + ch) * m + mm];
    k.dims = {cin * m, 1, kh, kw};
    k.group = cin;
  } else if (c == "Conv2DTranspose") {
    const Tensor& kt = b.weight(n.name(), "kernel");  // (kh, kw, out, in) -> (in, out, kh, kw)
    Index kh = kt.shape()[0], kw = kt.shape()[1], co = kt.shape()[2], ci = kt.shape()[3];
    k.values.resize(static_cast<size_t>(kt.size()));
    for (Index i = 0; i < kh; ++i)
      for (Index j = 0; j < kw; ++j)
        for (Index o = 0; o < co; ++o)
          for (Index q = 0; q < ci; ++q)
            k.values[((q * co + o) * kh + i) * kw + j] = kt[((i * kw + j) * co + o) * ci + q];
    k.dims = {ci, co, kh, kw};
  } else {  // Conv1D, Conv2D
    const Tensor& kt = b.weight(n.name(), "kernel");
    k.values = relayKernel(kt);
    k.group = n.config.at("groups").get<Index>();
    k.dims = {kt.shape().back(), kt.shape()[sp]};
    for (size_t i = 0; i < sp; ++i) k.dims.push_back(kt.shape()[i]);
  }
  return k;
}

// TF's "same" for a transposed convolution: pads and output_padding from kernel and strides.
void transposePads(onnx::NodeProto* conv, const std::vector<Index>& k, const std::vector<Index>& s,
                   bool same) {
  std::vector<Index> p(4, 0), op2(2, 0);
  if (same)
    for (size_t i = 0; i < 2; ++i) {
      Index total = std::max<Index>(k[i] - s[i], 0);
      p[i] = total / 2;
      p[i + 2] = total - p[i];
      op2[i] = std::max<Index>(s[i] - k[i], 0);
    }
  OnnxGraphBuilder::attr(conv, "pads", p);
  if (op2[0] || op2[1]) OnnxGraphBuilder::attr(conv, "output_padding", op2);
}

}  // namespace

void convolution(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& c = n.className;
  const std::string& name = n.name();
  const json& cfg = n.config;
  b.release(n.out);  // the output is channels-first, named below
  const std::string x = b.channelsFirst(n.input(0));
  const Shape& in = n.inputShape(0);
  const size_t sp = in.size() - 2;  // spatial axes
  auto k = onnxIntList(cfg.at("kernel_size"), sp);
  auto s = onnxIntList(cfg.at("strides"), sp);
  auto d = onnxIntList(cfg.at("dilation_rate"), sp);
  const bool same = cfg.at("padding") == "same";
  const bool useBias = cfg.at("use_bias");
  std::string out = b.fresh(name + "/channels_first");
  std::string pre = b.fresh(name + "/conv");
  const OnnxKernel kernel = kernelOf(b, n, sp, in.back());
  std::vector<std::string> inputs = {x, b.floatInit(name + "/kernel", kernel.dims, kernel.values)};
  const bool separable = c == "SeparableConv2D";
  if (useBias && !separable)
    inputs.push_back(b.floatInit(name + "/bias", {b.weight(name, "bias").size()},
                                 b.weight(name, "bias").toVector()));
  const bool transpose = c == "Conv2DTranspose";
  auto* conv = b.node(transpose ? "ConvTranspose" : "Conv", inputs, separable ? pre : out, name);
  b.attr(conv, "kernel_shape", k);
  b.attr(conv, "strides", s);
  if (transpose) {
    transposePads(conv, k, s, same);
  } else {
    b.attr(conv, "dilations", d);
    b.attr(conv, "pads", OnnxGraphBuilder::pads(in, k, s, d, same));
    b.attr(conv, "group", kernel.group);
  }
  if (separable) {
    const Tensor& pk = b.weight(name, "pointwise_kernel");  // (1, 1, C m, filters)
    std::vector<std::string> pin = {
        pre, b.floatInit(name + "/pointwise_kernel", {pk.shape()[3], pk.shape()[2], 1, 1},
                         relayKernel(pk))};
    if (useBias)
      pin.push_back(b.floatInit(name + "/bias", {b.weight(name, "bias").size()},
                                b.weight(name, "bias").toVector()));
    auto* pw = b.node("Conv", pin, out, name + "/pointwise");
    b.attr(pw, "kernel_shape", std::vector<Index>{1, 1});
  }
  const std::string act = cfg.at("activation");
  if (act.empty() || act == "linear") {
    b.setChannelsFirst(name, out);
  } else {
    const std::string y = b.fresh(name + "/activation");
    b.activation(act, out, y, name + "/activation", 1);
    b.setChannelsFirst(name, y);
  }
}

std::string convolutionUnsupported(const OnnxNode& n) {
  return n.config.at("padding") == "causal" ? "causal padding" : "";
}

std::string convolutionTransposeUnsupported(const OnnxNode& n) {
  if (!n.config.at("output_padding").is_null()) return "output_padding is not exported";
  auto d = onnxIntList(n.config.at("dilation_rate"), 2);
  if (d.size() != 2 || d[0] != 1 || d[1] != 1) return "dilated transposed convolution";
  return {};
}

}  // namespace tessel::onnxexport
