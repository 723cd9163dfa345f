#pragma once
// The QApplication of a GUI benchmark (editor, responsiveness), created by the benchmark itself:
// on the offscreen platform when there is no display (and QT_QPA_PLATFORM is not set).
#include <QApplication>
#include <memory>

namespace tessel::bench {

class GuiApplication {
 public:
  GuiApplication();
  ~GuiApplication();
  GuiApplication(const GuiApplication&) = delete;
  GuiApplication& operator=(const GuiApplication&) = delete;

 private:
  int argc_ = 1;
  char name_[16] = "tessel-bench";
  char* argv_[2] = {name_, nullptr};
  std::unique_ptr<QApplication> app_;
};

}  // namespace tessel::bench
