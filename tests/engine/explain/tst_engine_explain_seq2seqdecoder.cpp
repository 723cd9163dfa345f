// engine/explain/Seq2SeqDecoder: greedy decoding on a hand-weighted encoder-decoder whose next
// token is (decoder token + 1): from start 1 it must read 2, 3, 4 and stop at the end token 5;
// the attention weights of the last pass are captured with rows = decoder steps.
#include <QtTest>

#include "engine/core/Error.h"
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
