// Hostile but well-formed inputs (engine/core/ResourceLimits.h): each is refused before anything
// large is allocated, with one line naming the limit. The inputs are generated here, small on
// disk (a header that claims much, a gzip stream of a 1 GiB line).
#include <zlib.h>

#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"
#include "engine/data/BoxAnnotations.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/CsvReader.h"
#include "engine/data/Idx.h"
#include "engine/data/ImageDecode.h"
#include "engine/data/Npy.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/ParameterBudget.h"
#include "engine/train/Model.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

using tessel::testutil::errorOf;

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string bigEndian32(std::uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// Input(None, 8) -> Dense(units) -> Dense(1), units as a 64-bit JSON integer.
json denseTopology(std::int64_t units) {
  auto layer = [](const std::string& cls, const std::string& name, json config, json inbound) {
    config["name"] = name;
    return json{
        {"class_name", cls}, {"name", name}, {"config", config}, {"inbound_nodes", inbound}};
  };
  json in = json::array({json::array({json::array({"x", 0, 0, json::object()})})});
  json hidden = json::array({json::array({json::array({"hidden", 0, 0, json::object()})})});
  return {{"class_name", "Functional"},
          {"config",
           {{"name", "big"},
            {"layers",
             {layer("InputLayer", "x", {{"batch_input_shape", {nullptr, 8}}}, json::array()),
              layer("Dense", "hidden", {{"units", units}}, in),
              layer("Dense", "out", {{"units", 1}}, hidden)}},
            {"input_layers", {{"x", 0, 0}}},
            {"output_layers", {{"out", 0, 0}}}}}};
}

// A PNG whose header claims width x height (8-bit grayscale) followed by a tiny IDAT.
// An 8-bit greyscale PNG whose header says width x height and whose image data holds `raw`
// (filter byte + pixels per row) deflated as far as zlib goes.
std::string pngWithData(std::uint32_t width, std::uint32_t height, const std::string& raw) {
  auto chunk = [](const std::string& kind, const std::string& body) {
    std::string crcInput = kind + body;
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(crcInput.data()), uInt(crcInput.size())));
    return bigEndian32(std::uint32_t(body.size())) + crcInput + bigEndian32(crc);
  };
  std::string ihdr = bigEndian32(width) + bigEndian32(height) + std::string("\x08\0\0\0\0", 5);
  uLongf zipped = compressBound(uLong(raw.size()));
  std::string idat(zipped, '\0');
  compress2(reinterpret_cast<Bytef*>(idat.data()), &zipped,
            reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), Z_BEST_COMPRESSION);
  idat.resize(zipped);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) +
         chunk("IEND", "");
}

// A header claiming width x height over the data of an 8 x 8 image.
std::string pngClaiming(std::uint32_t width, std::uint32_t height) {
  return pngWithData(width, height, std::string(72, '\0'));
}

// A real width x height image, every pixel 0.
std::string pngOfZeros(std::uint32_t width, std::uint32_t height) {
  return pngWithData(width, height, std::string(std::size_t(height) * (width + 1), '\0'));
}

}  // namespace

class TestResourceLimits : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private slots:
  void modelWithHugeUnitsIsRefusedBeforeAllocating() {
    // units 10^9 is a valid Dense config (the catalog allows up to 10^9), but 8 x 10^9 kernel
    // floats (32 GB) are over the parameter limit: refused when the model is built, before the
    // kernel is allocated (an allocation would fail, not refuse).
    const ModelSpec spec = ModelSpec::fromKerasJson(denseTopology(1000000000));
    QVERIFY(inferShapes(spec).ok());
    const std::string e = errorOf([&] { Model m(spec, 0); });
    QVERIFY2(e == "layer 'hidden': kernel of shape (8, 1000000000) takes the model over the limit "
                  "of 1,073,741,824 parameters (0 already built)",
             e.c_str());
    QCOMPARE(errorOf([&] { summaryTable(spec); }), e);
    // Opened from a file (what `tessel import` and the studio do) it is the same refusal.
    const std::string file = path("big.json");
    writeBytes(file, denseTopology(1000000000).dump());
    QCOMPARE(errorOf([&] { Model m(readModelFile(file).spec, 0); }), e);

    // units 10^12 is refused by the layer catalog's range, naming it.
    const ModelSpec huge = ModelSpec::fromKerasJson(denseTopology(1000000000000));
    const ShapeReport report = inferShapes(huge);
    QVERIFY(!report.ok());
    const std::string want =
        "layer 'hidden': config 'units' = 1000000000000: must be in [1.0, 1000000000.0]";
    QCOMPARE(std::string(report.errors.front().what()), want);
    QCOMPARE(errorOf([&] { Model m(huge, 0); }), want);
  }

  void theLimitHoldsForTheWholeModel() {
    // Dense(8 -> 10) = 90 parameters fits a budget of 100; the next layer (11) does not.
    const ModelSpec spec = ModelSpec::fromKerasJson(denseTopology(10));
    {
      ParameterBudget budget(100);
      const std::string e = errorOf([&] { Model m(spec, 0); });
      QVERIFY2(e == "layer 'out': bias of shape (1,) takes the model over the limit of 100 "
                    "parameters (100 already built)",
               e.c_str());
    }
    ParameterBudget enough(101);
    QCOMPARE(Model(spec, 0).parameterCount(), Index(101));
  }

  void idxHeaderClaiming2e31ItemsIsRefused() {
    const std::string header = std::string("\0\0\x08\x01", 4) + bigEndian32(0x80000000u);
    const std::string plain = path("claims.idx");
    writeBytes(plain, header + std::string(100, '\x07'));
    std::string e = errorOf([&] { readIdx(plain); });
    QVERIFY2(e == plain +
                      ": truncated IDX data for uint8 (2147483648,): expected 2147483648 "
                      "bytes, file has 100",
             e.c_str());
    // gzip-compressed, the bound is what deflate can expand the file to.
    const std::string gz = path("claims.idx.gz");
    gzFile f = gzopen(gz.c_str(), "wb");
    const std::string body = header + std::string(100, '\x07');
    gzwrite(f, body.data(), unsigned(body.size()));
    gzclose(f);
    e = errorOf([&] { readIdx(gz); });
    QVERIFY2(e.rfind(gz + ": truncated IDX data for uint8 (2147483648,): expected 2147483648 "
                          "bytes, more than a gzip file of ",
                     0) == 0,
             e.c_str());
    QVERIFY2(e.find("deflate expands at most 1032:1") != std::string::npos, e.c_str());
    // Beyond one array's limit the size of the file does not matter.
    const std::string huge = path("huge.idx");
    writeBytes(
        huge, std::string("\0\0\x0D\x02", 4) + bigEndian32(0x40000000u) + bigEndian32(0x40000000u));
    e = errorOf([&] { readIdx(huge); });
    QVERIFY2(e == huge +
                      ": IDX header claims float32 (1073741824, 1073741824), over the limit "
                      "of 4 GiB for one array",
             e.c_str());
  }

  void npyShapeBeyondTheLimitIsRefused() {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 2), }";
    header.resize(117, ' ');  // 10 + 118 bytes: numpy aligns the data to 64
    header += '\n';
    const std::string npy = std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' +
                            header + std::string(8, '\0');
    const std::string e = errorOf(
        [&] { decodeNpy(reinterpret_cast<const std::uint8_t*>(npy.data()), npy.size(), "x.npy"); });
    QVERIFY2(e == "x.npy: shape (4294967296, 2) is over the limit of 4 GiB for one array",
             e.c_str());
  }

  void csvLineOf1GiBIsRefused() {
    // 1 GiB of one line, gzip-compressed with run-length encoding (about 4 MiB on disk).
    const std::string gz = path("long.csv.gz");
    gzFile f = gzopen(gz.c_str(), "wb1R");
    QVERIFY(f);
    const std::string chunk(1 << 20, '7');
    QVERIFY(gzwrite(f, "a,b\n1,", 6) == 6);
    for (int i = 0; i < 1024; ++i) QVERIFY(gzwrite(f, chunk.data(), unsigned(chunk.size())) > 0);
    QVERIFY(gzwrite(f, "\n", 1) == 1);
    gzclose(f);
    QVERIFY(std::filesystem::file_size(gz) < (std::uintmax_t(64) << 20));

    const std::string want = gz + ":2: line longer than the limit of 64 MiB";
    CsvReader reader(gz, ',');
    std::vector<std::string> fields;
    QVERIFY(reader.next(fields));
    QCOMPARE(errorOf([&] { reader.next(fields); }), want);
    CsvSpec spec;
    CsvFormat format;
    format.header = true;
    format.columnNames = {"a", "b"};
    format.numeric = {true, true};
    spec.format = format;
    spec.columns = {{"a"}, {"b", ColumnRole::Label}};
    QCOMPARE(errorOf([&] { importCsv(gz, spec); }), want);
  }

  void pngClaiming60000x60000IsRefusedFromItsHeader() {
    const std::string png = pngClaiming(60000, 60000);
    const std::string e = errorOf([&] {
      decodeImage(reinterpret_cast<const std::uint8_t*>(png.data()), png.size(), "big.png", 3);
    });
    QVERIFY2(e == "big.png: image of 60000x60000 pixels is over the limit of 268,435,456 pixels",
             e.c_str());
    // The largest header a PNG can hold (found by fuzz_image_decode: the product overflowed).
    const std::string widest = pngClaiming(0xFFFFFFFFu, 0xFFFFFFFFu);
    QCOMPARE(errorOf([&] {
               decodeImage(reinterpret_cast<const std::uint8_t*>(widest.data()), widest.size(),
                           "w.png", 1);
             }),
             std::string("w.png: image of 4294967295x4294967295 pixels is over the limit of "
                         "268,435,456 pixels"));
    // A resize target beyond the limit is refused too; a small image of the same form decodes.
    const std::string small = pngClaiming(8, 8);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(small.data());
    QVERIFY(errorOf([&] {
              decodeImage(bytes, small.size(), "s.png", 1, 20000, 20000);
            }).find("over the limit of 268,435,456 pixels") != std::string::npos);
    QCOMPARE(decodeImage(bytes, small.size(), "s.png", 1).pixels.size(), size_t(64));
  }

  void imageClaimingMoreThanItsBytesCanHoldIsRefused() {
    // Within the pixel limit, but 16000x16000 grey pixels (256 MB for stb to allocate) cannot
    // come from a PNG of about 80 bytes (found by fuzz_image_decode: a 74-byte PNG made stb
    // allocate 1.4 GB before it found the image data short).
    const std::string png = pngClaiming(16000, 16000);
    const std::string e = errorOf([&] {
      decodeImage(reinterpret_cast<const std::uint8_t*>(png.data()), png.size(), "c.png", 1);
    });
    QVERIFY2(e == "c.png: image of 16000x16000 pixels cannot come from a file of " +
                      std::to_string(png.size()) +
                      " bytes (the limit is 8,256 pixels per byte): truncated or hostile file",
             e.c_str());
    // The same for a BMP header (54 bytes claiming 8192x8192 RGB).
    std::string bmp(54, '\0');
    auto le32 = [&](std::size_t at, std::uint32_t v) {
      for (int i = 0; i < 4; ++i) bmp[at + i] = static_cast<char>(v >> (8 * i));
    };
    bmp[0] = 'B';
    bmp[1] = 'M';
    le32(2, 54);
    le32(10, 54);
    le32(14, 40);
    le32(18, 8192);
    le32(22, 8192);
    bmp[26] = 1;
    bmp[28] = 24;
    const std::string be = errorOf([&] {
      decodeImage(reinterpret_cast<const std::uint8_t*>(bmp.data()), bmp.size(), "c.bmp", 3);
    });
    QVERIFY2(be.find("c.bmp: image of 8192x8192 pixels cannot come from a file of 54 bytes") == 0,
             be.c_str());
    // An image of one colour compressed as far as PNG goes still decodes (1024x1024 grey from
    // about 1 KiB).
    std::string ok = pngOfZeros(1024, 1024);
    QVERIFY(static_cast<std::int64_t>(ok.size()) * kMaxImagePixelsPerFileByte >= 1024 * 1024);
    QCOMPARE(decodeImage(reinterpret_cast<const std::uint8_t*>(ok.data()), ok.size(), "z.png", 1)
                 .pixels.size(),
             size_t(1024 * 1024));
  }

  void hugeNumbersInTextFilesAreRefused() {
    // A weights manifest with a number too large for a double (fuzz_weights: nlohmann's
    // out_of_range escaped) and a VOC <size> of 1e115 (fuzz_voc_xml: cast to int).
    const std::string w = path("huge.json");
    std::ofstream(w)
        << R"({"weightsManifest": [{"paths": [], "weights": [{"shape": [1E99999]}]}]})";
    const std::string we = errorOf([&] { readWeightsFile(w); });
    QVERIFY2(we.find("'" + w + "': ") == 0, we.c_str());
    const std::string v = path("huge.xml");
    std::ofstream(v) << "<annotation><filename>a.png</filename><size><width>1e115</width>"
                        "<height>4</height><depth>3</depth></size></annotation>";
    const std::string ve = errorOf([&] { readVocXml(v); });
    QVERIFY2(ve.find("is over the limit of 1000000 pixels a side") != std::string::npos,
             ve.c_str());
  }

  void imageOfNoPixelsIsRefused() {
    // A PGM header stb reads as 0x0 (found by fuzz_image_decode: stb returned a buffer and the
    // resize asserted).
    const std::string pgm(
        "P5R\x06\x00\x30\x60\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x00\x02"
        "\x00\x00\x00\xfd\x00\x00\x00",
        33);
    const std::string e = errorOf([&] {
      decodeImage(reinterpret_cast<const std::uint8_t*>(pgm.data()), pgm.size(), "z.pgm", 3, 4, 4);
    });
    QVERIFY2(e == "z.pgm: image of 0x0 pixels has no pixels", e.c_str());
  }

  void pngChunkLongerThanTheFileIsRefused() {
    // A 2x2 PNG whose IDAT claims 1,930,679,296 bytes (found by fuzz_image_decode: stb grew its
    // buffer to the claimed length, 1.9 GB, before reading the bytes). Refused from the chunk
    // walk, naming the chunk; the same file with its true length decodes.
    const std::string good = pngWithData(2, 2, std::string(6, '\0'));
    QCOMPARE(
        decodeImage(reinterpret_cast<const std::uint8_t*>(good.data()), good.size(), "g.png", 1)
            .pixels.size(),
        size_t(4));
    std::string bad = good;
    const std::size_t idat = bad.find("IDAT") - 4;
    bad.replace(idat, 4, bigEndian32(0x7313D400u));
    const std::string e = errorOf([&] {
      decodeImage(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size(), "b.png", 1);
    });
    QVERIFY2(
        e.find("b.png: PNG chunk 'IDAT' at byte 33 claims 1,930,679,296 bytes, the file has ") ==
                0 &&
            e.find("truncated or hostile file") != std::string::npos,
        e.c_str());
  }

  void reshapeToANegativeOrHugeSizeIsRefused() {
    auto reshapeTo = [](json target) {
      json t = denseTopology(4);
      t["config"]["layers"][2] = {{"class_name", "Reshape"},
                                  {"name", "out"},
                                  {"config", {{"name", "out"}, {"target_shape", target}}},
                                  {"inbound_nodes", {{{"hidden", 0, 0, json::object()}}}}};
      return ModelSpec::fromKerasJson(t);
    };
    ShapeReport r = inferShapes(reshapeTo({-2, 2}));
    QVERIFY(!r.ok());
    QVERIFY2(
        r.errors.front().detail().find("dimensions must be positive or -1") != std::string::npos,
        r.errors.front().what());
    r = inferShapes(reshapeTo({std::int64_t(1) << 40, std::int64_t(1) << 40}));
    QVERIFY(!r.ok());
    QVERIFY2(r.errors.front().detail().find("has too many values") != std::string::npos,
             r.errors.front().what());
    QVERIFY(inferShapes(reshapeTo({2, 2})).ok());
  }

  void weightShardsAreReadFromTheModelFolderOnly() {
    const std::string manifest = path("weights_manifest.json");
    auto write = [&](json paths, json shape) {
      writeBytes(manifest,
                 json{{"weightsManifest",
                       {{{"paths", paths},
                         {"weights", {{{"name", "k"}, {"shape", shape}, {"dtype", "float32"}}}}}}}}
                     .dump());
    };
    writeBytes(path("shard.bin"), std::string(8, '\0'));
    write({"shard.bin"}, {2});
    QCOMPARE(readWeightsFile(manifest).weights.size(), size_t(1));
    for (const char* bad : {"../shard.bin", "/etc/passwd", "sub/../../x.bin"}) {
      write({bad}, {2});
      const std::string e = errorOf([&] { readWeightsFile(manifest); });
      QVERIFY2(e == std::string("model.json: weight shard path '") + bad +
                        "' must name a file inside the model's folder",
               e.c_str());
    }
    // A shape whose size overflows 64 bits is refused, not wrapped around.
    write({"shard.bin"}, {std::int64_t(1) << 40, std::int64_t(1) << 40});
    const std::string e = errorOf([&] { readWeightsFile(manifest); });
    QVERIFY2(e.find("needs more than the 8 bytes the shards") != std::string::npos, e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestResourceLimits)
#include "tst_engine_resourcelimits.moc"
