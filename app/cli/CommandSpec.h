#pragma once
// One command of a command-line program (`tessel train`, `tessel-bench imagefolder`): its name,
// help texts, positional arguments and options. Parsing (Args) and the help texts are generated
// from a table of these.
#include <string>
#include <vector>

namespace tessel::app {

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

}  // namespace tessel::app
