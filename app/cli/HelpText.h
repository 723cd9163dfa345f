#pragma once
// Pieces of the help texts generated from a command table (tessel, tessel-bench).
#include <cstddef>
#include <string>
#include <vector>

#include "app/cli/CommandSpec.h"

namespace tessel::app {

// `text` wrapped at 100 columns; continuation lines start with `indent` spaces; the first line
// starts at `firstColumn`.
std::string wrap(const std::string& text, size_t indent, size_t firstColumn);
// "\noptions:\n" and one wrapped line per option (nothing when `options` is empty), then the
// line of --help.
std::string optionsHelp(const std::vector<OptionSpec>& options);

}  // namespace tessel::app
