// `tessel-bench fashion-cnn` and `fashion-separable` (aliases seed-cnn, seed-separable): the
// Fashion-MNIST CNN (Conv2D 32,32 -> MaxPool -> 64,64 -> MaxPool -> 128,128 -> MaxPool -> Flatten
// -> Dense 128 relu -> Dense 10 softmax; 3x3 same relu), and the same with SeparableConv2D after
// the first layer. SGD lr 0.01, batch 32.
// With SGD 0.01 the separable model stays at loss ~2.30 (accuracy = the class prior): Keras does
// the same (tests/fixtures/tfjs/experiments/separable_sgd.js; glorot's fan-in of the depthwise
// kernels shrinks the signal about 2/(C+1) per layer). It is a speed benchmark; Adam learns it.
// benchFashionModel() also prints the training FLOPs per sample (3 * 2 * forward multiply-adds of
// the Conv/Dense layers, formula in BenchFashionModel.cpp) and the achieved GFLOP/s; compare with
// `tessel-bench sgemm`'s gflops_peak.
#include <nlohmann/json.hpp>
#include <string>

#include "bench/BenchRegistry.h"

namespace tessel::bench {

namespace {

std::string fashionCnnJson(bool separable) {
  using json = nlohmann::json;
  json layers = json::array();
  int conv = 0, sepConv = 0, pool = 0;  // Keras numbers each layer class on its own
  auto convLayer = [&](int filters, bool first) {
    bool sep = separable && !first;
    std::string base = sep ? "separable_conv2d" : "conv2d";
    int& count = sep ? sepConv : conv;
    std::string name = count == 0 ? base : base + "_" + std::to_string(count);
    ++count;
    json config = {{"name", name},
                   {"filters", filters},
                   {"kernel_size", {3, 3}},
                   {"padding", "same"},
                   {"activation", "relu"}};
    if (first) config["batch_input_shape"] = {nullptr, 28, 28, 1};
    layers.push_back({{"class_name", sep ? "SeparableConv2D" : "Conv2D"}, {"config", config}});
  };
  auto poolLayer = [&] {
    std::string name = pool == 0 ? "max_pooling2d" : "max_pooling2d_" + std::to_string(pool);
    ++pool;
    layers.push_back(
        {{"class_name", "MaxPooling2D"}, {"config", {{"name", name}, {"pool_size", {2, 2}}}}});
  };
  convLayer(32, true);
  convLayer(32, false);
  poolLayer();
  convLayer(64, false);
  convLayer(64, false);
  poolLayer();
  convLayer(128, false);
  convLayer(128, false);
  poolLayer();
  layers.push_back({{"class_name", "Flatten"}, {"config", {{"name", "flatten"}}}});
  layers.push_back({{"class_name", "Dense"},
                    {"config", {{"name", "dense"}, {"units", 128}, {"activation", "relu"}}}});
  layers.push_back({{"class_name", "Dense"},
                    {"config", {{"name", "dense_1"}, {"units", 10}, {"activation", "softmax"}}}});
  json model = {
      {"class_name", "Sequential"},
      {"config", {{"name", separable ? "fashion_separable" : "fashion_cnn"}, {"layers", layers}}}};
  return model.dump();
}

int runFashionCnn(const BenchOptions& o) {
  return benchFashionModel(fashionCnnJson(false), o, 32, 0.01);
}
int runFashionSeparable(const BenchOptions& o) {
  return benchFashionModel(fashionCnnJson(true), o, 32, 0.01);
}

}  // namespace

TESSEL_REGISTER_BENCH(fashion_cnn, "fashion-cnn",
                      "the Fashion-MNIST CNN: Conv2D 32,32 / 64,64 / 128,128 (3x3 same relu) with "
                      "MaxPooling, Dense(128), Dense(10); SGD 0.01, batch 32",
                      runFashionCnn, {}, {"seed-cnn"});
TESSEL_REGISTER_BENCH(
    fashion_separable, "fashion-separable",
    "the Fashion-MNIST CNN with SeparableConv2D after the first Conv2D; SGD 0.01, "
    "batch 32",
    runFashionSeparable, {}, {"seed-separable"});

}  // namespace tessel::bench
