// `tessel train MODEL --data-settings FILE.json`: any data set the studio saves (here the bundled
// fortunes text classifier's data.json, limited to 96 samples) trains from the command line; the
// split's validation and test parts are used, and --save writes the vocabulary adapted on the
// training split into the model's TextVectorization. Errors: --data-settings with --data, a
// missing file. No timing is asserted.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/app/CliTestUtil.h"

using namespace tessel::testutil;

namespace {

const QString kExample = QStringLiteral(TESSEL_SOURCE_DIR "/resources/examples/fortunes_text");

QJsonObject readJson(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

}  // namespace

class TestTrainDataSettings : public QObject {
  Q_OBJECT
 private slots:
  void fortunesExampleTrains() {
    if (!QFileInfo::exists("/usr/share/games/fortunes/computers"))
      QSKIP("the fortunes package is not installed");
    QTemporaryDir tmp;
    QJsonObject settings = readJson(kExample + "/data.json");
    QVERIFY(!settings.isEmpty());
    QJsonObject options = settings["options"].toObject();
    options["max_samples"] = 96;
    settings["options"] = options;
    const QString file = tmp.filePath("data.json");
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(settings).toJson());
    out.close();
    const QString saved = tmp.filePath("trained/model.json");
    const Run r = runTessel({"train", kExample + "/model.json", "--data-settings", file, "--epochs",
                             "1", "--verbose", "2", "--save", saved});
    QVERIFY2(r.code == 0 && !r.crashed, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("val_accuracy"), qPrintable(r.out));
    QVERIFY2(r.out.contains("Test: loss"), qPrintable(r.out));
    // The saved model carries the adapted vocabulary ("" and "[UNK]" first).
    QJsonArray layers =
        readJson(saved)["modelTopology"].toObject()["config"].toObject()["layers"].toArray();
    QJsonArray vocab;
    for (const auto& l : layers)
      if (l.toObject()["name"] == "text_vectorization")
        vocab = l.toObject()["config"].toObject()["vocabulary"].toArray();
    QVERIFY2(vocab.size() > 100, qPrintable(QString::number(vocab.size())));
    QCOMPARE(vocab[0].toString(), QString(""));
    QCOMPARE(vocab[1].toString(), QString("[UNK]"));
  }

  void badUse() {
    Run r = runTessel({"train", kExample + "/model.json", "--data-settings",
                       kExample + "/data.json", "--data", "fashion-mnist"});
    QVERIFY(!r.crashed && r.code != 0);
    QVERIFY2(r.err.contains("--data-settings"), qPrintable(r.err));
    r = runTessel(
        {"train", kExample + "/model.json", "--data-settings", kExample + "/missing.json"});
    QVERIFY(!r.crashed && r.code != 0);
    QVERIFY2(r.err.contains("missing.json"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestTrainDataSettings)
#include "tst_app_traindatasettings.moc"
