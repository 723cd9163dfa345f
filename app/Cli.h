#pragma once
// The headless command line: `tessel <sub-command> [options]`. One table (Cli.cpp) describes every
// sub-command and option; parsing and the help texts are generated from it. Each sub-command is a
// function in its own file (Cmd<Name>.cpp). Failures are reported as one line on stderr:
//   tessel: error: <message>          exit 2 for usage errors, 1 for anything else.
#include <string>
#include <vector>

#include "app/cli/Args.h"
#include "app/cli/CommandSpec.h"
#include "app/cli/UsageError.h"

namespace tessel::app {

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
int cmdApplication(const Args& args);  // CmdApplication.cpp
int cmdTrain(const Args& args);
int cmdEvaluate(const Args& args);
int cmdPredict(const Args& args);
int cmdDerive(const Args& args);  // CmdDerive.cpp
int cmdData(const Args& args);    // CmdData.cpp: data export --tfrecord
// Project files (CmdProject.cpp).
int cmdNew(const Args& args);
int cmdImport(const Args& args);
int cmdRuns(const Args& args);
int cmdResume(const Args& args);
int cmdExport(const Args& args);
// Keras .keras / .h5 files (CmdKeras.cpp).
int cmdImportKeras(const Args& args);
int cmdLoadWeights(const Args& args);
// Hyperparameter search (CmdSearch.cpp).
int cmdSearch(const Args& args);
int cmdTrials(const Args& args);
bool isProjectPath(const std::string& path);
int trainProject(const Args& args, const std::vector<std::string>& argv);

}  // namespace tessel::app
