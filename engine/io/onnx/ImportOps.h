#pragma once
// The operator handlers of the ONNX importer, by family (ImportOps.cpp, ImportShapeOps.cpp,
// ImportConvOps.cpp).
#include <map>
#include <string>

#include "engine/io/onnx/ImportGraph.h"

namespace tessel::onnximport {

// A Keras tensor value of `layer` with the layout and element order of `like`.
inline Value tensorValue(const std::string& layer, const Value& like) {
  Value v;
  v.node = layer;
  v.layout = like.layout;
  v.flatPerm = like.flatPerm;
  return v;
}

// Concat, Flatten, Reshape, Transpose, Identity, Dropout, Constant, Shape, Gather, Unsqueeze
// (ImportShapeOps.cpp).
void addShapeOps(std::map<std::string, OpHandler>& ops);

// Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean, ReduceMax and
// BatchNormalization (ImportConvOps.cpp).
void addConvOps(std::map<std::string, OpHandler>& ops);

}  // namespace tessel::onnximport
