// The generated Fashion-MNIST localization set: boxes match the pasted item, deterministic from the
// seed, clutter stays dim, bad options are refused; on real Fashion-MNIST when installed.
#include <QtTest>

#include <functional>

#include "engine/core/Error.h"
#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

// Source image k: a bright rectangle rows [5, 21), columns [8, 20) (value 200 + k), else 0.
Array rectangles(Index m) {
  std::vector<double> v(static_cast<size_t>(m * 784), 0.0);
  for (Index k = 0; k < m; ++k)
    for (int y = 5; y < 21; ++y)
      for (int x = 8; x < 20; ++x) v[static_cast<size_t>(k * 784 + y * 28 + x)] = 200.0 + double(k);
  return Array::fromValues(DType::UInt8, {m, 28, 28}, v);
}

}  // namespace

class TestFashionLocalization : public QObject {
  Q_OBJECT

 private slots:
  void boxesMatchThePastedItem() {
    const Array src = rectangles(3);
    const Array labels = Array::fromValues(DType::UInt8, {3}, {7, 2, 9});
    LocalizationOptions o;
    o.count = 20;
    o.minScale = o.maxScale = 1.0f;  // no resampling: the rectangle is 16 x 12 pixels
    o.noise = 0;
    o.clutterPieces = 0;
    const LocalizationSet s = generateFashionLocalization(src, labels, o);
    QCOMPARE(s.x.shape(), (Shape{20, 64, 64, 1}));
    QCOMPARE(s.yBox.shape(), (Shape{20, 4}));
    const auto* px = s.x.dataAs<std::uint8_t>();
    const auto* box = s.yBox.dataAs<float>();
    for (Index i = 0; i < 20; ++i) {
      QCOMPARE(s.yClass.raw(i), double(std::vector<int>{7, 2, 9}[i % 3]));
      // The box is exactly the rectangle: 16/64 high, 12/64 wide...
      QCOMPARE(box[4 * i + 2] - box[4 * i + 0], 16.0f / 64.0f);
      QCOMPARE(box[4 * i + 3] - box[4 * i + 1], 12.0f / 64.0f);
      // ...and holds every bright pixel of the canvas, and only those.
      const int y0 = int(box[4 * i] * 64), x0 = int(box[4 * i + 1] * 64);
      const int y1 = int(box[4 * i + 2] * 64), x1 = int(box[4 * i + 3] * 64);
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
          const bool inside = y >= y0 && y < y1 && x >= x0 && x < x1;
          QCOMPARE(int(px[i * 4096 + y * 64 + x]), inside ? 200 + int(i % 3) : 0);
        }
    }
    QCOMPARE(s.x.scale, 1.0f / 255.0f);
  }

  void scaledWithClutter() {
    const Array src = rectangles(4);
    const Array labels = Array::fromValues(DType::UInt8, {4}, {0, 1, 2, 3});
    LocalizationOptions o;
    o.count = 50;
    o.seed = 5;
    const LocalizationSet a = generateFashionLocalization(src, labels, o);
    const LocalizationSet b = generateFashionLocalization(src, labels, o);
    QCOMPARE(a.x.toTensor().toVector(), b.x.toTensor().toVector());
    QCOMPARE(a.yBox.toTensor().toVector(), b.yBox.toTensor().toVector());
    o.seed = 6;
    const LocalizationSet c = generateFashionLocalization(src, labels, o);
    QVERIFY(a.yBox.toTensor().toVector() != c.yBox.toTensor().toVector());
    const auto* box = a.yBox.dataAs<float>();
    const auto* px = a.x.dataAs<std::uint8_t>();
    for (Index i = 0; i < 50; ++i) {
      const float h = box[4 * i + 2] - box[4 * i], w = box[4 * i + 3] - box[4 * i + 1];
      QVERIFY(box[4 * i] >= 0 && box[4 * i + 2] <= 1 && box[4 * i + 1] >= 0 && box[4 * i + 3] <= 1);
      // 16 x 12 scaled by [minScale, maxScale] (+- a pixel of filter spread and rounding).
      QVERIFY2(h * 64 >= 16 * o.minScale - 2 && h * 64 <= 16 * o.maxScale + 2,
               qPrintable(QString::number(h * 64)));
      QVERIFY(w * 64 >= 12 * o.minScale - 2 && w * 64 <= 12 * o.maxScale + 2);
      // Outside the box, clutter and noise stay dim: at most 0.35 * 203 (+1 rounding).
      const int y0 = int(box[4 * i] * 64), x0 = int(box[4 * i + 1] * 64);
      const int y1 = int(box[4 * i + 2] * 64), x1 = int(box[4 * i + 3] * 64);
      int bright = 0;
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
          const int v = px[i * 4096 + y * 64 + x];
          if (y >= y0 && y < y1 && x >= x0 && x < x1)
            bright += v >= 150;
          else
            QVERIFY(v <= 72);
        }
      QVERIFY(bright > 0);
    }
  }

  void badInput() {
    const Array src = rectangles(1);
    const Array labels = Array::fromValues(DType::UInt8, {1}, {0});
    LocalizationOptions o;
    o.maxScale = 3.0f;  // 84 pixels do not fit on 64
    QVERIFY(
        errorOf([&] { generateFashionLocalization(src, labels, o); }).contains("invalid options"));
    QVERIFY(errorOf([&] {
              generateFashionLocalization(Array(DType::Float32, {1, 28, 28}), labels, {});
            }).contains("uint8"));
    QVERIFY(errorOf([&] {
              generateFashionLocalization(src, Array(DType::UInt8, {2}), {});
            }).contains("2 labels for 1 images"));
  }

  void realFashionMnist() {
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    const FashionMnist f = loadFashionMnist(kFashionMnistDir, 100, 0);
    LocalizationOptions o;
    o.count = 200;  // every source twice
    const LocalizationSet s = generateFashionLocalization(f.xTrain, f.yTrain, o);
    QCOMPARE(s.size(), Index(200));
    const auto* box = s.yBox.dataAs<float>();
    for (Index i = 0; i < 200; ++i) {
      QCOMPARE(s.yClass.raw(i), f.yTrain.raw(i % 100));
      QVERIFY(box[4 * i] < box[4 * i + 2] && box[4 * i + 1] < box[4 * i + 3]);
      // A garment covers a good part of its 21..42 pixel frame.
      QVERIFY((box[4 * i + 2] - box[4 * i]) * 64 >= 8);
    }
  }
};

QTEST_APPLESS_MAIN(TestFashionLocalization)
#include "tst_engine_fashionlocalization.moc"
