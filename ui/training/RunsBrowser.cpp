#include "ui/training/RunsBrowser.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTextEdit>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "engine/store/Project.h"

namespace tessel::ui {

namespace {

const QColor kRunColors[] = {QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),
                             QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),
                             QColor(227, 119, 194), QColor(127, 127, 127)};

enum Column { kName, kStatus, kDate, kEpochs, kBest, kDuration, kNotes, kColumns };

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

std::optional<Project> openReadOnly(const QString& path) {
  if (path.isEmpty() || !QFile::exists(path)) return std::nullopt;
  return Project::open(path.toStdString(), /*readOnly=*/true);
}

QString durationText(const std::string& a, const std::string& b) {
  QDateTime s = QDateTime::fromString(qs(a), Qt::ISODate);
  QDateTime e = QDateTime::fromString(qs(b), Qt::ISODate);
  if (!s.isValid() || !e.isValid()) return QString();
  qint64 secs = s.secsTo(e);
  if (secs < 60) return QStringLiteral("%1 s").arg(secs);
  if (secs < 3600) return QStringLiteral("%1 min %2 s").arg(secs / 60).arg(secs % 60);
  return QStringLiteral("%1 h %2 min").arg(secs / 3600).arg(secs / 60 % 60);
}

// Flattens j into path -> compact JSON text. Arrays of named objects (layers) are keyed by name so
// an inserted layer does not shift every later one.
void flatten(const json& j, const std::string& path, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    if (j.empty()) out[path] = "{}";
    for (auto it = j.begin(); it != j.end(); ++it) flatten(it.value(), path + "/" + it.key(), out);
  } else if (j.is_array()) {
    bool named = !j.empty() && std::all_of(j.begin(), j.end(), [](const json& e) {
      return e.is_object() &&
             (e.contains("name") ||
              (e.contains("config") && e["config"].is_object() && e["config"].contains("name")));
    });
    if (!named) {
      out[path] = j.dump();
      return;
    }
    for (const json& e : j) {
      std::string name = e.contains("name") ? e["name"].dump() : e["config"]["name"].dump();
      if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
      flatten(e, path + "/" + name, out);
    }
  } else {
    out[path] = j.dump();
  }
}

}  // namespace

RunsBrowser::RunsBrowser(QWidget* parent) : QWidget(parent) {
  table_ = new QTableWidget(0, kColumns, this);
  table_->setObjectName("runsTable");
  table_->setHorizontalHeaderLabels({tr("Run"), tr("Status"), tr("Started"), tr("Epochs"),
                                     tr("Best val metrics"), tr("Duration"), tr("Notes")});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);

  overlay_ = new QCustomPlot(this);
  overlay_->setObjectName("overlayPlot");
  overlay_->legend->setVisible(true);
  overlay_->legend->setFont(QFont(font().family(), 8));
  overlay_->xAxis->setLabel(tr("epoch"));
  overlay_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  overlay_->setMinimumHeight(160);
  key_ = new QComboBox(this);
  key_->setObjectName("overlayKeyBox");
  diff_ = new QTextEdit(this);
  diff_->setObjectName("diffView");
  diff_->setReadOnly(true);
  diff_->setPlaceholderText(tr("Select two runs to compare their configs"));
  message_ = new QLabel(this);
  message_->setWordWrap(true);

  auto* refresh = new QPushButton(tr("Refresh"), this);
  rename_ = new QPushButton(tr("Rename..."), this);
  delete_ = new QPushButton(tr("Delete"), this);
  export_ = new QPushButton(tr("Export CSV..."), this);
  resume_ = new QPushButton(tr("Resume"), this);
  resume_->setObjectName("resumeButton");
  resume_->setToolTip(tr("Continue the run from its last checkpoint (weights + optimizer state)"));
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {refresh, rename_, delete_, export_, resume_}) buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(new QLabel(tr("Overlay"), this));
  buttons->addWidget(key_);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(overlay_);
  split->addWidget(diff_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(table_, 2);
  layout->addWidget(split, 3);
  layout->addWidget(message_);

  connect(refresh, &QPushButton::clicked, this, &RunsBrowser::refresh);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    updateOverlay();
    updateDiff();
    // Weights loaded without optimizer state (File > Load weights) cannot be resumed: there is
    // no optimizer to continue. A new run starts from them instead.
    const QList<qint64> ids = selectedRunIds();
    bool resumable = ids.size() == 1;
    for (int r = 0; resumable && r < table_->rowCount(); ++r)
      if (table_->item(r, kName)->data(Qt::UserRole).toLongLong() == ids.first())
        resumable = table_->item(r, kName)->data(Qt::UserRole + 1).toBool();
    resume_->setEnabled(resumable);
  });
  connect(key_, &QComboBox::currentTextChanged, this, &RunsBrowser::updateOverlay);
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (table_->signalsBlocked()) return;
    qint64 id = table_->item(item->row(), kName)->data(Qt::UserRole).toLongLong();
    if (item->column() == kName) renameRun(id, item->text());
    if (item->column() == kNotes) setNotes(id, item->text());
  });
  connect(rename_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() != 1) return;
    int row = table_->currentRow();
    bool ok = false;
    QString name = QInputDialog::getText(this, tr("Rename run"), tr("Name"), QLineEdit::Normal,
                                         table_->item(row, kName)->text(), &ok);
    if (ok && !name.isEmpty()) renameRun(ids.first(), name);
  });
  connect(delete_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.isEmpty()) return;
    if (QMessageBox::question(this, tr("Delete runs"),
                              tr("Delete %n run(s) with their metrics and checkpoints?", "",
                                 static_cast<int>(ids.size()))) != QMessageBox::Yes)
      return;
    for (qint64 id : ids) deleteRun(id);
  });
  connect(export_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() != 1) return;
    QString path = QFileDialog::getSaveFileName(this, tr("Export history"),
                                                QStringLiteral("history.csv"), tr("CSV (*.csv)"));
    if (!path.isEmpty()) exportCsv(ids.first(), path);
  });
  connect(resume_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) emit resumeRequested(ids.first());
  });
  resume_->setEnabled(false);
}

void RunsBrowser::setProject(const QString& path) {
  path_ = path;
  refresh();
}

void RunsBrowser::setModelId(qint64 modelId) {
  modelId_ = modelId;
  refresh();
}

QList<qint64> RunsBrowser::runIds() const {
  QList<qint64> ids;
  for (int r = 0; r < table_->rowCount(); ++r)
    ids << table_->item(r, kName)->data(Qt::UserRole).toLongLong();
  return ids;
}

QList<qint64> RunsBrowser::selectedRunIds() const {
  QList<qint64> ids;
  std::set<int> rows;
  for (QTableWidgetItem* item : table_->selectedItems()) rows.insert(item->row());
  for (int r : rows) ids << table_->item(r, kName)->data(Qt::UserRole).toLongLong();
  return ids;
}

void RunsBrowser::selectRuns(const QList<qint64>& ids) {
  table_->clearSelection();
  for (int r = 0; r < table_->rowCount(); ++r)
    if (ids.contains(table_->item(r, kName)->data(Qt::UserRole).toLongLong()))
      table_->selectionModel()->select(table_->model()->index(r, 0),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void RunsBrowser::refresh() {
  QList<qint64> selected = selectedRunIds();
  QSignalBlocker block(table_);
  table_->setRowCount(0);
  message_->clear();
  std::set<QString> keys;
  try {
    auto project = openReadOnly(path_);
    if (project) {
      auto runs = project->runs(modelId_);
      std::reverse(runs.begin(), runs.end());  // newest first
      table_->setRowCount(static_cast<int>(runs.size()));
      for (int r = 0; r < static_cast<int>(runs.size()); ++r) {
        const RunRecord& run = runs[r];
        auto metrics = project->epochMetrics(run.id);
        std::map<std::string, double> best;
        for (const MetricPoint& m : metrics) {
          keys.insert(qs(m.name));
          if (m.name.rfind("val_", 0) != 0) continue;
          bool lower = m.name.find("loss") != std::string::npos;
          auto it = best.find(m.name);
          if (it == best.end() || (lower ? m.value < it->second : m.value > it->second))
            best[m.name] = m.value;
        }
        QStringList bestText;
        for (const auto& [k, v] : best)
          bestText << QStringLiteral("%1 %2").arg(qs(k)).arg(v, 0, 'g', 4);
        auto* name = new QTableWidgetItem(qs(run.name));
        name->setData(Qt::UserRole, static_cast<qlonglong>(run.id));
        const bool imported = run.settings.is_object() && run.settings.contains("imported");
        name->setData(Qt::UserRole + 1,
                      !imported || run.settings["imported"].value("optimizer_state", false));
        table_->setItem(r, kName, name);
        auto ro = [](const QString& text) {
          auto* i = new QTableWidgetItem(text);
          i->setFlags(i->flags() & ~Qt::ItemIsEditable);
          return i;
        };
        table_->setItem(
            r, kStatus,
            ro(imported ? tr("imported") : QString::fromLatin1(runStatusName(run.status))));
        table_->setItem(r, kDate,
                        ro(qs(run.startedAt).replace(QLatin1Char('T'), QLatin1Char(' '))));
        table_->setItem(r, kEpochs, ro(QString::number(run.epochsDone)));
        table_->setItem(r, kBest, ro(bestText.join(QStringLiteral(", "))));
        table_->setItem(r, kDuration, ro(durationText(run.startedAt, run.endedAt)));
        table_->setItem(r, kNotes, new QTableWidgetItem(qs(run.notes)));
      }
    }
  } catch (const std::exception& e) {
    message_->setText(tr("Cannot read the project: %1").arg(QString::fromUtf8(e.what())));
    emit errorOccurred(message_->text());
  }
  {
    QSignalBlocker kb(key_);
    QString current = key_->currentText();
    key_->clear();
    for (const QString& k : keys) key_->addItem(k);
    int idx = key_->findText(current);
    if (idx < 0) idx = key_->findText(QStringLiteral("val_loss"));
    if (idx < 0) idx = key_->findText(QStringLiteral("loss"));
    key_->setCurrentIndex(std::max(0, idx));
  }
  block.unblock();
  selectRuns(selected);
  updateOverlay();
  updateDiff();
}

void RunsBrowser::updateOverlay() {
  overlay_->clearGraphs();
  overlay_->clearItems();
  QString key = key_->currentText();
  overlay_->yAxis->setLabel(key);
  auto ids = selectedRunIds();
  try {
    auto project = openReadOnly(path_);
    if (project && !key.isEmpty()) {
      int color = 0;
      for (qint64 id : ids) {
        auto run = project->run(id);
        if (!run) continue;
        QVector<double> xs, ys;
        for (const MetricPoint& m : project->epochMetrics(id))
          if (qs(m.name) == key) {
            xs.append(m.epoch + 1);
            ys.append(m.value);
          }
        QCPGraph* g = overlay_->addGraph();
        g->setName(QStringLiteral("%1: %2").arg(qs(run->name), key));
        g->setPen(QPen(kRunColors[color++ % std::size(kRunColors)], 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        g->setData(xs, ys, true);
        // The two-phase fine-tune recipe's marker (engine/session/FineTuneRecipe.h): a dashed
        // line where phase 2 starts, between epoch E1 and E1 + 1 (the x axis counts from 1).
        for (const RunEvent& e : project->events(id)) {
          if (e.kind != "fine_tune") continue;
          auto* line = new QCPItemStraightLine(overlay_);
          line->setObjectName("fineTuneMarker");
          line->setPen(QPen(g->pen().color(), 1, Qt::DashLine));
          line->point1->setCoords(e.epoch + 0.5, 0);
          line->point2->setCoords(e.epoch + 0.5, 1);
          auto* label = new QCPItemText(overlay_);
          label->setObjectName("fineTuneMarkerLabel");
          label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
          label->position->setCoords(e.epoch + 0.5, 0.97);  // bottom: the legend is on top
          label->setPositionAlignment(Qt::AlignBottom | Qt::AlignLeft);
          label->setTextAlignment(Qt::AlignLeft);
          label->setPadding(QMargins(3, 1, 3, 1));
          label->setBrush(QColor(255, 255, 255, 210));
          label->setColor(g->pen().color());
          label->setText(tr("fine-tune\nlast %1 · lr %2")
                             .arg(e.payload.value("unfreeze_last", 0))
                             .arg(e.payload.value("learning_rate", 0.0), 0, 'g', 3));
        }
      }
    }
  } catch (const std::exception& e) {
    message_->setText(QString::fromUtf8(e.what()));
  }
  overlay_->legend->setVisible(overlay_->graphCount() > 0);
  overlay_->rescaleAxes();
  overlay_->replot(QCustomPlot::rpQueuedReplot);
}

QVector<RunsBrowser::DiffRow> RunsBrowser::configDiff(const json& a, const json& b) {
  QVector<DiffRow> rows;
  for (const char* part : {"spec", "settings", "seed"}) {
    std::map<std::string, std::string> fa, fb;
    if (a.contains(part)) flatten(a[part], part, fa);
    if (b.contains(part)) flatten(b[part], part, fb);
    std::set<std::string> paths;
    for (const auto& kv : fa) paths.insert(kv.first);
    for (const auto& kv : fb) paths.insert(kv.first);
    for (const std::string& p : paths) {
      auto ia = fa.find(p), ib = fb.find(p);
      std::string va = ia == fa.end() ? "" : ia->second;
      std::string vb = ib == fb.end() ? "" : ib->second;
      if (va != vb) rows.append({qs(p), qs(va), qs(vb)});
    }
  }
  return rows;
}

void RunsBrowser::updateDiff() {
  auto ids = selectedRunIds();
  if (ids.size() != 2) {
    diff_->clear();
    return;
  }
  try {
    auto project = openReadOnly(path_);
    if (!project) return;
    auto ra = project->run(ids[0]), rb = project->run(ids[1]);
    if (!ra || !rb) return;
    json a = {{"spec", ra->spec}, {"settings", ra->settings}, {"seed", ra->seed}};
    json b = {{"spec", rb->spec}, {"settings", rb->settings}, {"seed", rb->seed}};
    auto rows = configDiff(a, b);
    QString html =
        QStringLiteral(
            "<table border=1 cellspacing=0 cellpadding=2><tr><th>%1</th>"
            "<th>%2</th><th>%3</th></tr>")
            .arg(tr("Config"), qs(ra->name).toHtmlEscaped(), qs(rb->name).toHtmlEscaped());
    for (const DiffRow& r : rows)
      html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>")
                  .arg(r.path.toHtmlEscaped(), r.left.toHtmlEscaped(), r.right.toHtmlEscaped());
    if (rows.isEmpty())
      html += QStringLiteral("<tr><td colspan=3>%1</td></tr>").arg(tr("identical configs"));
    html += QStringLiteral("</table>");
    diff_->setHtml(html);
  } catch (const std::exception& e) {
    message_->setText(QString::fromUtf8(e.what()));
  }
}

namespace {

template <typename F>
bool mutate(RunsBrowser* self, const QString& path, F&& f) {
  try {
    Project p = Project::open(path.toStdString());
    f(p);
    return true;
  } catch (const std::exception& e) {
    emit self->errorOccurred(QString::fromUtf8(e.what()));
    return false;
  }
}

}  // namespace

bool RunsBrowser::renameRun(qint64 runId, const QString& name) {
  bool ok = mutate(this, path_, [&](Project& p) { p.renameRun(runId, name.toStdString()); });
  refresh();
  return ok;
}

bool RunsBrowser::deleteRun(qint64 runId) {
  bool ok = mutate(this, path_, [&](Project& p) { p.deleteRun(runId); });
  refresh();
  return ok;
}

bool RunsBrowser::setNotes(qint64 runId, const QString& notes) {
  bool ok = mutate(this, path_, [&](Project& p) { p.setRunNotes(runId, notes.toStdString()); });
  refresh();
  return ok;
}

QString RunsBrowser::historyCsv(const QString& projectPath, qint64 runId) {
  auto project = openReadOnly(projectPath);
  if (!project) return QString();
  std::map<int, std::map<std::string, double>> rows;
  std::set<std::string> keys;
  for (const MetricPoint& m : project->epochMetrics(runId)) {
    rows[m.epoch][m.name] = m.value;
    keys.insert(m.name);
  }
  // Keras CSVLogger: "epoch" then the log keys sorted, one row per epoch (0-based).
  QString out = QStringLiteral("epoch");
  for (const std::string& k : keys) out += QLatin1Char(',') + qs(k);
  out += QLatin1Char('\n');
  for (const auto& [epoch, values] : rows) {
    out += QString::number(epoch);
    for (const std::string& k : keys) {
      out += QLatin1Char(',');
      auto it = values.find(k);
      if (it != values.end())
        out += std::isnan(it->second)
                   ? QStringLiteral("nan")
                   : QString::number(it->second, 'g', QLocale::FloatingPointShortest);
      else
        out += QStringLiteral("NA");
    }
    out += QLatin1Char('\n');
  }
  return out;
}

bool RunsBrowser::exportCsv(qint64 runId, const QString& path) {
  QString text;
  try {
    text = historyCsv(path_, runId);
  } catch (const std::exception& e) {
    emit errorOccurred(QString::fromUtf8(e.what()));
    return false;
  }
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    emit errorOccurred(tr("cannot write %1").arg(path));
    return false;
  }
  f.write(text.toUtf8());
  return true;
}

}  // namespace tessel::ui
