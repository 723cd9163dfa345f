// libFuzzer target: arbitrary bytes read as a TFRecord file (auto-detected compression, and as
// uncompressed, GZIP and ZLIB in turn) must give records whose CRCs matched or a clean
// tessel::Error naming the record -- never a crash, a hang, a sanitizer report or an allocation
// beyond the per-record limit (lying lengths of 2^63 included). The limit is lowered to 1 MiB
// here so that libFuzzer's -rss_limit_mb catches any allocation that follows a length field.
// With TESSEL_FUZZ_SEED_DIR set, a few valid files (plain, gzip, zlib) are written there first.
// Build and run:
//   CXX=clang++ cmake -S . -B build-fuzz -DTESSEL_FUZZ=ON -DTESSEL_BUILD_UI=OFF
//   cmake --build build-fuzz --target fuzz_tfrecord
//   mkdir -p corpus && TESSEL_FUZZ_SEED_DIR=corpus build-fuzz/tests/fuzz_tfrecord \
//     -max_total_time=600 -rss_limit_mb=256 corpus
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/core/Error.h"
#include "engine/io/TfRecordReader.h"
#include "engine/io/TfRecordWriter.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("TESSEL_FUZZ_SEED_DIR");
  if (!dir) return 0;
  using tessel::TfRecordCompression;
  const std::pair<const char*, TfRecordCompression> seeds[] = {
      {"/seed.tfrecord", TfRecordCompression::None},
      {"/seed.tfrecord.gz", TfRecordCompression::Gzip},
      {"/seed.tfrecord.zz", TfRecordCompression::Zlib}};
  for (const auto& [name, c] : seeds) {
    const std::string path = std::string(dir) + name;
    if (std::filesystem::exists(path)) continue;
    tessel::TfRecordWriter w(path, c);
    w.write(std::string("\x0a\x0b\x0a\x09\x0a\x05label\x12\x00", 13));
    w.write(std::string(300, 'x'));
    w.write(std::string());
    w.close();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tessel::TfRecordCompression;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (auto c : {TfRecordCompression::Auto, TfRecordCompression::None, TfRecordCompression::Gzip,
                 TfRecordCompression::Zlib}) {
    try {
      auto r = tessel::TfRecordReader::fromBytes(bytes, "fuzz", c, 1 << 20);
      std::string rec;
      while (r.next(rec)) {
      }
    } catch (const tessel::Error&) {
    }
  }
  return 0;
}
