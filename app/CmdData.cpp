// tessel data export ...: any data set the studio can load written as TFRecord shards.
// tessel data text|fortunes ...: a text data set vectorized as the studio does (TextDataset.h):
// sizes, vocabulary, truncation, and with --preview sample texts with their tokens and ids.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "app/cli/Args.h"
#include "app/cli/UsageError.h"
#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/Fortunes.h"
#include "engine/data/TextDataset.h"
#include "engine/data/TfRecordExport.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/TextLayers.h"

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

std::vector<std::string> commaList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// The text source of `data text` / `data fortunes`.
DataSettings textSource(const Args& args, bool fortunes) {
  DataSettings d;
  if (args.has("--settings")) return DataSettings::fromJson(readJsonFile(args.value("--settings")));
  d.kind = "text";
  int given = fortunes ? 1 : 0;
  for (const char* o : {"--csv", "--folder", "--pairs"}) given += args.has(o) ? 1 : 0;
  if (given != 1)
    throw UsageError(
        "data text: give one source: --csv FILE (with --text-column, --label), --folder DIR, "
        "--pairs FILE.tsv, or use `tessel data fortunes`");
  json o;
  if (fortunes) {
    o["source"] = "fortunes";
    if (args.has("--folder")) d.path = absolute(args.value("--folder"));
    if (args.has("--categories")) o["categories"] = commaList(args.value("--categories"));
  } else if (args.has("--csv")) {
    o["source"] = "csv";
    d.path = absolute(args.value("--csv"));
    o["text_column"] = args.value("--text-column", "text");
    o["label_column"] = args.value("--label", "label");
  } else if (args.has("--folder")) {
    o["source"] = "folder";
    d.path = absolute(args.value("--folder"));
  } else {
    o["source"] = "pairs";
    d.path = absolute(args.value("--pairs"));
  }
  json v = defaultTextVectorizationConfig();
  if (args.has("--max-tokens")) v["max_tokens"] = args.intValue("--max-tokens", 0, 2, 1LL << 31);
  if (args.has("--sequence-length"))
    v["output_sequence_length"] = args.intValue("--sequence-length", 0, 1, 1 << 20);
  if (args.has("--output-mode")) {
    v["output_mode"] = args.value("--output-mode");
    if (v["output_mode"] != "int") v.erase("output_sequence_length");
  }
  if (args.has("--ngrams")) v["ngrams"] = args.intValue("--ngrams", 1, 1, 16);
  if (args.has("--model")) {
    // The model's own TextVectorization (fed by its first input): its config, and its
    // vocabulary when it has one (then nothing is adapted).
    const ModelSpec spec = ModelSpec::fromKerasJson(readJsonFile(args.value("--model")));
    auto c = textVectorizationConfig(spec);
    if (!c)
      throw Error(args.value("--model") + ": no TextVectorization layer fed by the model's input");
    v = *c;
  }
  o["vectorization"] = v;
  if (args.has("--vocabulary")) o["vocabulary_file"] = absolute(args.value("--vocabulary"));
  if (args.has("--limit")) o["max_samples"] = args.intValue("--limit", -1, 1, 1LL << 40);
  d.options = o;
  d.fractions = {0.8, 0.1, 0.1};
  d.splitSeed = std::uint64_t(args.intValue("--seed", 0, 0, 1LL << 62));
  return d;
}

std::string quoted(std::string t, size_t max = 70) {
  for (char& c : t)
    if (c == '\n' || c == '\t') c = ' ';
  if (t.size() > max) t = t.substr(0, max) + "...";
  return "\"" + t + "\"";
}

int cmdDataText(const Args& args, bool fortunes) {
  if (fortunes && args.has("--list")) {
    const std::string dir = args.value("--folder", kFortunesDir);
    std::cout << "Fortune categories in " << dir << " (entries):" << std::endl;
    for (const auto& [name, count] : fortuneCategories(dir))
      std::cout << "  " << name << " " << count << std::endl;
    return 0;
  }
  const DataSettings s = textSource(args, fortunes);
  const TextData td = prepareTextData(s);
  const TextSamples& S = td.samples;
  const std::string source = s.options.value("source", std::string());
  std::cout << "Text data (" << source << ", " << (s.path.empty() ? kFortunesDir : s.path)
            << "): " << S.texts.size() << " samples";
  if (!S.classNames.empty()) {
    std::vector<int> counts(S.classNames.size(), 0);
    for (int l : S.labels) ++counts[size_t(l)];
    std::cout << ", " << S.classNames.size() << " classes:";
    for (size_t c = 0; c < counts.size(); ++c)
      std::cout << (c ? "," : "") << " " << S.classNames[c] << " (" << counts[c] << ")";
  }
  std::cout << std::endl;
  std::cout << "Split (seed " << s.splitSeed << "): train " << td.train.size() << ", validation "
            << td.validation.size() << ", test " << td.test.size() << std::endl;
  const json c = td.source->config();
  std::cout << "TextVectorization: standardize " << c["standardize"].dump() << ", split "
            << c["split"].dump() << ", ngrams " << c["ngrams"].dump() << ", max_tokens "
            << c["max_tokens"].dump() << ", output_mode " << c["output_mode"].get<std::string>()
            << ", output_sequence_length " << c["output_sequence_length"].dump() << std::endl;
  const auto vocab = td.source->vocabulary();
  const json& sv = s.options["vectorization"];
  const bool given = sv.contains("vocabulary") && !sv["vocabulary"].is_null();
  std::cout << "Vocabulary size: " << vocab.size()
            << (s.options.contains("vocabulary_file") ? " (from the vocabulary file)"
                : given                               ? " (given in the settings or the model)"
                                                      : " (adapted on the training split)")
            << "; first tokens:";
  for (size_t i = 0; i < vocab.size() && i < 12; ++i) std::cout << " " << quoted(vocab[i]);
  std::cout << std::endl;
  std::vector<std::string> train;
  for (Index r : td.train) train.push_back(S.texts[size_t(r)]);
  std::int64_t width = 0, truncated = 0;
  td.source->vectorize(train, width, &truncated);
  std::cout << "Training x (" << train.size() << ", " << width << ")";
  if (td.source->outputMode() == "int" && td.source->outputSequenceLength())
    std::cout << "; " << truncated << " training texts are longer than " << width
              << " tokens and truncated to their first " << width << " (as Keras)";
  std::cout << std::endl;
  if (td.target)
    std::cout << "Target vocabulary size: " << td.target->vocabulary().size()
              << " (with [start] and [end]); decoder input/target length "
              << (td.target->outputWidth() - 1) << std::endl;
  if (args.has("--save-vocabulary")) {
    std::ofstream out(args.value("--save-vocabulary"));
    for (const auto& t : vocab) out << t << "\n";
    std::cout << "Wrote the vocabulary to " << args.value("--save-vocabulary") << std::endl;
  }
  if (args.has("--save-model")) {
    if (!args.has("--model")) throw UsageError("data text: --save-model needs --model MODEL.json");
    const json file = readJsonFile(args.value("--model"));
    ModelSpec spec = ModelSpec::fromKerasJson(file);
    const std::string layer = storeTextVocabulary(spec, td.source->config());
    json out = spec.toKerasJson();
    if (file.contains("modelTopology")) {  // a TF.js model.json: keep its other keys
      json whole = file;
      whole["modelTopology"] = out;
      out = whole;
    }
    std::ofstream(args.value("--save-model")) << out.dump(1) << "\n";
    std::cout << "Wrote " << args.value("--save-model") << " with the vocabulary in layer '"
              << layer << "'" << std::endl;
  }
  if (args.has("--preview")) {
    const int rows = int(args.intValue("--rows", 5, 1, 1000));
    int i = 0;
    for (const TextPreviewRow& r : textPreview(td, rows)) {
      std::cout << "#" << ++i << " [" << r.label << "] " << quoted(r.text, 100) << std::endl;
      std::cout << "   tokens:";
      for (size_t k = 0; k < r.tokens.size() && k < 20; ++k) std::cout << " " << r.tokens[k];
      if (r.tokens.size() > 20) std::cout << " ... (" << r.tokens.size() << ")";
      std::cout << std::endl << "   ids:   ";
      size_t shown = r.ids.size();
      while (shown > 1 && r.ids[shown - 1] == 0) --shown;  // trailing padding
      for (size_t k = 0; k < shown && k < 20; ++k) std::cout << " " << r.ids[k];
      if (shown > 20) std::cout << " ... (" << shown << ")";
      if (shown < r.ids.size()) std::cout << " + " << (r.ids.size() - shown) << " x 0 (padding)";
      std::cout << std::endl;
    }
  }
  return 0;
}

}  // namespace

// tessel data export SOURCE --tfrecord DIR [--shards N] [--compression gzip|zlib|none]
int cmdData(const Args& args) {
  const std::string action = args.positional()[0];
  if (action == "text" || action == "fortunes") return cmdDataText(args, action == "fortunes");
  if (action != "export")
    throw UsageError("data: unknown action '" + action + "' (known: export, text, fortunes)");
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
