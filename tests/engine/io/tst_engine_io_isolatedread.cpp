// Model files read in a child process (engine/io/IsolatedRead.h): readAnyModelFile reads .h5 and
// .keras files in a child, so a crash inside libhdf5 (tests/fuzz: fuzz_keras_h5) becomes an
// error. What comes back equals the direct read (spec, weights bit for bit, optimizer state,
// training config) for h5py-written and Tessel-written files; the child's Error keeps its
// message; a child that crashes or runs out of memory is an error naming the file.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>

#include "engine/core/Error.h"
#include "engine/io/IsolatedRead.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasH5.h"
#include "engine/train/Model.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

const std::string kDir = TESSEL_FIXTURES_DIR "/h5/";

using tessel::testutil::errorOf;

void compareWeights(const NamedWeights& a, const NamedWeights& b) {
  QCOMPARE(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    QCOMPARE(a[i].first, b[i].first);
    QCOMPARE(a[i].second.shape(), b[i].second.shape());
    QVERIFY(std::memcmp(a[i].second.data(), b[i].second.data(),
                        size_t(a[i].second.size()) * sizeof(float)) == 0);
  }
}

void compareFiles(const ModelFile& a, const ModelFile& b) {
  QCOMPARE(a.spec.toKerasJson(), b.spec.toKerasJson());
  QCOMPARE(a.trainingConfig, b.trainingConfig);
  compareWeights(a.weights, b.weights);
  compareWeights(a.optimizerWeights, b.optimizerWeights);
}

}  // namespace

class TestIsolatedRead : public QObject {
  Q_OBJECT

 private slots:
  void sameAsTheDirectRead() {
    // h5py-written Keras 2 files (with Adam state) and the Keras 3 archive Tessel writes of one.
    for (const char* name : {"mlp_keras2.h5", "cnn_keras2.h5", "bidir_td_adam_keras2.h5"}) {
      const std::string path = kDir + name;
      const ModelFile direct = readKerasH5Model(path);
      QVERIFY(!direct.weights.empty());
      compareFiles(readAnyModelFile(path), direct);
    }
    QTemporaryDir dir;
    const std::string keras = dir.filePath("m.keras").toStdString();
    writeKerasArchive(keras, readKerasH5Model(kDir + "mlp_keras2.h5"));
    const ModelFile viaChild = readAnyModelFile(keras);
    compareFiles(viaChild, readKerasArchive(keras));
    QVERIFY(!viaChild.optimizerWeights.empty());
  }

  void weightsSameAsTheDirectRead() {
    // Load Weights from a Keras 2 .h5 (by name and by order) and from a .keras archive.
    const std::string h5 = kDir + "mlp_keras2.h5";
    const ModelFile f = readKerasH5Model(h5);
    Model model(f.spec, 0);
    for (WeightsMatch match : {WeightsMatch::ByName, WeightsMatch::ByOrder})
      compareWeights(readAnyWeightsFile(h5, model, match), readKerasWeightsFile(h5, model, match));
    QTemporaryDir dir;
    const std::string keras = dir.filePath("m.keras").toStdString();
    writeKerasArchive(keras, f);
    const NamedWeights back = readAnyWeightsFile(keras, model);
    QCOMPARE(back.size(), f.weights.size());
    compareWeights(back, readAnyWeightsFile(h5, model, WeightsMatch::ByName));
    // The child's error, as the direct read's.
    const std::string cut = dir.filePath("cut.weights.h5").toStdString();
    std::ofstream(cut, std::ios::binary) << "\x89HDF\r\n\x1a\n and then nothing";
    const std::string e = errorOf([&] { readAnyWeightsFile(cut, model); });
    QVERIFY2(!e.empty(), "a broken weights file read without an error");
    QCOMPARE(e, errorOf([&] { readKerasWeightsFile(cut, model, WeightsMatch::ByOrder); }));
  }

  void theChildsErrorKeepsItsMessage() {
    for (const char* name : {"bad_count.h5", "bad_shape.h5"}) {
      const std::string path = kDir + name;
      std::string direct;
      try {
        readKerasH5Model(path);
      } catch (const std::exception& e) {
        direct = e.what();
      }
      if (direct.empty()) continue;  // a weights-only fixture the model reader accepts
      QCOMPARE(errorOf([&] { readAnyModelFile(path); }), direct);
    }
    // A truncated file: the same message as the direct read.
    QTemporaryDir dir;
    const std::string cut = dir.filePath("cut.h5").toStdString();
    std::ifstream in(kDir + "mlp_keras2.h5", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    const std::string e = errorOf([&] { readAnyModelFile(cut); });
    QVERIFY2(!e.empty(), "a truncated file read without an error");
    QCOMPARE(e, errorOf([&] { readKerasH5Model(cut); }));
  }

  void aCrashOrOutOfMemoryInTheChildIsAnError() {
    const std::string crash = errorOf([] {
      readModelFileIsolated("bad.h5", [](const std::string&) -> ModelFile {
        std::raise(SIGSEGV);
        return {};
      });
    });
    // A signal, or under a sanitizer its report and exit status.
    QVERIFY2(crash.find("bad.h5: reading the file crashed the file library (") == 0 &&
                 crash.find("nothing was imported") != std::string::npos,
             crash.c_str());
    const std::string oom = errorOf([] {
      readModelFileIsolated("big.h5",
                            [](const std::string&) -> ModelFile { throw std::bad_alloc(); });
    });
    QVERIFY2(!oom.empty(), "bad_alloc in the child was not reported");
    // And the parent goes on: a good read right after.
    QVERIFY(!readAnyModelFile(kDir + "mlp_keras2.h5").weights.empty());
  }

  void aChildThatNeverFinishesIsKilledAtTheDeadline() {
    qputenv("TESSEL_READ_TIMEOUT_S", "1");
    QElapsedTimer clock;
    clock.start();
    const std::string e = errorOf([] {
      readModelFileIsolated("loop.h5", [](const std::string&) -> ModelFile {
        for (;;) ::pause();  // a library looping on a corrupt file
      });
    });
    qunsetenv("TESSEL_READ_TIMEOUT_S");
    QVERIFY2(e.find("loop.h5: reading the file took longer than 1 s") == 0 &&
                 e.find("nothing was imported") != std::string::npos,
             e.c_str());
    QVERIFY2(clock.elapsed() < 30000, "the deadline was not kept");
    QVERIFY(!readAnyModelFile(kDir + "mlp_keras2.h5").weights.empty());
  }

  void aClaimedHugeAllocationFailsInsideTheChild() {
#if defined(__SANITIZE_ADDRESS__)
    QSKIP("AddressSanitizer reserves terabytes of address space: no cap under it");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    QSKIP("AddressSanitizer reserves terabytes of address space: no cap under it");
#endif
#endif
    // 3 GiB is more than the cap allows with TESSEL_READ_MEMORY_MB=256 (plus what the process
    // maps): the allocation fails in the child as it would inside libhdf5, and comes back as an
    // error with its message; this process allocated nothing.
    qputenv("TESSEL_READ_MEMORY_MB", "256");
    const std::string e = errorOf([] {
      readModelFileIsolated(kDir + "mlp_keras2.h5", [](const std::string&) -> ModelFile {
        std::vector<char> claimed(std::size_t(3) << 30, 1);
        return {};
      });
    });
    qunsetenv("TESSEL_READ_MEMORY_MB");
    QVERIFY2(e.find("bad_alloc") != std::string::npos, e.c_str());
    // Without the small cap the same file reads.
    QVERIFY(!readAnyModelFile(kDir + "mlp_keras2.h5").weights.empty());
  }
};

QTEST_APPLESS_MAIN(TestIsolatedRead)
#include "tst_engine_io_isolatedread.moc"
