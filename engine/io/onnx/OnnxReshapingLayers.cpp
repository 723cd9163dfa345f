// ONNX hooks of the reshaping layers, all in the Keras (channels_last) layout so that Flatten
// keeps Keras's element order: Flatten, Reshape, ZeroPadding2D (Pad), Cropping2D (Slice),
// UpSampling2D (Resize).
#include <limits>

#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

namespace {

// Top, bottom, left, right amounts of ZeroPadding2D's padding / Cropping2D's cropping: an int,
// (symmetric_height, symmetric_width) or ((top, bottom), (left, right)).
struct Sides2D {
  Index t = 0, b = 0, l = 0, r = 0;
};

Sides2D sides2D(const json& p) {
  Sides2D s;
  if (p.is_number_integer()) {
    s.t = s.b = s.l = s.r = p.get<Index>();
  } else if (p.is_array() && p.size() == 2 && p[0].is_number_integer()) {
    s.t = s.b = p[0].get<Index>();
    s.l = s.r = p[1].get<Index>();
  } else {
    s.t = p.at(0).at(0).get<Index>(), s.b = p.at(0).at(1).get<Index>();
    s.l = p.at(1).at(0).get<Index>(), s.r = p.at(1).at(1).get<Index>();
  }
  return s;
}

}  // namespace

void flatten(OnnxGraphBuilder& b, const OnnxNode& n) {
  b.attr(b.node("Flatten", {b.keras(n.input(0))}, n.out, n.name()), "axis", Index{1});
  b.setKeras(n.name(), n.out);
}

void reshape(OnnxGraphBuilder& b, const OnnxNode& n) {
  std::vector<Index> target = {0};
  for (size_t i = 1; i < n.outputShape().size(); ++i) target.push_back(n.outputShape()[i]);
  const std::string x = b.keras(n.input(0));
  b.node("Reshape", {x, b.intInit(n.name() + "/shape", target)}, n.out, n.name());
  b.setKeras(n.name(), n.out);
}

void zeroPadding2D(OnnxGraphBuilder& b, const OnnxNode& n) {
  const auto [t, bottom, l, r] = sides2D(n.config.at("padding"));
  const std::string x = b.keras(n.input(0));
  b.node("Pad", {x, b.intInit(n.name() + "/pads", {0, t, l, 0, 0, bottom, r, 0})}, n.out, n.name());
  b.setKeras(n.name(), n.out);
}

void cropping2D(OnnxGraphBuilder& b, const OnnxNode& n) {
  const auto [t, bottom, l, r] = sides2D(n.config.at("cropping"));
  const Index big = std::numeric_limits<Index>::max();
  const std::string x = b.keras(n.input(0));
  b.node("Slice",
         {x, b.intInit(n.name() + "/starts", {t, l}),
          b.intInit(n.name() + "/ends", {bottom ? -bottom : big, r ? -r : big}),
          b.intInit(n.name() + "/axes", {1, 2})},
         n.out, n.name());
  b.setKeras(n.name(), n.out);
}

void upSampling2D(OnnxGraphBuilder& b, const OnnxNode& n) {
  auto size = onnxIntList(n.config.at("size"), 2);
  const bool nearest = n.config.at("interpolation") == "nearest";
  const std::string x = b.keras(n.input(0));
  auto* u = b.node(
      "Resize",
      {x, "", b.floatInit(n.name() + "/scales", {4}, {1.0f, float(size[0]), float(size[1]), 1.0f})},
      n.out, n.name());
  b.attr(u, "mode", std::string(nearest ? "nearest" : "linear"));
  b.attr(u, "coordinate_transformation_mode", std::string(nearest ? "asymmetric" : "half_pixel"));
  if (nearest) b.attr(u, "nearest_mode", std::string("floor"));
  b.setKeras(n.name(), n.out);
}

std::string upSampling2DUnsupported(const OnnxNode& n) {
  const std::string i = n.config.at("interpolation");
  return i == "nearest" || i == "bilinear" ? "" : "interpolation '" + i + "'";
}

}  // namespace tessel::onnxexport
