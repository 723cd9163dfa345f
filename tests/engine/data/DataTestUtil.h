// Helpers shared by the engine data tests: the message of a tessel::Error thrown by a call, and
// writing a text file in one go.
#pragma once

#include <QString>

#include <fstream>
#include <functional>
#include <string>

#include "engine/core/Error.h"

namespace tessel::testutil {

// The what() of the tessel::Error that f throws; empty when it throws nothing.
inline QString errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// Writes text to path as is (binary: no line-end translation).
inline void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace tessel::testutil
