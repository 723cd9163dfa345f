#include "engine/data/CsvParsedTable.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"
#include "engine/data/CsvReader.h"
#include "engine/data/CsvText.h"

namespace tessel {

using csvtext::delimiterName;
using csvtext::isNa;
using csvtext::parseNumber;

namespace {

int columnIndex(const CsvFormat& f, const std::string& name, const std::string& path) {
  const auto it = std::find(f.columnNames.begin(), f.columnNames.end(), name);
  if (it == f.columnNames.end()) {
    std::string known;
    for (const auto& n : f.columnNames) known += (known.empty() ? "" : ", ") + n;
    throw Error(path + ": no column named '" + name + "' (columns: " + known + ")");
  }
  return static_cast<int>(it - f.columnNames.begin());
}

// The field index of every spec column and crossed key.
void bindColumns(CsvParsedTable& p, const CsvSpec& spec, const std::string& path) {
  const CsvFormat& f = p.format;
  const std::vector<CsvColumnSpec>& columns = spec.columns;
  p.cols.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    p.cols[i].index = columnIndex(f, columns[i].name, path);
    p.cols[i].numeric = columns[i].type == ColumnType::Numeric;
  }
  for (const auto& c : columns)
    if (c.numOovBuckets > kMaxFeatureColumns ||
        static_cast<std::int64_t>(c.vocabulary.size()) > kMaxFeatureColumns)
      throw Error(path + ": column '" + c.name + "': vocabulary and num_oov_buckets are over the " +
                  "limit of " + countText(kMaxFeatureColumns) + " columns");
  for (const auto& cr : spec.crossed) {
    if (cr.keys.size() < 2) throw Error(path + ": a crossed column needs at least two keys");
    if (cr.hashBucketSize <= 0) throw Error(path + ": crossed column hash_bucket_size must be > 0");
    if (cr.hashBucketSize > kMaxFeatureColumns)
      throw Error(path + ": crossed column hash_bucket_size " + std::to_string(cr.hashBucketSize) +
                  " is over the limit of " + countText(kMaxFeatureColumns) + " columns");
    for (const auto& k : cr.keys)
      if (!p.crossKeyCols.count(k)) {
        p.crossKeyCols[k] = static_cast<int>(p.extra.size());
        CsvColumnValues d;
        d.index = columnIndex(f, k, path);
        p.extra.push_back(std::move(d));
      }
  }
}

// Why a record does not fit (empty when it does); the used columns' values go to rowNum (numbers;
// for categorical columns 0, or -1 when missing) and rowText (categorical text).
std::string rowProblem(const std::vector<std::string>& fields, const CsvParsedTable& p,
                       const CsvSpec& spec, std::vector<double>& rowNum,
                       std::vector<std::string>& rowText) {
  const CsvFormat& f = p.format;
  const size_t width = f.columnNames.size();
  if (fields.size() != width)
    return "expected " + std::to_string(width) + " fields separated by " +
           delimiterName(f.delimiter) + ", found " + std::to_string(fields.size());
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& c = spec.columns[i];
    if (c.role == ColumnRole::Ignore) continue;
    const std::string& v = fields[p.cols[i].index];
    const bool na = isNa(v, spec.naValues);
    if (c.type == ColumnType::Numeric) {
      if (na) {
        if (!c.defaultValue)
          return "missing value '" + v + "' in numeric column '" + c.name +
                 "' (give the column a default value)";
        rowNum[i] = *c.defaultValue;
      } else if (!parseNumber(v, rowNum[i])) {
        return "'" + v + "' in numeric column '" + c.name + "' is not a number";
      }
    } else {
      if (na && c.role == ColumnRole::Label) return "missing label in column '" + c.name + "'";
      if (c.role == ColumnRole::Label && !c.vocabulary.empty() &&
          std::find(c.vocabulary.begin(), c.vocabulary.end(), v) == c.vocabulary.end())
        return "label '" + v + "' of column '" + c.name + "' is not in its vocabulary";
      rowText[i] = na ? std::string() : v;
      rowNum[i] = na ? -1 : 0;
    }
  }
  return {};
}

// Appends a record that fits to the columns' values.
void keepRow(CsvParsedTable& p, const CsvSpec& spec, const std::vector<std::string>& fields,
             const std::vector<double>& rowNum, const std::vector<std::string>& rowText) {
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    if (spec.columns[i].role == ColumnRole::Ignore) continue;
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
}

}  // namespace

CsvParsedTable parseCsvTable(const std::string& path, const CsvSpec& spec, int previewRows) {
  CsvParsedTable p;
  p.format = spec.format ? *spec.format : sniffCsv(path, spec.naValues);
  const CsvFormat& f = p.format;
  bindColumns(p, spec, path);
  CsvReader reader(path, f.delimiter);
  std::vector<std::string> fields;
  for (int i = 0; i < f.skipLines; ++i)
    if (!reader.next(fields)) break;
  if (f.header) reader.next(fields);
  std::vector<double> rowNum(spec.columns.size());
  std::vector<std::string> rowText(spec.columns.size());
  while (reader.next(fields)) {
    if (spec.maxRows >= 0 && p.rows >= spec.maxRows) break;
    if (static_cast<int>(p.previewRows.size()) < previewRows) {
      p.previewRows.push_back(fields);
      p.previewLines.push_back(reader.line());
    }
    const std::string problem = rowProblem(fields, p, spec, rowNum, rowText);
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
    keepRow(p, spec, fields, rowNum, rowText);
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

}  // namespace tessel
