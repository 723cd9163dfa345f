// No heap allocation inside a training step after the first steps: malloc (which operator new,
// Eigen's aligned allocator and std::vector all end in) is counted by interposing glibc's
// malloc family in this executable; an observer records the count at every batch end.
#include <QtTest>

#include <atomic>
#include <cstdlib>

#include "engine/layers/LayerRegistry.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

#include "engine/train/MallocCounter.h"

using namespace tessel;
using namespace tessel::test;

namespace {

struct AllocRecorder : TrainObserver {
  // Preallocated: [epoch][batch] allocation count at batch end.
  std::vector<std::vector<long long>> at;
  void onBatchEnd(int epoch, int batch, const Logs&) override {
    at[size_t(epoch)][size_t(batch)] = gAllocs.load(std::memory_order_relaxed);
  }
};

void checkNoAllocations(Model& m, CompileOptions c, const Dataset& d, int batchSize) {
  Trainer t(m, std::move(c));
  FitOptions o;
  o.epochs = 3, o.batchSize = batchSize, o.verbose = 0;
  const int steps = int((d.size() + batchSize - 1) / batchSize);
  AllocRecorder rec;
  rec.at.assign(3, std::vector<long long>(size_t(steps), -1));
  const long long before = gAllocs.load();
  t.fit(d, o, {}, &rec);
  QVERIFY(gAllocs.load() > before);  // the counter works (fit allocates its buffers)
  for (int e = 1; e < 3; ++e)
    for (int b = 1; b < steps; ++b)
      if (rec.at[e][b] != rec.at[e][b - 1])
        QFAIL(qPrintable(QString("epoch %1, batch %2: %3 allocation(s) in the step")
                             .arg(e + 1)
                             .arg(b + 1)
                             .arg(rec.at[e][b] - rec.at[e][b - 1])));
}

// y = x * w (w per feature), x is (N, F): a test-local layer that does not allocate, so the
// executor's own steps can be checked independently of the real layers.
class TestScale : public Layer {
 public:
  explicit TestScale(const json& config) : Layer("TestScale", config) {}
  Shape outputShape(const std::vector<Shape>& in) const override { return in[0]; }
  void build(const std::vector<Shape>& in, Rng& rng) override {
    auto& w = addVariable("w", {in[0][1]});
    for (Index i = 0; i < w.value.size(); ++i) w.value[i] = rng.uniform(0.5f, 1.5f);
    built_ = true;
  }
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) override {
    y.resize(x[0]->shape());
    const Index f = vars_[0].value.size();
    for (Index i = 0; i < y.size(); ++i) y[i] = (*x[0])[i] * vars_[0].value[i % f];
  }
  void backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext&) override {
    const Index f = vars_[0].value.size();
    vars_[0].grad.setZero();
    for (Index i = 0; i < dy.size(); ++i) vars_[0].grad[i % f] += dy[i] * (*x[0])[i];
    if (dx[0]) {
      dx[0]->resize(x[0]->shape());
      for (Index i = 0; i < dy.size(); ++i) (*dx[0])[i] = dy[i] * vars_[0].value[i % f];
    }
  }
};

}  // namespace

class TestTrainAlloc : public QObject {
  Q_OBJECT
 private slots:
  void counterSeesAllocations() {
    const long long a = gAllocs.load();
    Tensor t({1000});
    std::vector<int>* v = new std::vector<int>(10);
    delete v;
    QVERIFY(gAllocs.load() >= a + 3);
  }

  // The executor alone (forward, gradient routing with a shared tensor and an output that feeds
  // another layer, backward) does not allocate once the buffers exist, whatever the batch size.
  void modelStepsDoNotAllocate() {
    LayerInfo info;
    info.className = "TestScale";
    info.group = "Core";
    info.create = [](const json& c) { return std::make_unique<TestScale>(c); };
    LayerRegistry::instance().add(info);
    Model m(makeSpec(
        {inputNode("x", {3}), node("s1", "TestScale", {"x"}), node("s2", "TestScale", {"s1"}),
         node("s3", "TestScale", {"s1"}), node("s4", "TestScale", {"s3"})},
        {"x"}, {"s2", "s3", "s4"}));
    Tensor x8({8, 3}, 0.5f), x5({5, 3}, 0.25f), d8({8, 3}, 1.0f), d5({5, 3}, 1.0f);
    RunContext ctx;
    auto run = [&](Tensor& x, Tensor& d) {
      m.forward({&x}, true, ctx);
      m.backward({&d, &d, &d}, ctx);
    };
    run(x8, d8);
    run(x5, d5);
    std::vector<const Tensor*> xs8{&x8}, xs5{&x5}, ds8{&d8, &d8, &d8};
    const long long before = gAllocs.load();
    for (int i = 0; i < 10; ++i) {
      m.forward(xs8, true, ctx);
      m.backward(ds8, ctx);
      m.forward(xs5, true, ctx);
    }
    QCOMPARE(gAllocs.load() - before, 0LL);
    // s1 feeds s2 and s3, s3 is an output and feeds s4: dL/ds1 = w2 + w3 * (1 + w4) per feature.
    auto& w1 = m.layer("s1")->variables()[0];
    const float* w2 = m.layer("s2")->variables()[0].value.data();
    const float* w3 = m.layer("s3")->variables()[0].value.data();
    const float* w4 = m.layer("s4")->variables()[0].value.data();
    for (int f = 0; f < 3; ++f) {
      const double g = 8 * 0.5 * (w2[f] + w3[f] * (1 + w4[f]));
      QVERIFY(std::fabs(w1.grad[f] - g) < 1e-4 * std::fabs(g));
    }
  }

  void denseClassifierStepsDoNotAllocate() {
    Rng rng(1);
    Tensor x({100, 4}), y({100});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < 100; ++i) y[i] = float(i % 3);
    Model m(makeSpec(
        {inputNode("x", {4}), denseNode("h", 16, "x", "relu"), denseNode("out", 3, "h", "softmax")},
        {"x"}, {"out"}));
    checkNoAllocations(m, {{"sparse_categorical_crossentropy"}, {}, {{"accuracy"}}, "adam"},
                       {{Array::fromTensor(x)}, {Array::fromTensor(y)}, {}}, 8);
  }

  void twoOutputsWithSharedTensorDoNotAllocate() {
    Rng rng(2);
    Tensor x({50, 3}), y1({50, 2}), y2({50, 1});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < y1.size(); ++i) y1[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < y2.size(); ++i) y2[i] = rng.uniform(0, 1) > 0.5f ? 1.0f : 0.0f;
    Model m(makeSpec(
        {inputNode("x", {3}), denseNode("h", 8, "x", "tanh"), node("sum", "Add", {"h", "h"}),
         denseNode("a", 2, "sum"), denseNode("b", 1, "h", "sigmoid")},
        {"x"}, {"a", "b"}));
    std::vector<float> sw(50, 1.0f);
    sw[3] = 2.0f;
    checkNoAllocations(m,
                       {{"mse", "binary_crossentropy"},
                        {1.0, 0.5},
                        {{"mae"}, {"accuracy"}},
                        {{"class_name", "SGD"}, {"config", {{"momentum", 0.9}}}}},
                       {{Array::fromTensor(x)}, {Array::fromTensor(y1), Array::fromTensor(y2)}, sw},
                       16);
  }
  // Conv2D → MaxPooling2D → Flatten → Dense: the image layers' steps do not allocate either.
  void convClassifierStepsDoNotAllocate() {
    Rng rng(3);
    Tensor x({40, 8, 8, 1}), y({40});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(0, 1);
    for (Index i = 0; i < 40; ++i) y[i] = float(i % 4);
    Model m(makeSpec(
        {inputNode("x", {8, 8, 1}),
         node("conv", "Conv2D", {"x"},
              {{"filters", 4}, {"kernel_size", {3, 3}}, {"activation", "relu"}}),
         node("pool", "MaxPooling2D", {"conv"}, json::object()),
         node("flat", "Flatten", {"pool"}, json::object()), denseNode("out", 4, "flat", "softmax")},
        {"x"}, {"out"}));
    checkNoAllocations(m, {{"sparse_categorical_crossentropy"}, {}, {{"accuracy"}}, "adam"},
                       {{Array::fromTensor(x)}, {Array::fromTensor(y)}, {}}, 8);
  }
};

QTEST_APPLESS_MAIN(TestTrainAlloc)
#include "tst_engine_trainalloc.moc"
