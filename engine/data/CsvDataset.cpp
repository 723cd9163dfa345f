#include "engine/data/CsvDataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/core/Error.h"
#include "engine/data/CsvReader.h"
#include "engine/data/Split.h"

namespace tessel {

using json = nlohmann::json;

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

bool parseNumber(const std::string& s, double& out) {
  if (s.empty()) return false;
  const char* b = s.c_str();
  char* e = nullptr;
  out = std::strtod(b, &e);
  return e == b + s.size() && std::isfinite(out);
}

bool isNa(const std::string& s, const std::vector<std::string>& na) {
  return std::find(na.begin(), na.end(), s) != na.end();
}

std::string delimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == ' ') return "blanks";
  return std::string("'") + d + "'";
}

// ---- sniffing -------------------------------------------------------------------------------

std::vector<std::string> firstLines(const std::string& path, int n) {
  CsvReader r(path, ',');
  std::vector<std::string> lines;
  std::string line;
  while (static_cast<int>(lines.size()) < n && r.nextRawLine(line)) lines.push_back(line);
  return lines;
}

}  // namespace

CsvFormat sniffCsv(const std::string& path, const std::vector<std::string>& naValues,
                   int sampleLines) {
  const auto lines = firstLines(path, sampleLines);
  if (lines.empty()) throw Error(path + ": empty file (no rows)");
  CsvFormat fmt;
  // scikit-learn: "n_samples,n_features,name,..." then rows of n_features + 1 fields.
  // Per candidate: the most common field count over the lines after the first, and how many
  // lines have it (ragged rows are tolerated here; the import reports them).
  bool found = false;
  double bestShare = 0;
  size_t columns = 0;
  for (char d : {',', '\t', ';', '|', ' '}) {
    std::vector<size_t> counts;
    for (const auto& l : lines) counts.push_back(splitCsvLine(l, d).size());
    const size_t from = counts.size() > 1 ? 1 : 0;
    std::map<size_t, size_t> freq;
    for (size_t i = from; i < counts.size(); ++i) ++freq[counts[i]];
    size_t c = 0, hits = 0;
    for (const auto& [k, v] : freq)
      if (v > hits) c = k, hits = v;
    if (c < 2) continue;
    const double share = double(hits) / double(counts.size() - from);
    if (share < 0.8 || share <= bestShare) continue;
    CsvFormat cand;
    cand.delimiter = d;
    const auto first = splitCsvLine(lines[0], d);
    double ns = 0, nf = 0, tmp = 0;
    bool sklearn = first.size() >= 3 && lines.size() > 1 && parseNumber(first[0], ns) &&
                   parseNumber(first[1], nf) && ns == std::floor(ns) && nf == std::floor(nf) &&
                   static_cast<size_t>(nf) + 1 == c;
    for (size_t i = 2; sklearn && i < first.size(); ++i) sklearn = !parseNumber(first[i], tmp);
    if (sklearn) {
      cand.sklearnHeader = true;
      cand.skipLines = 1;
      cand.sklearnSamples = static_cast<Index>(ns);
      cand.sklearnFeatures = static_cast<Index>(nf);
      cand.classNames.assign(first.begin() + 2, first.end());
    } else if (counts[0] != c) {
      continue;  // the first line (a header, or data) must fit the table
    }
    fmt = cand;
    columns = c;
    bestShare = share;
    found = true;
    if (share == 1.0) break;
  }
  if (!found)
    throw Error(path +
                ": cannot detect the delimiter (tried ',', tab, ';', '|', blanks): the "
                "first lines do not split into the same number of fields");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = fmt.skipLines; i < lines.size(); ++i) {
    auto r = splitCsvLine(lines[i], fmt.delimiter);
    if (r.size() == columns) rows.push_back(std::move(r));  // ragged rows: reported on import
  }
  const size_t cols = columns;
  // Header: a text value on the first row in a column whose later values are all numbers.
  bool header = false;
  if (!fmt.sklearnHeader && rows.size() > 1) {
    bool allText = true;
    for (size_t c = 0; c < cols; ++c) {
      double v = 0;
      bool laterNumeric = true, laterAny = false;
      for (size_t r = 1; r < rows.size(); ++r) {
        if (isNa(rows[r][c], naValues)) continue;
        laterAny = true;
        laterNumeric &= parseNumber(rows[r][c], v);
      }
      const bool firstText = !parseNumber(rows[0][c], v) && !isNa(rows[0][c], naValues);
      allText &= firstText;
      if (firstText && laterNumeric && laterAny) header = true;
    }
    if (!header && allText) {
      // Every column text: a header when no first-row value appears again in its column.
      bool distinct = true;
      for (size_t c = 0; c < cols; ++c)
        for (size_t r = 1; r < rows.size(); ++r) distinct &= rows[r][c] != rows[0][c];
      header = distinct;
    }
  }
  fmt.header = header;
  if (header) {
    fmt.columnNames = rows[0];
    rows.erase(rows.begin());
  } else {
    for (size_t c = 0; c < cols; ++c) fmt.columnNames.push_back("column_" + std::to_string(c));
  }
  fmt.numeric.assign(cols, true);
  for (const auto& r : rows)
    for (size_t c = 0; c < cols && c < r.size(); ++c) {
      double v = 0;
      if (!isNa(r[c], naValues) && !parseNumber(r[c], v)) fmt.numeric[c] = false;
    }
  return fmt;
}

// ---- spec <-> JSON --------------------------------------------------------------------------

namespace {

const char* roleName(ColumnRole r) {
  return r == ColumnRole::Feature ? "feature" : r == ColumnRole::Label ? "label" : "ignore";
}
const char* encodingName(CategoricalEncoding e) {
  return e == CategoricalEncoding::OneHot ? "one_hot" : "index";
}

template <class E>
E enumFrom(const json& j, const char* key, std::initializer_list<std::pair<const char*, E>> map,
           E def) {
  if (!j.contains(key)) return def;
  const std::string v = j[key].get<std::string>();
  for (const auto& [n, e] : map)
    if (v == n) return e;
  throw Error(std::string("data settings: unknown ") + key + " '" + v + "'");
}

json formatToJson(const CsvFormat& f) {
  return {{"delimiter", std::string(1, f.delimiter)},
          {"header", f.header},
          {"skip_lines", f.skipLines},
          {"column_names", f.columnNames},
          {"sklearn_header", f.sklearnHeader},
          {"class_names", f.classNames}};
}

}  // namespace

json CsvSpec::toJson() const {
  json cols = json::array();
  for (const auto& c : columns) {
    json o = {{"name", c.name},
              {"role", roleName(c.role)},
              {"type", c.type == ColumnType::Numeric ? "numeric" : "categorical"}};
    if (c.type == ColumnType::Numeric) {
      o["standardize"] = c.standardize;
      if (c.defaultValue) o["default_value"] = *c.defaultValue;
    } else {
      o["vocabulary"] = c.vocabulary;
      o["num_oov_buckets"] = c.numOovBuckets;
      o["encoding"] = encodingName(c.encoding);
    }
    cols.push_back(o);
  }
  json crosses = json::array();
  for (const auto& c : crossed)
    crosses.push_back({{"keys", c.keys},
                       {"hash_bucket_size", c.hashBucketSize},
                       {"encoding", encodingName(c.encoding)}});
  json j = {{"na_values", naValues},  {"columns", cols},
            {"crossed", crosses},     {"bad_rows", badRows == BadRows::Refuse ? "refuse" : "skip"},
            {"fractions", fractions}, {"seed", seed}};
  if (format) j["format"] = formatToJson(*format);
  if (maxRows >= 0) j["max_rows"] = maxRows;
  return j;
}

CsvSpec CsvSpec::fromJson(const json& j) {
  CsvSpec s;
  try {
    if (j.contains("na_values")) s.naValues = j["na_values"].get<std::vector<std::string>>();
    if (j.contains("columns"))
      for (const auto& o : j["columns"]) {
        CsvColumnSpec c;
        c.name = o.at("name").get<std::string>();
        c.role = enumFrom<ColumnRole>(o, "role",
                                      {{"feature", ColumnRole::Feature},
                                       {"label", ColumnRole::Label},
                                       {"ignore", ColumnRole::Ignore}},
                                      ColumnRole::Feature);
        c.type = enumFrom<ColumnType>(
            o, "type", {{"numeric", ColumnType::Numeric}, {"categorical", ColumnType::Categorical}},
            ColumnType::Numeric);
        c.standardize = o.value("standardize", true);
        if (o.contains("default_value") && !o["default_value"].is_null())
          c.defaultValue = o["default_value"].get<double>();
        c.vocabulary = o.value("vocabulary", std::vector<std::string>{});
        c.numOovBuckets = o.value("num_oov_buckets", 0);
        c.encoding = enumFrom<CategoricalEncoding>(
            o, "encoding",
            {{"one_hot", CategoricalEncoding::OneHot}, {"index", CategoricalEncoding::Index}},
            CategoricalEncoding::OneHot);
        s.columns.push_back(c);
      }
    if (j.contains("crossed"))
      for (const auto& o : j["crossed"]) {
        CrossedColumnSpec c;
        c.keys = o.at("keys").get<std::vector<std::string>>();
        c.hashBucketSize = o.at("hash_bucket_size").get<int>();
        c.encoding = enumFrom<CategoricalEncoding>(
            o, "encoding",
            {{"one_hot", CategoricalEncoding::OneHot}, {"index", CategoricalEncoding::Index}},
            CategoricalEncoding::OneHot);
        s.crossed.push_back(c);
      }
    s.badRows = enumFrom<BadRows>(
        j, "bad_rows", {{"refuse", BadRows::Refuse}, {"skip", BadRows::Skip}}, BadRows::Refuse);
    if (j.contains("fractions")) s.fractions = j["fractions"].get<std::vector<double>>();
    s.seed = j.value("seed", std::uint64_t(0));
    s.maxRows = j.value("max_rows", Index(-1));
    if (j.contains("format")) {
      const auto& f = j["format"];
      CsvFormat fmt;
      const auto d = f.at("delimiter").get<std::string>();
      if (d.size() != 1) throw Error("data settings: delimiter must be one character");
      fmt.delimiter = d[0];
      fmt.header = f.value("header", false);
      fmt.skipLines = f.value("skip_lines", 0);
      fmt.columnNames = f.value("column_names", std::vector<std::string>{});
      fmt.sklearnHeader = f.value("sklearn_header", false);
      fmt.classNames = f.value("class_names", std::vector<std::string>{});
      s.format = fmt;
    }
  } catch (const json::exception& e) {
    throw Error(std::string("data settings: malformed CSV settings (") + e.what() + ")");
  }
  return s;
}

CsvSpec suggestCsvSpec(const std::string& path, const std::vector<std::string>& naValues) {
  CsvSpec s;
  s.naValues = naValues;
  s.format = sniffCsv(path, naValues);
  const auto& f = *s.format;
  for (size_t c = 0; c < f.columnNames.size(); ++c) {
    CsvColumnSpec col;
    col.name = f.columnNames[c];
    col.type = f.numeric[c] ? ColumnType::Numeric : ColumnType::Categorical;
    if (c + 1 == f.columnNames.size()) col.role = ColumnRole::Label;
    s.columns.push_back(col);
  }
  return s;
}

// ---- import ---------------------------------------------------------------------------------

namespace {

// Parsed values of one used column, row by row.
struct ColumnData {
  int index = -1;  // field index in the record
  bool numeric = false;
  std::vector<double> num;  // numeric
  std::vector<int> sid;     // interned text (-1 missing); for categorical or crossed keys
  std::vector<std::string> strings;
  std::unordered_map<std::string, int> ids;
  int intern(const std::string& s) {
    auto [it, inserted] = ids.emplace(s, static_cast<int>(strings.size()));
    if (inserted) strings.push_back(s);
    return it->second;
  }
};

struct Parsed {
  CsvFormat format;
  std::vector<ColumnData> cols;             // one per spec column (Ignore included, unused)
  std::map<std::string, int> crossKeyCols;  // name -> index into extra
  std::vector<ColumnData> extra;            // text of crossed keys
  std::vector<std::int64_t> lines;
  std::vector<std::vector<std::string>> previewRows;
  std::vector<std::int64_t> previewLines;
  std::vector<CsvIssue> issues;
  Index skipped = 0;
  Index rows = 0;
};

int columnIndex(const CsvFormat& f, const std::string& name, const std::string& path) {
  const auto it = std::find(f.columnNames.begin(), f.columnNames.end(), name);
  if (it == f.columnNames.end()) {
    std::string known;
    for (const auto& n : f.columnNames) known += (known.empty() ? "" : ", ") + n;
    throw Error(path + ": no column named '" + name + "' (columns: " + known + ")");
  }
  return static_cast<int>(it - f.columnNames.begin());
}

Parsed parse(const std::string& path, const CsvSpec& spec, int previewRows) {
  Parsed p;
  p.format = spec.format ? *spec.format : sniffCsv(path, spec.naValues);
  const CsvFormat& f = p.format;
  const std::vector<CsvColumnSpec>& columns = spec.columns;
  p.cols.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    p.cols[i].index = columnIndex(f, columns[i].name, path);
    p.cols[i].numeric = columns[i].type == ColumnType::Numeric;
  }
  for (const auto& cr : spec.crossed) {
    if (cr.keys.size() < 2) throw Error(path + ": a crossed column needs at least two keys");
    if (cr.hashBucketSize <= 0) throw Error(path + ": crossed column hash_bucket_size must be > 0");
    for (const auto& k : cr.keys)
      if (!p.crossKeyCols.count(k)) {
        p.crossKeyCols[k] = static_cast<int>(p.extra.size());
        ColumnData d;
        d.index = columnIndex(f, k, path);
        p.extra.push_back(std::move(d));
      }
  }
  const size_t width = f.columnNames.size();
  CsvReader reader(path, f.delimiter);
  std::vector<std::string> fields;
  for (int i = 0; i < f.skipLines; ++i)
    if (!reader.next(fields)) break;
  if (f.header) reader.next(fields);
  std::vector<double> rowNum(columns.size());
  std::vector<std::string> rowText(columns.size());
  while (reader.next(fields)) {
    if (spec.maxRows >= 0 && p.rows >= spec.maxRows) break;
    if (static_cast<int>(p.previewRows.size()) < previewRows) {
      p.previewRows.push_back(fields);
      p.previewLines.push_back(reader.line());
    }
    std::string problem;
    if (fields.size() != width) {
      problem = "expected " + std::to_string(width) + " fields separated by " +
                delimiterName(f.delimiter) + ", found " + std::to_string(fields.size());
    } else {
      for (size_t i = 0; i < columns.size() && problem.empty(); ++i) {
        const auto& c = columns[i];
        if (c.role == ColumnRole::Ignore) continue;
        const std::string& v = fields[p.cols[i].index];
        const bool na = isNa(v, spec.naValues);
        if (c.type == ColumnType::Numeric) {
          if (na) {
            if (c.defaultValue)
              rowNum[i] = *c.defaultValue;
            else
              problem = "missing value '" + v + "' in numeric column '" + c.name +
                        "' (give the column a default value)";
          } else if (!parseNumber(v, rowNum[i])) {
            problem = "'" + v + "' in numeric column '" + c.name + "' is not a number";
          }
        } else {
          if (na && c.role == ColumnRole::Label)
            problem = "missing label in column '" + c.name + "'";
          else if (c.role == ColumnRole::Label && !c.vocabulary.empty() &&
                   std::find(c.vocabulary.begin(), c.vocabulary.end(), v) == c.vocabulary.end())
            problem = "label '" + v + "' of column '" + c.name + "' is not in its vocabulary";
          rowText[i] = na ? std::string() : v;
          rowNum[i] = na ? -1 : 0;
        }
      }
    }
    if (!problem.empty()) {
      CsvIssue issue{path, reader.line(), problem};
      if (spec.badRows == BadRows::Refuse)
        throw Error(issue.text() +
                    " (nothing imported; choose to skip bad rows to import the "
                    "rest)");
      ++p.skipped;
      if (p.issues.size() < 1000) p.issues.push_back(issue);
      continue;
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].role == ColumnRole::Ignore) continue;
      auto& d = p.cols[i];
      if (d.numeric)
        d.num.push_back(rowNum[i]);
      else
        d.sid.push_back(rowNum[i] < 0 ? -1 : d.intern(rowText[i]));
    }
    for (auto& d : p.extra) {
      const std::string& v = fields[d.index];
      d.sid.push_back(isNa(v, spec.naValues) ? -1 : d.intern(v));
    }
    p.lines.push_back(reader.line());
    ++p.rows;
  }
  if (p.rows == 0)
    throw Error(path + ": no data rows" +
                (p.skipped ? " (all " + std::to_string(p.skipped) +
                                 " rows were bad; first: " + p.issues.front().text() + ")"
                           : std::string()));
  return p;
}

std::vector<std::string> sortedValues(const ColumnData& d, const std::vector<Index>* rows) {
  std::set<std::string> s;
  if (rows) {
    for (Index r : *rows)
      if (d.sid[r] >= 0) s.insert(d.strings[d.sid[r]]);
  } else {
    for (int id : d.sid)
      if (id >= 0) s.insert(d.strings[id]);
  }
  return {s.begin(), s.end()};
}

CsvImport encode(const std::string& path, const CsvSpec& spec, Parsed& p) {
  CsvImport out;
  out.format = p.format;
  out.rowLines = p.lines;
  out.issues = p.issues;
  out.skippedRows = p.skipped;
  const Index n = p.rows;
  // Split first: statistics come from the training rows only.
  {
    Array idx(DType::Int64, Shape{n});
    auto* v = idx.dataAs<std::int64_t>();
    for (Index i = 0; i < n; ++i) v[i] = i;
    ArraySplit s = trainValidTest({idx}, spec.fractions, spec.seed);
    auto rows = [](const Array& a) {
      const auto* d = a.dataAs<std::int64_t>();
      return std::vector<Index>(d, d + a.rows());
    };
    out.trainRows = rows(s.train[0]);
    out.validRows = rows(s.valid[0]);
    out.testRows = rows(s.test[0]);
  }
  struct Plan {
    size_t col;
    Index offset, width;
    std::unordered_map<int, Index> idToSlot;  // categorical: interned id -> vocabulary slot
  };
  std::vector<Plan> plans;
  Index width = 0;
  std::vector<size_t> labelCols;
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& c = spec.columns[i];
    if (c.role == ColumnRole::Label) labelCols.push_back(i);
    if (c.role != ColumnRole::Feature) continue;
    auto& d = p.cols[i];
    CsvImport::Fitted fit;
    fit.name = c.name;
    Plan plan{i, width, 1, {}};
    if (c.type == ColumnType::Numeric) {
      if (c.standardize) {
        if (out.trainRows.empty())
          throw Error(path + ": cannot standardise column '" + c.name + "': no training rows");
        double sum = 0;
        for (Index r : out.trainRows) sum += d.num[r];
        const double mean = sum / double(out.trainRows.size());
        double var = 0;
        for (Index r : out.trainRows) var += (d.num[r] - mean) * (d.num[r] - mean);
        var /= double(out.trainRows.size());
        const double sd = std::sqrt(var);
        fit.mean = mean;
        fit.scale = sd < 10 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(mean))
                        ? 1.0
                        : sd;
      }
      out.featureNames.push_back(c.name);
    } else {
      if (c.numOovBuckets < 0) throw Error(path + ": num_oov_buckets must be >= 0");
      fit.vocabulary = c.vocabulary.empty() ? sortedValues(d, &out.trainRows) : c.vocabulary;
      std::unordered_map<std::string, Index> slot;
      for (size_t k = 0; k < fit.vocabulary.size(); ++k)
        slot.emplace(fit.vocabulary[k], static_cast<Index>(k));
      const Index vocab = static_cast<Index>(fit.vocabulary.size());
      for (size_t id = 0; id < d.strings.size(); ++id) {
        const auto it = slot.find(d.strings[id]);
        Index s = -1;
        if (it != slot.end())
          s = it->second;
        else if (c.numOovBuckets > 0)
          s = vocab + Index(fnv1a64(d.strings[id]) % std::uint64_t(c.numOovBuckets));
        plan.idToSlot.emplace(static_cast<int>(id), s);
      }
      if (c.encoding == CategoricalEncoding::OneHot) {
        plan.width = vocab + c.numOovBuckets;
        for (const auto& v : fit.vocabulary) out.featureNames.push_back(c.name + "=" + v);
        for (int b = 0; b < c.numOovBuckets; ++b)
          out.featureNames.push_back(c.name + "#oov" + std::to_string(b));
      } else {
        out.featureNames.push_back(c.name);
      }
    }
    out.fitted.push_back(fit);
    width += plan.width;
    plans.push_back(std::move(plan));
  }
  std::vector<Index> crossOffset;
  for (const auto& cr : spec.crossed) {
    crossOffset.push_back(width);
    std::string base;
    for (const auto& k : cr.keys) base += (base.empty() ? "" : "_X_") + k;
    if (cr.encoding == CategoricalEncoding::OneHot) {
      for (int b = 0; b < cr.hashBucketSize; ++b)
        out.featureNames.push_back(base + "#" + std::to_string(b));
      width += cr.hashBucketSize;
    } else {
      out.featureNames.push_back(base);
      width += 1;
    }
  }
  if (width == 0) throw Error(path + ": no feature columns selected");

  out.x = Array(DType::Float32, Shape{n, width});
  float* x = out.x.dataAs<float>();
  size_t planIndex = 0;
  for (const auto& plan : plans) {
    const auto& c = spec.columns[plan.col];
    const auto& d = p.cols[plan.col];
    const auto& fit = out.fitted[planIndex++];
    for (Index r = 0; r < n; ++r) {
      float* row = x + r * width + plan.offset;
      if (c.type == ColumnType::Numeric) {
        row[0] = float((d.num[r] - fit.mean) / fit.scale);
      } else {
        const Index s = d.sid[r] < 0 ? -1 : plan.idToSlot.at(d.sid[r]);
        if (c.encoding == CategoricalEncoding::Index)
          row[0] = float(s);  // -1: missing or out of vocabulary without buckets (TF default)
        else if (s >= 0)
          row[s] = 1.0f;
      }
    }
  }
  for (size_t k = 0; k < spec.crossed.size(); ++k) {
    const auto& cr = spec.crossed[k];
    std::string key;
    for (Index r = 0; r < n; ++r) {
      float* row = x + r * width + crossOffset[k];
      key.clear();
      bool missing = false;
      for (size_t j = 0; j < cr.keys.size(); ++j) {
        const auto& d = p.extra[p.crossKeyCols.at(cr.keys[j])];
        if (d.sid[r] < 0) {
          missing = true;
          break;
        }
        if (j) key += "_X_";
        key += d.strings[d.sid[r]];
      }
      const Index b = missing ? -1 : Index(fnv1a64(key) % std::uint64_t(cr.hashBucketSize));
      if (cr.encoding == CategoricalEncoding::Index)
        row[0] = float(b);
      else if (b >= 0)
        row[b] = 1.0f;
    }
  }
  // Labels: numbers as they are, text as class ids of the (given or learned) vocabulary.
  const Index nl = static_cast<Index>(labelCols.size());
  out.y = Array(DType::Float32, Shape{n, nl});
  float* y = out.y.dataAs<float>();
  for (Index l = 0; l < nl; ++l) {
    const auto& c = spec.columns[labelCols[l]];
    const auto& d = p.cols[labelCols[l]];
    out.labelNames.push_back(c.name);
    if (c.type == ColumnType::Numeric) {
      out.labelVocabularies.emplace_back();
      for (Index r = 0; r < n; ++r) y[r * nl + l] = float(d.num[r]);
    } else {
      std::vector<std::string> vocab =
          c.vocabulary.empty() ? sortedValues(d, nullptr) : c.vocabulary;
      std::unordered_map<std::string, Index> slot;
      for (size_t k = 0; k < vocab.size(); ++k) slot.emplace(vocab[k], static_cast<Index>(k));
      for (Index r = 0; r < n; ++r) y[r * nl + l] = float(slot.at(d.strings[d.sid[r]]));
      out.labelVocabularies.push_back(std::move(vocab));
    }
  }
  return out;
}

CsvSpec resolved(const std::string& path, const CsvSpec& spec) {
  if (!spec.columns.empty()) return spec;
  CsvSpec s = suggestCsvSpec(path, spec.naValues);
  s.crossed = spec.crossed;
  s.badRows = spec.badRows;
  s.fractions = spec.fractions;
  s.seed = spec.seed;
  s.maxRows = spec.maxRows;
  if (spec.format) s.format = spec.format;
  return s;
}

}  // namespace

CsvImport importCsv(const std::string& path, const CsvSpec& specIn) {
  const CsvSpec spec = resolved(path, specIn);
  Parsed p = parse(path, spec, 0);
  return encode(path, spec, p);
}

CsvPreview previewCsv(const std::string& path, const CsvSpec& specIn, int rows, Index scanRows) {
  CsvSpec spec = resolved(path, specIn);
  spec.maxRows = scanRows;
  spec.badRows = BadRows::Skip;
  spec.fractions = {1.0, 0.0, 0.0};  // a preview fits on every scanned row
  Parsed p = parse(path, spec, rows);
  CsvPreview out;
  out.rows = p.previewRows;
  out.lines = p.previewLines;
  CsvImport imp = encode(path, spec, p);
  out.format = imp.format;
  out.issues = imp.issues;
  const Index k = std::min<Index>(rows, imp.x.rows());
  out.x = imp.x.rowsRange(0, k);
  out.y = imp.y.rowsRange(0, k);
  out.featureNames = imp.featureNames;
  out.featureWidth = imp.featureWidth();
  return out;
}

}  // namespace tessel
