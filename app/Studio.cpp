#include "app/Studio.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>

#include "ui/MainWindow.h"
#include "ui/project/ExampleLibrary.h"

namespace tessel::app {

namespace {

void useSourceTreeExamples() {
#ifdef TESSEL_SOURCE_DIR
  // A build run in place finds the examples of its source tree.
  if (QFileInfo(QStringLiteral(TESSEL_SOURCE_DIR "/resources/examples")).isDir())
    ui::ExampleLibrary::setExtraRoot(QStringLiteral(TESSEL_SOURCE_DIR "/resources/examples"));
#endif
}

bool isProjectFile(const QString& path) {
  if (path.endsWith(".tessel", Qt::CaseInsensitive)) return true;
  QFile f(path);
  return f.open(QIODevice::ReadOnly) && f.read(15) == "SQLite format 3";
}

}  // namespace

QString findBundledExample() {
  useSourceTreeExamples();
  return ui::ExampleLibrary::modelPath("fashion_mnist_mlp").isEmpty()
             ? (ui::ExampleLibrary::models().isEmpty() ? QString()
                                                       : ui::ExampleLibrary::models().front().path)
             : ui::ExampleLibrary::modelPath("fashion_mnist_mlp");
}

int runStudio(int argc, char** argv, const QString& path) {
  // Without a display QApplication aborts; say so in one line instead.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
      qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
    std::fprintf(stderr,
                 "tessel: error: no display (DISPLAY is not set): run under a desktop or "
                 "xvfb-run, or use a sub-command (see 'tessel --help')\n");
    return 1;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("Tessel Studio");
  QApplication::setOrganizationName("Tessel");
  useSourceTreeExamples();
  ui::MainWindow window;
  window.restoreLayout();
  window.show();
  bool opened = false;
  if (!path.isEmpty()) {
    opened = isProjectFile(path) ? window.openProject(path) : window.openModel(path);
  } else {
    QString error;
    const QString project = ui::ExampleLibrary::ensureExampleProject(&error);
    if (project.isEmpty())
      std::fprintf(stderr, "tessel: warning: example project not available: %s\n",
                   qPrintable(error));
    else
      opened = window.openProject(project);
  }
  if (!opened && !path.isEmpty())
    std::fprintf(stderr, "tessel: warning: could not open %s\n", qPrintable(path));
  return app.exec();
}

}  // namespace tessel::app
