#include "app/Studio.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <cstdio>

#include "ui/MainWindow.h"

namespace tessel::app {

namespace {

// The seed classifier (Flatten, 20 x Dense(100, selu), AlphaDropout, Dense(10, softmax)); the first
// name found wins, otherwise the first example folder holding a model.json.
const char* const kPreferredExamples[] = {"fashion_mnist_mlp", "seed-mlp"};

QStringList exampleRoots() {
  QStringList roots;
  QString appDir = QCoreApplication::applicationDirPath();
  if (!appDir.isEmpty()) {
    roots << appDir + "/../share/tessel/examples"   // installed: bin/../share/tessel
          << appDir + "/../resources/examples"      // next to a relocated build
          << appDir + "/../../resources/examples";  // build/app/tessel in the source tree
  }
#ifdef TESSEL_SOURCE_DIR
  roots << QStringLiteral(TESSEL_SOURCE_DIR "/resources/examples");
#endif
  return roots;
}

}  // namespace

QString findBundledExample() {
  for (const QString& root : exampleRoots()) {
    QDir dir(root);
    if (!dir.exists()) continue;
    for (const char* name : kPreferredExamples) {
      QFileInfo f(dir.filePath(QString(name) + "/model.json"));
      if (f.isFile()) return f.canonicalFilePath();
    }
    const auto subdirs = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString& sub : subdirs) {
      QFileInfo f(dir.filePath(sub + "/model.json"));
      if (f.isFile()) return f.canonicalFilePath();
    }
  }
  return {};
}

int runStudio(int argc, char** argv, const QString& modelPath) {
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
  ui::MainWindow window;
  QString path = modelPath.isEmpty() ? findBundledExample() : modelPath;
  if (!path.isEmpty()) {
    window.openModel(path);
  } else {
    std::fprintf(stderr, "tessel: warning: bundled example not found (resources/examples)\n");
  }
  window.show();
  return app.exec();
}

}  // namespace tessel::app
