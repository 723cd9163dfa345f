#pragma once
#include <QMainWindow>

class QPlainTextEdit;

namespace tessel::ui {

class GraphEditorWidget;

// The studio's main window: the node-graph editor in the centre, the live Keras summary of the
// graph as it stands in a dock below. File > Open reads a Keras / TF.js model.json.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  // Loads a TF.js/Keras model.json into the editor; returns false and shows the error otherwise.
  bool openModel(const QString& path);
  QString summaryText() const;
  GraphEditorWidget* editor() const { return editor_; }

 private:
  void refreshSummary();
  GraphEditorWidget* editor_ = nullptr;
  QPlainTextEdit* summary_ = nullptr;
};

}  // namespace tessel::ui
