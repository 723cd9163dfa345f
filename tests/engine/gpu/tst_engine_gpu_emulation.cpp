// The CUDA kernels of engine/gpu/GpuLayerKernels.cu run on the CPU: the build rewrites the .cu
// file's launches for the host emulation of tests/engine/gpu/emu/CudaEmulation.h (threads, warps
// and blocks of std::threads; __shfl_xor_sync and __syncthreads through barriers) and compiles
// the kernels' own source with g++. Every launch function is compared with the CPU engine's layer
// (or its shared helper) at small sizes: indexing and arithmetic of the kernels are checked on
// every CI run of a CUDA build, without a GPU. Tolerances: 1e-6 of the largest reference value
// (host expf / tanhf and summation orders), exact for copies and masks.
#include "emu/GpuLayerKernelsEmu.h"  // first: engine/gpu/GpuLayerKernels.h in tessel::gpu_emu

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "engine/core/Rng.h"
#include "engine/layers/AdditiveAttention.h"
#include "engine/layers/Attention.h"
#include "engine/layers/AttentionCore.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/Normalization.h"

using namespace tessel;
namespace emu = tessel::gpu_emu;

namespace {

std::mt19937 gen(1234);

std::vector<float> randomValues(size_t count, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (float& x : v) x = dist(gen);
  return v;
}

// 0/1 values, about a third 0.
std::vector<float> randomMask(size_t count) {
  std::vector<float> m = randomValues(count, 0.0f, 1.0f);
  for (float& x : m) x = x < 0.33f ? 0.0f : 1.0f;
  return m;
}

// The largest |got - want| over max(max |want|, 1e-30); fails the test above `tol` (0: exact).
double compare(const char* what, const float* got, const float* want, size_t count, double tol) {
  double maxDiff = 0.0, maxRef = 0.0;
  for (size_t i = 0; i < count; ++i) {
    if (std::isnan(got[i]) != std::isnan(want[i])) {
      qWarning("%s: value %zu is %g, expected %g", what, i, double(got[i]), double(want[i]));
      return INFINITY;
    }
    if (std::isnan(got[i])) continue;
    maxDiff = std::max(maxDiff, std::fabs(double(got[i]) - double(want[i])));
    maxRef = std::max(maxRef, std::fabs(double(want[i])));
  }
  const double err = maxDiff / std::max(maxRef, 1e-30);
  if (err > tol)
    qWarning("%s: relative error %.3g above %.3g (max |diff| %.3g)", what, err, tol, maxDiff);
  return err;
}

double compare(const char* what, const std::vector<float>& got, const float* want, double tol) {
  return compare(what, got.data(), want, got.size(), tol);
}

// Keeps the largest error of a test function and reports it at its end.
struct MaxError {
  double value = 0.0;
  bool ok = true;
  void add(double err, double tol) {
    value = std::max(value, err);
    ok = ok && err <= tol;
  }
  ~MaxError() { qInfo("max relative error %.3g", value); }
};

constexpr double kTol = 1e-6;
// The attention variables' gradients: sums of n * tq * tv terms of both signs (the CPU layer's in
// float, the kernels' in double), relative to a result that cancellation can make small.
constexpr double kSumTol = 1e-5;

std::unique_ptr<Layer> makeLayer(const std::string& className, const json& config,
                                 const std::vector<Shape>& inputs) {
  auto layer = LayerRegistry::instance().create(className, config, "layer");
  Rng rng(7);
  layer->build(inputs, rng);
  return layer;
}

}  // namespace

class TestGpuEmulation : public QObject {
  Q_OBJECT
 private slots:
  void init() { gen.seed(1234); }  // each case (and data row) draws the same values run alone
  void attentionSoftmax_data();
  void attentionSoftmax();
  void softmaxRowsBackward();
  void permute_data();
  void permute();
  void repeat();
  void masking();
  void normalize();
  void concatScores_data();
  void concatScores();
  void maskedStepMean();
};

void TestGpuEmulation::attentionSoftmax_data() {
  QTest::addColumn<int>("heads");
  QTest::addColumn<int>("tv");
  QTest::addColumn<bool>("causal");
  QTest::addColumn<bool>("colMask");
  QTest::addColumn<bool>("colMask2");
  QTest::addColumn<bool>("rowMask");
  QTest::addColumn<int>("scaleMode");  // 0: none, 1: device scalar, 2: constScale
  QTest::newRow("plain") << 1 << 5 << false << false << false << false << 0;
  QTest::newRow("wide rows, scale pointer") << 1 << 45 << false << false << false << false << 1;
  QTest::newRow("causal") << 1 << 7 << true << false << false << false << 0;
  QTest::newRow("causal, tv < tq") << 2 << 3 << true << false << false << false << 2;
  QTest::newRow("colMask") << 1 << 37 << false << true << false << false << 1;
  QTest::newRow("colMask, colMask2, heads 2") << 2 << 9 << false << true << true << false << 2;
  QTest::newRow("rowMask, heads 2") << 2 << 6 << false << false << false << true << 2;
  QTest::newRow("everything, heads 2") << 2 << 40 << true << true << true << true << 1;
  QTest::newRow("everything, heads 1") << 1 << 8 << true << true << true << true << 2;
}

// launchAttentionSoftmax vs attention::maskedSoftmaxRows per (sample, head) of the scaled scores
// with the product of the two column masks. Sample 0's value mask hides every key (the all-masked
// rows' uniform softmax of s - 1e9).
void TestGpuEmulation::attentionSoftmax() {
  QFETCH(int, heads);
  QFETCH(int, tv);
  QFETCH(bool, causal);
  QFETCH(bool, colMask);
  QFETCH(bool, colMask2);
  QFETCH(bool, rowMask);
  QFETCH(int, scaleMode);
  const int n = 3, tq = 5, rows = n * heads * tq;
  const std::vector<float> s = randomValues(size_t(rows) * tv, -3.0f, 3.0f);
  std::vector<float> m1 = randomMask(size_t(n) * tv), m2 = randomMask(size_t(n) * tv),
                     rm = randomMask(size_t(n) * tq);
  std::fill(m1.begin(), m1.begin() + tv, 0.0f);
  const float scale = 0.7f, constScale = scaleMode == 2 ? 1.0f / std::sqrt(5.0f) : 1.0f;
  std::vector<float> p(s.size(), NAN);
  emu::launchAttentionSoftmax(s.data(), p.data(), rows, tq, heads, tv, causal,
                              colMask ? m1.data() : nullptr, colMask2 ? m2.data() : nullptr,
                              rowMask ? rm.data() : nullptr, scaleMode == 1 ? &scale : nullptr,
                              constScale, nullptr);
  std::vector<float> want(s.size());
  const float a = scaleMode == 1 ? scale : constScale;
  for (int b = 0; b < n; ++b) {
    std::vector<float> cm(size_t(tv), 1.0f);
    for (int j = 0; j < tv; ++j) {
      const bool shown = (!colMask || m1[size_t(b * tv + j)] != 0.0f) &&
                         (!colMask2 || m2[size_t(b * tv + j)] != 0.0f);
      cm[size_t(j)] = shown ? 1.0f : 0.0f;
    }
    for (int h = 0; h < heads; ++h) {
      float* w = want.data() + size_t((b * heads + h) * tq) * tv;
      const float* in = s.data() + size_t((b * heads + h) * tq) * tv;
      for (int k = 0; k < tq * tv; ++k) w[k] = scaleMode != 0 ? in[k] * a : in[k];
      attention::maskedSoftmaxRows(w, tq, tv, causal, colMask || colMask2 ? cm.data() : nullptr,
                                   rowMask ? rm.data() + size_t(b) * tq : nullptr);
    }
  }
  MaxError e;
  e.add(compare("attention softmax", p, want.data(), kTol), kTol);
  QVERIFY(e.ok);
}

// launchSoftmaxRowsBackward vs attention::softmaxRowsBackward, also in place (ds = dp).
void TestGpuEmulation::softmaxRowsBackward() {
  MaxError e;
  for (int cols : {1, 6, 33, 70}) {
    const int rows = 11;
    std::vector<float> p = randomValues(size_t(rows) * cols, -2.0f, 2.0f);
    attention::maskedSoftmaxRows(p.data(), rows, cols, false);
    const std::vector<float> dp = randomValues(p.size());
    std::vector<float> want(p.size()), ds(p.size(), NAN), inPlace = dp;
    attention::softmaxRowsBackward(p.data(), dp.data(), want.data(), rows, cols);
    emu::launchSoftmaxRowsBackward(p.data(), dp.data(), ds.data(), rows, cols, nullptr);
    emu::launchSoftmaxRowsBackward(p.data(), inPlace.data(), inPlace.data(), rows, cols, nullptr);
    e.add(compare("softmax backward", ds, want.data(), kTol), kTol);
    e.add(compare("softmax backward in place", inPlace, want.data(), kTol), kTol);
  }
  QVERIFY(e.ok);
}

void TestGpuEmulation::permute_data() {
  QTest::addColumn<QList<int>>("shape");  // per sample
  QTest::addColumn<QList<int>>("dims");   // Keras's, 1-based
  QTest::newRow("rank 2") << QList<int>{3, 5} << QList<int>{2, 1};
  QTest::newRow("rank 3 (3, 1, 2)") << QList<int>{2, 3, 4} << QList<int>{3, 1, 2};
  QTest::newRow("rank 3 (2, 3, 1)") << QList<int>{2, 3, 4} << QList<int>{2, 3, 1};
  QTest::newRow("rank 3 identity") << QList<int>{4, 1, 3} << QList<int>{1, 2, 3};
  QTest::newRow("rank 4") << QList<int>{2, 3, 2, 5} << QList<int>{4, 2, 1, 3};
}

// launchPermute forward and inverse vs the Permute layer's forward and backward: exact.
void TestGpuEmulation::permute() {
  QFETCH(QList<int>, shape);
  QFETCH(QList<int>, dims);
  const std::vector<int> keras(dims.begin(), dims.end());
  const int n = 2;
  Shape in{kNone}, full{n};
  for (int d : shape) {
    in.push_back(d);
    full.push_back(d);
  }
  auto layer = makeLayer("Permute", json{{"dims", keras}}, {in});
  Tensor x(full, randomValues(size_t(
                     n * std::accumulate(shape.begin(), shape.end(), 1, std::multiplies<int>()))));
  RunContext ctx;
  Tensor y;
  layer->forward({&x}, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  Tensor dx;
  std::vector<Tensor*> dxs{&dx};
  layer->backward({&x}, y, dy, dxs, ctx);
  emu::PermuteGeom g;
  g.rank = int(shape.size());
  for (int k = 0; k < g.rank; ++k) {
    g.dims[k] = shape[k];
    g.perm[k] = dims[k] - 1;
  }
  std::vector<float> gy(size_t(y.size()), NAN), gdx(size_t(x.size()), NAN);
  emu::launchPermute(x.data(), gy.data(), n, g, false, nullptr);
  // inverse: x is the permuted gradient (read), y the input's (written), as the kernel
  // does (GpuLayerKernels.h words it the other way round).
  emu::launchPermute(dy.data(), gdx.data(), n, g, true, nullptr);
  MaxError e;
  e.add(compare("permute", gy, y.data(), 0.0), 0.0);
  e.add(compare("permute inverse", gdx, dx.data(), 0.0), 0.0);
  QVERIFY(e.ok);
}

// launchRepeat / launchRepeatBackward vs RepeatVector (the backward sums the copies in order).
void TestGpuEmulation::repeat() {
  MaxError e;
  for (int times : {1, 4}) {
    const int n = 3, f = 5;
    auto layer = makeLayer("RepeatVector", json{{"n", times}}, {{kNone, f}});
    const Tensor x({n, f}, randomValues(size_t(n) * f));
    RunContext ctx;
    Tensor y;
    layer->forward({&x}, y, ctx);
    const Tensor dy(y.shape(), randomValues(size_t(y.size())));
    Tensor dx;
    std::vector<Tensor*> dxs{&dx};
    layer->backward({&x}, y, dy, dxs, ctx);
    std::vector<float> gy(size_t(y.size()), NAN), gdx(size_t(x.size()), NAN);
    emu::launchRepeat(x.data(), gy.data(), n, times, f, nullptr);
    emu::launchRepeatBackward(dy.data(), gdx.data(), n, times, f, nullptr);
    e.add(compare("repeat", gy, y.data(), 0.0), 0.0);
    e.add(compare("repeat backward", gdx, dx.data(), kTol), kTol);
  }
  QVERIFY(e.ok);
}

// launchMasking / launchKeepRows vs Masking's output, mask and backward: exact.
void TestGpuEmulation::masking() {
  const int n = 3, steps = 6, f = 4;
  const float maskValue = 0.5f;
  auto layer = makeLayer("Masking", json{{"mask_value", maskValue}}, {{kNone, steps, f}});
  std::vector<float> xv = randomValues(size_t(n) * steps * f);
  for (int r : {0, 4, 7, 17})  // rows of mask_value only; row 9 has a single one
    std::fill(xv.begin() + r * f, xv.begin() + (r + 1) * f, maskValue);
  xv[size_t(9 * f)] = maskValue;
  const Tensor x({n, steps, f}, xv);
  Tensor y, mask;
  RunContext ctx;
  ctx.outputMask = &mask;
  layer->forward({&x}, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  Tensor dx;
  std::vector<Tensor*> dxs{&dx};
  layer->backward({&x}, y, dy, dxs, ctx);
  const long rows = long(n) * steps;
  std::vector<float> gy(size_t(x.size()), NAN), keep(size_t(rows), NAN), gdx(size_t(x.size()), NAN);
  emu::launchMasking(x.data(), gy.data(), keep.data(), rows, f, maskValue, nullptr);
  emu::launchKeepRows(dy.data(), keep.data(), gdx.data(), rows, f, nullptr);
  MaxError e;
  e.add(compare("masking", gy, y.data(), 0.0), 0.0);
  QCOMPARE(mask.size(), Index(rows));
  e.add(compare("masking keep", keep, mask.data(), 0.0), 0.0);
  e.add(compare("keep rows", gdx, dx.data(), 0.0), 0.0);
  QCOMPARE(keep[0], 0.0f);
  QCOMPARE(keep[9], 1.0f);
  QVERIFY(e.ok);
}

// launchNormalize(Backward) vs the Normalization layer (mean and variance in its config; its
// per-sample statistics from sampleStats), plain and inverted.
void TestGpuEmulation::normalize() {
  MaxError e;
  for (bool invert : {false, true}) {
    const int n = 3, steps = 4, f = 3, s = steps * f;
    const json config{{"axis", -1},
                      {"mean", {0.5, -1.0, 2.0}},
                      {"variance", {4.0, 0.25, 1e-12}},
                      {"invert", invert}};
    auto layer = makeLayer("Normalization", config, {{kNone, steps, f}});
    const Tensor x({n, steps, f}, randomValues(size_t(n) * s, -3.0f, 3.0f));
    RunContext ctx;
    Tensor y;
    layer->forward({&x}, y, ctx);
    const Tensor dy(y.shape(), randomValues(size_t(y.size())));
    Tensor dx;
    std::vector<Tensor*> dxs{&dx};
    layer->backward({&x}, y, dy, dxs, ctx);
    std::vector<float> mean, denom;
    dynamic_cast<Normalization&>(*layer).sampleStats(mean, denom);
    QCOMPARE(int(mean.size()), s);
    std::vector<float> gy(size_t(x.size()), NAN), gdx(size_t(x.size()), NAN);
    emu::launchNormalize(x.data(), gy.data(), mean.data(), denom.data(), n, s, invert, nullptr);
    emu::launchNormalizeBackward(dy.data(), gdx.data(), denom.data(), n, s, invert, nullptr);
    e.add(compare("normalize", gy, y.data(), kTol), kTol);
    e.add(compare("normalize backward", gdx, dx.data(), kTol), kTol);
  }
  QVERIFY(e.ok);
}

void TestGpuEmulation::concatScores_data() {
  QTest::addColumn<bool>("additive");
  QTest::addColumn<bool>("useScale");
  QTest::addColumn<bool>("ownKey");  // inputs [query, value, key], else the key is the value
  QTest::addColumn<bool>("causal");
  for (bool additive : {false, true})
    for (bool useScale : {false, true})
      for (bool ownKey : {false, true}) {
        const bool causal = ownKey != useScale;
        const std::string name = std::string(additive ? "AdditiveAttention" : "Attention concat") +
                                 (useScale ? ", use_scale" : "") + (ownKey ? ", key" : "") +
                                 (causal ? ", causal" : "");
        QTest::newRow(name.c_str()) << additive << useScale << ownKey << causal;
      }
}

// launchConcatScores / launchConcatScoresBackward vs Attention(score_mode "concat") and
// AdditiveAttention through the layers' forward and backward, with the same variables: the
// emulated scores go through launchAttentionSoftmax and P V (on the CPU), the gradient of the
// output back through P (CPU), launchSoftmaxRowsBackward and launchConcatScoresBackward.
void TestGpuEmulation::concatScores() {
  QFETCH(bool, additive);
  QFETCH(bool, useScale);
  QFETCH(bool, ownKey);
  QFETCH(bool, causal);
  const int n = 2, tq = 4, tv = 6, d = 3, dv = ownKey ? 5 : d;
  json config{{"use_scale", useScale}, {"dropout", 0.0}, {"use_causal_mask", causal}};
  if (!additive) config["score_mode"] = "concat";
  std::vector<Shape> shapes{{kNone, tq, d}, {kNone, tv, dv}};
  if (ownKey) shapes.push_back({kNone, tv, d});
  auto layer = makeLayer(additive ? "AdditiveAttention" : "Attention", config, shapes);
  emu::ConcatScores g;
  g.n = n;
  g.tq = tq;
  g.tv = tv;
  g.d = d;
  std::vector<float> grads;  // the variables' gradients, in their order
  std::vector<long> offsets;
  for (Variable& v : layer->variables()) {
    const std::vector<float> values = randomValues(size_t(v.value.size()), 0.5f, 1.5f);
    std::copy(values.begin(), values.end(), v.value.data());
    offsets.push_back(long(grads.size()));
    grads.resize(grads.size() + size_t(v.value.size()), NAN);
    if (additive && v.name == "scale") g.w = v.value.data();
    if (!additive && v.name == "scale") g.a = v.value.data();
    if (!additive && v.name == "concat_score_weight") g.c = v.value.data();
  }
  QCOMPARE(g.w != nullptr, additive && useScale);
  QCOMPARE(g.a != nullptr, !additive && useScale);
  QCOMPARE(g.c != nullptr, !additive);
  const Tensor q({n, tq, d}, randomValues(size_t(n) * tq * d, -1.5f, 1.5f));
  const Tensor v({n, tv, dv}, randomValues(size_t(n) * tv * dv, -1.5f, 1.5f));
  const Tensor k({n, tv, d}, randomValues(size_t(n) * tv * d, -1.5f, 1.5f));
  std::vector<const Tensor*> xs{&q, &v};
  if (ownKey) xs.push_back(&k);
  RunContext ctx;
  Tensor y;
  layer->forward(xs, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  Tensor dq, dvv, dk;
  std::vector<Tensor*> dxs{&dq, &dvv};
  if (ownKey) dxs.push_back(&dk);
  for (Variable& var : layer->variables()) var.grad.setZero();
  layer->backward(xs, y, dy, dxs, ctx);

  // Forward: S, P (kernels), Y = P V.
  g.q = q.data();
  g.k = ownKey ? k.data() : v.data();
  const size_t ps = size_t(n) * tq * tv;
  std::vector<float> scores(ps, NAN), p(ps, NAN);
  emu::launchConcatScores(g, scores.data(), nullptr);
  emu::launchAttentionSoftmax(scores.data(), p.data(), n * tq, tq, 1, tv, causal, nullptr, nullptr,
                              nullptr, nullptr, 1.0f, nullptr);
  std::vector<float> gy(size_t(y.size())), dp(ps), gdv(size_t(v.size()));
  for (int b = 0; b < n; ++b)
    for (int i = 0; i < tq; ++i) {
      for (int e = 0; e < dv; ++e) {
        double acc = 0.0;
        for (int j = 0; j < tv; ++j)
          acc += double(p[size_t((b * tq + i) * tv + j)]) * v.data()[(b * tv + j) * dv + e];
        gy[size_t((b * tq + i) * dv + e)] = float(acc);
      }
      for (int j = 0; j < tv; ++j) {  // dP = dY V^T
        double acc = 0.0;
        for (int e = 0; e < dv; ++e)
          acc += double(dy.data()[(b * tq + i) * dv + e]) * v.data()[(b * tv + j) * dv + e];
        dp[size_t((b * tq + i) * tv + j)] = float(acc);
      }
    }
  for (int b = 0; b < n; ++b)  // dV = P^T dY
    for (int j = 0; j < tv; ++j)
      for (int e = 0; e < dv; ++e) {
        double acc = 0.0;
        for (int i = 0; i < tq; ++i)
          acc += double(p[size_t((b * tq + i) * tv + j)]) * dy.data()[(b * tq + i) * dv + e];
        gdv[size_t((b * tv + j) * dv + e)] = float(acc);
      }
  // Backward: dS (kernel, in place), then dq, dk (added to dV when the key is the value) and
  // the variables' gradients.
  emu::launchSoftmaxRowsBackward(p.data(), dp.data(), dp.data(), n * tq, tv, nullptr);
  std::vector<float> gdq(size_t(q.size()), NAN), gdk(size_t(k.size()), NAN),
      partials(size_t(3) * n * d, NAN);
  const auto grad = [&](const char* name) -> float* {
    const auto& vars = layer->variables();
    for (size_t i = 0; i < vars.size(); ++i)
      if (vars[i].name == name) return grads.data() + offsets[i];
    return nullptr;
  };
  emu::launchConcatScoresBackward(
      g, dp.data(), gdq.data(), ownKey ? gdk.data() : gdv.data(), !ownKey,
      additive ? nullptr : grad("scale"), additive ? nullptr : grad("concat_score_weight"),
      additive ? grad("scale") : nullptr, partials.data(), nullptr, nullptr);

  MaxError e;
  e.add(compare("y", gy, y.data(), kTol), kTol);
  e.add(compare("dQuery", gdq, dq.data(), kTol), kTol);
  e.add(compare("dValue", gdv, dvv.data(), kTol), kTol);
  if (ownKey) e.add(compare("dKey", gdk, dk.data(), kTol), kTol);
  const auto& vars = layer->variables();
  for (size_t i = 0; i < vars.size(); ++i)
    e.add(compare(("d" + vars[i].name).c_str(), grads.data() + offsets[i], vars[i].grad.data(),
                  size_t(vars[i].grad.size()), kSumTol),
          kSumTol);
  QVERIFY(e.ok);
}

// launchMaskedStepMean(Backward) vs GlobalAveragePooling1D with an input mask: sample 0 has every
// step masked (0), sample 1 none.
void TestGpuEmulation::maskedStepMean() {
  MaxError e;
  for (int steps : {1, 7, 40}) {
    const int n = 3, c = 5;
    auto layer = makeLayer("GlobalAveragePooling1D", json::object(), {{kNone, steps, c}});
    const Tensor x({n, steps, c}, randomValues(size_t(n) * steps * c));
    std::vector<float> m = randomMask(size_t(n) * steps);
    std::fill(m.begin(), m.begin() + steps, 0.0f);
    std::fill(m.begin() + steps, m.begin() + 2 * steps, 1.0f);
    const Tensor mask({n, steps}, m);
    std::vector<const Tensor*> masks{&mask};
    RunContext ctx;
    ctx.inputMasks = &masks;
    Tensor y;
    layer->forward({&x}, y, ctx);
    const Tensor dy(y.shape(), randomValues(size_t(y.size())));
    Tensor dx;
    std::vector<Tensor*> dxs{&dx};
    layer->backward({&x}, y, dy, dxs, ctx);
    std::vector<float> gy(size_t(y.size()), NAN), gdx(size_t(x.size()), NAN);
    emu::launchMaskedStepMean(x.data(), m.data(), gy.data(), n, steps, c, nullptr);
    emu::launchMaskedStepMeanBackward(dy.data(), m.data(), gdx.data(), n, steps, c, nullptr);
    e.add(compare("masked step mean", gy, y.data(), kTol), kTol);
    e.add(compare("masked step mean backward", gdx, dx.data(), kTol), kTol);
  }
  QVERIFY(e.ok);
}

QTEST_APPLESS_MAIN(TestGpuEmulation)
#include "tst_engine_gpu_emulation.moc"
