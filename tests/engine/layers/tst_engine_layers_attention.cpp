// RepeatVector, Permute, TimeDistributed, Attention, AdditiveAttention and MultiHeadAttention:
// hand-computed forwards, finite-difference gradients of every input and weight (each score mode,
// causal masks, three inputs, dropout in training), Keras weight names / shapes / Param #, and
// bad configs or shapes refused with a SpecError naming the node. The last case trains a small
// Transformer encoder block (MHA + Add + LayerNormalization + Dense) drawn as a ModelSpec.
// Keras masks (Keras 2 semantics): finite-difference gradients with query / value / key masks,
// padded keys weighted 0, fully padded rows as Keras's -1e9 makes them, the output's mask, and
// Embedding(mask_zero) -> attention in a model.
#include <QtTest>

#include <cmath>

#include "engine/graph/ModelSpec.h"
#include "engine/layers/Attention.h"
#include "engine/layers/MultiHeadAttention.h"
#include "engine/layers/TimeDistributed.h"
#include "engine/train/Trainer.h"
#include "tests/engine/layers/LayerTestUtil.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

Tensor rnd(const Shape& s, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Rng rng(seed);
  return randomTensor(s, rng, lo, hi);
}

// Randomizes every variable (so scale/ones-initialized weights are not at a special point).
void randomizeWeights(Layer& layer, std::uint64_t seed) {
  Rng rng(seed);
  for (Variable& v : layer.variables())
    for (Index i = 0; i < v.value.size(); ++i) v.value[i] = rng.uniform(-0.8f, 0.8f);
}

// A (n, t) 0/1 mask from rows of 0/1.
Tensor maskOf(const std::vector<std::vector<float>>& rows) {
  Tensor m({Index(rows.size()), Index(rows[0].size())});
  for (size_t b = 0; b < rows.size(); ++b)
    for (size_t i = 0; i < rows[b].size(); ++i) m[Index(b * rows[b].size() + i)] = rows[b][i];
  return m;
}

json tdDense(int units) {
  return {
      {"layer", {{"class_name", "Dense"}, {"config", {{"units", units}, {"activation", "tanh"}}}}}};
}

}  // namespace

class TestAttentionLayers : public QObject {
  Q_OBJECT
 private slots:
  void repeatVector() {
    auto r = makeBuilt("RepeatVector", {{"n", 3}}, {{kNone, 2}});
    QCOMPARE(r->outputShape({{kNone, 2}}), Shape({kNone, 3, 2}));
    Tensor y = runForward(*r, {Tensor({2, 2}, {1, 2, 3, 4})});
    QCOMPARE(y.shape(), Shape({2, 3, 2}));
    QVERIFY(near(y, {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
    QVERIFY(checkLayerGradients(*r, {rnd({3, 4}, 1)}));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("RepeatVector", {{"n", 2}})->outputShape({{kNone, 2, 3}});
        },
        SpecErrorKind::ShapeMismatch, "node", "rank 2"));
    QVERIFY(configRoundTrips("RepeatVector", {{"n", 4}}));
  }

  void permute() {
    auto p = makeBuilt("Permute", {{"dims", {2, 1}}}, {{kNone, 2, 3}});
    QCOMPARE(p->outputShape({{kNone, 2, 3}}), Shape({kNone, 3, 2}));
    Tensor y = runForward(*p, {Tensor({1, 2, 3}, {1, 2, 3, 4, 5, 6})});
    QCOMPARE(y.shape(), Shape({1, 3, 2}));
    QVERIFY(near(y, {1, 4, 2, 5, 3, 6}));
    // (N, 2, 3, 4) with dims (3, 1, 2): y[b, k, i, j] = x[b, i, j, k].
    auto p3 = makeBuilt("Permute", {{"dims", {3, 1, 2}}}, {{kNone, 2, 3, 4}});
    Tensor x = rnd({2, 2, 3, 4}, 2);
    Tensor y3 = runForward(*p3, {x});
    QCOMPARE(y3.shape(), Shape({2, 4, 2, 3}));
    for (Index b = 0; b < 2; ++b)
      for (Index i = 0; i < 2; ++i)
        for (Index j = 0; j < 3; ++j)
          for (Index k = 0; k < 4; ++k)
            QCOMPARE(y3[((b * 4 + k) * 2 + i) * 3 + j], x[((b * 2 + i) * 3 + j) * 4 + k]);
    QVERIFY(checkLayerGradients(*p3, {x}));
    QVERIFY(configRoundTrips("Permute", {{"dims", {2, 1}}}));
  }

  void permuteBadDims() {
    for (json dims : {json{1, 1}, json{0, 1}, json{1, 3}, json::array()})
      QVERIFY(throwsSpec(
          [&] {
            makeLayer("Permute", {{"dims", dims}});
          },
          SpecErrorKind::BadValue, "node", "permutation"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Permute", {{"dims", {2, 1}}})->outputShape({{kNone, 2, 3, 4}});
        },
        SpecErrorKind::ShapeMismatch, "node", "rank 3"));
  }

  void timeDistributedDense() {
    auto td = makeBuilt("TimeDistributed", tdDense(3), {{kNone, 4, 5}});
    QCOMPARE(td->outputShape({{kNone, 4, 5}}), Shape({kNone, 4, 3}));
    QCOMPARE(td->variables().size(), size_t(2));
    QCOMPARE(td->variables()[0].name, std::string("kernel"));
    QCOMPARE(td->variables()[0].value.shape(), Shape({5, 3}));
    QCOMPARE(td->variables()[1].name, std::string("bias"));
    QCOMPARE(td->parameterCount(), Index(5 * 3 + 3));
    randomizeWeights(*td, 3);
    // Same as the Dense applied to each (N, 5) slice with the same weights.
    auto dense = makeBuilt("Dense", {{"units", 3}, {"activation", "tanh"}}, {{kNone, 5}});
    dense->variables()[0].value = td->variables()[0].value;
    dense->variables()[1].value = td->variables()[1].value;
    Tensor x = rnd({2, 4, 5}, 4);
    Tensor y = runForward(*td, {x});
    QCOMPARE(y.shape(), Shape({2, 4, 3}));
    for (Index b = 0; b < 2; ++b)
      for (Index t = 0; t < 4; ++t) {
        Tensor slice({1, 5});
        for (Index k = 0; k < 5; ++k) slice[k] = x[(b * 4 + t) * 5 + k];
        Tensor ys = runForward(*dense, {slice});
        for (Index k = 0; k < 3; ++k) QCOMPARE(y[(b * 4 + t) * 3 + k], ys[k]);
      }
    QVERIFY(checkLayerGradients(*td, {x}));
    QVERIFY(configRoundTrips("TimeDistributed", tdDense(3)));
  }

  void timeDistributedConv() {
    json cfg = {{"layer",
                 {{"class_name", "Conv2D"},
                  {"config", {{"filters", 2}, {"kernel_size", {2, 2}}, {"activation", "relu"}}}}}};
    auto td = makeBuilt("TimeDistributed", cfg, {{kNone, 3, 4, 4, 1}});
    QCOMPARE(td->outputShape({{kNone, 3, 4, 4, 1}}), Shape({kNone, 3, 3, 3, 2}));
    QCOMPARE(td->parameterCount(), Index(2 * 2 * 1 * 2 + 2));
    GradCheckOptions o;
    o.eps = 1e-3;
    QVERIFY(checkLayerGradients(*td, {rnd({2, 3, 4, 4, 1}, 5)}, o));
    // The wrapped layer's regularizer reaches the loss through the wrapper.
    json reg = {{"layer",
                 {{"class_name", "Dense"},
                  {"config",
                   {{"units", 2},
                    {"kernel_regularizer", {{"class_name", "L2"}, {"config", {{"l2", 0.5}}}}}}}}}};
    auto r = makeBuilt("TimeDistributed", reg, {{kNone, 2, 3}});
    double sq = 0;
    for (Index i = 0; i < r->variables()[0].value.size(); ++i)
      sq += double(r->variables()[0].value[i]) * r->variables()[0].value[i];
    QVERIFY(std::fabs(r->regularization(false) - 0.5 * sq) < 1e-6);
  }

  void timeDistributedBadInput() {
    QVERIFY(throwsSpec(
        [] {
          makeLayer("TimeDistributed", tdDense(3))->outputShape({{kNone, 5}});
        },
        SpecErrorKind::ShapeMismatch, "node", "rank >= 3"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("TimeDistributed", {{"layer", {{"class_name", "Nope"}}}});
        },
        SpecErrorKind::BadValue, "node", "Nope"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("TimeDistributed", {{"layer", 3}});
        },
        SpecErrorKind::BadValue, "node", "class_name"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("TimeDistributed",
                    {{"layer", {{"class_name", "Dense"}, {"config", {{"units", 0}}}}}});
        },
        SpecErrorKind::BadValue, "node", "units"));
    // Conv2D on (N, T, 5) steps: the wrapped layer's shape error, on the wrapper's node.
    QVERIFY(throwsSpec(
        [] {
          makeLayer(
              "TimeDistributed",
              {{"layer",
                {{"class_name", "Conv2D"}, {"config", {{"filters", 2}, {"kernel_size", 3}}}}}})
              ->outputShape({{kNone, 4, 5}});
        },
        SpecErrorKind::ShapeMismatch, "node", "Conv2D"));
  }

  void attentionForwardByHand() {
    // query (1, 1, 2) = [1, 0]; key = value (1, 2, 2) = [[1, 0], [0, 1]]: scores [1, 0],
    // weights softmax = [e/(e+1), 1/(e+1)], output = weights · value.
    auto a = makeBuilt("Attention", json::object(), {{kNone, 1, 2}, {kNone, 2, 2}});
    QCOMPARE(a->outputShape({{kNone, 1, 2}, {kNone, 2, 2}}), Shape({kNone, 1, 2}));
    Tensor y = runForward(*a, {Tensor({1, 1, 2}, {1, 0}), Tensor({1, 2, 2}, {1, 0, 0, 1})});
    const float e = std::exp(1.0f);
    QVERIFY(near(y, {e / (e + 1), 1 / (e + 1)}));
    const Tensor& w = static_cast<Attention&>(*a).lastAttentionScores();
    QCOMPARE(w.shape(), Shape({1, 1, 2}));
    QVERIFY(near(w, {e / (e + 1), 1 / (e + 1)}));
    // Value of another width than query / key: output takes the value's width.
    QCOMPARE(a->outputShape({{kNone, 3, 2}, {kNone, 4, 7}, {kNone, 4, 2}}), Shape({kNone, 3, 7}));
    // Additive without scale: scores sum(tanh(q + k)).
    auto ad =
        makeBuilt("AdditiveAttention", {{"use_scale", false}}, {{kNone, 1, 2}, {kNone, 2, 2}});
    Tensor ya = runForward(*ad, {Tensor({1, 1, 2}, {1, 0}), Tensor({1, 2, 2}, {1, 0, 0, 1})});
    const float s0 = std::tanh(2.0f) + std::tanh(0.0f), s1 = std::tanh(1.0f) + std::tanh(1.0f);
    const float p0 = std::exp(s0) / (std::exp(s0) + std::exp(s1));
    QVERIFY(near(ya, {p0, 1 - p0}));
  }

  void attentionGradients_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<QString>("config");
    QTest::addColumn<int>("inputs");
    QTest::newRow("dot") << "Attention"
                         << "{}" << 2;
    QTest::newRow("dot_scale_key") << "Attention"
                                   << R"({"use_scale": true})" << 3;
    QTest::newRow("dot_causal") << "Attention"
                                << R"({"use_causal_mask": true})" << 2;
    QTest::newRow("concat") << "Attention"
                            << R"({"score_mode": "concat"})" << 2;
    QTest::newRow("concat_scale_key") << "Attention"
                                      << R"({"score_mode": "concat", "use_scale": true})" << 3;
    QTest::newRow("additive") << "AdditiveAttention"
                              << "{}" << 2;
    QTest::newRow("additive_noscale_key") << "AdditiveAttention"
                                          << R"({"use_scale": false})" << 3;
    QTest::newRow("additive_causal") << "AdditiveAttention"
                                     << R"({"causal": true})" << 3;
    QTest::newRow("dot_dropout_training") << "Attention"
                                          << R"({"dropout": 0.3})" << 3;
  }

  void attentionGradients() {
    QFETCH(QString, cls);
    QFETCH(QString, config);
    QFETCH(int, inputs);
    std::vector<Shape> shapes = {{kNone, 3, 4}, {kNone, 5, 2}};
    std::vector<Tensor> xs = {rnd({2, 3, 4}, 11), rnd({2, 5, 2}, 12)};
    if (inputs == 3) {
      shapes.push_back({kNone, 5, 4});
      xs.push_back(rnd({2, 5, 4}, 13));
    } else {
      shapes[1] = {kNone, 5, 4};
      xs[1] = rnd({2, 5, 4}, 12);
    }
    auto layer = makeBuilt(cls.toStdString(), json::parse(config.toStdString()), shapes);
    randomizeWeights(*layer, 14);
    GradCheckOptions o;
    o.eps = 1e-3;
    o.training = config.contains("dropout");
    QVERIFY(checkLayerGradients(*layer, xs, o));
  }

  // Masks [query, value(, key)]: Attention hides padded values and zeroes padded query rows,
  // MultiHeadAttention ANDs query, value and key masks (and causal). For MultiHeadAttention the
  // loss ignores padded query rows (as a masked loss does): Keras gives such a row uniform
  // weights whose finite difference is 0 in float32 while TF's gradient (and ours) is not.
  void maskedGradients_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<QString>("config");
    QTest::addColumn<int>("inputs");
    QTest::addColumn<bool>("queryMask");
    QTest::addColumn<bool>("keyMask");
    QTest::newRow("dot_qv") << "Attention"
                            << "{}" << 2 << true << false;
    QTest::newRow("dot_causal_v_key")
        << "Attention"
        << R"({"use_causal_mask": true, "use_scale": true})" << 3 << false << true;
    QTest::newRow("concat_qv") << "Attention"
                               << R"({"score_mode": "concat", "use_scale": true})" << 2 << true
                               << false;
    QTest::newRow("additive_qv_key") << "AdditiveAttention"
                                     << "{}" << 3 << true << true;
    QTest::newRow("mha_qv") << "MultiHeadAttention"
                            << R"({"num_heads": 2, "key_dim": 3})" << 2 << true << false;
    QTest::newRow("mha_qvk_causal")
        << "MultiHeadAttention"
        << R"({"num_heads": 2, "key_dim": 2, "use_causal_mask": true})" << 3 << true << true;
    QTest::newRow("mha_v_scores")
        << "MultiHeadAttention"
        << R"({"num_heads": 1, "key_dim": 3, "return_attention_scores": true})" << 2 << false
        << false;
  }

  void maskedGradients() {
    QFETCH(QString, cls);
    QFETCH(QString, config);
    QFETCH(int, inputs);
    QFETCH(bool, queryMask);
    QFETCH(bool, keyMask);
    const bool mha = cls == "MultiHeadAttention";
    // Tq = Tv = 4 (causal rows keep step 0 visible: masks start with 1).
    std::vector<Shape> shapes = {{kNone, 4, 4}, {kNone, 4, 3}};
    std::vector<Tensor> xs = {rnd({2, 4, 4}, 41), rnd({2, 4, 3}, 42)};
    if (inputs == 3) {
      shapes.push_back({kNone, 4, 4});
      xs.push_back(rnd({2, 4, 4}, 43));
    } else if (!mha) {
      shapes[1] = {kNone, 4, 4};
      xs[1] = rnd({2, 4, 4}, 42);
    }
    const Tensor q = maskOf({{1, 1, 1, 0}, {1, 1, 0, 0}});
    const Tensor v = maskOf({{1, 1, 0, 0}, {1, 0, 1, 1}});
    const Tensor k = maskOf({{1, 0, 1, 1}, {1, 1, 1, 0}});
    std::vector<const Tensor*> masks{queryMask ? &q : nullptr, &v};
    if (inputs == 3) masks.push_back(keyMask ? &k : nullptr);
    auto layer = makeBuilt(cls.toStdString(), json::parse(config.toStdString()), shapes);
    randomizeWeights(*layer, 44);
    GradCheckOptions o;
    o.eps = 1e-3;
    o.masks = &masks;
    Tensor scale;
    if (mha && queryMask) {
      const Index out = layer->outputShape(shapes)[2];
      scale = Tensor({2, 4, out});
      for (Index r = 0; r < 8; ++r)
        for (Index c = 0; c < out; ++c) scale[r * out + c] = q[r];
      o.lossScale = &scale;
    }
    QVERIFY(checkLayerGradients(*layer, xs, o));
    // The weights: hidden keys get exactly 0, every row sums to 1.
    const Tensor& w = mha ? static_cast<MultiHeadAttention&>(*layer).lastAttentionScores()
                          : static_cast<Attention&>(*layer).lastAttentionScores();
    const Index heads = mha ? w.dim(1) : 1;
    const bool causal = config.contains("causal");
    for (Index b = 0; b < 2; ++b)
      for (Index h = 0; h < heads; ++h)
        for (Index i = 0; i < 4; ++i) {
          if (mha && queryMask && q[b * 4 + i] == 0) continue;  // a fully hidden row
          double sum = 0;
          for (Index j = 0; j < 4; ++j) {
            const float p = w[((b * heads + h) * 4 + i) * 4 + j];
            const bool hidden =
                v[b * 4 + j] == 0 || (causal && j > i) || (mha && keyMask && k[b * 4 + j] == 0);
            if (hidden) QCOMPARE(p, 0.0f);
            sum += p;
          }
          QVERIFY(std::fabs(sum - 1) < 1e-5);
        }
  }

  // Keras's -1e9 in float32: a row with no visible key is uniform (MultiHeadAttention's padded
  // query rows; an all-padding value), and Attention's padded query rows are zero in the output
  // but keep their weights in the scores output.
  void maskedRowsAsKeras() {
    auto a =
        makeBuilt("Attention", {{"return_attention_scores", true}}, {{kNone, 2, 3}, {kNone, 3, 3}});
    Tensor q = rnd({1, 2, 3}, 51), v = rnd({1, 3, 3}, 52);
    const Tensor qm = maskOf({{1, 0}}), vm = maskOf({{0, 0, 0}});
    std::vector<const Tensor*> masks{&qm, &vm};
    Tensor scores;
    std::vector<Tensor*> extra{&scores};
    RunContext ctx;
    ctx.inputMasks = &masks;
    ctx.extraOutputs = &extra;
    Tensor y;
    a->forward({&q, &v}, y, ctx);
    QCOMPARE(scores.shape(), Shape({1, 2, 3}));
    for (Index i = 0; i < 6; ++i) QVERIFY(std::fabs(scores[i] - 1.0f / 3) < 1e-6);
    for (Index c = 0; c < 3; ++c) {  // row 0: the mean of the values; row 1 (padded): 0
      const float mean = (v[c] + v[3 + c] + v[6 + c]) / 3;
      QVERIFY(std::fabs(y[c] - mean) < 1e-6);
      QCOMPARE(y[3 + c], 0.0f);
    }
    // The output carries the query's mask, the scores none (Keras compute_mask: mask[0]).
    QCOMPARE(a->maskOut({true, true}), MaskOut::PassFirst);
    QCOMPARE(a->maskOut({false, true}), MaskOut::None);
    QCOMPARE(a->maskOutOf(1, {true, true}), MaskOut::None);
    // A mask that does not fit the input is an error naming the layer.
    const Tensor bad = maskOf({{1, 1, 1, 1}});
    std::vector<const Tensor*> badMasks{nullptr, &bad};
    ctx.inputMasks = &badMasks;
    ctx.extraOutputs = nullptr;
    bool threw = false;
    try {
      a->forward({&q, &v}, y, ctx);
    } catch (const Error& e) {
      threw = QString(e.what()).contains("mask of input 1");
    }
    QVERIFY(threw);
  }

  // Embedding(mask_zero) -> query and value of each attention layer in a model: padded tokens
  // (id 0) get no weight, padded query rows of Attention are 0, the outputs carry the query mask
  // (the editor's masked edges), and a masked model trains.
  void embeddingMaskThroughModel() {
    for (const std::string cls : {"Attention", "AdditiveAttention", "MultiHeadAttention"}) {
      json cfg = cls == "MultiHeadAttention" ? json{{"num_heads", 2}, {"key_dim", 3}} : json{};
      ModelSpec spec = makeSpec({inputNode("src", {5}), inputNode("tgt", {4}),
                                 node("emb_s", "Embedding", {"src"},
                                      {{"input_dim", 10}, {"output_dim", 6}, {"mask_zero", true}}),
                                 node("emb_t", "Embedding", {"tgt"},
                                      {{"input_dim", 10}, {"output_dim", 6}, {"mask_zero", true}}),
                                 node("att", cls, {"emb_t", "emb_s"}, cfg),
                                 node("pool", "GlobalAveragePooling1D", {"att"}),
                                 node("out", "Dense", {"pool"}, {{"units", 1}})},
                                {"src", "tgt"}, {"out"});
      const ShapeReport report = inferShapes(spec);
      QVERIFY2(report.ok(), report.ok() ? "" : report.errors[0].what());
      QVERIFY(report.find("att")->masked);
      Model model(spec, 3);
      Tensor src({2, 5}), tgt({2, 4});
      const float s[] = {3, 4, 5, 0, 0, 7, 1, 0, 0, 0};
      const float t[] = {2, 9, 0, 0, 4, 4, 4, 0};
      std::copy(s, s + 10, src.data());
      std::copy(t, t + 8, tgt.data());
      RunContext ctx;
      model.forward({&src, &tgt}, false, ctx);
      const Tensor* outMask = model.maskOf("att");
      QVERIFY(outMask);
      for (Index i = 0; i < 8; ++i) QCOMPARE((*outMask)[i], t[i] != 0 ? 1.0f : 0.0f);
      Layer* layer = model.layer("att");
      const Tensor& w = cls == "MultiHeadAttention"
                            ? static_cast<MultiHeadAttention*>(layer)->lastAttentionScores()
                            : static_cast<Attention*>(layer)->lastAttentionScores();
      const Index heads = w.rank() == 4 ? w.dim(1) : 1;
      for (Index b = 0; b < 2; ++b)
        for (Index h = 0; h < heads; ++h)
          for (Index i = 0; i < 4; ++i) {
            if (t[b * 4 + i] == 0 && cls == "MultiHeadAttention") continue;  // uniform row
            for (Index j = 0; j < 5; ++j)
              if (s[b * 5 + j] == 0) QCOMPARE(w[((b * heads + h) * 4 + i) * 5 + j], 0.0f);
          }
      if (cls != "MultiHeadAttention") {
        const Tensor* a = model.activationOf("att");
        for (Index r = 0; r < 8; ++r)
          if (t[r] == 0)
            for (Index c = 0; c < 6; ++c) QCOMPARE((*a)[r * 6 + c], 0.0f);
      }
      // The padding's embedding (row 0) does not matter: padded steps are hidden everywhere
      // (keys here, queries by the zeroed rows / the masked pooling).
      const Tensor y0 = model.output(0);
      for (const char* e : {"emb_s", "emb_t"}) {
        Tensor& table = model.layer(e)->variables()[0].value;
        for (Index c = 0; c < 6; ++c) table[c] += 0.5f;
      }
      model.forward({&src, &tgt}, false, ctx);
      for (Index i = 0; i < y0.size(); ++i)
        QVERIFY2(std::fabs(model.output(0)[i] - y0[i]) < 1e-6, cls.c_str());
      src[4] = 8;  // a real token where padding was: now it is attended to
      model.forward({&src, &tgt}, false, ctx);
      QVERIFY(std::fabs(model.output(0)[0] - y0[0]) > 1e-6);
    }
  }

  void attentionCausalAndDropout() {
    auto a = makeBuilt("Attention", {{"use_causal_mask", true}, {"dropout", 0.5}},
                       {{kNone, 4, 3}, {kNone, 4, 3}});
    Tensor q = rnd({2, 4, 3}, 21), v = rnd({2, 4, 3}, 22);
    Tensor y = runForward(*a, {q, v});  // inference: no dropout
    const Tensor& w = static_cast<Attention&>(*a).lastAttentionScores();
    for (Index b = 0; b < 2; ++b)
      for (Index i = 0; i < 4; ++i) {
        float sum = 0;
        for (Index j = 0; j < 4; ++j) {
          const float p = w[(b * 4 + i) * 4 + j];
          if (j > i) QCOMPARE(p, 0.0f);
          sum += p;
        }
        QVERIFY(std::fabs(sum - 1) < 1e-6);
      }
    // Step 0 attends to itself only: output row 0 is value row 0.
    for (Index k = 0; k < 3; ++k) QVERIFY(std::fabs(y[k] - v[k]) < 1e-6);
    Tensor yt = runForward(*a, {q, v}, true);
    QVERIFY(yt.toVector() != y.toVector());  // training drops attention weights
  }

  void attentionBadInput() {
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Attention", json::object())->outputShape({{kNone, 3, 4}});
        },
        SpecErrorKind::ShapeMismatch, "node", "2 or 3 inputs"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("AdditiveAttention", json::object())
              ->outputShape({{kNone, 3, 4}, {kNone, 5, 6}});
        },
        SpecErrorKind::ShapeMismatch, "node", "last dimension"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Attention", json::object())->outputShape({{kNone, 4}, {kNone, 4}});
        },
        SpecErrorKind::ShapeMismatch, "node", "rank 3"));
    // return_attention_scores: a second output (tests/engine/graph/tst_engine_graph_multioutput).
    QCOMPARE(makeLayer("Attention", {{"return_attention_scores", true}})->outputNames().size(),
             size_t(2));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Attention", {{"score_mode", "general"}});
        },
        SpecErrorKind::BadValue, "node", "score_mode"));
  }

  void multiHeadAttentionWeights() {
    // Keras: MultiHeadAttention(num_heads=2, key_dim=16) on (None, 10, 32) self-attention:
    // query/key/value kernels (32, 2, 16) + biases (2, 16), output kernel (2, 16, 32) + bias (32)
    // = 3 * (1024 + 32) + 1024 + 32 = 4224 parameters.
    auto m = makeBuilt("MultiHeadAttention", {{"num_heads", 2}, {"key_dim", 16}},
                       {{kNone, 10, 32}, {kNone, 10, 32}});
    QCOMPARE(m->parameterCount(), Index(4224));
    const std::vector<std::pair<std::string, Shape>> want = {
        {"query/kernel", {32, 2, 16}},
        {"query/bias", {2, 16}},
        {"key/kernel", {32, 2, 16}},
        {"key/bias", {2, 16}},
        {"value/kernel", {32, 2, 16}},
        {"value/bias", {2, 16}},
        {"attention_output/kernel", {2, 16, 32}},
        {"attention_output/bias", {32}}};
    QCOMPARE(m->variables().size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      QCOMPARE(m->variables()[i].name, want[i].first);
      QCOMPARE(m->variables()[i].value.shape(), want[i].second);
    }
    QCOMPARE(m->outputShape({{kNone, 10, 32}, {kNone, 10, 32}}), Shape({kNone, 10, 32}));
    // value_dim, output_shape, no bias, separate key of another width.
    auto m2 = makeBuilt("MultiHeadAttention",
                        {{"num_heads", 3},
                         {"key_dim", 4},
                         {"value_dim", 5},
                         {"output_shape", 7},
                         {"use_bias", false}},
                        {{kNone, 6, 8}, {kNone, 9, 10}, {kNone, 9, 11}});
    QCOMPARE(m2->outputShape({{kNone, 6, 8}, {kNone, 9, 10}, {kNone, 9, 11}}),
             Shape({kNone, 6, 7}));
    QCOMPARE(m2->parameterCount(), Index(8 * 12 + 11 * 12 + 10 * 15 + 15 * 7));
    QCOMPARE(m2->variables()[1].name, std::string("key/kernel"));
    QCOMPARE(m2->variables()[1].value.shape(), Shape({11, 3, 4}));
    // Summary table of a model with it: Param # as Keras.
    ModelSpec spec = makeSpec(
        {inputNode("x", {10, 32}),
         node("mha", "MultiHeadAttention", {"x", "x"}, {{"num_heads", 2}, {"key_dim", 16}})},
        {"x"}, {"mha"});
    const std::string table = summaryTable(spec);
    QVERIFY2(table.find("4224") != std::string::npos, table.c_str());
  }

  void multiHeadAttentionForwardByHand() {
    // One head, key_dim 1, identity-like projections: the layer reduces to dot attention with
    // scores q k / sqrt(1).
    auto m =
        makeBuilt("MultiHeadAttention", {{"num_heads", 1}, {"key_dim", 1}, {"use_bias", false}},
                  {{kNone, 1, 1}, {kNone, 2, 1}});
    for (Variable& v : m->variables()) v.value.fill(1.0f);
    Tensor y = runForward(*m, {Tensor({1, 1, 1}, {2}), Tensor({1, 2, 1}, {1, -1})});
    // Q = 2, K = V = [1, -1]: scores [2, -2], weights softmax, output Σ w v.
    const float p0 = 1.0f / (1.0f + std::exp(-4.0f));
    QVERIFY(near(y, {p0 - (1 - p0)}));
    const Tensor& w = static_cast<MultiHeadAttention&>(*m).lastAttentionScores();
    QCOMPARE(w.shape(), Shape({1, 1, 1, 2}));
  }

  void multiHeadAttentionGradients_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<int>("inputs");
    QTest::addColumn<int>("rank");
    QTest::newRow("self") << R"({"num_heads": 2, "key_dim": 3})" << 2 << 3;
    QTest::newRow("key_value_dims")
        << R"({"num_heads": 2, "key_dim": 3, "value_dim": 2, "output_shape": 5})" << 3 << 3;
    QTest::newRow("causal_nobias")
        << R"({"num_heads": 3, "key_dim": 2, "use_bias": false, "use_causal_mask": true})" << 2
        << 3;
    QTest::newRow("rank4") << R"({"num_heads": 2, "key_dim": 2})" << 2 << 4;
    QTest::newRow("dropout_training")
        << R"({"num_heads": 2, "key_dim": 2, "dropout": 0.4})" << 3 << 3;
    QTest::newRow("l2_activity")
        << R"({"num_heads": 1, "key_dim": 2, "activity_regularizer": {"class_name": "L2", "config": {"l2": 0.1}}})"
        << 2 << 3;
  }

  void multiHeadAttentionGradients() {
    QFETCH(QString, config);
    QFETCH(int, inputs);
    QFETCH(int, rank);
    std::vector<Shape> shapes;
    std::vector<Tensor> xs;
    if (rank == 4) {
      shapes = {{kNone, 2, 2, 3}, {kNone, 3, 2, 4}};
      xs = {rnd({2, 2, 2, 3}, 31), rnd({2, 3, 2, 4}, 32)};
    } else {
      shapes = {{kNone, 4, 3}, {kNone, 5, 4}};
      xs = {rnd({2, 4, 3}, 31), rnd({2, 5, 4}, 32)};
      if (inputs == 3) {
        shapes.push_back({kNone, 5, 2});
        xs.push_back(rnd({2, 5, 2}, 33));
      }
    }
    auto layer = makeBuilt("MultiHeadAttention", json::parse(config.toStdString()), shapes);
    randomizeWeights(*layer, 34);
    GradCheckOptions o;
    o.eps = 1e-3;
    o.training = config.contains("dropout");
    QVERIFY(checkLayerGradients(*layer, xs, o));
  }

  void multiHeadAttentionBadInput() {
    json cfg = {{"num_heads", 2}, {"key_dim", 4}};
    // Keras: "All dimensions of `value` and `key`, except the last one, must be equal".
    QVERIFY(throwsSpec(
        [&] {
          makeLayer("MultiHeadAttention", cfg)
              ->outputShape({{kNone, 3, 8}, {kNone, 5, 8}, {kNone, 6, 8}});
        },
        SpecErrorKind::ShapeMismatch, "node", "value and key"));
    QVERIFY(throwsSpec(
        [&] {
          makeLayer("MultiHeadAttention", cfg)->outputShape({{kNone, 3, 8}});
        },
        SpecErrorKind::ShapeMismatch, "node", "2 or 3 inputs"));
    QVERIFY(throwsSpec(
        [&] {
          makeLayer("MultiHeadAttention", cfg)->outputShape({{kNone, 8}, {kNone, 8}});
        },
        SpecErrorKind::ShapeMismatch, "node", "rank >= 3"));
    // Built for 8 query features, given 6.
    auto built = makeBuilt("MultiHeadAttention", cfg, {{kNone, 3, 8}, {kNone, 3, 8}});
    QVERIFY(throwsSpec(
        [&] {
          built->outputShape({{kNone, 3, 6}, {kNone, 3, 8}});
        },
        SpecErrorKind::ShapeMismatch, "node", "do not fit"));
    QVERIFY(throwsSpec(
        [&] {
          json c = cfg;
          c["attention_axes"] = {2};
          makeLayer("MultiHeadAttention", c)->outputShape({{kNone, 3, 4, 8}, {kNone, 3, 4, 8}});
        },
        SpecErrorKind::BadValue, "node", "attention_axes"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("MultiHeadAttention", {{"num_heads", 2}});
        },
        SpecErrorKind::BadValue, "node", "key_dim"));
    {
      json c = cfg;
      c["return_attention_scores"] = true;  // a second output, the weights
      QCOMPARE(makeLayer("MultiHeadAttention", c)->outputNames().size(), size_t(2));
    }
    QVERIFY(configRoundTrips("MultiHeadAttention", cfg));
  }

  // A Transformer encoder block drawn as a graph: x -> MHA(x, x) -> Add(x, .) ->
  // LayerNormalization -> Dense(relu) -> Dense -> Add -> LayerNormalization ->
  // GlobalAveragePooling1D -> Dense(1). Trained on a target that needs attention across steps
  // (the mean of the first feature over all steps, at every sample); the loss goes down.
  void transformerBlockTrains() {
    const Index steps = 6, dim = 8, n = 64;
    ModelSpec spec =
        makeSpec({inputNode("x", {steps, dim}),
                  node("mha", "MultiHeadAttention", {"x", "x"}, {{"num_heads", 2}, {"key_dim", 4}}),
                  node("add1", "Add", {"x", "mha"}), node("ln1", "LayerNormalization", {"add1"}),
                  node("ff1", "Dense", {"ln1"}, {{"units", 16}, {"activation", "relu"}}),
                  node("ff2", "Dense", {"ff1"}, {{"units", dim}}),
                  node("add2", "Add", {"ln1", "ff2"}), node("ln2", "LayerNormalization", {"add2"}),
                  node("pool", "GlobalAveragePooling1D", {"ln2"}),
                  node("out", "Dense", {"pool"}, {{"units", 1}})},
                 {"x"}, {"out"});
    const ShapeReport report = inferShapes(spec);
    QVERIFY2(report.ok(), report.ok() ? "" : report.errors[0].what());
    Rng rng(5);
    Tensor x({n, steps, dim}), y({n, 1});
    for (Index i = 0; i < n; ++i) {
      float mean = 0;
      for (Index t = 0; t < steps; ++t)
        for (Index k = 0; k < dim; ++k) {
          const float v = rng.uniform(-1, 1);
          x[(i * steps + t) * dim + k] = v;
          if (k == 0) mean += v / float(steps);
        }
      y[i] = 3 * mean;
    }
    Model model(spec, 7);
    CompileOptions compile;
    compile.losses.push_back("mse");
    compile.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}};
    Trainer trainer(model, compile);
    Dataset data;
    data.x.push_back(Array::fromTensor(x));
    data.y.push_back(Array::fromTensor(y));
    FitOptions fit;
    fit.epochs = 15;
    fit.batchSize = 16;
    fit.verbose = 0;
    fit.shuffle = false;
    const History h = trainer.fit(data, fit);
    QVERIFY2(h.stopReason.empty(), h.stopReason.c_str());
    const auto& loss = h["loss"];
    QCOMPARE(loss.size(), size_t(15));
    qInfo("transformer block loss: epoch 1 %.4f, epoch 15 %.4f", loss.front(), loss.back());
    QVERIFY(std::isfinite(loss.back()));
    QVERIFY(loss.back() < 0.5 * loss.front());
    // Every MHA weight moved.
    for (const auto& [name, var] : model.namedWeights())
      if (name.rfind("mha/", 0) == 0) QVERIFY2(var->grad.size() > 0, name.c_str());
  }
};

QTEST_APPLESS_MAIN(TestAttentionLayers)
#include "tst_engine_layers_attention.moc"
