#pragma once
// Streaming reader of delimited text (CSV, TSV, space-separated), plain or gzip-compressed (zlib
// reads both), one record at a time: the file is never loaded whole. Fields follow RFC 4180:
// a field may be quoted with '"' (a doubled quote inside stands for one quote; a quoted field may
// span lines). With ' ' as delimiter, runs of spaces/tabs separate fields and leading/trailing
// blanks are ignored (as numpy.loadtxt / pandas delim_whitespace). Unquoted fields are trimmed of
// surrounding blanks. Blank lines are skipped. Line numbers are 1-based physical lines.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tessel {

class CsvReader {
 public:
  // Throws Error "<path>: ..." when the file cannot be opened.
  CsvReader(const std::string& path, char delimiter);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into fields (reused); false at end of file. Throws Error
  // "<path>:<line>: ..." for an unterminated quoted field or a read error.
  bool next(std::vector<std::string>& fields);
  // The next non-blank physical line as it is (no field splitting); false at end of file.
  bool nextRawLine(std::string& line);
  // Physical line on which the last record returned by next() started.
  std::int64_t line() const { return recordLine_; }
  const std::string& path() const { return path_; }

 private:
  bool readLine(std::string& out);  // false at EOF

  std::string path_;
  char delimiter_;
  void* gz_ = nullptr;  // gzFile
  std::int64_t physicalLine_ = 0, recordLine_ = 0;
  std::string line_;
  std::vector<char> buffer_;
};

// Splits one line (no quotes spanning lines) with the rules above; for sniffing and tests.
std::vector<std::string> splitCsvLine(const std::string& line, char delimiter);

}  // namespace tessel
