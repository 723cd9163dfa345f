#include <QtTest>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/train/Model.h"
#include "engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

// L = sum_k sum(out_k * r_k): dL/dout_k = r_k. Compares every trainable weight's analytic
// gradient with central differences.
void checkModelGradients(Model& m, const std::vector<Tensor>& x) {
  Rng rng(11);
  std::vector<const Tensor*> xp;
  for (auto& t : x) xp.push_back(&t);
  RunContext ctx;
  m.forward(xp, false, ctx);
  std::vector<Tensor> r;
  for (size_t k = 0; k < m.numOutputs(); ++k) {
    Tensor t(m.output(k).shape());
    for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(-1, 1);
    r.push_back(t);
  }
  std::vector<const Tensor*> rp;
  for (auto& t : r) rp.push_back(&t);
  m.backward(rp, ctx);
  auto lossAt = [&]() {
    RunContext c;
    m.forward(xp, false, c);
    double s = 0;
    for (size_t k = 0; k < m.numOutputs(); ++k)
      for (Index i = 0; i < r[k].size(); ++i) s += double(m.output(k)[i]) * r[k][i];
    return s;
  };
  for (auto& [name, v] : m.namedWeights()) {
    Tensor analytic = v->grad;
    for (Index i = 0; i < v->value.size(); ++i) {
      const float old = v->value[i];
      const float eps = 1e-2f;
      v->value[i] = old + eps;
      double lp = lossAt();
      v->value[i] = old - eps;
      double lm = lossAt();
      v->value[i] = old;
      double fd = (lp - lm) / (2 * eps);
      if (std::fabs(fd - analytic[i]) > 2e-3 + 2e-2 * std::fabs(fd))
        QFAIL(qPrintable(QString("%1[%2]: analytic %3, numeric %4")
                             .arg(QString::fromStdString(name))
                             .arg(i)
                             .arg(analytic[i])
                             .arg(fd)));
    }
  }
}

}  // namespace

class TestModel : public QObject {
  Q_OBJECT
 private slots:
  void namesShapesAndWeights() {
    Model m(makeSpec({inputNode("x", {3}), denseNode("hidden", 4, "x", "relu"),
                      denseNode("out", 2, "hidden")},
                     {"x"}, {"out"}),
            5);
    QCOMPARE(m.numInputs(), size_t(1));
    QCOMPARE(m.numOutputs(), size_t(1));
    QCOMPARE(m.inputShape(0), (Shape{kNone, 3}));
    QCOMPARE(m.outputShape(0), (Shape{kNone, 2}));
    QCOMPARE(m.outputName(0), std::string("out"));
    QCOMPARE(m.parameterCount(), Index(3 * 4 + 4 + 4 * 2 + 2));
    auto named = m.namedWeights();
    QCOMPARE(named.size(), size_t(4));
    QCOMPARE(named[0].first, std::string("hidden/kernel"));
    QCOMPARE(named[1].first, std::string("hidden/bias"));
    QCOMPARE(named[2].first, std::string("out/kernel"));
    QCOMPARE(named[3].first, std::string("out/bias"));
    QCOMPARE(m.layers().size(), size_t(2));
    QCOMPARE(m.trainableWeights().size(), size_t(4));

    // Same seed, same initial weights; another seed, different.
    Model same(m.spec(), 5), other(m.spec(), 6);
    QCOMPARE(same.getWeights()[0].toVector(), m.getWeights()[0].toVector());
    QVERIFY(other.getWeights()[0].toVector() != m.getWeights()[0].toVector());

    auto w = m.getWeights();
    for (auto& t : w) t.fill(0.25f);
    m.setWeights(w);
    QCOMPARE(m.layer("out")->variables()[0].value[3], 0.25f);
    w.pop_back();
    QVERIFY_THROWS_EXCEPTION(Error, m.setWeights(w));

    std::vector<std::pair<std::string, Tensor>> byName;
    for (auto& [name, v] : other.namedWeights()) byName.emplace_back(name, v->value);
    m.loadNamedWeights(byName);
    QCOMPARE(m.getWeights()[2].toVector(), other.getWeights()[2].toVector());
    byName.erase(byName.begin() + 1);
    try {
      m.loadNamedWeights(byName);
      QFAIL("no error for a missing weight");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("hidden/bias") != std::string::npos);
    }
  }

  void forwardMatchesHandComputation() {
    Model m(makeSpec({inputNode("x", {2}), denseNode("d", 1, "x")}, {"x"}, {"d"}));
    setDense(m, "d", {2, -3}, {0.5f});
    Tensor x({2, 2}, {1, 1, 0.5f, -1});
    RunContext ctx;
    m.forward({&x}, false, ctx);
    QCOMPARE(m.output(0).shape(), (Shape{2, 1}));
    QCOMPARE(m.output(0)[0], -0.5f);
    QCOMPARE(m.output(0)[1], 4.5f);
    Tensor bad({2, 3});
    QVERIFY_THROWS_EXCEPTION(Error, m.forward({&bad}, false, ctx));
  }

  void invalidSpecThrowsSpecError() {
    QVERIFY_THROWS_EXCEPTION(
        SpecError,
        Model(makeSpec({inputNode("x", {2}), denseNode("d", 1, "nowhere")}, {"x"}, {"d"})));
  }

  // A tensor feeding several consumers (two heads, and Add([h, h]) using it twice) sums the
  // gradients; a model output that also feeds another layer adds both contributions.
  void gradientAccumulation() {
    Model m(makeSpec({inputNode("x", {3}), denseNode("h", 4, "x", "tanh"), denseNode("a", 2, "h"),
                      denseNode("b", 3, "h", "sigmoid"), node("twice", "Add", {"h", "h"}),
                      denseNode("c", 1, "twice"), denseNode("after_a", 2, "a")},
                     {"x"}, {"a", "b", "c", "after_a"}),
            2);
    Rng rng(4);
    Tensor x({5, 3});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    checkModelGradients(m, {x});
  }

  void twoInputsConcatenate() {
    Model m(makeSpec({inputNode("a", {2}), inputNode("b", {3}),
                      node("cat", "Concatenate", {"a", "b"}), denseNode("d", 2, "cat", "tanh")},
                     {"a", "b"}, {"d"}),
            9);
    Rng rng(8);
    Tensor a({4, 2}), b({4, 3});
    for (Index i = 0; i < a.size(); ++i) a[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < b.size(); ++i) b[i] = rng.uniform(-1, 1);
    checkModelGradients(m, {a, b});
  }

  // Buffers are reused: the output buffer does not move between batches of the same size, nor
  // when a smaller batch comes and goes.
  void buffersAreStable() {
    Model m(makeSpec({inputNode("x", {2}), denseNode("h", 8, "x", "relu"), denseNode("d", 1, "h")},
                     {"x"}, {"d"}));
    Tensor x8({8, 2}, 0.5f), x3({3, 2}, 0.5f);
    RunContext ctx;
    m.forward({&x8}, true, ctx);
    const float* p = m.output(0).data();
    m.forward({&x8}, true, ctx);
    QCOMPARE(m.output(0).data(), p);
    m.forward({&x3}, true, ctx);
    QCOMPARE(m.output(0).data(), p);
    QCOMPARE(m.output(0).dim(0), Index(3));
    m.forward({&x8}, true, ctx);
    QCOMPARE(m.output(0).data(), p);
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "tst_engine_model.moc"
