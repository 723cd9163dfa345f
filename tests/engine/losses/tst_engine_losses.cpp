// Losses: hand-computed values, finite-difference gradients (every loss, both from_logits
// variants), gradients through the clipping, label checks, and the name / config factory.
#include <QtTest>

#include <cmath>
#include <functional>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/losses/BinaryCrossentropy.h"
#include "engine/losses/CategoricalCrossentropy.h"
#include "engine/losses/Loss.h"
#include "engine/losses/SparseCategoricalCrossentropy.h"

using namespace tessel;
using json = nlohmann::json;

namespace {

std::vector<float> perSample(const Loss& loss, const Tensor& t, const Tensor& p) {
  std::vector<float> out(size_t(p.dim(0)));
  loss.perSample(t, p, out.data());
  return out;
}

float single(const json& spec, const Tensor& t, const Tensor& p) {
  auto loss = makeLoss(spec);
  return perSample(*loss, t, p)[0];
}

bool near(double a, double b, double rtol = 1e-5, double atol = 1e-6) {
  return std::fabs(a - b) <= atol + rtol * std::fabs(b);
}

// L = sum_i scale_i loss_i, evaluated in double from the float per-sample values.
double weightedLoss(const Loss& loss, const Tensor& t, const Tensor& p,
                    const std::vector<float>& scale) {
  auto v = perSample(loss, t, p);
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) s += double(scale[i]) * v[i];
  return s;
}

// Central differences of L against gradient(); reports the first mismatch.
bool checkGradient(const Loss& loss, const Tensor& t, Tensor p, const std::vector<float>& scale,
                   double eps = 1e-3, double rtol = 2e-2, double atol = 2e-3) {
  Tensor g;
  loss.gradient(t, p, scale.data(), g);
  if (g.shape() != p.shape()) {
    qWarning("gradient shape differs");
    return false;
  }
  for (Index i = 0; i < p.size(); ++i) {
    const float keep = p[i];
    p[i] = keep + float(eps);
    const double up = weightedLoss(loss, t, p, scale);
    p[i] = keep - float(eps);
    const double down = weightedLoss(loss, t, p, scale);
    p[i] = keep;
    const double numeric = (up - down) / (2 * eps);
    if (std::fabs(numeric - g[i]) >
        atol + rtol * std::max(std::fabs(numeric), double(std::fabs(g[i])))) {
      qWarning("%s: index %lld analytic %.6g numeric %.6g", loss.name().c_str(), (long long)i,
               double(g[i]), numeric);
      return false;
    }
  }
  return true;
}

Tensor randomTensor(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t(s);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

Tensor oneHot(const Shape& s, Rng& rng) {
  Tensor t(s, 0.0f);
  const Index c = s.back();
  for (Index r = 0; r < t.size() / c; ++r) t[r * c + Index(rng.below(uint64_t(c)))] = 1.0f;
  return t;
}

}  // namespace

class TestLosses : public QObject {
  Q_OBJECT
 private slots:
  void meanSquaredAndAbsolute() {
    Tensor t({2, 2}, {1, 2, 3, 4}), p({2, 2}, {1.5f, 2, 2, 5});
    auto mse = perSample(*makeLoss("mse"), t, p);
    QVERIFY(near(mse[0], 0.125) && near(mse[1], 1.0));
    auto mae = perSample(*makeLoss("mean_absolute_error"), t, p);
    QVERIFY(near(mae[0], 0.25) && near(mae[1], 1.0));
  }

  void meanAbsolutePercentage() {
    // 100 * (|2-1|/2 + |-4+5|/4) / 2 = 37.5; |t| below epsilon divides by 1e-7.
    QVERIFY(near(single("mape", Tensor({1, 2}, {2, -4}), Tensor({1, 2}, {1, -5})), 37.5));
    QVERIFY(near(single("mape", Tensor({1, 1}, {0}), Tensor({1, 1}, {0.5f})), 5e8, 1e-5));
  }

  void huberAndLogCosh() {
    // |e| = 0.5 -> 0.125; |e| = 3 -> 3 - 0.5 = 2.5; mean 1.3125.
    QVERIFY(near(single("huber", Tensor({1, 2}, {0, 0}), Tensor({1, 2}, {0.5f, 3})), 1.3125));
    QVERIFY(near(single(json{{"class_name", "Huber"}, {"config", {{"delta", 2.0}}}},
                        Tensor({1, 1}, {0}), Tensor({1, 1}, {3})),
                 2.0 * 3 - 2.0));
    QVERIFY(near(single("log_cosh", Tensor({1, 1}, {0}), Tensor({1, 1}, {1})), 0.4337808304830271));
    // Large errors stay finite: log(cosh(100)) = 100 - log 2.
    QVERIFY(
        near(single("logcosh", Tensor({1, 1}, {0}), Tensor({1, 1}, {100})), 100 - std::log(2.0)));
  }

  void binaryCrossentropy() {
    // -(log 0.8 + log 0.7) / 2
    QVERIFY(
        near(single("binary_crossentropy", Tensor({1, 2}, {1, 0}), Tensor({1, 2}, {0.8f, 0.3f})),
             (-std::log(0.8) - std::log(0.7)) / 2));
    // p = 1 with t = 0 is clipped to 1 - 1e-7 (in float32): -log(1.1920929e-7).
    QVERIFY(near(single("binary_crossentropy", Tensor({1, 1}, {0}), Tensor({1, 1}, {1})),
                 -std::log(1.0 - double(1.0f - 1e-7f)), 1e-4));
    const json logits = {{"class_name", "BinaryCrossentropy"}, {"config", {{"from_logits", true}}}};
    QVERIFY(near(single(logits, Tensor({1, 1}, {1}), Tensor({1, 1}, {0})), std::log(2.0)));
    // Large logits stay finite and exact: t = 0, x = 50 -> 50.
    QVERIFY(near(single(logits, Tensor({1, 1}, {0}), Tensor({1, 1}, {50})), 50.0));
    // label_smoothing 0.2: t = 1 -> 0.9.
    const json smooth = {{"class_name", "BinaryCrossentropy"},
                         {"config", {{"label_smoothing", 0.2}}}};
    QVERIFY(near(single(smooth, Tensor({1, 1}, {1}), Tensor({1, 1}, {0.8f})),
                 -(0.9 * std::log(0.8) + 0.1 * std::log(0.2))));
  }

  void categoricalCrossentropy() {
    Tensor t({1, 3}, {0, 1, 0});
    QVERIFY(near(single("categorical_crossentropy", t, Tensor({1, 3}, {0.2f, 0.6f, 0.2f})),
                 -std::log(0.6)));
    // Not normalised: divided by the sum first (Keras).
    QVERIFY(near(single("categorical_crossentropy", t, Tensor({1, 3}, {1, 3, 1})), -std::log(0.6)));
    const json logits = {{"class_name", "CategoricalCrossentropy"},
                         {"config", {{"from_logits", true}}}};
    QVERIFY(near(single(logits, t, Tensor({1, 3}, {0, float(std::log(3.0)), 0})), -std::log(0.6)));
    // A zero probability for the true class is clipped to 1e-7.
    QVERIFY(near(single("categorical_crossentropy", t, Tensor({1, 3}, {0.5f, 0, 0.5f})),
                 -std::log(double(1e-7f)), 1e-5));
    // label_smoothing 0.3 over 3 classes: t = [0.1, 0.8, 0.1].
    const json smooth = {{"class_name", "CategoricalCrossentropy"},
                         {"config", {{"label_smoothing", 0.3}}}};
    QVERIFY(near(single(smooth, t, Tensor({1, 3}, {0.2f, 0.6f, 0.2f})),
                 -(0.2 * std::log(0.2) + 0.8 * std::log(0.6))));
  }

  void sparseCategoricalCrossentropy() {
    Tensor p({2, 3}, {0.2f, 0.6f, 0.2f, 0.5f, 0.25f, 0.25f});
    auto v = perSample(*makeLoss("sparse_categorical_crossentropy"), Tensor({2}, {1, 0}), p);
    QVERIFY(near(v[0], -std::log(0.6)) && near(v[1], -std::log(0.5)));
    // (N, 1) labels are the same.
    auto w = perSample(*makeLoss("SparseCategoricalCrossentropy"), Tensor({2, 1}, {1, 0}), p);
    QVERIFY(near(w[0], v[0]) && near(w[1], v[1]));
    const json logits = {{"class_name", "SparseCategoricalCrossentropy"},
                         {"config", {{"from_logits", true}}}};
    Tensor x({1, 3}, {1, 2, 3});
    const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    QVERIFY(near(single(logits, Tensor({1}, {0}), x), lse - 1.0));
  }

  void klDivergenceAndHinge() {
    QVERIFY(near(single("kld", Tensor({1, 2}, {0.5f, 0.5f}), Tensor({1, 2}, {0.25f, 0.75f})),
                 0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3.0)));
    // {0, 1} labels become {-1, 1}: max(1 + 0.3, 0) = 1.3, max(1 - 0.2, 0) = 0.8.
    QVERIFY(near(single("hinge", Tensor({1, 2}, {0, 1}), Tensor({1, 2}, {0.3f, 0.2f})), 1.05));
    QVERIFY(near(single("hinge", Tensor({1, 2}, {-1, 1}), Tensor({1, 2}, {0.3f, 0.2f})), 1.05));
    // Labels not all in {0, 1} are used as they are.
    QVERIFY(near(single("hinge", Tensor({1, 2}, {0.5f, 1}), Tensor({1, 2}, {1, 1})), 0.25));
  }

  void higherRankAveragesPositions() {
    // (1, 2, 2): last-axis means 1 and 9, averaged over the 2 positions -> 5.
    QVERIFY(near(single("mse", Tensor({1, 2, 2}, 0.0f), Tensor({1, 2, 2}, {1, 1, 3, 3})), 5.0));
    // Categorical crossentropy sums over the classes, then averages the positions.
    Tensor t({1, 2, 2}, {1, 0, 0, 1}), p({1, 2, 2}, {0.5f, 0.5f, 0.2f, 0.8f});
    QVERIFY(near(single("categorical_crossentropy", t, p), (-std::log(0.5) - std::log(0.8)) / 2));
    QVERIFY(near(single("sparse_categorical_crossentropy", Tensor({1, 2}, {0, 1}), p),
                 (-std::log(0.5) - std::log(0.8)) / 2));
    // Rank-1 outputs are (N, 1).
    auto v = perSample(*makeLoss("mse"), Tensor({2}, {0, 0}), Tensor({2}, {1, 2}));
    QVERIFY(near(v[0], 1) && near(v[1], 4));
  }

  void finiteDifferenceGradients() {
    Rng rng(7);
    const Shape s{3, 4};
    const std::vector<float> scale{0.5f, 1.0f, 2.0f};
    auto probs = [&] { return randomTensor(s, rng, 0.05f, 0.95f); };
    // Regression losses: keep |p - t| away from the kinks.
    Tensor t = randomTensor(s, rng, -1, 1), p(s);
    for (Index i = 0; i < p.size(); ++i)
      p[i] = t[i] + (rng.uniform() < 0.5f ? -1.0f : 1.0f) * rng.uniform(0.1f, 1.5f);
    for (const char* name : {"mse", "mae", "mape", "huber", "log_cosh"})
      QVERIFY2(checkGradient(*makeLoss(name), t, p, scale), name);

    Tensor bt = randomTensor(s, rng, 0, 1);
    for (bool logits : {false, true}) {
      for (double smooth : {0.0, 0.1}) {
        const json cfg = {{"from_logits", logits}, {"label_smoothing", smooth}};
        auto bce = makeLoss({{"class_name", "BinaryCrossentropy"}, {"config", cfg}});
        Tensor x = logits ? randomTensor(s, rng, -3, 3) : probs();
        QVERIFY(checkGradient(*bce, bt, x, scale));
        auto cce = makeLoss({{"class_name", "CategoricalCrossentropy"}, {"config", cfg}});
        // Unnormalised positive predictions exercise the division by the sum.
        Tensor cx = logits ? randomTensor(s, rng, -3, 3) : randomTensor(s, rng, 0.2f, 2.0f);
        QVERIFY(checkGradient(*cce, oneHot(s, rng), cx, scale));
        QVERIFY(checkGradient(*cce, randomTensor(s, rng, 0, 0.5f), cx, scale));
      }
      auto scce = makeLoss(
          {{"class_name", "SparseCategoricalCrossentropy"}, {"config", {{"from_logits", logits}}}});
      Tensor ids({3}, {0, 3, 2});
      Tensor x = logits ? randomTensor(s, rng, -3, 3) : randomTensor(s, rng, 0.05f, 0.9f);
      QVERIFY(checkGradient(*scce, ids, x, scale));
      // (N, T, C) with (N, T) labels.
      Tensor ids3({3, 2}, {0, 1, 3, 2, 1, 1});
      Tensor x3 =
          logits ? randomTensor({3, 2, 4}, rng, -3, 3) : randomTensor({3, 2, 4}, rng, 0.05f, 0.9f);
      QVERIFY(checkGradient(*scce, ids3, x3, scale));
    }
    Tensor kt = randomTensor(s, rng, 0.05f, 1.0f);
    QVERIFY(checkGradient(*makeLoss("kl_divergence"), kt, probs(), scale));
    // Hinge away from the kink 1 - t p = 0, with {0, 1} labels and with signed labels.
    Tensor ht({3, 4}, {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0});
    Tensor hp({3, 4}, {0.3f, 0.2f, -0.5f, -2, 0.5f, 0.7f, -0.1f, 2.5f, 0.4f, 0.1f, 0.3f, -0.3f});
    QVERIFY(checkGradient(*makeLoss("hinge"), ht, hp, scale));
    Tensor hs = ht;
    for (Index i = 0; i < hs.size(); ++i) hs[i] = hs[i] * 2 - 1.5f;  // {-1.5, 0.5}
    QVERIFY(checkGradient(*makeLoss("hinge"), hs, hp, scale));
    // Higher rank, mean losses.
    Tensor t3 = randomTensor({2, 3, 2}, rng, -1, 1);
    Tensor p3 = randomTensor({2, 3, 2}, rng, -1, 1);
    QVERIFY(checkGradient(*makeLoss("mse"), t3, p3, {1.0f, 0.25f}));
  }

  void gradientExactValues() {
    // mse: d/dp mean((p-t)^2) = 2 (p - t) / d, times the scale.
    Tensor g;
    const float scale[] = {0.5f};
    makeLoss("mse")->gradient(Tensor({1, 2}, {0, 0}), Tensor({1, 2}, {1, -3}), scale, g);
    QCOMPARE(g[0], 0.5f);
    QCOMPARE(g[1], -1.5f);
    // Without scale (nullptr = 1); from_logits BCE: (sigmoid(x) - t) / d.
    BinaryCrossentropy bce(true, 0.0);
    bce.gradient(Tensor({1, 1}, {1}), Tensor({1, 1}, {0}), nullptr, g);
    QCOMPARE(g[0], -0.5f);
    // Sparse from_logits: softmax - onehot.
    SparseCategoricalCrossentropy sce(true);
    sce.gradient(Tensor({1}, {1}), Tensor({1, 2}, {0, 0}), nullptr, g);
    QCOMPARE(g[0], 0.5f);
    QCOMPARE(g[1], -0.5f);
  }

  void clippedGradientsAreZero() {
    Tensor g;
    // BCE: p outside [1e-7, 1 - 1e-7] -> zero gradient (TF clip_by_value).
    makeLoss("binary_crossentropy")
        ->gradient(Tensor({1, 2}, {0, 1}), Tensor({1, 2}, {1, 0}), nullptr, g);
    QCOMPARE(g[0], 0.0f);
    QCOMPARE(g[1], 0.0f);
    // Inside the range: (p - t) / (p (1 - p)) / d.
    makeLoss("binary_crossentropy")
        ->gradient(Tensor({1, 1}, {1}), Tensor({1, 1}, {0.5f}), nullptr, g);
    QVERIFY(near(g[0], -2.0));
    // CCE with a one-hot prediction: both normalised values clipped -> zero gradient.
    makeLoss("categorical_crossentropy")
        ->gradient(Tensor({1, 2}, {1, 0}), Tensor({1, 2}, {1, 0}), nullptr, g);
    QCOMPARE(g[0], 0.0f);
    QCOMPARE(g[1], 0.0f);
    // CCE where only the wrong class is clipped: q = [1, 0] / 1 with t = [0, 1]:
    // dL/dq_1 = 0 (clipped), dL/dq_0 = 0 (t_0 = 0) -> zero as well; the loss is -log(1e-7).
    makeLoss("categorical_crossentropy")
        ->gradient(Tensor({1, 2}, {0, 1}), Tensor({1, 2}, {1, 0}), nullptr, g);
    QCOMPARE(g[0], 0.0f);
    QCOMPARE(g[1], 0.0f);
    // KLD: p above 1 is clipped.
    makeLoss("kld")->gradient(Tensor({1, 1}, {0.5f}), Tensor({1, 1}, {1.5f}), nullptr, g);
    QCOMPARE(g[0], 0.0f);
    // Sparse: clipped entries get no gradient, the others do.
    makeLoss("sparse_categorical_crossentropy")
        ->gradient(Tensor({1}, {1}), Tensor({1, 3}, {0, 0.5f, 0.5f}), nullptr, g);
    QCOMPARE(g[0], 0.0f);
    QVERIFY(near(g[1], 1.0 / (1.0 + 1e-7) - 2.0, 1e-5));
    QVERIFY(near(g[2], 1.0 / (1.0 + 1e-7), 1e-5));
  }

  void labelErrors() {
    auto scce = makeLoss("sparse_categorical_crossentropy");
    scce->checkLabels(Tensor({3}, {0, 1, 2}), {kNone, 3});
    scce->checkLabels(Tensor({3, 1}, {0, 1, 2}), {kNone, 3});
    try {
      scce->checkLabels(Tensor({3}, {0, 3, 1}), {kNone, 3});
      QFAIL("out-of-range id accepted");
    } catch (const Error& e) {
      const QString m = e.what();
      QVERIFY2(m.contains("label 3") && m.contains("3 classes") && m.contains("index 1"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, scce->checkLabels(Tensor({2}, {-1, 0}), {kNone, 3}));
    QVERIFY_THROWS_EXCEPTION(Error, scce->checkLabels(Tensor({2}, {0.5f, 0}), {kNone, 3}));
    QVERIFY_THROWS_EXCEPTION(Error, scce->checkLabels(Tensor({2, 2}, {0, 1, 1, 0}), {kNone, 3}));
    QVERIFY_THROWS_EXCEPTION(Error, scce->checkLabels(Tensor({2}, {0, 1}), {kNone}));
    // Per batch too: no out-of-bounds read.
    std::vector<float> out(1);
    QVERIFY_THROWS_EXCEPTION(
        Error, scce->perSample(Tensor({1}, {7}), Tensor({1, 3}, {0.2f, 0.3f, 0.5f}), out.data()));
    // Dense losses: values per sample must match.
    auto mse = makeLoss("mse");
    mse->checkLabels(Tensor({4, 2}), {kNone, 2});
    mse->checkLabels(Tensor({4}), {kNone, 1});
    QVERIFY_THROWS_EXCEPTION(Error, mse->checkLabels(Tensor({4, 3}), {kNone, 2}));
    QVERIFY_THROWS_EXCEPTION(Error, mse->perSample(Tensor({1, 3}), Tensor({1, 2}), out.data()));
  }

  void factoryNames() {
    const std::vector<std::pair<json, std::string>> cases = {
        {"mse", "MeanSquaredError"},
        {"mean_squared_error", "MeanSquaredError"},
        {"MeanSquaredError", "MeanSquaredError"},
        {"mae", "MeanAbsoluteError"},
        {"mape", "MeanAbsolutePercentageError"},
        {"huber", "Huber"},
        {"huber_loss", "Huber"},
        {"logcosh", "LogCosh"},
        {"log_cosh", "LogCosh"},
        {"binary_crossentropy", "BinaryCrossentropy"},
        {"categorical_crossentropy", "CategoricalCrossentropy"},
        {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
        {"kld", "KLDivergence"},
        {"kl_divergence", "KLDivergence"},
        {"KLDivergence", "KLDivergence"},
        {"hinge", "Hinge"},
        {json{{"class_name", "Hinge"}, {"config", json::object()}}, "Hinge"},
        {json{{"class_name", "function"}, {"config", "mae"}}, "MeanAbsoluteError"},
    };
    for (const auto& [spec, cls] : cases) QCOMPARE(makeLoss(spec)->className(), cls);
    QCOMPARE(makeLoss("mse")->name(), std::string("mean_squared_error"));
    try {
      makeLoss("msq");
      QFAIL("unknown loss accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("'msq'") && QString(e.what()).contains("mse"));
    }
    QVERIFY_THROWS_EXCEPTION(
        Error, makeLoss({{"class_name", "MeanSquaredError"}, {"config", {{"delta", 1}}}}));
    QVERIFY_THROWS_EXCEPTION(
        Error, makeLoss({{"class_name", "MeanSquaredError"}, {"config", {{"reduction", "sum"}}}}));
    QVERIFY_THROWS_EXCEPTION(Error, makeLoss(3));
  }

  void configRoundTrip() {
    const json spec = {{"class_name", "CategoricalCrossentropy"},
                       {"config",
                        {{"from_logits", true},
                         {"label_smoothing", 0.1},
                         {"name", "cce"},
                         {"reduction", "auto"},
                         {"axis", -1}}}};
    auto loss = makeLoss(spec);
    QCOMPARE(loss->name(), std::string("cce"));
    QCOMPARE(loss->toJson(), spec);
    QCOMPARE(makeLoss(loss->toJson())->toJson(), spec);
    auto b = makeLoss("binary_crossentropy");
    QCOMPARE(b->config()["from_logits"], json(false));
    QCOMPARE(b->config()["label_smoothing"], json(0.0));
    QCOMPARE(makeLoss("huber")->config()["delta"], json(1.0));
  }
};

QTEST_APPLESS_MAIN(TestLosses)
#include "tst_engine_losses.moc"
