#include "bench/BenchCli.h"

#include <iostream>

#include "app/CliSupport.h"
#include "app/cli/ErrorReport.h"
#include "app/cli/HelpText.h"
#include "bench/BenchRegistry.h"

namespace tessel::bench {

namespace {

using app::CommandSpec;
using app::OptionSpec;
using app::UsageError;

constexpr const char* kProgram = "tessel-bench";
constexpr const char* kDetails =
    "The last line printed is `samples_per_s=N` (`gflops_peak=N` for sgemm). Figures vary with "
    "the machine's load: compare runs made side by side.";

const std::vector<OptionSpec>& commonOptions() {
  static const std::vector<OptionSpec> options = {
      {"--samples", "N", false, "training samples per epoch (default 55000)"},
      {"--epochs", "N", false, "number of epochs (default 1)"},
      {"--threads", "N", false, "compute threads (default: all cores)"}};
  return options;
}

// The benchmark as a command of the option parser: the common options, then its own.
CommandSpec commandOf(const BenchCase& b) {
  std::vector<OptionSpec> options = commonOptions();
  options.insert(options.end(), b.options.begin(), b.options.end());
  return {b.name.c_str(), "[options]", b.description.c_str(), kDetails, 0, 0, options, nullptr};
}

std::string benchHelp(const CommandSpec& c) {
  return std::string("usage: ") + kProgram + " " + c.name + " " + c.synopsis + "\n\n" +
         app::wrap(c.summary, 0, 0) + ".\n" + app::wrap(c.details, 0, 0) + "\n" +
         app::optionsHelp(c.options);
}

const BenchCase& benchNamed(const std::string& name) {
  if (const BenchCase* b = findBench(name)) return *b;
  std::string known;
  for (const auto& b : benchRegistry()) known += (known.empty() ? "" : ", ") + b.name;
  throw UsageError("unknown benchmark '" + name + "' (known: " + known + ")");
}

int runBench(const BenchCase& bench, const std::vector<std::string>& argv) {
  const CommandSpec command = commandOf(bench);
  app::Args args(command, argv, kProgram);
  if (args.helpRequested()) {
    std::cout << benchHelp(command);
    return 0;
  }
  BenchOptions o;
  o.samples = args.intValue("--samples", 55000, 1, 55000);
  o.epochs = static_cast<int>(args.intValue("--epochs", 1, 1, 10000));
  o.threads = app::applyThreads(args);
  o.args = &args;
  int rc = bench.run(o);
  std::cout.flush();
  return rc;
}

}  // namespace

std::string benchMainHelp() {
  std::string s =
      std::string("usage: ") + kProgram + " NAME [options]\n       " + kProgram +
      " NAME --help\n\n" +
      app::wrap(std::string("Measures Tessel on a built-in benchmark. ") + kDetails, 0, 0) +
      "\n\nbenchmarks:\n";
  for (const auto& b : benchRegistry())
    s += "  " + b.name + std::string(b.name.size() < 18 ? 18 - b.name.size() : 1, ' ') +
         app::wrap(b.description, 20, 20) + "\n";
  return s + app::optionsHelp(commonOptions());
}

int runBenchCli(const std::vector<std::string>& args) {
  return app::runReportingErrors(kProgram, [&] {
    if (args.empty())
      throw UsageError(std::string("missing benchmark name (see '") + kProgram + " --help')");
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      if (args.size() > 1 && args[0] == "help") {
        std::cout << benchHelp(commandOf(benchNamed(args[1])));
        return 0;
      }
      std::cout << benchMainHelp();
      return 0;
    }
    if (args[0].size() > 1 && args[0][0] == '-')
      throw UsageError("unknown option '" + args[0] + "' (see '" + kProgram + " --help')");
    return runBench(benchNamed(args[0]), std::vector<std::string>(args.begin() + 1, args.end()));
  });
}

}  // namespace tessel::bench
