// Keras losses against the TF.js fixtures (losses.json): per-sample values and the batch mean
// (Keras's sum_over_batch_size), plus a finite-difference check of the gradient on the same data.
// A loss name the engine does not know yet is skipped (QSKIP naming it); a known loss that
// disagrees fails.
#include <QtTest>

#include <cmath>

#include "GoldenFixture.h"
#include "engine/losses/Loss.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-6;

// The makeLoss() spec of a case: the name, or {"class_name", "config"} when it has a config.
json lossSpec(const json& c) {
  const std::string name = c.at("loss").get<std::string>();
  if (!c.contains("config")) return name;
  static const std::map<std::string, std::string> classNames = {{"huber", "Huber"}};
  return json{{"class_name", classNames.at(name)}, {"config", c.at("config")}};
}

}  // namespace

class TestGoldenLosses : public QObject {
  Q_OBJECT

 private:
  // Resolves the case's loss or skips the row when the engine does not know the name.
  std::unique_ptr<Loss> lossOrSkip(const json& c, QString& skipReason) {
    try {
      return makeLoss(lossSpec(c));
    } catch (const std::exception& e) {
      skipReason = QString("loss %1 not available: %2")
                       .arg(QString::fromStdString(lossSpec(c).dump()), brief(e.what()).c_str());
      return nullptr;
    }
  }

 private slots:
  void values_data() { addCaseRows({"losses.json"}); }
  void values() {
    const json& c = currentCase();
    QString skip;
    auto loss = lossOrSkip(c, skip);
    if (!loss) QSKIP(qPrintable(skip));
    const Tensor yTrue = tensorOf(c.at("y_true"));
    const Tensor yPred = tensorOf(c.at("y_pred"));
    const Index n = yPred.dim(0);
    std::vector<float> per(static_cast<size_t>(n), NAN);
    loss->perSample(yTrue, yPred, per.data());
    const std::vector<float> want = valuesOf(c.at("per_sample"));
    QCOMPARE(per.size(), want.size());
    const std::string d = compareValues(per.data(), want, kRtol, kAtol);
    QVERIFY2(d.empty(), qPrintable(QString("per-sample: %1").arg(d.c_str())));
    double mean = 0;
    for (float v : per) mean += v;
    mean /= double(n);
    const double value = c.at("value").get<double>();
    QVERIFY2(std::fabs(mean - value) <= kAtol + kRtol * std::fabs(value),
             qPrintable(QString("mean %1, want %2").arg(mean, 0, 'g', 9).arg(value, 0, 'g', 9)));
  }

  // gradient() against central differences of perSample() summed over the batch, with
  // scale[i] = 1/N (Keras's sum_over_batch_size). Points where the loss has a kink or is clipped
  // are avoided by the data (random values), except the "clipped" case, which is left out.
  void gradient_data() { values_data(); }
  void gradient() {
    const json& c = currentCase();
    const std::string name = c.at("case").get<std::string>();
    if (name.find("clipped") != std::string::npos)
      QSKIP("predictions on the clip boundary: the gradient there is a convention");
    QString skip;
    auto loss = lossOrSkip(c, skip);
    if (!loss) QSKIP(qPrintable(skip));
    const Tensor yTrue = tensorOf(c.at("y_true"));
    Tensor yPred = tensorOf(c.at("y_pred"));
    const Index n = yPred.dim(0);
    std::vector<float> scale(static_cast<size_t>(n), 1.0f / float(n));
    Tensor grad;
    loss->gradient(yTrue, yPred, scale.data(), grad);
    QCOMPARE(grad.shape(), yPred.shape());
    auto total = [&](const Tensor& p) {
      std::vector<float> per(static_cast<size_t>(n));
      loss->perSample(yTrue, p, per.data());
      double s = 0;
      for (float v : per) s += v;
      return s / double(n);
    };
    for (Index i = 0; i < yPred.size(); ++i) {
      const float x = yPred[i];
      const float h = 1e-3f * std::max(1.0f, std::fabs(x));
      yPred[i] = x + h;
      const double up = total(yPred);
      yPred[i] = x - h;
      const double down = total(yPred);
      yPred[i] = x;
      const double fd = (up - down) / (2.0 * double(h));
      QVERIFY2(std::fabs(fd - grad[i]) <= 2e-3 + 2e-2 * std::fabs(fd),
               qPrintable(QString("d/dpred[%1]: analytic %2, finite difference %3")
                              .arg(i)
                              .arg(grad[i], 0, 'g', 7)
                              .arg(fd, 0, 'g', 7)));
    }
  }
};

QTEST_APPLESS_MAIN(TestGoldenLosses)
#include "tst_engine_golden_losses.moc"
