#pragma once
// A mistake in the command line itself (unknown option, missing argument, bad number): the
// program reports it as one line and exits with 2 (see reportError in ErrorReport.h).
#include <stdexcept>
#include <string>

namespace tessel::app {

class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tessel::app
