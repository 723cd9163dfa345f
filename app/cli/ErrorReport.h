#pragma once
// How a command-line program fails: one line `<program>: error: <message>` on stderr (newlines
// in the message become "; "); exit code 2 for a UsageError, 1 for anything else.
#include <functional>
#include <string>

namespace tessel::app {

// Prints the error line (after flushing stdout) and returns `code`.
int reportError(const std::string& program, int code, const std::string& message);
// Runs `body` and returns its exit code; an exception escaping it is reported as above. Never
// throws.
int runReportingErrors(const std::string& program, const std::function<int()>& body);

}  // namespace tessel::app
