// Merge layers (Add, Subtract, Multiply, Average, Concatenate): hand-computed forward,
// finite-difference gradients for every input, config round trip, shape errors naming both
// shapes, and bad configs naming the node.
#include <QtTest>

#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {
const Tensor a({2, 2}, {1, 2, 3, 4});
const Tensor b({2, 2}, {5, 6, 7, 8});
const Tensor c({2, 2}, {-1, 0.5f, 2, 0});
}  // namespace

class TestMerge : public QObject {
  Q_OBJECT
 private slots:
  void forwardByHand() {
    auto add = makeBuilt("Add", json::object(), {{kNone, 2}, {kNone, 2}, {kNone, 2}});
    QVERIFY(near(runForward(*add, {a, b, c}), {5, 8.5f, 12, 12}));
    auto sub = makeBuilt("Subtract", json::object(), {{kNone, 2}, {kNone, 2}});
    QVERIFY(near(runForward(*sub, {a, b}), {-4, -4, -4, -4}));
    auto mul = makeBuilt("Multiply", json::object(), {{kNone, 2}, {kNone, 2}, {kNone, 2}});
    QVERIFY(near(runForward(*mul, {a, b, c}), {-5, 6, 42, 0}));
    auto avg = makeBuilt("Average", json::object(), {{kNone, 2}, {kNone, 2}});
    QVERIFY(near(runForward(*avg, {a, b}), {3, 4, 5, 6}));
    auto cat = makeBuilt("Concatenate", json::object(), {{kNone, 2}, {kNone, 2}});
    Tensor y = runForward(*cat, {a, b});
    QCOMPARE(y.shape(), Shape({2, 4}));
    QVERIFY(near(y, {1, 2, 5, 6, 3, 4, 7, 8}));
    auto cat1 = makeBuilt("Concatenate", {{"axis", 1}}, {{kNone, 2, 1}, {kNone, 1, 1}});
    Tensor y1 = runForward(*cat1, {Tensor({2, 2, 1}, {1, 2, 3, 4}), Tensor({2, 1, 1}, {9, 8})});
    QCOMPARE(y1.shape(), Shape({2, 3, 1}));
    QVERIFY(near(y1, {1, 2, 9, 3, 4, 8}));
  }

  void outputShapes() {
    auto add = makeLayer("Add", json::object());
    QCOMPARE(add->outputShape({{kNone, 3, 4}, {kNone, 3, 4}}), Shape({kNone, 3, 4}));
    QCOMPARE(add->outputShape({{kNone, kNone}, {kNone, 4}}), Shape({kNone, 4}));
    auto cat = makeLayer("Concatenate", {{"axis", 1}});
    QCOMPARE(cat->outputShape({{kNone, 3, 4}, {kNone, 5, 4}}), Shape({kNone, 8, 4}));
    auto catLast = makeLayer("Concatenate", json::object());
    QCOMPARE(catLast->outputShape({{kNone, 3, 4}, {kNone, 3, 1}, {kNone, 3, 2}}),
             Shape({kNone, 3, 7}));
  }

  void gradients_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<QString>("config");
    QTest::addColumn<int>("inputs");
    QTest::newRow("Add") << "Add"
                         << "{}" << 3;
    QTest::newRow("Subtract") << "Subtract"
                              << "{}" << 2;
    QTest::newRow("Multiply2") << "Multiply"
                               << "{}" << 2;
    QTest::newRow("Multiply3") << "Multiply"
                               << "{}" << 3;
    QTest::newRow("Average") << "Average"
                             << "{}" << 3;
    QTest::newRow("Concatenate-1") << "Concatenate"
                                   << "{}" << 2;
    QTest::newRow("Concatenate1") << "Concatenate"
                                  << R"({"axis": 1})" << 3;
  }
  void gradients() {
    QFETCH(QString, cls);
    QFETCH(QString, config);
    QFETCH(int, inputs);
    std::vector<Shape> shapes;
    std::vector<Tensor> xs;
    Rng rng(4);
    for (int i = 0; i < inputs; ++i) {
      Shape s{2, 3, 4};
      if (cls == "Concatenate") s[config.contains("axis") ? 1 : 2] = i + 1;
      xs.push_back(randomTensor(s, rng));
      shapes.push_back(withBatch(s, kNone));
    }
    auto layer = makeBuilt(cls.toStdString(), json::parse(config.toStdString()), shapes);
    QVERIFY(checkLayerGradients(*layer, xs));
  }

  void skipsNullGradients() {
    auto sub = makeBuilt("Subtract", json::object(), {{kNone, 2}, {kNone, 2}});
    Tensor dx1(Shape{2, 2}, 7.0f), y = runForward(*sub, {a, b});
    std::vector<const Tensor*> x{&a, &b};
    RunContext ctx;
    sub->backward(x, y, Tensor({2, 2}, 1.0f), {nullptr, &dx1}, ctx);
    QCOMPARE(dx1.toVector(), std::vector<float>(4, -1.0f));  // overwritten, not accumulated
  }

  void configs() {
    for (const char* cls : {"Add", "Subtract", "Multiply", "Average"})
      QVERIFY(configRoundTrips(cls, json::object()));
    QVERIFY(configRoundTrips("Concatenate", {{"axis", 1}}));
    QCOMPARE(makeLayer("Concatenate", json::object())->config()["axis"], json(-1));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Add", {{"axis", 1}}, "m1");
        },
        SpecErrorKind::UnknownConfigKey, "m1", "axis"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Concatenate", {{"axis", "last"}}, "m2");
        },
        SpecErrorKind::BadValue, "m2", "axis"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Concatenate", {{"axis", 0}}, "m3");
        },
        SpecErrorKind::BadValue, "m3", "batch"));
    const LayerInfo* info = LayerRegistry::instance().find("Subtract");
    QVERIFY(info);
    QCOMPARE(info->group, std::string("Merging"));
    QCOMPARE(info->minInputs, 2);
    QCOMPARE(info->maxInputs, 2);
    QCOMPARE(LayerRegistry::instance().find("Add")->maxInputs, -1);
  }

  void shapeErrors() {
    auto add = makeLayer("Add", json::object(), "add1");
    QVERIFY(throwsSpec(
        [&] {
          add->outputShape({{kNone, 3}, {kNone, 4}});
        },
        SpecErrorKind::ShapeMismatch, "add1", "(None, 3) and (None, 4)"));
    QVERIFY(throwsSpec(
        [&] {
          add->outputShape({{kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "add1", "at least 2"));
    auto sub = makeLayer("Subtract", json::object(), "sub1");
    QVERIFY(throwsSpec(
        [&] {
          sub->outputShape({{kNone, 3}, {kNone, 3}, {kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "sub1", "2 input"));
    auto cat = makeLayer("Concatenate", json::object(), "cat1");
    QVERIFY(throwsSpec(
        [&] {
          cat->outputShape({{kNone, 3, 4}, {kNone, 5, 4}});
        },
        SpecErrorKind::ShapeMismatch, "cat1", "(None, 3, 4) and (None, 5, 4)"));
    auto cat5 = makeLayer("Concatenate", {{"axis", 5}}, "cat5");
    QVERIFY(throwsSpec(
        [&] {
          cat5->outputShape({{kNone, 3}, {kNone, 3}});
        },
        SpecErrorKind::ShapeMismatch, "cat5", "(None, 3)"));
  }
};

QTEST_APPLESS_MAIN(TestMerge)
#include "tst_engine_merge.moc"
