#include <QtTest>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/Idx.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

using tessel::testutil::errorOf;

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::vector<std::uint8_t> readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class TestIdx : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private slots:
  void roundTripEveryDtype_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<bool>("gz");
    for (DType t :
         {DType::UInt8, DType::Int8, DType::Int16, DType::Int32, DType::Float32, DType::Float64})
      for (bool gz : {false, true})
        QTest::newRow((std::string(dtypeName(t)) + (gz ? ".gz" : "")).c_str()) << int(t) << gz;
  }
  void roundTripEveryDtype() {
    QFETCH(int, dtype);
    QFETCH(bool, gz);
    DType t = static_cast<DType>(dtype);
    std::vector<double> v;
    for (int i = 0; i < 3 * 4 * 5; ++i) v.push_back(t == DType::UInt8 ? i * 4 : i - 30.5 * (i % 2));
    Array a = Array::fromValues(t, {3, 4, 5}, v);
    std::string p = path(gz ? "rt.idx.gz" : "rt.idx");
    writeIdx(p, a);
    IdxHeader h = readIdxHeader(p);
    QCOMPARE(h.dtype, t);
    QCOMPARE(h.shape, (Shape{3, 4, 5}));
    Array b = readIdx(p);
    QCOMPARE(b.dtype(), t);
    QCOMPARE(b.shape(), a.shape());
    QVERIFY(std::memcmp(a.bytes(), b.bytes(), a.byteSize()) == 0);
    Array c = readIdx(p, 2);  // only the first rows
    QCOMPARE(c.shape(), (Shape{2, 4, 5}));
    QVERIFY(std::memcmp(a.bytes(), c.bytes(), c.byteSize()) == 0);
  }

  // The file layout: magic, big-endian dims, big-endian data.
  void writesBigEndian() {
    Array a = Array::fromValues(DType::Int32, {2}, {1, -2});
    writeIdx(path("be.idx"), a);
    std::vector<std::uint8_t> want = {0, 0, 0x0C, 1, 0,    0,    0,    2,
                                      0, 0, 0,    1, 0xFF, 0xFF, 0xFF, 0xFE};
    QCOMPARE(readBytes(path("be.idx")), want);
    QVERIFY(!errorOf([&] { writeIdx(path("x.idx"), Array(DType::Int64, {2})); }).empty());
  }

  void truncatedDataIsAnError() {
    Array a(DType::UInt8, {10, 28, 28});
    std::string p = path("trunc.idx");
    writeIdx(p, a);
    std::filesystem::resize_file(p, 16 + 1000);  // header 4 + 3*4 bytes, then 1000 of 7840
    std::string e = errorOf([&] { readIdx(p); });
    QVERIFY2(e.find(p) == 0, e.c_str());
    QVERIFY2(e.find("expected 7840 bytes, file has 1000") != std::string::npos, e.c_str());
    QCOMPARE(std::count(e.begin(), e.end(), '\n'), 0L);

    // A gzip stream cut in the middle.
    Array big(DType::UInt8, {50, 28, 28});
    for (Index i = 0; i < big.size(); ++i) big.bytes()[i] = std::uint8_t((i * 2654435761u) >> 13);
    std::string g = path("trunc.idx.gz");
    writeIdx(g, big);
    std::filesystem::resize_file(g, std::filesystem::file_size(g) / 2);
    e = errorOf([&] { readIdx(g); });
    QVERIFY2(e.find("truncated") != std::string::npos &&
                 e.find("expected 39200 bytes") != std::string::npos,
             e.c_str());
  }

  void badFilesAreErrors() {
    std::string missing = path("missing.idx");
    std::string e = errorOf([&] { readIdx(missing); });
    QVERIFY2(e == missing + ": no such file", e.c_str());

    writeBytes(path("magic.idx"), {1, 2, 8, 1, 0, 0, 0, 1, 7});
    e = errorOf([&] { readIdx(path("magic.idx")); });
    QVERIFY2(e.find("bad IDX magic") != std::string::npos, e.c_str());

    writeBytes(path("code.idx"), {0, 0, 0x0A, 1, 0, 0, 0, 1, 7});
    e = errorOf([&] { readIdx(path("code.idx")); });
    QVERIFY2(e.find("unknown data type code 0x0A") != std::string::npos, e.c_str());

    writeBytes(path("plain.gz"), {0, 0, 8, 1, 0, 0, 0, 1, 7});
    e = errorOf([&] { readIdx(path("plain.gz")); });
    QVERIFY2(e.find("not a gzip file") != std::string::npos, e.c_str());

    writeBytes(path("short.idx"), {0, 0, 8, 3, 0, 0});
    e = errorOf([&] { readIdx(path("short.idx")); });
    QVERIFY2(e.find("truncated IDX header") != std::string::npos, e.c_str());
  }

  void realFashionMnist() {
    if (!fashionMnistAvailable())
      QSKIP("dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)");
    std::string dir = kFashionMnistDir;
    IdxHeader h = readIdxHeader(dir + "/train-images-idx3-ubyte.gz");
    QCOMPARE(h.dtype, DType::UInt8);
    QCOMPARE(h.shape, (Shape{60000, 28, 28}));
    Array y = readIdx(dir + "/train-labels-idx1-ubyte.gz");
    QCOMPARE(y.shape(), (Shape{60000}));
    QCOMPARE(y.raw(0), 9.0);  // the first training image is an ankle boot
    int count[10] = {};
    for (Index i = 0; i < y.size(); ++i) {
      std::uint8_t c = y.bytes()[i];
      QVERIFY(c <= 9);
      ++count[c];
    }
    for (int c : count) QCOMPARE(c, 6000);  // Fashion-MNIST is balanced
  }

  void fashionMnistLoader() {
    if (!fashionMnistAvailable())
      QSKIP("dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)");
    FashionMnist d = loadFashionMnistScaled(kFashionMnistDir);
    QCOMPARE(d.xTrain.shape(), (Shape{55000, 28, 28}));
    QCOMPARE(d.xValid.shape(), (Shape{5000, 28, 28}));
    QCOMPARE(d.xTest.shape(), (Shape{10000, 28, 28}));
    QCOMPARE(d.yTrain.shape(), (Shape{55000}));
    QCOMPARE(d.xTrain.dtype(), DType::UInt8);
    QCOMPARE(d.yValid.raw(0), 9.0);
    // The scaler's mean and std are those of x_train's pixels: numpy on the same file gives
    // x_train.astype(np.float64).mean() = 72.93789853896104, .std() = 89.98972212247537.
    const double mean = 72.93789853896104, std = 89.98972212247537;
    QVERIFY2(std::abs(d.scaler.mean()[0] / mean - 1.0) < 1e-13,
             qPrintable(QString::number(d.scaler.mean()[0], 'g', 17)));
    QVERIFY2(std::abs(d.scaler.scale()[0] / std - 1.0) < 1e-13,
             qPrintable(QString::number(d.scaler.scale()[0], 'g', 17)));
    long double sum = 0;  // and independently here
    for (Index i = 0; i < d.xTrain.size(); ++i) sum += d.xTrain.bytes()[i];
    QVERIFY(std::abs(double(sum / d.xTrain.size()) - mean) < 1e-9);
    QVERIFY(mean > 72.0 && mean < 74.0);
    QVERIFY(std > 89.0 && std < 91.0);
    // Gathered pixels are standardised.
    Tensor batch;
    const Index idx[] = {0};
    d.xTrain.gather(idx, 1, batch);
    QCOMPARE(batch.shape(), (Shape{1, 28, 28}));
    QVERIFY(std::abs(batch[0] - float(-mean / std)) < 1e-5f);
    // The same map on valid and test.
    QCOMPARE(d.xTest.scale, d.xTrain.scale);
    QCOMPARE(d.xValid.offset, d.xTrain.offset);

    FashionMnist small = loadFashionMnist(kFashionMnistDir, 1000, 100);
    QCOMPARE(small.xTrain.shape(), (Shape{1000, 28, 28}));
    QCOMPARE(small.yTest.shape(), (Shape{100}));
    QCOMPARE(small.xValid.rows(), Index(5000));
    QVERIFY(std::memcmp(small.xTrain.bytes(), d.xTrain.bytes(), small.xTrain.byteSize()) == 0);
  }
};

QTEST_APPLESS_MAIN(TestIdx)
#include "tst_engine_idx.moc"
