#pragma once
// The message of the tessel::Error that f() throws, "" when it throws none: for tests that check
// what an error says (any other exception is not caught).
#include <functional>
#include <string>

#include "engine/core/Error.h"

namespace tessel::testutil {

inline std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace tessel::testutil
