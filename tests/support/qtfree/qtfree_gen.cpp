// qtfree_gen: the moc stand-in for building Qt Test sources without Qt.
//   qtfree_gen <tst_xxx.cpp> <out/tst_xxx.moc>
// Reads the test source, finds the class named in QTEST_APPLESS_MAIN(Class), collects the
// `void name()` slots declared under `private slots:` in declaration order, and writes the `.moc`
// file the source includes at its end: a qtfree::Access<Class> specialisation (a friend of the
// class through Q_OBJECT) that registers initTestCase / cleanupTestCase / init / cleanup and every
// test function with its `name_data` companion, and qtfree_main(), called by QTEST_APPLESS_MAIN.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

bool isIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isIdent(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Identifiers, numbers and punctuation ("::" as one token); comments, string and character
// literals and preprocessor lines are dropped.
std::vector<std::string> tokenize(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  const size_t n = s.size();
  bool lineStart = true;
  while (i < n) {
    const char c = s[i];
    if (c == '\n') {
      lineStart = true;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '#' && lineStart) {  // preprocessor directive, with continuation lines
      while (i < n && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n') ++i;
        ++i;
      }
      continue;
    }
    lineStart = false;
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      const size_t e = s.find("*/", i + 2);
      i = e == std::string::npos ? n : e + 2;
      continue;
    }
    if (isIdentStart(c)) {
      size_t j = i;
      while (j < n && isIdent(s[j])) ++j;
      std::string word = s.substr(i, j - i);
      // Raw string literal: R"delim( ... )delim", possibly prefixed (u8R, LR, ...).
      if (j < n && s[j] == '"' && !word.empty() && word.back() == 'R' &&
          (word == "R" || word == "u8R" || word == "uR" || word == "UR" || word == "LR")) {
        const size_t open = s.find('(', j);
        if (open == std::string::npos) return out;
        const std::string close = ")" + s.substr(j + 1, open - j - 1) + "\"";
        const size_t e = s.find(close, open + 1);
        i = e == std::string::npos ? n : e + close.size();
        continue;
      }
      out.push_back(word);
      i = j;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {  // numbers, with ' digit separators
      size_t j = i;
      while (j < n && (isIdent(s[j]) || s[j] == '.' || s[j] == '\'')) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < n && s[j] != c) j += (s[j] == '\\') ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (c == ':' && i + 1 < n && s[i + 1] == ':') {
      out.push_back("::");
      i += 2;
      continue;
    }
    out.push_back(std::string(1, c));
    ++i;
  }
  return out;
}

struct Parsed {
  std::string classExpr;  // as written in QTEST_APPLESS_MAIN, e.g. TestDense or ns::TestDense
  std::vector<std::string> slots;
};

bool parse(const std::vector<std::string>& t, Parsed& p, std::string& error) {
  std::string simple;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if ((t[i] != "QTEST_APPLESS_MAIN" && t[i] != "QTEST_MAIN" && t[i] != "QTEST_GUILESS_MAIN") ||
        t[i + 1] != "(")
      continue;
    for (size_t j = i + 2; j < t.size() && t[j] != ")"; ++j) {
      p.classExpr += t[j];
      if (isIdentStart(t[j][0])) simple = t[j];
    }
    break;
  }
  if (simple.empty()) {
    error = "no QTEST_APPLESS_MAIN(Class) found";
    return false;
  }
  // The class definition: class|struct Name [final] [: bases] {
  size_t body = 0;
  bool isStruct = false;
  for (size_t i = 0; i + 1 < t.size() && !body; ++i) {
    if ((t[i] != "class" && t[i] != "struct") || t[i + 1] != simple) continue;
    for (size_t j = i + 2; j < t.size(); ++j) {
      if (t[j] == ";" || t[j] == "(" || t[j] == ")") break;  // declaration or use, not definition
      if (t[j] == "{") {
        body = j;
        isStruct = t[i] == "struct";
        break;
      }
    }
  }
  if (!body) {
    error = "no definition of class " + simple + " found";
    return false;
  }
  enum Section { kPublic, kPrivate, kPrivateSlots, kOther } section = isStruct ? kPublic : kPrivate;
  int depth = 0;
  int parens = 0;
  for (size_t i = body; i < t.size(); ++i) {
    const std::string& w = t[i];
    if (w == "{") {
      ++depth;
      continue;
    }
    if (w == "}") {
      if (--depth == 0) break;
      continue;
    }
    if (w == "(") ++parens;
    if (w == ")") --parens;
    if (depth != 1 || parens != 0) continue;
    auto at = [&](size_t k) -> const std::string& {
      static const std::string none;
      return k < t.size() ? t[k] : none;
    };
    if (w == "public" || w == "private" || w == "protected") {
      const bool withSlots = at(i + 1) == "slots" || at(i + 1) == "Q_SLOTS";
      if (at(i + (withSlots ? 2 : 1)) == ":") {
        section = (w == "private" && withSlots) ? kPrivateSlots
                  : withSlots                   ? kOther
                  : w == "public"               ? kPublic
                                                : kPrivate;
        i += withSlots ? 2 : 1;
      }
      continue;
    }
    if ((w == "signals" || w == "Q_SIGNALS") && at(i + 1) == ":") {
      section = kOther;
      ++i;
      continue;
    }
    if (section == kPrivateSlots && w == "void" && isIdentStart(at(i + 1)[0]) && at(i + 2) == "(" &&
        at(i + 3) == ")")
      p.slots.push_back(at(i + 1));
  }
  return true;
}

std::string generate(const Parsed& p, const std::string& source) {
  auto has = [&](const std::string& s) {
    return std::find(p.slots.begin(), p.slots.end(), s) != p.slots.end();
  };
  const std::string& c = p.classExpr;
  std::ostringstream o;
  o << "// Generated by qtfree_gen from " << source << " (Qt-free stand-in for moc output).\n"
    << "template <>\n"
    << "struct qtfree::Access<" << c << "> {\n"
    << "  static int run(int argc, char** argv) {\n"
    << "    " << c << " tc;\n"
    << "    ::qtfree::Runner r(\"" << c << "\", argc, argv);\n";
  for (const char* special : {"initTestCase", "cleanupTestCase", "init", "cleanup"})
    if (has(special)) o << "    r." << special << " = [&tc] { tc." << special << "(); };\n";
  for (const std::string& s : p.slots) {
    if (s == "initTestCase" || s == "cleanupTestCase" || s == "init" || s == "cleanup") continue;
    if (s.size() > 5 && s.compare(s.size() - 5, 5, "_data") == 0) continue;
    o << "    r.add(\"" << s << "\", ";
    if (has(s + "_data"))
      o << "[&tc] { tc." << s << "_data(); }";
    else
      o << "nullptr";
    o << ", [&tc] { tc." << s << "(); });\n";
  }
  o << "    return r.exec();\n"
    << "  }\n"
    << "};\n"
    << "int qtfree_main(int argc, char** argv) { return ::qtfree::Access<" << c
    << ">::run(argc, argv); }\n";
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: qtfree_gen <test source> <output .moc>\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "qtfree_gen: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Parsed p;
  std::string error;
  if (!parse(tokenize(ss.str()), p, error)) {
    std::cerr << argv[1] << ": error: qtfree_gen: " << error << "\n";
    return 1;
  }
  if (p.slots.empty()) {
    std::cerr << argv[1] << ": error: qtfree_gen: no `void name()` under `private slots:` in "
              << p.classExpr << "\n";
    return 1;
  }
  const std::string text = generate(p, argv[1]);
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::cerr << "qtfree_gen: cannot write " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
