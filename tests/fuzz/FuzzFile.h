#pragma once
// Shared by the fuzz targets whose loader reads a path: the input bytes written to a file of
// this process's own temporary folder (removed at exit), under the name given.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace tessel::fuzz {

// The folder, created once per process.
inline const std::filesystem::path& fuzzDir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("tessel-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(
          std::filesystem::temp_directory_path() / ("tessel-fuzz-" + std::to_string(getpid())), ec);
    });
    return d;
  }();
  return dir;
}

// Writes data to fuzzDir()/name and returns the path.
inline std::string writeFuzzFile(const std::string& name, const std::uint8_t* data,
                                 std::size_t size) {
  const std::string path = (fuzzDir() / name).string();
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  return path;
}

}  // namespace tessel::fuzz
