// Initializers and regularizers: statistics against the Keras formulas, reproducibility for a
// seed, the string / Keras object / TF.js VarianceScaling forms, orthogonality, errors; L1/L2
// penalties and gradients.
#include <QtTest>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/layers/Initializers.h"
#include "engine/layers/Regularizers.h"

using namespace tessel;
using json = nlohmann::json;

namespace {
Tensor filled(const json& spec, const Shape& shape, std::uint64_t seed = 1) {
  Tensor t(shape);
  Rng rng(seed);
  Initializer::fromJson(spec).fill(t, rng);
  return t;
}
void stats(const Tensor& t, double& mean, double& var, double& maxAbs) {
  mean = 0;
  for (Index i = 0; i < t.size(); ++i) mean += t[i];
  mean /= double(t.size());
  var = 0;
  maxAbs = 0;
  for (Index i = 0; i < t.size(); ++i) {
    var += (t[i] - mean) * (t[i] - mean);
    maxAbs = std::max(maxAbs, double(std::fabs(t[i])));
  }
  var /= double(t.size());
}
}  // namespace

class TestInitializers : public QObject {
  Q_OBJECT
 private slots:
  void varianceMatchesKeras_data() {
    QTest::addColumn<QString>("spec");
    QTest::addColumn<double>("variance");  // Keras: scale / fan
    QTest::addColumn<double>("bound");     // largest |w| allowed
    // shape (300, 200): fan_in 300, fan_out 200, fan_avg 250
    const double tn = 2.0 / 0.87962566103423978;  // truncated at 2 raw stddevs
    QTest::newRow("glorot_uniform") << R"("glorot_uniform")" << 1.0 / 250 << std::sqrt(3.0 / 250);
    QTest::newRow("glorot_normal")
        << R"("glorot_normal")" << 1.0 / 250 << tn * std::sqrt(1.0 / 250);
    QTest::newRow("he_uniform") << R"("he_uniform")" << 2.0 / 300 << std::sqrt(6.0 / 300);
    QTest::newRow("he_normal") << R"({"class_name": "HeNormal", "config": {"seed": null}})"
                               << 2.0 / 300 << tn * std::sqrt(2.0 / 300);
    QTest::newRow("lecun_uniform") << R"("lecun_uniform")" << 1.0 / 300 << std::sqrt(3.0 / 300);
    QTest::newRow("lecun_normal") << R"("LecunNormal")" << 1.0 / 300 << tn * std::sqrt(1.0 / 300);
    QTest::newRow("vs_fan_out_untruncated")
        << R"({"class_name": "VarianceScaling", "config": {"scale": 3.0, "mode": "fan_out",
              "distribution": "untruncated_normal", "seed": null}})"
        << 3.0 / 200 << 10 * std::sqrt(3.0 / 200);
    QTest::newRow("random_uniform") << R"("random_uniform")" << 0.05 * 0.05 / 3 << 0.05;
    QTest::newRow("random_normal")
        << R"({"class_name": "RandomNormal", "config": {}})" << 0.05 * 0.05 << 0.05 * 10;
    // TruncatedNormal(stddev 0.05) has no correction: variance 0.05^2 * 0.8796^2
    QTest::newRow("truncated_normal")
        << R"("truncated_normal")" << std::pow(0.05 * 0.87962566103423978, 2) << 0.1;
  }
  void varianceMatchesKeras() {
    QFETCH(QString, spec);
    QFETCH(double, variance);
    QFETCH(double, bound);
    Tensor t = filled(json::parse(spec.toStdString()), {300, 200});
    double mean, var, maxAbs;
    stats(t, mean, var, maxAbs);
    QVERIFY2(std::fabs(mean) < 0.02 * std::sqrt(variance) * 10,
             qPrintable(QString("mean %1").arg(mean)));
    QVERIFY2(std::fabs(var / variance - 1) < 0.03,
             qPrintable(QString("variance %1, expected %2").arg(var).arg(variance)));
    QVERIFY2(maxAbs <= bound * (1 + 1e-6),
             qPrintable(QString("max %1 > %2").arg(maxAbs).arg(bound)));
  }

  void convolutionFans() {
    double in, out;
    computeFans({3, 3, 16, 32}, in, out);
    QCOMPARE(in, 144.0);
    QCOMPARE(out, 288.0);
    computeFans({7}, in, out);
    QCOMPARE(in, 7.0);
    QCOMPARE(out, 7.0);
    Tensor t = filled("he_uniform", {3, 3, 16, 32});
    double mean, var, maxAbs;
    stats(t, mean, var, maxAbs);
    QVERIFY(std::fabs(var / (2.0 / 144) - 1) < 0.05);
    QVERIFY(maxAbs <= std::sqrt(6.0 / 144));
  }

  void constants() {
    QCOMPARE(filled("zeros", {4}).toVector(), std::vector<float>(4, 0.0f));
    QCOMPARE(filled(json{{"class_name", "Ones"}, {"config", json::object()}}, {3}).toVector(),
             std::vector<float>(3, 1.0f));
    QCOMPARE(filled(json{{"class_name", "Constant"}, {"config", {{"value", 2.5}}}}, {2}).toVector(),
             std::vector<float>(2, 2.5f));
    Tensor id = filled(json{{"class_name", "Identity"}, {"config", {{"gain", 2.0}}}}, {2, 3});
    QCOMPARE(id.toVector(), std::vector<float>({2, 0, 0, 0, 2, 0}));
  }

  void orthogonal() {
    for (Shape s : {Shape{64, 32}, Shape{32, 64}, Shape{4, 4, 8}}) {
      Tensor t = filled(json{{"class_name", "Orthogonal"}, {"config", {{"gain", 2.0}}}}, s);
      const Index cols = s.back(), rows = t.size() / cols;
      Eigen::Map<const MatrixRM> w(t.data(), rows, cols);
      Eigen::MatrixXf g =
          rows >= cols ? Eigen::MatrixXf(w.transpose() * w) : Eigen::MatrixXf(w * w.transpose());
      Eigen::MatrixXf expected = 4.0f * Eigen::MatrixXf::Identity(g.rows(), g.cols());
      QVERIFY2((g - expected).cwiseAbs().maxCoeff() < 1e-4f,
               qPrintable(QString::fromStdString(shapeToString(s))));
    }
    QVERIFY_THROWS_EXCEPTION(Error, filled("orthogonal", {5}));
  }

  void reproducibleAndFormsAgree() {
    const Shape s{20, 10};
    QCOMPARE(filled("glorot_uniform", s, 5).toVector(), filled("glorot_uniform", s, 5).toVector());
    QVERIFY(filled("glorot_uniform", s, 5).toVector() != filled("glorot_uniform", s, 6).toVector());
    json keras = {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}};
    json keras213 = {{"module", "keras.initializers"},
                     {"class_name", "GlorotUniform"},
                     {"config", {{"seed", nullptr}}},
                     {"registered_name", nullptr}};
    json tfjs = {
        {"class_name", "VarianceScaling"},
        {"config",
         {{"scale", 1.0}, {"mode", "fan_avg"}, {"distribution", "uniform"}, {"seed", nullptr}}}};
    const auto ref = filled("glorot_uniform", s, 5).toVector();
    QCOMPARE(filled(keras, s, 5).toVector(), ref);
    QCOMPARE(filled(keras213, s, 5).toVector(), ref);
    QCOMPARE(filled(tfjs, s, 5).toVector(), ref);
    QCOMPARE(filled("glorotUniform", s, 5).toVector(), ref);
    // a config seed wins over the rng
    json seeded = {{"class_name", "RandomNormal"}, {"config", {{"seed", 9}}}};
    QCOMPARE(filled(seeded, s, 1).toVector(), filled(seeded, s, 2).toVector());
  }

  void errors() {
    QVERIFY_THROWS_EXCEPTION(Error, Initializer::fromJson("glorot"));
    QVERIFY_THROWS_EXCEPTION(Error, Initializer::fromJson(42));
    QVERIFY_THROWS_EXCEPTION(
        Error, Initializer::fromJson({{"class_name", "RandomUniform"}, {"config", {{"lo", 1}}}}));
    QVERIFY_THROWS_EXCEPTION(
        Error, Initializer::fromJson(
                   {{"class_name", "VarianceScaling"}, {"config", {{"mode", "fan_sideways"}}}}));
    try {
      Initializer::fromJson("glorot");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("unknown initializer 'glorot'") != std::string::npos);
    }
  }

  void regularizers() {
    const std::vector<float> w = {1, -2, 0.5f};
    Regularizer none = Regularizer::fromJson(nullptr);
    QVERIFY(!none.active);
    QCOMPARE(none.penalty(w.data(), 3), 0.0);
    Regularizer l1l2 =
        Regularizer::fromJson({{"class_name", "L1L2"}, {"config", {{"l1", 0.1}, {"l2", 0.2}}}});
    // 0.1 * 3.5 + 0.2 * 5.25
    QVERIFY(std::fabs(l1l2.penalty(w.data(), 3) - 1.4) < 1e-6);
    std::vector<float> g(3, 1.0f);
    l1l2.addGradient(w.data(), g.data(), 3);
    // 1 + 0.1 sign(w) + 0.4 w
    QVERIFY(std::fabs(g[0] - 1.5f) < 1e-6f && std::fabs(g[1] - 0.1f) < 1e-6f &&
            std::fabs(g[2] - 1.3f) < 1e-6f);
    QCOMPARE(Regularizer::fromJson("l2").l2, 0.01);
    QCOMPARE(Regularizer::fromJson("l2").l1, 0.0);
    QCOMPARE(Regularizer::fromJson({{"class_name", "L1"}, {"config", {{"l1", 0.3}}}}).l1, 0.3);
    QCOMPARE(Regularizer::fromJson({{"class_name", "L1L2"}, {"config", json::object()}}).l1, 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, Regularizer::fromJson("l3"));
    QVERIFY_THROWS_EXCEPTION(
        Error, Regularizer::fromJson({{"class_name", "L2"}, {"config", {{"l1", 0.1}}}}));
    QVERIFY_THROWS_EXCEPTION(
        Error, Regularizer::fromJson({{"class_name", "L2"}, {"config", {{"l2", -1}}}}));
  }
};

QTEST_APPLESS_MAIN(TestInitializers)
#include "tst_engine_initializers.moc"
