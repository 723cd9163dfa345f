#pragma once
// ONNX export of a ModelSpec with its weights (opset 13, IR version 7), through Debian's
// protobuf and our copy of the ONNX schema (engine/io/proto/tessel_onnx.proto).
//
// The ONNX model keeps Keras's interface: inputs and outputs are named like the Keras input and
// output layers, channels_last, batch dimension "N". Inside, convolutions and pooling run on
// channels-first tensors (ONNX's NCHW): Transpose nodes are inserted where a tensor changes
// layout (lazily, once per tensor), and kernels are relaid ((kh, kw, in, out) -> (out, in, kh,
// kw)). Flatten, Dense, Concatenate and the model outputs always see the Keras (NHWC) layout, so
// Flatten keeps Keras's element order. BatchNormalization and Dropout-like layers use their
// inference behaviour.
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"  // NamedWeights

namespace tessel {

inline constexpr int kOnnxOpset = 13;

// "'name' (Class): reason" for every node the exporter cannot express, in node order.
std::vector<std::string> onnxUnsupportedLayers(const ModelSpec& spec);

// The serialized ModelProto. `weights` are Keras-named ("dense/kernel", "conv2d/bias", ...), as
// Model::namedWeights() gives them. Throws Error listing every unsupported layer by name, or
// naming a missing weight.
std::string onnxModelBytes(const ModelSpec& spec, const NamedWeights& weights);
void writeOnnxModel(const std::string& path, const ModelSpec& spec, const NamedWeights& weights);

}  // namespace tessel
