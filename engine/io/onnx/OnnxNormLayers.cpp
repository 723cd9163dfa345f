// ONNX hooks of the normalization layers, with their inference behaviour: BatchNormalization
// (ONNX BatchNormalization on 2-D or channels-first inputs, else x a + b along the last axis) and
// LayerNormalization (the mean/variance arithmetic written out: opset 13 has no
// LayerNormalization op). Both are exported for the last axis only.
#include <cmath>

#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

namespace {

bool lastAxis(const json& axis, size_t rank) {
  json a = axis;
  if (a.is_array() && a.size() == 1) a = a[0];
  if (!a.is_number_integer()) return false;
  long long v = a.get<long long>();
  return v == -1 || v == static_cast<long long>(rank) - 1;
}

}  // namespace

void batchNormalization(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  const Index ch = n.outputShape().back();
  const size_t rank = n.outputShape().size();
  const double eps = n.config.at("epsilon");
  const bool center = n.config.at("center"), scale = n.config.at("scale");
  std::vector<float> gamma = scale ? b.weight(name, "gamma").toVector()
                                   : std::vector<float>(static_cast<size_t>(ch), 1.0f);
  std::vector<float> beta = center ? b.weight(name, "beta").toVector()
                                   : std::vector<float>(static_cast<size_t>(ch), 0.0f);
  std::vector<float> mean = b.weight(name, "moving_mean").toVector();
  std::vector<float> var = b.weight(name, "moving_variance").toVector();
  const bool cf = b.onlyChannelsFirst(n.input(0));
  if (rank == 2 || cf) {
    auto* bn =
        b.node("BatchNormalization",
               {rank == 2 ? b.keras(n.input(0)) : b.channelsFirstName(n.input(0)),
                b.floatInit(name + "/gamma", {ch}, gamma), b.floatInit(name + "/beta", {ch}, beta),
                b.floatInit(name + "/moving_mean", {ch}, mean),
                b.floatInit(name + "/moving_variance", {ch}, var)},
               n.out, name);
    b.attr(bn, "epsilon", static_cast<float>(eps));
    if (rank == 2)
      b.setKeras(name, n.out);
    else
      b.setChannelsFirst(name, n.out);
  } else {  // y = x a + b along the last axis: a = gamma / sqrt(var + eps), b = beta - mean a
    std::vector<float> a(static_cast<size_t>(ch)), bb(static_cast<size_t>(ch));
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = static_cast<float>(gamma[i] / std::sqrt(double(var[i]) + eps));
      bb[i] = beta[i] - mean[i] * a[i];
    }
    std::string m = b.fresh(name + "/scaled");
    b.node("Mul", {b.kerasName(n.input(0)), b.floatInit(name + "/scale", {ch}, a)}, m,
           name + "/scale");
    b.node("Add", {m, b.floatInit(name + "/shift", {ch}, bb)}, n.out, name);
    b.setKeras(name, n.out);
  }
}

std::string batchNormalizationUnsupported(const OnnxNode& n) {
  return lastAxis(n.config.at("axis"), n.outputRank()) ? "" : "only the last axis is exported";
}

// (x - mean) / sqrt(variance + epsilon) over the last axis, then * gamma + beta.
void layerNormalization(OnnxGraphBuilder& b, const OnnxNode& n) {
  const std::string& name = n.name();
  std::string x = b.keras(n.input(0));
  const Index ch = n.outputShape().back();
  const double eps = n.config.at("epsilon");
  std::string mean = b.fresh(name + "/mean"), d = b.fresh(name + "/centered"),
              sq = b.fresh(name + "/squared"), var = b.fresh(name + "/variance"),
              ve = b.fresh(name + "/variance_eps"), sd = b.fresh(name + "/std"),
              y = b.fresh(name + "/normalized");
  b.attr(b.node("ReduceMean", {x}, mean, name + "/mean"), "axes", std::vector<Index>{-1});
  b.node("Sub", {x, mean}, d, name + "/centered");
  b.node("Mul", {d, d}, sq, name + "/squared");
  b.attr(b.node("ReduceMean", {sq}, var, name + "/variance"), "axes", std::vector<Index>{-1});
  b.node("Add", {var, b.scalar(name + "/epsilon", static_cast<float>(eps))}, ve,
         name + "/variance_eps");
  b.node("Sqrt", {ve}, sd, name + "/std");
  const bool scale = n.config.at("scale"), center = n.config.at("center");
  std::string cur = y;
  b.node("Div", {d, sd}, (scale || center) ? y : n.out, name + "/normalized");
  if (scale) {
    std::string next = center ? b.fresh(name + "/scaled") : n.out;
    b.node("Mul", {cur, b.floatInit(name + "/gamma", {ch}, b.weight(name, "gamma").toVector())},
           next, name + "/gamma");
    cur = next;
  }
  if (center)
    b.node("Add", {cur, b.floatInit(name + "/beta", {ch}, b.weight(name, "beta").toVector())},
           n.out, name + "/beta");
  b.setKeras(name, n.out);
}

std::string layerNormalizationUnsupported(const OnnxNode& n) {
  return lastAxis(n.config.at("axis"), n.inputRank()) ? "" : "only the last axis is exported";
}

}  // namespace tessel::onnxexport
