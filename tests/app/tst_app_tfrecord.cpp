// `tessel data export --tfrecord` and `tessel train/evaluate --tfrecord` on real data: a
// Fashion-MNIST subset exported to 10 GZIP shards trains the Fashion-MNIST MLP to the same
// weights, bit for bit, as the same samples given as .npy files (same seed, --no-shuffle, one
// epoch), with the prefetch thread on. Also the command's usage errors. Skipped with a message
// when dataset-fashion-mnist is not installed.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "CliTestUtil.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/Npy.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestAppTfRecord : public QObject {
  Q_OBJECT
 private slots:
  void usageErrors() {
    Run r = runTessel({"data", "export", "--tfrecord", "/tmp/x"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("give one source"), qPrintable(r.err));
    r = runTessel({"data", "import", "--tfrecord", "/tmp/x"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("unknown action 'import'"), qPrintable(r.err));
    r = runTessel({"data", "export", "--data", "fashion-mnist", "--tfrecord", "/tmp/x",
                   "--compression", "lzma"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("unknown TFRecord compression 'lzma'"), qPrintable(r.err));
    QTemporaryDir dir;
    r = runTessel({"train",
                   QString(TESSEL_SOURCE_DIR) + "/resources/examples/fashion_mnist_mlp/model.json",
                   "--tfrecord", dir.filePath("none-*.tfrecord")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("no TFRecord files found"), qPrintable(r.err));
  }

  void exportedShardsTrainLikeNpyBitForBit() {
    if (!fashionMnistAvailable())
      QSKIP("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    QTemporaryDir dir;
    const QString shards = dir.filePath("shards");
    Run r = runTessel({"data", "export", "--data", "fashion-mnist", "--limit", "1000", "--tfrecord",
                       shards, "--shards", "10", "--compression", "gzip"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("Wrote 1000 training samples to 10 shard(s)"), qPrintable(r.out));
    QVERIFY(QFile::exists(shards + "/data-00009-of-00010.tfrecord.gz"));
    QVERIFY(QFile::exists(shards + "/features.json"));

    // The same samples as .npy files, as the export read them (raw uint8 pixels, labels).
    DataSettings s;
    s.kind = "idx";
    s.path = kFashionMnistDir;
    s.fractions = {1, 0, 0};
    BuildOptions o;
    o.trainLimit = 1000;
    const BuiltData built = buildDataset(s, o);
    const std::string x = dir.filePath("x.npy").toStdString(),
                      y = dir.filePath("y.npy").toStdString();
    writeNpy(x, built.train.x[0]);
    writeNpy(y, built.train.y[0]);

    const QString model =
        QString(TESSEL_SOURCE_DIR) + "/resources/examples/fashion_mnist_mlp/model.json";
    const QStringList common = {"--epochs", "1", "--no-shuffle", "--seed", "1", "--verbose", "0"};
    r = runTessel(QStringList{"train", model, "--x", QString::fromStdString(x), "--y",
                              QString::fromStdString(y), "--save", dir.filePath("npy/model.json")} +
                  common);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = runTessel(QStringList{"train", model, "--tfrecord", shards, "--prefetch", "4", "--save",
                              dir.filePath("tfr/model.json")} +
                  common);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QByteArray a = fileBytes(dir.filePath("npy/group1-shard1of1.bin"));
    QVERIFY(!a.isEmpty());
    QVERIFY2(a == fileBytes(dir.filePath("tfr/group1-shard1of1.bin")),
             "the weights trained from TFRecord shards differ from those trained from .npy");

    r = runTessel({"evaluate", dir.filePath("tfr/model.json"), "--tfrecord", shards});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("accuracy: "), qPrintable(r.out));
  }
};

QTEST_APPLESS_MAIN(TestAppTfRecord)
#include "tst_app_tfrecord.moc"
