// Hostile but well-formed Keras files (engine/io/KerasH5File.h, KerasArchive.h): an HDF5 dataset
// whose shape claims more values than its file holds (or more than kMaxArrayBytes), and a .keras
// member whose size claims more than the archive holds, are refused with the limit named before
// anything is allocated; a corrupt global heap (where variable-length strings live) is refused
// before libhdf5 reads it; the untouched files still read. The HDF5 cases need python3-h5py
// (skipped with a message without it).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasH5.h"
#include "engine/train/Model.h"
#include "tests/support/KerasH5Fixtures.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

const std::string kDir = TESSEL_FIXTURES_DIR "/h5/";

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::uint32_t le32(const std::string& b, size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

// Sets the uncompressed size of member `name` in the zip's central directory and local header.
bool patchZipSize(std::string& zip, const std::string& name, std::uint32_t size) {
  bool found = false;
  for (size_t at = 0; at + 46 <= zip.size(); ++at) {
    if (le32(zip, at) != 0x02014b50) continue;  // central directory entry
    const std::uint16_t nameLen =
        static_cast<std::uint8_t>(zip[at + 28]) | static_cast<std::uint8_t>(zip[at + 29]) << 8;
    if (zip.compare(at + 46, nameLen, name) != 0) continue;
    std::memcpy(zip.data() + at + 24, &size, 4);
    const std::uint32_t local = le32(zip, at + 42);
    if (le32(zip, local) == 0x04034b50) std::memcpy(zip.data() + local + 22, &size, 4);
    found = true;
  }
  return found;
}

// The fixtures' MLP (tests/fixtures/h5/make_fixtures.py), built from the Keras 2 .h5 model.
ModelSpec mlpSpec() {
  return readKerasH5Model(kDir + "mlp_keras2.h5").spec;
}

// A Keras 2 weights file for the MLP whose dense/kernel:0 is declared with `shape` but never
// written (h5py allocates no storage: the file stays small).
bool writeHollowWeights(const QString& path, const QString& shape) {
  const QString script = QString(R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
    for n, shapes in (("dense", [%1, (8,)]), ("dense_1", [(8, 3), (3,)])):
        g = f.create_group(n)
        names = [n + "/kernel:0", n + "/bias:0"]
        g.attrs["weight_names"] = np.array([s.encode() for s in names])
        for w, s in zip(names, shapes):
            if n == "dense" and w.endswith("kernel:0"):
                g.create_dataset(w, shape=s, dtype="f4")
            else:
                g.create_dataset(w, data=np.zeros(s, np.float32))
)PY")
                             .arg(shape);
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(python(), {"-c", script, path});
  return p.waitForFinished(60000) && p.exitCode() == 0;
}

}  // namespace

class TestKerasLimits : public QObject {
  Q_OBJECT
 private slots:
  void hdf5DatasetLargerThanItsFileIsRefused() {
    if (!haveH5py()) QSKIP("python3-h5py (and numpy) not found (apt-get install python3-h5py)");
    QTemporaryDir dir;
    Model model(mlpSpec(), 0);
    // The same file with the kernel's real shape reads (h5py's fill value, zeros).
    const QString fits = dir.filePath("fits.h5");
    QVERIFY(writeHollowWeights(fits, "(4, 8)"));
    QCOMPARE(readKerasWeightsFile(fits.toStdString(), model, WeightsMatch::ByOrder).size(),
             size_t(4));
    // 2^26 floats (256 MiB) claimed by a file of a few KiB.
    const QString hollow = dir.filePath("hollow.h5");
    QVERIFY(writeHollowWeights(hollow, "(1 << 23, 8)"));
    std::string e =
        errorOf([&] { readKerasWeightsFile(hollow.toStdString(), model, WeightsMatch::ByOrder); });
    QVERIFY2(e.find("dense/kernel:0") != std::string::npos &&
                 e.find("(8388608, 8)") != std::string::npos &&
                 e.find("more than its file of") != std::string::npos,
             e.c_str());
    // 2^33 floats: over the 4 GiB limit of one array, named.
    const QString huge = dir.filePath("huge.h5");
    QVERIFY(writeHollowWeights(huge, "(1 << 30, 8)"));
    e = errorOf([&] { readKerasWeightsFile(huge.toStdString(), model, WeightsMatch::ByOrder); });
    QVERIFY2(e.find("dense/kernel:0") != std::string::npos &&
                 e.find("over the limit of 4 GiB for one array") != std::string::npos,
             e.c_str());
  }

  void corruptGlobalHeapIsRefusedBeforeLibhdf5ReadsIt() {
    // h5py keeps model_config (a `bytes` scalar) as a variable-length string, in a global heap
    // collection ("GCOL"); an object of index 0 and size 0 there makes libhdf5 1.10.8 loop
    // forever in H5HG__cache_heap_deserialize.
    std::string bytes = readBytes(kDir + "mlp_keras2.h5");
    const size_t gcol = bytes.find("GCOL");
    QVERIFY(gcol != std::string::npos && gcol + 32 <= bytes.size());
    QTemporaryDir dir;
    const std::string path = dir.filePath("heap.h5").toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    QCOMPARE(readKerasH5Model(path).weights.size(), size_t(4));  // untouched: reads
    std::memset(bytes.data() + gcol + 16, 0, 2);                 // first object: index 0
    std::memset(bytes.data() + gcol + 16 + 8, 0, 8);             // ... and size 0
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    const std::string e = errorOf([&] { readKerasH5Model(path); });
    QVERIFY2(e.find("corrupt HDF5 file (global heap at byte " + std::to_string(gcol)) !=
                     std::string::npos &&
                 e.find("heap.h5") != std::string::npos,
             e.c_str());
  }

  void archiveMemberLargerThanTheArchiveIsRefused() {
    QTemporaryDir dir;
    std::string zip = readBytes(kDir + "mlp.keras");
    QVERIFY(!zip.empty());
    // Unpatched, it reads.
    QCOMPARE(readKerasArchive(kDir + "mlp.keras").weights.size(), size_t(4));
    // model.weights.h5 (stored) claiming 2 GiB.
    QVERIFY(patchZipSize(zip, "model.weights.h5", 0x7fffffffu));
    const std::string path = dir.filePath("claims.keras").toStdString();
    std::ofstream(path, std::ios::binary) << zip;
    const std::string e = errorOf([&] { readKerasArchive(path); });
    QVERIFY2(e.find("member 'model.weights.h5' claims 2,147,483,647 bytes") != std::string::npos &&
                 e.find("stored member") != std::string::npos,
             e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestKerasLimits)
#include "tst_engine_io_keraslimits.moc"
