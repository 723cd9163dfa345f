// The "tfrecord" data source: feature specifications (proposed from the first records, Keras's
// FixedLenFeature / VarLenFeature / FixedLenSequenceFeature), encoded images decoded through the
// engine's stb path, clear errors before training, the pipeline steps (interleave order,
// skip/take, streaming shuffle buffer, prefetch thread, memory and file caches), export of a data
// set and its reading back, and fit() on streamed shards.
#include <QTemporaryDir>
#include <QtTest>

#include <stb_image_write.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "../train/TrainTestUtil.h"
#include "DataTestUtil.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/RowSource.h"
#include "engine/data/TfRecordExport.h"
#include "engine/data/TfRecordSource.h"
#include "engine/io/TfRecordReader.h"
#include "engine/io/TfRecordWriter.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using testutil::errorOf;
using namespace tessel::test;

namespace {

void appendPng(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
}

// A 2x3 grayscale PNG whose pixels are i, i+1, ..., i+5 (the sample is recognisable by them).
std::string pngOf(int i) {
  unsigned char px[6];
  for (int k = 0; k < 6; ++k) px[k] = static_cast<unsigned char>(i + k);
  std::string out;
  stbi_write_png_to_func(appendPng, &out, 3, 2, 1, px, 3);
  return out;
}

// n Examples as the tf.data tutorials write them: an image, hours (4 floats), age (int64),
// favorite_books (strings), label (int64 = i % 3); `tokens` of varying length.
TfExample exampleOf(int i) {
  TfExample e;
  e.features["image"] = TfFeatureValue::ofBytes({pngOf(i)});
  e.features["hours"] = TfFeatureValue::ofFloats({15.5f + float(i), 9.5f, 7, 8});
  e.features["age"] = TfFeatureValue::ofInts({40 + i});
  e.features["favorite_books"] = TfFeatureValue::ofBytes({"machine learning", "cc150"});
  e.features["label"] = TfFeatureValue::ofInts({i % 3});
  std::vector<std::int64_t> tokens(size_t(1 + i % 4), i);
  e.features["tokens"] = TfFeatureValue::ofInts(tokens);
  return e;
}

// Writes samples [0, n) to `shards` files, sample i to shard i % shards.
std::string writeShards(const std::string& dir, int n, int shards,
                        TfRecordCompression c = TfRecordCompression::Gzip,
                        const std::function<TfExample(int)>& make = exampleOf) {
  std::vector<std::unique_ptr<TfRecordWriter>> w;
  for (int s = 0; s < shards; ++s)
    w.push_back(
        std::make_unique<TfRecordWriter>(dir + "/part-" + std::to_string(s) + ".tfrecord", c));
  for (int i = 0; i < n; ++i) w[size_t(i % shards)]->write(make(i).serialize());
  for (auto& x : w) x->close();
  return dir + "/part-*.tfrecord";
}

DataSettings settingsFor(const std::string& pattern) {
  DataSettings s;
  s.kind = "tfrecord";
  s.path = pattern;
  s.fractions = {1, 0, 0};
  return s;
}

std::vector<float> rowsOf(const Array& a, Index n) {
  std::vector<Index> idx(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) idx[size_t(i)] = i;
  Tensor t;
  a.gather(idx.data(), n, t);
  return std::vector<float>(t.data(), t.data() + t.size());
}

// The sample ids of a streamed image array read once in order (pixel 0 of each row).
std::vector<int> idsOf(const Array& x, Index n) {
  const auto v = rowsOf(x, n);
  std::vector<int> ids;
  for (Index i = 0; i < n; ++i) ids.push_back(int(v[size_t(i * x.rowSize())]));
  return ids;
}

}  // namespace

class TestTfRecordData : public QObject {
  Q_OBJECT
 private slots:
  void pipelineSettingsRoundTrip() {
    DataSettings s;
    // Default steps are not written: settings stored before the pipeline keep their hash.
    QVERIFY(!s.toJson().contains("pipeline"));
    s.pipeline.cycleLength = 4;
    s.pipeline.shuffleBuffer = 1000;
    s.pipeline.prefetch = 2;
    s.pipeline.cache = "memory";
    s.pipeline.take = 50;
    const DataSettings back = DataSettings::fromJson(s.toJson());
    QCOMPARE(back.toJson(), s.toJson());
    QCOMPARE(back.pipeline.shuffleBuffer, std::int64_t(1000));
    QVERIFY(back.hash() != DataSettings().hash());
    nlohmann::json bad = s.toJson();
    bad["pipeline"]["prefetch"] = -1;
    QVERIFY(errorOf([&] { DataSettings::fromJson(bad); }).contains("prefetch"));
  }

  void specIsProposedFromTheFirstRecords() {
    QTemporaryDir dir;
    const std::string pattern = writeShards(dir.path().toStdString(), 8, 1);
    const TfRecordPreview p = inspectTfRecords(pattern);
    QCOMPARE(int(p.compression), int(TfRecordCompression::Gzip));
    QCOMPARE(p.examples.size(), size_t(8));
    QCOMPARE(p.skipped, std::vector<std::string>{"favorite_books"});
    const TfFeatureSpec& s = p.proposed;
    QCOMPARE(s.labels, std::vector<std::string>{"label"});
    const auto* image = s.find("image");
    QVERIFY(image && image->image && image->height == 2 && image->width == 3 &&
            image->channels == 1);
    QCOMPARE(s.find("hours")->shape, (std::vector<Index>{4}));
    QVERIFY(s.find("age")->shape.empty() && s.find("age")->dtype == "int64");
    QCOMPARE(int(s.find("tokens")->type), int(TfFeatureSpec::Feature::Type::VarLen));
    QCOMPARE(s.find("tokens")->length, Index(4));
    // The JSON form round-trips.
    QCOMPARE(TfFeatureSpec::fromJson(s.toJson()).toJson(), s.toJson());
  }

  void imagesAndFeaturesAreDecoded() {
    QTemporaryDir dir;
    DataSettings s = settingsFor(writeShards(dir.path().toStdString(), 6, 2));
    BuiltData b = buildDataset(s);
    // Inputs in spec order (age, hours, image, tokens), one label.
    QCOMPARE(b.train.x.size(), size_t(4));
    QCOMPARE(b.train.y.size(), size_t(1));
    const Array& image = b.train.x[2];
    QCOMPARE(image.shape(), (Shape{6, 2, 3, 1}));
    QCOMPARE(int(image.dtype()), int(DType::UInt8));
    QVERIFY(image.isLazy() && image.rowSource()->sequentialOnly());
    const auto px = rowsOf(image, 6);
    for (int i = 0; i < 6; ++i)
      for (int k = 0; k < 6; ++k) QCOMPARE(px[size_t(i * 6 + k)], float(i + k));
    QCOMPARE(rowsOf(b.train.x[0], 3), (std::vector<float>{40, 41, 42}));
    QCOMPARE(rowsOf(b.train.x[3], 2), (std::vector<float>{0, 0, 0, 0, 1, 1, 0, 0}));
    QCOMPARE(rowsOf(b.train.y[0], 6), (std::vector<float>{0, 1, 2, 0, 1, 2}));
    // The proposed specification is recorded in the built settings.
    QVERIFY(b.settings.options.contains("features"));
    QCOMPARE(b.settings.options["labels"], nlohmann::json::array({"label"}));
  }

  void badInputIsReportedBeforeTraining_data() {
    QTest::addColumn<QString>("feature");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << R"({"name": "nope", "type": "FixedLenFeature", "dtype": "float32"})"
                             << "feature 'nope' is missing";
    QTest::newRow("dtype") << R"({"name": "age", "type": "FixedLenFeature", "dtype": "float32"})"
                           << "feature 'age' is int64 in the record but float32";
    QTest::newRow("not an image")
        << R"({"name": "favorite_books", "dtype": "string", "image": {"height": 2, "width": 3}})"
        << "holds 2 byte strings";
    QTest::newRow("mixed shapes")
        << R"({"name": "tokens", "type": "FixedLenFeature", "dtype": "int64", "shape": [2]})"
        << "mixed shapes";
  }
  void badInputIsReportedBeforeTraining() {
    QFETCH(QString, feature);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    DataSettings s = settingsFor(writeShards(dir.path().toStdString(), 6, 1));
    s.options = nlohmann::json::parse(R"({"features": [{"name": "label", "dtype": "int64"}, )" +
                                      feature.toStdString() + R"(], "labels": ["label"]})");
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains(expected) && e.contains("part-0.tfrecord: record "), qPrintable(e));
  }

  void bytesThatAreNotAnImageAreRefused() {
    QTemporaryDir dir;
    const std::string pattern =
        writeShards(dir.path().toStdString(), 4, 1, TfRecordCompression::None, [](int i) {
          TfExample e = exampleOf(i);
          if (i == 2) e.features["image"] = TfFeatureValue::ofBytes({"GIF8 not really"});
          return e;
        });
    DataSettings s = settingsFor(pattern);
    s.options = {
        {"features",
         {{{"name", "image"}, {"dtype", "string"}, {"image", {{"height", 2}, {"width", 3}}}},
          {{"name", "label"}, {"dtype", "int64"}}}},
        {"labels", {"label"}}};
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains("record 2") && e.contains("feature 'image' is not an encoded image"),
             qPrintable(e));
  }

  void interleaveOrderFollowsCycleLength() {
    QTemporaryDir dir;
    DataSettings s = settingsFor(writeShards(dir.path().toStdString(), 10, 3));
    // cycle_length = all shards: the samples come back in their written order.
    QCOMPARE(idsOf(buildDataset(s).train.x[2], 10),
             (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    // cycle_length 1: one shard after the other.
    s.pipeline.cycleLength = 1;
    QCOMPARE(idsOf(buildDataset(s).train.x[2], 10),
             (std::vector<int>{0, 3, 6, 9, 1, 4, 7, 2, 5, 8}));
    // cycle_length 2: shards 0 and 1 in turn, shard 2 takes the slot shard 1 leaves.
    s.pipeline.cycleLength = 2;
    QCOMPARE(idsOf(buildDataset(s).train.x[2], 10),
             (std::vector<int>{0, 1, 3, 4, 6, 7, 9, 2, 5, 8}));
    // skip and take apply to the interleaved records.
    s.pipeline.cycleLength = 0;
    s.pipeline.skip = 2;
    s.pipeline.take = 5;
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.size(), Index(5));
    QCOMPARE(idsOf(b.train.x[2], 5), (std::vector<int>{2, 3, 4, 5, 6}));
  }

  void fractionsSplitConsecutiveParts() {
    QTemporaryDir dir;
    DataSettings s = settingsFor(writeShards(dir.path().toStdString(), 20, 4));
    s.fractions = {0.7, 0.2, 0.1};
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.size(), Index(14));
    QCOMPARE(idsOf(b.validation->x[2], 4), (std::vector<int>{14, 15, 16, 17}));
    QCOMPARE(idsOf(b.test->x[2], 2), (std::vector<int>{18, 19}));
  }

  void shuffleBufferShufflesEachEpochAndKeepsPairs() {
    QTemporaryDir dir;
    DataSettings s = settingsFor(writeShards(dir.path().toStdString(), 40, 4));
    s.pipeline.shuffleBuffer = 8;
    s.splitSeed = 5;
    BuiltData b = buildDataset(s);
    const std::vector<int> e0 = idsOf(b.train.x[2], 40);
    const std::vector<float> y0 = rowsOf(b.train.y[0], 40);
    const std::vector<int> e1 = idsOf(b.train.x[2], 40);  // row 0 again: the next pass
    std::vector<int> sorted0 = e0, sorted1 = e1;
    std::sort(sorted0.begin(), sorted0.end());
    std::sort(sorted1.begin(), sorted1.end());
    std::vector<int> all(40);
    std::iota(all.begin(), all.end(), 0);
    QCOMPARE(sorted0, all);
    QCOMPARE(sorted1, all);
    QVERIFY(e0 != all);
    QVERIFY(e0 != e1);  // reshuffled each iteration
    for (int i = 0; i < 40; ++i) QCOMPARE(y0[size_t(i)], float(e0[size_t(i)] % 3));
    // A buffer of 8 moves no sample more than 7 places ahead of its input position.
    for (int i = 0; i < 40; ++i) QVERIFY(e0[size_t(i)] <= i + 7);
    // The same seed gives the same order.
    QCOMPARE(idsOf(buildDataset(s).train.x[2], 40), e0);
  }

  void labelsAreReadWithoutTheImagesOutsideTheWindow() {
    QTemporaryDir dir;
    DataSettings s = settingsFor(writeShards(dir.path().toStdString(), 3000, 3));
    BuiltData b = buildDataset(s);
    // The whole label column (the Trainer's label check) and then the images in order.
    const Tensor y = b.train.y[0].toTensor();
    QCOMPARE(y.size(), Index(3000));
    QCOMPARE(y.data()[2999], float(2999 % 3));
    QCOMPARE(idsOf(b.train.x[2], 3)[2], 2);
  }

  void prefetchAndCachesGiveTheSameSamples() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    DataSettings s = settingsFor(writeShards(d, 50, 5));
    const std::vector<float> plain = rowsOf(buildDataset(s).train.x[2], 50);
    s.pipeline.prefetch = 2;
    s.pipeline.batch = 4;
    BuiltData pre = buildDataset(s);
    QCOMPARE(rowsOf(pre.train.x[2], 50), plain);
    QCOMPARE(rowsOf(pre.train.x[2], 50), plain);  // and again after a restart
    s.pipeline.cache = "memory";
    BuiltData mem = buildDataset(s);
    QVERIFY(!mem.train.x[2].isLazy());
    QCOMPARE(rowsOf(mem.train.x[2], 50), plain);
    s.pipeline.cache = d + "/cache";
    BuiltData file = buildDataset(s);
    QVERIFY(std::filesystem::exists(d + "/cache.train.bin"));
    QVERIFY(!file.train.x[2].rowSource()->sequentialOnly());  // read by offset, any order
    QCOMPARE(rowsOf(file.train.x[2], 50), plain);
    const Index back[] = {49, 0, 7};
    Tensor t;
    file.train.x[2].gather(back, 3, t);
    QCOMPARE(t.data()[6], 0.0f);
    QCOMPARE(t.data()[12], 7.0f);
    // The cache file is reused while it matches.
    const auto stamp = std::filesystem::last_write_time(d + "/cache.train.bin");
    BuiltData again = buildDataset(s);
    QCOMPARE(std::filesystem::last_write_time(d + "/cache.train.bin"), stamp);
    QCOMPARE(rowsOf(again.train.y[0], 50), rowsOf(file.train.y[0], 50));
  }

  void prefetchThreadErrorsReachTheTrainer() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    const std::string pattern = writeShards(d, 30, 1, TfRecordCompression::None);
    DataSettings s = settingsFor(pattern);
    s.pipeline.prefetch = 1;
    BuiltData b = buildDataset(s);
    // The file is damaged after the check: the reader thread's error reaches gather().
    std::string bytes;
    {
      std::ifstream in(d + "/part-0.tfrecord", std::ios::binary);
      bytes.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    bytes[bytes.size() - 10] ^= 0x20;
    std::ofstream(d + "/part-0.tfrecord", std::ios::binary) << bytes;
    const QString e = errorOf([&] { rowsOf(b.train.x[2], 30); });
    QVERIFY2(e.contains("part-0.tfrecord: record 29") && e.contains("CRC"), qPrintable(e));
  }

  void sequenceExamplesArePadded() {
    QTemporaryDir dir;
    const std::string pattern =
        writeShards(dir.path().toStdString(), 4, 1, TfRecordCompression::Zlib, [](int i) {
          TfExample e;
          e.sequence = true;
          e.features["label"] = TfFeatureValue::ofInts({i});
          for (int t = 0; t <= i; ++t)
            e.featureLists["frames"].push_back(TfFeatureValue::ofFloats({float(t), float(i)}));
          return e;
        });
    BuiltData b = buildDataset(settingsFor(pattern));
    QCOMPARE(b.train.x[0].shape(), (Shape{4, 4, 2}));
    const auto v = rowsOf(b.train.x[0], 2);
    QCOMPARE(v, (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0}));
  }

  void exportedDataReadsBackInOrder() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    Array x(DType::UInt8, {7, 2, 3}), y(DType::Int32, {7}), box(DType::Float32, {7, 4});
    for (Index i = 0; i < x.size(); ++i) x.bytes()[i] = std::uint8_t(i * 3 % 256);
    for (Index i = 0; i < 7; ++i) {
      y.dataAs<std::int32_t>()[i] = std::int32_t(i % 4);
      for (int k = 0; k < 4; ++k)
        box.dataAs<float>()[i * 4 + k] = 0.1f * float(i) + 0.01f * float(k);
    }
    Dataset data;
    data.x = {x};
    data.y = {y, box};
    const TfRecordExportResult r =
        exportTfRecords(data, {d + "/out", 3, TfRecordCompression::Gzip, "fmnist"});
    QCOMPARE(r.files.size(), size_t(3));
    QVERIFY(r.files[0].find("fmnist-00000-of-00003.tfrecord.gz") != std::string::npos);
    QVERIFY(std::filesystem::exists(d + "/out/features.json"));
    DataSettings s = settingsFor(d + "/out");
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x.size(), size_t(1));
    QCOMPARE(b.train.y.size(), size_t(2));
    QCOMPARE(b.train.x[0].shape(), (Shape{7, 2, 3, 1}));
    QCOMPARE(rowsOf(b.train.x[0], 7), rowsOf(x, 7));
    QCOMPARE(rowsOf(b.train.y[0], 7), rowsOf(y, 7));
    QCOMPARE(rowsOf(b.train.y[1], 7), rowsOf(box, 7));
  }

  void fitReadsStreamedShardsInOrder() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    // y = sum of the hours: a regression from the 4 "hours" values.
    const std::string pattern = writeShards(d, 64, 4, TfRecordCompression::Gzip, [](int i) {
      TfExample e;
      const std::vector<float> h = {0.01f * float(i), 0.5f, -0.25f, 0.02f * float(i % 5)};
      e.features["hours"] = TfFeatureValue::ofFloats(h);
      e.features["label"] = TfFeatureValue::ofFloats({h[0] + h[1] + h[2] + h[3]});
      return e;
    });
    DataSettings s = settingsFor(pattern);
    s.pipeline.prefetch = 2;
    BuiltData b = buildDataset(s);
    Model m(makeSpec({inputNode("x", {4}), denseNode("d", 1, "x")}, {"x"}, {"d"}), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    FitOptions o;
    o.epochs = 20;
    o.batchSize = 8;
    o.shuffle = true;  // ignored for a stream, as Keras ignores it for a tf.data.Dataset
    o.verbose = 0;
    const History h = t.fit(b.train, o);
    QVERIFY(h["loss"].back() < h["loss"].front() * 0.2);
  }
};

QTEST_APPLESS_MAIN(TestTfRecordData)
#include "tst_engine_tfrecorddata.moc"
