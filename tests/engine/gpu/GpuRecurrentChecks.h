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

// Weight regularizers through Trainer::fit (the penalty in the loss, its gradient in the update):
// Dense kernel L2 and bias L1; Conv2D L1L2 and BatchNormalization gamma L2; Embedding, LSTM
// kernel / recurrent kernel; activity regularizers of Dense, Conv2D, Embedding, GRU and the
// ActivityRegularization layer (the loss and val_loss include their penalties).
inline std::vector<Result> checkRegularizers(int device) {
  std::vector<Result> r;
  auto reg = [](const char* cls, json config) {
    return json{{"class_name", cls}, {"config", std::move(config)}};
  };
  const json adam = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}};
  json d0 = denseLayer("d0", 24, "relu", 20);
  d0["config"]["kernel_regularizer"] = reg("L2", {{"l2", 0.01}});
  d0["config"]["bias_regularizer"] = reg("L1", {{"l1", 0.02}});
  compareFit(device, sequential(json::array({d0, denseLayer("out", 4, "softmax")})),
             "categorical_crossentropy", adam, syntheticData(300, {20}, 4, true, 41), 32, 2, 0,
             "Dense kernel L2 + bias L1, Adam, 2 epochs", 1e-4, r, 0.2);
  json c0 = conv2d("c0", 6, 3, "relu");
  c0["config"]["batch_input_shape"] = {nullptr, 10, 10, 2};
  c0["config"]["kernel_regularizer"] = reg("L1L2", {{"l1", 0.001}, {"l2", 0.01}});
  const json bn = layer("BatchNormalization",
                        {{"name", "bn"}, {"gamma_regularizer", reg("L2", {{"l2", 0.05}})}});
  compareFit(device,
             sequential(json::array(
                 {c0, bn, layer("Flatten", {{"name", "f"}}), denseLayer("out", 3, "softmax")})),
             "sparse_categorical_crossentropy",
             {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.02}}}},
             syntheticData(200, {10, 10, 2}, 3, false, 42), 32, 2, 0,
             "Conv2D L1L2 + BatchNormalization gamma L2, SGD, 2 epochs", 1e-4, r, 0.2);
  json emb = layer("Embedding", {{"name", "emb"},
                                 {"input_dim", 30},
                                 {"output_dim", 8},
                                 {"embeddings_regularizer", reg("L2", {{"l2", 0.01}})}});
  emb["config"]["batch_input_shape"] = {nullptr, 10};
  const json lstm = rnnLayer("LSTM", "lstm", 12, false,
                             {{"kernel_regularizer", reg("L1", {{"l1", 0.001}})},
                              {"recurrent_regularizer", reg("L2", {{"l2", 0.01}})}});
  compareFit(device, sequential(json::array({emb, lstm, denseLayer("out", 3, "softmax")})),
             "sparse_categorical_crossentropy", adam, idData(300, 10, 30, 3, 43), 32, 2, 0,
             "Embedding L2 + LSTM kernel L1 / recurrent L2, Adam, 2 epochs", 1e-4, r, 0.2);

  // Activity regularizers (Keras 2: the penalty of the layer's output divided by the batch
  // size): Dense, Conv2D, Embedding and GRU activity_regularizer, the ActivityRegularization
  // layer (on a tensor two layers read).
  json a0 = denseLayer("d0", 24, "tanh", 20);
  a0["config"]["activity_regularizer"] = reg("L1L2", {{"l1", 0.001}, {"l2", 0.01}});
  compareFit(device,
             sequential(json::array(
                 {a0, layer("ActivityRegularization", {{"name", "ar"}, {"l1", 0.002}, {"l2", 0.0}}),
                  denseLayer("out", 4, "softmax")})),
             "categorical_crossentropy", adam, syntheticData(300, {20}, 4, true, 44), 32, 2, 0,
             "Dense activity L1L2 + ActivityRegularization L1, Adam, 2 epochs", 1e-4, r, 0.2);
  json c1 = conv2d("c0", 6, 3, "relu");
  c1["config"]["batch_input_shape"] = {nullptr, 10, 10, 2};
  c1["config"]["activity_regularizer"] = reg("L2", {{"l2", 0.003}});
  compareFit(device,
             sequential(json::array(
                 {c1, layer("Flatten", {{"name", "f"}}), denseLayer("out", 3, "softmax")})),
             "sparse_categorical_crossentropy",
             {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.02}}}},
             syntheticData(200, {10, 10, 2}, 3, false, 45), 32, 2, 0,
             "Conv2D activity L2, SGD, 2 epochs", 1e-4, r, 0.2);
  json emb2 = layer("Embedding", {{"name", "emb"},
                                  {"input_dim", 30},
                                  {"output_dim", 8},
                                  {"activity_regularizer", reg("L1", {{"l1", 0.001}})}});
  emb2["config"]["batch_input_shape"] = {nullptr, 10};
  const json gru =
      rnnLayer("GRU", "gru", 12, false, {{"activity_regularizer", reg("L2", {{"l2", 0.01}})}});
  compareFit(device, sequential(json::array({emb2, gru, denseLayer("out", 3, "softmax")})),
             "sparse_categorical_crossentropy", adam, idData(300, 10, 30, 3, 46), 32, 2, 0,
             "Embedding activity L1 + GRU activity L2, Adam, 2 epochs", 1e-4, r, 0.2);
  return r;
}

}  // namespace tessel::gpucheck
