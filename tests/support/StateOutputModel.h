// A model whose outputs are LSTM states (NodeSpec output tensor index > 0), shared by the engine
// and UI tests of the places that take a model output's shape: the shape must be the state's,
// (None, units), not the sequence output's (None, steps, units). Engine-only includes.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel::testutil {

// x (None, steps, features) -> LSTM(units, return_sequences, return_state) -> [seq, h, c];
// seq -> Dense(dense) "per_step" (None, steps, dense) when asked for. Model outputs, in order, from
// `outputs`: "h" (lstm tensor 1), "c" (lstm tensor 2), "seq" (lstm tensor 0), "per_step".
inline ModelSpec lstmStateModel(const std::vector<std::string>& outputs = {"h"}, Index steps = 6,
                                Index features = 3, int units = 5, int dense = 2) {
  ModelSpec spec;
  spec.name = "state_outputs";
  spec.nodes.push_back(makeInputLayerNode("x", {kNone, steps, features}));
  NodeSpec lstm;
  lstm.name = "lstm";
  lstm.className = "LSTM";
  lstm.config = {
      {"name", "lstm"}, {"units", units}, {"return_sequences", true}, {"return_state", true}};
  lstm.inputs = {"x"};
  spec.nodes.push_back(lstm);
  const bool perStep = std::find(outputs.begin(), outputs.end(), "per_step") != outputs.end();
  NodeSpec d;  // only when it is an output (a node feeding no output is an error)
  d.name = "per_step";
  d.className = "Dense";
  d.config = {{"name", "per_step"}, {"units", dense}, {"activation", "softmax"}};
  d.inputs = {"lstm"};
  if (perStep) spec.nodes.push_back(d);
  spec.inputs = {"x"};
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string& o = outputs[i];
    spec.outputs.push_back(o == "per_step" ? "per_step" : "lstm");
    spec.setOutputTensor(i, o == "h" ? 1 : o == "c" ? 2 : 0);
  }
  return spec;
}

}  // namespace tessel::testutil
