#pragma once
// How the studio window talks to the person: the status bar line (say), question boxes (ask,
// showError) and file dialogs (choosePath). Tests replace the boxes and dialogs by policies so
// they answer without a modal loop.
#include <QMessageBox>
#include <QObject>
#include <QString>
#include <functional>

class QMainWindow;

namespace tessel::ui {

inline constexpr const char* kProjectFileFilter = "Tessel projects (*.tessel)";
inline constexpr const char* kModelFileFilter = "Keras / TF.js model (*.json)";

class ShellPrompts : public QObject {
  Q_OBJECT
 public:
  // Message boxes go through this (tests answer without a modal loop). Default: a QMessageBox.
  using AskPolicy = std::function<QMessageBox::StandardButton(
      const QString& title, const QString& text, QMessageBox::StandardButtons buttons)>;
  // File dialogs go through this (save: a save dialog). Default: QFileDialog.
  using PathPolicy =
      std::function<QString(const QString& caption, const QString& filter, bool save)>;
  // Folder dialogs go through this. Default: QFileDialog::getExistingDirectory.
  using FolderPolicy = std::function<QString(const QString& caption)>;
  // One-line text questions (a model's name) go through this: the answer, or a null QString when
  // cancelled. Default: QInputDialog.
  using TextPolicy =
      std::function<QString(const QString& title, const QString& label, const QString& text)>;

  explicit ShellPrompts(QMainWindow* window);

  void setAskPolicy(AskPolicy policy) { ask_ = std::move(policy); }
  void setPathPolicy(PathPolicy policy) { askPath_ = std::move(policy); }
  void setFolderPolicy(FolderPolicy policy) { askFolder_ = std::move(policy); }
  void setTextPolicy(TextPolicy policy) { askText_ = std::move(policy); }

  // The status bar line (8 s); kept as lastMessage().
  void say(const QString& text);
  QString lastMessage() const { return lastMessage_; }
  QMessageBox::StandardButton ask(const QString& title, const QString& text,
                                  QMessageBox::StandardButtons buttons);
  // Says the text and shows it in a warning box.
  void showError(const QString& title, const QString& text);
  QString choosePath(const QString& caption, const QString& filter, bool save);
  QString chooseFolder(const QString& caption);
  // A null QString when cancelled.
  QString askText(const QString& title, const QString& label, const QString& text);

 private:
  QMainWindow* window_;
  AskPolicy ask_;
  PathPolicy askPath_;
  FolderPolicy askFolder_;
  TextPolicy askText_;
  QString lastMessage_;
};

}  // namespace tessel::ui
