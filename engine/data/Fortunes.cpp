#include "engine/data/Fortunes.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/TextLookup.h"

namespace tessel {

namespace fs = std::filesystem;

const std::vector<std::string>& defaultFortuneCategories() {
  static const std::vector<std::string> c = {"computers", "definitions", "politics", "science",
                                             "songs-poems"};
  return c;
}

std::vector<FortuneEntry> readFortuneFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the fortune file");
  std::vector<FortuneEntry> out;
  std::string line, text;
  int lineNo = 0, first = 0;
  auto flush = [&] {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    size_t b = text.find_first_not_of("\n");
    if (b != std::string::npos) out.push_back({text.substr(b), first});
    text.clear();
    first = 0;
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "%") {
      flush();
      continue;
    }
    if (invalidUtf8Offset(line) >= 0)
      throw Error(path + ":" + std::to_string(lineNo) + ": not valid UTF-8 (byte " +
                  std::to_string(invalidUtf8Offset(line) + 1) + ")");
    if (first == 0 && !line.empty()) first = lineNo;
    text += line + "\n";
  }
  flush();
  if (out.empty()) throw Error(path + ": no fortune entry (entries are separated by '%' lines)");
  return out;
}

std::vector<std::pair<std::string, int>> fortuneCategories(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(dir + ": not a folder (install the Debian package fortunes)");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file() || e.is_symlink()) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".dat" || ext == ".u8") continue;
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<std::pair<std::string, int>> out;
  for (const auto& n : names) {
    int count = 0;
    try {
      count = int(readFortuneFile((fs::path(dir) / n).string()).size());
    } catch (const Error&) {
      continue;  // not a fortune file
    }
    out.emplace_back(n, count);
  }
  return out;
}

bool fortunesAvailable(const std::string& dir) {
  std::error_code ec;
  for (const auto& c : defaultFortuneCategories())
    if (!fs::is_regular_file(fs::path(dir) / c, ec)) return false;
  return true;
}

}  // namespace tessel
