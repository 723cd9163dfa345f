#pragma once
// The Debian `fortunes` package as a text classification set: /usr/share/games/fortunes holds one
// file per category (computers, science, ...), entries separated by lines holding only "%".
// The .dat index files and the .u8 links are skipped, and so is the "off" folder (offensive
// fortunes, another package): only plain files directly in the folder are categories.
// The default categories are five topics with at least 600 entries each, chosen because they
// differ in vocabulary: computers (1050), definitions (1203), politics (703), science (625) and
// songs-poems (720) -- entries counted in fortunes 1:1.99.1-7.3 (Debian 12).
#include <string>
#include <vector>

namespace tessel {

inline constexpr const char* kFortunesDir = "/usr/share/games/fortunes";
const std::vector<std::string>& defaultFortuneCategories();

struct FortuneEntry {
  std::string text;  // the entry's lines joined with '\n', surrounding blank lines removed
  int line = 0;      // 1-based line of its first line in the category file
};

// The entries of one category file. Throws Error "<file>:<line>: ..." for invalid UTF-8,
// "<file>: ..." when it cannot be read or holds no entry.
std::vector<FortuneEntry> readFortuneFile(const std::string& path);

// Category files in dir (sorted; no .dat/.u8, no folders) with their entry counts.
std::vector<std::pair<std::string, int>> fortuneCategories(const std::string& dir = kFortunesDir);

// True when dir holds the default categories (the package is installed).
bool fortunesAvailable(const std::string& dir = kFortunesDir);

}  // namespace tessel
