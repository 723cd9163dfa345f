// Maximum and Minimum (keras.layers.Maximum / Minimum): hand-computed forward over two and three
// inputs, the gradient going to the first input that holds the extreme (ties included, as TF's
// chained tf.maximum / tf.minimum), finite-difference gradients, config round trip, and shape
// errors naming both shapes.
#include <QtTest>

#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {
const Tensor a({2, 2}, {1, 5, -3, 0});
const Tensor b({2, 2}, {2, 5, -4, 1});
const Tensor c({2, 2}, {0, 6, -4, 1});
}  // namespace

class TestMinimumMaximum : public QObject {
  Q_OBJECT
 private slots:
  void forwardByHand() {
    auto mx = makeBuilt("Maximum", json::object(), {{kNone, 2}, {kNone, 2}, {kNone, 2}});
    QVERIFY(near(runForward(*mx, {a, b, c}), {2, 6, -3, 1}));
    auto mn = makeBuilt("Minimum", json::object(), {{kNone, 2}, {kNone, 2}});
    QVERIFY(near(runForward(*mn, {a, b}), {1, 5, -4, 0}));
  }

  // dy goes to the first input holding the max / min; the others get 0 (overwritten, not
  // accumulated), and a null dx is skipped.
  void tiesGoToTheFirstInput() {
    const Tensor dy({2, 2}, {10, 20, 30, 40});
    RunContext ctx;
    std::vector<const Tensor*> x{&a, &b, &c};
    auto mx = makeBuilt("Maximum", json::object(), {{kNone, 2}, {kNone, 2}, {kNone, 2}});
    Tensor y = runForward(*mx, {a, b, c});
    Tensor d0(Shape{2, 2}, 7.0f), d1(Shape{2, 2}, 7.0f), d2(Shape{2, 2}, 7.0f);
    mx->backward(x, y, dy, {&d0, &d1, &d2}, ctx);
    QCOMPARE(d0.toVector(), std::vector<float>({0, 0, 30, 0}));
    QCOMPARE(d1.toVector(), std::vector<float>({10, 0, 0, 40}));  // b == c == 1: b first
    QCOMPARE(d2.toVector(), std::vector<float>({0, 20, 0, 0}));

    auto mn = makeBuilt("Minimum", json::object(), {{kNone, 2}, {kNone, 2}, {kNone, 2}});
    y = runForward(*mn, {a, b, c});
    QVERIFY(near(y, {0, 5, -4, 0}));
    d0.fill(7.0f);
    d2.fill(7.0f);
    mn->backward(x, y, dy, {&d0, nullptr, &d2}, ctx);
    QCOMPARE(d0.toVector(), std::vector<float>({0, 20, 0, 40}));  // a == b == 5: a first
    QCOMPARE(d2.toVector(), std::vector<float>({10, 0, 0, 0}));   // b == c == -4: b (no dx)
  }

  void gradients_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<int>("inputs");
    QTest::newRow("Maximum2") << "Maximum" << 2;
    QTest::newRow("Maximum3") << "Maximum" << 3;
    QTest::newRow("Minimum2") << "Minimum" << 2;
    QTest::newRow("Minimum4") << "Minimum" << 4;
  }
  void gradients() {
    QFETCH(QString, cls);
    QFETCH(int, inputs);
    std::vector<Shape> shapes;
    std::vector<Tensor> xs;
    Rng rng(9);
    for (int i = 0; i < inputs; ++i) {
      xs.push_back(randomTensor({2, 3, 4}, rng));
      shapes.push_back({kNone, 3, 4});
    }
    auto layer = makeBuilt(cls.toStdString(), json::object(), shapes);
    GradCheckOptions o;
    o.eps = 1e-4;  // random inputs differ by more than this, so no step crosses a tie
    QVERIFY(checkLayerGradients(*layer, xs, o));
  }

  void configs() {
    for (const char* cls : {"Maximum", "Minimum"}) {
      QVERIFY(configRoundTrips(cls, json::object()));
      const LayerInfo* info = LayerRegistry::instance().find(cls);
      QVERIFY(info);
      QCOMPARE(info->group, std::string("Merging"));
      QCOMPARE(info->minInputs, 2);
      QCOMPARE(info->maxInputs, -1);
    }
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Maximum", {{"axis", 1}}, "m1");
        },
        SpecErrorKind::UnknownConfigKey, "m1", "axis"));
  }

  void shapeErrors() {
    auto mx = makeLayer("Maximum", json::object(), "max1");
    QCOMPARE(mx->outputShape({{kNone, 3, 4}, {kNone, 3, 4}}), Shape({kNone, 3, 4}));
    QVERIFY(throwsSpec(
        [&] {
          mx->outputShape({{kNone, 3}, {kNone, 4}});
        },
        SpecErrorKind::ShapeMismatch, "max1", "(None, 3) and (None, 4)"));
    auto mn = makeLayer("Minimum", json::object(), "min1");
    QVERIFY(throwsSpec(
        [&] {
          mn->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "min1", "at least 2"));
  }
};

QTEST_APPLESS_MAIN(TestMinimumMaximum)
#include "tst_engine_minimummaximum.moc"
