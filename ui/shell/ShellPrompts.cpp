#include "ui/shell/ShellPrompts.h"

#include <QFileDialog>
#include <QInputDialog>
#include <QMainWindow>
#include <QStatusBar>

namespace tessel::ui {

ShellPrompts::ShellPrompts(QMainWindow* window) : QObject(window), window_(window) {}

void ShellPrompts::say(const QString& text) {
  lastMessage_ = text;
  window_->statusBar()->showMessage(text, 8000);
}

QMessageBox::StandardButton ShellPrompts::ask(const QString& title, const QString& text,
                                              QMessageBox::StandardButtons buttons) {
  if (ask_) return ask_(title, text, buttons);
  QMessageBox box(QMessageBox::Question, title, text, buttons, window_);
  return static_cast<QMessageBox::StandardButton>(box.exec());
}

void ShellPrompts::showError(const QString& title, const QString& text) {
  say(text);
  if (ask_) {
    ask_(title, text, QMessageBox::Ok);
    return;
  }
  QMessageBox::warning(window_, title, text);
}

QString ShellPrompts::choosePath(const QString& caption, const QString& filter, bool save) {
  if (askPath_) return askPath_(caption, filter, save);
  return save ? QFileDialog::getSaveFileName(window_, caption, {}, filter)
              : QFileDialog::getOpenFileName(window_, caption, {}, filter);
}

QString ShellPrompts::chooseFolder(const QString& caption) {
  if (askFolder_) return askFolder_(caption);
  return QFileDialog::getExistingDirectory(window_, caption);
}

QString ShellPrompts::askText(const QString& title, const QString& label, const QString& text) {
  if (askText_) return askText_(title, label, text);
  bool ok = false;
  const QString answer = QInputDialog::getText(window_, title, label, QLineEdit::Normal, text, &ok);
  return ok ? answer : QString();
}

}  // namespace tessel::ui
