// Keras metrics against the TF.js fixtures (metrics.json): the value over the whole batch, the
// same value accumulated over two updates (running state), and Keras's "accuracy" resolution.
// A metric the engine does not know yet is skipped (QSKIP naming it); a known one that disagrees
// fails.
#include <QtTest>

#include <cmath>

#include "GoldenFixture.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"

using namespace tessel;
using namespace tessel::golden;

namespace {

constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-6;

json metricSpec(const json& c) {
  const std::string name = c.at("metric").get<std::string>();
  if (!c.contains("config")) return name;
  static const std::map<std::string, std::string> classNames = {
      {"binary_accuracy", "BinaryAccuracy"},
      {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
      {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"}};
  return json{{"class_name", classNames.at(name)}, {"config", c.at("config")}};
}

// Rows [begin, begin + n) of t.
Tensor rows(const Tensor& t, Index begin, Index n) {
  Shape s = t.shape();
  const Index row = t.size() / s[0];
  s[0] = n;
  Tensor out(s);
  std::copy(t.data() + begin * row, t.data() + (begin + n) * row, out.data());
  return out;
}

bool close(double got, double want) {
  return std::fabs(got - want) <= kAtol + kRtol * std::fabs(want);
}

}  // namespace

class TestGoldenMetrics : public QObject {
  Q_OBJECT

 private slots:
  void values_data() { addCaseRows({"metrics.json"}); }
  void values() {
    const json& c = currentCase();
    const Tensor yTrue = tensorOf(c.at("y_true"));
    const Tensor yPred = tensorOf(c.at("y_pred"));
    std::unique_ptr<Metric> metric;
    try {
      metric = makeMetric(metricSpec(c), nullptr, unbatched(yPred.shape()));
    } catch (const std::exception& e) {
      QSKIP(qPrintable(
          QString("metric %1 not available: %2")
              .arg(QString::fromStdString(metricSpec(c).dump()), brief(e.what()).c_str())));
    }
    const double want = c.at("value").get<double>();

    metric->reset();
    metric->update(yTrue, yPred, nullptr);
    const double all = metric->result();
    QVERIFY2(
        close(all, want),
        qPrintable(QString("one update: %1, want %2").arg(all, 0, 'g', 9).arg(want, 0, 'g', 9)));

    // Two updates (4 + rest samples) must give the same running value.
    const Index n = yPred.dim(0), first = 4;
    metric->reset();
    metric->update(rows(yTrue, 0, first), rows(yPred, 0, first), nullptr);
    metric->update(rows(yTrue, first, n - first), rows(yPred, first, n - first), nullptr);
    const double split = metric->result();
    QVERIFY2(
        close(split, want),
        qPrintable(QString("two updates: %1, want %2").arg(split, 0, 'g', 9).arg(want, 0, 'g', 9)));

    // Sample weights: weighting each sample by 1 + i gives the weighted mean of per_sample.
    const std::vector<float> per = valuesOf(c.at("per_sample"));
    std::vector<float> w(static_cast<size_t>(n));
    double num = 0, den = 0;
    for (Index i = 0; i < n; ++i) {
      w[size_t(i)] = 1.0f + float(i);
      num += w[size_t(i)] * per[size_t(i)];
      den += w[size_t(i)];
    }
    metric->reset();
    metric->update(yTrue, yPred, w.data());
    QVERIFY2(close(metric->result(), num / den), qPrintable(QString("weighted: %1, want %2")
                                                                .arg(metric->result(), 0, 'g', 9)
                                                                .arg(num / den, 0, 'g', 9)));
  }

  // "accuracy" follows the loss (Keras 2): sparse CE -> sparse categorical accuracy, categorical
  // CE -> categorical accuracy, binary CE -> binary accuracy.
  void accuracyResolution_data() {
    QTest::addColumn<QString>("loss");
    QTest::addColumn<QString>("caseName");
    QTest::newRow("sparse") << "sparse_categorical_crossentropy"
                            << "sparse_categorical_accuracy";
    QTest::newRow("categorical") << "categorical_crossentropy"
                                 << "categorical_accuracy";
    QTest::newRow("binary") << "binary_crossentropy"
                            << "binary_accuracy";
  }
  void accuracyResolution() {
    QFETCH(QString, loss);
    QFETCH(QString, caseName);
    const json* found = nullptr;
    for (const json& c : fixture("metrics.json").at("cases"))
      if (c.at("case").get<std::string>() == caseName.toStdString()) found = &c;
    QVERIFY(found);
    const Tensor yTrue = tensorOf(found->at("y_true"));
    const Tensor yPred = tensorOf(found->at("y_pred"));
    std::unique_ptr<Loss> l;
    std::unique_ptr<Metric> m;
    try {
      l = makeLoss(loss.toStdString());
      m = makeMetric("accuracy", l.get(), unbatched(yPred.shape()));
    } catch (const std::exception& e) {
      QSKIP(qPrintable(QString("not available: %1").arg(brief(e.what()).c_str())));
    }
    QCOMPARE(QString::fromStdString(m->name()), QString("accuracy"));
    m->reset();
    m->update(yTrue, yPred, nullptr);
    const double want = found->at("value").get<double>();
    QVERIFY2(close(m->result(), want),
             qPrintable(QString("%1, want %2").arg(m->result(), 0, 'g', 9).arg(want, 0, 'g', 9)));
  }
};

QTEST_APPLESS_MAIN(TestGoldenMetrics)
#include "tst_engine_golden_metrics.moc"
