// libFuzzer target: a delimited text table with Keras feature columns. The input is either a
// CSV alone (its format sniffed and columns suggested, as the data dialog does) or a CsvSpec as
// JSON (the form a project file stores), a zero byte, then the CSV. The table is previewed and
// imported with bad rows skipped. Anything but a clean tessel::Error is a finding.
// Seeds: tests/fuzz/corpus/fuzz_csv/.
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const auto* zero = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
  const size_t csvStart = zero ? static_cast<size_t>(zero - data) + 1 : 0;
  const std::string path =
      tessel::fuzz::writeFuzzFile("fuzz.csv", data + csvStart, size - csvStart);
  try {
    tessel::CsvSpec spec;
    if (zero) {
      const std::string text(reinterpret_cast<const char*>(data), csvStart - 1);
      const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) return 0;
      spec = tessel::CsvSpec::fromJson(j);
    } else {
      spec = tessel::suggestCsvSpec(path);
    }
    spec.badRows = tessel::BadRows::Skip;
    (void)tessel::previewCsv(path, spec, 5, 50);
    (void)tessel::importCsv(path, spec);
  } catch (const tessel::Error&) {
  }
  return 0;
}
