// tessel: the studio when started without a sub-command, else the headless command line (no GUI
// objects are created for sub-commands, so they run without a display).
#include <QApplication>
#include <QCoreApplication>
#include <QString>
#include <string>
#include <vector>

#include "app/Cli.h"
#include "app/Studio.h"

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
  // The GUI benchmarks (editor, responsiveness) need a QApplication (offscreen without a
  // display); every other sub-command runs without GUI objects.
  if (args.size() >= 2 && args[0] == "bench" &&
      (args[1] == "responsiveness" || args[1] == "editor")) {
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
      qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName("tessel");
    return tessel::app::runCli(args);
  }
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName("tessel");
  return tessel::app::runCli(args);
}
