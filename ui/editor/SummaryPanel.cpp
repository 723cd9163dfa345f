#include "ui/editor/SummaryPanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QVBoxLayout>
#include <map>
#include <numeric>

#include "engine/core/Rng.h"
#include "engine/layers/Layer.h"
#include "engine/layers/LayerRegistry.h"
#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

namespace {
constexpr int kIdRole = Qt::UserRole + 1;

QString thousands(long long v) {
  // Keras: "Total params: 1,234"
  QString digits = QString::number(v), out;
  for (int i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
// Row order: Keras lists a functional model's layers producers first. A model with a cycle or a
// dangling edge (being edited) keeps the document's order.
std::vector<int> rowOrder(const ModelSpec& spec) {
  std::vector<int> order;
  try {
    std::map<std::string, int> index;
    for (int i = 0; i < static_cast<int>(spec.nodes.size()); ++i) index[spec.nodes[i].name] = i;
    for (const std::string& name : topologicalOrder(spec)) order.push_back(index.at(name));
  } catch (const std::exception&) {
    order.clear();
  }
  if (order.size() != spec.nodes.size()) {
    order.resize(spec.nodes.size());
    std::iota(order.begin(), order.end(), 0);
  }
  return order;
}

}  // namespace

SummaryPanel::SummaryPanel(GraphDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName("summaryTable");
  table_->setHorizontalHeaderLabels(
      {tr("Layer (type)"), tr("Output Shape"), tr("Param #"), tr("Connected to")});
  table_->verticalHeader()->setVisible(false);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  // Column widths follow the contents when rows come or go (not on every edit: with hundreds of
  // rows that would measure every cell each time).
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->horizontalHeader()->setResizeContentsPrecision(200);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->setTextElideMode(Qt::ElideMiddle);  // "input_1 (Inp…Layer)" keeps both ends
  totals_ = new QLabel(this);
  totals_->setObjectName("summaryTotals");
  totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(table_, 1);
  layout->addWidget(totals_);
  // A rename keeps the cache: the parameter count does not depend on the layer name.
  connect(doc_, &GraphDocument::nodeChanged, this, [this](NodeId n) { cache_.remove(n); });
  connect(doc_, &GraphDocument::nodeRemoved, this, [this](NodeId n) { cache_.remove(n); });
  connect(doc_, &GraphDocument::nodeAdded, this, [this](NodeId n) { cache_.remove(n); });
  connect(doc_, &GraphDocument::modelReset, this, [this] { cache_.clear(); });
  connect(doc_, &GraphDocument::validated, this, &SummaryPanel::refresh);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    if (selecting_) return;
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.size() == 1) emit nodeActivated(nodeAt(rows.first().row()));
  });
  refresh();
}

SummaryPanel::Params SummaryPanel::paramsOf(int nodeIndex) {
  const NodeSpec& node = doc_->spec().nodes[nodeIndex];
  Params p;
  const NodeId key = doc_->nodeIds()[nodeIndex];
  const NodeShapes* shapes = doc_->nodeShapes(key);
  if (node.isInput()) {
    p.known = true;
    return p;
  }
  if (!shapes || !shapes->output || shapes->inputs.size() != node.inputs.size()) return p;
  std::vector<std::vector<long long>> inputs;
  for (const auto& s : shapes->inputs) inputs.emplace_back(s.begin(), s.end());
  auto it = cache_.find(key);
  if (it != cache_.end() && it->inputs == inputs) return it->params;
  try {
    auto layer = LayerRegistry::instance().create(node.className, node.config, node.name);
    Rng rng(0);
    layer->build(shapes->inputs, rng);
    for (const auto& v : layer->variables())
      (v.trainable ? p.trainable : p.nonTrainable) += v.value.size();
    p.known = true;
  } catch (const std::exception&) {
    p.known = false;
  }
  cache_.insert(key, Cached{std::move(inputs), p});
  return p;
}

void SummaryPanel::refresh() {
  const NodeId selected = [this] {
    const auto rows = table_->selectionModel()->selectedRows();
    return rows.size() == 1 ? nodeAt(rows.first().row()) : kInvalidNodeId;
  }();
  const std::vector<NodeId>& ids = doc_->nodeIds();
  selecting_ = true;
  const auto& nodes = doc_->spec().nodes;
  const bool resized = table_->rowCount() != static_cast<int>(nodes.size());
  table_->setRowCount(static_cast<int>(nodes.size()));
  total_ = trainable_ = 0;
  long long nonTrainable = 0;
  bool allKnown = true;
  bool widened = false;
  auto set = [&](int row, int col, const QString& text, NodeId id) {
    QTableWidgetItem* item = table_->item(row, col);
    if (!item) {
      item = new QTableWidgetItem;
      table_->setItem(row, col, item);
    }
    if (item->text() != text) {
      item->setText(text);
      // A longer text than its column shows: the columns follow the contents again.
      widened = widened || fontMetrics().horizontalAdvance(text) + 16 > table_->columnWidth(col);
    }
    if (item->data(kIdRole).value<NodeId>() != id) item->setData(kIdRole, QVariant::fromValue(id));
    const int right = static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
    if (col == ParamsColumn && item->textAlignment() != right)
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  };
  const std::vector<int> order = rowOrder(doc_->spec());
  for (int row = 0; row < static_cast<int>(nodes.size()); ++row) {
    const int i = order[row];
    const NodeSpec& n = nodes[i];
    const QString name = QString::fromStdString(n.name);
    QString shape = doc_->outputShapeText(ids[i]);
    if (shape.isEmpty()) shape = "?";
    if (n.isInput()) shape = "[" + shape + "]";  // as Keras 2 prints it
    if (const QStringList outs = doc_->outputNames(ids[i]); outs.size() > 1) {
      QStringList all;  // several outputs: a list, as Keras prints it
      for (int k = 0; k < outs.size(); ++k) all << doc_->outputShapeText(ids[i], k);
      shape = "[" + all.join(", ") + "]";
    }
    const Params p = paramsOf(i);
    allKnown = allKnown && p.known;
    trainable_ += p.trainable;
    nonTrainable += p.nonTrainable;
    QStringList connected;
    for (size_t k = 0; k < n.inputs.size(); ++k)
      connected << "'" + QString::fromStdString(n.inputs[k]) +
                       QString("[0][%1]'").arg(n.inputTensor(k));
    set(row, LayerColumn, name + " (" + QString::fromStdString(n.className) + ")", ids[i]);
    set(row, ShapeColumn, shape, ids[i]);
    set(row, ParamsColumn, p.known ? QString::number(p.trainable + p.nonTrainable) : "?", ids[i]);
    set(row, ConnectedColumn, "[" + connected.join(", ") + "]", ids[i]);
    const QString error = doc_->errorText(ids[i]);
    for (int c = 0; c < 4; ++c) {
      // The tooltip: the error, else the whole text (a cell may be elided).
      QTableWidgetItem* item = table_->item(row, c);
      const QString tip = error.isEmpty() ? item->text() : error;
      if (item->toolTip() == tip && item->data(Qt::ForegroundRole).isValid() == !error.isEmpty())
        continue;
      if (error.isEmpty())
        item->setData(Qt::ForegroundRole, QVariant());
      else
        item->setForeground(QColor(0xd3, 0x2f, 0x2f));
      item->setToolTip(tip);
    }
  }
  total_ = trainable_ + nonTrainable;
  totals_->setText(tr("Total params: %1%4\nTrainable params: %2\nNon-trainable params: %3")
                       .arg(thousands(total_), thousands(trainable_), thousands(nonTrainable),
                            allKnown ? QString() : tr(" (layers with errors not counted)")));
  table_->clearSelection();
  if (rowOf(selected) >= 0) table_->selectRow(rowOf(selected));
  selecting_ = false;
  if (resized || widened) {
    table_->resizeColumnsToContents();
    // Re-arm the stretch (resizeColumnsToContents sized the last column too).
    table_->horizontalHeader()->setStretchLastSection(false);
    table_->horizontalHeader()->setStretchLastSection(true);
  }
}

void SummaryPanel::selectNode(const QString& name) {
  selectNode(name.isEmpty() ? kInvalidNodeId : doc_->idOf(name));
}

void SummaryPanel::selectNode(NodeId id) {
  selecting_ = true;
  const int row = rowOf(id);
  if (row < 0) {
    table_->clearSelection();
  } else {
    table_->selectRow(row);
    table_->scrollToItem(table_->item(row, 0));
  }
  selecting_ = false;
}

int SummaryPanel::rowOf(NodeId node) const {
  if (node == kInvalidNodeId) return -1;
  for (int r = 0; r < table_->rowCount(); ++r)
    if (nodeAt(r) == node) return r;
  return -1;
}

int SummaryPanel::rowOf(const QString& name) const {
  return name.isEmpty() ? -1 : rowOf(doc_->idOf(name));
}

NodeId SummaryPanel::nodeAt(int row) const {
  QTableWidgetItem* item = table_->item(row, 0);
  return item ? item->data(kIdRole).value<NodeId>() : kInvalidNodeId;
}

QString SummaryPanel::cellText(const QString& node, Column column) const {
  const int row = rowOf(node);
  QTableWidgetItem* item = row < 0 ? nullptr : table_->item(row, column);
  return item ? item->text() : QString();
}

QString SummaryPanel::totalsText() const {
  return totals_->text();
}

}  // namespace tessel::ui
