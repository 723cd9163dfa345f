// CsvSpec's JSON form (the data settings' CSV options) and the suggested spec of a file
// (CsvDataset.h).
#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"

namespace tessel {

using json = nlohmann::json;

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

}  // namespace tessel
