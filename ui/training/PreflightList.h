#pragma once
// A short list of pre-flight findings: icon by severity, the message, and the fix underneath.
#include <QListWidget>

#include "ui/training/PreflightCheck.h"

namespace tessel::ui {

class PreflightList : public QListWidget {
  Q_OBJECT
 public:
  explicit PreflightList(QWidget* parent = nullptr);
  void setResult(const PreflightCheck::Result& result);
  const PreflightCheck::Result& result() const { return result_; }
  int errorCount() const;

 private:
  PreflightCheck::Result result_;
};

}  // namespace tessel::ui
