// tessel: the studio when started without a sub-command (or with `studio`), else the headless
// command line (no GUI objects are created for sub-commands, so they run without a display).
// Benchmarks live in their own executable, tessel-bench (bench/).
#include <QCoreApplication>
#include <QString>
#include <string>
#include <vector>

#include "app/Cli.h"

#ifdef TESSEL_HEADLESS
#include <iostream>

namespace tessel::app {
// This build has no studio (configured with TESSEL_BUILD_UI=OFF): say so instead of opening it.
static int runStudio(int, char**, const QString&) {
  std::cerr << "tessel: this build has no studio (configured with -DTESSEL_BUILD_UI=OFF); "
               "run a sub-command, e.g. `tessel --help`\n";
  return 2;
}
}  // namespace tessel::app
#else
#include "app/Studio.h"
#endif

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return tessel::app::runStudio(argc, argv, {});
  if (args[0] == "studio") {
    bool help = false;
    for (const auto& a : args) help = help || a == "--help" || a == "-h";
    if (!help && args.size() <= 2 && (args.size() < 2 || args[1].rfind("-", 0) != 0))
      return tessel::app::runStudio(argc, argv,
                                    args.size() == 2 ? QString::fromLocal8Bit(args[1]) : QString());
    return tessel::app::runCli(args);  // help text or a usage error
  }
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName("tessel");
  return tessel::app::runCli(args);
}
