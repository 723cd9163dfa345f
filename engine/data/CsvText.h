#pragma once
// Field-level rules shared by the CSV sniffer, parser and encoder (internal to engine/data).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace tessel::csvtext {

// A whole field that is a finite number (strtod: "1e3", "-2.5", " 7" is not).
inline bool parseNumber(const std::string& s, double& out) {
  if (s.empty()) return false;
  const char* b = s.c_str();
  char* e = nullptr;
  out = std::strtod(b, &e);
  return e == b + s.size() && std::isfinite(out);
}

// The field is one of the missing-value markers (na_values).
inline bool isNa(const std::string& s, const std::vector<std::string>& na) {
  return std::find(na.begin(), na.end(), s) != na.end();
}

// "tab", "blanks" or the quoted character, for messages.
inline std::string delimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == ' ') return "blanks";
  return std::string("'") + d + "'";
}

}  // namespace tessel::csvtext
