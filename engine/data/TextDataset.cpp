#include "engine/data/TextDataset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/CsvReader.h"
#include "engine/data/Fortunes.h"
#include "engine/data/Split.h"

namespace tessel {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void checkUtf8(const std::string& text, const std::string& where) {
  const std::int64_t at = invalidUtf8Offset(text);
  if (at >= 0) throw Error(where + ": not valid UTF-8 (byte " + std::to_string(at + 1) + ")");
}

// Class ids from label strings: the sorted distinct labels. A single class is an error.
// (requireTwo false: a validation or test file, which may hold one class.)
void assignClasses(TextSamples& s, const std::vector<std::string>& labelText,
                   const std::string& what, bool requireTwo) {
  std::set<std::string> distinct(labelText.begin(), labelText.end());
  if (distinct.size() < 2 && (requireTwo || distinct.empty()))
    throw Error(what + " has only one class" +
                (distinct.empty() ? std::string() : " ('" + *distinct.begin() + "')") +
                ": a classifier needs at least two");
  s.classNames.assign(distinct.begin(), distinct.end());
  for (const auto& l : labelText)
    s.labels.push_back(
        int(std::lower_bound(s.classNames.begin(), s.classNames.end(), l) - s.classNames.begin()));
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TextSamples readCsvSource(const DataSettings& st, bool two) {
  const json& o = st.options;
  const std::string& path = st.path;
  std::string delim = o.value("delimiter", std::string());
  if (delim.empty()) delim = lower(fs::path(path).extension().string()) == ".tsv" ? "\t" : ",";
  if (delim == "\\t") delim = "\t";
  const std::string textCol = o.value("text_column", std::string("text"));
  const std::string labelCol = o.value("label_column", std::string("label"));
  CsvReader reader(path, delim[0]);
  std::vector<std::string> header, fields;
  if (!reader.next(header)) throw Error(path + ": the file is empty (no header row)");
  auto column = [&](const std::string& name, const char* role) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      std::string list;
      for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
      throw Error(path + ": no " + role + " column '" + name + "' (columns: " + list + ")");
    }
    return size_t(it - header.begin());
  };
  const size_t ti = column(textCol, "text");
  const size_t li = column(labelCol, "label");
  TextSamples s;
  std::vector<std::string> labels;
  while (reader.next(fields)) {
    const std::string where = path + ":" + std::to_string(reader.line());
    if (fields.size() <= std::max(ti, li))
      throw Error(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                  std::to_string(header.size()));
    checkUtf8(fields[ti], where);
    checkUtf8(fields[li], where);
    s.texts.push_back(fields[ti]);
    labels.push_back(fields[li]);
    s.origins.push_back(where);
  }
  if (s.texts.empty()) throw Error(path + ": no data rows after the header");
  assignClasses(s, labels, path + ": the label column '" + labelCol + "'", two);
  return s;
}

TextSamples readFolderSource(const DataSettings& st, bool two) {
  const std::string& root = st.path;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(root + ": not a folder");
  std::vector<std::string> classes;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory()) classes.push_back(e.path().filename().string());
  std::sort(classes.begin(), classes.end());
  TextSamples s;
  std::vector<std::string> labels;
  std::vector<std::string> used;
  for (const auto& c : classes) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(root) / c, ec))
      if (e.is_regular_file() && lower(e.path().extension().string()) == ".txt")
        files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (!files.empty()) used.push_back(c);
    for (const auto& f : files) {
      std::string text = readWholeFile(f);
      if (text.empty()) throw Error(f + ": the text file is empty");
      checkUtf8(text, f);
      s.texts.push_back(std::move(text));
      labels.push_back(c);
      s.origins.push_back(f);
    }
  }
  if (s.texts.empty())
    throw Error(root + ": no class subfolder with .txt files (one subfolder per class)");
  assignClasses(s, labels, root + ": the class folders", two);
  return s;
}

TextSamples readPairsSource(const DataSettings& st) {
  const std::string& path = st.path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  TextSamples s;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(lineNo);
    checkUtf8(line, where);
    const size_t tab = line.find('\t');
    if (tab == std::string::npos)
      throw Error(where + ": no tab (sentence pairs are 'source<TAB>target' lines)");
    const size_t end = line.find('\t', tab + 1);
    s.texts.push_back(line.substr(0, tab));
    s.targets.push_back(line.substr(tab + 1, end == std::string::npos ? end : end - tab - 1));
    s.origins.push_back(where);
  }
  if (s.texts.empty()) throw Error(path + ": the file is empty (no sentence pairs)");
  return s;
}

TextSamples readFortunesSource(const DataSettings& st, bool two) {
  const std::string dir = st.path.empty() ? std::string(kFortunesDir) : st.path;
  std::vector<std::string> cats = defaultFortuneCategories();
  if (st.options.contains("categories") && !st.options["categories"].empty())
    cats = st.options["categories"].get<std::vector<std::string>>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(dir + ": the fortunes folder is missing (install the Debian package fortunes)");
  std::sort(cats.begin(), cats.end());
  cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
  TextSamples s;
  std::vector<std::string> labels;
  for (const auto& c : cats) {
    const std::string file = (fs::path(dir) / c).string();
    if (!fs::is_regular_file(file, ec))
      throw Error(file + ": no such fortune category (see `tessel data fortunes --categories`)");
    for (auto& e : readFortuneFile(file)) {
      s.texts.push_back(std::move(e.text));
      labels.push_back(c);
      s.origins.push_back(file + ":" + std::to_string(e.line));
    }
  }
  assignClasses(s, labels, dir + ": the fortune categories", two);
  return s;
}

// Keeps the first max rows of a seeded shuffle, in their original order.
void limitSamples(TextSamples& s, Index max, std::uint64_t seed) {
  const Index n = Index(s.texts.size());
  if (max < 0 || n <= max) return;
  Rng rng(seed);
  std::vector<Index> rows = shuffledIndices(n, rng);
  rows.resize(size_t(max));
  std::sort(rows.begin(), rows.end());
  TextSamples k;
  k.classNames = s.classNames;
  for (Index r : rows) {
    k.texts.push_back(s.texts[size_t(r)]);
    if (!s.targets.empty()) k.targets.push_back(s.targets[size_t(r)]);
    if (!s.labels.empty()) k.labels.push_back(s.labels[size_t(r)]);
    k.origins.push_back(s.origins[size_t(r)]);
  }
  s = std::move(k);
}

std::vector<std::string> withStartEnd(std::vector<std::string> tokens) {
  tokens.insert(tokens.begin(), "[start]");
  tokens.push_back("[end]");
  return tokens;
}

json vectorizationConfig(const json& options, const char* key) {
  json c = options.contains(key) ? options[key] : defaultTextVectorizationConfig();
  if (!c.is_object()) throw Error(std::string("text data: \"") + key + "\" must be a JSON object");
  return c;
}

}  // namespace

json defaultTextVectorizationConfig() {
  return {{"max_tokens", 10000}, {"output_sequence_length", 64}};
}

TextSamples readTextSamples(const DataSettings& st, bool requireTwoClasses) {
  const std::string source = st.options.value("source", std::string());
  if (source != "fortunes" && st.path.empty()) throw Error("text data: no file or folder chosen");
  TextSamples s;
  if (source == "csv")
    s = readCsvSource(st, requireTwoClasses);
  else if (source == "folder")
    s = readFolderSource(st, requireTwoClasses);
  else if (source == "pairs")
    s = readPairsSource(st);
  else if (source == "fortunes")
    s = readFortunesSource(st, requireTwoClasses);
  else
    throw Error("text data: unknown source '" + source + "' (csv, folder, pairs, fortunes)");
  if (st.options.contains("max_samples") && !st.options["max_samples"].is_null())
    limitSamples(s, st.options["max_samples"].get<Index>(), st.splitSeed);
  return s;
}

namespace {

// Given files: the training file's samples, then the validation and test files' appended (their
// labels mapped to the training file's classes; an unknown class is an error naming the file).
void readGivenFiles(const DataSettings& st, TextData& d) {
  if (st.options.value("source", std::string()) == "fortunes")
    throw Error("text data: the fortunes set has no split files; use the split fractions");
  auto read = [&](const std::string& path, bool training) {
    DataSettings one = st;
    one.path = path;
    return readTextSamples(one, training);
  };
  d.samples = read(st.trainFile, true);
  auto rows = [&](Index from) {
    std::vector<Index> r;
    for (Index i = from; i < Index(d.samples.texts.size()); ++i) r.push_back(i);
    return r;
  };
  d.train = rows(0);
  for (auto [file, part] :
       {std::pair{&st.validationFile, &d.validation}, {&st.testFile, &d.test}}) {
    if (file->empty()) continue;
    TextSamples more = read(*file, false);
    const Index from = Index(d.samples.texts.size());
    auto& S = d.samples;
    for (size_t i = 0; i < more.texts.size(); ++i) {
      if (!more.labels.empty()) {
        const std::string& name = more.classNames[size_t(more.labels[i])];
        auto it = std::find(S.classNames.begin(), S.classNames.end(), name);
        if (it == S.classNames.end())
          throw Error(more.origins[i] + ": class '" + name + "' is not in the training file " +
                      st.trainFile);
        S.labels.push_back(int(it - S.classNames.begin()));
      }
      S.texts.push_back(more.texts[i]);
      if (!more.targets.empty()) S.targets.push_back(more.targets[i]);
      S.origins.push_back(more.origins[i]);
    }
    *part = rows(from);
  }
}

}  // namespace

TextData prepareTextData(const DataSettings& st, Index trainLimit) {
  TextData d;
  if (!st.trainFile.empty()) {
    readGivenFiles(st, d);
  } else {
    d.samples = readTextSamples(st);
    const Index n = Index(d.samples.texts.size());
    std::vector<double> ids(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) ids[size_t(i)] = double(i);
    ArraySplit parts =
        trainValidTest({Array::fromValues(DType::Int64, {n}, ids)}, st.fractions, st.splitSeed);
    auto rowsOf = [](const std::vector<Array>& p) {
      if (p.empty()) return std::vector<Index>();
      const auto* v = p[0].dataAs<std::int64_t>();
      return std::vector<Index>(v, v + p[0].rows());
    };
    d.train = rowsOf(parts.train);
    d.validation = rowsOf(parts.valid);
    d.test = rowsOf(parts.test);
  }
  if (trainLimit >= 0 && Index(d.train.size()) > trainLimit) d.train.resize(size_t(trainLimit));
  if (d.train.empty()) throw Error("text data: the training split is empty (fractions, data size)");

  json sc = vectorizationConfig(st.options, "vectorization");
  if (st.options.contains("vocabulary_file") && st.options["vocabulary_file"].is_string() &&
      !st.options["vocabulary_file"].get<std::string>().empty())
    sc["vocabulary"] = readVocabularyFile(st.options["vocabulary_file"].get<std::string>());
  d.source = std::make_shared<TextVectorization>(sc);
  const auto& S = d.samples;
  if (!d.source->hasVocabulary()) {
    std::vector<std::string> train;
    for (Index r : d.train) train.push_back(S.texts[size_t(r)]);
    try {
      d.source->adapt(train);
    } catch (const Error& e) {
      throw Error(std::string("text data: ") + e.what());
    }
  }
  if (!S.targets.empty()) {
    const bool given = st.options.contains("target_vectorization");
    json tc = given ? vectorizationConfig(st.options, "target_vectorization") : sc;
    if (!given) {  // the source's settings, not its vocabulary
      tc.erase("vocabulary");
      tc.erase("idf_weights");
      tc.erase("vocabulary_size");
    }
    if (tc.value("output_mode", std::string("int")) != "int")
      throw Error("text data: the target side of sentence pairs must use output_mode int");
    // The decoder input and target are output_sequence_length long: vectorize one more.
    if (!tc.contains("output_sequence_length") || tc["output_sequence_length"].is_null())
      tc["output_sequence_length"] = 20;
    const std::int64_t len = tc["output_sequence_length"].get<std::int64_t>();
    tc["output_sequence_length"] = len + 1;
    d.target = std::make_shared<TextVectorization>(tc);
    if (!d.target->hasVocabulary()) {
      std::vector<std::vector<std::string>> docs;
      for (Index r : d.train) docs.push_back(withStartEnd(d.target->tokens(S.targets[size_t(r)])));
      d.target->adaptTokens(docs);
    }
  }
  return d;
}

std::vector<TextPreviewRow> textPreview(const TextData& d, int n) {
  std::vector<TextPreviewRow> out;
  const auto& S = d.samples;
  for (Index r : d.train) {
    if (int(out.size()) >= n) break;
    TextPreviewRow row;
    row.text = S.texts[size_t(r)];
    if (!S.labels.empty())
      row.label = S.classNames[size_t(S.labels[size_t(r)])];
    else if (!S.targets.empty())
      row.label = S.targets[size_t(r)];
    row.tokens = d.source->tokens(row.text);
    if (d.source->outputMode() == "int") {
      std::int64_t width = 0;
      const std::vector<float> v = d.source->vectorize({row.text}, width);
      for (float f : v) row.ids.push_back(std::int64_t(f));
    } else {
      row.ids = d.source->lookup().lookup(row.tokens);
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace tessel
