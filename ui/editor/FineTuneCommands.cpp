#include "ui/editor/FineTuneCommands.h"

#include <QObject>
#include <set>

#include "engine/core/Error.h"

namespace tessel::ui {

SetTrainableCommand::SetTrainableCommand(GraphDocument* doc, std::map<NodeId, bool> trainable,
                                         const QString& text, QUndoCommand* parent)
    : GraphCommand(doc, text, parent) {
  for (const auto& [id, flag] : trainable) {
    const NodeSpec* n = doc->node(id);
    if (!n || n->isInput()) continue;
    Change c{id, flag, std::nullopt};
    if (auto it = n->config.find("trainable"); it != n->config.end()) c.old = *it;
    changes_.push_back(c);
  }
}

QString SetTrainableCommand::apply() {
  if (changes_.empty()) return QObject::tr("nothing to change: the layers are already so");
  std::vector<std::pair<NodeId, std::optional<json>>> values;
  for (const Change& c : changes_) values.emplace_back(c.id, json(c.trainable));
  return doc_->setConfigs("trainable", values);  // one re-validation for the whole base
}

void SetTrainableCommand::revert() {
  std::vector<std::pair<NodeId, std::optional<json>>> values;
  for (const Change& c : changes_) values.emplace_back(c.id, c.old);
  doc_->setConfigs("trainable", values);
}

std::map<NodeId, bool> trainableChanges(const GraphDocument& doc, const ModelSpec& wanted) {
  std::map<NodeId, bool> out;
  for (const NodeSpec& n : wanted.nodes) {
    const NodeSpec* now = doc.node(QString::fromStdString(n.name));
    if (now && !now->isInput() && isTrainable(*now) != isTrainable(n))
      out[doc.idOf(QString::fromStdString(n.name))] = isTrainable(n);
  }
  return out;
}

ReplaceHeadCommand::ReplaceHeadCommand(GraphDocument* doc, NodeId cut, HeadOptions options,
                                       QUndoCommand* parent)
    : GraphCommand(doc, QObject::tr("Replace head"), parent), cut_(cut), options_(options) {}

QString ReplaceHeadCommand::apply() {
  if (!planned_) {
    const QString cutName = doc_->nameOf(cut_);
    if (cutName.isEmpty()) return QObject::tr("the layer is no longer in the model");
    ModelSpec result;
    std::vector<std::string> added;
    try {
      result = replaceHead(doc_->spec(), cutName.toStdString(), options_, &added);
    } catch (const std::exception& e) {
      return QString::fromUtf8(e.what());
    }
    // Removed: every node not kept (the new head's names are all fresh in the result, but a name
    // may repeat one that was dropped, e.g. "dense": compare by what was kept).
    std::set<std::string> kept;
    for (const NodeSpec& n : result.nodes) kept.insert(n.name);
    for (const std::string& a : added) kept.erase(a);
    std::vector<std::string> order;
    try {
      order = kerasLayerOrder(doc_->spec());
    } catch (const std::exception& e) {
      return QString::fromUtf8(e.what());
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if (!kept.count(*it)) removeOrder_.push_back(doc_->idOf(QString::fromStdString(*it)));
    // The head goes right of the cut node (the canvas runs left to right), one column a layer.
    const QPointF at = doc_->position(cut_);
    double x = at.x();
    for (const std::string& a : added) {
      x += 250;
      added_.emplace_back(*result.find(a), QPointF(x, at.y()));
      addedIds_.push_back(doc_->newNodeId());
    }
    planned_ = true;
  }
  removed_.clear();
  for (NodeId id : removeOrder_) removed_.push_back(doc_->removeNode(id));
  for (size_t i = 0; i < added_.size(); ++i)
    doc_->insertNode(added_[i].first, added_[i].second, -1, addedIds_[i]);
  return {};
}

void ReplaceHeadCommand::revert() {
  for (auto it = addedIds_.rbegin(); it != addedIds_.rend(); ++it) doc_->removeNode(*it);
  for (auto it = removed_.rbegin(); it != removed_.rend(); ++it) doc_->restoreNode(*it);
}

}  // namespace tessel::ui
