#pragma once
// GPU-vs-CPU checks of the sequence layers: Attention with dot scores (two and three inputs, the
// same tensor as query and value, use_scale, use_causal_mask), MultiHeadAttention (heads,
// value_dim, output_shape, no bias, causal; a Transformer encoder block through fit),
// Dot (axes first or last, vectors), TimeDistributed(Dense), Masking, Normalization (adapted),
// RepeatVector, Permute, and Keras masks past a recurrent layer with return_sequences (into a
// second recurrent layer, into Attention as query and value masks, padded rows included): one step
// each (forward and every gradient, 1e-5); and the dates seq2seq example's shape (two masked
// inputs, encoder and decoder LSTMs, Attention, Concatenate, a softmax per step) through
// Trainer::fit.
#include "GpuMaskChecks.h"
#include "GpuMultiIoChecks.h"

namespace tessel::gpucheck {

inline json attentionConfig(bool scale, bool causal) {
  return {{"use_scale", scale}, {"use_causal_mask", causal}};
}

// On (n, 6, 4): Dense query and value, [q, v] (the key is the value: both 8 wide) or [q, v, k]
// (the value 5 wide), Attention, Flatten, Dense(3).
inline ModelSpec attentionModel(bool scale, bool causal, bool key,
                                const std::string& cls = "Attention",
                                const std::string& mode = "dot") {
  std::vector<GraphNode> rows = {{"q", "Dense", denseConfig(8, "tanh"), {"in"}},
                                 {"v", "Dense", denseConfig(key ? 5 : 8, "linear"), {"in"}}};
  if (key) rows.push_back({"k", "Dense", denseConfig(8, "linear"), {"in"}});
  json config = attentionConfig(scale, causal);
  if (cls == "Attention") config["score_mode"] = mode;
  rows.push_back(
      {"att", cls, config,
       key ? std::vector<std::string>{"q", "v", "k"} : std::vector<std::string>{"q", "v"}});
  rows.push_back({"flat", "Flatten", {}, {"att"}});
  rows.push_back({"out", "Dense", denseConfig(3, "linear"), {"flat"}});
  return functional({kNone, 6, 4}, rows);
}

// A Transformer encoder block on (n, 8) ids: Embedding, MultiHeadAttention (self, 2 heads), Add,
// LayerNormalization, a Dense feed-forward, Add, LayerNormalization, global average pooling,
// Dense(3, softmax).
inline ModelSpec transformerBlock() {
  const json mha = {{"num_heads", 2}, {"key_dim", 4}};
  return functional({kNone, 8},
                    {{"emb", "Embedding", {{"input_dim", 20}, {"output_dim", 8}}, {"in"}},
                     {"mha", "MultiHeadAttention", mha, {"emb", "emb"}},
                     {"add1", "Add", {}, {"emb", "mha"}},
                     {"ln1", "LayerNormalization", {}, {"add1"}},
                     {"ff", "Dense", denseConfig(8, "relu"), {"ln1"}},
                     {"add2", "Add", {}, {"ln1", "ff"}},
                     {"ln2", "LayerNormalization", {}, {"add2"}},
                     {"pool", "GlobalAveragePooling1D", {}, {"ln2"}},
                     {"out", "Dense", denseConfig(3, "softmax"), {"pool"}}});
}

// resources/examples/dates_seq2seq's shape: source ids (n, ts) and decoder input ids (n, tt),
// each Embedding(mask_zero) into an LSTM(16) with return_sequences; Attention([decoder,
// encoder]); Concatenate([decoder, attention]); Dense(classes, softmax) at every step.
inline ModelSpec datesSeq2seq(Index ts, Index tt, int vocab, int classes) {
  return multiIo({{"source", {kNone, ts}}, {"target_in", {kNone, tt}}},
                 {{"enc_emb",
                   "Embedding",
                   {{"input_dim", vocab}, {"output_dim", 8}, {"mask_zero", true}},
                   {"source"}},
                  {"encoder", "LSTM", {{"units", 16}, {"return_sequences", true}}, {"enc_emb"}},
                  {"dec_emb",
                   "Embedding",
                   {{"input_dim", classes}, {"output_dim", 8}, {"mask_zero", true}},
                   {"target_in"}},
                  {"decoder", "LSTM", {{"units", 16}, {"return_sequences", true}}, {"dec_emb"}},
                  {"attention", "Attention", attentionConfig(false, false), {"decoder", "encoder"}},
                  {"cat", "Concatenate", {{"axis", -1}}, {"decoder", "attention"}},
                  {"chars", "Dense", denseConfig(classes, "softmax"), {"cat"}}},
                 {"chars"});
}

// Keras's encoder-decoder: an encoder `cls` (LSTM, GRU, SimpleRNN) on (n, 6, 4) returns its
// final states (return_state), the decoder on (n, 5, 3) starts from them (initial_state), its
// sequence into Flatten; the encoder's h is also read by a Dense; Concatenate, Dense(3).
inline ModelSpec encoderDecoder(const std::string& cls, bool encoderBackwards) {
  const bool lstm = cls == "LSTM";
  ModelSpec spec =
      multiIo({{"enc_in", {kNone, 6, 4}}, {"dec_in", {kNone, 5, 3}}},
              {{"enc",
                cls,
                {{"units", 7}, {"return_state", true}, {"go_backwards", encoderBackwards}},
                {"enc_in"}},
               {"dec",
                cls,
                {{"units", 7}, {"return_sequences", true}},
                lstm ? std::vector<std::string>{"dec_in", "enc", "enc"}
                     : std::vector<std::string>{"dec_in", "enc"}},
               {"flat", "Flatten", {}, {"dec"}},
               {"side", "Dense", denseConfig(4, "tanh"), {"enc"}},
               {"cat", "Concatenate", {{"axis", -1}}, {"flat", "side"}},
               {"out", "Dense", denseConfig(3, "linear"), {"cat"}}},
              {"out"});
  for (NodeSpec& node : spec.nodes) {
    if (node.name == "dec") {
      node.setInputTensor(1, 1);            // the encoder's h
      if (lstm) node.setInputTensor(2, 2);  // and c
    }
    if (node.name == "side") node.setInputTensor(0, 1);  // the encoder's h again
  }
  return spec;
}

inline std::vector<Result> checkSequence(int device) {
  std::vector<Result> r;
  Rng rng(23);
  const Index n = 16;
  // Attention on a float sequence (n, 6, 4): query and value (and key) from Dense layers.
  const Tensor x = randomNormal({n, 6, 4}, rng);
  const Tensor y = randomNormal({n, 3}, rng);
  struct Case {
    std::string name;
    ModelSpec spec;
  };
  std::vector<Case> cases;
  for (bool scale : {false, true})
    for (bool causal : {false, true})
      cases.push_back({std::string("Attention [q, v]") + (scale ? " use_scale" : "") +
                           (causal ? " causal" : ""),
                       attentionModel(scale, causal, false)});
  cases.push_back({"Attention [q, v, k] use_scale causal", attentionModel(true, true, true)});
  cases.push_back({"Attention [q, v, k]", attentionModel(false, false, true)});
  for (bool scale : {false, true}) {
    const std::string sc = scale ? " use_scale" : "";
    cases.push_back({"Attention score_mode concat [q, v]" + sc,
                     attentionModel(scale, false, false, "Attention", "concat")});
    cases.push_back({"Attention score_mode concat [q, v, k] causal" + sc,
                     attentionModel(scale, true, true, "Attention", "concat")});
    cases.push_back({"AdditiveAttention [q, v]" + sc,
                     attentionModel(scale, false, false, "AdditiveAttention")});
    cases.push_back({"AdditiveAttention [q, v, k] causal" + sc,
                     attentionModel(scale, true, true, "AdditiveAttention")});
  }
  cases.push_back(
      {"Attention [h, h] (self-attention, one tensor read twice)",
       functional({kNone, 6, 4}, {{"h", "Dense", denseConfig(8, "tanh"), {"in"}},
                                  {"att", "Attention", attentionConfig(true, false), {"h", "h"}},
                                  {"flat", "Flatten", {}, {"att"}},
                                  {"out", "Dense", denseConfig(3, "linear"), {"flat"}}})});
  cases.push_back(
      {"MultiHeadAttention [h, h] 2 heads key_dim 3",
       functional({kNone, 6, 4},
                  {{"h", "Dense", denseConfig(8, "tanh"), {"in"}},
                   {"mha", "MultiHeadAttention", {{"num_heads", 2}, {"key_dim", 3}}, {"h", "h"}},
                   {"flat", "Flatten", {}, {"mha"}},
                   {"out", "Dense", denseConfig(3, "linear"), {"flat"}}})});
  cases.push_back(
      {"MultiHeadAttention [q, v, k] 3 heads value_dim 4 output_shape 5 no bias causal",
       functional({kNone, 6, 4}, {{"q", "Dense", denseConfig(7, "tanh"), {"in"}},
                                  {"v", "Dense", denseConfig(5, "linear"), {"in"}},
                                  {"k", "Dense", denseConfig(6, "linear"), {"in"}},
                                  {"mha",
                                   "MultiHeadAttention",
                                   {{"num_heads", 3},
                                    {"key_dim", 2},
                                    {"value_dim", 4},
                                    {"output_shape", 5},
                                    {"use_bias", false},
                                    {"use_causal_mask", true}},
                                   {"q", "v", "k"}},
                                  {"flat", "Flatten", {}, {"mha"}},
                                  {"out", "Dense", denseConfig(3, "linear"), {"flat"}}})});
  // Dot: vectors (axes 1), sequences on their last axes (2, 2), the dot axis first on both (1, 1:
  // stored transposed), and (2, 1) against a permuted tensor.
  auto dotModel = [](const json& axes, bool permuted) {
    std::vector<GraphNode> rows = {{"a", "Dense", denseConfig(8, "tanh"), {"in"}},
                                   {"b", "Dense", denseConfig(permuted ? 8 : 5, "linear"), {"in"}}};
    std::string second = "b";
    if (permuted) {
      rows.push_back({"bp", "Permute", {{"dims", {2, 1}}}, {"b"}});
      second = "bp";
    }
    rows.push_back({"dot", "Dot", {{"axes", axes}}, {"a", second}});
    rows.push_back({"flat", "Flatten", {}, {"dot"}});
    rows.push_back({"out", "Dense", denseConfig(3, "linear"), {"flat"}});
    return functional({kNone, 6, 4}, rows);
  };
  cases.push_back({"Dot axes (1, 1): the dot axis first", dotModel({1, 1}, false)});
  cases.push_back({"Dot axes (2, 1) with a permuted tensor", dotModel({2, 1}, true)});
  cases.push_back(
      {"Dot axes (2, 2) and axes 1 on vectors",
       functional({kNone, 6, 4}, {{"a", "Dense", denseConfig(8, "tanh"), {"in"}},
                                  {"b", "Dense", denseConfig(8, "linear"), {"in"}},
                                  {"dot", "Dot", {{"axes", {2, 2}}}, {"a", "b"}},
                                  {"flat", "Flatten", {}, {"dot"}},
                                  {"u", "Dense", denseConfig(5, "tanh"), {"flat"}},
                                  {"v", "Dense", denseConfig(5, "tanh"), {"flat"}},
                                  {"uv", "Dot", {{"axes", 1}}, {"u", "v"}},
                                  {"out", "Dense", denseConfig(3, "linear"), {"uv"}}})});
  cases.push_back(
      {"Permute (2, 1) then Dense on rank 3",
       functional({kNone, 6, 4}, {{"p", "Permute", {{"dims", {2, 1}}}, {"in"}},
                                  {"d", "Dense", denseConfig(5, "tanh"), {"p"}},
                                  {"flat", "Flatten", {}, {"d"}},
                                  {"out", "Dense", denseConfig(3, "linear"), {"flat"}}})});
  cases.push_back(
      {"Reshape (2, 3, 4), Permute (3, 1, 2)",
       functional({kNone, 6, 4}, {{"d", "Dense", denseConfig(4, "tanh"), {"in"}},
                                  {"r", "Reshape", {{"target_shape", {2, 3, 4}}}, {"d"}},
                                  {"p", "Permute", {{"dims", {3, 1, 2}}}, {"r"}},
                                  {"flat", "Flatten", {}, {"p"}},
                                  {"out", "Dense", denseConfig(3, "linear"), {"flat"}}})});
  cases.push_back(
      {"RepeatVector 5 into an LSTM with return_sequences",
       functional({kNone, 6, 4},
                  {{"flat0", "Flatten", {}, {"in"}},
                   {"d", "Dense", denseConfig(7, "tanh"), {"flat0"}},
                   {"rep", "RepeatVector", {{"n", 5}}, {"d"}},
                   {"lstm", "LSTM", {{"units", 6}, {"return_sequences", true}}, {"rep"}},
                   {"flat", "Flatten", {}, {"lstm"}},
                   {"out", "Dense", denseConfig(3, "linear"), {"flat"}}})});
  cases.push_back(
      {"TimeDistributed(Dense) then LSTM",
       functional(
           {kNone, 6, 4},
           {{"td",
             "TimeDistributed",
             {{"layer",
               {{"class_name", "Dense"}, {"config", {{"units", 5}, {"activation", "relu"}}}}}},
             {"in"}},
            {"lstm", "LSTM", {{"units", 6}}, {"td"}},
            {"out", "Dense", denseConfig(3, "linear"), {"lstm"}}})});
  for (const Case& c : cases) compareStep(device, c.spec, "mse", x, y, c.name, 1e-5, 1e-5, r);

  // Masking on a float sequence: steps whose values all equal mask_value (0) are masked, in the
  // middle, at the end and whole rows.
  {
    Tensor xm = x;
    for (Index i = 0; i < n; ++i)
      for (Index t = 0; t < 6; ++t) {
        const bool masked = (i % 5 == 0) || (t == 5 && i % 2 == 0) || (t == 2 && i % 3 == 1);
        if (masked)
          for (Index j = 0; j < 4; ++j) xm[(i * 6 + t) * 4 + j] = 0.0f;
      }
    compareStep(device,
                functional({kNone, 6, 4},
                           {{"mask", "Masking", {{"mask_value", 0.0}}, {"in"}},
                            {"lstm", "LSTM", {{"units", 6}, {"return_sequences", true}}, {"mask"}},
                            {"gru", "GRU", {{"units", 5}}, {"lstm"}},
                            {"out", "Dense", denseConfig(3, "linear"), {"gru"}}}),
                "mse", xm, y, "Masking into LSTM sequences, GRU", 1e-5, 1e-5, r);
  }

  // Masks past return_sequences: Embedding(mask_zero) -> recurrent layer (sequences) -> a second
  // recurrent layer, or -> Attention as query and value; padding last and first; every seventh
  // row entirely padding (its Attention row: Keras's softmax of scores - 1e9).
  for (bool front : {false, true}) {
    const Dataset ids = paddedIds(16, 6, 12, 3, 7, front);
    const Tensor xi = ids.x[0].toTensor(), yi = ids.y[0].toTensor();
    const std::string where = front ? " (padding first)" : " (padding last)";
    const json emb = {{"input_dim", 12}, {"output_dim", 5}, {"mask_zero", true}};
    auto seq = [](int units) { return json{{"units", units}, {"return_sequences", true}}; };
    std::vector<Case> masked = {
        {"mask through LSTM sequences into GRU",
         functional({kNone, 6}, {{"emb", "Embedding", emb, {"in"}},
                                 {"lstm", "LSTM", seq(6), {"emb"}},
                                 {"gru", "GRU", {{"units", 5}}, {"lstm"}},
                                 {"out", "Dense", denseConfig(3, "softmax"), {"gru"}}})},
        {"mask through Bidirectional(GRU) sequences into SimpleRNN",
         functional({kNone, 6},
                    {{"emb", "Embedding", emb, {"in"}},
                     {"bi",
                      "Bidirectional",
                      {{"layer", rnnLayer("GRU", "g", 4, true)}, {"merge_mode", "concat"}},
                      {"emb"}},
                     {"rnn", "SimpleRNN", {{"units", 5}}, {"bi"}},
                     {"out", "Dense", denseConfig(3, "softmax"), {"rnn"}}})},
        {"mask into Attention [h, h] use_scale, then Flatten",
         functional({kNone, 6}, {{"emb", "Embedding", emb, {"in"}},
                                 {"gru", "GRU", seq(6), {"emb"}},
                                 {"att", "Attention", attentionConfig(true, false), {"gru", "gru"}},
                                 {"flat", "Flatten", {}, {"att"}},
                                 {"out", "Dense", denseConfig(3, "softmax"), {"flat"}}})},
        {"mask through Bidirectional(LSTM) sequences into Flatten (masked steps output 0)",
         functional({kNone, 6},
                    {{"emb", "Embedding", emb, {"in"}},
                     {"bi",
                      "Bidirectional",
                      {{"layer", rnnLayer("LSTM", "l", 4, true)}, {"merge_mode", "concat"}},
                      {"emb"}},
                     {"flat", "Flatten", {}, {"bi"}},
                     {"out", "Dense", denseConfig(3, "softmax"), {"flat"}}})},
        {"mask into GlobalAveragePooling1D (the text classification tutorial's shape)",
         functional({kNone, 6}, {{"emb", "Embedding", emb, {"in"}},
                                 {"pool", "GlobalAveragePooling1D", {}, {"emb"}},
                                 {"out", "Dense", denseConfig(3, "softmax"), {"pool"}}})},
        {"mask through GRU sequences into GlobalAveragePooling1D and GlobalMaxPooling1D",
         functional({kNone, 6}, {{"emb", "Embedding", emb, {"in"}},
                                 {"gru", "GRU", seq(6), {"emb"}},
                                 {"avg", "GlobalAveragePooling1D", {}, {"gru"}},
                                 {"max", "GlobalMaxPooling1D", {}, {"gru"}},
                                 {"cat", "Concatenate", {{"axis", -1}}, {"avg", "max"}},
                                 {"out", "Dense", denseConfig(3, "softmax"), {"cat"}}})},
        {"mask into MultiHeadAttention [h, h] 2 heads, then Flatten",
         functional(
             {kNone, 6},
             {{"emb", "Embedding", emb, {"in"}},
              {"lstm", "LSTM", seq(6), {"emb"}},
              {"mha", "MultiHeadAttention", {{"num_heads", 2}, {"key_dim", 4}}, {"lstm", "lstm"}},
              {"flat", "Flatten", {}, {"mha"}},
              {"out", "Dense", denseConfig(3, "softmax"), {"flat"}}})},
        {"mask into causal Attention, Concatenate, Dense, LSTM",
         functional({kNone, 6},
                    {{"emb", "Embedding", emb, {"in"}},
                     {"lstm", "LSTM", seq(6), {"emb"}},
                     {"att", "Attention", attentionConfig(false, true), {"lstm", "lstm"}},
                     {"cat", "Concatenate", {{"axis", -1}}, {"lstm", "att"}},
                     {"d", "Dense", denseConfig(5, "tanh"), {"cat"}},
                     {"last", "LSTM", {{"units", 4}}, {"d"}},
                     {"out", "Dense", denseConfig(3, "softmax"), {"last"}}})},
    };
    for (const Case& c : masked)
      compareStep(device, c.spec, "sparse_categorical_crossentropy", xi, yi, c.name + where, 1e-5,
                  1e-5, r);
  }

  // return_state and initial_state (Keras's encoder-decoder): an encoder LSTM / GRU returns its
  // final states, the decoder starts from them (its sequence into Flatten, Dense), and the
  // encoder's h is also read by a Dense (a state read by two layers); both go_backwards and not.
  {
    const Tensor xd = randomNormal({n, 5, 3}, rng);
    for (const char* cls : {"LSTM", "GRU", "SimpleRNN"})
      for (bool back : {false, true}) {
        const ModelSpec spec = encoderDecoder(cls, back);
        compareStepMulti(device, spec, "mse", {x, xd}, y,
                         std::string(cls) + " return_state into a decoder's initial_state" +
                             (back ? " (encoder go_backwards)" : ""),
                         r);
      }
  }

  // IntegerLookup on the host (every step): ids into an Embedding, and multi_hot into a Dense;
  // raw values from the vocabulary and out of it (the OOV index).
  {
    Rng lr(41);
    const std::vector<float> values = {3, 7, 11, 20, 42, 5, 99};  // 5, 99: out of vocabulary
    Tensor raw({n, 6});
    for (Index i = 0; i < raw.size(); ++i) raw[i] = values[size_t(lr.below(values.size()))];
    const json lookup = {{"vocabulary", {3, 7, 11, 20, 42}}};
    json multi = lookup;
    multi["output_mode"] = "multi_hot";
    compareStep(device,
                functional({kNone, 6},
                           {{"ids", "IntegerLookup", lookup, {"in"}},
                            {"emb", "Embedding", {{"input_dim", 6}, {"output_dim", 4}}, {"ids"}},
                            {"pool", "GlobalAveragePooling1D", {}, {"emb"}},
                            {"out", "Dense", denseConfig(3, "linear"), {"pool"}}}),
                "mse", raw, y, "IntegerLookup ids into Embedding", 1e-5, 1e-5, r);
    compareStep(device,
                functional({kNone, 6}, {{"hot", "IntegerLookup", multi, {"in"}},
                                        {"out", "Dense", denseConfig(3, "linear"), {"hot"}}}),
                "mse", raw, y, "IntegerLookup multi_hot into Dense", 1e-5, 1e-5, r);
  }

  // Normalization adapted on the training rows (Trainer::fit adapts it before the run) into an
  // MLP, and with invert on a regression output's path.
  {
    Rng nr(37);
    Dataset tab;
    Tensor xt = randomNormal({300, 6}, nr), yt({300, 1});
    for (Index i = 0; i < 300; ++i) {
      xt[i * 6 + 1] = xt[i * 6 + 1] * 40.0f + 100.0f;  // features on different scales
      xt[i * 6 + 4] = xt[i * 6 + 4] * 0.01f - 3.0f;
      yt[i] = xt[i * 6] + 0.02f * xt[i * 6 + 1] + float(nr.uniform());
    }
    tab.x = {Array::fromTensor(xt)};
    tab.y = {Array::fromTensor(yt)};
    compareFit(device,
               functional({kNone, 6}, {{"norm", "Normalization", {{"axis", -1}}, {"in"}},
                                       {"h", "Dense", denseConfig(16, "relu"), {"norm"}},
                                       {"out", "Dense", denseConfig(1, "linear"), {"h"}}}),
               "mse", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}, tab, 32, 2,
               0, "Normalization (adapted) into an MLP, Adam, 2 epochs", 1e-4, r, 0.2);
  }

  // A Transformer encoder block through Trainer::fit: Embedding, MultiHeadAttention (self, 2
  // heads), Add, LayerNormalization, a Dense feed-forward, Add, LayerNormalization, global
  // average pooling, softmax; Adam, 2 epochs, validation split 0.2.
  {
    compareFit(device, transformerBlock(), "sparse_categorical_crossentropy",
               {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}},
               idData(320, 8, 20, 3, 31), 32, 2, 0,
               "Transformer encoder block (MultiHeadAttention), Adam, 2 epochs", 1e-4, r, 0.2);
  }

  // resources/examples/dates_seq2seq's shape through Trainer::fit: source ids (n, 10) and
  // decoder input ids (n, 6), each Embedding(mask_zero) into an LSTM with return_sequences;
  // Attention([decoder, encoder]); Concatenate([decoder, attention]); Dense(softmax) at every
  // step; sparse crossentropy per step; Adam, 2 epochs, validation split 0.2.
  {
    const Index m = 320, ts = 10, tt = 6;
    const int vocab = 14, classes = 9;
    Rng dr(29);
    Tensor src({m, ts}), tgt({m, tt}), lab({m, tt});
    for (Index i = 0; i < m; ++i) {
      const Index len = 3 + Index(dr.below(std::uint64_t(ts - 2)));  // 3..ts
      for (Index t = 0; t < ts; ++t)
        src[i * ts + t] = t < len ? float(1 + dr.below(std::uint64_t(vocab - 1))) : 0.0f;
      for (Index t = 0; t < tt; ++t) {
        const float c = float(1 + (Index(src[i * ts + t % len]) + t) % (classes - 1));
        lab[i * tt + t] = c;
        tgt[i * tt + t] = t == 0 ? 1.0f : lab[i * tt + t - 1];
      }
    }
    MultiIoCase c{"dates seq2seq shape (2 masked inputs, LSTMs, Attention), Adam",
                  datesSeq2seq(ts, tt, vocab, classes),
                  {},
                  {}};
    c.compile.losses = {"sparse_categorical_crossentropy"};
    c.compile.metrics = {{"accuracy"}};
    c.compile.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}};
    c.data.x = {Array::fromTensor(src), Array::fromTensor(tgt)};
    c.data.y = {Array::fromTensor(lab)};
    compareMultiIoFit(device, c, r);
  }
  return r;
}

// What the GPU plan draws on the host, as the CPU layers draw it (same random stream, so the two
// devices' fits agree): recurrent input dropout (LSTM, Bidirectional(GRU)) and the image
// augmentation layers at the input (RandomFlip, RandomRotation, RandomContrast, in a chain),
// through Trainer::fit; Adam, 2 epochs, validation split 0.2.
inline std::vector<Result> checkHostDraws(int device) {
  std::vector<Result> r;
  const json adam = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.003}}}};
  compareFit(
      device,
      functional({kNone, 10}, {{"emb", "Embedding", {{"input_dim", 30}, {"output_dim", 8}}, {"in"}},
                               {"lstm", "LSTM", {{"units", 12}, {"dropout", 0.3}}, {"emb"}},
                               {"out", "Dense", denseConfig(3, "softmax"), {"lstm"}}}),
      "sparse_categorical_crossentropy", adam, idData(300, 10, 30, 3, 47), 32, 2, 0,
      "LSTM dropout 0.3, Adam, 2 epochs", 1e-4, r, 0.2);
  compareFit(
      device,
      functional({kNone, 10}, {{"emb",
                                "Embedding",
                                {{"input_dim", 30}, {"output_dim", 8}, {"mask_zero", true}},
                                {"in"}},
                               {"bi",
                                "Bidirectional",
                                {{"layer", rnnLayer("GRU", "g", 8, false, {{"dropout", 0.25}})},
                                 {"merge_mode", "concat"}},
                                {"emb"}},
                               {"out", "Dense", denseConfig(3, "softmax"), {"bi"}}}),
      "sparse_categorical_crossentropy", adam, paddedIds(300, 10, 30, 3, 48, false), 32, 2, 0,
      "masked Bidirectional(GRU dropout 0.25), Adam, 2 epochs", 1e-4, r, 0.2);
  compareFit(
      device,
      functional({kNone, 12, 12, 2}, {{"flip", "RandomFlip", {{"mode", "horizontal"}}, {"in"}},
                                      {"rot", "RandomRotation", {{"factor", 0.1}}, {"flip"}},
                                      {"contrast", "RandomContrast", {{"factor", 0.3}}, {"rot"}},
                                      {"c0",
                                       "Conv2D",
                                       {{"filters", 6}, {"kernel_size", 3}, {"activation", "relu"}},
                                       {"contrast"}},
                                      {"pool", "MaxPooling2D", {{"pool_size", 2}}, {"c0"}},
                                      {"flat", "Flatten", {}, {"pool"}},
                                      {"out", "Dense", denseConfig(3, "softmax"), {"flat"}}}),
      "sparse_categorical_crossentropy", adam, syntheticData(256, {12, 12, 2}, 3, false, 49), 32, 2,
      0, "RandomFlip, RandomRotation, RandomContrast into a CNN, Adam, 2 epochs", 1e-4, r, 0.2);
  return r;
}

// Batches of more than 2^20 values per tensor (the element-wise kernels once skipped everything
// past 2^20: their grid was capped at 4096 blocks of 256 threads): Rescaling, the ReLU layer, Add,
// Concatenate, UpSampling2D, a convolution and pooling on (32, 48, 48, 16) = 1,179,648 values,
// 4.7M after the upsampling; one step, forward and every gradient.
inline std::vector<Result> checkLargeTensors(int device) {
  std::vector<Result> r;
  Rng rng(53);
  const Tensor x = randomNormal({32, 48, 48, 16}, rng);
  const Tensor y = randomNormal({32, 3}, rng);
  const json conv = {{"filters", 4}, {"kernel_size", 3}, {"padding", "same"}};
  compareStep(device,
              functional({kNone, 48, 48, 16},
                         {{"scaled", "Rescaling", {{"scale", 0.5}, {"offset", 0.1}}, {"in"}},
                          {"relu", "ReLU", {}, {"scaled"}},
                          {"add", "Add", {}, {"in", "relu"}},
                          {"cat", "Concatenate", {{"axis", -1}}, {"add", "in"}},
                          {"up", "UpSampling2D", {{"size", 2}}, {"cat"}},
                          {"c", "Conv2D", conv, {"up"}},
                          {"pool", "GlobalAveragePooling2D", {}, {"c"}},
                          {"out", "Dense", denseConfig(3, "linear"), {"pool"}}}),
              "mse", x, y, "element-wise layers on more than 2^20 values per batch", 1e-5, 1e-5, r);
  return r;
}

}  // namespace tessel::gpucheck
