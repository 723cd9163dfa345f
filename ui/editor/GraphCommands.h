#pragma once
// Undo commands of the graph editor. They act on the GraphDocument only (the scene follows the
// document's signals). A command whose first redo() is refused by the document marks itself
// obsolete, so QUndoStack::push() drops it; the reason is kept in GraphDocument's last error
// (see GraphCommand::lastError()). The family is kept in one file: each command is a few lines.
#include <QPointF>
#include <QString>
#include <QUndoCommand>
#include <map>
#include <optional>
#include <vector>

#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

// Base: restores the document's input/output order on undo (it is part of the Keras JSON).
class GraphCommand : public QUndoCommand {
 public:
  GraphCommand(GraphDocument* doc, const QString& text, QUndoCommand* parent = nullptr);
  // The reason the last refused command gave (empty after a successful push).
  static QString lastError();
  static void setLastError(const QString& message);

 protected:
  void saveIo() { io_ = doc_->io(); }
  void restoreIo() { doc_->setIo(io_); }
  // Call from redo(): on the first run a refusal makes the command obsolete.
  void refuse(const QString& message);

  GraphDocument* doc_;
  GraphDocument::IoState io_;
};

class AddNodeCommand : public GraphCommand {
 public:
  AddNodeCommand(GraphDocument* doc, const QString& className, QPointF pos,
                 QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;
  QString nodeName() const { return name_; }

 private:
  QString className_;
  QPointF pos_;
  QString name_;
  std::optional<NodeSpec> node_;
};

class RemoveNodeCommand : public GraphCommand {
 public:
  RemoveNodeCommand(GraphDocument* doc, const QString& name, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  QString name_;
  GraphDocument::RemovedNode removed_;
};

class ConnectCommand : public GraphCommand {
 public:
  ConnectCommand(GraphDocument* doc, const QString& from, const QString& to, int port = -1,
                 QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  QString from_, to_;
  int port_;
  int usedPort_ = -1;
};

class DisconnectCommand : public GraphCommand {
 public:
  DisconnectCommand(GraphDocument* doc, const QString& from, const QString& to, int port,
                    QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  QString from_, to_;
  int port_;
};

class SetConfigCommand : public GraphCommand {
 public:
  SetConfigCommand(GraphDocument* doc, const QString& node, const std::string& key,
                   const json& value, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  QString node_;
  std::string key_;
  json value_;
  std::optional<json> old_;
};

class RenameCommand : public GraphCommand {
 public:
  RenameCommand(GraphDocument* doc, const QString& oldName, const QString& newName,
                QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  QString old_, new_;
};

// Moves several nodes at once; consecutive moves of the same set of nodes merge into one step.
class MoveNodesCommand : public GraphCommand {
 public:
  static constexpr int kId = 0x7e55e1;
  MoveNodesCommand(GraphDocument* doc, std::map<QString, std::pair<QPointF, QPointF>> moves,
                   QUndoCommand* parent = nullptr);  // node -> (from, to)
  void redo() override;
  void undo() override;
  int id() const override { return kId; }
  bool mergeWith(const QUndoCommand* other) override;

 private:
  std::map<QString, std::pair<QPointF, QPointF>> moves_;
};

}  // namespace tessel::ui
