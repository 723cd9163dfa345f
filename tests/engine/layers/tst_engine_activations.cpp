// Activations (engine/layers/Activations.h) and the Activation layer: hand-computed values for
// every function, finite-difference gradients, softmax on an inner axis, config round trip and
// errors.
#include <QtTest>

#include <cmath>

#include "engine/layers/Activations.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {
float f1(ActivationFn fn, float z) {
  float y;
  activationForward(fn, &z, &y, 1, 1);
  return y;
}
// Pushes values away from the kinks of relu / relu6 / hard_sigmoid (finite differences).
void avoidKinks(Tensor& t) {
  for (Index i = 0; i < t.size(); ++i)
    for (float k : {0.0f, 2.5f, -2.5f, 6.0f})
      if (std::fabs(t[i] - k) < 0.05f) t[i] = k + (t[i] >= k ? 0.05f : -0.05f);
}
}  // namespace

class TestActivations : public QObject {
  Q_OBJECT
 private slots:
  void handValues_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<float>("z");
    QTest::addColumn<double>("expected");
    QTest::newRow("linear") << "linear" << 3.0f << 3.0;
    QTest::newRow("relu+") << "relu" << 2.0f << 2.0;
    QTest::newRow("relu-") << "relu" << -1.0f << 0.0;
    QTest::newRow("relu6") << "relu6" << 7.0f << 6.0;
    QTest::newRow("selu+") << "selu" << 1.0f << 1.0507009873554805;
    // scale * alpha * (e^-1 - 1)
    QTest::newRow("selu-") << "selu" << -1.0f << -1.1113307378125625;
    QTest::newRow("elu-") << "elu" << -1.0f << -0.6321205588285577;
    QTest::newRow("elu+") << "elu" << 2.0f << 2.0;
    QTest::newRow("sigmoid0") << "sigmoid" << 0.0f << 0.5;
    QTest::newRow("sigmoid2") << "sigmoid" << 2.0f << 0.8807970779778823;
    QTest::newRow("hard_sigmoid") << "hard_sigmoid" << 1.0f << 0.7;
    QTest::newRow("hard_sigmoid_lo") << "hard_sigmoid" << -3.0f << 0.0;
    QTest::newRow("hard_sigmoid_hi") << "hardSigmoid" << 3.0f << 1.0;
    QTest::newRow("tanh") << "tanh" << 0.5f << 0.46211715726000974;
    QTest::newRow("softplus0") << "softplus" << 0.0f << 0.6931471805599453;
    QTest::newRow("softplus2") << "softplus" << 2.0f << 2.1269280110429727;
    QTest::newRow("softplus_big") << "softplus" << 100.0f << 100.0;
    QTest::newRow("softsign") << "softsign" << -3.0f << -0.75;
    QTest::newRow("swish") << "swish" << 1.0f << 0.7310585786300049;
    QTest::newRow("gelu+") << "gelu" << 1.0f << 0.8413447460685429;
    QTest::newRow("gelu-") << "gelu" << -1.0f << -0.15865525393145707;
    QTest::newRow("exponential") << "exponential" << 1.0f << 2.718281828459045;
    QTest::newRow("softmax_single") << "softmax" << 5.0f << 1.0;
  }
  void handValues() {
    QFETCH(QString, name);
    QFETCH(float, z);
    QFETCH(double, expected);
    float y = f1(activationFromName(name.toStdString()), z);
    QVERIFY2(std::fabs(y - expected) < 1e-5 * std::max(1.0, std::fabs(expected)),
             qPrintable(QString("%1(%2) = %3, expected %4").arg(name).arg(z).arg(y).arg(expected)));
  }

  void softmaxRowsAndInnerAxis() {
    // rows: softmax([1, 2, 3]) and a shifted copy (invariance to a constant)
    std::vector<float> z = {1, 2, 3, 1001, 1002, 1003}, y(6);
    activationForward(ActivationFn::Softmax, z.data(), y.data(), 2, 3);
    const float e[] = {0.09003057317f, 0.24472847105f, 0.66524095576f};
    for (int i = 0; i < 6; ++i) QVERIFY(std::fabs(y[size_t(i)] - e[i % 3]) < 1e-6f);
    // (outer 1, axis 3, inner 2): column j of [[1, 0], [2, 0], [3, 0]]
    std::vector<float> zc = {1, 0, 2, 0, 3, 0}, yc(6);
    activationForward(ActivationFn::Softmax, zc.data(), yc.data(), 1, 3, 2);
    for (int k = 0; k < 3; ++k) {
      QVERIFY(std::fabs(yc[size_t(2 * k)] - e[k]) < 1e-6f);
      QVERIFY(std::fabs(yc[size_t(2 * k + 1)] - 1.0f / 3) < 1e-6f);
    }
    // gradient on the inner axis against finite differences of sum(y * r)
    Rng rng(3);
    std::vector<float> zz(2 * 4 * 3), r(zz.size()), yy(zz.size()), dz(zz.size());
    for (auto& v : zz) v = rng.uniform(-2, 2);
    for (auto& v : r) v = rng.uniform(-1, 1);
    activationForward(ActivationFn::Softmax, zz.data(), yy.data(), 2, 4, 3);
    activationBackward(ActivationFn::Softmax, zz.data(), yy.data(), r.data(), dz.data(), 2, 4, 3);
    for (size_t i = 0; i < zz.size(); ++i) {
      auto loss = [&](float d) {
        std::vector<float> zp = zz, yp(zz.size());
        zp[i] += d;
        activationForward(ActivationFn::Softmax, zp.data(), yp.data(), 2, 4, 3);
        double l = 0;
        for (size_t k = 0; k < yp.size(); ++k) l += double(yp[k]) * r[k];
        return l;
      };
      double num = (loss(1e-2f) - loss(-1e-2f)) / 2e-2;
      QVERIFY2(std::fabs(num - dz[i]) < 2e-3,
               qPrintable(QString("%1: %2 vs %3").arg(i).arg(dz[i]).arg(num)));
    }
  }

  void inPlace() {
    // y may be z, dz may be dy
    std::vector<float> z = {-1, 0.5f, 2}, ref(3);
    activationForward(ActivationFn::Selu, z.data(), ref.data(), 1, 3);
    std::vector<float> w = z;
    activationForward(ActivationFn::Selu, w.data(), w.data(), 1, 3);
    QCOMPARE(w, ref);
  }

  void layerGradients_data() {
    QTest::addColumn<QString>("name");
    for (const auto& n : activationNames()) QTest::newRow(n.c_str()) << QString::fromStdString(n);
  }
  void layerGradients() {
    QFETCH(QString, name);
    auto layer = makeBuilt("Activation", {{"activation", name.toStdString()}}, {{kNone, 3, 5}});
    Rng rng(11);
    Tensor x = randomTensor({2, 3, 5}, rng, -3.0f, 3.0f);
    avoidKinks(x);
    QVERIFY(checkLayerGradients(*layer, {x}));
  }

  void layerForwardAndShape() {
    auto layer = makeBuilt("Activation", {{"activation", "relu"}}, {{kNone, 2}});
    QCOMPARE(layer->outputShape({{kNone, 2}}), Shape({kNone, 2}));
    Tensor y = runForward(*layer, {Tensor({2, 2}, {-1, 2, 3, -4})});
    QVERIFY(near(y, {0, 2, 3, 0}));
    QCOMPARE(y.shape(), Shape({2, 2}));
    auto sm = makeBuilt("Activation", {{"activation", "softmax"}}, {{kNone, 3}});
    QVERIFY(near(runForward(*sm, {Tensor({1, 3}, {1, 2, 3})}),
                 {0.09003057317f, 0.24472847105f, 0.66524095576f}));
  }

  void configAndErrors() {
    QVERIFY(configRoundTrips("Activation", {{"activation", "tanh"}}));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Activation", {{"activation", "relux"}}, "act1");
        },
        SpecErrorKind::BadValue, "act1", "relux"));
    QVERIFY(throwsSpec([] { makeLayer("Activation", json::object(), "act2"); },
                       SpecErrorKind::BadValue, "act2", "required"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Activation", {{"activation", "relu"}, {"alpha", 1}}, "act3");
        },
        SpecErrorKind::UnknownConfigKey, "act3", "alpha"));
    QVERIFY_THROWS_EXCEPTION(Error, activationFromName("bogus"));
    try {
      activationFromName("bogus");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("unknown activation 'bogus'") != std::string::npos);
      QVERIFY(std::string(e.what()).find("selu") != std::string::npos);
    }
    QCOMPARE(std::string(activationName(activationFromName("hardSigmoid"))), "hard_sigmoid");
    QCOMPARE(int(activationNames().size()), 14);
  }
};

QTEST_APPLESS_MAIN(TestActivations)
#include "tst_engine_activations.moc"
