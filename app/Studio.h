#pragma once
// The GUI entry point: `tessel` alone, or `tessel studio [PROJECT.tessel | MODEL.json]`.
#include <QString>

namespace tessel::app {

// The bundled example model.json (the Fashion-MNIST MLP) looked up next to the executable (build
// tree, installed tree) and in the source tree; empty when not found.
QString findBundledExample();
// Creates the QApplication and runs the main window on `path`: a .tessel project, a model.json
// (imported into an untitled project), or, when empty, the bundled example project (generated
// from the example model.json files into the user's data folder on first start). Returns the
// exit code; fails with one clear line when there is no display.
int runStudio(int argc, char** argv, const QString& path);

}  // namespace tessel::app
