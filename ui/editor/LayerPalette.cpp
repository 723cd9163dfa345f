#include "ui/editor/LayerPalette.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QMimeData>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/layers/LayerRegistry.h"
#include "ui/editor/BlockLibrary.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/EditorResources.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui {

namespace {
constexpr int kClassRole = Qt::UserRole + 1;
constexpr int kUserClassRole = Qt::UserRole + 3;  // true on a project custom class entry
}  // namespace

LayerPaletteTree::LayerPaletteTree(QWidget* parent) : QTreeWidget(parent) {
  setHeaderHidden(true);
  setColumnCount(1);
  setDragEnabled(true);
  setDragDropMode(DragOnly);
  setSelectionMode(SingleSelection);
  setRootIsDecorated(true);
  setUniformRowHeights(false);
  setIndentation(14);
  // The palette is sized to its longest name (LayerPalette::sizeHint); when the user drags it
  // narrower, long names that differ at their end ("GlobalAveragePooling1D" / "2D") keep it.
  setTextElideMode(Qt::ElideMiddle);
}

QMimeData* LayerPaletteTree::mimeDataFor(const QString& className) {
  auto* data = new QMimeData;
  data->setData(GraphView::kLayerMimeType, className.toUtf8());
  data->setText(className);
  return data;
}

QStringList LayerPaletteTree::mimeTypes() const {
  return {GraphView::kLayerMimeType};
}

QMimeData* LayerPaletteTree::mimeData(const QList<QTreeWidgetItem*>& items) const {
  for (QTreeWidgetItem* item : items) {
    const QString cls = item->data(0, kClassRole).toString();
    if (!cls.isEmpty()) return mimeDataFor(cls);
  }
  return nullptr;
}

LayerPalette::LayerPalette(QWidget* parent) : QWidget(parent) {
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search layers"));
  search_->setClearButtonEnabled(true);
  tree_ = new LayerPaletteTree(this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  layout->addWidget(search_);
  layout->addWidget(tree_);

  QHash<QString, QTreeWidgetItem*> groups;
  for (const LayerInfo* info : LayerRegistry::instance().all()) {
    const QString group = QString::fromStdString(info->group);
    QTreeWidgetItem*& groupItem = groups[group];
    if (!groupItem) {
      groupItem = new QTreeWidgetItem(tree_, {group});
      QFont f = groupItem->font(0);
      f.setBold(true);
      groupItem->setFont(0, f);
      groupItem->setFlags(Qt::ItemIsEnabled);
      groupItem->setForeground(0, NodeItem::groupColor(group));
      groupItem->setIcon(0, groupIcon(group));
    }
    const QString cls = QString::fromStdString(info->className);
    const QString description = QString::fromStdString(info->doc);
    auto* item = new QTreeWidgetItem(groupItem, {cls});
    item->setData(0, kClassRole, cls);
    item->setIcon(0, groupIcon(NodeItem::lookGroup(info)));
    item->setToolTip(0, "<b>" + cls + "</b><br>" + description.toHtmlEscaped());
    item->setStatusTip(0, description);
    item->setData(0, Qt::UserRole + 2, description);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  customGroup_ = groups.value("Custom");
  refreshCustomClasses();
  connect(&CustomClassLibrary::instance(), &CustomClassLibrary::changed, this,
          &LayerPalette::refreshCustomClasses);
  refreshBlocks();
  connect(&BlockLibrary::instance(), &BlockLibrary::changed, this, &LayerPalette::refreshBlocks);
  tree_->expandAll();
  connect(search_, &QLineEdit::textChanged, this, &LayerPalette::setFilter);
  connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
    const QString cls = item->data(0, kClassRole).toString();
    if (!cls.isEmpty()) emit layerActivated(cls);
  });
  tree_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(tree_, &QWidget::customContextMenuRequested, this, [this](QPoint pos) {
    QTreeWidgetItem* item = tree_->itemAt(pos);
    if (item && item->data(0, kUserClassRole).toBool())
      emit customClassMenuRequested(item->data(0, kClassRole).toString(),
                                    tree_->viewport()->mapToGlobal(pos));
  });
  // Enter in the search field adds the first match.
  connect(search_, &QLineEdit::returnPressed, this, [this] {
    const QStringList visible = visibleLayers();
    if (!visible.isEmpty()) emit layerActivated(visible.first());
  });
}

void LayerPalette::refreshCustomClasses() {
  const QStringList names = CustomClassLibrary::instance().names();
  if (!customGroup_) {
    if (names.isEmpty()) return;
    customGroup_ = new QTreeWidgetItem(tree_, {QStringLiteral("Custom")});
    QFont f = customGroup_->font(0);
    f.setBold(true);
    customGroup_->setFont(0, f);
    customGroup_->setFlags(Qt::ItemIsEnabled);
    customGroup_->setForeground(0, NodeItem::groupColor("Custom"));
    customGroup_->setIcon(0, groupIcon("Custom"));
  }
  for (int i = customGroup_->childCount() - 1; i >= 0; --i)
    if (customGroup_->child(i)->data(0, kUserClassRole).toBool()) delete customGroup_->child(i);
  for (const QString& cls : names) {
    const auto def = CustomClassLibrary::instance().find(cls);
    const QString call = def ? QString::fromStdString(def->value("call", std::string())) : "";
    const QString description = tr("Custom layer class of this project: %1").arg(call);
    auto* item = new QTreeWidgetItem(customGroup_, {cls});
    item->setData(0, kClassRole, cls);
    item->setData(0, kUserClassRole, true);
    item->setIcon(0, groupIcon("Custom"));
    item->setToolTip(0, "<b>" + cls + "</b><br>" + description.toHtmlEscaped());
    item->setStatusTip(0, description);
    item->setData(0, Qt::UserRole + 2, description);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  customGroup_->setExpanded(true);
  setFilter(search_->text());
}

void LayerPalette::refreshBlocks() {
  const QStringList names = BlockLibrary::instance().names();
  if (!blocksGroup_) {
    if (names.isEmpty()) return;
    blocksGroup_ = new QTreeWidgetItem(tree_, {QStringLiteral("Blocks")});
    QFont f = blocksGroup_->font(0);
    f.setBold(true);
    blocksGroup_->setFont(0, f);
    blocksGroup_->setFlags(Qt::ItemIsEnabled);
    blocksGroup_->setForeground(0, QColor(0x5e, 0x35, 0xb1));
    blocksGroup_->setIcon(0, groupIcon("Custom"));
  }
  qDeleteAll(blocksGroup_->takeChildren());
  for (const QString& name : names) {
    const auto def = BlockLibrary::instance().find(name);
    int layers = 0;
    if (def && def->contains("model"))
      for (const auto& l : (*def)["model"]
                               .value("config", nlohmann::json::object())
                               .value("layers", nlohmann::json::array()))
        layers += l.value("class_name", std::string()) != "InputLayer";
    const QString description = tr("Saved block of this project: %n layer(s)", nullptr, layers);
    auto* item = new QTreeWidgetItem(blocksGroup_, {name});
    item->setData(0, kClassRole, BlockLibrary::kPrefix + name);
    item->setIcon(0, groupIcon("Custom"));
    item->setToolTip(0, "<b>" + name + "</b><br>" + description.toHtmlEscaped());
    item->setStatusTip(0, description);
    item->setData(0, Qt::UserRole + 2, description);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  blocksGroup_->setExpanded(true);
  setFilter(search_->text());
}

QSize LayerPalette::sizeHint() const {
  int text = 0;
  for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = tree_->topLevelItem(g);
    for (int i = 0; i < group->childCount(); ++i)
      text = std::max(text, tree_->fontMetrics().horizontalAdvance(group->child(i)->text(0)));
  }
  const int icon = tree_->iconSize().width() > 0 ? tree_->iconSize().width() : 16;
  const int scrollBar = tree_->style()->pixelMetric(QStyle::PM_ScrollBarExtent);
  const int width = 2 * tree_->indentation() + icon + text + scrollBar + 24;
  return {width, QWidget::sizeHint().height()};
}

QTreeWidgetItem* LayerPalette::itemFor(const QString& className) const {
  for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = tree_->topLevelItem(g);
    for (int i = 0; i < group->childCount(); ++i)
      if (group->child(i)->data(0, kClassRole).toString() == className) return group->child(i);
  }
  return nullptr;
}

QStringList LayerPalette::visibleLayers() const {
  QStringList out;
  for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = tree_->topLevelItem(g);
    if (group->isHidden()) continue;
    for (int i = 0; i < group->childCount(); ++i)
      if (!group->child(i)->isHidden()) out << group->child(i)->data(0, kClassRole).toString();
  }
  return out;
}

void LayerPalette::setFilter(const QString& text) {
  const QString needle = text.trimmed();
  for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = tree_->topLevelItem(g);
    int shown = 0;
    for (int i = 0; i < group->childCount(); ++i) {
      QTreeWidgetItem* item = group->child(i);
      const bool match =
          needle.isEmpty() || item->text(0).contains(needle, Qt::CaseInsensitive) ||
          item->data(0, Qt::UserRole + 2).toString().contains(needle, Qt::CaseInsensitive);
      item->setHidden(!match);
      shown += match;
    }
    group->setHidden(shown == 0);
  }
  tree_->expandAll();
}

}  // namespace tessel::ui
