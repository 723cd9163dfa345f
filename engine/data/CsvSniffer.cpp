// sniffCsv (CsvDataset.h): the delimiter, header, scikit-learn first line and column types of a
// delimited text table, from its first lines.
#include <cmath>
#include <map>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/CsvReader.h"
#include "engine/data/CsvText.h"

namespace tessel {

using csvtext::isNa;
using csvtext::parseNumber;

namespace {

std::vector<std::string> firstLines(const std::string& path, int n) {
  CsvReader r(path, ',');
  std::vector<std::string> lines;
  std::string line;
  while (static_cast<int>(lines.size()) < n && r.nextRawLine(line)) lines.push_back(line);
  return lines;
}

// Chooses the delimiter (and detects scikit-learn's first line) into fmt; returns the number of
// columns. Per candidate: the most common field count over the lines after the first, and how
// many lines have it (ragged rows are tolerated here; the import reports them).
size_t detectDelimiter(const std::string& path, const std::vector<std::string>& lines,
                       CsvFormat& fmt) {
  // scikit-learn: "n_samples,n_features,name,..." then rows of n_features + 1 fields.
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
                   ns >= 0 && ns <= 2147483647.0 && nf >= 0 && nf <= 2147483647.0 &&
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
  return columns;
}

// Header: a text value on the first row in a column whose later values are all numbers; or, when
// every column is text, no first-row value appears again in its column.
bool detectHeader(const std::vector<std::vector<std::string>>& rows, size_t cols,
                  const std::vector<std::string>& naValues) {
  bool header = false;
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
    bool distinct = true;
    for (size_t c = 0; c < cols; ++c)
      for (size_t r = 1; r < rows.size(); ++r) distinct &= rows[r][c] != rows[0][c];
    header = distinct;
  }
  return header;
}

}  // namespace

CsvFormat sniffCsv(const std::string& path, const std::vector<std::string>& naValues,
                   int sampleLines) {
  const auto lines = firstLines(path, sampleLines);
  if (lines.empty()) throw Error(path + ": empty file (no rows)");
  CsvFormat fmt;
  const size_t cols = detectDelimiter(path, lines, fmt);
  std::vector<std::vector<std::string>> rows;
  for (size_t i = fmt.skipLines; i < lines.size(); ++i) {
    auto r = splitCsvLine(lines[i], fmt.delimiter);
    if (r.size() == cols) rows.push_back(std::move(r));  // ragged rows: reported on import
  }
  fmt.header = !fmt.sklearnHeader && rows.size() > 1 && detectHeader(rows, cols, naValues);
  if (fmt.header) {
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

}  // namespace tessel
