#include "ui/training/TrainingDashboard.h"

#include <QEventLoop>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/training/CompilePanel.h"
#include "ui/training/HistogramView.h"
#include "ui/training/PreflightList.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingPanel.h"

namespace tessel::ui {

TrainingDashboard::TrainingDashboard(QWidget* parent) : QWidget(parent) {
  compile_ = new CompilePanel;
  preflight_ = new PreflightList;
  training_ = new TrainingPanel;
  histograms_ = new HistogramView;
  runs_ = new RunsBrowser;

  auto* scroll = new QScrollArea;
  scroll->setWidget(compile_);
  scroll->setWidgetResizable(true);
  auto* left = new QSplitter(Qt::Vertical);
  left->addWidget(scroll);
  left->addWidget(preflight_);
  left->setStretchFactor(0, 4);
  left->setStretchFactor(1, 1);

  tabs_ = new QTabWidget;
  tabs_->addTab(training_, tr("Training"));
  tabs_->addTab(histograms_, tr("Histograms"));
  tabs_->addTab(runs_, tr("Runs"));

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(tabs_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 3);
  split->setSizes({460, 1140});
  scroll->setMinimumWidth(360);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  // Start goes through the pre-flight check first.
  disconnect(training_->startButton(), nullptr, training_, nullptr);
  connect(training_->startButton(), &QPushButton::clicked, this, &TrainingDashboard::startTraining);
  TrainingController* c = training_->controller();
  connect(c, &TrainingController::histograms, histograms_, &HistogramView::setHistograms);
  connect(training_, &TrainingPanel::runningChanged, this,
          &TrainingDashboard::trainingStateChanged);
  connect(training_, &TrainingPanel::runEnded, this, [this](const QString& status) {
    runs_->refresh();
    emit runFinished(status);
  });
  connect(c, &TrainingController::runCreated, runs_, &RunsBrowser::refresh);
  connect(runs_, &RunsBrowser::resumeRequested, this, &TrainingDashboard::resumeRun);
  connect(compile_, &CompilePanel::changed, this, &TrainingDashboard::prepareJob);
  // Optimizer settings edited while paused apply to the running fit at resume.
  connect(compile_, &CompilePanel::changed, this, [this] {
    TrainingController* controller = training_->controller();
    if (!controller->isRunning() || !controller->isPaused()) return;
    try {
      nlohmann::json now = compile_->compileOptions().optimizer;
      if (now == startOptimizer_ && !optimizerSent_) return;
      controller->setOptimizerConfig(now);
      optimizerSent_ = true;
    } catch (const std::exception&) {
      // An invalid setting shows in the pre-flight list at the next start; nothing to apply.
    }
  });
}

TrainingDashboard::~TrainingDashboard() = default;

void TrainingDashboard::setModel(const ModelSpec& spec, qint64 modelId) {
  spec_ = spec;
  modelId_ = modelId;
  compile_->setModel(spec);
  runs_->setModelId(modelId);
  prepareJob();
}

void TrainingDashboard::setData(Dataset data) {
  data_ = std::move(data);
  hasData_ = true;
  prepareJob();
}

void TrainingDashboard::setValidationData(std::optional<Dataset> validation) {
  validation_ = std::move(validation);
  prepareJob();
}

void TrainingDashboard::setDataSettings(const nlohmann::json& dataSettings) {
  training_->controller()->setDataSettings(dataSettings);
}

void TrainingDashboard::setTestData(std::optional<Dataset> test) {
  training_->controller()->setTestData(std::move(test));
}

void TrainingDashboard::setProjectPath(const QString& path) {
  projectPath_ = path;
  runs_->setProject(path);
  prepareJob();
}

bool TrainingDashboard::isTraining() const {
  return training_->controller()->isRunning();
}

bool TrainingDashboard::confirmStopTraining(bool ask) {
  if (!isTraining()) return true;
  if (ask && QMessageBox::question(this, tr("Training is running"),
                                   tr("Stop the training run? It is kept as 'stopped'.")) !=
                 QMessageBox::Yes)
    return false;
  TrainingController* c = training_->controller();
  c->stop();
  // Wait for the worker (it stops after the current batch) while the events keep flowing.
  QEventLoop loop;
  connect(c, &TrainingController::finished, &loop, &QEventLoop::quit);
  connect(c, &TrainingController::failed, &loop, &QEventLoop::quit);
  if (c->isRunning()) loop.exec();
  return true;
}

void TrainingDashboard::prepareJob() {
  if (!hasData_ || spec_.outputs.empty()) return;
  try {
    CompileOptions compile = compile_->compileOptions();
    FitOptions fit = compile_->fitOptions();
    if (validation_) fit.validationData = *validation_;
    training_->setJob(spec_, compile, data_, fit, projectPath_, modelId_);
    training_->setCallbacks(compile_->callbacksConfig());
    emit jobPrepared(spec_, compile, data_, fit);
  } catch (const std::exception& e) {
    training_->statusLabel()->setText(tr("Settings: %1").arg(QString::fromUtf8(e.what())));
  }
}

bool TrainingDashboard::runPreflight() {
  if (!hasData_) {
    PreflightCheck::Result r;
    r.items.push_back(
        {PreflightItem::Severity::Error, "rows", "no training data", "load a dataset first"});
    preflight_->setResult(r);
    return false;
  }
  try {
    preflight_->setResult(
        PreflightCheck::run(spec_, compile_->compileOptions(), data_, compile_->fitOptions()));
  } catch (const std::exception& e) {
    PreflightCheck::Result r;
    r.items.push_back({PreflightItem::Severity::Error, "settings", e.what(), ""});
    preflight_->setResult(r);
  }
  return preflight_->errorCount() == 0;
}

void TrainingDashboard::startTraining() {
  if (isTraining()) return;
  if (!runPreflight()) {
    training_->statusLabel()->setText(tr("Pre-flight check failed: see the list"));
    return;
  }
  prepareJob();
  histograms_->clear();
  try {
    startOptimizer_ = compile_->compileOptions().optimizer;
  } catch (const std::exception&) {
    startOptimizer_ = nullptr;
  }
  optimizerSent_ = false;
  training_->startTraining();
}

void TrainingDashboard::resumeRun(qint64 runId) {
  if (isTraining() || projectPath_.isEmpty() || !hasData_) return;
  histograms_->clear();
  tabs_->setCurrentWidget(training_);
  if (training_->resumeRun(projectPath_, runId, data_)) emit trainingStateChanged(true);
}

void TrainingDashboard::clear() {
  if (isTraining()) return;
  data_ = Dataset{};
  hasData_ = false;
  validation_.reset();
  preflight_->setResult({});
  histograms_->clear();
  training_->clear();
}

}  // namespace tessel::ui
