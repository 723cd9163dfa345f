// fit() with the data settings' augmentation (Dataset::augment, BatchAugmenter.h): the training
// batches a layer sees are the gathered rows augmented by (fit seed, epoch, sample) and change
// with the epoch; box targets follow the images (the epoch loss equals the loss on the
// augmented images and boxes); evaluate() and validation logs equal the non-augmented run's;
// the same seed twice gives the same History and a resumed run repeats the uninterrupted one;
// the augmented training step allocates nothing.
#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstdlib>

#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/train/BatchAugmenter.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

#include "engine/train/MallocCounter.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr Index kN = 12, kH = 6, kW = 6;

// Inputs seen by the spy layer (copies), in training and in inference calls.
std::vector<Tensor> gTrainSeen, gInferSeen;

// y = x; records x. A test-local layer to see the batches the model receives.
class TestSpy : public Layer {
 public:
  explicit TestSpy(const json& config) : Layer("TestSpy", config) {}
  Shape outputShape(const std::vector<Shape>& in) const override { return in[0]; }
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override {
    (ctx.training ? gTrainSeen : gInferSeen).push_back(*x[0]);
    y.resize(x[0]->shape());
    std::copy(x[0]->data(), x[0]->data() + x[0]->size(), y.data());
  }
  void backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext&) override {
    if (dx.empty() || !dx[0]) return;
    dx[0]->resize(x[0]->shape());
    std::copy(dy.data(), dy.data() + dy.size(), dx[0]->data());
  }
};

ModelSpec boxSpec(bool spy) {
  std::vector<NodeSpec> nodes = {inputNode("image", {kH, kW, 1})};
  std::string last = "image";
  if (spy) nodes.push_back(node("spy", "TestSpy", {last})), last = "spy";
  nodes.push_back(node("flat", "Flatten", {last}));
  nodes.push_back(denseNode("box", 4, "flat", "sigmoid"));
  return makeSpec(nodes, {"image"}, {"box"});
}

// kN uint8 images (scale 1/255, values in [0, 1]) with a bright rectangle, its box as target.
Dataset boxData(std::uint64_t seed = 4) {
  Rng rng(seed);
  Array x(DType::UInt8, {kN, kH, kW, 1});
  x.scale = 1.0f / 255.0f;
  Tensor boxes({kN, 4});
  std::uint8_t* px = x.dataAs<std::uint8_t>();
  for (Index i = 0; i < kN; ++i) {
    const Index r0 = Index(rng.below(3)), c0 = Index(rng.below(3));
    const Index r1 = r0 + 1 + Index(rng.below(3)), c1 = c0 + 1 + Index(rng.below(3));
    for (Index r = 0; r < kH; ++r)
      for (Index c = 0; c < kW; ++c) {
        const bool in = r >= r0 && r <= r1 && c >= c0 && c <= c1;
        px[(i * kH + r) * kW + c] = std::uint8_t(in ? 200 + rng.below(56) : rng.below(40));
      }
    boxes[i * 4] = float(r0) / kH, boxes[i * 4 + 1] = float(c0) / kW;
    boxes[i * 4 + 2] = float(r1 + 1) / kH, boxes[i * 4 + 3] = float(c1 + 1) / kW;
  }
  Dataset d;
  d.x = {x};
  d.y = {Array::fromTensor(boxes)};
  return d;
}

DataSettings augmentSettings() {
  DataSettings s;
  auto& a = s.augmentation;
  a.flipHorizontal = a.flipVertical = true;
  a.rotation = 0.1, a.zoom = 0.2, a.translate = 0.15, a.contrast = 0.3, a.brightness = 0.2;
  a.seed = 5;
  return s;
}

Dataset augmentedData() {
  Dataset d = boxData();
  attachAugmentation(d, augmentSettings(), 0);
  return d;
}

CompileOptions compileWith(double lr) {
  return {{"mse"}, {}, {{"mae"}}, sgd(lr)};
}

double mse(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (Index i = 0; i < a.size(); ++i) s += double(a[i] - b[i]) * double(a[i] - b[i]);
  return s / double(a.size());
}

void registerSpy() {
  if (LayerRegistry::instance().find("TestSpy")) return;
  LayerInfo info;
  info.className = "TestSpy";
  info.group = "Core";
  info.create = [](const json& c) { return std::make_unique<TestSpy>(c); };
  LayerRegistry::instance().add(info);
}

bool sameTensor(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::equal(a.data(), a.data() + a.size(), b.data());
}

struct AllocRecorder : TrainObserver {
  std::vector<std::vector<long long>> at;  // [epoch][batch], preallocated
  void onBatchEnd(int epoch, int batch, const Logs&) override {
    at[size_t(epoch)][size_t(batch)] = gAllocs.load(std::memory_order_relaxed);
  }
};

}  // namespace

class TestTrainAugment : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { registerSpy(); }

  // One batch of all samples, not shuffled, learning rate 0: the spy sees exactly
  // apply(gathered rows, fit seed, epoch) in every epoch, different per epoch; the epoch loss is
  // the loss on the augmented images AND boxes.
  void trainingBatchesAreAugmentedPerEpoch() {
    const Dataset d = augmentedData();
    Model m(boxSpec(true), 1);
    Trainer t(m, compileWith(0.0));
    FitOptions o;
    o.epochs = 3, o.batchSize = int(kN), o.shuffle = false, o.seed = 7, o.verbose = 0;
    gTrainSeen.clear(), gInferSeen.clear();
    History h = t.fit(d, o);
    QCOMPARE(gTrainSeen.size(), size_t(3));
    QVERIFY(gInferSeen.empty());
    std::vector<Index> idx(kN);
    for (Index i = 0; i < kN; ++i) idx[size_t(i)] = i;
    Tensor raw, rawBoxes;
    d.x[0].gather(idx.data(), kN, raw);
    d.y[0].gather(idx.data(), kN, rawBoxes);
    for (int e = 0; e < 3; ++e) {
      Tensor x = raw, boxes = rawBoxes;
      d.augment->apply(x, &boxes, idx.data(), kN, 7, e);
      QVERIFY(sameTensor(gTrainSeen[size_t(e)], x));
      QVERIFY(!sameTensor(x, raw));
      QVERIFY(!sameTensor(boxes, rawBoxes));  // some images were flipped / moved
      // Weights never change (lr 0): the loss is the mse of the prediction on the augmented
      // images against the augmented boxes.
      const std::vector<Tensor> pred = t.predict({Array::fromTensor(x)}, int(kN));
      const double want = mse(pred[0], boxes);
      QVERIFY(std::fabs(h["loss"][size_t(e)] - want) < 1e-6 * std::max(1.0, want));
      QVERIFY(std::fabs(mse(pred[0], rawBoxes) - want) > 1e-4);  // boxes do matter
    }
    QVERIFY(!sameTensor(gTrainSeen[0], gTrainSeen[1]));
    QVERIFY(!sameTensor(gTrainSeen[1], gTrainSeen[2]));
    QVERIFY(h["loss"][0] != h["loss"][1]);

    // The same data without augmentation: every epoch sees the raw rows.
    Dataset plain = boxData();
    Model m2(boxSpec(true), 1);
    Trainer t2(m2, compileWith(0.0));
    gTrainSeen.clear();
    History h2 = t2.fit(plain, o);
    QCOMPARE(gTrainSeen.size(), size_t(3));
    for (const Tensor& seen : gTrainSeen) QVERIFY(sameTensor(seen, raw));
    QCOMPARE(h2["loss"][0], h2["loss"][2]);
  }

  // Augmentation never touches validation or evaluate(): with learning rate 0 the augmented and
  // the plain runs have identical val_ logs and evaluate() results, different training losses.
  void validationAndEvaluateAreNotAugmented() {
    for (bool split : {true, false}) {
      Dataset aug = augmentedData(), plain = boxData();
      FitOptions o;
      o.epochs = 2, o.batchSize = 4, o.seed = 3, o.verbose = 0;
      if (split) {
        o.validationSplit = 0.25;
      } else {
        Dataset val = boxData(9);
        attachAugmentation(val, augmentSettings(), 0);  // ignored: validation is never augmented
        o.validationData = val;
      }
      Model ma(boxSpec(true), 2), mp(boxSpec(true), 2);
      Trainer ta(ma, compileWith(0.0)), tp(mp, compileWith(0.0));
      gInferSeen.clear();
      History ha = ta.fit(aug, o);
      std::vector<Tensor> seenAug = gInferSeen;
      gInferSeen.clear();
      History hp = tp.fit(plain, o);
      QCOMPARE(seenAug.size(), gInferSeen.size());
      QVERIFY(!seenAug.empty());
      for (size_t i = 0; i < seenAug.size(); ++i) QVERIFY(sameTensor(seenAug[i], gInferSeen[i]));
      QCOMPARE(ha.keys, hp.keys);
      for (const char* k : {"val_loss", "val_mae"})
        for (size_t e = 0; e < 2; ++e) QCOMPARE(ha[k][e], hp[k][e]);
      QVERIFY(ha["loss"][0] != hp["loss"][0]);
      const Logs ea = ta.evaluate(aug, 5), ep = tp.evaluate(plain, 5);
      QCOMPARE(ea.size(), ep.size());
      for (size_t i = 0; i < ea.size(); ++i) QCOMPARE(ea[i].second, ep[i].second);
      // predict() is never augmented either.
      const auto pa = ta.predict(aug.x, 5), pp = tp.predict(plain.x, 5);
      QVERIFY(sameTensor(pa[0], pp[0]));
    }
    // Training for real: the last val_loss is evaluate() on the validation rows with the final
    // weights (no augmentation in either).
    Dataset aug = augmentedData();
    Model m(boxSpec(false), 4);
    Trainer t(m, compileWith(0.5));
    FitOptions o;
    o.epochs = 3, o.batchSize = 3, o.seed = 1, o.verbose = 0, o.validationSplit = 0.25;
    History h = t.fit(aug, o);
    Dataset val;
    val.x = {aug.x[0].rowsRange(9, 3)};
    val.y = {aug.y[0].rowsRange(9, 3)};
    val.augment = aug.augment;  // evaluate() ignores it
    const Logs e = t.evaluate(val, 3);
    QVERIFY(std::fabs(h["val_loss"].back() - e[0].second) < 1e-9);
  }

  void sameSeedSameHistoryAndResume() {
    auto run = [](std::uint64_t seed, int epochs) {
      Dataset d = augmentedData();
      Model m(boxSpec(false), 6);
      Trainer t(m, compileWith(0.3));
      FitOptions o;
      o.epochs = epochs, o.batchSize = 4, o.seed = seed, o.verbose = 0;
      return t.fit(d, o);
    };
    const History a = run(11, 4), b = run(11, 4), c = run(12, 4);
    QCOMPARE(a.keys, b.keys);
    for (const auto& k : a.keys) QVERIFY(a[k] == b[k]);
    QVERIFY(a["loss"] != c["loss"]);
    // Resumed at initial_epoch 2 on the same trainer: epochs 3 and 4 repeat the uninterrupted run.
    Dataset d = augmentedData();
    Model m(boxSpec(false), 6);
    Trainer t(m, compileWith(0.3));
    FitOptions o;
    o.epochs = 2, o.batchSize = 4, o.seed = 11, o.verbose = 0;
    const History first = t.fit(d, o);
    o.initialEpoch = 2, o.epochs = 4;
    const History rest = t.fit(d, o);
    QCOMPARE(first["loss"][0], a["loss"][0]);
    QCOMPARE(first["loss"][1], a["loss"][1]);
    QCOMPARE(rest["loss"][0], a["loss"][2]);
    QCOMPARE(rest["loss"][1], a["loss"][3]);
    // A box output the data does not have: a clear Error before training.
    d.augmentBoxOutput = 1;
    o.initialEpoch = 0;
    try {
      t.fit(d, o);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(std::string(e.what()),
               std::string("fit: the augmentation's box output is 1, the data has 1 target(s)"));
    }
  }

  // The generated localization set as the studio builds it (uint8 x rescaled to [0, 1], y =
  // [class, box]): attached with the box output 1, the value range is [0, 1], every augmented
  // box stays a valid box in [0, 1], and fit runs on it.
  void localizationSetFromTheBuilder() {
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    DataSettings s = augmentSettings();
    s.kind = "fashion_mnist_localization";
    BuildOptions bo;
    bo.trainLimit = 16;
    BuiltData built = buildDataset(s, bo);
    Dataset& d = built.train;
    attachAugmentation(d, s, 1);
    QCOMPARE(d.augment->valueLow(), 0.0f);
    QCOMPARE(d.augment->valueHigh(), 1.0f);
    std::vector<Index> idx(size_t(d.size()));
    for (Index i = 0; i < d.size(); ++i) idx[size_t(i)] = i;
    Tensor x, boxes, x0, boxes0;
    d.x[0].gather(idx.data(), d.size(), x);
    d.y[1].gather(idx.data(), d.size(), boxes);
    x0 = x, boxes0 = boxes;
    d.augment->apply(x, &boxes, idx.data(), d.size(), 1, 0);
    QVERIFY(!sameTensor(x, x0) && !sameTensor(boxes, boxes0));
    for (Index i = 0; i < x.size(); ++i) QVERIFY(x[i] >= 0.0f && x[i] <= 1.0f);
    for (Index j = 0; j < d.size(); ++j) {
      const float* b = boxes.data() + 4 * j;
      QVERIFY(b[0] >= 0 && b[0] <= b[2] && b[2] <= 1 && b[1] >= 0 && b[1] <= b[3] && b[3] <= 1);
    }
    Model m(makeSpec({inputNode("image", {64, 64, 1}),
                      node("pool", "MaxPooling2D", {"image"}, {{"pool_size", {8, 8}}}),
                      node("flat", "Flatten", {"pool"}), denseNode("class", 10, "flat", "softmax"),
                      denseNode("box", 4, "flat")},
                     {"image"}, {"class", "box"}),
            1);
    Trainer t(m, {{"sparse_categorical_crossentropy", "mse"}, {}, {}, sgd(0.05)});
    FitOptions o;
    o.epochs = 2, o.batchSize = 8, o.verbose = 0;
    const History h = t.fit(d, o);
    QCOMPARE(h.epochs.size(), size_t(2));
    QVERIFY(std::isfinite(h["loss"][1]));
  }

  // The augmented step allocates nothing once the buffers exist (batch sizes 5 and 2). The x
  // rows are flattened to (N, 36) for a Dense model, as fitDatasetToModel does: the augmenter
  // keeps the (6, 6, 1) image shape it was attached with. (Flatten is not used: its forward
  // allocates a Shape per call.)
  void augmentedStepsDoNotAllocate() {
    Dataset d = augmentedData();
    d.x[0] = d.x[0].reshaped({kN, kH * kW});
    Model m(makeSpec({inputNode("image", {kH * kW}), denseNode("box", 4, "image", "sigmoid")},
                     {"image"}, {"box"}),
            8);
    Trainer t(m, compileWith(0.1));
    FitOptions o;
    o.epochs = 3, o.batchSize = 5, o.verbose = 0;
    const int steps = int((kN + 4) / 5);
    AllocRecorder rec;
    rec.at.assign(3, std::vector<long long>(size_t(steps), -1));
    const long long before = gAllocs.load();
    t.fit(d, o, {}, &rec);
    QVERIFY(gAllocs.load() > before);
    for (int e = 1; e < 3; ++e)
      for (int b = 1; b < steps; ++b)
        if (rec.at[size_t(e)][size_t(b)] != rec.at[size_t(e)][size_t(b - 1)])
          QFAIL(qPrintable(
              QString("epoch %1, batch %2: %3 allocation(s) in the step")
                  .arg(e + 1)
                  .arg(b + 1)
                  .arg(rec.at[size_t(e)][size_t(b)] - rec.at[size_t(e)][size_t(b - 1)])));
  }
};

QTEST_APPLESS_MAIN(TestTrainAugment)
#include "tst_engine_trainaugment.moc"
