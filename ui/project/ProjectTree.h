#pragma once
// The project's side tree: one top-level item per model (bold while it has unsaved edits), and
// under each its training runs ("run 3 · stopped · 2 epochs"), newest first. Selecting a model
// item asks the window to show it. The context menu of a model: New Model, Duplicate, Rename…,
// Delete, Export…; of the empty area: New Model.
#include <QHash>
#include <QTreeWidget>
#include <vector>

class QMenu;

#include "engine/store/Project.h"

namespace tessel::ui {

class ProjectSession;

class ProjectTree : public QTreeWidget {
  Q_OBJECT
 public:
  enum Role { KindRole = Qt::UserRole, IdRole, ModelIdRole, NameRole };
  enum Kind { ModelItem = 1, RunItem = 2 };

  explicit ProjectTree(ProjectSession* session, QWidget* parent = nullptr);

  // Rebuilds from the session (models) and the project file (runs).
  void refresh();
  // Re-reads the runs of every model (after a run started or ended).
  void refreshRuns();
  void setCurrentModel(qint64 id);
  // Live update of a run's line while it trains (no file access).
  void setRunProgress(qint64 runId, const QString& status, int epochsDone);
  // A run stopped mid-epoch in this session: its item reads "name · stopped · N epochs
  // (epoch N partial: B batches)": the stopped epoch counts, as Keras's History does.
  void markPartial(qint64 runId, int batches);
  QTreeWidgetItem* runItem(qint64 runId) const;
  QTreeWidgetItem* modelItem(qint64 id) const;
  qint64 currentModelId() const { return current_; }
  // The context menu for `item` (a model, or nullptr for the empty area); the caller owns it.
  // Action object names: treeNewModel, treeDuplicateModel, treeRenameModel, treeDeleteModel,
  // treeExportModel.
  QMenu* makeContextMenu(QTreeWidgetItem* item);

 signals:
  void modelActivated(qint64 id);
  void runActivated(qint64 modelId, qint64 runId);
  void newRequested();
  void duplicateRequested(qint64 id);
  void renameRequested(qint64 id);
  void deleteRequested(qint64 id);
  void exportRequested(qint64 id);

 private:
  void fillRuns(QTreeWidgetItem* modelItem, std::vector<RunRecord> runs);
  void updateMarks();
  void onCurrentItemChanged(QTreeWidgetItem* item);
  void showMenu(const QPoint& pos);

  ProjectSession* session_;
  qint64 current_ = 0;
  QHash<qint64, int> partialBatches_;  // run id -> batches of the stopped epoch
  bool filling_ = false;
};

}  // namespace tessel::ui
