// ONNX hooks of the pooling layers: {Max,Average}Pooling{1,2}D on the channels-first input, and
// Global{Average,Max}Pooling{1,2}D (ReduceMean / ReduceMax over the spatial axes of whichever
// layout the input has).
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

void pooling(OnnxGraphBuilder& b, const OnnxNode& n) {
  const json& cfg = n.config;
  const Shape& is = n.inputShape(0);
  size_t sp = is.size() - 2;
  auto k = onnxIntList(cfg.at("pool_size"), sp);
  auto s = onnxIntList(cfg.at("strides").is_null() ? cfg.at("pool_size") : cfg.at("strides"), sp);
  bool same = cfg.at("padding") == "same";
  const bool max = n.className.rfind("Max", 0) == 0;
  auto* p = b.node(max ? "MaxPool" : "AveragePool", {b.channelsFirst(n.input(0))}, n.out, n.name());
  b.attr(p, "kernel_shape", k);
  b.attr(p, "strides", s);
  b.attr(p, "pads", OnnxGraphBuilder::pads(is, k, s, std::vector<Index>(sp, 1), same));
  b.setChannelsFirst(n.name(), n.out);
}

void globalPooling(OnnxGraphBuilder& b, const OnnxNode& n) {
  const bool keep = n.config.at("keepdims");
  const size_t r = n.inputShape(0).size();
  const bool cf = b.onlyChannelsFirst(n.input(0));
  std::vector<Index> axes;
  for (size_t i = 1; i + 1 < r; ++i) axes.push_back(static_cast<Index>(cf ? i + 1 : i));
  const bool average = n.className.find("Average") != std::string::npos;
  auto* g =
      b.node(average ? "ReduceMean" : "ReduceMax",
             {cf ? b.channelsFirstName(n.input(0)) : b.kerasName(n.input(0))}, n.out, n.name());
  b.attr(g, "axes", axes);
  b.attr(g, "keepdims", static_cast<Index>(keep ? 1 : 0));
  if (keep && cf)
    b.setChannelsFirst(n.name(), n.out);
  else
    b.setKeras(n.name(), n.out);
}

}  // namespace tessel::onnxexport
