#include "ui/training/TrainingPanel.h"

#include <qcustomplot.h>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"

namespace tessel::ui {

namespace {

QString formatDuration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return QStringLiteral("?");
  qint64 s = static_cast<qint64>(std::llround(seconds));
  if (s >= 3600)
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Keras progress-bar number format: 4 decimals, scientific for tiny/huge values.
QString formatValue(double v) {
  double a = std::abs(v);
  if (a != 0 && (a < 1e-3 || a >= 1e5)) return QString::number(v, 'e', 4);
  return QString::number(v, 'f', 4);
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent)
    : QWidget(parent), controller_(new TrainingController(this)), plot_(new LossPlot(this)) {
  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName("startButton");
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setObjectName("pauseButton");
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setObjectName("stopButton");
  progress_ = new QProgressBar(this);
  progress_->setObjectName("progressBar");
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setFormat(tr("step %v / %m"));
  status_ = new QLabel(tr("Ready"), this);
  status_->setObjectName("statusLabel");
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_->setWordWrap(true);
  smoothing_ = new QDoubleSpinBox(this);
  smoothing_->setRange(0, 0.99);
  smoothing_->setSingleStep(0.05);
  smoothing_->setDecimals(2);
  smoothing_->setValue(plot_->smoothing());
  smoothing_->setToolTip(tr("Exponential moving average weight of the batch loss"));
  logScale_ = new QCheckBox(tr("Log scale"), this);
  lr_ = new QDoubleSpinBox(this);
  lr_->setObjectName("learningRateBox");
  lr_->setDecimals(8);
  lr_->setRange(1e-8, 10.0);
  lr_->setSingleStep(1e-4);
  lr_->setEnabled(false);
  lr_->setToolTip(tr("Learning rate: editable while paused, applied at resume"));
  export_ = new QPushButton(tr("Export..."), this);
  export_->setToolTip(tr("Save the curves as PNG, SVG or PDF"));
  tabs_ = new QTabWidget(this);
  tabs_->addTab(plot_, tr("Loss && metrics"));
  lrPlot_ = new QCustomPlot(this);
  lrPlot_->addGraph();
  lrPlot_->graph(0)->setName(tr("learning rate"));
  lrPlot_->graph(0)->setLineStyle(QCPGraph::lsStepLeft);
  lrPlot_->graph(0)->setPen(QPen(QColor(200, 120, 0), 2));
  lrPlot_->xAxis->setLabel(tr("step"));
  lrPlot_->yAxis->setLabel(tr("learning rate"));
  lrPlot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  tabs_->addTab(lrPlot_, tr("Learning rate"));

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(pause_);
  buttons->addWidget(stop_);
  buttons->addWidget(progress_, 1);
  auto* options = new QHBoxLayout;
  options->addWidget(status_, 1);
  options->addWidget(new QLabel(tr("Smoothing"), this));
  options->addWidget(smoothing_);
  options->addWidget(logScale_);
  options->addWidget(new QLabel(tr("LR"), this));
  options->addWidget(lr_);
  options->addWidget(export_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addLayout(options);
  layout->addWidget(tabs_, 1);
  connect(export_, &QPushButton::clicked, this, &TrainingPanel::exportPlot);

  connect(start_, &QPushButton::clicked, this, &TrainingPanel::startTraining);
  connect(pause_, &QPushButton::clicked, this, &TrainingPanel::togglePause);
  connect(stop_, &QPushButton::clicked, this, &TrainingPanel::stopTraining);
  connect(smoothing_, &QDoubleSpinBox::valueChanged, plot_, &LossPlot::setSmoothing);
  connect(logScale_, &QCheckBox::toggled, plot_, &LossPlot::setLogScale);

  connect(controller_, &TrainingController::started, this, &TrainingPanel::onStarted);
  connect(controller_, &TrainingController::started, plot_, &LossPlot::setStepsPerEpoch);
  connect(controller_, &TrainingController::progress, this, &TrainingPanel::onProgress);
  connect(controller_, &TrainingController::batchPoints, plot_, &LossPlot::addBatchPoints);
  connect(controller_, &TrainingController::batchPoints, this,
          [this](const QVector<QPointF>& points) {
            if (!points.isEmpty()) lastLoss_ = points.back().y();
          });
  connect(controller_, &TrainingController::epochEnd, this, &TrainingPanel::onEpochEnd);
  connect(controller_, &TrainingController::epochsEnded, plot_, &LossPlot::addEpochs);
  connect(controller_, &TrainingController::epochsEnded, this,
          [this](const QVector<int>& epochs, const QVector<QVariantMap>& logs) {
            for (LossPlot* p : std::as_const(outputPlots_)) p->addEpochs(epochs, logs);
          });
  connect(controller_, &TrainingController::events, plot_, &LossPlot::addEvents);
  connect(controller_, &TrainingController::events, this,
          [this](const QVector<TrainingEvent>& events) {
            for (LossPlot* p : std::as_const(outputPlots_)) p->addEvents(events);
          });
  connect(controller_, &TrainingController::learningRatePoints, this,
          [this](const QVector<QPointF>& points) {
            for (const QPointF& p : points) lrPlot_->graph(0)->addData(p.x(), p.y());
            lrPlot_->rescaleAxes();
            lrPlot_->replot(QCustomPlot::rpQueuedReplot);
            if (!controller_->isPaused() && !points.isEmpty()) lr_->setValue(points.back().y());
          });
  connect(controller_, &TrainingController::testEvaluated, this, [this](const QVariantMap& logs) {
    QStringList parts;
    for (auto it = logs.begin(); it != logs.end(); ++it)
      parts << QStringLiteral("%1: %2").arg(it.key(), formatValue(it.value().toDouble()));
    testText_ = tr("test %1").arg(parts.join(QStringLiteral(" - ")));
  });
  connect(controller_, &TrainingController::finished, this, &TrainingPanel::onFinished);
  connect(controller_, &TrainingController::failed, this, &TrainingPanel::onFailed);
  connect(controller_, &TrainingController::pausedChanged, this, &TrainingPanel::updateButtons);
  // Resumed: the status line follows progress again.
  connect(controller_, &TrainingController::pausedChanged, this, [this](bool paused) {
    if (!paused) status_->setText(tr("%1 - resumed").arg(epochText(epoch_)));
  });
  updateButtons();
}

// The controller (a child) joins its thread in its destructor; delete it first, while the
// plot it reports to still exists.
TrainingPanel::~TrainingPanel() {
  delete controller_;
}

void TrainingPanel::setCallbacks(const nlohmann::json& callbacksConfig) {
  controller_->setCallbacks(callbacksConfig);
}

LossPlot* TrainingPanel::outputPlot(const QString& outputName) const {
  return outputPlots_.value(outputName, nullptr);
}

QStringList TrainingPanel::outputPlotNames() const {
  QStringList names = outputPlots_.keys();
  names.sort();
  return names;
}

void TrainingPanel::setupOutputPlots(const ModelSpec& spec) {
  QStringList wanted;
  if (spec.outputs.size() > 1)
    for (const auto& o : spec.outputs) wanted << QString::fromStdString(o);
  for (auto it = outputPlots_.begin(); it != outputPlots_.end();) {
    if (!wanted.contains(it.key())) {
      tabs_->removeTab(tabs_->indexOf(it.value()));
      it.value()->deleteLater();
      it = outputPlots_.erase(it);
    } else {
      ++it;
    }
  }
  for (const QString& name : wanted) {
    if (outputPlots_.contains(name)) continue;
    auto* p = new LossPlot(this);
    p->setOutputFilter(name);
    connect(controller_, &TrainingController::started, p, &LossPlot::setStepsPerEpoch);
    connect(logScale_, &QCheckBox::toggled, p, &LossPlot::setLogScale);
    outputPlots_.insert(name, p);
    tabs_->insertTab(tabs_->count() - 1, p, name);
  }
}

void TrainingPanel::exportPlot() {
  QString path =
      QFileDialog::getSaveFileName(this, tr("Export curves"), QStringLiteral("curves.png"),
                                   tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
  if (path.isEmpty()) return;
  auto* current = qobject_cast<LossPlot*>(tabs_->currentWidget());
  (current ? current : plot_)->saveImage(path);
}

bool TrainingPanel::resumeRun(const QString& projectPath, qint64 runId, Dataset data) {
  if (controller_->isRunning()) return false;
  plot_->clear();
  for (LossPlot* p : std::as_const(outputPlots_)) p->clear();
  lrPlot_->graph(0)->data()->clear();
  failure_.clear();
  testText_.clear();
  eta_ = -1;
  step_ = 0;
  status_->setText(tr("Resuming run %1...").arg(runId));
  bool ok = controller_->resumeRun(projectPath, runId, std::move(data));
  updateButtons();
  if (ok) emit runningChanged(true);
  return ok;
}

void TrainingPanel::setJob(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
                           const QString& projectPath, qint64 modelId) {
  setupOutputPlots(spec);
  job_ = Job{std::move(spec), std::move(compile), std::move(data),
             std::move(fit),  projectPath,        modelId};
  updateButtons();
}

void TrainingPanel::startTraining() {
  if (!job_ || controller_->isRunning()) return;
  plot_->clear();
  for (LossPlot* p : std::as_const(outputPlots_)) p->clear();
  lrPlot_->graph(0)->data()->clear();
  failure_.clear();
  testText_.clear();
  eta_ = -1;
  epochs_ = job_->fit.epochs;
  stepsPerEpoch_ = 0;
  epoch_ = job_->fit.initialEpoch;
  step_ = 0;
  lastLoss_ = 0;
  rate_ = 0;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Starting..."));
  status_->setStyleSheet(QString());
  controller_->start(job_->spec, job_->compile, job_->data, job_->fit, job_->projectPath,
                     job_->modelId);
  updateButtons();
  emit runningChanged(true);
}

void TrainingPanel::togglePause() {
  if (!controller_->isRunning()) return;
  if (controller_->isPaused()) {
    if (std::abs(lr_->value() - lrAtPause_) > 1e-12) controller_->setLearningRate(lr_->value());
    controller_->resume();
  } else {
    lrAtPause_ = controller_->learningRate();
    if (lrAtPause_ > 0) lr_->setValue(lrAtPause_);
    lrAtPause_ = lr_->value();
    controller_->pause();
    status_->setText(
        tr("Paused - %1 - %2/%3 - ETA stopped at %4")
            .arg(epochText(epoch_))
            .arg(step_ > 0 && stepsPerEpoch_ > 0 ? (step_ - 1) % stepsPerEpoch_ + 1 : 0)
            .arg(stepsPerEpoch_)
            .arg(formatDuration(eta_)));
  }
  updateButtons();
}

void TrainingPanel::stopTraining() {
  if (!controller_->isRunning()) return;
  controller_->stop();
  status_->setText(tr("Stopping..."));
  stop_->setEnabled(false);
}

QString TrainingPanel::epochText(int epoch) const {
  return tr("Epoch %1/%2").arg(epoch + 1).arg(epochs_);
}

void TrainingPanel::onStarted(int epochs, int stepsPerEpoch) {
  epochs_ = epochs;
  stepsPerEpoch_ = stepsPerEpoch;
  int total = std::max(1, (epochs - controller_->initialEpoch()) * stepsPerEpoch);
  progress_->setRange(0, total);
}

void TrainingPanel::onProgress(int epoch, int batch, int stepsPerEpoch, double samplesPerSecond) {
  epoch_ = epoch;
  stepsPerEpoch_ = stepsPerEpoch;
  rate_ = samplesPerSecond;
  step_ = static_cast<qint64>(epoch - controller_->initialEpoch()) * stepsPerEpoch + batch + 1;
  progress_->setValue(static_cast<int>(std::min<qint64>(step_, progress_->maximum())));
  // The ETA stands still while paused (batches finishing as the pause begins do not move it).
  if (controller_->isPaused()) return;
  double stepsPerSecond = controller_->stepsPerSecond();
  eta_ =
      stepsPerSecond > 0 ? static_cast<double>(progress_->maximum() - step_) / stepsPerSecond : -1;
  QLocale en(QLocale::English);
  status_->setText(tr("%1 - %2/%3 - loss: %4 - %5 samples/s - ETA %6")
                       .arg(epochText(epoch))
                       .arg(batch + 1)
                       .arg(stepsPerEpoch)
                       .arg(formatValue(lastLoss_))
                       .arg(en.toString(static_cast<qint64>(std::llround(samplesPerSecond))))
                       .arg(formatDuration(eta_)));
}

void TrainingPanel::onEpochEnd(int epoch, const QVariantMap& logs) {
  // Keras verbose=2 line: "Epoch 3/10 - loss: 0.4512 - val_loss: 0.5011".
  QString text = epochText(epoch);
  // Keras order: loss first, train keys, then val_ keys.
  QStringList keys = logs.keys();
  std::stable_sort(keys.begin(), keys.end(), [](const QString& a, const QString& b) {
    auto rank = [](const QString& k) {
      bool val = k.startsWith(QLatin1String("val_"));
      bool loss = (val ? k.mid(4) : k) == QLatin1String("loss");
      return (val ? 2 : 0) + (loss ? 0 : 1);
    };
    return rank(a) < rank(b);
  });
  for (const QString& k : keys) text += tr(" - %1: %2").arg(k, formatValue(logs[k].toDouble()));
  QLocale en(QLocale::English);
  text += tr(" - %1 samples/s - ETA %2")
              .arg(en.toString(static_cast<qint64>(std::llround(rate_))))
              .arg(formatDuration(eta_));
  if (!controller_->isPaused()) status_->setText(text);
}

void TrainingPanel::onFinished(const QString& status) {
  QString text = status;
  if (controller_->partialEpoch() >= 0)
    text += tr(" - %1 complete; epoch %2 stopped after %3/%4 batches (partial, not plotted)")
                .arg(tr("Epoch %1/%2").arg(controller_->epochsCompleted()).arg(epochs_))
                .arg(controller_->partialEpoch() + 1)
                .arg(controller_->partialBatches())
                .arg(stepsPerEpoch_);
  else if (epochs_ > 0)
    text += tr(" - %1 - loss: %2").arg(epochText(epoch_), formatValue(lastLoss_));
  if (!testText_.isEmpty()) text += QStringLiteral(" · ") + testText_;
  status_->setText(text);
  eta_ = 0;
  updateButtons();
  emit runningChanged(false);
  emit runEnded(status);
}

void TrainingPanel::onFailed(const QString& message) {
  failure_ = message;
  status_->setText(tr("failed: %1").arg(message));
  status_->setStyleSheet(QStringLiteral("color: #b00000; font-weight: bold"));
  updateButtons();
  emit runningChanged(false);
  emit runEnded(QStringLiteral("failed: ") + message);
}

void TrainingPanel::setStartPossible(bool possible, const QString& missing) {
  startPossible_ = possible;
  missing_ = missing;
  updateButtons();
}

void TrainingPanel::updateButtons() {
  bool running = controller_->isRunning();
  const bool possible = startPossible_ ? *startPossible_ : job_.has_value();
  start_->setEnabled(possible && !running);
  start_->setToolTip(running              ? tr("A run is in progress")
                     : possible           ? tr("Check the settings against the data, then train")
                     : missing_.isEmpty() ? tr("Start needs training data")
                                          : missing_);
  pause_->setEnabled(running);
  pause_->setText(controller_->isPaused() ? tr("Resume") : tr("Pause"));
  stop_->setEnabled(running);
  lr_->setEnabled(controller_->isPaused());
}

void TrainingPanel::clear() {
  if (controller_->isRunning()) return;
  job_.reset();
  setupOutputPlots(ModelSpec{});
  plot_->clear();
  QCustomPlot* cp = plot_->customPlot();
  cp->xAxis->setRange(0, 1);
  cp->yAxis->setRange(plot_->logScale() ? 0.01 : 0, 1);
  cp->replot(QCustomPlot::rpQueuedReplot);
  lrPlot_->graph(0)->data()->clear();
  lrPlot_->replot(QCustomPlot::rpQueuedReplot);
  failure_.clear();
  testText_.clear();
  eta_ = -1;
  epochs_ = stepsPerEpoch_ = epoch_ = 0;
  step_ = 0;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Ready"));
  status_->setStyleSheet(QString());
  updateButtons();
}

}  // namespace tessel::ui
