#pragma once
// GPU-vs-CPU checks of branching Functional graphs: merge layers (Add, Subtract, Multiply,
// Average, Maximum, Minimum, Concatenate on any axis) and tensors that several layers read (their
// gradient is the sum of the readers' shares), on Dense and convolutional models; one step each
// (forward and every gradient, 1e-5) and a residual CNN through Trainer::fit.
#include "GpuChecks.h"

namespace tessel::gpucheck {

// One node of a Functional graph built in code: layer class, config (its name is added) and the
// nodes it reads. The model input is the InputLayer "in"; the last row is the output.
struct GraphNode {
  std::string name, cls;
  json config;
  std::vector<std::string> inputs;
};

// A Functional spec by hand: `inputs` (name, batch shape), then the rows, outputs as given.
inline ModelSpec multiIo(const std::vector<std::pair<std::string, Shape>>& inputs,
                         const std::vector<GraphNode>& rows,
                         const std::vector<std::string>& outputs) {
  ModelSpec s;
  for (const auto& [name, shape] : inputs) {
    s.nodes.push_back(makeInputLayerNode(name, shape));
    s.inputs.push_back(name);
  }
  for (const GraphNode& r : rows) {
    NodeSpec n;
    n.name = r.name;
    n.className = r.cls;
    n.config = r.config.is_null() ? json::object() : r.config;
    n.config["name"] = r.name;
    n.inputs = r.inputs;
    s.nodes.push_back(std::move(n));
  }
  s.outputs = outputs;
  return s;
}

// One input "in", the last row the output.
inline ModelSpec functional(const Shape& batchShape, const std::vector<GraphNode>& rows) {
  return multiIo({{"in", batchShape}}, rows, {rows.back().name});
}

inline json denseConfig(int units, const std::string& act) {
  return {{"units", units}, {"activation", act}};
}

// A residual CNN on 12x12x3: conv, a same-padded block added back, the block's input and output
// side by side (Concatenate on channels), pooling, a Dense head.
inline ModelSpec residualCnn() {
  auto conv = [](int filters, const std::string& act) {
    return json{{"filters", filters}, {"kernel_size", 3}, {"padding", "same"},
                {"activation", act},  {"strides", 1},     {"dilation_rate", 1},
                {"use_bias", true}};
  };
  return functional({kNone, 12, 12, 3},
                    {{"c0", "Conv2D", conv(8, "relu"), {"in"}},
                     {"c1", "Conv2D", conv(8, "relu"), {"c0"}},
                     {"c2", "Conv2D", conv(8, "linear"), {"c1"}},
                     {"add", "Add", {}, {"c0", "c2"}},
                     {"cat", "Concatenate", {{"axis", -1}}, {"add", "c1"}},
                     {"pool", "MaxPooling2D", {{"pool_size", 2}, {"padding", "valid"}}, {"cat"}},
                     {"flat", "Flatten", {}, {"pool"}},
                     {"out", "Dense", denseConfig(5, "softmax"), {"flat"}}});
}

// A small U-Net: Rescaling, a skip connection around pooling, SpatialDropout2D and UpSampling2D,
// Concatenate, ZeroPadding2D and Cropping2D with uneven amounts, LayerNormalization.
inline ModelSpec unetCnn() {
  const json conv = {{"filters", 4},         {"kernel_size", 3}, {"padding", "valid"},
                     {"activation", "relu"}, {"strides", 1},     {"dilation_rate", 1},
                     {"use_bias", true}};
  json same = conv;
  same["padding"] = "same";
  return functional({kNone, 12, 12, 3},
                    {{"rs", "Rescaling", {{"scale", 0.5}, {"offset", 0.1}}, {"in"}},
                     {"c0", "Conv2D", same, {"rs"}},
                     {"pool", "MaxPooling2D", {{"pool_size", 2}, {"padding", "valid"}}, {"c0"}},
                     {"sd", "SpatialDropout2D", {{"rate", 0.3}}, {"pool"}},
                     {"c1", "Conv2D", same, {"sd"}},
                     {"up", "UpSampling2D", {{"size", 2}, {"interpolation", "nearest"}}, {"c1"}},
                     {"cat", "Concatenate", {{"axis", -1}}, {"c0", "up"}},
                     {"pad", "ZeroPadding2D", {{"padding", {{1, 2}, {0, 1}}}}, {"cat"}},
                     {"crop", "Cropping2D", {{"cropping", {{2, 1}, {1, 0}}}}, {"pad"}},
                     {"c2", "Conv2D", conv, {"crop"}},
                     {"ln", "LayerNormalization", {{"axis", {1, 2, 3}}}, {"c2"}},
                     {"flat", "Flatten", {}, {"ln"}},
                     {"out", "Dense", denseConfig(5, "softmax"), {"flat"}}});
}

inline std::vector<Result> checkBranches(int device) {
  std::vector<Result> r;
  Rng rng(13);
  const Tensor x = randomNormal({16, 12}, rng);
  const Tensor y = randomNormal({16, 6}, rng);
  // d0 read by d1 and by the Add: its gradient is the sum of two shares.
  compareStep(device,
              functional({kNone, 12}, {{"d0", "Dense", denseConfig(16, "relu"), {"in"}},
                                       {"d1", "Dense", denseConfig(16, "tanh"), {"d0"}},
                                       {"add", "Add", {}, {"d0", "d1"}},
                                       {"out", "Dense", denseConfig(6, "linear"), {"add"}}}),
              "mse", x, y, "residual Add (a tensor read twice)", 1e-5, 1e-5, r);
  // Every merge on two branches of the model input; Multiply, Average, Maximum and Minimum also
  // on three, with a branch that reads another.
  for (const char* m : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}) {
    for (int n : {2, 3}) {
      if (n == 3 && std::string(m) == "Subtract") continue;
      std::vector<GraphNode> g = {{"a", "Dense", denseConfig(10, "tanh"), {"in"}},
                                  {"b", "Dense", denseConfig(10, "sigmoid"), {"in"}}};
      std::vector<std::string> ins = {"a", "b"};
      if (n == 3) {
        g.push_back({"c", "Dense", denseConfig(10, "elu"), {"a"}});
        ins.push_back("c");
      }
      g.push_back({"merge", m, {}, ins});
      g.push_back({"out", "Dense", denseConfig(6, "linear"), {"merge"}});
      compareStep(device, functional({kNone, 12}, g), "mse", x, y,
                  std::string(m) + " of " + std::to_string(n), 1e-5, 1e-5, r);
    }
  }
  // Concatenate of the model input itself and two branches (the input read three times); one
  // layer reading one tensor twice (Add(a, a)).
  compareStep(device,
              functional({kNone, 12}, {{"a", "Dense", denseConfig(7, "relu"), {"in"}},
                                       {"b", "Dense", denseConfig(5, "selu"), {"in"}},
                                       {"cat", "Concatenate", {{"axis", -1}}, {"in", "a", "b"}},
                                       {"twice", "Dense", denseConfig(8, "tanh"), {"cat"}},
                                       {"add", "Add", {}, {"twice", "twice"}},
                                       {"out", "Dense", denseConfig(6, "linear"), {"add"}}}),
              "mse", x, y, "Concatenate(input, a, b) + Add(t, t)", 1e-5, 1e-5, r);
  // LayerNormalization: on the features (scale and center), without scale, and a Dense residual
  // around it.
  for (const auto& [name, config] : std::vector<std::pair<std::string, json>>{
           {"LayerNormalization", {{"axis", -1}}},
           {"LayerNormalization(scale=false)", {{"axis", -1}, {"scale", false}}}})
    compareStep(device,
                functional({kNone, 12}, {{"d0", "Dense", denseConfig(16, "relu"), {"in"}},
                                         {"ln", "LayerNormalization", config, {"d0"}},
                                         {"add", "Add", {}, {"d0", "ln"}},
                                         {"out", "Dense", denseConfig(6, "linear"), {"add"}}}),
                "mse", x, y, name, 1e-5, 1e-5, r);
  // The ReLU layer with every option; GaussianNoise (the same draws as the CPU's: one Rng seed).
  compareStep(
      device,
      functional({kNone, 12}, {{"d0", "Dense", denseConfig(16, "linear"), {"in"}},
                               {"relu",
                                "ReLU",
                                {{"max_value", 1.5}, {"negative_slope", 0.1}, {"threshold", 0.2}},
                                {"d0"}},
                               {"noise", "GaussianNoise", {{"stddev", 0.3}}, {"relu"}},
                               {"out", "Dense", denseConfig(6, "linear"), {"noise"}}}),
      "mse", x, y, "ReLU(max, slope, threshold) + GaussianNoise", 1e-5, 1e-5, r);
  // Convolutional: the residual CNN, and Concatenate along the height of NHWC maps (axis 1).
  const Tensor xi = randomNormal({8, 12, 12, 3}, rng);
  const Tensor yi = randomLabels(8, 5, rng);
  compareStep(device, residualCnn(), "sparse_categorical_crossentropy", xi, yi,
              "residual CNN (Add, Concatenate on channels)", 1e-5, 1e-5, r);
  const json conv = {{"filters", 4},         {"kernel_size", 3}, {"padding", "valid"},
                     {"activation", "relu"}, {"strides", 1},     {"dilation_rate", 1},
                     {"use_bias", true}};
  json wide = conv;  // (12, 10, 4) beside c0's (10, 10, 4)
  wide["kernel_size"] = {1, 3};
  compareStep(
      device,
      functional({kNone, 12, 12, 3}, {{"c0", "Conv2D", conv, {"in"}},
                                      {"c1", "Conv2D", wide, {"in"}},
                                      {"cat", "Concatenate", {{"axis", 1}}, {"c0", "c1"}},
                                      {"flat", "Flatten", {}, {"cat"}},
                                      {"out", "Dense", denseConfig(5, "softmax"), {"flat"}}}),
      "sparse_categorical_crossentropy", xi, yi, "Concatenate on the height (axis 1)", 1e-5, 1e-5,
      r);
  // U-Net style: Rescaling, a skip connection around pooling and UpSampling2D, Concatenate,
  // ZeroPadding2D and Cropping2D with uneven amounts; and UpSampling2D by (2, 3).
  compareStep(device, unetCnn(), "sparse_categorical_crossentropy", xi, yi,
              "U-Net style (Rescaling, SpatialDropout2D, UpSampling2D, ZeroPadding2D, Cropping2D, "
              "LayerNormalization)",
              1e-5, 1e-5, r);
  compareStep(
      device,
      functional({kNone, 12, 12, 3},
                 {{"c0", "Conv2D", conv, {"in"}},
                  {"up", "UpSampling2D", {{"size", {2, 3}}, {"interpolation", "nearest"}}, {"c0"}},
                  {"flat", "Flatten", {}, {"up"}},
                  {"out", "Dense", denseConfig(5, "softmax"), {"flat"}}}),
      "sparse_categorical_crossentropy", xi, yi, "UpSampling2D (2, 3)", 1e-5, 1e-5, r);
  // Through Trainer::fit: the residual CNN, Adam, 2 epochs with a validation split.
  const Dataset d = syntheticData(300, {12, 12, 3}, 5, false, 24);
  compareFit(device, residualCnn(), "sparse_categorical_crossentropy",
             {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}}, d, 32, 2, 0,
             "residual CNN, Adam, 2 epochs", 1e-4, r, 0.2);
  return r;
}

}  // namespace tessel::gpucheck
