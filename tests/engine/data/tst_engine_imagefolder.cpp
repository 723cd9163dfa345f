// Image folders: class subfolders, PNG / BMP / JPEG decoding with stb, resizing, grayscale vs RGB,
// the bounded LRU cache (never above its byte bound), and clear errors for missing or corrupt
// images. Images are written into a temporary folder with stb_image_write.
#include <QtTest>

#include <stb_image_write.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/data/ImageDecode.h"
#include "engine/data/ImageFolder.h"
#include "engine/data/RowSource.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;
namespace fs = std::filesystem;

namespace {

// A w x h RGB image filled with one colour.
std::vector<std::uint8_t> solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  std::vector<std::uint8_t> px(static_cast<size_t>(w * h * 3));
  for (int i = 0; i < w * h; ++i) px[3 * i] = r, px[3 * i + 1] = g, px[3 * i + 2] = b;
  return px;
}

}  // namespace

class TestImageFolder : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string root_;

 private slots:
  void initTestCase() {
    root_ = dir_.filePath("images").toStdString();
    fs::create_directories(root_ + "/cat");
    fs::create_directories(root_ + "/dog");
    fs::create_directories(root_ + "/empty_class");
    // cat: 3 red PNGs (8x6) and a text file that is ignored; dog: 2 blue BMPs (4x4) and a JPEG.
    for (int i = 0; i < 3; ++i) {
      const auto px = solid(8, 6, 200, 0, 0);
      const auto p = root_ + "/cat/c" + std::to_string(i) + ".png";
      QVERIFY(stbi_write_png(p.c_str(), 8, 6, 3, px.data(), 8 * 3));
    }
    std::ofstream(root_ + "/cat/readme.txt") << "not an image";
    for (int i = 0; i < 2; ++i) {
      const auto px = solid(4, 4, 0, 0, 250);
      const auto p = root_ + "/dog/d" + std::to_string(i) + ".bmp";
      QVERIFY(stbi_write_bmp(p.c_str(), 4, 4, 3, px.data()));
    }
    const auto px = solid(16, 16, 0, 250, 0);
    QVERIFY(stbi_write_jpg((root_ + "/dog/d9.jpg").c_str(), 16, 16, 3, px.data(), 95));
  }

  void scanAndDecode() {
    ImageFolderOptions o;
    o.height = 5;
    o.width = 7;
    ImageFolder f(root_, o);
    // Sorted class names (the empty folder still is a class, as Keras).
    QCOMPARE(f.classNames(), (std::vector<std::string>{"cat", "dog", "empty_class"}));
    QCOMPARE(f.size(), Index(6));
    QCOMPARE(f.label(0), 0);
    QCOMPARE(f.label(3), 1);
    QCOMPARE(f.labels().toTensor().toVector(), (std::vector<float>{0, 0, 0, 1, 1, 1}));
    QCOMPARE(f.imageShape(), (Shape{5, 7, 3}));
    // A solid colour stays that colour through resizing (within rounding).
    auto red = f.image(0);
    QCOMPARE(red->size(), size_t(5 * 7 * 3));
    for (size_t i = 0; i < red->size(); i += 3) {
      QVERIFY(std::abs(int((*red)[i]) - 200) <= 1);
      QVERIFY((*red)[i + 1] <= 1 && (*red)[i + 2] <= 1);
    }
    auto blue = f.image(3);
    QVERIFY(std::abs(int((*blue)[2]) - 250) <= 1);
    auto green = f.image(5);  // JPEG: lossy, so a looser check
    QVERIFY(std::abs(int((*green)[1]) - 250) <= 6);
    QVERIFY((*green)[0] <= 8);
    // gather: float (n, H, W, C) with the scale applied.
    Tensor t;
    const Index idx[2] = {3, 0};
    f.gather(idx, 2, t, 1.0f / 255.0f);
    QCOMPARE(t.shape(), (Shape{2, 5, 7, 3}));
    QVERIFY(std::abs(t[2] - 250.0f / 255.0f) < 2.0f / 255.0f);
    QVERIFY(std::abs(t[5 * 7 * 3] - 200.0f / 255.0f) < 2.0f / 255.0f);
  }

  // lazyImages: a uint8 Array (N, H, W, 3) whose rows are the cached images, raw 0..255.
  void lazyRgbImages() {
    ImageFolderOptions o;
    o.height = 5;
    o.width = 7;
    o.cacheBytes = 1 << 20;
    auto f = std::make_shared<ImageFolder>(root_, o);
    Array x = ImageFolder::lazyImages(f);
    QVERIFY(x.isLazy());
    QVERIFY(x.dtype() == DType::UInt8);
    QCOMPARE(x.shape(), (Shape{6, 5, 7, 3}));
    QCOMPARE(x.rowSource()->cacheBytes(), std::size_t(1) << 20);
    QCOMPARE(x.lazySource(), "image folder " + root_);
    x.scale = 0.5f;
    Tensor t;
    const Index idx[2] = {3, 0};
    x.gather(idx, 2, t);
    QCOMPARE(t.shape(), (Shape{2, 5, 7, 3}));
    const auto blue = f->image(3), red = f->image(0);
    for (Index j = 0; j < 105; ++j) {
      QCOMPARE(t[j], float((*blue)[size_t(j)]) * 0.5f);
      QCOMPARE(t[105 + j], float((*red)[size_t(j)]) * 0.5f);
    }
    QCOMPARE(x.raw(3 * 105 + 2), double((*blue)[2]));
    QVERIFY(f->cacheEntries() == 2);  // only the two gathered images were decoded
  }

  void grayscale() {
    ImageFolderOptions o;
    o.height = 6;
    o.width = 8;
    o.grayscale = true;
    ImageFolder f(root_, o);
    QCOMPARE(f.channels(), 1);
    auto px = f.image(0);  // red (200, 0, 0), same size: no resampling
    QCOMPARE(px->size(), size_t(48));
    // stb's luma: (r*77 + g*150 + b*29) >> 8 = 200*77/256 = 60.
    QCOMPARE(int((*px)[0]), 60);
  }

  void cacheStaysWithinBound() {
    ImageFolderOptions o;
    o.height = 10;
    o.width = 10;
    o.grayscale = false;           // 300 bytes per image
    o.cacheBytes = 2 * 300 + 100;  // room for two images
    ImageFolder f(root_, o);
    QCOMPARE(f.imageBytes(), size_t(300));
    const Index order[] = {0, 1, 2, 0, 3, 4, 5, 5, 1, 2, 3, 0, 4};
    for (Index i : order) {
      f.image(i);
      QVERIFY(f.cacheBytesUsed() <= o.cacheBytes);
      QVERIFY(f.cacheEntries() <= 2);
    }
    QVERIFY(f.cachePeakBytes() <= o.cacheBytes);
    QCOMPARE(f.cachePeakBytes(), size_t(600));
    // LRU: after ... 4, reading 4 again is a hit, 3 (evicted) a miss.
    const Index hits = f.cacheHits(), misses = f.cacheMisses();
    f.image(4);
    QCOMPARE(f.cacheHits(), hits + 1);
    f.image(3);
    QCOMPARE(f.cacheMisses(), misses + 1);
    // 5,5 was one miss then one hit.
    QVERIFY(f.cacheHits() >= 2);
    // A cache smaller than one image keeps nothing but still serves images.
    o.cacheBytes = 100;
    ImageFolder tiny(root_, o);
    tiny.image(0);
    tiny.image(0);
    QCOMPARE(tiny.cacheBytesUsed(), size_t(0));
    QCOMPARE(tiny.cacheMisses(), Index(2));
  }

  void missingAndCorruptImages() {
    const std::string root = dir_.filePath("broken").toStdString();
    fs::create_directories(root + "/a");
    const auto px = solid(2, 2, 1, 2, 3);
    QVERIFY(stbi_write_png((root + "/a/good.png").c_str(), 2, 2, 3, px.data(), 6));
    std::ofstream(root + "/a/bad.png", std::ios::binary) << "\x89PNG\r\n\x1a\n garbage";
    ImageFolder f(root, {4, 4, false, 1 << 20});
    QCOMPARE(f.size(), Index(2));
    const Index bad = f.path(0).find("bad.png") != std::string::npos ? 0 : 1;
    const QString corrupt = errorOf([&] { f.image(bad); });
    QVERIFY2(
        corrupt.contains(QString::fromStdString(root + "/a/bad.png") + ": cannot decode image"),
        qPrintable(corrupt));
    // Deleted after the scan: the message names the file.
    fs::remove(root + "/a/good.png");
    const QString missing = errorOf([&] { f.image(1 - bad); });
    QVERIFY2(missing.contains("good.png: no such image file"), qPrintable(missing));
    // Folders that are not data sets.
    QVERIFY(errorOf([&] {
              ImageFolder(dir_.filePath("nope").toStdString());
            }).contains("no such folder"));
    fs::create_directories(dir_.filePath("flat").toStdString());
    QVERIFY(errorOf([&] {
              ImageFolder(dir_.filePath("flat").toStdString());
            }).contains("no class subfolders"));
    // decodeImageFile on its own.
    QVERIFY(errorOf([&] { decodeImageFile(root + "/a/bad.png", 3); }).contains("bad.png"));
    QVERIFY(isImageFileName("X.JPEG") && isImageFileName("a.bmp") && !isImageFileName("a.txt"));
  }
};

QTEST_APPLESS_MAIN(TestImageFolder)
#include "tst_engine_imagefolder.moc"
