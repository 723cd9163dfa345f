// The generated Fashion-MNIST sequence set for CTC (engine/data/FashionSequence.h): each slot holds
// the source image its label names, labels are class + 1 padded with 0 (Keras 3's CTC), lengths
// cover [min_length, length], deterministic from the seed, bad options refused; the
// "fashion_mnist_sequence" data kind on real Fashion-MNIST when installed.
#include <QtTest>

#include <functional>
#include <set>

#include "engine/core/Error.h"
#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/FashionSequence.h"
#include "engine/losses/Ctc.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

// Source image k: every pixel 20 + k; its label k % 10.
void sources(Index m, Array& images, Array& labels) {
  std::vector<double> v(static_cast<size_t>(m * 784)), l(static_cast<size_t>(m));
  for (Index k = 0; k < m; ++k) {
    std::fill(v.begin() + k * 784, v.begin() + (k + 1) * 784, 20.0 + double(k));
    l[size_t(k)] = double(k % 10);
  }
  images = Array::fromValues(DType::UInt8, {m, 28, 28}, v);
  labels = Array::fromValues(DType::UInt8, {m}, l);
}

}  // namespace

class TestFashionSequence : public QObject {
  Q_OBJECT

 private slots:
  void slotsMatchLabels() {
    Array images, labels;
    sources(30, images, labels);
    SequenceOptions o;
    o.count = 200;
    o.length = 5;
    o.minLength = 2;
    o.seed = 3;
    const SequenceSet s = generateFashionSequence(images, labels, o);
    QCOMPARE(s.x.shape(), (Shape{200, 28, 140, 1}));
    QCOMPARE(s.y.shape(), (Shape{200, 5}));
    QCOMPARE(s.x.scale, 1.0f / 255.0f);
    const auto* px = s.x.dataAs<std::uint8_t>();
    std::set<int> lengths;
    for (Index i = 0; i < 200; ++i) {
      int n = 0;
      while (n < 5 && s.y.raw(i * 5 + n) != 0) ++n;
      lengths.insert(n);
      QVERIFY(n >= 2 && n <= 5);
      for (int k = 0; k < 5; ++k) {
        const double label = s.y.raw(i * 5 + k);
        QCOMPARE(label == 0, k >= n);  // padding only at the end
        // Every pixel of the slot: the source image (value 20 + source, label source % 10 + 1)
        // or black for padding.
        const std::uint8_t first = px[i * 28 * 140 + k * 28];
        for (int y = 0; y < 28; ++y)
          for (int x = 0; x < 28; ++x) QCOMPARE(px[i * 28 * 140 + y * 140 + k * 28 + x], first);
        if (k >= n)
          QCOMPARE(first, std::uint8_t(0));
        else
          QCOMPARE(label, double((first - 20) % 10 + 1));
      }
    }
    QCOMPARE(lengths, (std::set<int>{2, 3, 4, 5}));
    // The labels fit the CTC loss of an 11-class output with T >= 2 * 5 - 1 (a blank between
    // repeated neighbours); T = 5 is too short for some.
    Ctc().checkLabels(s.y.toTensor(), Shape{200, 9, 11});
    QVERIFY(errorOf([&] {
              Ctc().checkLabels(s.y.toTensor(), Shape{200, 5, 11});
            }).contains("time steps"));
  }

  void deterministic() {
    Array images, labels;
    sources(12, images, labels);
    SequenceOptions o;
    o.count = 15;
    o.seed = 9;
    const auto a = generateFashionSequence(images, labels, o);
    const auto b = generateFashionSequence(images, labels, o);
    QVERIFY(std::equal(a.x.bytes(), a.x.bytes() + a.x.byteSize(), b.x.bytes()));
    QVERIFY(std::equal(a.y.bytes(), a.y.bytes() + a.y.byteSize(), b.y.bytes()));
    o.seed = 10;
    const auto c = generateFashionSequence(images, labels, o);
    QVERIFY(!std::equal(a.y.bytes(), a.y.bytes() + a.y.byteSize(), c.y.bytes()));
    QCOMPARE(SequenceOptions::fromJson(o.toJson()).toJson(), o.toJson());
  }

  void badInput() {
    Array images, labels;
    sources(4, images, labels);
    SequenceOptions o;
    o.minLength = 5;  // > length 4
    QVERIFY(errorOf([&] { generateFashionSequence(images, labels, o); }).contains("min_length"));
    o = SequenceOptions();
    o.length = 0;
    QVERIFY(errorOf([&] { generateFashionSequence(images, labels, o); }).contains("invalid"));
    o = SequenceOptions();
    QVERIFY(errorOf([&] {
              generateFashionSequence(images, labels.rowsRange(0, 3), o);
            }).contains("3 labels for 4 images"));
    QVERIFY(errorOf([&] {
              generateFashionSequence(Array(DType::UInt8, {0, 28, 28}), labels, o);
            }).contains("no source images"));
    QVERIFY(errorOf([&] {
              generateFashionSequence(Array(DType::Float32, {4, 28, 28}), labels, o);
            }).contains("uint8"));
  }

  void dataKindOnFashionMnist() {
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    DataSettings s = DataSettings::fromJson(
        {{"kind", "fashion_mnist_sequence"},
         {"options", {{"count", 64}, {"length", 3}, {"validation_count", 16}}}});
    QCOMPARE(s.kind, std::string("fashion_mnist_sequence"));
    const BuiltData d = buildDataset(s, BuildOptions{});
    QCOMPARE(d.train.x[0].shape(), (Shape{64, 28, 84, 1}));
    QCOMPARE(d.train.y[0].shape(), (Shape{64, 3}));
    QVERIFY(d.validation);
    QCOMPARE(d.validation->x[0].shape(), (Shape{16, 28, 84, 1}));
    QCOMPARE(d.classNames.size(), size_t(11));
    QCOMPARE(d.classNames[0], std::string("blank"));
    QCOMPARE(d.classNames[1], std::string(kFashionMnistClassNames[0]));
    // Real images: a used slot has ink, a padded one is black.
    for (Index i = 0; i < 64; ++i)
      for (int k = 0; k < 3; ++k) {
        double ink = 0;
        for (int y = 0; y < 28; ++y)
          for (int x = 0; x < 28; ++x) ink += d.train.x[0].raw(i * 28 * 84 + y * 84 + k * 28 + x);
        QCOMPARE(ink > 0, d.train.y[0].raw(i * 3 + k) != 0);
      }
  }
};

QTEST_APPLESS_MAIN(TestFashionSequence)
#include "tst_engine_fashionsequence.moc"
