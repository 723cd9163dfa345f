#include "engine/data/CsvReader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"

namespace tessel {

namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string trimmed(const std::string& s, size_t b, size_t e) {
  while (b < e && isBlank(s[b])) ++b;
  while (e > b && isBlank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Parses `text` (which may hold several physical lines joined with '\n') into fields. Returns
// false when a quoted field is still open at the end.
bool parseRecord(const std::string& text, char delim, std::vector<std::string>& fields) {
  fields.clear();
  const bool whitespace = delim == ' ';
  size_t i = 0;
  const size_t n = text.size();
  if (whitespace)
    while (i < n && isBlank(text[i])) ++i;
  if (i >= n) return true;
  for (;;) {
    std::string field;
    size_t j = i;
    while (j < n && (text[j] == ' ' || text[j] == '\t') && !whitespace) ++j;
    if (j < n && text[j] == '"') {
      ++j;
      bool closed = false;
      while (j < n) {
        if (text[j] == '"') {
          if (j + 1 < n && text[j + 1] == '"') {
            field += '"';
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        field += text[j++];
      }
      if (!closed) return false;
      // Anything between the closing quote and the delimiter is kept (lenient, as Python's csv).
      size_t k = j;
      while (k < n && !(whitespace ? (text[k] == ' ' || text[k] == '\t') : text[k] == delim)) ++k;
      field += trimmed(text, j, k);
      j = k;
    } else {
      size_t k = i;
      while (k < n && !(whitespace ? (text[k] == ' ' || text[k] == '\t') : text[k] == delim)) ++k;
      field = trimmed(text, i, k);
      j = k;
    }
    fields.push_back(std::move(field));
    if (j >= n) break;
    // j is at a delimiter.
    if (whitespace) {
      while (j < n && isBlank(text[j])) ++j;
      if (j >= n) break;
      i = j;
    } else {
      i = j + 1;
      if (i >= n) {
        fields.emplace_back();  // a trailing delimiter: one more empty field
        break;
      }
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> splitCsvLine(const std::string& line, char delimiter) {
  std::vector<std::string> fields;
  if (!parseRecord(line, delimiter, fields)) throw Error("unterminated quoted field");
  return fields;
}

CsvReader::CsvReader(const std::string& path, char delimiter)
    : path_(path), delimiter_(delimiter), buffer_(1 << 16) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw Error(path + ": is a directory");
  gz_ = gzopen(path.c_str(), "rb");
  if (!gz_) throw Error(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(static_cast<gzFile>(gz_), 1 << 17);
}

CsvReader::~CsvReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool CsvReader::readLine(std::string& out) {
  out.clear();
  auto* f = static_cast<gzFile>(gz_);
  bool any = false;
  for (;;) {
    char* got = gzgets(f, buffer_.data(), static_cast<int>(buffer_.size()));
    if (!got) {
      int err = 0;
      const char* msg = gzerror(f, &err);
      if (err != Z_OK && err != Z_STREAM_END)
        throw Error(path_ + ":" + std::to_string(physicalLine_ + 1) + ": read error (" +
                    (msg ? msg : "corrupt data") + ")");
      if (!any) return false;
      break;
    }
    any = true;
    const size_t len = std::strlen(got);
    if (static_cast<std::int64_t>(out.size() + len) > kMaxCsvLineBytes)
      throw Error(path_ + ":" + std::to_string(physicalLine_ + 1) +
                  ": line longer than the limit of " + byteSizeText(kMaxCsvLineBytes));
    out.append(got, len);
    if (len > 0 && got[len - 1] == '\n') {
      out.pop_back();
      break;
    }
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  ++physicalLine_;
  return true;
}

bool CsvReader::nextRawLine(std::string& line) {
  for (;;) {
    if (!readLine(line)) return false;
    recordLine_ = physicalLine_;
    for (char c : line)
      if (!isBlank(c)) return true;
  }
}

bool CsvReader::next(std::vector<std::string>& fields) {
  for (;;) {
    if (!readLine(line_)) return false;
    recordLine_ = physicalLine_;
    bool blank = true;
    for (char c : line_)
      if (!isBlank(c)) {
        blank = false;
        break;
      }
    if (blank) continue;
    std::string record = line_;
    while (!parseRecord(record, delimiter_, fields)) {
      if (!readLine(line_))
        throw Error(path_ + ":" + std::to_string(recordLine_) +
                    ": unterminated quoted field (the file ends inside quotes)");
      if (static_cast<std::int64_t>(record.size() + line_.size()) >= kMaxCsvLineBytes)
        throw Error(path_ + ":" + std::to_string(recordLine_) +
                    ": quoted field longer than the limit of " + byteSizeText(kMaxCsvLineBytes));
      record += '\n';
      record += line_;
    }
    return true;
  }
}

}  // namespace tessel
