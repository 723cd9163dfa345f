#include "ui/editor/GraphCommands.h"

#include <QUndoStack>

namespace tessel::ui {

namespace {

MoveNodesCommand::Moves byId(const GraphDocument* doc,
                             const std::map<QString, std::pair<QPointF, QPointF>>& moves) {
  MoveNodesCommand::Moves out;
  for (const auto& [name, fromTo] : moves) out[doc->idOf(name)] = fromTo;
  return out;
}

}  // namespace

GraphCommand::GraphCommand(GraphDocument* doc, const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc) {}

void GraphCommand::redo() {
  if (changesIo()) io_ = doc_->io();
  const QString why = apply();
  if (!ran_ && !why.isEmpty()) {
    refusal_ = why;
    setObsolete(true);
    if (sink_) *sink_ = why;
  }
  ran_ = true;
  sink_ = nullptr;
}

void GraphCommand::undo() {
  revert();
  if (changesIo()) doc_->setIo(io_);
}

QString GraphCommand::push(QUndoStack* stack, GraphCommand* cmd) {
  QString why;
  cmd->sink_ = &why;  // cleared by the first redo(); `cmd` may be deleted by push()
  stack->push(cmd);
  return why;
}

AddNodeCommand::AddNodeCommand(GraphDocument* doc, const QString& className, QPointF pos,
                               QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Add %1").arg(className), parent),
      className_(className),
      pos_(pos),
      id_(doc->newNodeId()) {}

QString AddNodeCommand::apply() {
  if (node_) {
    doc_->insertNode(*node_, pos_, -1, id_);
    return {};
  }
  QString error;
  if (doc_->createNode(className_, pos_, &error, id_) == kInvalidNodeId) return error;
  node_ = *doc_->node(id_);
  setText(QObject::tr("Add %1").arg(nodeName()));
  return {};
}

void AddNodeCommand::revert() {
  doc_->removeNode(id_);
}

RemoveNodeCommand::RemoveNodeCommand(GraphDocument* doc, NodeId id, QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Delete %1").arg(doc->nameOf(id)), parent), id_(id) {}

RemoveNodeCommand::RemoveNodeCommand(GraphDocument* doc, const QString& name, QUndoCommand* parent)
    : RemoveNodeCommand(doc, doc->idOf(name), parent) {}

QString RemoveNodeCommand::apply() {
  if (!doc_->hasNode(id_)) return QObject::tr("the layer is no longer in the model");
  removed_ = doc_->removeNode(id_);
  return {};
}

void RemoveNodeCommand::revert() {
  doc_->restoreNode(removed_);
}

ConnectCommand::ConnectCommand(GraphDocument* doc, NodeId from, NodeId to, int port,
                               QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Connect %1 → %2").arg(doc->nameOf(from), doc->nameOf(to)),
                   parent),
      from_(from),
      to_(to),
      port_(port) {}

ConnectCommand::ConnectCommand(GraphDocument* doc, const QString& from, const QString& to, int port,
                               QUndoCommand* parent)
    : ConnectCommand(doc, doc->idOf(from), doc->idOf(to), port, parent) {}

QString ConnectCommand::apply() {
  // After the first run, redo uses the exact port chosen then.
  return doc_->connect(from_, to_, usedPort_ >= 0 ? usedPort_ : port_, &usedPort_, output_);
}

void ConnectCommand::revert() {
  doc_->disconnect(from_, to_, usedPort_);
}

DisconnectCommand::DisconnectCommand(GraphDocument* doc, NodeId from, NodeId to, int port,
                                     QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Disconnect %1 → %2").arg(doc->nameOf(from), doc->nameOf(to)),
                   parent),
      from_(from),
      to_(to),
      port_(port) {}

DisconnectCommand::DisconnectCommand(GraphDocument* doc, const QString& from, const QString& to,
                                     int port, QUndoCommand* parent)
    : DisconnectCommand(doc, doc->idOf(from), doc->idOf(to), port, parent) {}

QString DisconnectCommand::apply() {
  output_ = doc_->inputOutput(to_, port_);
  return doc_->disconnect(from_, to_, port_);
}

void DisconnectCommand::revert() {
  // Insert back at the same port. canConnect would refuse a full single-input port, but the port
  // is free again at this point of the history.
  doc_->connect(from_, to_, port_, nullptr, output_);
}

SetConfigCommand::SetConfigCommand(GraphDocument* doc, NodeId id, const std::string& key,
                                   const json& value, QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Set %1.%2").arg(doc->nameOf(id), QString::fromStdString(key)),
                   parent),
      id_(id),
      key_(key),
      value_(value) {}

SetConfigCommand::SetConfigCommand(GraphDocument* doc, const QString& node, const std::string& key,
                                   const json& value, QUndoCommand* parent)
    : SetConfigCommand(doc, doc->idOf(node), key, value, parent) {}

QString SetConfigCommand::apply() {
  const NodeSpec* n = doc_->node(id_);
  if (!n) return QObject::tr("the layer is no longer in the model");
  if (key_ == "name")
    old_ = n->name;
  else if (n->config.contains(key_))
    old_ = n->config[key_];
  else
    old_.reset();
  return doc_->setConfig(id_, key_, value_);
}

void SetConfigCommand::revert() {
  doc_->setConfig(id_, key_, old_);
}

RenameCommand::RenameCommand(GraphDocument* doc, NodeId id, const QString& newName,
                             QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Rename %1 to %2").arg(doc->nameOf(id), newName), parent),
      id_(id),
      new_(newName) {}

RenameCommand::RenameCommand(GraphDocument* doc, const QString& oldName, const QString& newName,
                             QUndoCommand* parent)
    : RenameCommand(doc, doc->idOf(oldName), newName, parent) {}

QString RenameCommand::apply() {
  const QString current = doc_->nameOf(id_);
  if (current.isEmpty()) return QObject::tr("the layer is no longer in the model");
  const QString why = doc_->rename(id_, new_);
  if (why.isEmpty()) old_ = current;
  return why;
}

void RenameCommand::revert() {
  doc_->rename(id_, old_);
}

MoveNodesCommand::MoveNodesCommand(GraphDocument* doc, Moves moves, QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Move"), parent), moves_(std::move(moves)) {}

MoveNodesCommand::MoveNodesCommand(GraphDocument* doc,
                                   const std::map<QString, std::pair<QPointF, QPointF>>& moves,
                                   QUndoCommand* parent)
    : MoveNodesCommand(doc, byId(doc, moves), parent) {}

QString MoveNodesCommand::apply() {
  for (const auto& [id, fromTo] : moves_) doc_->moveNode(id, fromTo.second);
  return {};
}

void MoveNodesCommand::revert() {
  for (const auto& [id, fromTo] : moves_) doc_->moveNode(id, fromTo.first);
}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other) {
  const auto* move = dynamic_cast<const MoveNodesCommand*>(other);
  if (!move || move->doc_ != doc_ || move->moves_.size() != moves_.size()) return false;
  for (const auto& [id, fromTo] : moves_)
    if (!move->moves_.count(id)) return false;
  for (const auto& [id, fromTo] : move->moves_) moves_[id].second = fromTo.second;
  return true;
}

}  // namespace tessel::ui
