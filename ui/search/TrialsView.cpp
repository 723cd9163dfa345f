#include "ui/search/TrialsView.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/KerasFormat.h"
#include "engine/store/Project.h"
#include "ui/search/ObjectiveScatterPlot.h"
#include "ui/search/ParallelCoordinatesPlot.h"

namespace tessel::ui {

using json = nlohmann::json;

// Keeps the rows whose trial (Qt::UserRole of column 0) the plot's brushes leave visible.
class TrialsFilter : public QSortFilterProxyModel {
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;
  void setHidden(std::set<int> hidden) {
    hidden_ = std::move(hidden);
    invalidateFilter();
  }

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override {
    int trial = sourceModel()->index(row, 0, parent).data(Qt::UserRole).toInt();
    return !hidden_.count(trial);
  }

 private:
  std::set<int> hidden_;
};

namespace {

QString valueText(const json& v) {
  if (v.is_number_float()) return QString::fromStdString(kerasNumber(v.get<double>()));
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

QStandardItem* item(const json& v) {
  auto* it = new QStandardItem;
  if (v.is_number())
    it->setData(v.get<double>(), Qt::DisplayRole);  // numeric sort
  else if (!v.is_null())
    it->setData(valueText(v), Qt::DisplayRole);
  it->setEditable(false);
  return it;
}

}  // namespace

TrialsView::TrialsView(QWidget* parent)
    : QWidget(parent),
      model_(new QStandardItemModel(this)),
      filter_(new TrialsFilter(this)),
      table_(new QTableView(this)),
      plot_(new ParallelCoordinatesPlot(this)),
      applyBest_(new QPushButton(tr("Apply best to model"), this)),
      summary_(new QLabel(this)),
      scatter_(new ObjectiveScatterPlot(this)),
      export_(new QPushButton(tr("Export plots..."), this)),
      trainBestButton_(new QPushButton(tr("Train best on all data"), this)) {
  filter_->setSourceModel(model_);
  filter_->setSortRole(Qt::DisplayRole);
  table_->setModel(filter_);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(table_);
  auto* plots = new QSplitter(Qt::Horizontal, this);
  plots->addWidget(plot_);
  plots->addWidget(scatter_);
  plots->setStretchFactor(0, 3);
  plots->setStretchFactor(1, 2);
  splitter->addWidget(plots);
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  top->addWidget(summary_, 1);
  top->addWidget(export_);
  top->addWidget(applyBest_);
  top->addWidget(trainBestButton_);
  layout->addLayout(top);
  layout->addWidget(splitter, 1);
  applyBest_->setEnabled(false);
  connect(applyBest_, &QPushButton::clicked, this, [this] {
    auto best = bestTrial();
    if (best && apply_) apply_(best->values);
  });
  export_->setEnabled(false);
  trainBestButton_->setEnabled(false);
  connect(trainBestButton_, &QPushButton::clicked, this, [this] {
    auto best = bestTrial();
    if (best && trainBest_) trainBest_(best->values);
  });
  connect(export_, &QPushButton::clicked, this, [this] {
    const QString path = exportPath_ ? exportPath_()
                                     : QFileDialog::getSaveFileName(this, tr("Export plots"),
                                                                    QStringLiteral("search.png"),
                                                                    tr("PNG (*.png);;SVG (*.svg)"));
    if (!path.isEmpty()) exportPlots(path);
  });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          [this] { emit trialsSelected(selectedRunIds()); });
  connect(plot_, &ParallelCoordinatesPlot::brushed, this, [this] { updateFilter(); });
  connect(plot_, &ParallelCoordinatesPlot::brushCleared, this, [this] { updateFilter(); });
}

QSortFilterProxyModel* TrialsView::proxy() const {
  return filter_;
}

std::optional<SearchTrial> TrialsView::bestTrial() const {
  std::optional<SearchTrial> best;
  for (const auto& t : trials_) {
    if (t.status != "finished" || !t.score) continue;
    if (!best || (settings_.maximize() ? *t.score > *best->score : *t.score < *best->score))
      best = t;
  }
  return best;
}

void TrialsView::loadFrom(const QString& projectPath, qint64 searchId) {
  Project project = Project::open(projectPath.toStdString(), /*readOnly=*/true);
  auto record = project.search(searchId);
  if (!record) return;
  setTrials(SearchSpace::fromJson(record->config["space"]),
            SearchSettings::fromJson(record->config["settings"]),
            SearchRun::trialsOf(project, searchId));
}

void TrialsView::setTrials(const SearchSpace& space, const SearchSettings& settings,
                           const std::vector<SearchTrial>& trials) {
  space_ = space;
  settings_ = settings;
  trials_ = trials;
  const QString objective = QString::fromStdString(settings.objective);

  // Table.
  model_->clear();
  QStringList headers = {tr("trial"), objective, tr("± folds")};
  for (const auto& p : space.parameters()) headers << QString::fromStdString(p.name);
  headers << tr("status");
  model_->setHorizontalHeaderLabels(headers);
  for (size_t i = 0; i < trials.size(); ++i) {
    const auto& t = trials[i];
    QList<QStandardItem*> row;
    auto* number = item(t.index + 1);
    number->setData(static_cast<int>(i), Qt::UserRole);
    row << number << item(t.score ? json(*t.score) : json()) << item(t.spread);
    for (const auto& p : space.parameters())
      row << item(t.values.contains(p.name) ? t.values[p.name] : json());
    row << item(t.baseline ? t.status + " (model's own)" : t.status);
    model_->appendRow(row);
  }
  table_->sortByColumn(kObjectiveColumn,
                       settings.maximize() ? Qt::DescendingOrder : Qt::AscendingOrder);
  table_->resizeColumnsToContents();

  // Plot: finished trials only; every axis in [0, 1].
  plotted_.clear();
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < trials.size(); ++i)
    if (trials[i].score) {
      plotted_.push_back(static_cast<int>(i));
      lo = std::min(lo, *trials[i].score);
      hi = std::max(hi, *trials[i].score);
    }
  QStringList axes, low, high;
  for (const auto& p : space.parameters()) {
    axes << QString::fromStdString(p.name);
    if (p.kind == Hyperparameter::Kind::Choice) {
      low << valueText(p.values.front());
      high << valueText(p.values.back());
    } else {
      low << QString::fromStdString(kerasNumber(p.min));
      high << QString::fromStdString(kerasNumber(p.max));
    }
  }
  axes << objective;
  low << (plotted_.empty() ? QString() : QString::fromStdString(kerasNumber(lo)));
  high << (plotted_.empty() ? QString() : QString::fromStdString(kerasNumber(hi)));
  QVector<QVector<double>> rows;
  QVector<double> colour;
  for (int i : plotted_) {
    const auto& t = trials[i];
    auto encoded = space.encode(t.values);
    QVector<double> row(encoded.begin(), encoded.end());
    double v = hi > lo ? (*t.score - lo) / (hi - lo) : 0.5;
    row << v;
    rows << row;
    colour << (settings.maximize() ? 1 - v : v);
  }
  plot_->setData(axes, low, high, rows, colour);
  updateFilter();

  scatter_->setTrials(space, settings, trials);
  export_->setEnabled(!trials.empty());

  auto best = bestTrial();
  applyBest_->setEnabled(best.has_value());
  trainBestButton_->setEnabled(best.has_value());
  summary_->setText(best ? tr("%1 trials - best: trial %2, %3 %4")
                               .arg(trials.size())
                               .arg(best->index + 1)
                               .arg(objective)
                               .arg(QString::fromStdString(kerasNumber(*best->score)))
                         : tr("%1 trials").arg(trials.size()));
}

QList<qint64> TrialsView::selectedRunIds() const {
  QList<qint64> ids;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows()) {
    const int i = index.siblingAtColumn(0).data(Qt::UserRole).toInt();
    if (i >= 0 && i < static_cast<int>(trials_.size()) && trials_[i].runId > 0)
      ids << trials_[i].runId;
  }
  return ids;
}

QStringList TrialsView::exportPlots(const QString& path, int width, int height) {
  const QFileInfo info(path);
  const QString suffix = info.suffix().toLower() == QLatin1String("svg") ? "svg" : "png";
  const QString base = info.dir().filePath(info.completeBaseName());
  QStringList written;
  const QString parallel = base + "_parallel." + suffix, scatter = base + "_scatter." + suffix;
  if (savePlotImage(plot_->plot(), parallel, width, height)) written << parallel;
  if (savePlotImage(scatter_->plot(), scatter, width, height)) written << scatter;
  return written;
}

void TrialsView::updateFilter() {
  std::set<int> hidden;
  const QVector<bool> visible = plot_->visibleRows();
  const bool brushing = !plot_->brushes().empty();
  std::set<int> plotted(plotted_.begin(), plotted_.end());
  for (size_t r = 0; r < plotted_.size(); ++r)
    if (r < static_cast<size_t>(visible.size()) && !visible[r]) hidden.insert(plotted_[r]);
  if (brushing)  // trials without a score have no line to brush: hidden while brushing
    for (size_t i = 0; i < trials_.size(); ++i)
      if (!plotted.count(static_cast<int>(i))) hidden.insert(static_cast<int>(i));
  filter_->setHidden(std::move(hidden));
}

}  // namespace tessel::ui
