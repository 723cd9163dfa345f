#include "ui/editor/FineTuneActions.h"

#include <QInputDialog>
#include <QMenu>
#include <QUndoStack>

#include "engine/data/DatasetBuilder.h"
#include "engine/graph/FineTune.h"
#include "ui/editor/FineTuneCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphScene.h"

namespace tessel::ui {

FineTuneActions::FineTuneActions(GraphEditorWidget* editor) : QObject(editor), editor_(editor) {
  setObjectName("fineTuneActions");
}

FineTuneActions* FineTuneActions::of(GraphEditorWidget* editor) {
  if (auto* a = editor->findChild<FineTuneActions*>("fineTuneActions", Qt::FindDirectChildrenOnly))
    return a;
  return new FineTuneActions(editor);
}

int FineTuneActions::proposedClassCount() const {
  if (classCount_)
    if (const int n = classCount_(); n > 0) return n;
  const ModelSpec& spec = editor_->document()->spec();
  if (spec.outputs.size() == 1)
    if (const NodeSpec* out = spec.find(spec.outputs.front()); out && out->className == "Dense")
      if (auto it = out->config.find("units"); it != out->config.end() && it->is_number_integer())
        return it->get<int>();
  return 2;
}

int FineTuneActions::dataSetClassCount(const nlohmann::json& dataSettings) {
  if (dataSettings.is_null() || dataSettings.empty()) return 0;
  try {
    BuildOptions few;
    few.trainLimit = 16;
    return static_cast<int>(buildDataset(dataSettings, few).classNames.size());
  } catch (const std::exception&) {
    return 0;
  }
}

void FineTuneActions::addToMenu(QMenu* menu, NodeId node) {
  GraphDocument* doc = editor_->document();
  if (const NodeSpec* n = doc->node(node); n && !n->isInput()) {
    const bool frozen = !isTrainable(*n);
    QAction* toggle = menu->addAction(frozen ? tr("Unfreeze") : tr("Freeze"));
    toggle->setObjectName(frozen ? "unfreezeLayer" : "freezeLayer");
    toggle->setToolTip(tr("Keras layer.trainable = %1").arg(frozen ? "True" : "False"));
    connect(toggle, &QAction::triggered, this, [this, node, frozen] { setFrozen(node, !frozen); });
    QAction* upTo = menu->addAction(tr("Freeze everything up to here"));
    upTo->setObjectName("freezeUpToHere");
    upTo->setToolTip(tr("trainable = False for this layer and every layer before it"));
    connect(upTo, &QAction::triggered, this, [this, node] { freezeUpToHere(node); });
  }
  if (doc->node(node)) {
    QAction* head = menu->addAction(tr("Replace head here..."));
    head->setObjectName("replaceHeadHere");
    head->setToolTip(
        tr("Drop everything after this layer and add GlobalAveragePooling2D, Dropout(0.2) and "
           "Dense(classes, softmax)"));
    connect(head, &QAction::triggered, this, [this, node] { askReplaceHead(node); });
  }
  QAction* last = menu->addAction(tr("Unfreeze the last N layers..."));
  last->setObjectName("unfreezeLastN");
  last->setEnabled(!doc->spec().nodes.empty());
  connect(last, &QAction::triggered, this, &FineTuneActions::askUnfreezeLast);
}

QString FineTuneActions::report(const QString& why) {
  if (!why.isEmpty()) editor_->showStatus(why);
  return why;
}

QString FineTuneActions::setFrozen(NodeId node, bool frozen) {
  auto* cmd = new SetTrainableCommand(editor_->document(), {{node, !frozen}},
                                      frozen ? tr("Freeze layer") : tr("Unfreeze layer"));
  return report(GraphCommand::push(editor_->undoStack(), cmd));
}

QString FineTuneActions::freezeUpToHere(NodeId node) {
  GraphDocument* doc = editor_->document();
  ModelSpec wanted = doc->spec();
  try {
    freezeUpTo(wanted, doc->nameOf(node).toStdString());
  } catch (const std::exception& e) {
    return report(QString::fromUtf8(e.what()));
  }
  auto* cmd = new SetTrainableCommand(doc, trainableChanges(*doc, wanted),
                                      tr("Freeze up to '%1'").arg(doc->nameOf(node)));
  return report(GraphCommand::push(editor_->undoStack(), cmd));
}

QString FineTuneActions::unfreezeLast(int n) {
  GraphDocument* doc = editor_->document();
  ModelSpec wanted = doc->spec();
  try {
    tessel::unfreezeLast(wanted, n);
  } catch (const std::exception& e) {
    return report(QString::fromUtf8(e.what()));
  }
  auto* cmd = new SetTrainableCommand(doc, trainableChanges(*doc, wanted),
                                      tr("Unfreeze the last %1 layers").arg(n));
  return report(GraphCommand::push(editor_->undoStack(), cmd));
}

QString FineTuneActions::replaceHead(NodeId node, int classes) {
  HeadOptions o;
  o.classes = classes;
  auto* cmd = new ReplaceHeadCommand(editor_->document(), node, o);
  const QString why = GraphCommand::push(editor_->undoStack(), cmd);
  if (why.isEmpty() && !cmd->addedIds().empty()) editor_->selectNode(cmd->addedIds().back(), true);
  return report(why);
}

void FineTuneActions::askUnfreezeLast() {
  QInputDialog d(editor_);
  d.setObjectName("fineTuneDialog");
  d.setWindowTitle(tr("Unfreeze the last N layers"));
  d.setLabelText(
      tr("Freeze every layer, then make the last N trainable\n(Keras: "
         "for layer in model.layers[:-N]: layer.trainable = False):"));
  d.setInputMode(QInputDialog::IntInput);
  d.setIntRange(0, static_cast<int>(editor_->document()->spec().nodes.size()));
  d.setIntValue(std::min(5, d.intMaximum()));
  if (d.exec() == QDialog::Accepted) unfreezeLast(d.intValue());
}

void FineTuneActions::askReplaceHead(NodeId node) {
  QInputDialog d(editor_);
  d.setObjectName("fineTuneDialog");
  d.setWindowTitle(tr("Replace head after '%1'").arg(editor_->document()->nameOf(node)));
  d.setLabelText(
      tr("Drop the layers after it and add GlobalAveragePooling2D (4-D only),\n"
         "Dropout(0.2) and Dense(classes, softmax). Classes:"));
  d.setInputMode(QInputDialog::IntInput);
  d.setIntRange(1, 100000);
  d.setIntValue(proposedClassCount());
  if (d.exec() == QDialog::Accepted) replaceHead(node, d.intValue());
}

}  // namespace tessel::ui
