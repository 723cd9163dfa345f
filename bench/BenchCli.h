#pragma once
// tessel-bench NAME [options]: runs one built-in benchmark (BenchRegistry.h). Its options are
// parsed by the command line's parser (app/cli): --samples, --epochs, --threads for every
// benchmark, then the benchmark's own. Failures are one line `tessel-bench: error: ...` on
// stderr, exit 2 for a mistake on the command line, 1 for anything else.
#include <string>
#include <vector>

namespace tessel::bench {

// `args`: the command line after the program name. Never throws; returns the exit code.
int runBenchCli(const std::vector<std::string>& args);
// `tessel-bench --help`: usage, the benchmarks with their descriptions, the common options.
std::string benchMainHelp();

}  // namespace tessel::bench
