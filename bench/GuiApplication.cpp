#include "bench/GuiApplication.h"

#include <QtGlobal>

namespace tessel::bench {

GuiApplication::GuiApplication() {
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
      qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  app_ = std::make_unique<QApplication>(argc_, argv_);
  QCoreApplication::setApplicationName("tessel-bench");
}

GuiApplication::~GuiApplication() = default;

}  // namespace tessel::bench
