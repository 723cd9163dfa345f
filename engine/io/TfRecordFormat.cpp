#include "engine/io/TfRecordFormat.h"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "engine/core/Error.h"

namespace tessel {

TfRecordCompression tfRecordCompression(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (n.empty() || n == "none") return TfRecordCompression::None;
  if (n == "gzip") return TfRecordCompression::Gzip;
  if (n == "zlib") return TfRecordCompression::Zlib;
  if (n == "auto") return TfRecordCompression::Auto;
  throw Error("unknown TFRecord compression '" + name + "' (known: none, gzip, zlib, auto)");
}

const char* tfRecordCompressionName(TfRecordCompression c) {
  switch (c) {
    case TfRecordCompression::None:
      return "none";
    case TfRecordCompression::Gzip:
      return "gzip";
    case TfRecordCompression::Zlib:
      return "zlib";
    case TfRecordCompression::Auto:
      return "auto";
  }
  return "none";
}

namespace {

bool looksLikeRecordFile(const std::string& name) {
  auto endsWith = [&](const char* s) {
    const std::string e(s);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  return name.find(".tfrecord") != std::string::npos || endsWith(".tfr") || endsWith(".rec");
}

}  // namespace

std::vector<std::string> listTfRecordFiles(const std::string& pattern) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  if (pattern.empty()) throw Error("TFRecord: no file, folder or pattern given");
  if (fs::is_regular_file(pattern, ec)) return {pattern};
  if (fs::is_directory(pattern, ec)) {
    std::vector<std::string> all;
    for (const auto& e : fs::directory_iterator(pattern, ec))
      if (e.is_regular_file()) {
        all.push_back(e.path().string());
        if (looksLikeRecordFile(e.path().filename().string())) files.push_back(all.back());
      }
    if (files.empty()) files = all;
  } else {
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i)
        if (fs::is_regular_file(g.gl_pathv[i], ec)) files.emplace_back(g.gl_pathv[i]);
    globfree(&g);
  }
  if (files.empty()) throw Error(pattern + ": no TFRecord files found");
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tessel
