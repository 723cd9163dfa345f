#include "ui/editor/GraphCommands.h"

namespace tessel::ui {

namespace {
QString& lastErrorStorage() {
  static QString message;
  return message;
}
}  // namespace

GraphCommand::GraphCommand(GraphDocument* doc, const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc) {}

QString GraphCommand::lastError() {
  return lastErrorStorage();
}
void GraphCommand::setLastError(const QString& message) {
  lastErrorStorage() = message;
}

void GraphCommand::refuse(const QString& message) {
  setLastError(message);
  setObsolete(true);
}

AddNodeCommand::AddNodeCommand(GraphDocument* doc, const QString& className, QPointF pos,
                               QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Add %1").arg(className), parent),
      className_(className),
      pos_(pos) {}

void AddNodeCommand::redo() {
  saveIo();
  if (node_) {
    doc_->insertNode(*node_, pos_);
    return;
  }
  QString error;
  name_ = doc_->addNode(className_, pos_, &error);
  if (name_.isEmpty()) return refuse(error);
  node_ = *doc_->node(name_);
  setText(QObject::tr("Add %1").arg(name_));
  setLastError({});
}

void AddNodeCommand::undo() {
  doc_->removeNode(name_);
  restoreIo();
}

RemoveNodeCommand::RemoveNodeCommand(GraphDocument* doc, const QString& name, QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Delete %1").arg(name), parent), name_(name) {}

void RemoveNodeCommand::redo() {
  saveIo();
  if (!doc_->hasNode(name_)) return refuse("no layer named '" + name_ + "'");
  removed_ = doc_->removeNode(name_);
}

void RemoveNodeCommand::undo() {
  doc_->restoreNode(removed_);
  restoreIo();
}

ConnectCommand::ConnectCommand(GraphDocument* doc, const QString& from, const QString& to, int port,
                               QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Connect %1 → %2").arg(from, to), parent),
      from_(from),
      to_(to),
      port_(port) {}

void ConnectCommand::redo() {
  saveIo();
  // After the first run, redo uses the exact port chosen then.
  QString why = doc_->connect(from_, to_, usedPort_ >= 0 ? usedPort_ : port_, &usedPort_);
  if (!why.isEmpty()) return refuse(why);
  setLastError({});
}

void ConnectCommand::undo() {
  doc_->disconnect(from_, to_, usedPort_);
  restoreIo();
}

DisconnectCommand::DisconnectCommand(GraphDocument* doc, const QString& from, const QString& to,
                                     int port, QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Disconnect %1 → %2").arg(from, to), parent),
      from_(from),
      to_(to),
      port_(port) {}

void DisconnectCommand::redo() {
  saveIo();
  QString why = doc_->disconnect(from_, to_, port_);
  if (!why.isEmpty()) return refuse(why);
}

void DisconnectCommand::undo() {
  // Insert back at the same port. canConnect would refuse a full single-input port, but the port
  // is free again at this point of the history.
  doc_->connect(from_, to_, port_);
  restoreIo();
}

SetConfigCommand::SetConfigCommand(GraphDocument* doc, const QString& node, const std::string& key,
                                   const json& value, QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Set %1.%2").arg(node, QString::fromStdString(key)), parent),
      node_(node),
      key_(key),
      value_(value) {}

void SetConfigCommand::redo() {
  saveIo();
  const NodeSpec* n = doc_->node(node_);
  if (!n) return refuse("no layer named '" + node_ + "'");
  if (n->config.contains(key_))
    old_ = n->config[key_];
  else
    old_.reset();
  QString why = doc_->setConfig(node_, key_, value_);
  if (!why.isEmpty()) return refuse(why);
  setLastError({});
}

void SetConfigCommand::undo() {
  doc_->setConfig(node_, key_, old_);
  restoreIo();
}

RenameCommand::RenameCommand(GraphDocument* doc, const QString& oldName, const QString& newName,
                             QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Rename %1 to %2").arg(oldName, newName), parent),
      old_(oldName),
      new_(newName) {}

void RenameCommand::redo() {
  saveIo();
  QString why = doc_->rename(old_, new_);
  if (!why.isEmpty()) return refuse(why);
  setLastError({});
}

void RenameCommand::undo() {
  doc_->rename(new_, old_);
  restoreIo();
}

MoveNodesCommand::MoveNodesCommand(GraphDocument* doc,
                                   std::map<QString, std::pair<QPointF, QPointF>> moves,
                                   QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Move"), parent), moves_(std::move(moves)) {}

void MoveNodesCommand::redo() {
  for (const auto& [name, fromTo] : moves_) doc_->moveNode(name, fromTo.second);
}

void MoveNodesCommand::undo() {
  for (const auto& [name, fromTo] : moves_) doc_->moveNode(name, fromTo.first);
}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other) {
  const auto* move = dynamic_cast<const MoveNodesCommand*>(other);
  if (!move || move->doc_ != doc_ || move->moves_.size() != moves_.size()) return false;
  for (const auto& [name, fromTo] : moves_)
    if (!move->moves_.count(name)) return false;
  for (const auto& [name, fromTo] : move->moves_) moves_[name].second = fromTo.second;
  return true;
}

}  // namespace tessel::ui
