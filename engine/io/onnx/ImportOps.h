#pragma once
// The operator handlers of the ONNX importer, by family (ImportOps.cpp, ImportConvOps.cpp).
#include <map>
#include <string>

#include "engine/io/onnx/ImportGraph.h"

namespace tessel::onnximport {

// Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean, ReduceMax and
// BatchNormalization (ImportConvOps.cpp).
void addConvOps(std::map<std::string, OpHandler>& ops);

}  // namespace tessel::onnximport
