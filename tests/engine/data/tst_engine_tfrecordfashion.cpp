// Real data through TFRecord: Fashion-MNIST (Debian's dataset-fashion-mnist) exported to 10 GZIP
// shards and read back equals the IDX images pixel for pixel, and the Fashion-MNIST MLP trained
// from the shards (streamed, with and without the prefetch thread, and cached in memory) ends with
// the same weights, bit for bit, as trained from IDX in memory (same seed, no shuffle, one epoch
// on a subset). Skipped with a message when the package is not installed.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>

#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/TfRecordExport.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/Trainer.h"

using namespace tessel;

namespace {

constexpr Index kSamples = 640;

DataSettings idxSettings(const std::string& normalization) {
  DataSettings s;
  s.kind = "idx";
  s.path = kFashionMnistDir;
  s.fractions = {1, 0, 0};
  s.normalization = normalization;
  return s;
}

// The Fashion-MNIST MLP's weights after one epoch on `data` (or untrained when data is null).
std::vector<float> trainedWeights(const Dataset* data) {
  const ModelFile file = readModelFile(std::string(TESSEL_SOURCE_DIR) +
                                       "/resources/examples/fashion_mnist_mlp/model.json");
  Model model(file.spec, 3);
  std::vector<float> w;
  if (!data) {
    for (auto& [name, v] : model.namedWeights())
      w.insert(w.end(), v->value.data(), v->value.data() + v->value.size());
    return w;
  }
  Dataset d = *data;
  fitDatasetToModel(d, file.spec);
  Trainer t(model, CompileOptions{{"sparse_categorical_crossentropy"},
                                  {},
                                  {{"accuracy"}},
                                  {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}}});
  FitOptions o;
  o.epochs = 1;
  o.batchSize = 32;
  o.shuffle = false;
  o.seed = 3;
  o.verbose = 0;
  t.fit(d, o);
  for (auto& [name, v] : model.namedWeights())
    w.insert(w.end(), v->value.data(), v->value.data() + v->value.size());
  return w;
}

}  // namespace

class TestTfRecordFashion : public QObject {
  Q_OBJECT
 private slots:
  void shardsTrainLikeIdxBitForBit() {
    if (!fashionMnistAvailable())
      QSKIP("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    QTemporaryDir dir;
    const std::string out = dir.filePath("fmnist").toStdString();
    BuildOptions limit;
    limit.trainLimit = kSamples;
    const BuiltData raw = buildDataset(idxSettings("none"), limit);
    const TfRecordExportResult r =
        exportTfRecords(raw.train, {out, 10, TfRecordCompression::Gzip, "train"});
    QCOMPARE(r.files.size(), size_t(10));
    QCOMPARE(r.records, kSamples);

    DataSettings tf;
    tf.kind = "tfrecord";
    tf.path = out;
    tf.fractions = {1, 0, 0};
    tf.normalization = "rescale";
    const BuiltData fromIdx = buildDataset(idxSettings("rescale"));
    Dataset idx = fromIdx.train;
    idx.x[0] = idx.x[0].rowsRange(0, kSamples);
    idx.y[0] = idx.y[0].rowsRange(0, kSamples);

    BuiltData streamed = buildDataset(tf);
    QCOMPARE(streamed.train.size(), kSamples);
    // Same pixels and labels (the PNGs are lossless).
    QCOMPARE(streamed.train.x[0].toTensor().size(), idx.x[0].toTensor().size());
    const Tensor a = streamed.train.x[0].toTensor(), b = idx.x[0].toTensor();
    QVERIFY(std::memcmp(a.data(), b.data(), size_t(a.size()) * 4) == 0);

    const std::vector<float> reference = trainedWeights(&idx);
    QVERIFY(reference != trainedWeights(nullptr));  // training changed the weights
    QVERIFY(trainedWeights(&streamed.train) == reference);
    tf.pipeline.prefetch = 4;
    const BuiltData prefetched = buildDataset(tf);
    QVERIFY(trainedWeights(&prefetched.train) == reference);
    tf.pipeline.cache = "memory";
    const BuiltData cached = buildDataset(tf);
    QVERIFY(trainedWeights(&cached.train) == reference);
  }
};

QTEST_APPLESS_MAIN(TestTfRecordFashion)
#include "tst_engine_tfrecordfashion.moc"
