#include "app/cli/ErrorReport.h"

#include <iostream>
#include <new>

#include "app/cli/UsageError.h"

namespace tessel::app {

namespace {

// One line: newlines in an exception message become "; ".
std::string oneLine(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == ' ')) m.pop_back();
  std::string out;
  for (char ch : m) {
    if (ch == '\n') {
      out += "; ";
    } else if (ch != '\r') {
      out += ch;
    }
  }
  return out.empty() ? "unknown error" : out;
}

}  // namespace

int reportError(const std::string& program, int code, const std::string& message) {
  std::cout.flush();
  std::cerr << program << ": error: " << oneLine(message) << std::endl;
  return code;
}

int runReportingErrors(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    return reportError(program, 2, e.what());
  } catch (const std::bad_alloc&) {
    return reportError(program, 1, "out of memory");
  } catch (const std::exception& e) {
    return reportError(program, 1, e.what());
  } catch (...) {
    return reportError(program, 1, "unexpected failure");
  }
}

}  // namespace tessel::app
