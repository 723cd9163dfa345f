// Model.fit (no shuffle) against TF.js: optimizers.json (a two-input, two-output model with loss
// weights, one epoch of batch 4, once per optimizer), cnn_training.json (a small CNN with
// BatchNormalization and SeparableConv2D, one epoch) and separable_training.json (the
// chapter-06 separable CNN of `tessel-bench fashion-separable`, SGD 0.01, batch 32, 2 epochs of 2
// batches on 64 real Fashion-MNIST images). Same starting weights, same data; the trained weights
// (BatchNormalization moving statistics included), the gradients of the first step (separable)
// and the history must match. merge_separable_training.json (SeparableConv2D with
// depth_multiplier 2 and 3; Maximum, Minimum, Dot) goes through a model.json file as tfjs wrote it.
// Cases whose layers or optimizer the engine does not have yet are skipped, naming them.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "GoldenFixture.h"
#include "engine/callbacks/Callback.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kWeightRtol = 1e-4;
constexpr double kWeightAtol = 1e-5;
constexpr double kLossRtol = 1e-4;

// ---- separable_training.json: recipes instead of whole tensors (format in generate.js) ------

// mulberry32 as in tests/fixtures/tfjs/common.js: floats in [0, 1).
class Mulberry32 {
 public:
  explicit Mulberry32(std::uint32_t seed) : a_(seed) {}
  double next() {
    a_ += 0x6d2b79f5u;
    std::uint32_t t = a_;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return double(t ^ (t >> 14)) / 4294967296.0;
  }

 private:
  std::uint32_t a_;
};

// A weights_before entry {"name", "shape", "init": {"kind": "zeros" | "uniform", ...}}:
// value[i] = float32(minval + (maxval - minval) * u_i) with u_i from mulberry32(seed).
Tensor regenerate(const json& w) {
  Tensor t(shapeOf(w));
  const json& init = w.at("init");
  float* v = t.data();
  if (init.at("kind") == "zeros") {
    std::fill(v, v + t.size(), 0.0f);
    return t;
  }
  Mulberry32 rng(init.at("seed").get<std::uint32_t>());
  const double lo = init.at("minval").get<double>(), hi = init.at("maxval").get<double>();
  for (Index i = 0; i < t.size(); ++i) v[i] = static_cast<float>(lo + (hi - lo) * rng.next());
  return t;
}

std::vector<std::uint8_t> base64Decode(const std::string& s) {
  auto digit = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;  // '=' padding
  };
  std::vector<std::uint8_t> out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : s) {
    const int d = digit(c);
    if (d < 0) break;
    buf = (buf << 6) | unsigned(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(std::uint8_t((buf >> bits) & 0xff));
    }
  }
  return out;
}

// An input {"shape", "pixels_base64", "mean", "std"}: x = float32((p - mean) / std).
Tensor standardizedPixels(const json& in) {
  const std::vector<std::uint8_t> px = base64Decode(in.at("pixels_base64").get<std::string>());
  const double mean = in.at("mean").get<double>(), std = in.at("std").get<double>();
  Tensor x(shapeOf(in));
  if (Index(px.size()) != x.size()) return Tensor();
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>((px[i] - mean) / std);
  return x;
}

// want is {"shape", "stride", "values"}: values[j] belongs to flat index j * stride. Checks
// |got - want| <= rtol |want| + atol + floor * max |want| (the tensor's own scale).
std::string compareSampled(const Tensor& got, const json& want, double rtol, double atol,
                           double floor) {
  const Shape ws = shapeOf(want);
  if (got.shape() != ws) return "shape " + shapeStr(got.shape()) + ", want " + shapeStr(ws);
  const Index stride = want.at("stride").get<Index>();
  const std::vector<float> w = valuesOf(want);
  double scale = 0;
  for (float x : w) scale = std::max(scale, double(std::fabs(x)));
  std::vector<float> g;
  for (size_t j = 0; j < w.size(); ++j) g.push_back(got.data()[Index(j) * stride]);
  return compareValues(g.data(), w, rtol, atol + floor * scale);
}

// Records the gradients of the first training step and every running batch loss.
class StepRecorder : public Callback {
 public:
  std::vector<std::pair<std::string, Tensor>> firstGrads;
  std::vector<std::vector<double>> runningLoss;  // per epoch, per batch
  void onBatchEnd(int epoch, int batch, const Logs& logs) override {
    if (int(runningLoss.size()) <= epoch) runningLoss.resize(size_t(epoch) + 1);
    runningLoss[size_t(epoch)].push_back(findLog(logs, "loss").value_or(NAN));
    if (epoch == 0 && batch == 0)
      for (auto& [name, var] : trainer->model().namedWeights())
        if (var->trainable) firstGrads.emplace_back(name, var->grad);
  }
};

}  // namespace

class TestGoldenTraining : public QObject {
  Q_OBJECT

 private:
  // Reads the case's spec; false (and the row skipped) when a layer or the optimizer is missing.
  static bool available(const json& c, ModelSpec& spec) {
    spec = ModelSpec::fromKerasJson(c.at("model").at("modelTopology"));
    for (const NodeSpec& node : spec.nodes)
      if (!LayerRegistry::instance().find(node.className)) {
        QTest::qSkip(
            qPrintable(QString("layer %1 is not registered yet").arg(node.className.c_str())),
            __FILE__, __LINE__);
        return false;
      }
    try {
      makeOptimizer(c.at("optimizer"));
    } catch (const std::exception& e) {
      QTest::qSkip(
          qPrintable(QString("optimizer %1 not available: %2")
                         .arg(QString::fromStdString(c.at("optimizer").at("class_name").dump()),
                              brief(e.what()).c_str())),
          __FILE__, __LINE__);
      return false;
    }
    return true;
  }

  static CompileOptions compileOptions(const json& c) {
    CompileOptions compile;
    const json& comp = c.at("compile");
    if (comp.at("loss").is_array()) {
      for (const json& l : comp.at("loss")) compile.losses.push_back(l);
    } else {
      compile.losses.push_back(comp.at("loss"));
    }
    if (comp.contains("loss_weights") && comp.at("loss_weights").is_array())
      for (const json& w : comp.at("loss_weights")) compile.lossWeights.push_back(w.get<double>());
    if (comp.contains("metrics") && !comp.at("metrics").empty()) {
      std::vector<json> ms;
      for (const json& m : comp.at("metrics")) ms.push_back(m);
      compile.metrics.push_back(ms);
    }
    compile.optimizer = c.at("optimizer");
    return compile;
  }

  static FitOptions fitOptions(const json& c) {
    FitOptions fit;
    fit.epochs = c.at("fit").at("epochs").get<int>();
    fit.batchSize = c.at("fit").at("batch_size").get<int>();
    fit.shuffle = c.at("fit").at("shuffle").get<bool>();
    fit.verbose = 0;
    return fit;
  }

  static const Variable* findWeight(std::vector<std::pair<std::string, Variable*>>& named,
                                    const std::string& name) {
    for (auto& [n, v] : named)
      if (n == name) return v;
    return nullptr;
  }

  // Every epoch of the fixture's history. tfjs logs accuracy as "acc", Keras 2 as "accuracy".
  static void compareHistory(const json& c, const History& history, double atol) {
    for (const auto& [key, values] : c.at("history").items()) {
      const std::string k = key == "acc" ? "accuracy" : key;
      QVERIFY2(history.values.count(k),
               qPrintable(QString("history has no key %1").arg(k.c_str())));
      QCOMPARE(history[k].size(), values.size());
      for (size_t e = 0; e < values.size(); ++e) {
        const double want = values.at(e).get<double>();
        const double got = history[k].at(e);
        QVERIFY2(std::fabs(got - want) <= atol + kLossRtol * std::fabs(want),
                 qPrintable(QString("history %1 epoch %2: %3, want %4")
                                .arg(k.c_str())
                                .arg(e + 1)
                                .arg(got, 0, 'g', 9)
                                .arg(want, 0, 'g', 9)));
      }
    }
  }

  // viaModelFile: the topology and weights_before go through a TF.js model.json written to a
  // temporary folder and read back with readModelFile, as `tessel train model.json` loads one.
  void runCase(bool viaModelFile = false) {
    const json& c = currentCase();
    ModelSpec spec;
    if (!available(c, spec)) return;

    std::vector<std::pair<std::string, Tensor>> before;
    for (const json& w : c.at("weights_before"))
      before.emplace_back(w.at("name").get<std::string>(), tensorOf(w));
    if (viaModelFile) {
      QTemporaryDir dir;
      QVERIFY(dir.isValid());
      const std::string path = dir.filePath("model.json").toStdString();
      writeModelFile(path, spec, before);
      ModelFile file = readModelFile(path);
      spec = file.spec;
      before = file.weights;
    }
    Model model(spec, 0);
    model.loadNamedWeights(before);

    Dataset data;
    for (const json& x : c.at("data").at("inputs"))
      data.x.push_back(Array::fromTensor(tensorOf(x)));
    for (const json& y : c.at("data").at("targets"))
      data.y.push_back(Array::fromTensor(tensorOf(y)));

    Trainer trainer(model, compileOptions(c));
    const History history = trainer.fit(data, fitOptions(c));
    QVERIFY2(history.stopReason.empty(), history.stopReason.c_str());

    // Weights after the epoch, by name.
    auto named = model.namedWeights();
    for (const json& w : c.at("weights_after")) {
      const std::string name = w.at("name").get<std::string>();
      const Variable* var = findWeight(named, name);
      QVERIFY2(var, qPrintable(QString("the engine model has no weight %1").arg(name.c_str())));
      const std::string d = compareTensor(var->value, w, kWeightRtol, kWeightAtol);
      QVERIFY2(d.empty(),
               qPrintable(QString("%1 after one epoch: %2").arg(name.c_str(), d.c_str())));
    }
    compareHistory(c, history, 1e-6);
  }

 private slots:
  void optimizers_data() { addCaseRows({"optimizers.json"}); }
  void optimizers() { runCase(); }

  void smallCnn_data() { addCaseRows({"cnn_training.json"}); }
  void smallCnn() { runCase(); }

  // SeparableConv2D with depth_multiplier 2 and 3 (tfjs's topology has no depth_multiplier: the
  // loader reads it from the depthwise kernels), and Maximum / Minimum / Dot in one model.
  void mergeAndSeparable_data() { addCaseRows({"merge_separable_training.json"}); }
  void mergeAndSeparable() { runCase(true); }

  // The separable CNN: the gradients of the first step (every variable), the weights after
  // 2 epochs (and their change), the loss of every batch and the history.
  void seedSeparable_data() { addCaseRows({"separable_training.json"}); }
  void seedSeparable() {
    const json& c = currentCase();
    ModelSpec spec;
    if (!available(c, spec)) return;

    Model model(spec, 0);
    std::vector<std::pair<std::string, Tensor>> before;
    for (const json& w : c.at("weights_before")) {
      before.emplace_back(w.at("name").get<std::string>(), regenerate(w));
      if (w.at("init").contains("sum")) {  // the regeneration is tfjs's values
        double sum = 0;
        const Tensor& t = before.back().second;
        for (Index i = 0; i < t.size(); ++i) sum += t.data()[i];
        const double want = w.at("init").at("sum").get<double>();
        QVERIFY2(std::fabs(sum - want) <= 1e-9 * double(t.size()),
                 qPrintable(QString("%1: regenerated sum %2, want %3")
                                .arg(before.back().first.c_str())
                                .arg(sum, 0, 'g', 12)
                                .arg(want, 0, 'g', 12)));
      }
    }
    model.loadNamedWeights(before);

    Dataset data;
    const Tensor x = standardizedPixels(c.at("data").at("inputs").at(0));
    QVERIFY2(x.size() > 0, "pixels_base64 does not fit the input shape");
    data.x.push_back(Array::fromTensor(x));
    data.y.push_back(Array::fromTensor(tensorOf(c.at("data").at("targets").at(0))));

    Trainer trainer(model, compileOptions(c));
    StepRecorder recorder;
    const History history = trainer.fit(data, fitOptions(c), {&recorder});
    QVERIFY2(history.stopReason.empty(), history.stopReason.c_str());

    // Gradients of the first batch's mean loss (float32 sums over 32 x 28 x 28 terms; they agree
    // to ~1e-5): 1e-4 relative, with a floor of 5e-5 of the tensor's largest sampled gradient.
    QCOMPARE(recorder.firstGrads.size(), c.at("grads_step1").size());
    for (size_t i = 0; i < recorder.firstGrads.size(); ++i) {
      const json& want = c.at("grads_step1").at(i);
      const auto& [name, g] = recorder.firstGrads[i];
      QCOMPARE(name, want.at("name").get<std::string>());
      const std::string d = compareSampled(g, want, 1e-4, 0.0, 5e-5);
      QVERIFY2(d.empty(),
               qPrintable(QString("gradient of %1, step 1: %2").arg(name.c_str(), d.c_str())));
      double absSum = 0;
      for (Index k = 0; k < g.size(); ++k) absSum += std::fabs(g.data()[k]);
      const double wantAbs = want.at("abs_sum").get<double>();
      QVERIFY2(std::fabs(absSum - wantAbs) <= 1e-4 * wantAbs,
               qPrintable(QString("sum |gradient of %1|, step 1: %2, want %3")
                              .arg(name.c_str())
                              .arg(absSum, 0, 'g', 9)
                              .arg(wantAbs, 0, 'g', 9)));
    }

    // Weights after training, and their change: lr 0.01 times gradients of ~1e-5 moves most
    // kernels by a few float32 ulps, so the change is checked with an ulp floor; the biases start
    // at zero and are all change.
    auto named = model.namedWeights();
    for (size_t i = 0; i < c.at("weights_after").size(); ++i) {
      const json& w = c.at("weights_after").at(i);
      const std::string name = w.at("name").get<std::string>();
      const Variable* var = findWeight(named, name);
      QVERIFY2(var, qPrintable(QString("the engine model has no weight %1").arg(name.c_str())));
      std::string d = compareSampled(var->value, w, kWeightRtol, kWeightAtol, 0.0);
      QVERIFY2(d.empty(),
               qPrintable(QString("%1 after training: %2").arg(name.c_str(), d.c_str())));
      const Tensor& b = before.at(i).second;
      QCOMPARE(before.at(i).first, name);
      const Index stride = w.at("stride").get<Index>();
      const std::vector<float> after = valuesOf(w);
      double scale = 0;
      for (size_t j = 0; j < after.size(); ++j)
        scale = std::max(scale, double(std::fabs(after[j] - b.data()[Index(j) * stride])));
      size_t bad = 0;
      QString worst;
      for (size_t j = 0; j < after.size(); ++j) {
        const float b0 = b.data()[Index(j) * stride];
        const double want = double(after[j] - b0);
        const double got = double(var->value.data()[Index(j) * stride] - b0);
        const double ulps = 4.0 * 1.1920929e-7 * std::fabs(b0);
        if (!(std::fabs(got - want) <= 1e-2 * std::fabs(want) + 1e-3 * scale + ulps)) {
          if (!bad++)
            worst = QString("index %1: change %2, want %3")
                        .arg(Index(j) * stride)
                        .arg(got, 0, 'g', 9)
                        .arg(want, 0, 'g', 9);
        }
      }
      QVERIFY2(bad == 0, qPrintable(QString("%1: %2 of %3 changes differ, first at %4")
                                        .arg(name.c_str())
                                        .arg(bad)
                                        .arg(after.size())
                                        .arg(worst)));
    }

    // Loss of every batch (the engine logs the running mean of the epoch) and the history.
    std::vector<double> batchLoss;
    for (const auto& epoch : recorder.runningLoss)
      for (size_t k = 0; k < epoch.size(); ++k)
        batchLoss.push_back(epoch[k] * double(k + 1) - (k ? epoch[k - 1] * double(k) : 0.0));
    const json& wantBatch = c.at("batch_loss");
    QCOMPARE(batchLoss.size(), wantBatch.size());
    for (size_t k = 0; k < batchLoss.size(); ++k) {
      const double want = wantBatch.at(k).get<double>();
      QVERIFY2(std::fabs(batchLoss[k] - want) <= 2e-6 * std::fabs(want),
               qPrintable(QString("loss of batch %1: %2, want %3")
                              .arg(k + 1)
                              .arg(batchLoss[k], 0, 'g', 9)
                              .arg(want, 0, 'g', 9)));
    }
    compareHistory(c, history, 1e-6);
  }

  // The engine's own initialization of the same model follows Keras's glorot_uniform fans
  // (depthwise_kernel (3, 3, C, 1): fan_in 9C, fan_out 9 -> limit sqrt(6 / (9C + 9)), which is
  // what makes the separable stack's activations shrink at the start, in Keras as well).
  void seedSeparableInitializers() {
    const json& c = fixture("separable_training.json").at("cases").at(0);
    ModelSpec spec;
    if (!available(c, spec)) return;
    Model model(spec, 7);
    auto named = model.namedWeights();
    for (const json& w : c.at("weights_before")) {
      const std::string name = w.at("name").get<std::string>();
      const Variable* var = findWeight(named, name);
      QVERIFY2(var, qPrintable(QString("the engine model has no weight %1").arg(name.c_str())));
      QCOMPARE(var->value.shape(), shapeOf(w));
      const json& init = w.at("init");
      double maxAbs = 0, sumSq = 0;
      for (Index i = 0; i < var->value.size(); ++i) {
        const double v = var->value.data()[i];
        maxAbs = std::max(maxAbs, std::fabs(v));
        sumSq += v * v;
      }
      if (init.at("kind") == "zeros") {
        QCOMPARE(maxAbs, 0.0);
        continue;
      }
      const double limit = init.at("maxval").get<double>();
      const double n = double(var->value.size());
      const double rms = std::sqrt(sumSq / n), wantRms = limit / std::sqrt(3.0);
      QVERIFY2(
          maxAbs <= limit * (1 + 1e-6),
          qPrintable(
              QString("%1: |w| up to %2 > limit %3").arg(name.c_str()).arg(maxAbs).arg(limit)));
      // The rms of n uniform values is within ~3 standard errors (sqrt(0.8 / n) relative).
      QVERIFY2(std::fabs(rms / wantRms - 1) <= 3 * std::sqrt(0.8 / n) + 1e-3,
               qPrintable(QString("%1: rms %2, want %3 (glorot_uniform limit %4)")
                              .arg(name.c_str())
                              .arg(rms)
                              .arg(wantRms)
                              .arg(limit)));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenTraining)
#include "tst_engine_golden_training.moc"
