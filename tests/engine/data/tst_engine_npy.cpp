#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/core/Error.h"
#include "engine/data/Npy.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

const std::string kFixtures = std::string(TESSEL_FIXTURES_DIR) + "/npy/";

using tessel::testutil::errorOf;

std::vector<std::uint8_t> readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// A version 1.0 preamble followed by the header text h.
std::vector<std::uint8_t> withPreamble(const std::string& h) {
  std::string s = "\x93NUMPY";
  s += '\x01';
  s += '\0';
  s += static_cast<char>(h.size());
  s += '\0';
  s += h;
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

bool sameArray(const Array& a, const Array& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.byteSize() == b.byteSize() &&
         std::memcmp(a.bytes(), b.bytes(), a.byteSize()) == 0;
}

}  // namespace

class TestNpy : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private slots:
  void roundTripEveryDtype_data() {
    QTest::addColumn<int>("dtype");
    for (DType t : {DType::Float32, DType::Float64, DType::UInt8, DType::Int8, DType::Int16,
                    DType::Int32, DType::Int64, DType::Bool})
      QTest::newRow(dtypeName(t)) << int(t);
  }
  void roundTripEveryDtype() {
    QFETCH(int, dtype);
    DType t = static_cast<DType>(dtype);
    std::vector<double> v;
    for (int i = 0; i < 2 * 3 * 4; ++i) v.push_back(t == DType::UInt8 ? i * 10 : (i - 12) * 1.75);
    Array a = Array::fromValues(t, {2, 3, 4}, v);
    writeNpy(path("rt.npy"), a);
    Array b = readNpy(path("rt.npy"));
    QVERIFY(sameArray(a, b));
    std::vector<std::uint8_t> enc = encodeNpy(a);
    QVERIFY(sameArray(a, decodeNpy(enc.data(), enc.size())));
    QCOMPARE(readBytes(path("rt.npy")), enc);
    QCOMPARE((enc.size() - a.byteSize()) % 64, size_t(0));  // data aligned as numpy does
  }

  // NaN payloads, -0 and denormals survive bit for bit.
  void floatRoundTripIsBitExact() {
    Array a(DType::Float32, {5});
    const std::uint32_t bits[] = {0x7fc01234u, 0x80000000u, 0x00000001u, 0x7f800000u, 0x3eaaaaabu};
    std::memcpy(a.bytes(), bits, sizeof bits);
    writeNpy(path("bits.npy"), a);
    QVERIFY(sameArray(a, readNpy(path("bits.npy"))));
    Array s = Array::fromValues(DType::Float64, {}, {2.5});  // 0-d
    writeNpy(path("scalar.npy"), s);
    QVERIFY(sameArray(s, readNpy(path("scalar.npy"))));
  }

  // Files written by numpy 1.24 (tests/fixtures/npy/make_fixtures.py).
  void readsNumpyFiles() {
    Array f4 = readNpy(kFixtures + "f4.npy");
    QCOMPARE(f4.shape(), (Shape{2, 3}));
    QCOMPARE(f4.dtype(), DType::Float32);
    QCOMPARE(f4.value(0), 1.5f);
    QCOMPARE(f4.value(1), -2.25f);
    QCOMPARE(f4.value(2), 3e-8f);
    QVERIFY(std::signbit(f4.value(3)));
    QCOMPARE(f4.value(4), std::numeric_limits<float>::infinity());
    QCOMPARE(f4.value(5), 7.0f);

    Array u1 = readNpy(kFixtures + "u1.npy");
    QCOMPARE(u1.dtype(), DType::UInt8);
    QCOMPARE(u1.toTensor().toVector(), (std::vector<float>{0, 9, 128, 255}));

    Array i8 = readNpy(kFixtures + "i8.npy");
    QCOMPARE(i8.dtype(), DType::Int64);
    QCOMPARE(i8.dataAs<std::int64_t>()[1], std::int64_t(1) << 40);
    QCOMPARE(i8.dataAs<std::int64_t>()[2], -(std::int64_t(1) << 62));

    Array b1 = readNpy(kFixtures + "b1.npy");
    QCOMPARE(b1.dtype(), DType::Bool);
    QCOMPARE(b1.toTensor().toVector(), (std::vector<float>{1, 0, 0, 1}));

    Array sc = readNpy(kFixtures + "f8_scalar.npy");
    QCOMPARE(sc.shape(), Shape{});
    QCOMPARE(sc.raw(0), 2.5);

    Array be = readNpy(kFixtures + "be_f4.npy");  // '>f4' is byte-swapped
    QCOMPARE(be.toTensor().toVector(), (std::vector<float>{1.0f, -2.5f, 1024.0f}));

    Array v2 = readNpy(kFixtures + "v2_i2.npy");
    QCOMPARE(v2.dtype(), DType::Int16);
    QCOMPARE(v2.toTensor().toVector(), (std::vector<float>{-300, 7}));
    Array v3 = readNpy(kFixtures + "v3_i4.npy");
    QCOMPARE(v3.shape(), (Shape{1, 2}));
    QCOMPARE(v3.toTensor().toVector(), (std::vector<float>{-5, 6}));
  }

  // What we write is byte-identical to numpy.save.
  void writesWhatNumpyWrites_data() {
    QTest::addColumn<QString>("name");
    for (const char* n : {"f4.npy", "u1.npy", "i8.npy", "b1.npy", "f8_scalar.npy"})
      QTest::newRow(n) << QString(n);
  }
  void writesWhatNumpyWrites() {
    QFETCH(QString, name);
    std::string p = kFixtures + name.toStdString();
    std::vector<std::uint8_t> numpy = readBytes(p);
    QVERIFY(!numpy.empty());
    QCOMPARE(encodeNpy(readNpy(p)), numpy);
  }

  void errors() {
    std::string e = errorOf([&] { readNpy(kFixtures + "fortran.npy"); });
    QVERIFY2(e.find("fortran_order") != std::string::npos, e.c_str());
    e = errorOf([&] { readNpy(kFixtures + "f2.npy"); });
    QVERIFY2(e.find("unsupported dtype '<f2'") != std::string::npos, e.c_str());

    writeBytes(path("junk.npy"), {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0});
    e = errorOf([&] { readNpy(path("junk.npy")); });
    QVERIFY2(e == path("junk.npy") + ": bad magic (not a .npy file)", e.c_str());

    std::string h = "{'descr': '<f4', 'shape': (2,), }";
    std::vector<std::uint8_t> bad = withPreamble(h);
    bad.resize(bad.size() + 8);
    writeBytes(path("header.npy"), bad);
    e = errorOf([&] { readNpy(path("header.npy")); });
    QVERIFY2(e.find("bad header") != std::string::npos, e.c_str());

    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }";
    bad = withPreamble(h);
    e = errorOf([&] { decodeNpy(bad.data(), bad.size(), "blob"); });
    QVERIFY2(e.find("blob: bad header") == 0, e.c_str());

    Array a = Array::fromValues(DType::Float64, {3}, {1, 2, 3});
    std::vector<std::uint8_t> enc = encodeNpy(a);
    enc.resize(enc.size() - 4);
    writeBytes(path("trunc.npy"), enc);
    e = errorOf([&] { readNpy(path("trunc.npy")); });
    QVERIFY2(e.find("expected 24 bytes, file has 20") != std::string::npos, e.c_str());
    e = errorOf([&] { decodeNpy(enc.data(), enc.size()); });
    QVERIFY2(e.find("expected 24 bytes, file has 20") != std::string::npos, e.c_str());

    e = errorOf([&] { readNpy(path("nothere.npy")); });
    QVERIFY2(e == path("nothere.npy") + ": no such file", e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestNpy)
#include "tst_engine_npy.moc"
