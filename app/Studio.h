#pragma once
// The GUI entry point: `tessel` alone, or `tessel studio [MODEL]`.
#include <QString>

namespace tessel::app {

// The bundled example model.json (the seed classifier) looked up next to the executable (build
// tree, installed tree) and in the source tree; empty when not found.
QString findBundledExample();
// Creates the QApplication and runs the main window on `modelPath` (or the bundled example when
// empty). Returns the exit code; fails with one clear line when there is no display.
int runStudio(int argc, char** argv, const QString& modelPath);

}  // namespace tessel::app
