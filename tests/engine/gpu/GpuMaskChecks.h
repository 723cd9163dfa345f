#pragma once
// GPU-vs-CPU checks of Bidirectional (SimpleRNN, LSTM, GRU both resets; merge concat, sum, mul,
// ave; return_sequences either way), go_backwards, and Keras masks from Embedding(mask_zero)
// into recurrent layers (padding at the end, at the start and whole rows of it): one step each
// (forward and every gradient), and a masked Embedding + Bidirectional(LSTM) text classifier (the
// fortunes example's shape) through Trainer::fit.
#include "GpuRecurrentChecks.h"

namespace tessel::gpucheck {

inline json bidirectional(const std::string& name, const json& inner, const std::string& merge) {
  return layer("Bidirectional", {{"name", name}, {"layer", inner}, {"merge_mode", merge}});
}

// idData with padding (id 0) after a per-row length: row i keeps its first len(i) ids, len
// cycling through 0 (all padding), 1, ..., steps; with `front` the padding comes first.
inline Dataset paddedIds(Index n, Index steps, int vocab, int classes, std::uint64_t seed,
                         bool front) {
  Dataset d = idData(n, steps, vocab, classes, seed);
  Tensor x = d.x[0].toTensor();
  for (Index i = 0; i < n; ++i) {
    const Index len = i % (steps + 1);
    for (Index t = 0; t < steps; ++t) {
      float& v = x[i * steps + t];
      if (v == 0.0f) v = 1.0f;  // 0 only where padded
      const bool pad = front ? t < steps - len : t >= len;
      if (pad) v = 0.0f;
    }
  }
  d.x[0] = Array::fromTensor(x);
  return d;
}

inline std::vector<Result> checkMasks(int device) {
  std::vector<Result> r;
  Rng rng(19);
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
      {"LSTM go_backwards",
       json::array({input(rnnLayer("LSTM", "lstm", 8, false, {{"go_backwards", true}})),
                    denseLayer("out", 6, "linear")})},
      {"GRU reset_before go_backwards",
       json::array({input(rnnLayer("GRU", "gru", 8, false,
                                   {{"go_backwards", true}, {"reset_after", false}})),
                    denseLayer("out", 6, "linear")})},
  };
  for (const char* cls : {"SimpleRNN", "LSTM", "GRU"})
    for (const char* merge : {"concat", "sum", "mul", "ave"}) {
      const bool seq = std::string(merge) == "concat" || std::string(merge) == "ave";
      json inner = rnnLayer(cls, "inner", 7, seq);
      json layers = json::array({input(bidirectional("bi", inner, merge))});
      if (seq) layers.push_back(layer("Flatten", {{"name", "f"}}));
      layers.push_back(denseLayer("out", 6, "linear"));
      cases.push_back(
          {std::string("Bidirectional(") + cls + ") " + merge + (seq ? ", sequences" : ""),
           layers});
    }
  cases.push_back(
      {"Bidirectional(GRU reset_before) concat, sequences, then LSTM",
       json::array(
           {input(bidirectional("bi", rnnLayer("GRU", "inner", 6, true, {{"reset_after", false}}),
                                "concat")),
            rnnLayer("LSTM", "lstm", 5, false), denseLayer("out", 6, "linear")})});
  for (const Case& c : cases)
    compareStep(device, sequential(c.layers), "mse", x, y, c.name, 1e-5, 1e-5, r);

  // Masks: Embedding(mask_zero) into each recurrent layer and a Bidirectional LSTM; padding at
  // the end and at the start; every seventh row entirely padding (its state stays zero).
  for (bool front : {false, true}) {
    const Dataset ids = paddedIds(16, 6, 12, 3, 7, front);
    const Tensor xi = ids.x[0].toTensor(), yi = ids.y[0].toTensor();
    json emb = layer("Embedding",
                     {{"name", "emb"}, {"input_dim", 12}, {"output_dim", 5}, {"mask_zero", true}});
    emb["config"]["batch_input_shape"] = {nullptr, 6};
    const std::string where = front ? " (padding first)" : " (padding last)";
    for (const json& rec : {rnnLayer("SimpleRNN", "rnn", 6, false),
                            rnnLayer("LSTM", "lstm", 6, false), rnnLayer("GRU", "gru", 6, false),
                            rnnLayer("GRU", "gru", 6, false, {{"reset_after", false}}),
                            rnnLayer("LSTM", "lstm", 6, false, {{"go_backwards", true}}),
                            bidirectional("bi", rnnLayer("LSTM", "lstm", 6, false), "concat")}) {
      std::string name = "mask_zero Embedding + " + rec["class_name"].get<std::string>();
      if (rec["config"].value("go_backwards", false)) name += " go_backwards";
      if (rec["config"].contains("reset_after")) name += " reset_before";
      compareStep(device, sequential(json::array({emb, rec, denseLayer("out", 3, "softmax")})),
                  "sparse_categorical_crossentropy", xi, yi, name + where, 1e-5, 1e-5, r);
    }
  }
  // The fortunes example's shape through Trainer::fit: Embedding(mask_zero), Bidirectional(LSTM),
  // Dense(softmax); Adam, 2 epochs, validation split.
  const Dataset text = paddedIds(400, 12, 30, 3, 9, false);
  json emb = layer("Embedding",
                   {{"name", "emb"}, {"input_dim", 30}, {"output_dim", 8}, {"mask_zero", true}});
  emb["config"]["batch_input_shape"] = {nullptr, 12};
  compareFit(device,
             sequential(json::array(
                 {emb, bidirectional("bi", rnnLayer("LSTM", "lstm", 16, false), "concat"),
                  denseLayer("out", 3, "softmax")})),
             "sparse_categorical_crossentropy",
             {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}}, text, 32, 2, 0,
             "masked Embedding + Bidirectional(LSTM) classifier, Adam, 2 epochs", 1e-4, r, 0.2);
  return r;
}

}  // namespace tessel::gpucheck
