#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>

#include "engine/core/Error.h"
#include "engine/data/Array.h"
#include "engine/data/RowSource.h"

using namespace tessel;

namespace {

// Row r of shape (2, 3) holds int16 values r * 10 + k - 20 (k = 0..5); counts the rows read.
class CountingSource : public RowSource {
 public:
  explicit CountingSource(Index rows) : rows_(rows) {}
  Index rows() const override { return rows_; }
  Shape rowShape() const override { return {2, 3}; }
  DType dtype() const override { return DType::Int16; }
  void gatherRaw(const Index* idx, Index n, float* out) const override {
    for (Index i = 0; i < n; ++i) {
      if (idx[i] < 0 || idx[i] >= rows_) throw Error("counting source: bad row");
      for (Index k = 0; k < 6; ++k) out[i * 6 + k] = float(idx[i] * 10 + k - 20);
    }
    read += n;
  }
  std::size_t cacheBytes() const override { return 123; }
  std::string name() const override { return "counting source"; }
  mutable std::atomic<Index> read{0};

 private:
  Index rows_;
};

// The same values in memory.
Array countingEager(Index rows) {
  std::vector<double> v;
  for (Index r = 0; r < rows; ++r)
    for (Index k = 0; k < 6; ++k) v.push_back(double(r * 10 + k - 20));
  return Array::fromValues(DType::Int16, {rows, 2, 3}, v);
}

}  // namespace

class TestArray : public QObject {
  Q_OBJECT
 private slots:
  void dtypeNamesAndSizes() {
    QCOMPARE(QString(dtypeName(DType::UInt8)), QString("uint8"));
    QCOMPARE(QString(dtypeName(DType::Float64)), QString("float64"));
    QCOMPARE(QString(dtypeName(DType::Int16)), QString("int16"));
    QCOMPARE(dtypeSize(DType::Int64), size_t(8));
    QCOMPARE(dtypeSize(DType::Bool), size_t(1));
    QCOMPARE(dtypeSize(DType::Int16), size_t(2));
  }

  void storageKeepsDtype() {
    Array a(DType::UInt8, {60, 28, 28});
    QCOMPARE(a.byteSize(), size_t(60 * 28 * 28));
    QCOMPARE(a.size(), Index(60 * 28 * 28));
    QCOMPARE(a.rows(), Index(60));
    QCOMPARE(a.rowSize(), Index(784));
    QCOMPARE(Array().size(), Index(0));
    QCOMPARE(Array(DType::Float64, {}).size(), Index(1));  // 0-d scalar
  }

  // uint8 rows of 39 values exercise the 32-wide, 8-wide and scalar paths of the conversion.
  void gatherUint8AppliesAffine() {
    Array a(DType::UInt8, {5, 3, 13});
    for (Index i = 0; i < a.size(); ++i) a.bytes()[i] = static_cast<std::uint8_t>((i * 37) % 256);
    a.scale = 1.0f / 255.0f;
    a.offset = -0.5f;
    Tensor out;
    const Index idx[] = {4, 0, 4};
    a.gather(idx, 3, out);
    QCOMPARE(out.shape(), (Shape{3, 3, 13}));
    for (Index r = 0; r < 3; ++r)
      for (Index k = 0; k < 39; ++k) {
        std::uint8_t raw = a.bytes()[idx[r] * 39 + k];
        float want = std::fma(float(raw), a.scale, a.offset);
        QCOMPARE(out[r * 39 + k], want);  // bit-identical to the scalar formula
        QVERIFY(std::abs(out[r * 39 + k] - (raw / 255.0 - 0.5)) < 1e-6);
      }
    // value() agrees with gather exactly.
    QCOMPARE(a.value(4 * 39 + 38), out[38]);
    QCOMPARE(a.raw(4 * 39 + 38), double(a.bytes()[4 * 39 + 38]));
  }

  void gatherInt8AndWideTypes() {
    Array i8 = Array::fromValues(DType::Int8, {2, 35}, std::vector<double>(70, -100.0));
    i8.scale = 0.5f;
    i8.offset = 1.0f;
    Tensor out;
    const Index one[] = {1};
    i8.gather(one, 1, out);
    for (Index k = 0; k < 35; ++k) QCOMPARE(out[k], -49.0f);

    Array i32 = Array::fromValues(DType::Int32, {3}, {-7, 16777217, 3});
    i32.gather(std::vector<Index>{1, 0}.data(), 2, out);
    QCOMPARE(out.shape(), (Shape{2}));
    QCOMPARE(out[0], 16777216.0f);  // nearest float to 16777217
    QCOMPARE(out[1], -7.0f);

    Array f64 = Array::fromValues(DType::Float64, {2, 2}, {0.1, 0.2, 0.3, 0.4});
    f64.scale = 10.0f;
    f64.offset = -1.0f;
    f64.gather(std::vector<Index>{1}.data(), 1, out);
    QCOMPARE(out.shape(), (Shape{1, 2}));
    QVERIFY(std::abs(out[0] - 2.0f) < 1e-6f);
    QVERIFY(std::abs(out[1] - 3.0f) < 1e-6f);

    Array b = Array::fromValues(DType::Bool, {4}, {0, 1, 2, 0});
    QCOMPARE(b.raw(2), 1.0);  // any non-zero is True
    QCOMPARE(b.toTensor().toVector(), (std::vector<float>{0, 1, 1, 0}));
  }

  void gatherFloatIdentityAndAffine() {
    std::vector<double> v;
    for (int i = 0; i < 2 * 21; ++i) v.push_back(i * 0.25 - 3.0);
    Array a = Array::fromValues(DType::Float32, {2, 21}, v);
    Tensor out;
    a.slice(1, 1, out);
    for (int k = 0; k < 21; ++k) QCOMPARE(out[k], float(v[21 + k]));
    a.scale = 2.0f;
    a.offset = 0.5f;
    a.slice(0, 2, out);
    for (int k = 0; k < 42; ++k) QCOMPARE(out[k], float(v[k]) * 2.0f + 0.5f);
  }

  void gatherDoesNotReallocate() {
    Array a(DType::UInt8, {100, 28, 28});
    Tensor out;
    std::vector<Index> idx(32);
    for (int i = 0; i < 32; ++i) idx[i] = (i * 7) % 100;
    a.gather(idx.data(), 32, out);
    const float* p = out.data();
    a.gather(idx.data(), 16, out);  // smaller last batch
    QCOMPARE(out.shape(), (Shape{16, 28, 28}));
    QCOMPARE(out.data(), p);
    a.gather(idx.data(), 32, out);
    QCOMPARE(out.data(), p);
    QCOMPARE(out.shape(), (Shape{32, 28, 28}));
  }

  void gatherRejectsBadRows() {
    Array a(DType::UInt8, {3, 2});
    Tensor out;
    const Index bad[] = {0, 3};
    QVERIFY_THROWS_EXCEPTION(Error, a.gather(bad, 2, out));
    QVERIFY_THROWS_EXCEPTION(Error, a.slice(2, 2, out));
  }

  void rowsTakeReshapeClone() {
    Array a = Array::fromValues(DType::Int16, {4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
    a.scale = 2.0f;
    Array r = a.rowsRange(1, 2);
    QCOMPARE(r.shape(), (Shape{2, 2}));
    QCOMPARE(r.raw(0), 10.0);
    QCOMPARE(r.value(3), 42.0f);  // keeps the affine map
    Array t = a.takeRows({3, 0});
    QCOMPARE(t.raw(0), 30.0);
    QCOMPARE(t.raw(3), 1.0);
    Array s = a.reshaped({-1});
    QCOMPARE(s.shape(), (Shape{8}));
    QCOMPARE(s.bytes(), a.bytes());  // shares data
    QVERIFY_THROWS_EXCEPTION(Error, a.reshaped({3, 3}));
    Array c = a.clone();
    QVERIFY(c.bytes() != a.bytes());
    c.dataAs<std::int16_t>()[0] = 5;
    QCOMPARE(a.raw(0), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, a.dataAs<float>());
    Array f = a.toFloat32();
    QCOMPARE(f.dtype(), DType::Float32);
    QCOMPARE(f.value(7), 62.0f);
    QVERIFY(!f.hasAffine());
  }

  // A lazy array over a RowSource: every member gives what the in-memory array gives; views
  // read nothing; gather works from several threads at once.
  void lazyRowSource() {
    auto src = std::make_shared<CountingSource>(10);
    Array lazy = Array::fromRowSource(src), eager = countingEager(10);
    QVERIFY(lazy.isLazy() && !eager.isLazy());
    QCOMPARE(lazy.shape(), (Shape{10, 2, 3}));
    QVERIFY(lazy.dtype() == DType::Int16);
    QCOMPARE(lazy.size(), Index(60));
    QCOMPARE(lazy.byteSize(), size_t(0));
    QCOMPARE(lazy.lazySource(), std::string("counting source"));
    for (Array* a : {&lazy, &eager}) a->scale = 0.25f, a->offset = 3.0f;
    const Index idx[3] = {9, 0, 4};
    Tensor a, b;
    lazy.gather(idx, 3, a), eager.gather(idx, 3, b);
    QCOMPARE(a.toVector(), b.toVector());
    QCOMPARE(a[0], (90 - 20) * 0.25f + 3.0f);
    QCOMPARE(src->read.load(), Index(3));
    // Views compose without reading.
    Array v = lazy.takeRows({8, 2, 5, 7}).rowsRange(1, 2).reshaped({2, 6});
    QVERIFY(v.isLazy());
    QCOMPARE(src->read.load(), Index(3));
    QCOMPARE(v.toTensor().toVector(),
             eager.takeRows({8, 2, 5, 7}).rowsRange(1, 2).reshaped({2, 6}).toTensor().toVector());
    QCOMPARE(v.value(7), eager.value(5 * 6 + 1));
    QCOMPARE(v.raw(0), 0.0);  // row 2, k 0: 2*10 + 0 - 20
    QCOMPARE(lazy.toFloat32().toTensor().toVector(), eager.toFloat32().toTensor().toVector());
    // A flat view (rows of one value) reads the elements from their source rows; its row views
    // are materialised in the source dtype.
    Array flat = lazy.reshaped({kNone}), eflat = eager.reshaped({kNone});
    Tensor fa, fb;
    flat.slice(5, 9, fa), eflat.slice(5, 9, fb);
    QCOMPARE(fa.toVector(), fb.toVector());
    Array part = flat.rowsRange(5, 9);
    QVERIFY(!part.isLazy());
    QVERIFY(part.dtype() == DType::Int16);
    QCOMPARE(part.toTensor().toVector(), fb.toVector());
    // bytes / dataAs: a clear error.
    QVERIFY_THROWS_EXCEPTION(Error, lazy.bytes());
    try {
      lazy.dataAs<std::int16_t>();
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString(e.what()),
               QString("Array::bytes: the data is read lazily from counting source; use gather() "
                       "(or toTensor() to load it all into memory)"));
    }
    // Several threads gather at once (thread-local scratch, const source).
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
      threads.emplace_back([&, t] {
        Tensor out, want;
        for (int k = 0; k < 200; ++k) {
          const Index rows[2] = {Index((k + t) % 10), Index((3 * k) % 10)};
          lazy.gather(rows, 2, out);
          eager.gather(rows, 2, want);
          if (out.toVector() != want.toVector()) ++bad;
        }
      });
    for (auto& th : threads) th.join();
    QCOMPARE(bad.load(), 0);
    // A clone shares the source.
    QVERIFY(lazy.clone().rowSource() == lazy.rowSource());
    QVERIFY_THROWS_EXCEPTION(Error, Array::fromRowSource(nullptr));
  }

  void fromTensorRoundTrip() {
    Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
    Array a = Array::fromTensor(t);
    QCOMPARE(a.dtype(), DType::Float32);
    QCOMPARE(a.toTensor().toVector(), t.toVector());
    QVERIFY_THROWS_EXCEPTION(Error, Array(DType::Int32, {2}, std::vector<std::uint8_t>(7)));
  }
};

QTEST_APPLESS_MAIN(TestArray)
#include "tst_engine_array.moc"
