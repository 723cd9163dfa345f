#include "ui/project/ProjectTree.h"

#include <QHeaderView>
#include <QMenu>
#include <algorithm>

#include "ui/project/ProjectSession.h"

namespace tessel::ui {

namespace {

QString runName(const RunRecord& r) {
  QString name = QString::fromStdString(r.name);
  if (name.isEmpty() || name == "run") name = QObject::tr("run %1").arg(r.id);
  return name;
}

QString runText(const QString& name, const QString& status, int epochs, int partialBatches = 0) {
  QString text = QObject::tr("%1 · %2 · %n epoch(s)", nullptr, epochs).arg(name, status);
  // The dashboard's words: complete epochs, then the stopped one's batches as partial.
  if (partialBatches > 0)
    text += QObject::tr(" (epoch %1 partial: %n batch(es))", nullptr, partialBatches).arg(epochs);
  return text;
}

}  // namespace

ProjectTree::ProjectTree(ProjectSession* session, QWidget* parent)
    : QTreeWidget(parent), session_(session) {
  setObjectName("projectTree");
  setHeaderHidden(true);
  setColumnCount(1);
  setContextMenuPolicy(Qt::CustomContextMenu);
  setUniformRowHeights(true);
  connect(session_, &ProjectSession::modelsChanged, this, &ProjectTree::refresh);
  connect(session_, &ProjectSession::dirtyChanged, this, &ProjectTree::updateMarks);
  connect(session_, &ProjectSession::saved, this, &ProjectTree::updateMarks);
  connect(this, &QTreeWidget::currentItemChanged, this,
          [this](QTreeWidgetItem* item) { onCurrentItemChanged(item); });
  connect(this, &QWidget::customContextMenuRequested, this, &ProjectTree::showMenu);
  refresh();
}

void ProjectTree::refresh() {
  filling_ = true;
  clear();
  auto runs = session_->allRuns();
  for (const auto& m : session_->models()) {
    auto* item = new QTreeWidgetItem(this, QStringList(m.name));
    item->setData(0, KindRole, ModelItem);
    item->setData(0, IdRole, m.id);
    item->setData(0, ModelIdRole, m.id);
    item->setToolTip(0, tr("Model %1").arg(m.name));
    fillRuns(item, std::move(runs[m.id]));
    item->setExpanded(true);
  }
  if (QTreeWidgetItem* item = modelItem(current_)) setCurrentItem(item);
  filling_ = false;
  updateMarks();
}

void ProjectTree::refreshRuns() {
  auto runs = session_->allRuns();
  for (int i = 0; i < topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = topLevelItem(i);
    qDeleteAll(item->takeChildren());
    fillRuns(item, std::move(runs[item->data(0, IdRole).toLongLong()]));
  }
}

void ProjectTree::fillRuns(QTreeWidgetItem* modelItem, std::vector<RunRecord> runs) {
  const qint64 modelId = modelItem->data(0, IdRole).toLongLong();
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  for (const RunRecord& r : runs) {
    auto* item = new QTreeWidgetItem(
        modelItem, QStringList(runText(runName(r), QString::fromLatin1(runStatusName(r.status)),
                                       r.epochsDone, partialBatches_.value(r.id))));
    item->setData(0, NameRole, runName(r));
    item->setData(0, KindRole, RunItem);
    item->setData(0, IdRole, static_cast<qint64>(r.id));
    item->setData(0, ModelIdRole, modelId);
    item->setToolTip(
        0, tr("Started %1%2")
               .arg(QString::fromStdString(r.startedAt),
                    r.endedAt.empty() ? QString()
                                      : tr(", ended %1").arg(QString::fromStdString(r.endedAt))));
  }
}

void ProjectTree::updateMarks() {
  for (int i = 0; i < topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = topLevelItem(i);
    const qint64 id = item->data(0, IdRole).toLongLong();
    const auto* m = session_->model(id);
    if (!m) continue;
    const bool dirty = session_->isModelDirty(id);
    item->setText(0, dirty ? m->name + "*" : m->name);
    QFont f = item->font(0);
    f.setBold(id == current_);
    item->setFont(0, f);
  }
}

QTreeWidgetItem* ProjectTree::modelItem(qint64 id) const {
  for (int i = 0; i < topLevelItemCount(); ++i)
    if (topLevelItem(i)->data(0, IdRole).toLongLong() == id) return topLevelItem(i);
  return nullptr;
}

QTreeWidgetItem* ProjectTree::runItem(qint64 runId) const {
  for (int i = 0; i < topLevelItemCount(); ++i)
    for (int j = 0; j < topLevelItem(i)->childCount(); ++j)
      if (topLevelItem(i)->child(j)->data(0, IdRole).toLongLong() == runId)
        return topLevelItem(i)->child(j);
  return nullptr;
}

void ProjectTree::setRunProgress(qint64 runId, const QString& status, int epochsDone) {
  if (QTreeWidgetItem* item = runItem(runId))
    item->setText(0, runText(item->data(0, NameRole).toString(), status, epochsDone));
}

void ProjectTree::markPartial(qint64 runId, int batches) {
  partialBatches_[runId] = batches;
  refreshRuns();
}

void ProjectTree::setCurrentModel(qint64 id) {
  current_ = id;
  if (QTreeWidgetItem* item = modelItem(id)) {
    filling_ = true;
    setCurrentItem(item);
    filling_ = false;
  }
  updateMarks();
}

void ProjectTree::onCurrentItemChanged(QTreeWidgetItem* item) {
  if (filling_ || !item) return;
  const qint64 modelId = item->data(0, ModelIdRole).toLongLong();
  if (item->data(0, KindRole).toInt() == RunItem)
    emit runActivated(modelId, item->data(0, IdRole).toLongLong());
  if (modelId != current_) emit modelActivated(modelId);
}

QMenu* ProjectTree::makeContextMenu(QTreeWidgetItem* item) {
  auto* menu = new QMenu(this);
  menu->setObjectName("projectTreeMenu");
  auto add = [menu](const QString& text, const char* name, auto slot) {
    QAction* a = menu->addAction(text);
    a->setObjectName(name);
    connect(a, &QAction::triggered, menu, slot);
    return a;
  };
  add(tr("New Model"), "treeNewModel", [this] { emit newRequested(); });
  if (!item) return menu;
  const qint64 id = item->data(0, ModelIdRole).toLongLong();
  menu->addSeparator();
  add(tr("Duplicate"), "treeDuplicateModel", [this, id] { emit duplicateRequested(id); });
  add(tr("Rename…"), "treeRenameModel", [this, id] { emit renameRequested(id); });
  add(tr("Delete"), "treeDeleteModel", [this, id] { emit deleteRequested(id); });
  menu->addSeparator();
  add(tr("Export…"), "treeExportModel", [this, id] { emit exportRequested(id); });
  return menu;
}

void ProjectTree::showMenu(const QPoint& pos) {
  QTreeWidgetItem* item = itemAt(pos);
  if (item && item->data(0, KindRole).toInt() != ModelItem) item = item->parent();
  QMenu* menu = makeContextMenu(item);
  menu->exec(viewport()->mapToGlobal(pos));
  menu->deleteLater();
}

}  // namespace tessel::ui
