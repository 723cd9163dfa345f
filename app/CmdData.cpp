// tessel data export ...: any data set the studio can load written as TFRecord shards.
#include <filesystem>
#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "app/cli/Args.h"
#include "app/cli/UsageError.h"
#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/TfRecordExport.h"

namespace tessel::app {

namespace {

std::string absolute(const std::string& p) {
  return std::filesystem::absolute(p).lexically_normal().string();
}

// The source of `data export`: exactly one of --data, --idx, --csv, --image-folder, --settings.
DataSettings exportSource(const Args& args) {
  int given = 0;
  for (const char* o : {"--data", "--idx", "--csv", "--image-folder", "--settings"})
    given += args.has(o) ? 1 : 0;
  if (given != 1)
    throw UsageError(
        "data export: give one source: --data fashion-mnist, --idx PATH, --csv FILE, "
        "--image-folder DIR or --settings FILE.json");
  DataSettings d;
  if (args.has("--settings")) {
    d = DataSettings::fromJson(readJsonFile(args.value("--settings")));
  } else if (args.has("--data")) {
    const std::string name = args.value("--data");
    if (name != "fashion-mnist" && name != "fashion_mnist")
      throw UsageError("data export: unknown data set '" + name + "' (known: fashion-mnist)");
    // The 60,000 training images of Debian's package, in file order.
    d.kind = "idx";
    d.path = kFashionMnistDir;
  } else if (args.has("--idx")) {
    d.kind = "idx";
    d.path = absolute(args.value("--idx"));
  } else if (args.has("--csv")) {
    d.kind = "csv";
    d.path = absolute(args.value("--csv"));
    // The suggested columns (numeric features, text columns one-hot), unstandardised, with
    // --label (default: the last column) as the label.
    CsvSpec spec = suggestCsvSpec(d.path);
    const std::string label = args.value("--label", spec.columns.back().name);
    bool found = false;
    for (CsvColumnSpec& c : spec.columns) {
      c.role = c.name == label ? ColumnRole::Label : ColumnRole::Feature;
      c.standardize = false;
      found = found || c.name == label;
    }
    if (!found) throw UsageError("data export: " + d.path + " has no column '" + label + "'");
    spec.fractions = {1, 0, 0};
    d.options = spec.toJson();
  } else {
    d.kind = "image_folder";
    d.path = absolute(args.value("--image-folder"));
    d.options = {{"height", args.intValue("--height", 64, 1, 4096)},
                 {"width", args.intValue("--width", 64, 1, 4096)},
                 {"grayscale", args.has("--grayscale")}};
    if (args.has("--annotations")) {
      const std::string a = args.value("--annotations");
      const auto colon = a.find(':');
      if (colon == std::string::npos)
        throw UsageError("data export: --annotations takes csv:FILE or voc:PATH");
      d.annotations = a.substr(0, colon);
      d.annotationsPath = absolute(a.substr(colon + 1));
    }
  }
  if (!args.has("--settings")) {
    // Every sample, in the source's order, unnormalised (an ordered copy, not a split).
    d.fractions = {1, 0, 0};
    d.normalization = "none";
  }
  return d;
}

void writePart(const Dataset& data, const TfRecordExportOptions& o, const std::string& what) {
  const TfRecordExportResult r = exportTfRecords(data, o);
  std::string features;
  for (const auto& f : r.spec.features) features += (features.empty() ? "" : ", ") + f.name;
  std::cout << "Wrote " << r.records << " " << what << " samples to " << r.files.size()
            << " shard(s) in " << o.dir << " (" << tfRecordCompressionName(o.compression)
            << "; features: " << features << ")" << std::endl;
}

}  // namespace

// tessel data export SOURCE --tfrecord DIR [--shards N] [--compression gzip|zlib|none]
int cmdData(const Args& args) {
  const std::string action = args.positional()[0];
  if (action != "export") throw UsageError("data: unknown action '" + action + "' (known: export)");
  if (!args.has("--tfrecord")) throw UsageError("data export: give --tfrecord DIR");
  TfRecordExportOptions o;
  o.dir = args.value("--tfrecord");
  o.shards = int(args.intValue("--shards", 1, 1, 100000));
  o.compression = tfRecordCompression(args.value("--compression", "none"));
  if (o.compression == TfRecordCompression::Auto)
    throw UsageError("data export: --compression is gzip, zlib or none");
  o.prefix = args.value("--prefix", "data");
  const DataSettings source = exportSource(args);
  BuildOptions build;
  build.trainLimit = args.intValue("--limit", -1, 1, 1LL << 40);
  BuiltData built = buildDataset(source, build);
  writePart(built.train, o, "training");
  for (auto [part, name] : {std::pair{&built.validation, "validation"}, {&built.test, "test"}})
    if (*part) {
      TfRecordExportOptions sub = o;
      sub.dir = (std::filesystem::path(o.dir) / name).string();
      writePart(**part, sub, name);
    }
  return 0;
}

}  // namespace tessel::app
