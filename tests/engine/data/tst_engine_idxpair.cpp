// IDX image/label pairs: found from a folder or from either file, gzipped or not; truncated files
// and mismatched counts give a clear error naming the file.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/data/Idx.h"
#include "engine/data/IdxPair.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;
namespace fs = std::filesystem;

namespace {

Array images(Index n, std::uint8_t base) {
  std::vector<double> v;
  for (Index i = 0; i < n * 4 * 3; ++i) v.push_back(double((base + i) % 256));
  return Array::fromValues(DType::UInt8, {n, 4, 3}, v);
}

Array labels(Index n) {
  std::vector<double> v;
  for (Index i = 0; i < n; ++i) v.push_back(double(i % 10));
  return Array::fromValues(DType::UInt8, {n}, v);
}

void truncateFile(const std::string& path, std::uintmax_t size) {
  fs::resize_file(path, size);
}

}  // namespace

class TestIdxPair : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const std::string& name) {
    return dir_.filePath(QString::fromStdString(name)).toStdString();
  }

 private slots:
  void initTestCase() {
    fs::create_directories(path("mnist"));
    writeIdx(path("mnist/train-images-idx3-ubyte.gz"), images(5, 0));
    writeIdx(path("mnist/train-labels-idx1-ubyte.gz"), labels(5));
    writeIdx(path("mnist/t10k-images-idx3-ubyte"), images(3, 100));  // plain
    writeIdx(path("mnist/t10k-labels-idx1-ubyte"), labels(3));
    std::ofstream(path("mnist/README")) << "not idx";
  }

  void folder() {
    const auto pairs = findIdxPairs(path("mnist"));
    QCOMPARE(pairs.size(), size_t(2));
    QCOMPARE(QString::fromStdString(pairs[0].name), QString("t10k"));
    QCOMPARE(QString::fromStdString(pairs[1].name), QString("train"));
    QVERIFY(QString::fromStdString(pairs[1].labels).endsWith("train-labels-idx1-ubyte.gz"));
    QVERIFY(QString::fromStdString(pairs[0].labels).endsWith("t10k-labels-idx1-ubyte"));
    const IdxData d = loadIdxPair(pairs[1]);
    QCOMPARE(d.x.shape(), (Shape{5, 4, 3}));
    QCOMPARE(d.y.shape(), (Shape{5}));
    QCOMPARE(d.x.raw(13), 13.0);
    QCOMPARE(d.y.raw(4), 4.0);
    const IdxData t = loadIdxPair(pairs[0], 2);
    QCOMPARE(t.x.rows(), Index(2));
    QCOMPARE(t.x.raw(0), 100.0);
  }

  void fromEitherFile() {
    auto p = findIdxPairs(path("mnist/train-images-idx3-ubyte.gz"));
    QCOMPARE(p.size(), size_t(1));
    QCOMPARE(p[0].labels, path("mnist/train-labels-idx1-ubyte.gz"));
    p = findIdxPairs(path("mnist/t10k-labels-idx1-ubyte"));
    QCOMPARE(p[0].images, path("mnist/t10k-images-idx3-ubyte"));
    // An images file alone: no labels, still loadable.
    fs::create_directories(path("alone"));
    writeIdx(path("alone/x-images.idx"), images(2, 0));
    p = findIdxPairs(path("alone/x-images.idx"));
    QVERIFY(p[0].labels.empty());
    QCOMPARE(loadIdxPair(p[0]).x.rows(), Index(2));
    // A labels file alone: its images are missing.
    writeIdx(path("alone/y-labels.idx"), labels(2));
    QVERIFY(errorOf([&] { findIdxPairs(path("alone/y-labels.idx")); }).contains("its images file"));
  }

  void badFiles() {
    fs::create_directories(path("bad"));
    // Truncated plain images file: the message names it.
    const auto img = path("bad/train-images-idx3-ubyte");
    writeIdx(img, images(5, 0));
    writeIdx(path("bad/train-labels-idx1-ubyte"), labels(5));
    truncateFile(img, 16 + 4 * 12 + 5);
    auto pairs = findIdxPairs(path("bad"));
    QString e = errorOf([&] { loadIdxPair(pairs[0]); });
    QVERIFY2(e.startsWith(QString::fromStdString(img) + ": truncated IDX data"), qPrintable(e));
    // Truncated gzip file.
    const auto gz = path("bad/t10k-images-idx3-ubyte.gz");
    writeIdx(gz, images(50, 7));
    writeIdx(path("bad/t10k-labels-idx1-ubyte.gz"), labels(50));
    truncateFile(gz, fs::file_size(gz) / 2);
    pairs = findIdxPairs(gz);
    e = errorOf([&] { loadIdxPair(pairs[0]); });
    QVERIFY2(e.startsWith(QString::fromStdString(gz) + ":"), qPrintable(e));
    // Counts that differ name both files.
    const auto img2 = path("bad/other-images-idx3-ubyte");
    writeIdx(img2, images(4, 0));
    writeIdx(path("bad/other-labels-idx1-ubyte"), labels(3));
    e = errorOf([&] { loadIdxPair(findIdxPairs(img2)[0]); });
    QVERIFY2(e.contains("has 4 images but") && e.contains("other-labels-idx1-ubyte has 3 labels"),
             qPrintable(e));
    QVERIFY(errorOf([&] { findIdxPairs(path("nothing")); }).contains("no such file or folder"));
    fs::create_directories(path("empty"));
    QVERIFY(errorOf([&] { findIdxPairs(path("empty")); }).contains("no IDX image file"));
  }
};

QTEST_APPLESS_MAIN(TestIdxPair)
#include "tst_engine_idxpair.moc"
