// Lazy image folders: an Array backed by an ImageFolder (RowSource) gathers exactly what the same
// images gathered into memory give, through every view (takeRows, rowsRange, reshaped, splits);
// fit() on the lazy data gives the same History as on the in-memory copy; training with a cache
// smaller than the set never lets the cache grow past its bound; a missing or corrupt image
// during fit is an Error naming the file; bytes() on a lazy array says how to read it.
// 600 grayscale 16x16 PNGs (3 classes) are written with stb_image_write into a temporary folder.
#include <QTemporaryDir>
#include <QtTest>

#include <stb_image_write.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/ImageFolder.h"
#include "engine/data/RowSource.h"
#include "engine/data/Split.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;
namespace fs = std::filesystem;

namespace {

constexpr int kSide = 16, kClasses = 3, kPerClass = 200;
constexpr Index kImages = kClasses * kPerClass, kPixels = kSide * kSide;

// Writes `perClass` noisy images per class under root/class_<c>/img_<i>.png (class c is brighter
// in a class-specific band) and returns their pixels in the folder's order (class, then name).
std::vector<std::uint8_t> writeFolder(const std::string& root, int perClass) {
  std::vector<std::uint8_t> all;
  Rng rng(11);
  for (int c = 0; c < kClasses; ++c) {
    const std::string dir = root + "/class_" + std::to_string(c);
    fs::create_directories(dir);
    for (int i = 0; i < perClass; ++i) {
      std::vector<std::uint8_t> px(kPixels);
      for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
          double v = rng.uniform(0, 120);
          if (y / 6 == c) v += 100;
          px[size_t(y * kSide + x)] = static_cast<std::uint8_t>(v);
        }
      char name[32];
      std::snprintf(name, sizeof name, "/img_%03d.png", i);
      if (!stbi_write_png((dir + name).c_str(), kSide, kSide, 1, px.data(), kSide)) return {};
      all.insert(all.end(), px.begin(), px.end());
    }
  }
  return all;
}

// The bit pattern of a tensor's values.
std::vector<std::uint32_t> bitsOf(const Tensor& t) {
  std::vector<std::uint32_t> b(size_t(t.size()));
  if (t.size()) std::memcpy(b.data(), t.data(), b.size() * 4);
  return b;
}

std::vector<std::uint32_t> gatherBits(const Array& a, const std::vector<Index>& idx) {
  Tensor t;
  a.gather(idx.data(), Index(idx.size()), t);
  return bitsOf(t);
}

// An in-memory uint8 copy of a lazy uint8 array (same shape, scale and offset).
Array eagerCopy(const Array& lazy) {
  Array raw = lazy;
  raw.scale = 1.0f, raw.offset = 0.0f;
  Tensor t = raw.toTensor();
  std::vector<std::uint8_t> bytes(size_t(t.size()));
  for (Index i = 0; i < t.size(); ++i) bytes[size_t(i)] = static_cast<std::uint8_t>(t[i]);
  Array e(DType::UInt8, lazy.shape(), std::move(bytes));
  e.scale = lazy.scale, e.offset = lazy.offset;
  return e;
}

Dataset eagerCopy(const Dataset& d) {
  Dataset e = d;
  for (Array& x : e.x) x = eagerCopy(x);
  return e;
}

// Input (256,) -> Dense(16, relu) -> Dense(3, softmax).
ModelSpec classifier() {
  using namespace tessel::test;
  return makeSpec({inputNode("x", {kPixels}), denseNode("h", 16, "x", "relu"),
                   denseNode("out", kClasses, "h", "softmax")},
                  {"x"}, {"out"});
}

CompileOptions compileOptions() {
  return CompileOptions{{"sparse_categorical_crossentropy"},
                        {},
                        {{"accuracy"}},
                        {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}};
}

History train(const Dataset& d, const std::optional<Dataset>& valid, int epochs) {
  Model m(classifier(), 5);
  Trainer t(m, compileOptions());
  FitOptions o;
  o.epochs = epochs, o.batchSize = 32, o.seed = 9, o.verbose = 0;
  o.validationData = valid;
  return t.fit(d, o);
}

}  // namespace

class TestLazyImages : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string root_;
  std::vector<std::uint8_t> pixels_;  // every image, in folder order

  std::shared_ptr<ImageFolder> folder(std::size_t cacheBytes) {
    ImageFolderOptions o;
    o.height = o.width = kSide;
    o.grayscale = true;
    o.cacheBytes = cacheBytes;
    return std::make_shared<ImageFolder>(root_, o);
  }
  Array eagerAll() const { return Array(DType::UInt8, {kImages, kSide, kSide, 1}, pixels_); }
  DataSettings settings(double cacheMb) const {
    DataSettings s;
    s.kind = "image_folder";
    s.path = root_;
    s.options = {{"height", kSide}, {"width", kSide}, {"grayscale", true}, {"cache_mb", cacheMb}};
    s.fractions = {0.8, 0.2, 0.0};
    s.splitSeed = 4;
    s.normalization = "rescale";
    return s;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    root_ = dir_.filePath("images").toStdString();
    pixels_ = writeFolder(root_, kPerClass);
    QCOMPARE(Index(pixels_.size()), kImages * kPixels);
  }

  // (a) gather / slice / value / views of the lazy array equal the in-memory array bit for bit.
  void lazyEqualsEager() {
    auto f = folder(std::size_t(64) << 20);
    Array lazy = ImageFolder::lazyImages(f), eager = eagerAll();
    QVERIFY(lazy.isLazy());
    QVERIFY(!eager.isLazy());
    QCOMPARE(lazy.shape(), (Shape{kImages, kSide, kSide, 1}));
    QVERIFY(lazy.dtype() == DType::UInt8);
    QCOMPARE(lazy.size(), eager.size());
    for (Array* a : {&lazy, &eager}) a->scale = 1.0f / 255.0f, a->offset = -0.25f;
    Rng rng(3);
    std::vector<Index> idx = shuffledIndices(kImages, rng);
    idx.resize(70);
    QCOMPARE(gatherBits(lazy, idx), gatherBits(eager, idx));
    // The decoded values are the written pixels (a 1-channel PNG of the right size: no resize).
    Tensor t;
    lazy.gather(idx.data(), 1, t);
    QCOMPARE(t[5], std::fma(float(pixels_[size_t(idx[0] * kPixels + 5)]), 1.0f / 255, -0.25f));
    QCOMPARE(lazy.value(idx[0] * kPixels + 5), t[5]);
    QCOMPARE(lazy.raw(idx[0] * kPixels + 5), double(pixels_[size_t(idx[0] * kPixels + 5)]));

    // Views: nothing decoded, still lazy, same rows.
    const std::vector<Index> pick{599, 0, 17, 17, 300, 42};
    Array lt = lazy.takeRows(pick), et = eager.takeRows(pick);
    QVERIFY(lt.isLazy());
    QCOMPARE(lt.shape(), et.shape());
    QCOMPARE(bitsOf(lt.toTensor()), bitsOf(et.toTensor()));
    Array lr = lazy.rowsRange(100, 50), er = eager.rowsRange(100, 50);
    QVERIFY(lr.isLazy());
    Tensor a, b;
    lr.slice(10, 20, a), er.slice(10, 20, b);
    QCOMPARE(bitsOf(a), bitsOf(b));
    // Composed: a takeRows of a rowsRange of a takeRows.
    Array lc = lt.rowsRange(1, 4).takeRows({3, 0, 2}), ec = et.rowsRange(1, 4).takeRows({3, 0, 2});
    QCOMPARE(bitsOf(lc.toTensor()), bitsOf(ec.toTensor()));
    for (Index i : {Index(0), Index(300), Index(767)}) QCOMPARE(lc.value(i), ec.value(i));
    // reshaped keeps the source; (N, 256) rows are whole images.
    Array lf = lazy.reshaped({kNone, kPixels}), ef = eager.reshaped({kNone, kPixels});
    QVERIFY(lf.isLazy());
    QCOMPARE(lf.shape(), (Shape{kImages, kPixels}));
    QCOMPARE(gatherBits(lf, idx), gatherBits(ef, idx));
    QCOMPARE(gatherBits(lf.takeRows(idx), {0, 5, 69}), gatherBits(ef.takeRows(idx), {0, 5, 69}));
    // Two rows per image (N*2, 128): half images, gathered from the source; views of it are
    // materialised (a row is not a whole image) and still equal.
    Array lh = lazy.reshaped({kImages * 2, kPixels / 2}), eh = eager.reshaped({kImages * 2, 128});
    QCOMPARE(gatherBits(lh, {1, 0, 1199, 601}), gatherBits(eh, {1, 0, 1199, 601}));
    QCOMPARE(bitsOf(lh.rowsRange(7, 5).toTensor()), bitsOf(eh.rowsRange(7, 5).toTensor()));
    // Two images per row: views stay lazy.
    Array l2 = lazy.reshaped({kImages / 2, 2 * kPixels}), e2 = eager.reshaped({kImages / 2, 512});
    QVERIFY(l2.takeRows({3, 1}).isLazy());
    QCOMPARE(bitsOf(l2.takeRows({3, 1}).toTensor()), bitsOf(e2.takeRows({3, 1}).toTensor()));
    // clone shares the source; toFloat32 materialises.
    Array cl = lt.clone();
    QVERIFY(cl.isLazy());
    QVERIFY(cl.rowSource() == lazy.rowSource());
    QCOMPARE(bitsOf(cl.toTensor()), bitsOf(et.toTensor()));
    Array lfl = lt.toFloat32(), efl = et.toFloat32();
    QVERIFY(!lfl.isLazy());
    QCOMPARE(std::memcmp(lfl.bytes(), efl.bytes(), efl.byteSize()), 0);

    // The seeded split of [x, y] gives lazy parts equal to the in-memory split.
    Array y = f->labels();
    ArraySplit ls = trainValidTest({lazy, y}, {0.7, 0.2, 0.1}, 8);
    ArraySplit es = trainValidTest({eager, y}, {0.7, 0.2, 0.1}, 8);
    QVERIFY(ls.train[0].isLazy() && ls.valid[0].isLazy() && ls.test[0].isLazy());
    QCOMPARE(ls.valid[0].rows(), Index(120));
    QCOMPARE(bitsOf(ls.valid[0].toTensor()), bitsOf(es.valid[0].toTensor()));
    QCOMPARE(bitsOf(ls.test[0].toTensor()), bitsOf(es.test[0].toTensor()));
    QCOMPARE(bitsOf(ls.train[1].toTensor()), bitsOf(es.train[1].toTensor()));
    ArraySplit lv = applyValidationSplit({lazy, y}, 0.25);
    QVERIFY(lv.valid[0].isLazy());
    QCOMPARE(lv.valid[0].rows(), Index(150));
    QCOMPARE(gatherBits(lv.valid[0], {0, 149}), gatherBits(eager, {450, 599}));
  }

  // (b) fit() on the lazy Dataset (as buildDataset gives it, with standardize_global streamed
  // over the lazy x) equals fit() on the same data in memory.
  void fitSameHistory() {
    DataSettings s = settings(16);
    s.normalization = "standardize_global";
    BuiltData b = buildDataset(s);
    QVERIFY(b.train.x[0].isLazy());
    QVERIFY(b.validation && b.validation->x[0].isLazy());
    QCOMPARE(b.train.size(), Index(480));
    QCOMPARE(b.validation->size(), Index(120));
    QCOMPARE(b.classNames, (std::vector<std::string>{"class_0", "class_1", "class_2"}));
    QCOMPARE(b.train.x[0].rowSource()->cacheBytes(), std::size_t(16) << 20);
    // The streamed statistics are those of the in-memory training pixels.
    Array rawTrain = eagerCopy(b.train.x[0]);
    rawTrain.scale = 1.0f, rawTrain.offset = 0.0f;
    double sum = 0, sq = 0;
    const Array f32 = rawTrain.toFloat32();
    for (Index i = 0; i < f32.size(); ++i)
      sum += f32.value(i), sq += double(f32.value(i)) * f32.value(i);
    const double mean = sum / f32.size(), std = std::sqrt(sq / f32.size() - mean * mean);
    QCOMPARE(b.settings.mean, mean);
    QCOMPARE(b.settings.std, std);
    QVERIFY(std > 10);

    ModelSpec spec = classifier();
    fitDatasetToModel(b.train, spec);
    fitDatasetToModel(*b.validation, spec);
    QVERIFY(b.train.x[0].isLazy());
    QCOMPARE(b.train.x[0].shape(), (Shape{480, kPixels}));
    History lazy = train(b.train, b.validation, 3);
    History eager = train(eagerCopy(b.train), eagerCopy(*b.validation), 3);
    QCOMPARE(lazy.keys, eager.keys);
    QCOMPARE(lazy.keys, (std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"}));
    for (const std::string& k : lazy.keys) QCOMPARE(lazy[k], eager[k]);
    QVERIFY(lazy["loss"].back() < lazy["loss"].front());
    QVERIFY(lazy["val_accuracy"].back() > 0.8);  // the class band is easy to find
  }

  // tf.data's cache() after decode: epochs after the first read the decoded uint8 pixels from the
  // folder's cache instead of the files. Two epochs (shuffled) with the cache and with none
  // (cache_mb 0: every image decoded each time) end with the same weights bit for bit.
  void cachedEpochsGiveTheSameWeights() {
    auto weightsAfter = [&](double cacheMb, Index* hits) {
      BuiltData b = buildDataset(settings(cacheMb));
      ModelSpec spec = classifier();
      fitDatasetToModel(b.train, spec);
      Model m(spec, 5);
      Trainer t(m, compileOptions());
      FitOptions o;
      o.epochs = 2, o.batchSize = 32, o.seed = 9, o.verbose = 0, o.shuffle = true;
      t.fit(b.train, o);
      *hits = b.train.x[0].rowSource()->cacheStats().hits;
      return m.getWeights();
    };
    Index cachedHits = -1, plainHits = -1;
    const std::vector<Tensor> cached = weightsAfter(16, &cachedHits);
    const std::vector<Tensor> plain = weightsAfter(0, &plainHits);
    QCOMPARE(cachedHits, Index(480));  // the whole second epoch came from the cache
    QCOMPARE(plainHits, Index(0));
    QCOMPARE(cached.size(), plain.size());
    for (size_t k = 0; k < cached.size(); ++k) {
      QCOMPARE(cached[k].shape(), plain[k].shape());
      QVERIFY(std::memcmp(cached[k].data(), plain[k].data(),
                          size_t(cached[k].size()) * sizeof(float)) == 0);
    }
  }

  // (c) a cache of 20 images' worth: two epochs never hold more than 20 images.
  void boundedCache() {
    const std::size_t limit = 20 * kPixels;
    auto f = folder(limit);
    Dataset d;
    d.x = {ImageFolder::lazyImages(f).reshaped({kNone, kPixels})};
    d.x[0].scale = 1.0f / 255.0f;
    d.y = {f->labels()};
    History h = train(d, std::nullopt, 2);
    QCOMPARE(h["loss"].size(), size_t(2));
    QVERIFY(f->cachePeakBytes() > 0);
    QVERIFY(f->cachePeakBytes() <= limit);
    QVERIFY(f->cacheBytesUsed() <= limit);
    QVERIFY(f->cacheEntries() <= 20);
    // Every image was read in each epoch and almost none could stay cached: the set was never
    // held (more decodes than images).
    QVERIFY(f->cacheMisses() > kImages);
    QVERIFY(f->cacheMisses() + f->cacheHits() >= 2 * kImages);
    // The same figures through the lazy array's source (what benchmarks and memory reports use).
    const RowSource::CacheStats st = d.x[0].rowSource()->cacheStats();
    QCOMPARE(st.boundBytes, limit);
    QCOMPARE(st.peakBytes, f->cachePeakBytes());
    QCOMPARE(st.entries, f->cacheEntries());
    QCOMPARE(st.misses, f->cacheMisses());
    QCOMPARE(st.hits, f->cacheHits());
    // The builder passes cache_mb to the folder.
    BuiltData b = buildDataset(settings(double(limit) / 1048576.0));
    QCOMPARE(b.train.x[0].rowSource()->cacheBytes(), limit);
  }

  // (d) an image that is missing or corrupt when fit reads it: an Error naming the file.
  void brokenImageDuringFit() {
    const std::string root = dir_.filePath("broken").toStdString();
    for (int c = 0; c < 2; ++c) fs::create_directories(root + "/c" + std::to_string(c));
    std::vector<std::uint8_t> px(kPixels, 90);
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 10; ++i) {
        const std::string p = root + "/c" + std::to_string(c) + "/i" + std::to_string(i) + ".png";
        QVERIFY(stbi_write_png(p.c_str(), kSide, kSide, 1, px.data(), kSide));
      }
    DataSettings s;
    s.kind = "image_folder";
    s.path = root;
    s.options = {{"height", kSide}, {"width", kSide}, {"grayscale", true}, {"cache_mb", 0}};
    s.fractions = {1.0, 0.0, 0.0};
    BuiltData b = buildDataset(s);  // scans only: nothing is decoded yet
    fitDatasetToModel(b.train, classifier());
    const std::string corrupt = root + "/c1/i3.png";
    writeText(corrupt, "this is not a PNG");
    QString e = errorOf([&] { train(b.train, std::nullopt, 1); });
    QVERIFY2(e.contains(QString::fromStdString(corrupt)), qPrintable(e));
    fs::remove(corrupt);
    e = errorOf([&] { train(b.train, std::nullopt, 1); });
    QVERIFY2(e.contains(QString::fromStdString(corrupt)), qPrintable(e));
  }

  // (e) bytes() / dataAs() on a lazy array: a clear Error; byteSize() is 0.
  void bytesOnLazyThrows() {
    Array lazy = ImageFolder::lazyImages(folder(0)).rowsRange(0, 5);
    QCOMPARE(lazy.byteSize(), size_t(0));
    QCOMPARE(QString::fromStdString(lazy.lazySource()),
             QString::fromStdString("image folder " + root_));
    const QString e = errorOf([&] { lazy.bytes(); });
    QCOMPARE(e, QString::fromStdString(
                    "Array::bytes: the data is read lazily from image folder " + root_ +
                    "; use gather() (or toTensor() to load it all into memory)"));
    QVERIFY(errorOf([&] { lazy.dataAs<std::uint8_t>(); }).contains("read lazily"));
    QVERIFY(errorOf([&] {
              Tensor t;
              Index r = 5;
              lazy.gather(&r, 1, t);
            }).contains("row 5 out of range for 5 rows"));
    QCOMPARE(Array().lazySource(), std::string());
  }
};

QTEST_APPLESS_MAIN(TestLazyImages)
#include "tst_engine_lazyimages.moc"
