// ONNX hooks of the merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum (elementwise,
// in the Keras layout) and Concatenate.
#include "engine/io/onnx/OnnxGraphBuilder.h"
#include "engine/io/onnx/OnnxLayers.h"

namespace tessel::onnxexport {

namespace {

std::vector<std::string> kerasInputs(OnnxGraphBuilder& b, const OnnxNode& n) {
  std::vector<std::string> ins;
  for (size_t i = 0; i < n.spec.inputs.size(); ++i) ins.push_back(b.keras(n.input(i)));
  return ins;
}

// ONNX's variadic ops (Mean, Max, Min) take every input at once.
void variadic(OnnxGraphBuilder& b, const OnnxNode& n, const char* op) {
  b.node(op, kerasInputs(b, n), n.out, n.name());
  b.setKeras(n.name(), n.out);
}

// Add and Mul are binary in ONNX: a chain x0 op x1 op x2 ...
void chain(OnnxGraphBuilder& b, const OnnxNode& n, const char* op) {
  const std::vector<std::string> ins = kerasInputs(b, n);
  std::string acc = ins[0];
  for (size_t i = 1; i < ins.size(); ++i) {
    std::string next = i + 1 == ins.size() ? n.out : b.fresh(n.name() + "/partial");
    b.node(op, {acc, ins[i]}, next, n.name());
    acc = next;
  }
  if (ins.size() == 1) b.node("Identity", {acc}, n.out, n.name());
  b.setKeras(n.name(), n.out);
}

}  // namespace

void add(OnnxGraphBuilder& b, const OnnxNode& n) {
  chain(b, n, "Add");
}

void subtract(OnnxGraphBuilder& b, const OnnxNode& n) {
  variadic(b, n, "Sub");
}

void multiply(OnnxGraphBuilder& b, const OnnxNode& n) {
  chain(b, n, "Mul");
}

void average(OnnxGraphBuilder& b, const OnnxNode& n) {
  variadic(b, n, "Mean");
}

void maximum(OnnxGraphBuilder& b, const OnnxNode& n) {
  variadic(b, n, "Max");
}

void minimum(OnnxGraphBuilder& b, const OnnxNode& n) {
  variadic(b, n, "Min");
}

void concatenate(OnnxGraphBuilder& b, const OnnxNode& n) {
  b.attr(b.node("Concat", kerasInputs(b, n), n.out, n.name()), "axis",
         n.config.at("axis").get<Index>());
  b.setKeras(n.name(), n.out);
}

}  // namespace tessel::onnxexport
