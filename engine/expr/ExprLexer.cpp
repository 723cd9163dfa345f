#include "engine/expr/ExprLexer.h"

#include <cctype>
#include <cstdlib>

#include "engine/expr/ExprError.h"

namespace tessel {

namespace {

bool nameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool nameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

// Long by design: one branch per token kind.
std::vector<ExprToken> tokenizeExpression(const std::string& s) {
  std::vector<ExprToken> out;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\') {
      ++i;
      continue;
    }
    if (c == '#') {  // a comment runs to the end of the line
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    ExprToken t;
    t.position = int(i);
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i;
      bool isInt = true;
      while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j < n && s[j] == '.') {
        isInt = false;
        ++j;
        while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < n && std::isdigit(static_cast<unsigned char>(s[k]))) {
          isInt = false;
          j = k;
          while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
      t.kind = ExprToken::Number;
      t.text = s.substr(i, j - i);
      t.number = std::strtod(t.text.c_str(), nullptr);
      t.isInt = isInt && t.number <= 9e15;  // exact in a double and in an Index
      if (j < n && nameStart(s[j]))
        throw ExprError(int(j), "unexpected '" + std::string(1, s[j]) + "' after a number");
      i = j;
    } else if (nameStart(c)) {
      size_t j = i;
      while (j < n && nameChar(s[j])) ++j;
      t.kind = ExprToken::Name;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < n && s[j] != c && s[j] != '\n') ++j;
      if (j >= n || s[j] != c) throw ExprError(int(i), "unterminated string");
      t.kind = ExprToken::String;
      t.text = s.substr(i + 1, j - i - 1);
      i = j + 1;
    } else {
      static const char* const ops[] = {"...", "**", "//", "<=", ">=", "==", "!=", "+",
                                        "-",   "*",  "/",  "@",  "(",  ")",  "[",  "]",
                                        ",",   ":",  ".",  "=",  "<",  ">"};
      bool found = false;
      for (const char* op : ops) {
        const std::string o(op);
        if (s.compare(i, o.size(), o) == 0) {
          t.kind = ExprToken::Op;
          t.text = o;
          i += o.size();
          found = true;
          break;
        }
      }
      if (!found) {
        const unsigned char uc = static_cast<unsigned char>(c);
        throw ExprError(int(i), uc >= 32 && uc < 127
                                    ? "unexpected character '" + std::string(1, c) + "'"
                                    : "unexpected character (code " + std::to_string(uc) + ")");
      }
    }
    out.push_back(std::move(t));
  }
  ExprToken end;
  end.position = int(n);
  out.push_back(end);
  return out;
}

}  // namespace tessel
