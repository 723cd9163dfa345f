#include <iostream>

#include "app/BenchRegistry.h"
#include "app/Cli.h"
#include "app/CliSupport.h"

namespace tessel::app {

// tessel bench NAME [--samples N] [--epochs N] [--threads N]
int cmdBench(const Args& args) {
  const std::string name = args.positional()[0];
  const BenchCase* bench = findBench(name);
  if (!bench) {
    std::string known;
    for (const auto& b : benchRegistry()) known += (known.empty() ? "" : ", ") + b.name;
    throw UsageError("bench: unknown benchmark '" + name + "' (known: " + known + ")");
  }
  BenchOptions o;
  o.samples = args.intValue("--samples", 55000, 1, 55000);
  o.epochs = static_cast<int>(args.intValue("--epochs", 1, 1, 10000));
  o.threads = applyThreads(args);
  o.args = args.raw();  // bench-specific options (imagefolder: --images, --size, ...)
  return bench->run(o);
}

}  // namespace tessel::app
