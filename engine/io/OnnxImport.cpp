#include "engine/io/OnnxImport.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/io/onnx/ImportGraph.h"
#include "engine/io/proto/tessel_onnx.pb.h"

namespace tessel {

bool isOnnxPath(const std::string& path) {
  if (path.size() < 5) return false;
  std::string ext = path.substr(path.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".onnx";
}

ModelFile onnxModelFromBytes(const std::string& bytes, const std::string& name) {
  onnx::ModelProto model;
  if (bytes.empty()) throw Error("ONNX import: the file is empty");
  if (!model.ParseFromString(bytes))
    throw Error("ONNX import: not an ONNX model (the protobuf data is malformed or truncated)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw Error("ONNX import: the file holds no graph (not an ONNX model, or truncated)");
  int opset = -1;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = static_cast<int>(o.version());
  if (opset < 0) throw Error("ONNX import: the model imports no ai.onnx opset");
  if (opset < kOnnxImportMinOpset || opset > kOnnxImportMaxOpset)
    throw Error("ONNX import: opset " + std::to_string(opset) +
                " is not supported (this importer reads opsets " +
                std::to_string(kOnnxImportMinOpset) + " to " + std::to_string(kOnnxImportMaxOpset) +
                ")");
  const std::string graphName = model.graph().name();
  onnximport::ImportGraph g(
      model.graph(), opset,
      graphName.empty() || graphName == "torch_jit" || graphName == "main_graph" ? name : graphName,
      model.producer_name() == "Tessel Studio");
  return g.build();
}

ModelFile readOnnxModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return onnxModelFromBytes(ss.str(), std::filesystem::path(path).stem().string());
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace tessel
