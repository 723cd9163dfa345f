// `tessel-bench fashion-mlp` (alias seed-mlp): the Fashion-MNIST MLP (Flatten, 20 x Dense(100,
// selu), AlphaDropout(0.5), Dense(10, softmax); SGD lr 0.01, batch 32, sparse categorical
// crossentropy).
#include <nlohmann/json.hpp>
#include <string>

#include "bench/BenchRegistry.h"

namespace tessel::bench {

std::string fashionMlpJson() {
  using json = nlohmann::json;
  json layers = json::array();
  layers.push_back({{"class_name", "Flatten"},
                    {"config", {{"name", "flatten"}, {"batch_input_shape", {nullptr, 28, 28}}}}});
  for (int i = 0; i < 20; ++i) {
    std::string name = i == 0 ? "dense" : "dense_" + std::to_string(i);
    layers.push_back({{"class_name", "Dense"},
                      {"config", {{"name", name}, {"units", 100}, {"activation", "selu"}}}});
  }
  layers.push_back(
      {{"class_name", "AlphaDropout"}, {"config", {{"name", "alpha_dropout"}, {"rate", 0.5}}}});
  layers.push_back({{"class_name", "Dense"},
                    {"config", {{"name", "dense_20"}, {"units", 10}, {"activation", "softmax"}}}});
  json model = {{"class_name", "Sequential"},
                {"config", {{"name", "fashion_mlp"}, {"layers", layers}}}};
  return model.dump();
}

namespace {

int runFashionMlp(const BenchOptions& o) {
  return benchFashionModel(fashionMlpJson(), o, 32, 0.01);
}

}  // namespace

TESSEL_REGISTER_BENCH(fashion_mlp, "fashion-mlp",
                      "the Fashion-MNIST MLP: Flatten, 20 x Dense(100, selu), AlphaDropout, "
                      "Dense(10); SGD 0.01, batch 32",
                      runFashionMlp, {}, {"seed-mlp"});

}  // namespace tessel::bench
