// The CUDA kernels of engine/gpu/GpuKernels.cu, GpuLayerKernels.cu, GpuLossKernels.cu and
// GpuUpdateKernels.cu run on the CPU: the build rewrites each .cu file's launches for the host
// emulation of tests/engine/gpu/emu/CudaEmulation.h (threads, warps and blocks of std::threads;
// __shfl_xor_sync and __syncthreads through barriers) and compiles the kernels' own source with
// g++. Every launch function is compared with the CPU engine's layer (or its shared helper, or the
// loss's gradient, with GpuLoss.cpp's parameters; the optimizer update through the engine's own
// UpdatePlan, against the CPU optimizer) at small sizes: indexing and arithmetic of the kernels
// are checked on every CI run of a CUDA build, without a GPU. Tolerances: 1e-6 of the largest
// reference value (host expf / tanhf and summation orders), exact for copies and masks.

// First: engine/gpu/GpuKernels.h, GpuLayerKernels.h, GpuLossKernels.h, GpuUpdateKernels.h and
// GpuUpdate.h in tessel::gpu_emu.
#include "emu/GpuKernelsEmu.h"
#include "emu/GpuLayerKernelsEmu.h"
#include "emu/GpuLossKernelsEmu.h"
// engine/gpu/GpuUpdate.h's UpdatePlan (GpuUpdate.cpp, compiled again) and GpuUpdateKernels.h.
#include "emu/GpuUpdateEmu.h"

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
#include "engine/layers/ConvUtils.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/Normalization.h"
#include "engine/losses/Ctc.h"
#include "engine/losses/Loss.h"
#include "engine/optimizers/Optimizer.h"

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

// The CPU layer's input gradient for dL/dy = dy after its forward on x gave y (same ctx).
Tensor cpuBackward(Layer& layer, const Tensor& x, const Tensor& y, const Tensor& dy,
                   RunContext& ctx) {
  Tensor dx;
  std::vector<Tensor*> dxs{&dx};
  layer.backward({&x}, y, dy, dxs, ctx);
  return dx;
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

// Softmax over each group of `c` consecutive values, in place.
void softmaxGroups(std::vector<float>& v, int c) {
  for (size_t g = 0; g + size_t(c) <= v.size(); g += size_t(c)) {
    const float m = *std::max_element(v.begin() + long(g), v.begin() + long(g) + c);
    double sum = 0.0;
    for (int k = 0; k < c; ++k) sum += std::exp(double(v[g + size_t(k)]) - m);
    for (int k = 0; k < c; ++k)
      v[g + size_t(k)] = float(std::exp(double(v[g + size_t(k)]) - m) / sum);
  }
}

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
  void ctcGradient_data();
  void ctcGradient();
  void crossentropyGradient_data();
  void crossentropyGradient();
  void elementwiseLossGradient_data();
  void elementwiseLossGradient();
  void pooling_data();
  void pooling();
  void batchNorm();
  void layerNorm();
  void merge_data();
  void merge();
  void concat();
  void padCrop();
  void upsample();
  void embedding();
  void optimizerUpdate_data();
  void optimizerUpdate();
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
  const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
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
    const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
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
  const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
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
    const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
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
  std::vector<double> scratch(size_t(emu::reductionScratchDoubles(n * d, d)), NAN);
  const auto grad = [&](const char* name) -> float* {
    const auto& vars = layer->variables();
    for (size_t i = 0; i < vars.size(); ++i)
      if (vars[i].name == name) return grads.data() + offsets[i];
    return nullptr;
  };
  emu::launchConcatScoresBackward(
      g, dp.data(), gdq.data(), ownKey ? gdk.data() : gdv.data(), !ownKey,
      additive ? nullptr : grad("scale"), additive ? nullptr : grad("concat_score_weight"),
      additive ? grad("scale") : nullptr, partials.data(), scratch.data(), nullptr);

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
    const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
    std::vector<float> gy(size_t(y.size()), NAN), gdx(size_t(x.size()), NAN);
    emu::launchMaskedStepMean(x.data(), m.data(), gy.data(), n, steps, c, nullptr);
    emu::launchMaskedStepMeanBackward(dy.data(), m.data(), gdx.data(), n, steps, c, nullptr);
    e.add(compare("masked step mean", gy, y.data(), kTol), kTol);
    e.add(compare("masked step mean backward", gdx, dx.data(), kTol), kTol);
  }
  QVERIFY(e.ok);
}

void TestGpuEmulation::ctcGradient_data() {
  QTest::addColumn<int>("steps");
  QTest::addColumn<int>("classes");
  QTest::addColumn<int>("width");  // label ids per row, 0-padded
  QTest::addColumn<bool>("fromLogits");
  for (bool fromLogits : {true, false}) {
    const char* kind = fromLogits ? "logits" : "probabilities";
    QTest::newRow((std::string("T 9, C 5, ") + kind).c_str()) << 9 << 5 << 5 << fromLogits;
    QTest::newRow((std::string("T 20, C 12, ") + kind).c_str()) << 20 << 12 << 11 << fromLogits;
    QTest::newRow((std::string("T 4, C 5, ") + kind).c_str()) << 4 << 5 << 3 << fromLogits;
    QTest::newRow((std::string("T 1, C 12, ") + kind).c_str()) << 1 << 12 << 2 << fromLogits;
  }
}

// launchCtcGradient (as GpuLoss.cpp calls it) vs Ctc::gradient, weighted per sample. The rows: a
// label padded with 0, the empty label, repeated neighbours, a label that needs exactly T steps
// (Ctc::minSteps), one that needs more (no alignment: a zero gradient) where the width allows,
// and random labels of random lengths.
void TestGpuEmulation::ctcGradient() {
  QFETCH(int, steps);
  QFETCH(int, classes);
  QFETCH(int, width);
  QFETCH(bool, fromLogits);
  const int T = steps, C = classes, W = width;
  std::vector<std::vector<Index>> labels;
  labels.push_back({1, 2});     // padded (width >= 2)
  labels.push_back({});         // empty
  labels.push_back({3, 3, 1});  // repeated neighbours
  std::vector<Index> exact;     // length L, T - L repeats: L + repeats = T steps
  for (int L = (T + 2) / 2; L <= std::min(W, T); ++L) {
    int repeats = T - L;
    exact = {1};
    for (int j = 1; j < L; ++j)
      exact.push_back(repeats-- > 0 ? exact.back() : 1 + exact.back() % (C - 1));
    break;
  }
  if (!exact.empty()) labels.push_back(exact);
  if (2 * W - 1 > T) labels.push_back(std::vector<Index>(size_t(W), 2));  // cannot be aligned
  std::uniform_int_distribution<int> length(1, W), id(1, C - 1);
  for (int r = 0; r < 3; ++r) {
    std::vector<Index> l(size_t(length(gen)));
    for (Index& v : l) v = id(gen);
    labels.push_back(l);
  }
  const int rows = int(labels.size());
  std::vector<float> lab(size_t(rows) * W, 0.0f);
  int exactRows = 0;
  for (int i = 0; i < rows; ++i) {
    labels[size_t(i)].resize(std::min(labels[size_t(i)].size(), size_t(W)));
    for (size_t j = 0; j < labels[size_t(i)].size(); ++j)
      lab[size_t(i) * W + j] = float(labels[size_t(i)][j]);
    exactRows += Ctc::minSteps(labels[size_t(i)]) == T;
  }
  QVERIFY(exactRows > 0 || T == 1);  // T 1: the empty label needs exactly 1 step too
  std::vector<float> x = randomValues(size_t(rows) * T * C, -2.0f, 2.0f);
  if (!fromLogits) softmaxGroups(x, C);
  const std::vector<float> scale = randomValues(size_t(rows), 0.5f, 1.5f);
  const Tensor yTrue({rows, W}, lab), yPred({rows, T, C}, x);
  Tensor want;
  Ctc(fromLogits).gradient(yTrue, yPred, scale.data(), want);
  std::vector<double> scratch(size_t(rows) * emu::ctcScratchDoubles(T, C, W), NAN);
  std::vector<float> got(x.size(), NAN);
  emu::launchCtcGradient(lab.data(), x.data(), scale.data(), got.data(), rows, T, C, W, fromLogits,
                         scratch.data(), nullptr);
  MaxError e;
  e.add(compare("ctc gradient", got, want.data(), kTol), kTol);
  QVERIFY(e.ok);
}

void TestGpuEmulation::crossentropyGradient_data() {
  QTest::addColumn<bool>("sparse");
  QTest::addColumn<bool>("fromLogits");
  QTest::addColumn<double>("smoothing");
  QTest::addColumn<int>("positions");
  QTest::addColumn<int>("classes");  // > 32: a warp per group
  for (int classes : {5, 40})
    for (int positions : {1, 3})
      for (bool sparse : {false, true})
        for (bool fromLogits : {false, true})
          for (double smoothing : {0.0, 0.15}) {
            if (sparse && smoothing != 0.0) continue;
            const std::string name = std::string(sparse ? "sparse" : "dense") +
                                     (fromLogits ? ", logits" : ", probabilities") +
                                     (smoothing != 0.0 ? ", smoothing" : "") + ", positions " +
                                     std::to_string(positions) + ", classes " +
                                     std::to_string(classes);
            QTest::newRow(name.c_str())
                << sparse << fromLogits << smoothing << positions << classes;
          }
}

// launchCrossentropyGradient vs (Sparse)CategoricalCrossentropy::gradient over (rows, positions,
// classes). Probabilities are softmax rows with a 0 (clipped) and, in the first group, a value
// above 1 - 1e-7 after the normalization; dense labels are one-hot or distributions.
void TestGpuEmulation::crossentropyGradient() {
  QFETCH(bool, sparse);
  QFETCH(bool, fromLogits);
  QFETCH(double, smoothing);
  QFETCH(int, positions);
  QFETCH(int, classes);
  const int rows = 3, C = classes, groups = rows * positions;
  std::vector<float> x = randomValues(size_t(groups) * C, -2.0f, 2.0f);
  if (!fromLogits) {
    softmaxGroups(x, C);
    for (int g = 0; g < groups; ++g) x[size_t(g * C + (g % C))] = 0.0f;  // clipped to 1e-7
    std::fill(x.begin(), x.begin() + C, 0.0f);  // group 0: one class only (q = 1, clipped)
    x[1] = 1.0f;
  }
  std::vector<float> t;
  if (sparse) {
    std::uniform_int_distribution<int> id(0, C - 1);
    for (int g = 0; g < groups; ++g) t.push_back(float(id(gen)));
    t[0] = 1.0f;  // the clipped value of group 0
  } else {
    t = randomValues(size_t(groups) * C, -2.0f, 2.0f);
    softmaxGroups(t, C);
    for (int g = 0; g < groups; g += 2) {  // one-hot rows
      std::fill(t.begin() + g * C, t.begin() + (g + 1) * C, 0.0f);
      t[size_t(g * C + (g + 1) % C)] = 1.0f;
    }
  }
  const std::vector<float> scale = randomValues(size_t(rows), 0.5f, 1.5f);
  const Shape predShape = positions == 1 ? Shape{rows, C} : Shape{rows, positions, C};
  const Shape labelShape =
      sparse ? (positions == 1 ? Shape{rows} : Shape{rows, positions}) : predShape;
  json config{{"from_logits", fromLogits}};
  if (!sparse) config["label_smoothing"] = smoothing;
  const auto loss = makeLoss(
      json{{"class_name", sparse ? "SparseCategoricalCrossentropy" : "CategoricalCrossentropy"},
           {"config", config}});
  Tensor want;
  loss->gradient(Tensor(labelShape, t), Tensor(predShape, x), scale.data(), want);
  std::vector<float> got(x.size(), NAN);
  emu::launchCrossentropyGradient(sparse, t.data(), x.data(), scale.data(), got.data(), rows,
                                  positions, C, fromLogits, smoothing, nullptr);
  MaxError e;
  e.add(compare("crossentropy gradient", got, want.data(), kTol), kTol);
  QVERIFY(e.ok);
}

namespace {
enum LossValues { kWide, kBits, kSoft, kDist, kPlusMinus, kMixed, kProb, kTanh, kNear };

// rows * positions * 5 values of a kind: uniform in [-3, 3], 0/1, [0, 1], distributions over the
// last axis (one 0 each), -1/1, -1/0/1, probabilities with exact 0 and 1 (clipped), [-1, 1];
// kNear (predictions only): the labels plus up to 1.5 param either way (Huber's both branches).
std::vector<float> lossValues(int kind, size_t count) {
  std::vector<float> v;
  switch (kind) {
    case kWide:
      return randomValues(count, -3.0f, 3.0f);
    case kBits:
    case kPlusMinus:
    case kMixed:
      v = randomValues(count, 0.0f, 3.0f);
      for (float& x : v)
        x = kind == kBits ? float(x < 1.5f) : (x < 1.0f ? -1.0f : (kind == kMixed && x < 2.0f));
      return v;
    case kSoft:
    case kProb:
      v = randomValues(count, 0.0f, 1.0f);
      if (kind == kProb) {
        v[0] = 0.0f;
        v[1] = 1.0f;
        v[2] = 1e-8f;
      }
      return v;
    case kDist:
      v = randomValues(count, -2.0f, 2.0f);
      softmaxGroups(v, 5);
      for (size_t g = 0; g < count; g += 5) v[g + (g / 5) % 5] = 0.0f;
      return v;
    default:
      return randomValues(count, -1.0f, 1.0f);
  }
}
}  // namespace

void TestGpuEmulation::elementwiseLossGradient_data() {
  QTest::addColumn<QString>("spec");  // makeLoss's
  QTest::addColumn<int>("loss");      // GpuElementLoss
  QTest::addColumn<double>("param");
  QTest::addColumn<int>("labels");  // LossValues
  QTest::addColumn<int>("preds");
  const auto row = [](const char* name, const json& spec, int loss, double param, int labels,
                      int preds) {
    QTest::newRow(name) << QString::fromStdString(spec.dump()) << loss << param << labels << preds;
  };
  const auto cls = [](const char* name, json config) {
    return json{{"class_name", name}, {"config", std::move(config)}};
  };
  row("mse", "mean_squared_error", emu::kElemMse, 0.0, kWide, kWide);
  row("mae", "mean_absolute_error", emu::kElemMae, 0.0, kWide, kWide);
  row("mape", "mean_absolute_percentage_error", emu::kElemMape, 0.0, kWide, kWide);
  row("huber (delta 1)", "huber_loss", emu::kElemHuber, 1.0, kWide, kNear);
  row("huber (delta 0.3)", cls("Huber", {{"delta", 0.3}}), emu::kElemHuber, 0.3, kWide, kNear);
  row("log_cosh", "log_cosh", emu::kElemLogCosh, 0.0, kWide, kWide);
  row("bce", "binary_crossentropy", emu::kElemBce, 0.0, kBits, kProb);
  row("bce, soft labels", "binary_crossentropy", emu::kElemBce, 0.0, kSoft, kProb);
  row("bce, smoothing 0.1", cls("BinaryCrossentropy", {{"label_smoothing", 0.1}}), emu::kElemBce,
      0.1, kBits, kProb);
  row("bce logits", cls("BinaryCrossentropy", {{"from_logits", true}}), emu::kElemBceLogits, 0.0,
      kBits, kWide);
  row("bce logits, smoothing 0.2, soft labels",
      cls("BinaryCrossentropy", {{"from_logits", true}, {"label_smoothing", 0.2}}),
      emu::kElemBceLogits, 0.2, kSoft, kWide);
  row("kl_divergence", "kl_divergence", emu::kElemKld, 0.0, kDist, kProb);
  row("hinge (-1/1)", "hinge", emu::kElemHinge, 0.0, kPlusMinus, kTanh);
  row("hinge (0/1, converted)", "hinge", emu::kElemHinge, 0.0, kBits, kTanh);
  row("hinge (-1/0/1)", "hinge", emu::kElemHinge, 0.0, kMixed, kWide);
}

// launchElementwiseLossGradient with GpuLoss.cpp's parameters (factor 1 / outDim, KL divergence
// 1 / positions) vs the CPU loss's gradient on a (4, 3, 5) output, weighted per sample.
void TestGpuEmulation::elementwiseLossGradient() {
  QFETCH(QString, spec);
  QFETCH(int, loss);
  QFETCH(double, param);
  QFETCH(int, labels);
  QFETCH(int, preds);
  const int rows = 4, positions = 3, last = 5;
  const long outDim = long(positions) * last;
  const size_t count = size_t(rows) * size_t(outDim);
  const std::vector<float> t = lossValues(labels, count);
  std::vector<float> p = lossValues(preds, count);
  if (preds == kNear)
    for (size_t k = 0; k < count; ++k) p[k] = t[k] + float(param) * 1.5f * p[k];
  const std::vector<float> scale = randomValues(size_t(rows), 0.5f, 1.5f);
  const auto cpu = makeLoss(json::parse(spec.toStdString()));
  Tensor want;
  cpu->gradient(Tensor({rows, positions, last}, t), Tensor({rows, positions, last}, p),
                scale.data(), want);
  const double factor = loss == emu::kElemKld ? 1.0 / positions : 1.0 / double(outDim);
  std::vector<float> got(count, NAN);
  emu::launchElementwiseLossGradient(loss, t.data(), p.data(), scale.data(), got.data(), rows,
                                     outDim, factor, param, nullptr);
  MaxError e;
  e.add(compare("elementwise loss gradient", got, want.data(), kTol), kTol);
  QVERIFY(e.ok);
}

void TestGpuEmulation::pooling_data() {
  QTest::addColumn<QString>("className");
  QTest::addColumn<int>("h");
  QTest::addColumn<int>("w");
  QTest::addColumn<int>("k");  // pool_size (k, k + 1); 0: global
  QTest::addColumn<int>("s");  // strides (s, s)
  QTest::addColumn<QString>("padding");
  for (const char* cls : {"MaxPooling2D", "AveragePooling2D"}) {
    const QString c = QString::fromLatin1(cls);
    QTest::newRow((std::string(cls) + " 2x3/2 same (partial windows)").c_str())
        << c << 5 << 7 << 2 << 2 << QString("same");
    QTest::newRow((std::string(cls) + " 3x4/2 same").c_str())
        << c << 6 << 5 << 3 << 2 << QString("same");
    QTest::newRow((std::string(cls) + " 2x3/1 valid").c_str())
        << c << 4 << 5 << 2 << 1 << QString("valid");
    QTest::newRow((std::string(cls) + " 3x4/3 valid").c_str())
        << c << 7 << 8 << 3 << 3 << QString("valid");
  }
  QTest::newRow("GlobalMaxPooling2D")
      << QString("GlobalMaxPooling2D") << 3 << 4 << 0 << 1 << QString("valid");
  QTest::newRow("GlobalAveragePooling2D")
      << QString("GlobalAveragePooling2D") << 3 << 4 << 0 << 1 << QString("valid");
}

// launchPoolForward / launchPoolBackward with GpuExecutor.cpp's geometry (makeConvGeom's TF
// padding; global pooling: the whole map) vs the pooling layers' forward and backward. The inputs
// hold ties (values rounded to 1/4) so that the first maximum counts.
void TestGpuEmulation::pooling() {
  QFETCH(QString, className);
  QFETCH(int, h);
  QFETCH(int, w);
  QFETCH(int, k);
  QFETCH(int, s);
  QFETCH(QString, padding);
  const int n = 2, c = 3;
  const bool global = k == 0, isMax = className.contains("Max");
  json config = json::object();
  emu::PoolGeom g{n, h, w, c, h, w, 1, 1, 0, 0, 1, 1};
  if (!global) {
    config = {{"pool_size", {k, k + 1}}, {"strides", {s, s}}, {"padding", padding.toStdString()}};
    const ConvGeom cg = makeConvGeom(h, w, c, k, k + 1, s, s, 1, 1, padding.toStdString());
    g = {n, h, w, c, k, k + 1, s, s, int(cg.padT), int(cg.padL), int(cg.oh), int(cg.ow)};
  }
  auto layer = makeLayer(className.toStdString(), config, {{kNone, h, w, c}});
  std::vector<float> xv = randomValues(size_t(n) * h * w * c, -2.0f, 2.0f);
  for (float& v : xv) v = std::round(v * 4.0f) / 4.0f;
  const Tensor x({n, h, w, c}, xv);
  RunContext ctx;
  Tensor y;
  layer->forward({&x}, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
  const size_t outCount = size_t(n) * g.oh * g.ow * c;
  QCOMPARE(size_t(y.size()), outCount);
  std::vector<float> gy(outCount, NAN), gdx(size_t(x.size()), NAN);
  std::vector<int> argmax(outCount, -1);
  emu::launchPoolForward(x.data(), gy.data(), argmax.data(), g, isMax, nullptr);
  emu::launchPoolBackward(dy.data(), argmax.data(), gdx.data(), g, isMax, nullptr);
  MaxError e;
  e.add(compare("pool forward", gy, y.data(), isMax ? 0.0 : kTol), isMax ? 0.0 : kTol);
  e.add(compare("pool backward", gdx, dx.data(), kTol), kTol);
  QVERIFY(e.ok);
}

namespace {
// Random values into every variable of a layer (variances positive).
void randomizeVariables(Layer& layer) {
  for (Variable& v : layer.variables()) {
    const std::vector<float> values = randomValues(size_t(v.value.size()), 0.5f, 1.5f);
    std::copy(values.begin(), values.end(), v.value.data());
    v.grad.setZero();
  }
}
const Variable* findVariable(Layer& layer, const std::string& name) {
  for (const Variable& v : layer.variables())
    if (v.name == name) return &v;
  return nullptr;
}
}  // namespace

// launchBatchNormForward / Backward in training mode with GpuExecutor.cpp's parameters (decay =
// float(1 - momentum)) vs BatchNormalization's forward (output and moving statistics) and backward
// (dx, dgamma, dbeta), with and without gamma / beta.
void TestGpuEmulation::batchNorm() {
  MaxError e;
  for (bool affine : {true, false}) {
    const int n = 4, steps = 3, C = 5, rows = n * steps;
    const double momentum = 0.9, epsilon = 1e-3;
    const json config{{"axis", -1},
                      {"momentum", momentum},
                      {"epsilon", epsilon},
                      {"center", affine},
                      {"scale", affine}};
    auto layer = makeLayer("BatchNormalization", config, {{kNone, steps, C}});
    randomizeVariables(*layer);
    const Variable* gamma = findVariable(*layer, "gamma");
    const Variable* beta = findVariable(*layer, "beta");
    const Variable* mm = findVariable(*layer, "moving_mean");
    const Variable* mv = findVariable(*layer, "moving_variance");
    QVERIFY(mm && mv);
    QCOMPARE(gamma != nullptr, affine);
    std::vector<float> movingMean(mm->value.data(), mm->value.data() + C),
        movingVar(mv->value.data(), mv->value.data() + C);
    const Tensor x({n, steps, C}, randomValues(size_t(rows) * C, -2.0f, 3.0f));
    RunContext ctx;
    ctx.training = true;
    Tensor y;
    layer->forward({&x}, y, ctx);
    const Tensor dy(y.shape(), randomValues(size_t(y.size())));
    const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);

    std::vector<double> scratch(size_t(emu::reductionScratchDoubles(rows, C)), NAN);
    std::vector<float> stats(size_t(7) * C, NAN), gy(size_t(x.size()), NAN),
        gdx(size_t(x.size()), NAN), dGamma(size_t(C), NAN), dBeta(size_t(C), NAN);
    emu::launchBatchNormForward(x.data(), gy.data(), rows, C, true, float(1.0 - momentum), epsilon,
                                affine ? gamma->value.data() : nullptr,
                                affine ? beta->value.data() : nullptr, movingMean.data(),
                                movingVar.data(), scratch.data(), stats.data(), nullptr);
    emu::launchBatchNormBackward(x.data(), dy.data(), gdx.data(), rows, C, true,
                                 affine ? gamma->value.data() : nullptr,
                                 affine ? dGamma.data() : nullptr, affine ? dBeta.data() : nullptr,
                                 scratch.data(), stats.data(), nullptr);
    e.add(compare("batch norm", gy, y.data(), kTol), kTol);
    e.add(compare("moving mean", movingMean, mm->value.data(), kTol), kTol);
    e.add(compare("moving variance", movingVar, mv->value.data(), kTol), kTol);
    e.add(compare("batch norm dx", gdx, dx.data(), kTol), kTol);
    if (affine) {
      e.add(compare("dgamma", dGamma, gamma->grad.data(), kTol), kTol);
      e.add(compare("dbeta", dBeta, beta->grad.data(), kTol), kTol);
    }
  }
  QVERIFY(e.ok);
}

// launchLayerNormForward / Backward (and launchColumnSums of dy * xhat and dy for gamma and beta,
// as GpuExecutor.cpp does) vs LayerNormalization, with and without gamma / beta.
void TestGpuEmulation::layerNorm() {
  MaxError e;
  for (bool affine : {true, false}) {
    const int n = 3, steps = 4, D = 6, rows = n * steps;
    const double epsilon = 1e-3;
    const json config{{"axis", -1}, {"epsilon", epsilon}, {"center", affine}, {"scale", affine}};
    auto layer = makeLayer("LayerNormalization", config, {{kNone, steps, D}});
    randomizeVariables(*layer);
    const Variable* gamma = findVariable(*layer, "gamma");
    const Variable* beta = findVariable(*layer, "beta");
    QCOMPARE(gamma != nullptr, affine);
    const Tensor x({n, steps, D}, randomValues(size_t(rows) * D, -2.0f, 3.0f));
    RunContext ctx;
    ctx.training = true;
    Tensor y;
    layer->forward({&x}, y, ctx);
    const Tensor dy(y.shape(), randomValues(size_t(y.size())));
    const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);

    std::vector<float> gy(size_t(x.size()), NAN), gdx(size_t(x.size()), NAN),
        xhatDy(size_t(x.size()), NAN), mean(size_t(rows), NAN), invStd(size_t(rows), NAN),
        dGamma(size_t(D), NAN), dBeta(size_t(D), NAN);
    std::vector<double> scratch(size_t(emu::reductionScratchDoubles(rows, D)), NAN);
    emu::launchLayerNormForward(
        x.data(), gy.data(), rows, D, epsilon, affine ? gamma->value.data() : nullptr,
        affine ? beta->value.data() : nullptr, mean.data(), invStd.data(), nullptr);
    emu::launchLayerNormBackward(x.data(), dy.data(), gdx.data(), xhatDy.data(), rows, D,
                                 affine ? gamma->value.data() : nullptr, mean.data(), invStd.data(),
                                 nullptr);
    e.add(compare("layer norm", gy, y.data(), kTol), kTol);
    e.add(compare("layer norm dx", gdx, dx.data(), kTol), kTol);
    if (affine) {
      emu::launchColumnSums(xhatDy.data(), rows, D, scratch.data(), dGamma.data(), nullptr);
      emu::launchColumnSums(dy.data(), rows, D, scratch.data(), dBeta.data(), nullptr);
      e.add(compare("dgamma", dGamma, gamma->grad.data(), kTol), kTol);
      e.add(compare("dbeta", dBeta, beta->grad.data(), kTol), kTol);
    }
  }
  QVERIFY(e.ok);
}

void TestGpuEmulation::merge_data() {
  QTest::addColumn<QString>("className");
  QTest::addColumn<int>("mode");  // GpuMerge
  QTest::addColumn<int>("inputs");
  QTest::newRow("Add") << QString("Add") << int(emu::kMergeAdd) << 3;
  QTest::newRow("Subtract") << QString("Subtract") << int(emu::kMergeSubtract) << 2;
  QTest::newRow("Multiply") << QString("Multiply") << int(emu::kMergeMultiply) << 3;
  QTest::newRow("Average") << QString("Average") << int(emu::kMergeAverage) << 3;
  QTest::newRow("Maximum") << QString("Maximum") << int(emu::kMergeMaximum) << 3;
  QTest::newRow("Minimum") << QString("Minimum") << int(emu::kMergeMinimum) << 2;
}

// launchMerge / launchMergeBackward vs the merge layers; the inputs hold ties (values rounded to
// 1/2) so that Maximum / Minimum route to the first equal input.
void TestGpuEmulation::merge() {
  QFETCH(QString, className);
  QFETCH(int, mode);
  QFETCH(int, inputs);
  const int n = 3, f = 7;
  auto layer = makeLayer(className.toStdString(), json::object(),
                         std::vector<Shape>(size_t(inputs), Shape{kNone, f}));
  std::vector<Tensor> xs;
  for (int i = 0; i < inputs; ++i) {
    std::vector<float> v = randomValues(size_t(n) * f, -2.0f, 2.0f);
    for (float& x : v) x = std::round(x * 2.0f) / 2.0f;
    xs.emplace_back(Shape{n, f}, v);
  }
  std::vector<const Tensor*> in;
  for (const Tensor& x : xs) in.push_back(&x);
  RunContext ctx;
  Tensor y;
  layer->forward(in, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  std::vector<Tensor> dx(static_cast<size_t>(inputs));
  std::vector<Tensor*> dxs;
  for (Tensor& d : dx) dxs.push_back(&d);
  layer->backward(in, y, dy, dxs, ctx);
  emu::TensorList t{};
  std::vector<std::vector<float>> g(size_t(inputs), std::vector<float>(size_t(n) * f, NAN));
  for (int i = 0; i < inputs; ++i) {
    t.x[i] = xs[size_t(i)].data();
    t.g[i] = g[size_t(i)].data();
  }
  t.count = inputs;
  std::vector<float> gy(size_t(n) * f, NAN);
  emu::launchMerge(mode, t, gy.data(), long(n) * f, nullptr);
  emu::launchMergeBackward(mode, t, gy.data(), dy.data(), long(n) * f, nullptr);
  MaxError e;
  e.add(compare("merge", gy, y.data(), kTol), kTol);
  for (int i = 0; i < inputs; ++i)
    e.add(compare("merge backward", g[size_t(i)], dx[size_t(i)].data(), kTol), kTol);
  QVERIFY(e.ok);
}

// launchConcat / launchSplit vs Concatenate over the last axis: exact.
void TestGpuEmulation::concat() {
  const int n = 2, steps = 3;
  const std::vector<int> widths{2, 5, 1};
  std::vector<Shape> shapes;
  std::vector<Tensor> xs;
  for (int wd : widths) {
    shapes.push_back({kNone, steps, wd});
    xs.emplace_back(Shape{n, steps, wd}, randomValues(size_t(n) * steps * wd));
  }
  auto layer = makeLayer("Concatenate", json{{"axis", -1}}, shapes);
  std::vector<const Tensor*> in;
  for (const Tensor& x : xs) in.push_back(&x);
  RunContext ctx;
  Tensor y;
  layer->forward(in, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  std::vector<Tensor> dx(widths.size());
  std::vector<Tensor*> dxs;
  for (Tensor& d : dx) dxs.push_back(&d);
  layer->backward(in, y, dy, dxs, ctx);
  emu::TensorList t{};
  std::vector<std::vector<float>> g;
  for (size_t i = 0; i < widths.size(); ++i) g.emplace_back(size_t(xs[i].size()), NAN);
  for (size_t i = 0; i < widths.size(); ++i) {
    t.x[i] = xs[i].data();
    t.g[i] = g[i].data();
    t.width[i] = widths[i];
  }
  t.count = int(widths.size());
  std::vector<float> gy(size_t(y.size()), NAN);
  emu::launchConcat(t, gy.data(), long(n) * steps, nullptr);
  emu::launchSplit(dy.data(), t, long(n) * steps, nullptr);
  MaxError e;
  e.add(compare("concat", gy, y.data(), 0.0), 0.0);
  for (size_t i = 0; i < widths.size(); ++i) e.add(compare("split", g[i], dx[i].data(), 0.0), 0.0);
  QVERIFY(e.ok);
}

// launchPad / launchCrop vs ZeroPadding2D and Cropping2D (forward and backward, each the other's
// adjoint), asymmetric amounts as GpuExecutor.cpp plans them: exact.
void TestGpuEmulation::padCrop() {
  MaxError e;
  for (bool crop : {false, true}) {
    const int n = 2, h = 4, w = 5, c = 2, top = 1, bottom = 2, left = 0, right = 3;
    const json amounts = json::array({json::array({top, bottom}), json::array({left, right})});
    auto layer = makeLayer(crop ? "Cropping2D" : "ZeroPadding2D",
                           json{{crop ? "cropping" : "padding", amounts}}, {{kNone, h, w, c}});
    const Tensor x({n, h, w, c}, randomValues(size_t(n) * h * w * c));
    RunContext ctx;
    Tensor y;
    layer->forward({&x}, y, ctx);
    const Tensor dy(y.shape(), randomValues(size_t(y.size())));
    const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
    // The small map (sh, sw) and the large one (lh, lw).
    const int sh = crop ? h - top - bottom : h, sw = crop ? w - left - right : w;
    const int lh = crop ? h : h + top + bottom, lw = crop ? w : w + left + right;
    std::vector<float> gy(size_t(y.size()), NAN), gdx(size_t(x.size()), NAN);
    if (crop) {
      emu::launchCrop(x.data(), gy.data(), n, sh, sw, c, lh, lw, top, left, nullptr);
      emu::launchPad(dy.data(), gdx.data(), n, sh, sw, c, lh, lw, top, left, nullptr);
    } else {
      emu::launchPad(x.data(), gy.data(), n, sh, sw, c, lh, lw, top, left, nullptr);
      emu::launchCrop(dy.data(), gdx.data(), n, sh, sw, c, lh, lw, top, left, nullptr);
    }
    e.add(compare(crop ? "crop" : "pad", gy, y.data(), 0.0), 0.0);
    e.add(compare(crop ? "crop backward" : "pad backward", gdx, dx.data(), 0.0), 0.0);
  }
  QVERIFY(e.ok);
}

// launchUpsample / launchUpsampleBackward vs UpSampling2D (nearest): the forward exact, the
// backward's block sums in row order as the CPU's.
void TestGpuEmulation::upsample() {
  const int n = 2, h = 3, w = 2, c = 3, sh = 2, sw = 3;
  auto layer = makeLayer("UpSampling2D", json{{"size", {sh, sw}}}, {{kNone, h, w, c}});
  const Tensor x({n, h, w, c}, randomValues(size_t(n) * h * w * c));
  RunContext ctx;
  Tensor y;
  layer->forward({&x}, y, ctx);
  const Tensor dy(y.shape(), randomValues(size_t(y.size())));
  const Tensor dx = cpuBackward(*layer, x, y, dy, ctx);
  std::vector<float> gy(size_t(y.size()), NAN), gdx(size_t(x.size()), NAN);
  emu::launchUpsample(x.data(), gy.data(), n, h, w, c, sh, sw, nullptr);
  emu::launchUpsampleBackward(dy.data(), gdx.data(), n, h, w, c, sh, sw, nullptr);
  MaxError e;
  e.add(compare("upsample", gy, y.data(), 0.0), 0.0);
  e.add(compare("upsample backward", gdx, dx.data(), kTol), kTol);
  QVERIFY(e.ok);
}

// launchEmbeddingForward vs Embedding's forward: exact.
void TestGpuEmulation::embedding() {
  const int n = 3, steps = 5, vocab = 7, d = 4;
  auto layer =
      makeLayer("Embedding", json{{"input_dim", vocab}, {"output_dim", d}}, {{kNone, steps}});
  randomizeVariables(*layer);
  std::vector<float> ids(size_t(n) * steps);
  std::uniform_int_distribution<int> id(0, vocab - 1);
  for (float& v : ids) v = float(id(gen));
  ids[0] = 0.0f;
  ids[1] = float(vocab - 1);
  const Tensor x({n, steps}, ids);
  RunContext ctx;
  Tensor y;
  layer->forward({&x}, y, ctx);
  std::vector<float> gy(size_t(y.size()), NAN);
  emu::launchEmbeddingForward(ids.data(), layer->variables()[0].value.data(), gy.data(),
                              long(n) * steps, d, nullptr);
  MaxError e;
  e.add(compare("embedding", gy, y.data(), 0.0), 0.0);
  QVERIFY(e.ok);
}

void TestGpuEmulation::optimizerUpdate_data() {
  QTest::addColumn<QString>("spec");  // makeOptimizer's JSON
  auto row = [](const char* name, const char* cls, const char* config) {
    QTest::newRow(name) << QString("{\"class_name\": \"%1\", \"config\": {%2}}").arg(cls, config);
  };
  row("SGD", "SGD", R"("learning_rate": 0.1)");
  row("SGD, weight_decay, clipvalue", "SGD",
      R"("learning_rate": 0.1, "weight_decay": 0.05, "clipvalue": 0.3)");
  row("SGD momentum, clipnorm", "SGD",
      R"("learning_rate": 0.05, "momentum": 0.9, "clipnorm": 2.0)");
  row("SGD nesterov, global_clipnorm", "SGD",
      R"("learning_rate": 0.05, "momentum": 0.8, "nesterov": true, "global_clipnorm": 3.0)");
  row("Adam", "Adam", R"("learning_rate": 0.01)");
  row("Adam amsgrad, weight_decay, clipnorm", "Adam",
      R"("learning_rate": 0.01, "amsgrad": true, "weight_decay": 0.004, "clipnorm": 1.5)");
  row("Adam amsgrad, global_clipnorm, clipvalue", "Adam",
      R"("learning_rate": 0.01, "amsgrad": true, "global_clipnorm": 4.0, "clipvalue": 0.02)");
  row("RMSprop", "RMSprop", R"("learning_rate": 0.01)");
  row("RMSprop centered", "RMSprop", R"("learning_rate": 0.01, "centered": true)");
  row("RMSprop momentum, clipnorm", "RMSprop",
      R"("learning_rate": 0.01, "momentum": 0.9, "clipnorm": 1.0)");
  row("RMSprop centered momentum, weight_decay", "RMSprop",
      R"("learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": true, "weight_decay": 0.01)");
  row("Adagrad", "Adagrad", R"("learning_rate": 0.1, "initial_accumulator_value": 0.2)");
  row("Adagrad, global_clipnorm", "Adagrad", R"("learning_rate": 0.1, "global_clipnorm": 2.5)");
  row("Adamax", "Adamax", R"("learning_rate": 0.02)");
  row("Adamax, weight_decay, clipvalue", "Adamax",
      R"("learning_rate": 0.02, "weight_decay": 0.02, "clipvalue": 0.5)");
  row("Nadam", "Nadam", R"("learning_rate": 0.01)");
  row("Nadam, clipnorm, clipvalue", "Nadam",
      R"("learning_rate": 0.01, "clipnorm": 1.2, "clipvalue": 0.05)");
}

// The engine's UpdatePlan (GpuUpdate.cpp in tessel::gpu_emu: its chunk table, hostScalars' hyper
// block and enqueue's launches) on the emulated kernels of GpuUpdateKernels.cu vs the CPU
// optimizer's apply(), over two steps (the slots carry over) on three variables: one of two chunks
// (kUpdateChunkFloats + 904), two small, laid out with gaps that must stay untouched. The weights
// and every slot are compared after each step; the clip norms are active (the gradients' norms
// are about 20 to 40 against clipnorms of 1 to 4).
void TestGpuEmulation::optimizerUpdate() {
  QFETCH(QString, spec);
  const std::vector<long> sizes = {long(emu::kUpdateChunkFloats) + 904, 300, 7};
  const long gap = 5;
  std::vector<emu::UpdateSegment> segments;
  long total = gap;
  for (long n : sizes) {
    segments.push_back({total, n});
    total += n + gap;
  }
  const size_t nv = sizes.size();

  std::unique_ptr<Optimizer> cpu = makeOptimizer(json::parse(spec.toStdString()));
  std::vector<Variable> vars(nv);
  std::vector<Variable*> varPtrs;
  for (size_t j = 0; j < nv; ++j) {
    vars[j].name = std::string(1, char('a' + j));
    vars[j].value = Tensor(Shape{sizes[j]}, randomValues(size_t(sizes[j])));
    vars[j].grad = Tensor(Shape{sizes[j]});
    varPtrs.push_back(&vars[j]);
  }
  cpu->build(varPtrs);

  emu::UpdatePlan plan(*cpu);
  plan.prepare(segments, total);
  QCOMPARE(plan.launches(), cpu->clipnorm() > 0 || cpu->globalClipnorm() > 0 ? 3 : 1);
  const float kGapValue = -12345.0f;  // what the gaps hold, in every array
  std::vector<float> params(size_t(total), kGapValue), grads(size_t(total), kGapValue);
  std::vector<std::vector<float>> slotArrays(size_t(plan.slotKinds()),
                                             std::vector<float>(size_t(total), kGapValue));
  for (size_t j = 0; j < nv; ++j) {
    std::copy_n(vars[j].value.data(), sizes[j], params.begin() + segments[j].offset);
    for (int k = 0; k < plan.slotKinds(); ++k) {
      const Tensor* t = plan.hostSlot(*cpu, k, j, nv);
      std::copy_n(t->data(), sizes[j], slotArrays[size_t(k)].begin() + segments[j].offset);
    }
  }
  float* slotPtrs[3] = {nullptr, nullptr, nullptr};
  for (int k = 0; k < plan.slotKinds(); ++k) slotPtrs[k] = slotArrays[size_t(k)].data();

  MaxError err;
  for (int step = 0; step < 2; ++step) {
    for (size_t j = 0; j < nv; ++j) {
      const std::vector<float> g = randomValues(size_t(sizes[j]));
      std::copy(g.begin(), g.end(), vars[j].grad.data());
      std::copy(g.begin(), g.end(), grads.begin() + segments[j].offset);
    }
    float hyper[emu::UpdatePlan::kHyperFloats];
    plan.hostScalars(*cpu, hyper);  // before apply(): the scalars of step iterations() + 1
    plan.enqueue(params.data(), grads.data(), slotPtrs, hyper, nullptr);
    cpu->apply(varPtrs);

    for (size_t j = 0; j < nv; ++j) {
      const std::string at =
          " of variable " + std::to_string(j) + ", step " + std::to_string(step + 1);
      err.add(compare(("weights" + at).c_str(), params.data() + segments[j].offset,
                      vars[j].value.data(), size_t(sizes[j]), kTol),
              kTol);
      for (int k = 0; k < plan.slotKinds(); ++k)
        err.add(compare(("slot " + std::to_string(k) + at).c_str(),
                        slotArrays[size_t(k)].data() + segments[j].offset,
                        plan.hostSlot(*cpu, k, j, nv)->data(), size_t(sizes[j]), kTol),
                kTol);
    }
    // The gaps between the segments: never written (nor the gradients anywhere).
    for (size_t j = 0; j <= nv; ++j) {
      const long from = j == 0 ? 0 : segments[j - 1].offset + segments[j - 1].count;
      for (long i = from; i < from + gap; ++i) {
        QCOMPARE(params[size_t(i)], kGapValue);
        for (const auto& s : slotArrays) QCOMPARE(s[size_t(i)], kGapValue);
      }
    }
    for (size_t j = 0; j < nv; ++j)
      QVERIFY(std::equal(vars[j].grad.data(), vars[j].grad.data() + sizes[j],
                         grads.begin() + segments[j].offset));
  }
  QVERIFY(err.ok);
}

QTEST_APPLESS_MAIN(TestGpuEmulation)
#include "tst_engine_gpu_emulation.moc"
