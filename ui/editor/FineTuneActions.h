#pragma once
// Transfer learning from the canvas context menu: on a node "Freeze" / "Unfreeze", "Freeze
// everything up to here", "Replace head here..."; for the model "Unfreeze the last N layers...".
// Each is one undo step (FineTuneCommands.h) on the editor's stack; the engine functions in
// engine/graph/FineTune.h decide what changes, so the CLI and the studio agree.
#include <QObject>
#include <QString>
#include <functional>
#include <nlohmann/json.hpp>

#include "ui/editor/NodeId.h"

class QMenu;

namespace tessel::ui {

class GraphEditorWidget;

class FineTuneActions : public QObject {
  Q_OBJECT

 public:
  // Owned by `editor` (one per editor: FineTuneActions::of(editor)).
  static FineTuneActions* of(GraphEditorWidget* editor);

  // The class count "Replace head here..." proposes: the data set's, where the main window
  // knows it (returns <= 0 when unknown); else the current output Dense's units; else 2.
  void setClassCountProvider(std::function<int()> provider) { classCount_ = std::move(provider); }
  int proposedClassCount() const;
  // The class count of a data set's first label (DataSettings JSON), read by building a few
  // training samples; 0 when unknown (no settings, a regression target, an unreadable source).
  static int dataSetClassCount(const nlohmann::json& dataSettings);

  // Appends the actions for `node` (kInvalidNodeId: the empty canvas) to `menu`. Object names:
  // freezeLayer, unfreezeLayer, freezeUpToHere, replaceHeadHere, unfreezeLastN.
  void addToMenu(QMenu* menu, NodeId node);

  // The operations (empty: done; else the reason, also shown in the editor's status line).
  QString setFrozen(NodeId node, bool frozen);
  QString freezeUpToHere(NodeId node);
  QString unfreezeLast(int n);
  QString replaceHead(NodeId node, int classes);
  // Ask, then do (QInputDialog, "fineTuneDialog"): the number of layers / of classes.
  void askUnfreezeLast();
  void askReplaceHead(NodeId node);

 private:
  explicit FineTuneActions(GraphEditorWidget* editor);
  QString report(const QString& why);
  GraphEditorWidget* editor_;
  std::function<int()> classCount_;
};

}  // namespace tessel::ui
