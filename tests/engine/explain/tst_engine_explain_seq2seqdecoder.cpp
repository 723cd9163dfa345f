// engine/explain/Seq2SeqDecoder: greedy decoding on a hand-weighted encoder-decoder whose next
// token is (decoder token + 1): from start 1 it must read 2, 3, 4 and stop at the end token 5;
// the attention weights of the last pass are captured with rows = decoder steps. Beam search:
// width 1 is greedy; on small random-weight LSTM encoder-decoders a beam wide enough to keep every
// candidate finds the sequence that brute-force enumeration of every token sequence (up to the
// decoder length, stopping at end / padding) scores best, with and without length normalisation;
// logits and softmax outputs decode the same.
#include <QtTest>
#include <cmath>
#include <functional>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/explain/AttentionProbe.h"
#include "engine/explain/Seq2SeqDecoder.h"
#include "engine/train/Model.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr Index kVocab = 8, kSrc = 3, kDec = 6;

// encoder ids -> Embedding; decoder ids -> Embedding (one-hot weights); Attention(decoder,
// encoder); Concatenate[decoder, attention] -> Dense(kVocab) whose kernel maps token k to k + 1
// and ignores the attention half.
Model* shiftModel() {
  const ModelSpec spec = makeSpec(
      {inputNode("enc", {kSrc}), inputNode("dec", {kDec}),
       node("enc_emb", "Embedding", {"enc"}, {{"input_dim", kVocab}, {"output_dim", kVocab}}),
       node("dec_emb", "Embedding", {"dec"}, {{"input_dim", kVocab}, {"output_dim", kVocab}}),
       node("attention", "Attention", {"dec_emb", "enc_emb"}, {{"use_causal_mask", false}}),
       node("concat", "Concatenate", {"dec_emb", "attention"}),
       denseNode("next", int(kVocab), "concat", "softmax")},
      {"enc", "dec"}, {"next"});
  auto* m = new Model(spec, 1);
  for (auto& [name, v] : m->namedWeights()) {
    v->value.setZero();
    if (name == "enc_emb/embeddings" || name == "dec_emb/embeddings")
      for (Index k = 0; k < kVocab; ++k) v->value[k * kVocab + k] = 1.0f;
    if (name == "next/kernel")  // (2 * kVocab, kVocab): row k (decoder one-hot) -> column k + 1
      for (Index k = 0; k + 1 < kVocab; ++k) v->value[k * kVocab + k + 1] = 10.0f;
  }
  return m;
}

constexpr Index kV = 5, kT = 4, kS = 3;  // ids: 0 pad, 1 start, 2 and 3 words, 4 end

ModelSpec lstmSpec(const std::string& activation) {
  return makeSpec({inputNode("enc", {kS}), inputNode("dec", {kT}),
                   node("enc_emb", "Embedding", {"enc"}, {{"input_dim", kV}, {"output_dim", 4}}),
                   node("encoder", "LSTM", {"enc_emb"}, {{"units", 6}, {"return_sequences", true}}),
                   node("dec_emb", "Embedding", {"dec"}, {{"input_dim", kV}, {"output_dim", 4}}),
                   node("decoder", "LSTM", {"dec_emb"}, {{"units", 6}, {"return_sequences", true}}),
                   node("attention", "Attention", {"decoder", "encoder"}),
                   node("concat", "Concatenate", {"decoder", "attention"}),
                   denseNode("next", int(kV), "concat", activation)},
                  {"enc", "dec"}, {"next"});
}

// Random weights (seed), the output kernel scaled so that the distributions are not flat.
std::unique_ptr<Model> randomModel(std::uint64_t seed, const std::string& activation = "softmax") {
  auto m = std::make_unique<Model>(lstmSpec(activation), seed);
  for (auto& [name, v] : m->namedWeights()) {
    if (name == "next/kernel")
      for (Index i = 0; i < v->value.size(); ++i) v->value[i] *= 4.0f;
    if (name == "enc_emb/embeddings" || name == "dec_emb/embeddings")
      for (Index i = 0; i < v->value.size(); ++i) v->value[i] *= 20.0f;
  }
  return m;
}

struct Best {
  std::vector<Index> ids;
  double logp = -INFINITY, ranked = -INFINITY;
  bool ended = false;
};

// Every token sequence of one row, one forward per prefix (decoder input: start, prefix, zeros),
// finished at the end or padding id or when the decoder input is full; the best by the summed log
// probability (or that over the tokens scored).
Best bruteForce(Model& m, const Tensor& enc, Index row, const Seq2SeqDecodeOptions& o,
                bool normalise) {
  Tensor e({1, kS});
  for (Index j = 0; j < kS; ++j) e[j] = enc[row * kS + j];
  Best best;
  std::function<void(std::vector<Index>, double)> visit = [&](std::vector<Index> prefix,
                                                              double logp) {
    Tensor d({1, kT});
    d.setZero();
    d[0] = o.startId;
    for (size_t j = 0; j < prefix.size(); ++j) d[Index(j) + 1] = float(prefix[j]);
    RunContext ctx;
    ctx.training = false;
    m.forward({&e, &d}, false, ctx);
    const Tensor& y = m.output(0);
    const Index t = Index(prefix.size());
    std::vector<double> p(static_cast<size_t>(kV));
    for (Index c = 0; c < kV; ++c) p[size_t(c)] = std::log(double(y[t * kV + c]));
    for (Index c = 0; c < kV; ++c) {
      const double s = logp + p[size_t(c)];
      auto finish = [&](std::vector<Index> ids, bool ended) {
        const double tokens = double(ids.size() + (ended ? 1 : 0));
        const double ranked = normalise ? s / tokens : s;
        if (ranked > best.ranked) best = {std::move(ids), s, ranked, ended};
      };
      if (c == o.endId || c == o.padId) {
        finish(prefix, true);
        continue;
      }
      std::vector<Index> next = prefix;
      next.push_back(c);
      if (t + 1 == kT)
        finish(next, false);
      else
        visit(next, s);
    }
  };
  visit({}, 0.0);
  return best;
}

Tensor randomSources(Index n, std::uint64_t seed) {
  Rng rng(seed);
  Tensor enc({n, kS});
  for (Index i = 0; i < enc.size(); ++i) enc[i] = float(2 + rng.below(2));
  return enc;
}

Seq2SeqDecodeOptions lstmOptions() {
  Seq2SeqDecodeOptions o;
  o.decoderInput = 1;
  o.startId = 1;
  o.endId = 4;
  return o;
}

}  // namespace

class TestSeq2SeqDecoder : public QObject {
  Q_OBJECT
 private slots:
  void decodesGreedilyUntilTheEndToken() {
    std::unique_ptr<Model> model(shiftModel());
    AttentionProbe probe(*model);
    Tensor enc({2, kSrc}, {3, 4, 0, 6, 6, 6});
    Tensor dec({2, kDec});
    Seq2SeqDecodeOptions o;
    o.decoderInput = 1;
    o.startId = 1;
    o.endId = 5;
    Seq2SeqDecoded d = greedyDecodeSeq2Seq(*model, {&enc, &dec}, o, &probe);
    QCOMPARE(d.ids.size(), size_t(2));
    QCOMPARE(d.ids[0], (std::vector<Index>{2, 3, 4}));
    QCOMPARE(d.ids[1], (std::vector<Index>{2, 3, 4}));
    QVERIFY(d.ended[0] && d.ended[1]);
    // The last pass saw [start, 2, 3, 4, 0, 0].
    QCOMPARE(d.decoderInput[0], 1.0f);
    QCOMPARE(d.decoderInput[3], 4.0f);
    QCOMPARE(d.decoderInput[4], 0.0f);
    // Its attention: (2, kDec, kSrc); the second row attends equally to its identical keys.
    const AttentionMatrix m = probe.matrix("attention", 1);
    QCOMPARE(m.rows, kDec);
    QCOMPARE(m.cols, kSrc);
    for (Index j = 0; j < kSrc; ++j) QVERIFY(std::abs(m.at(0, j) - 1.0f / 3) < 1e-6);
    // Without an end token the row runs to the decoder length ...
    o.endId = -1;
    d = greedyDecodeSeq2Seq(*model, {&enc, &dec}, o);
    QCOMPARE(d.ids[0], (std::vector<Index>{2, 3, 4, 5, 6, 7}));
    QVERIFY(!d.ended[0]);
    // ... unless it predicts padding (id 0: token 7 has no successor, the scores are uniform).
    o.startId = 4;
    d = greedyDecodeSeq2Seq(*model, {&enc, &dec}, o);
    QCOMPARE(d.ids[0], (std::vector<Index>{5, 6, 7}));
    QVERIFY(d.ended[0]);
    o.padId = -1;
    d = greedyDecodeSeq2Seq(*model, {&enc, &dec}, o);
    QCOMPARE(d.ids[0], (std::vector<Index>{5, 6, 7, 0, 1, 2}));  // 0 read back: 1 follows
  }

  void beamWidthOneIsGreedy() {
    std::unique_ptr<Model> shift(shiftModel());
    Tensor enc({2, kSrc}, {3, 4, 0, 6, 6, 6});
    Tensor dec({2, kDec});
    Seq2SeqDecodeOptions o;
    o.decoderInput = 1;
    o.startId = 1;
    o.endId = 5;
    Seq2SeqBeamOptions b;
    b.beamWidth = 1;
    Seq2SeqDecoded g = greedyDecodeSeq2Seq(*shift, {&enc, &dec}, o);
    Seq2SeqDecoded d = beamDecodeSeq2Seq(*shift, {&enc, &dec}, o, b);
    QCOMPARE(d.ids, g.ids);
    QCOMPARE(d.ended, g.ended);
    QCOMPARE(d.ids[0], (std::vector<Index>{2, 3, 4}));
    QVERIFY(d.logProb[0] < 0 && d.logProb[0] > -0.01);  // confident: p(k + 1) = e^10 / (e^10 + 7)
    // Random LSTM models, 12 rows each.
    int differs = 0;
    for (std::uint64_t seed : {1, 2, 3, 4}) {
      std::unique_ptr<Model> m = randomModel(seed);
      const Tensor src = randomSources(12, seed + 10);
      Tensor d4({12, kT});
      const Seq2SeqDecodeOptions lo = lstmOptions();
      g = greedyDecodeSeq2Seq(*m, {&src, &d4}, lo);
      d = beamDecodeSeq2Seq(*m, {&src, &d4}, lo, b);
      QCOMPARE(d.ids, g.ids);
      QCOMPARE(d.ended, g.ended);
      for (Index i = 0; i < d.decoderInput.size(); ++i)
        QCOMPARE(d.decoderInput[i], g.decoderInput[i]);
      Seq2SeqBeamOptions wide;
      wide.beamWidth = 4;
      differs += beamDecodeSeq2Seq(*m, {&src, &d4}, lo, wide).ids != g.ids;
    }
    QVERIFY(differs > 0);  // the models are not so peaked that a wider beam changes nothing
  }

  void wideBeamEqualsBruteForce() {
    int betterThanGreedy = 0;
    for (bool normalise : {false, true})
      for (std::uint64_t seed : {1, 2, 3, 4}) {
        std::unique_ptr<Model> m = randomModel(seed);
        const Index n = 8;
        const Tensor src = randomSources(n, seed + 10);
        Tensor dec({n, kT});
        const Seq2SeqDecodeOptions o = lstmOptions();
        Seq2SeqBeamOptions b;
        b.beamWidth = 200;  // >= kV * 3^(kT - 1) candidates: nothing is pruned
        b.lengthNormalization = normalise;
        AttentionProbe probe(*m);
        const Seq2SeqDecoded d = beamDecodeSeq2Seq(*m, {&src, &dec}, o, b, &probe);
        const Seq2SeqDecoded g = greedyDecodeSeq2Seq(*m, {&src, &dec}, o);
        for (Index r = 0; r < n; ++r) {
          const Best best = bruteForce(*m, src, r, o, normalise);
          QCOMPARE(d.ids[size_t(r)], best.ids);
          QCOMPARE(bool(d.ended[size_t(r)]), best.ended);
          QVERIFY2(std::abs(d.logProb[size_t(r)] - best.logp) < 1e-5,
                   qPrintable(QString("%1 vs %2").arg(d.logProb[size_t(r)]).arg(best.logp)));
          betterThanGreedy += !normalise && d.ids[size_t(r)] != g.ids[size_t(r)];
        }
        // The probe saw the chosen sequences: (n, kT, kS) weights.
        QCOMPARE(probe.scores("attention")->dim(0), n);
        QCOMPARE(probe.scores("attention")->dim(1), kT);
      }
    QVERIFY(betterThanGreedy > 0);
  }

  void logitsDecodeAsProbabilities() {
    std::unique_ptr<Model> soft = randomModel(7, "softmax"), lin = randomModel(7, "linear");
    const Tensor src = randomSources(6, 3);
    Tensor dec({6, kT});
    Seq2SeqBeamOptions b;
    b.beamWidth = 3;
    const Seq2SeqDecoded a = beamDecodeSeq2Seq(*soft, {&src, &dec}, lstmOptions(), b);
    b.fromLogits = true;
    const Seq2SeqDecoded c = beamDecodeSeq2Seq(*lin, {&src, &dec}, lstmOptions(), b);
    QCOMPARE(a.ids, c.ids);
    for (size_t r = 0; r < a.logProb.size(); ++r)
      QVERIFY(std::abs(a.logProb[r] - c.logProb[r]) < 1e-5);
    b.beamWidth = 0;
    QVERIFY_THROWS_EXCEPTION(Error, beamDecodeSeq2Seq(*lin, {&src, &dec}, lstmOptions(), b));
  }

  void refusesABadDecoderInput() {
    std::unique_ptr<Model> model(shiftModel());
    Tensor enc({1, kSrc}), dec3({1, kDec, 1});
    Seq2SeqDecodeOptions o;
    o.decoderInput = 1;
    QVERIFY_THROWS_EXCEPTION(Error, greedyDecodeSeq2Seq(*model, {&enc, &dec3}, o));
    o.decoderInput = 4;
    QVERIFY_THROWS_EXCEPTION(Error, greedyDecodeSeq2Seq(*model, {&enc, &dec3}, o));
  }
};

QTEST_APPLESS_MAIN(TestSeq2SeqDecoder)
#include "tst_engine_explain_seq2seqdecoder.moc"
