#include "engine/io/OnnxExport.h"

#include <algorithm>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"
#include "engine/layers/LayerRegistry.h"

#ifndef TESSEL_VERSION
#define TESSEL_VERSION "0.0.0"
#endif

namespace tessel {

namespace {

// Why a node cannot be exported ("" when it can): what every layer shares (channels_first, an
// activation without an ONNX form), then the layer's own ONNX hook.
std::string unsupportedReason(const NodeSpec& n, const json& cfg, const NodeShapes* shapes) {
  const LayerInfo* info = LayerRegistry::instance().find(n.className);
  if (cfg.contains("data_format") && cfg["data_format"] == "channels_first")
    return "channels_first is not exported (use channels_last)";
  if (!info) return "no ONNX export for " + n.className;
  if (info->isInput || info->identityAtInference) return {};
  if (!info->onnx.write)
    return info->onnx.notExpressible.empty() ? "no ONNX export for " + n.className
                                             : info->onnx.notExpressible;
  if (cfg.contains("activation")) {
    std::string why = onnxActivationError(cfg["activation"]);
    if (!why.empty()) return why;
  }
  return info->onnx.unsupported
             ? info->onnx.unsupported(OnnxNode{n, info->className, cfg, shapes, {}})
             : "";
}

void addValueInfo(onnx::ValueInfoProto* vi, const std::string& name, const Shape& shape) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* sh = tt->mutable_shape();
  for (size_t i = 0; i < shape.size(); ++i) {
    auto* d = sh->add_dim();
    if (shape[i] == kNone)
      d->set_dim_param(i == 0 ? std::string("N") : std::string("d").append(std::to_string(i)));
    else
      d->set_dim_value(shape[i]);
  }
}

// Writes one Keras node through its catalog entry's ONNX hook; the training-only layers are the
// identity.
void exportNode(OnnxGraphBuilder& b, const LayerInfo& info, const NodeSpec& n, const json& cfg,
                const NodeShapes& shapes) {
  b.declare(n.name, *shapes.output);
  const OnnxNode node{n, info.className, cfg, &shapes, b.fresh(n.name)};
  if (info.identityAtInference)
    onnxexport::identity(b, node);
  else
    info.onnx.write(b, node);
}

std::string exportModel(const ModelSpec& spec, const NamedWeights& weights) {
  auto missing = onnxUnsupportedLayers(spec);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : "; ") + m;
    throw Error("ONNX export: " + std::to_string(missing.size()) +
                (missing.size() == 1 ? " layer has" : " layers have") + " no ONNX form: " + list);
  }
  ShapeReport report = inferShapes(spec);
  if (!report.ok()) throw report.errors.front();
  onnx::ModelProto model;
  model.set_ir_version(7);  // IR version of opset 13 (ONNX 1.8)
  model.set_producer_name("Tessel Studio");
  model.set_producer_version(TESSEL_VERSION);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name(spec.name);
  OnnxGraphBuilder b(graph, weights);
  const LayerRegistry& registry = LayerRegistry::instance();
  // Graph inputs and outputs keep the Keras names; reserve them.
  for (const auto& o : spec.outputs) b.reserve(o);
  // Graph inputs in the model's input order.
  for (const auto& i : spec.inputs) {
    b.reserve(i);
    b.declareInput(i, *report.find(i)->output);
    addValueInfo(graph->add_input(), i, *report.find(i)->output);
  }
  for (const auto& name : topologicalOrder(spec)) {
    const NodeSpec& n = *spec.find(name);
    const LayerInfo& info = *registry.find(n.className);
    if (info.isInput) {
      if (!b.declared(n.name))
        throw Error("ONNX export: input layer '" + n.name + "' is not a model input");
      continue;
    }
    json cfg = registry.completeConfig(n.className, n.config, n.name);
    bool isOutput =
        std::find(spec.outputs.begin(), spec.outputs.end(), n.name) != spec.outputs.end();
    if (isOutput) b.release(n.name);
    exportNode(b, info, n, cfg, *report.find(name));
  }
  // Outputs: the Keras-layout tensor named exactly like the output layer.
  for (size_t i = 0; i < spec.outputs.size(); ++i) {
    const std::string& o = spec.outputs[i];
    const int k = spec.outputTensor(i);
    // Output k > 0 of a node with several outputs: "<layer>/<output name>" ("lstm/h").
    std::string name = o;
    if (k > 0) {
      name = o + "/" + nodeOutputNames(*spec.find(o)).at(size_t(k));
      b.reserve(name);
    }
    std::string t = b.keras(onnxTensorKey(o, k));
    if (t != name) b.node("Identity", {t}, name, name + "/output");
    addValueInfo(graph->add_output(), name, *report.find(o)->outputAt(size_t(k)));
  }
  return model.SerializeAsString();
}

}  // namespace

std::vector<std::string> onnxUnsupportedLayers(const ModelSpec& spec) {
  std::vector<std::string> out;
  ShapeReport report = inferShapes(spec);
  const LayerRegistry& registry = LayerRegistry::instance();
  for (const auto& n : spec.nodes) {
    json cfg = n.config;
    try {
      if (registry.find(n.className)) cfg = registry.completeConfig(n.className, n.config, n.name);
    } catch (const std::exception&) {
    }
    std::string why = unsupportedReason(n, cfg, report.find(n.name));
    if (!why.empty()) out.push_back("'" + n.name + "' (" + n.className + "): " + why);
  }
  return out;
}

std::string onnxModelBytes(const ModelSpec& spec, const NamedWeights& weights) {
  return exportModel(spec, weights);
}

void writeOnnxModel(const std::string& path, const ModelSpec& spec, const NamedWeights& weights) {
  std::string bytes = onnxModelBytes(spec, weights);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write '" + path + "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw Error("cannot write '" + path + "'");
}

}  // namespace tessel
