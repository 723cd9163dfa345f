#pragma once
// The parse stage of the CSV import (internal to engine/data): the records of a file read once,
// checked against the spec's columns, with each used column's values kept (numbers, or interned
// text for categorical columns and crossed keys). CsvDataset.cpp encodes them.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/data/CsvDataset.h"

namespace tessel {

// Parsed values of one used column, row by row.
struct CsvColumnValues {
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

struct CsvParsedTable {
  CsvFormat format;
  std::vector<CsvColumnValues> cols;        // one per spec column (Ignore included, unused)
  std::map<std::string, int> crossKeyCols;  // name -> index into extra
  std::vector<CsvColumnValues> extra;       // text of crossed keys
  std::vector<std::int64_t> lines;
  std::vector<std::vector<std::string>> previewRows;
  std::vector<std::int64_t> previewLines;
  std::vector<CsvIssue> issues;
  Index skipped = 0;
  Index rows = 0;
};

// Reads `path` with the spec's format (sniffed when absent) and columns, keeping the first
// `previewRows` records as text. Bad rows are refused (Error naming file:line) or skipped and
// listed, as spec.badRows says; throws when no row is left.
CsvParsedTable parseCsvTable(const std::string& path, const CsvSpec& spec, int previewRows);

}  // namespace tessel
