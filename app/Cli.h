#pragma once
// The headless command line: `tessel <sub-command> [options]`. One table (Cli.cpp) describes every
// sub-command and option; parsing and the help texts are generated from it. Each sub-command is a
// function in its own file (Cmd<Name>.cpp). Failures are reported as one line on stderr:
//   tessel: error: <message>          exit 2 for usage errors, 1 for anything else.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessel::app {

// A mistake in the command line itself (unknown option, missing argument, bad number): exit 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

struct OptionSpec {
  const char* name;   // "--epochs"
  const char* value;  // "N" for an option taking a value, nullptr for a flag
  bool repeatable;    // may be given several times (--x A.npy --x B.npy)
  const char* help;
};

class Args;
using CommandFn = int (*)(const Args&);

struct CommandSpec {
  const char* name;      // "train"
  const char* synopsis;  // "MODEL [options]"
  const char* summary;   // one line for `tessel --help`
  const char* details;   // extra paragraph for `tessel <cmd> --help` (may be nullptr)
  int minPositional, maxPositional;
  std::vector<OptionSpec> options;
  CommandFn run;
};

// Parsed arguments of one sub-command. Accessors throw UsageError with the option's name.
class Args {
 public:
  Args(const CommandSpec& command, const std::vector<std::string>& argv);  // argv after the name

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

// The command table (every sub-command, in help order).
const std::vector<CommandSpec>& commands();
const CommandSpec* findCommand(const std::string& name);
std::string mainHelp();
std::string commandHelp(const CommandSpec& command);
std::string versionText();

// Entry point for `tessel <args...>` when a sub-command (or --help/--version) is given. Never
// throws; returns the process exit code.
int runCli(const std::vector<std::string>& args);

// Sub-commands (each in its own Cmd*.cpp).
int cmdSummary(const Args& args);
int cmdTrain(const Args& args);
int cmdEvaluate(const Args& args);
int cmdPredict(const Args& args);
int cmdBench(const Args& args);
// Project files (CmdProject.cpp).
int cmdNew(const Args& args);
int cmdImport(const Args& args);
int cmdRuns(const Args& args);
int cmdResume(const Args& args);
int cmdExport(const Args& args);
bool isProjectPath(const std::string& path);
int trainProject(const Args& args, const std::vector<std::string>& argv);

}  // namespace tessel::app
