// model.summary() as Keras 2.9-2.12 prints a functional model (keras/utils/layer_utils.py
// print_summary with sequential_like = False). Keras 2.13+ appends memory sizes and drops the
// thousands separators; Keras 3 draws a box table. We follow 2.9-2.12.
#include <sstream>

#include "engine/core/Error.h"
#include "engine/graph/GraphAnalysis.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/ParameterBudget.h"

namespace tessel {

namespace {

std::string withThousands(Index v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++count;
  }
  return v < 0 ? "-" + out : out;
}

// print_row: each field is cut to its column (leaving 2 spaces except in the last column); a cut
// also happens just after the first "),", "},", "]," or "'," so lists wrap one item per line;
// rows continue until every field is consumed.
void printRow(std::ostringstream& out, std::vector<std::string> fields,
              const std::vector<int>& positions) {
  auto anyLeft = [&] {
    for (const auto& f : fields)
      if (!f.empty()) return true;
    return false;
  };
  while (anyLeft()) {
    std::string line;
    for (size_t col = 0; col < fields.size(); ++col) {
      int start = col > 0 ? positions[col - 1] : 0;
      int end = positions[col];
      int space = col != positions.size() - 1 ? 2 : 0;
      size_t cutoff = static_cast<size_t>(std::max(0, end - start - space));
      std::string fit = fields[col].substr(0, cutoff);
      size_t best = std::string::npos;
      for (const char* cond : {"),", "},", "],", "',"}) {
        size_t at = fit.find(cond);
        if (at != std::string::npos) best = std::min(best, at + 2);
      }
      if (best != std::string::npos) {
        cutoff = best;
        fit = fit.substr(0, cutoff);
      }
      if (col == 0) line += ' ';
      line += fit;
      line += std::string(static_cast<size_t>(space), ' ');
      fields[col] = cutoff < fields[col].size() ? fields[col].substr(cutoff) : std::string();
      if (static_cast<int>(line.size()) < positions[col])
        line += std::string(static_cast<size_t>(positions[col]) - line.size(), ' ');
    }
    out << line << '\n';
  }
}

}  // namespace

std::string summaryTable(const ModelSpec& spec, const LayerRegistry& registry, int width) {
  GraphAnalysis g = analyzeGraph(spec, registry);
  if (!g.report.errors.empty()) throw g.report.errors.front();
  std::vector<int> positions = {static_cast<int>(width * 0.33), static_cast<int>(width * 0.55),
                                static_cast<int>(width * 0.67), width};
  std::ostringstream out;
  out << "Model: \"" << spec.name << "\"\n";
  out << std::string(static_cast<size_t>(width), '_') << '\n';
  printRow(out, {"Layer (type)", "Output Shape", "Param #", "Connected to"}, positions);
  out << std::string(static_cast<size_t>(width), '=') << '\n';
  Index trainable = 0, nonTrainable = 0;
  Rng rng(0);
  ParameterBudget budget;  // a model too large to build is refused before its weights exist
  // Keras lists a functional model's layers in graph order (inputs first, each layer after what
  // feeds it), whatever order the file or the canvas holds them in.
  for (int i : g.order) {
    const NodeSpec& node = spec.nodes[i];
    const NodeShapes& s = g.shapes[i];
    Index params = 0;
    if (Layer* layer = g.layers[i].get()) {
      // Built one at a time and dropped right after, so memory peaks at the largest layer.
      layer->build(s.inputs, rng);
      for (const auto& v : layer->variables()) {
        params += v.value.size();
        (v.trainable ? trainable : nonTrainable) += v.value.size();
      }
      g.layers[i].reset();
    }
    // Keras 2 shows an InputLayer's output as a one-element list: [(None, 8)].
    std::string shape = s.output ? shapeToString(*s.output) : std::string("multiple");
    if (node.isInput()) shape = "[" + shape + "]";
    if (s.outputs.size() > 1) {  // a list of outputs, as Keras prints it: [(None, 8), (None, 4)]
      shape = "[";
      for (size_t k = 0; k < s.outputs.size(); ++k)
        shape += (k ? ", " : "") + shapeToString(s.outputs[k]);
      shape += "]";
    }
    std::string connected = "[";
    for (size_t k = 0; k < node.inputs.size(); ++k)
      connected +=
          (k ? ", '" : "'") + node.inputs[k] + "[0][" + std::to_string(node.inputTensor(k)) + "]'";
    connected += "]";
    printRow(out,
             {node.name + " (" + node.className + ")", shape, std::to_string(params), connected},
             positions);
    out << std::string(static_cast<size_t>(width), ' ') << '\n';
  }
  out << std::string(static_cast<size_t>(width), '=') << '\n';
  out << "Total params: " << withThousands(trainable + nonTrainable) << '\n';
  out << "Trainable params: " << withThousands(trainable) << '\n';
  out << "Non-trainable params: " << withThousands(nonTrainable) << '\n';
  out << std::string(static_cast<size_t>(width), '_') << '\n';
  return out.str();
}

std::string summaryTable(const ModelSpec& spec, int width) {
  return summaryTable(spec, LayerRegistry::instance(), width);
}

}  // namespace tessel
