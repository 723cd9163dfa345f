#pragma once
// GPU-vs-CPU checks of the recurrent layers and Embedding: SimpleRNN, LSTM, GRU (reset_after true
// and false), returning sequences or the last state, stacked, fed by an Embedding; one step each
// (forward and every gradient, 1e-5) and an Embedding + GRU text classifier through Trainer::fit.
#include "GpuBranchChecks.h"
#include "GpuChecks.h"

namespace tessel::gpucheck {

inline json rnnLayer(const std::string& cls, const std::string& name, int units, bool sequences,
                     json extra = json::object()) {
  json c = {{"name", name}, {"units", units}, {"return_sequences", sequences}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return layer(cls, c);
}

// n sequences of `steps` ids in [0, vocab), labels from a rule on them (something to learn).
inline Dataset idData(Index n, Index steps, int vocab, int classes, std::uint64_t seed) {
  Rng rng(seed);
  Tensor x({n, steps}), y({n});
  for (Index i = 0; i < n; ++i) {
    Index sum = 0;
    for (Index t = 0; t < steps; ++t) {
      const Index id = Index(rng.below(std::uint64_t(vocab)));
      x[i * steps + t] = float(id);
      sum += id * (t + 1);
    }
    y[i] = float(sum % classes);
  }
  Dataset d;
  d.x.push_back(Array::fromTensor(x));
  d.y.push_back(Array::fromTensor(y));
  return d;
}

inline std::vector<Result> checkRecurrent(int device) {
  std::vector<Result> r;
  Rng rng(17);
  const Tensor x = randomNormal({16, 5, 4}, rng);
  const Tensor y = randomNormal({16, 6}, rng);
  auto input = [](json l) {
    l["config"]["batch_input_shape"] = {nullptr, 5, 4};
    return l;
  };
  struct Case {
    std::string name;
    json layers;
  };
  std::vector<Case> cases = {
      {"SimpleRNN(tanh)", json::array({input(rnnLayer("SimpleRNN", "rnn", 8, false)),
                                       denseLayer("out", 6, "linear")})},
      {"SimpleRNN(relu), sequences",
       json::array({input(rnnLayer("SimpleRNN", "rnn", 8, true, {{"activation", "relu"}})),
                    layer("Flatten", {{"name", "f"}}), denseLayer("out", 6, "linear")})},
      {"LSTM",
       json::array({input(rnnLayer("LSTM", "lstm", 8, false)), denseLayer("out", 6, "linear")})},
      {"LSTM sequences, stacked",
       json::array({input(rnnLayer("LSTM", "l0", 8, true)), rnnLayer("LSTM", "l1", 7, false),
                    denseLayer("out", 6, "linear")})},
      {"LSTM no bias, sequences",
       json::array({input(rnnLayer("LSTM", "lstm", 6, true, {{"use_bias", false}})),
                    layer("Flatten", {{"name", "f"}}), denseLayer("out", 6, "linear")})},
      {"GRU reset_after",
       json::array({input(rnnLayer("GRU", "gru", 8, false)), denseLayer("out", 6, "linear")})},
      {"GRU reset_after, sequences, stacked",
       json::array({input(rnnLayer("GRU", "g0", 8, true)), rnnLayer("GRU", "g1", 5, false),
                    denseLayer("out", 6, "linear")})},
      {"GRU reset_before",
       json::array({input(rnnLayer("GRU", "gru", 8, false, {{"reset_after", false}})),
                    denseLayer("out", 6, "linear")})},
      {"GRU reset_before, sequences",
       json::array({input(rnnLayer("GRU", "gru", 8, true, {{"reset_after", false}})),
                    rnnLayer("SimpleRNN", "rnn", 6, false), denseLayer("out", 6, "linear")})},
  };
  for (const Case& c : cases)
    compareStep(device, sequential(c.layers), "mse", x, y, c.name, 1e-5, 1e-5, r);

  // Embedding: ids from the model input, into an LSTM and into a pooling; the table's gradient
  // sums the rows of repeated ids.
  const Dataset ids = idData(16, 7, 11, 3, 5);
  const Tensor xi = ids.x[0].toTensor(), yi = ids.y[0].toTensor();
  json emb = layer("Embedding", {{"name", "emb"}, {"input_dim", 11}, {"output_dim", 6}});
  emb["config"]["batch_input_shape"] = {nullptr, 7};
  compareStep(device,
              sequential(json::array(
                  {emb, rnnLayer("LSTM", "lstm", 8, false), denseLayer("out", 3, "softmax")})),
              "sparse_categorical_crossentropy", xi, yi, "Embedding + LSTM", 1e-5, 1e-5, r);
  compareStep(device,
              sequential(json::array({emb, layer("GlobalAveragePooling1D", {{"name", "pool"}}),
                                      denseLayer("out", 3, "softmax")})),
              "sparse_categorical_crossentropy", xi, yi, "Embedding + GlobalAveragePooling1D", 1e-5,
              1e-5, r);
  // A text classifier through Trainer::fit: Embedding, GRU, Dense; Adam, 2 epochs.
  const Dataset text = idData(400, 12, 30, 3, 6);
  json emb2 = layer("Embedding", {{"name", "emb"}, {"input_dim", 30}, {"output_dim", 8}});
  emb2["config"]["batch_input_shape"] = {nullptr, 12};
  compareFit(device,
             sequential(json::array(
                 {emb2, rnnLayer("GRU", "gru", 16, false), denseLayer("out", 3, "softmax")})),
             "sparse_categorical_crossentropy",
             {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}}, text, 32, 2, 0,
             "Embedding + GRU text classifier, Adam, 2 epochs", 1e-4, r, 0.2);
  return r;
}

}  // namespace tessel::gpucheck
