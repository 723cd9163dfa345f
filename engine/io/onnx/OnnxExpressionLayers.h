#pragma once
// ONNX hooks of the expression layers (Lambda, CustomLayer): each op of the layer's expression
// graph becomes ONNX opset-13 nodes.
#include <string>

namespace tessel {
class OnnxGraphBuilder;
struct OnnxNode;
}  // namespace tessel

namespace tessel::onnxexport {

void expressionLayer(OnnxGraphBuilder& b, const OnnxNode& n);
// Why this Lambda / CustomLayer cannot be exported ("" when it can).
std::string expressionLayerUnsupported(const OnnxNode& n);

}  // namespace tessel::onnxexport
