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

// LSTM, GRU, RNN and what PyTorch and Tessel write around them: Squeeze, Slice (time reversal),
// Expand / ConstantOfShape (zero initial states), and the recurrent cases of Transpose, Gather,
// Reshape, Shape, Unsqueeze and Concat (ImportRecurrentOps.cpp). Call last: it wraps the
// handlers already in `ops`.
void addRecurrentOps(std::map<std::string, OpHandler>& ops);

// Whether node n, whose operator has a handler, is still listed as unsupported before the import
// starts: a Slice that is neither a time reversal nor on zero states (Tessel's Cropping), an
// Expand or ConstantOfShape of anything but zeros.
bool listedUnsupported(const onnx::GraphProto& graph, const onnx::NodeProto& n);

// Bidirectional(merge_mode=None) layers whose two outputs meet only in a Concatenate (last axis),
// Add, Multiply or Average become merge_mode concat / sum / mul / ave, the merge layer dropped
// (an Add followed only by Rescaling(0.5) is ave too).
void foldBidirectionalMerges(ModelSpec& spec);

}  // namespace tessel::onnximport
