#pragma once
// The parsed arguments of one command, checked against its CommandSpec: options by name (also
// --name=value), positional arguments, `--` ends the options, --help/-h is recorded. Accessors
// throw UsageError naming the option.
#include <map>
#include <string>
#include <vector>

#include "app/cli/CommandSpec.h"
#include "app/cli/UsageError.h"

namespace tessel::app {

class Args {
 public:
  // argv after the command's name; `program` names the executable in messages ("tessel").
  Args(const CommandSpec& command, const std::vector<std::string>& argv,
       const std::string& program = "tessel");

  const CommandSpec& command() const { return *command_; }
  const std::vector<std::string>& positional() const { return positional_; }
  const std::vector<std::string>& raw() const { return raw_; }  // argv as given
  bool has(const std::string& option) const { return values_.count(option) > 0; }
  bool helpRequested() const { return help_; }
  // The last value given for an option, or `fallback` when absent.
  std::string value(const std::string& option, const std::string& fallback = {}) const;
  std::vector<std::string> values(const std::string& option) const;
  // Integer in [min, max]; `fallback` when absent.
  long long intValue(const std::string& option, long long fallback, long long min,
                     long long max) const;
  double doubleValue(const std::string& option, double fallback, double min, double max) const;

 private:
  const CommandSpec* command_;
  std::vector<std::string> positional_;
  std::vector<std::string> raw_;
  std::map<std::string, std::vector<std::string>> values_;  // flags map to {""}
  bool help_ = false;
};

}  // namespace tessel::app
