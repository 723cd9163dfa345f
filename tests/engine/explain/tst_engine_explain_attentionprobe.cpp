// engine/explain/AttentionProbe: the attention weights captured after a predict equal a hand
// computation (softmax of the scaled dot products, rows summing to 1, zeros above the diagonal
// under a causal mask) for Attention and MultiHeadAttention in a Model, survive later forwards,
// and are found by name in a spec. With Keras masks (Embedding(mask_zero=True)) the probe keeps the
// masks the layer saw (query; value AND key for MultiHeadAttention) beside the weights.
#include <QtTest>
#include <cmath>

#include "engine/core/Rng.h"
#include "engine/explain/AttentionProbe.h"
#include "engine/train/Model.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr Index kN = 2, kTq = 3, kTv = 4, kD = 5;

Tensor randomTensor3(const Shape& s, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t(s);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

// Row softmax of s (rows x cols) in double, entries j > i masked when causal.
std::vector<double> softmaxRows(std::vector<double> s, Index rows, Index cols, bool causal) {
  for (Index i = 0; i < rows; ++i) {
    double m = -1e300, sum = 0;
    for (Index j = 0; j < cols; ++j)
      if (!causal || j <= i) m = std::max(m, s[i * cols + j]);
    for (Index j = 0; j < cols; ++j) {
      double& v = s[i * cols + j];
      v = (!causal || j <= i) ? std::exp(v - m) : 0.0;
      sum += v;
    }
    for (Index j = 0; j < cols; ++j) s[i * cols + j] /= sum;
  }
  return s;
}

ModelSpec attentionSpec(bool causal, Index tq, Index tv) {
  return makeSpec({inputNode("query", {tq, kD}), inputNode("value", {tv, kD}),
                   node("attention", "Attention", {"query", "value"},
                        {{"use_scale", false}, {"use_causal_mask", causal}}),
                   denseNode("out", 2, "attention")},
                  {"query", "value"}, {"out"});
}

}  // namespace

class TestAttentionProbe : public QObject {
  Q_OBJECT
 private slots:
  void findsAttentionLayersInASpec() {
    const ModelSpec spec = attentionSpec(false, kTq, kTv);
    QCOMPARE(AttentionProbe::attentionLayers(spec), std::vector<std::string>{"attention"});
    Model model(spec, 1);
    AttentionProbe probe(model);
    QCOMPARE(probe.layers(), std::vector<std::string>{"attention"});
    QVERIFY(probe.scores("attention") == nullptr);  // nothing captured yet
    // A model without attention has nothing to probe.
    Model dense(makeSpec({inputNode("x", {3}), denseNode("d", 2, "x")}, {"x"}, {"d"}), 1);
    QVERIFY(AttentionProbe(dense).empty());
  }

  void dotAttentionEqualsHandSoftmax() {
    Model model(attentionSpec(false, kTq, kTv), 1);
    AttentionProbe probe(model);
    const Tensor q = randomTensor3({kN, kTq, kD}, 3), v = randomTensor3({kN, kTv, kD}, 4);
    probe.predict({&q, &v});
    const Tensor* s = probe.scores("attention");
    QVERIFY(s);
    QCOMPARE(s->shape(), Shape({kN, kTq, kTv}));
    QCOMPARE(probe.heads("attention"), Index(1));
    for (Index n = 0; n < kN; ++n) {
      std::vector<double> raw(kTq * kTv);
      for (Index i = 0; i < kTq; ++i)
        for (Index j = 0; j < kTv; ++j) {
          double dot = 0;
          for (Index d = 0; d < kD; ++d)
            dot += double(q[(n * kTq + i) * kD + d]) * v[(n * kTv + j) * kD + d];
          raw[i * kTv + j] = dot;
        }
      const std::vector<double> want = softmaxRows(raw, kTq, kTv, false);
      const AttentionMatrix m = probe.matrix("attention", n);
      QCOMPARE(m.rows, kTq);
      QCOMPARE(m.cols, kTv);
      for (Index i = 0; i < kTq; ++i) {
        double rowSum = 0;
        for (Index j = 0; j < kTv; ++j) {
          QVERIFY2(std::abs(m.at(i, j) - want[i * kTv + j]) < 1e-6,
                   qPrintable(QString("n %1 (%2, %3): %4 vs %5")
                                  .arg(n)
                                  .arg(i)
                                  .arg(j)
                                  .arg(m.at(i, j))
                                  .arg(want[i * kTv + j])));
          rowSum += m.at(i, j);
        }
        QVERIFY(std::abs(rowSum - 1.0) < 1e-6);
      }
    }
    // Out of range: empty.
    QVERIFY(probe.matrix("attention", kN).empty());
    QVERIFY(probe.matrix("nope", 0).empty());
  }

  void causalMaskZerosAboveTheDiagonal() {
    // Self-attention (query = value) with use_causal_mask: weight 0 for keys after the query.
    Model model(attentionSpec(true, kTv, kTv), 1);
    AttentionProbe probe(model);
    const Tensor x = randomTensor3({kN, kTv, kD}, 7);
    probe.predict({&x, &x});
    for (Index n = 0; n < kN; ++n) {
      const AttentionMatrix m = probe.matrix("attention", n);
      QCOMPARE(m.rows, kTv);
      QCOMPARE(m.at(0, 0), 1.0f);  // the first step sees only itself
      for (Index i = 0; i < kTv; ++i) {
        double sum = 0;
        for (Index j = 0; j < kTv; ++j) {
          if (j > i) QCOMPARE(m.at(i, j), 0.0f);
          sum += m.at(i, j);
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-6);
      }
    }
  }

  void multiHeadEqualsHandComputation() {
    // MultiHeadAttention(num_heads=2, key_dim=3) self-attention with a causal mask: the probe's
    // (N, 2, T, T) weights against softmax(Q Kᵀ / sqrt(3)) from the layer's own kernels.
    constexpr Index H = 2, K = 3, T = 4;
    const ModelSpec spec =
        makeSpec({inputNode("x", {T, kD}),
                  node("mha", "MultiHeadAttention", {"x", "x"},
                       {{"num_heads", H}, {"key_dim", K}, {"use_causal_mask", true}}),
                  denseNode("out", 2, "mha")},
                 {"x"}, {"out"});
    QCOMPARE(AttentionProbe::attentionLayers(spec), std::vector<std::string>{"mha"});
    Model model(spec, 5);
    // Non-zero biases so that they count in the hand computation.
    for (Variable* v : model.allWeights()) {
      Rng rng(11);
      if (v->name.find("bias") != std::string::npos)
        for (Index i = 0; i < v->value.size(); ++i) v->value[i] = rng.uniform(-0.5f, 0.5f);
    }
    auto weight = [&](const std::string& name) -> const Tensor& {
      for (auto& [n, v] : model.namedWeights())
        if (n == "mha/" + name) return v->value;
      qFatal("no weight %s", name.c_str());
    };
    const Tensor &wq = weight("query/kernel"), &bq = weight("query/bias");
    const Tensor &wk = weight("key/kernel"), &bk = weight("key/bias");
    QCOMPARE(wq.shape(), Shape({kD, H, K}));
    AttentionProbe probe(model);
    const Tensor x = randomTensor3({kN, T, kD}, 9);
    probe.predict({&x});
    const Tensor* s = probe.scores("mha");
    QVERIFY(s);
    QCOMPARE(s->shape(), Shape({kN, H, T, T}));
    QCOMPARE(probe.heads("mha"), H);
    auto project = [&](const Tensor& w, const Tensor& b, Index n, Index t, Index h, Index k) {
      double acc = b[h * K + k];
      for (Index d = 0; d < kD; ++d)
        acc += double(x[(n * T + t) * kD + d]) * w[(d * H + h) * K + k];
      return acc;
    };
    for (Index n = 0; n < kN; ++n) {
      std::vector<double> mean(T * T, 0.0);
      for (Index h = 0; h < H; ++h) {
        std::vector<double> raw(T * T);
        for (Index i = 0; i < T; ++i)
          for (Index j = 0; j < T; ++j) {
            double dot = 0;
            for (Index k = 0; k < K; ++k)
              dot += project(wq, bq, n, i, h, k) * project(wk, bk, n, j, h, k);
            raw[i * T + j] = dot / std::sqrt(double(K));
          }
        const std::vector<double> want = softmaxRows(raw, T, T, true);
        const AttentionMatrix m = probe.matrix("mha", n, int(h));
        QCOMPARE(m.rows, T);
        QCOMPARE(m.cols, T);
        for (Index i = 0; i < T * T; ++i) {
          QVERIFY2(std::abs(m.values[i] - want[i]) < 1e-5,
                   qPrintable(QString("n %1 head %2 entry %3: %4 vs %5")
                                  .arg(n)
                                  .arg(h)
                                  .arg(i)
                                  .arg(m.values[i])
                                  .arg(want[i])));
          mean[i] += want[i] / H;
        }
        for (Index i = 0; i < T; ++i)
          for (Index j = i + 1; j < T; ++j) QCOMPARE(m.at(i, j), 0.0f);
      }
      // head -1: the mean over the heads.
      const AttentionMatrix avg = probe.matrix("mha", n);
      for (Index i = 0; i < T * T; ++i) QVERIFY(std::abs(avg.values[i] - mean[i]) < 1e-5);
    }
    QVERIFY(probe.matrix("mha", 0, int(H)).empty());
  }

  void captureSurvivesLaterForwards() {
    Model model(attentionSpec(false, kTq, kTv), 1);
    AttentionProbe probe(model);
    const Tensor q = randomTensor3({kN, kTq, kD}, 3), v = randomTensor3({kN, kTv, kD}, 4);
    probe.predict({&q, &v});
    const AttentionMatrix before = probe.matrix("attention", 1);
    // Another forward on other rows (a training step would do the same) leaves the capture as is.
    const Tensor q2 = randomTensor3({1, kTq, kD}, 13), v2 = randomTensor3({1, kTv, kD}, 14);
    RunContext ctx;
    model.forward({&q2, &v2}, false, ctx);
    QCOMPARE(probe.scores("attention")->dim(0), kN);
    QCOMPARE(probe.matrix("attention", 1).values, before.values);
    // capture() takes the new ones.
    probe.capture();
    QCOMPARE(probe.scores("attention")->dim(0), Index(1));
    QVERIFY(probe.matrix("attention", 0).values != before.values);
  }

  // Embedding(mask_zero) on both sides: the captured masks are the token masks (the key mask
  // ANDed in for MultiHeadAttention), the padded keys weigh 0, and the matrix knows its real
  // steps (the last unmasked one + 1).
  void masksAreCapturedWithTheWeights() {
    for (const std::string cls : {"Attention", "MultiHeadAttention"}) {
      const bool mha = cls == "MultiHeadAttention";
      std::vector<NodeSpec> nodes = {
          inputNode("q_ids", {4}), inputNode("v_ids", {5}),
          node("q_emb", "Embedding", {"q_ids"},
               {{"input_dim", 9}, {"output_dim", 4}, {"mask_zero", true}}),
          node("v_emb", "Embedding", {"v_ids"},
               {{"input_dim", 9}, {"output_dim", 4}, {"mask_zero", true}})};
      std::vector<std::string> ins = {"q_emb", "v_emb"};
      if (mha) {
        nodes.push_back(inputNode("k_ids", {5}));
        nodes.push_back(node("k_emb", "Embedding", {"k_ids"},
                             {{"input_dim", 9}, {"output_dim", 4}, {"mask_zero", true}}));
        ins.push_back("k_emb");
      }
      json cfg = mha ? json{{"num_heads", 2}, {"key_dim", 2}} : json::object();
      nodes.push_back(node("att", cls, ins, cfg));
      nodes.push_back(node("pool", "GlobalAveragePooling1D", {"att"}));
      std::vector<std::string> inputs = {"q_ids", "v_ids"};
      if (mha) inputs.push_back("k_ids");
      Model model(makeSpec(nodes, inputs, {"pool"}), 1);
      AttentionProbe probe(model);
      const float qi[] = {1, 2, 0, 0, 3, 3, 3, 3};
      const float vi[] = {4, 5, 6, 0, 0, 7, 0, 7, 7, 0};
      const float ki[] = {4, 5, 0, 5, 5, 7, 7, 7, 7, 7};  // MHA: ANDed with the value mask
      Tensor q({2, 4}), v({2, 5}), k({2, 5});
      std::copy(qi, qi + 8, q.data());
      std::copy(vi, vi + 10, v.data());
      std::copy(ki, ki + 10, k.data());
      std::vector<const Tensor*> x = {&q, &v};
      if (mha) x.push_back(&k);
      probe.predict(x);
      const Tensor* qm = probe.queryMask("att");
      const Tensor* km = probe.keyMask("att");
      QVERIFY(qm && km);
      for (Index i = 0; i < 8; ++i) QCOMPARE((*qm)[i], qi[i] != 0 ? 1.0f : 0.0f);
      for (Index j = 0; j < 10; ++j)
        QCOMPARE((*km)[j], vi[j] != 0 && (!mha || ki[j] != 0) ? 1.0f : 0.0f);
      const AttentionMatrix m0 = probe.matrix("att", 0);
      QCOMPARE(m0.rowMask, std::vector<char>({1, 1, 0, 0}));
      QCOMPARE(m0.realRows(), Index(2));
      QCOMPARE(m0.colMask,
               mha ? std::vector<char>({1, 1, 0, 0, 0}) : std::vector<char>({1, 1, 1, 0, 0}));
      QCOMPARE(m0.realCols(), Index(mha ? 2 : 3));
      const AttentionMatrix m1 = probe.matrix("att", 1, 0);
      QCOMPARE(m1.realRows(), Index(4));
      // Sample 1's values 7 0 7 7 0 (keys 7 7 7 7 7): steps 1 and 4 are padding, 4 real.
      QCOMPARE(m1.realCols(), Index(4));
      for (Index i = 0; i < m1.rows; ++i) {
        QCOMPARE(m1.at(i, 1), 0.0f);
        QCOMPARE(m1.at(i, 4), 0.0f);
      }
      // Without masks the matrix has none and every step is real.
      const AttentionMatrix plain = AttentionProbe::matrix(*probe.scores("att"), 0, 0);
      QVERIFY(plain.rowMask.empty() && plain.colMask.empty());
      QCOMPARE(plain.realRows(), plain.rows);
    }
  }
};

QTEST_APPLESS_MAIN(TestAttentionProbe)
#include "tst_engine_explain_attentionprobe.moc"
