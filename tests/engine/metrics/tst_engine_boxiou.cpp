// box_iou: the BoxIoU metric resolved by name through makeMetric, hand-computed values, sample
// weights, running mean over batches and the Keras MeanIoU hint.
#include <QtTest>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"

using namespace tessel;

class TestBoxIou : public QObject {
  Q_OBJECT

 private slots:
  void handValues() {
    auto m = makeMetric("box_iou", nullptr, Shape{kNone, 4});
    QCOMPARE(QString::fromStdString(m->name()), QString("box_iou"));
    // Sample 0: identical boxes -> 1. Sample 1: [0,0,.5,.5] vs [.25,.25,.75,.75]: overlap
    // .0625, union .4375 -> 1/7. Sample 2: disjoint -> 0. Mean = (1 + 1/7 + 0) / 3 = 8/21.
    Tensor yTrue({3, 4}, {0.1f, 0.1f, 0.6f, 0.7f, 0, 0, 0.5f, 0.5f, 0, 0, 0.2f, 0.2f});
    Tensor yPred({3, 4}, {0.1f, 0.1f, 0.6f, 0.7f, 0.25f, 0.25f, 0.75f, 0.75f, 0.5f, 0.5f, 1, 1});
    m->update(yTrue, yPred, nullptr);
    QVERIFY(std::abs(m->result() - 8.0 / 21.0) < 1e-6);
    // Sample weights (2, 1, 1): (2 + 1/7) / 4.
    m->reset();
    const float w[3] = {2, 1, 1};
    m->update(yTrue, yPred, w);
    QVERIFY(std::abs(m->result() - (2.0 + 1.0 / 7.0) / 4.0) < 1e-6);
    // Running mean over two batches: first batch above, second one sample with IoU 1/4
    // ([0,0,1,1] vs [0,0,.5,.5]): (1 + 1/7 + 0 + 1/4) / 4.
    m->reset();
    m->update(yTrue, yPred, nullptr);
    m->update(Tensor({1, 4}, {0, 0, 1, 1}), Tensor({1, 4}, {0, 0, 0.5f, 0.5f}), nullptr);
    QVERIFY(std::abs(m->result() - (1.0 + 1.0 / 7.0 + 0.25) / 4.0) < 1e-6);
    m->reset();
    QCOMPARE(m->result(), 0.0);
  }

  void classNameAndConfigName() {
    auto m = makeMetric(nlohmann::json{{"class_name", "BoxIoU"}, {"config", {{"name", "iou"}}}},
                        nullptr, Shape{kNone, 4});
    QCOMPARE(QString::fromStdString(m->name()), QString("iou"));
    auto d = makeMetric("BoxIoU", nullptr, Shape{kNone, 4});
    QCOMPARE(QString::fromStdString(d->name()), QString("box_iou"));
  }

  void errors() {
    auto message = [](const std::function<void()>& f) -> QString {
      try {
        f();
      } catch (const Error& e) {
        return e.what();
      }
      return {};
    };
    // Keras's MeanIoU is a segmentation metric: a clear hint instead of a silent mismatch.
    QVERIFY(message([] { makeMetric("MeanIoU", nullptr, Shape{kNone, 4}); }).contains("box_iou"));
    QVERIFY(message([] {
              makeMetric("mean_iou", nullptr, Shape{kNone, 4});
            }).contains("segmentation"));
    auto m = makeMetric("box_iou", nullptr, Shape{kNone, 3});
    QVERIFY(message([&] {
              m->update(Tensor({1, 3}), Tensor({1, 3}), nullptr);
            }).contains("size 4"));
    auto k = makeMetric("box_iou", nullptr, Shape{kNone, 4});
    QVERIFY(message([&] {
              k->update(Tensor({2, 4}), Tensor({1, 4}), nullptr);
            }).contains("do not fit"));
  }
};

QTEST_APPLESS_MAIN(TestBoxIou)
#include "tst_engine_boxiou.moc"
