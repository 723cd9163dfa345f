// Every Keras file that crashed, leaked in or exhausted memory inside libhdf5 1.10.8 (Debian 12)
// while fuzzing (tests/fuzz: fuzz_keras_h5 and fuzz_keras_archive, README "Reliability"), read
// the way the studio and `tessel` read them: File > Import (readAnyModelFile) and File > Load
// weights (readAnyWeightsFile) run the library in a child process (engine/io/IsolatedRead.h) with
// a memory cap and a deadline. Each read ends in a tessel::Error with a one-line message naming
// the file, nothing is imported, this process goes on, and a good file reads right after.
// tests/fixtures/hostile/: h5-crash-*, h5-oom-* (fuzz_keras_h5), keras-leak-* (fuzz_keras_archive).
#include <QDir>
#include <QElapsedTimer>
#include <QtTest>

#include <string>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/train/Model.h"
#include "fuzz/FuzzKerasFile.h"  // fixedMlp(): the model the fuzz targets load weights into
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

const QString kHostile = TESSEL_FIXTURES_DIR "/hostile/";
const std::string kGood = TESSEL_FIXTURES_DIR "/h5/mlp_keras2.h5";

// "" when the read succeeded (a fuzzed file may still be a valid one), else the Error's message.
using tessel::testutil::errorOf;

}  // namespace

class TestHostileKeras : public QObject {
  Q_OBJECT

 private slots:
  void everyHostileFileIsAnErrorNotACrash_data() {
    QTest::addColumn<QString>("file");
    const QStringList files = QDir(kHostile).entryList(QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 30, "tests/fixtures/hostile/ is missing files");
    for (const QString& f : files) QTest::newRow(qPrintable(f)) << kHostile + f;
  }

  void everyHostileFileIsAnErrorNotACrash() {
    QFETCH(QString, file);
    const std::string path = file.toStdString();
    QElapsedTimer clock;
    clock.start();
    const std::string model = errorOf([&] { readAnyModelFile(path); });
    Model& fixed = fuzz::fixedMlp();
    const std::string weights = errorOf([&] {
      readAnyWeightsFile(path, fixed, WeightsMatch::ByOrder);
      readAnyWeightsFile(path, fixed, WeightsMatch::ByName);
    });
    for (const std::string& e : {model, weights}) {
      if (e.empty()) continue;
      QVERIFY2(e.find(path) != std::string::npos, e.c_str());  // names the file
      QVERIFY2(e.find('\n') == std::string::npos, e.c_str());  // one line
    }
    // Every one of these files is corrupt: the model read, at least, is refused.
    QVERIFY2(!model.empty(), "a fuzzer's crash file imported as a model");
    QVERIFY2(clock.elapsed() < 60000, "a hostile file took over a minute");
  }

  void aGoodFileReadsAfterThem() {
    const ModelFile f = readAnyModelFile(kGood);
    QVERIFY(!f.weights.empty());
    Model& fixed = fuzz::fixedMlp();
    QCOMPARE(readAnyWeightsFile(kGood, fixed).size(), fixed.namedWeights().size());
  }
};

QTEST_APPLESS_MAIN(TestHostileKeras)
#include "tst_engine_io_hostilekeras.moc"
