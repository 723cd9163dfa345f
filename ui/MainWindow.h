#pragma once
#include <QMainWindow>

class QPlainTextEdit;

namespace tessel::ui {

// The studio's main window. For now: opens a model.json and shows its Keras summary.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  // Loads a TF.js/Keras model.json; returns false and shows the error in the window otherwise.
  bool openModel(const QString& path);
  QString summaryText() const;

 private:
  QPlainTextEdit* summary_ = nullptr;
};

}  // namespace tessel::ui
