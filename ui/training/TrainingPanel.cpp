#include "ui/training/TrainingPanel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"

namespace tessel {

namespace {

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
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addLayout(options);
  layout->addWidget(plot_, 1);

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
  connect(controller_, &TrainingController::epochEnd, plot_, &LossPlot::addEpoch);
  connect(controller_, &TrainingController::finished, this, &TrainingPanel::onFinished);
  connect(controller_, &TrainingController::failed, this, &TrainingPanel::onFailed);
  connect(controller_, &TrainingController::pausedChanged, this, &TrainingPanel::updateButtons);
  updateButtons();
}

// The controller (a child) joins its thread in its destructor; delete it first, while the
// plot it reports to still exists.
TrainingPanel::~TrainingPanel() {
  delete controller_;
}

void TrainingPanel::setJob(ModelSpec spec, CompileOptions compile, Dataset data, FitOptions fit,
                           const QString& projectPath, qint64 modelId) {
  job_ = Job{std::move(spec), std::move(compile), std::move(data),
             std::move(fit),  projectPath,        modelId};
  updateButtons();
}

void TrainingPanel::startTraining() {
  if (!job_ || controller_->isRunning()) return;
  plot_->clear();
  epochs_ = job_->fit.epochs;
  stepsPerEpoch_ = 0;
  epoch_ = job_->fit.initialEpoch;
  step_ = 0;
  lastLoss_ = 0;
  rate_ = 0;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Starting..."));
  controller_->start(job_->spec, job_->compile, job_->data, job_->fit, job_->projectPath,
                     job_->modelId);
  updateButtons();
}

void TrainingPanel::togglePause() {
  if (!controller_->isRunning()) return;
  if (controller_->isPaused()) {
    controller_->resume();
  } else {
    controller_->pause();
    status_->setText(tr("Paused - %1").arg(status_->text()));
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
  int total = std::max(1, (epochs - job_->fit.initialEpoch) * stepsPerEpoch);
  progress_->setRange(0, total);
}

void TrainingPanel::onProgress(int epoch, int batch, int stepsPerEpoch, double samplesPerSecond) {
  epoch_ = epoch;
  stepsPerEpoch_ = stepsPerEpoch;
  rate_ = samplesPerSecond;
  step_ = static_cast<qint64>(epoch - job_->fit.initialEpoch) * stepsPerEpoch + batch + 1;
  progress_->setValue(static_cast<int>(std::min<qint64>(step_, progress_->maximum())));
  if (controller_->isPaused()) return;
  QLocale en(QLocale::English);
  status_->setText(tr("%1 - %2/%3 - loss: %4 - %5 samples/s")
                       .arg(epochText(epoch))
                       .arg(batch + 1)
                       .arg(stepsPerEpoch)
                       .arg(formatValue(lastLoss_))
                       .arg(en.toString(static_cast<qint64>(std::llround(samplesPerSecond)))));
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
  text += tr(" - %1 samples/s").arg(en.toString(static_cast<qint64>(std::llround(rate_))));
  if (!controller_->isPaused()) status_->setText(text);
}

void TrainingPanel::onFinished(const QString& status) {
  QString text = status;
  if (epochs_ > 0) text += tr(" - %1 - loss: %2").arg(epochText(epoch_), formatValue(lastLoss_));
  status_->setText(text);
  updateButtons();
}

void TrainingPanel::onFailed(const QString& message) {
  status_->setText(tr("failed: %1").arg(message));
  updateButtons();
}

void TrainingPanel::updateButtons() {
  bool running = controller_->isRunning();
  start_->setEnabled(job_.has_value() && !running);
  pause_->setEnabled(running);
  pause_->setText(controller_->isPaused() ? tr("Resume") : tr("Pause"));
  stop_->setEnabled(running);
}

}  // namespace tessel
