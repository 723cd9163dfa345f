#pragma once
// Undo commands of the graph editor. They act on the GraphDocument only (the scene follows the
// document's signals) and hold nodes by NodeId, so a rename (itself a command) never leaves an
// earlier or later command pointing at the wrong node. Each command's apply() returns the
// document's refusal; a command refused on its first run marks itself obsolete, so
// QUndoStack::push() drops it, and GraphCommand::push() hands the reason back to the caller.
// The family is kept in one file: each command is a few lines.
#include <QPointF>
#include <QString>
#include <QUndoCommand>
#include <map>
#include <optional>
#include <vector>

#include "ui/editor/GraphDocument.h"

class QUndoStack;

namespace tessel::ui {

// Base: runs apply()/revert() and restores the document's input/output order on undo (it is part
// of the Keras JSON).
class GraphCommand : public QUndoCommand {
 public:
  GraphCommand(GraphDocument* doc, const QString& text, QUndoCommand* parent = nullptr);
  void redo() final;
  void undo() final;
  // Why the document refused the first run (empty: it was applied).
  QString refusal() const { return refusal_; }
  // Pushes `cmd` onto `stack`; returns empty when it was applied, else the document's reason
  // for refusing it (the stack then drops and deletes the command).
  static QString push(QUndoStack* stack, GraphCommand* cmd);

 protected:
  // The change; returns empty on success, else a one-line reason (nothing changed).
  virtual QString apply() = 0;
  virtual void revert() = 0;
  // Commands that cannot change the model's inputs/outputs skip saving and restoring them.
  virtual bool changesIo() const { return true; }

  GraphDocument* doc_;

 private:
  GraphDocument::IoState io_;
  bool ran_ = false;
  QString refusal_;
  QString* sink_ = nullptr;  // set by push() for the first run only
};

class AddNodeCommand : public GraphCommand {
 public:
  AddNodeCommand(GraphDocument* doc, const QString& className, QPointF pos,
                 QUndoCommand* parent = nullptr);
  // The new node's id, reserved at construction (valid in the document once applied).
  NodeId nodeId() const { return id_; }
  QString nodeName() const { return doc_->nameOf(id_); }

 protected:
  QString apply() override;
  void revert() override;

 private:
  QString className_;
  QPointF pos_;
  NodeId id_;
  std::optional<NodeSpec> node_;
};

class RemoveNodeCommand : public GraphCommand {
 public:
  RemoveNodeCommand(GraphDocument* doc, NodeId id, QUndoCommand* parent = nullptr);
  RemoveNodeCommand(GraphDocument* doc, const QString& name, QUndoCommand* parent = nullptr);

 protected:
  QString apply() override;
  void revert() override;

 private:
  NodeId id_;
  GraphDocument::RemovedNode removed_;
};

class ConnectCommand : public GraphCommand {
 public:
  ConnectCommand(GraphDocument* doc, NodeId from, NodeId to, int port = -1,
                 QUndoCommand* parent = nullptr);
  ConnectCommand(GraphDocument* doc, const QString& from, const QString& to, int port = -1,
                 QUndoCommand* parent = nullptr);
  // Connects `from`'s output `output` (a node with several outputs: LSTM return_state).
  ConnectCommand* fromOutput(int output) {
    output_ = output;
    return this;
  }

 protected:
  QString apply() override;
  void revert() override;

 private:
  NodeId from_, to_;
  int port_;
  int usedPort_ = -1;
  int output_ = 0;
};

class DisconnectCommand : public GraphCommand {
 public:
  DisconnectCommand(GraphDocument* doc, NodeId from, NodeId to, int port,
                    QUndoCommand* parent = nullptr);
  DisconnectCommand(GraphDocument* doc, const QString& from, const QString& to, int port,
                    QUndoCommand* parent = nullptr);

 protected:
  QString apply() override;
  void revert() override;

 private:
  NodeId from_, to_;
  int port_;
  int output_ = 0;  // which output of `from` the edge read (restored by undo)
};

// Sets one property of a node: a config key, or "name" (a rename).
class SetConfigCommand : public GraphCommand {
 public:
  SetConfigCommand(GraphDocument* doc, NodeId id, const std::string& key, const json& value,
                   QUndoCommand* parent = nullptr);
  SetConfigCommand(GraphDocument* doc, const QString& node, const std::string& key,
                   const json& value, QUndoCommand* parent = nullptr);

 protected:
  QString apply() override;
  void revert() override;

 private:
  NodeId id_;
  std::string key_;
  json value_;
  std::optional<json> old_;
};

// Changes the Keras layer name; the node keeps its id, edges, position and selection.
class RenameCommand : public GraphCommand {
 public:
  RenameCommand(GraphDocument* doc, NodeId id, const QString& newName,
                QUndoCommand* parent = nullptr);
  RenameCommand(GraphDocument* doc, const QString& oldName, const QString& newName,
                QUndoCommand* parent = nullptr);

 protected:
  QString apply() override;
  void revert() override;
  bool changesIo() const override { return false; }

 private:
  NodeId id_;
  QString old_, new_;
};

// Moves several nodes at once; consecutive moves of the same set of nodes merge into one step.
class MoveNodesCommand : public GraphCommand {
 public:
  static constexpr int kId = 0x7e55e1;
  using Moves = std::map<NodeId, std::pair<QPointF, QPointF>>;  // node -> (from, to)
  MoveNodesCommand(GraphDocument* doc, Moves moves, QUndoCommand* parent = nullptr);
  MoveNodesCommand(GraphDocument* doc, const std::map<QString, std::pair<QPointF, QPointF>>& moves,
                   QUndoCommand* parent = nullptr);
  int id() const override { return kId; }
  bool mergeWith(const QUndoCommand* other) override;

 protected:
  QString apply() override;
  void revert() override;
  bool changesIo() const override { return false; }

 private:
  Moves moves_;
};

}  // namespace tessel::ui
