// Metrics: hand-computed values, running weighted means across batches, reset, Keras 2's
// accuracy resolution, names as the user wrote them, and the factory.
#include <QtTest>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/BinaryAccuracy.h"
#include "engine/metrics/CategoricalAccuracy.h"
#include "engine/metrics/LossMetric.h"
#include "engine/metrics/Metric.h"
#include "engine/metrics/RootMeanSquaredError.h"
#include "engine/metrics/SparseCategoricalAccuracy.h"
#include "engine/metrics/SparseTopKCategoricalAccuracy.h"
#include "engine/metrics/TopKCategoricalAccuracy.h"

using namespace tessel;
using json = nlohmann::json;

namespace {

bool near(double a, double b, double tol = 1e-6) {
  return std::fabs(a - b) <= tol * (1 + std::fabs(b));
}

std::unique_ptr<Metric> metric(const json& spec, const char* loss = nullptr,
                               const Shape& shape = {kNone, 3}) {
  std::unique_ptr<Loss> l = loss ? makeLoss(loss) : nullptr;
  return makeMetric(spec, l.get(), shape);
}

template <class T>
bool is(const Metric& m) {
  return dynamic_cast<const T*>(&m) != nullptr;
}

}  // namespace

class TestMetrics : public QObject {
  Q_OBJECT
 private slots:
  void accuracyResolution() {
    // Binary: last dim 1, or binary crossentropy whatever the shape.
    QVERIFY(is<BinaryAccuracy>(*metric("accuracy", "binary_crossentropy", {kNone, 3})));
    QVERIFY(is<BinaryAccuracy>(*metric("accuracy", "categorical_crossentropy", {kNone, 1})));
    QVERIFY(is<BinaryAccuracy>(*metric("acc", "mse", {kNone, 1})));
    QVERIFY(is<BinaryAccuracy>(*metric("accuracy", nullptr, {kNone, 1})));
    // Sparse categorical for the sparse loss.
    QVERIFY(is<SparseCategoricalAccuracy>(
        *metric("accuracy", "sparse_categorical_crossentropy", {kNone, 10})));
    QVERIFY(is<SparseCategoricalAccuracy>(
        *metric("acc", "sparse_categorical_crossentropy", {kNone, 5, 10})));
    // Else categorical.
    QVERIFY(is<CategoricalAccuracy>(*metric("accuracy", "categorical_crossentropy", {kNone, 10})));
    QVERIFY(is<CategoricalAccuracy>(*metric("accuracy", "mse", {kNone, 4})));
    QVERIFY(is<CategoricalAccuracy>(*metric("accuracy", nullptr, {kNone, 4})));
    // The name stays as written.
    QCOMPARE(metric("acc", "binary_crossentropy")->name(), std::string("acc"));
    QCOMPARE(metric("accuracy", "sparse_categorical_crossentropy", {kNone, 10})->name(),
             std::string("accuracy"));
    // "crossentropy" follows the same rule.
    auto ce = metric("crossentropy", "sparse_categorical_crossentropy", {kNone, 3});
    auto* lm = dynamic_cast<LossMetric*>(ce.get());
    QVERIFY(lm);
    QCOMPARE(lm->loss().className(), std::string("SparseCategoricalCrossentropy"));
    QCOMPARE(ce->name(), std::string("crossentropy"));
  }

  void binaryAccuracy() {
    auto m = metric("binary_accuracy");
    // p > 0.5 -> 1: [1, 0, 0] vs [1, 1, 0] -> 2/3 (0.5 itself is not above the threshold).
    m->update(Tensor({3, 1}, {1, 1, 0}), Tensor({3, 1}, {0.6f, 0.4f, 0.5f}), nullptr);
    QVERIFY(near(m->result(), 2.0 / 3));
    // Mean over the last axis per sample, then weighted: sample values 0.5 and 1 with weights
    // 3 and 1 -> running (2 + 1.5 + 1) / (3 + 4).
    const float w[] = {3, 1};
    m->update(Tensor({2, 2}, {1, 0, 1, 1}), Tensor({2, 2}, {0.9f, 0.9f, 0.7f, 0.8f}), w);
    QVERIFY(near(m->result(), (2.0 + 1.5 + 1.0) / 7.0));
    m->reset();
    QCOMPARE(m->result(), 0.0);
    auto t = metric({{"class_name", "BinaryAccuracy"}, {"config", {{"threshold", 0.7}}}});
    QCOMPARE(t->name(), std::string("binary_accuracy"));
    t->update(Tensor({2, 1}, {1, 1}), Tensor({2, 1}, {0.6f, 0.8f}), nullptr);
    QVERIFY(near(t->result(), 0.5));
  }

  void categoricalAccuracies() {
    auto m = metric("categorical_accuracy");
    // Ties resolve to the first index, as tf.argmax: row 2 predicts class 0.
    m->update(Tensor({3, 3}, {0, 1, 0, 1, 0, 0, 0, 0, 1}),
              Tensor({3, 3}, {0.1f, 0.8f, 0.1f, 0.4f, 0.4f, 0.2f, 0.5f, 0.3f, 0.2f}), nullptr);
    QVERIFY(near(m->result(), 2.0 / 3));
    auto s = metric("sparse_categorical_accuracy");
    s->update(Tensor({3, 1}, {1, 0, 2}),
              Tensor({3, 3}, {0.1f, 0.8f, 0.1f, 0.4f, 0.4f, 0.2f, 0.5f, 0.3f, 0.2f}), nullptr);
    QVERIFY(near(s->result(), 2.0 / 3));
    // (N, T, C) with (N, T) labels: per-sample mean over T.
    auto s3 = metric("sparse_categorical_accuracy");
    s3->update(Tensor({1, 2}, {0, 0}), Tensor({1, 2, 2}, {0.9f, 0.1f, 0.2f, 0.8f}), nullptr);
    QVERIFY(near(s3->result(), 0.5));
    QVERIFY_THROWS_EXCEPTION(Error, s->update(Tensor({2}, {0, 1}), Tensor({3, 3}, 0.0f), nullptr));
  }

  void topK() {
    // C = 4, k = 2. Row 0: target 3 has the 2nd largest -> hit. Row 1: target 0 is the smallest
    // -> miss. Row 2: target 1 ties with the 2nd largest -> counted inside (in_top_k rule).
    Tensor p({3, 4}, {0.1f, 0.2f, 0.4f, 0.3f, 0.05f, 0.5f, 0.25f, 0.2f, 0.1f, 0.3f, 0.3f, 0.3f});
    Tensor t({3, 4}, {0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0});
    auto m = metric({{"class_name", "TopKCategoricalAccuracy"}, {"config", {{"k", 2}}}});
    m->update(t, p, nullptr);
    QVERIFY(near(m->result(), 2.0 / 3));
    auto s = metric({{"class_name", "SparseTopKCategoricalAccuracy"}, {"config", {{"k", 2}}}});
    s->update(Tensor({3}, {3, 0, 1}), p, nullptr);
    QVERIFY(near(s->result(), 2.0 / 3));
    // Default k = 5 with 4 classes: always a hit.
    auto d = metric("top_k_categorical_accuracy");
    QCOMPARE(dynamic_cast<TopKCategoricalAccuracy*>(d.get())->k(), 5);
    d->update(t, p, nullptr);
    QCOMPARE(d->result(), 1.0);
    auto sd = metric("sparse_top_k_categorical_accuracy");
    QCOMPARE(dynamic_cast<SparseTopKCategoricalAccuracy*>(sd.get())->k(), 5);
  }

  void regressionMetrics() {
    Tensor t({2, 2}, {1, 2, 3, 4}), p({2, 2}, {1.5f, 2, 2, 5});
    auto mse = metric("mse");
    QCOMPARE(mse->name(), std::string("mse"));
    mse->update(t, p, nullptr);
    QVERIFY(near(mse->result(), (0.125 + 1.0) / 2));
    auto mae = metric("mae");
    QCOMPARE(mae->name(), std::string("mae"));
    const float w[] = {1, 3};
    mae->update(t, p, w);
    QVERIFY(near(mae->result(), (0.25 + 3.0) / 4));
    auto mape = metric("mean_absolute_percentage_error");
    mape->update(Tensor({1, 2}, {2, -4}), Tensor({1, 2}, {1, -5}), nullptr);
    QVERIFY(near(mape->result(), 37.5));
    QCOMPARE(metric("mape")->name(), std::string("mape"));
  }

  void rootMeanSquaredErrorIsRootOfRunningMean() {
    auto m = metric("rmse");
    QVERIFY(is<RootMeanSquaredError>(*m));
    QCOMPARE(m->name(), std::string("rmse"));
    m->update(Tensor({2, 1}, {0, 0}), Tensor({2, 1}, {1, -1}), nullptr);  // errors^2 1, 1
    QVERIFY(near(m->result(), 1.0));
    m->update(Tensor({1, 1}, {0}), Tensor({1, 1}, {3}), nullptr);  // error^2 9
    // sqrt((1 + 1 + 9) / 3), not the mean of the batch roots (1 + 3) / 2.
    QVERIFY(near(m->result(), std::sqrt(11.0 / 3)));
    // Weighted: weights 2 on an error^2 of 4 and 1 on 1 -> sqrt(9 / 3).
    m->reset();
    const float w[] = {2, 1};
    m->update(Tensor({2, 1}, {0, 0}), Tensor({2, 1}, {2, 1}), w);
    QVERIFY(near(m->result(), std::sqrt(3.0)));
    QCOMPARE(metric({{"class_name", "RootMeanSquaredError"}, {"config", json::object()}})->name(),
             std::string("root_mean_squared_error"));
  }

  void meanMetric() {
    MeanMetric m("loss");
    QCOMPARE(m.result(), 0.0);
    m.add(2.0);
    m.add(4.0, 3.0);
    QVERIFY(near(m.result(), (2.0 + 12.0) / 4));
    m.reset();
    m.add(5.0);
    QCOMPARE(m.result(), 5.0);
  }

  void factory() {
    QCOMPARE(metric({{"class_name", "MeanAbsoluteError"}, {"config", json::object()}})->name(),
             std::string("mean_absolute_error"));
    QCOMPARE(metric({{"class_name", "MeanSquaredError"}, {"config", {{"name", "m"}}}})->name(),
             std::string("m"));
    QCOMPARE(metric("MeanSquaredError")->name(), std::string("mean_squared_error"));
    // Keras's training_config form.
    auto w = metric(
        {{"class_name", "MeanMetricWrapper"},
         {"config",
          {{"name", "accuracy"}, {"dtype", "float32"}, {"fn", "sparse_categorical_accuracy"}}}});
    QVERIFY(is<SparseCategoricalAccuracy>(*w));
    QCOMPARE(w->name(), std::string("accuracy"));
    auto bce = metric({{"class_name", "BinaryCrossentropy"}, {"config", {{"from_logits", true}}}});
    bce->update(Tensor({1, 1}, {1}), Tensor({1, 1}, {0}), nullptr);
    QVERIFY(near(bce->result(), std::log(2.0)));
    try {
      metric("accuracyy");
      QFAIL("unknown metric accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("'accuracyy'") && QString(e.what()).contains("mae"));
    }
    QVERIFY_THROWS_EXCEPTION(Error,
                             metric({{"class_name", "BinaryAccuracy"}, {"config", {{"k", 3}}}}));
    QVERIFY_THROWS_EXCEPTION(
        Error, metric({{"class_name", "TopKCategoricalAccuracy"}, {"config", {{"k", 0}}}}));
  }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_engine_metrics.moc"
