#include "ui/training/TrainingDashboard.h"

#include <algorithm>

#include <QEventLoop>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "engine/data/DatasetBuilder.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/FineTuneRecipeBox.h"
#include "ui/training/HistogramView.h"
#include "ui/training/PreflightList.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingPanel.h"

namespace tessel::ui {

namespace {

// The data Start will build for `spec` from its settings JSON, in words; *missing says what is
// missing when it cannot be built (no file chosen, a file gone, data that cannot fit the model).
QString describeData(const ModelSpec& spec, const nlohmann::json& json, QString* missing) {
  DataSettings settings;
  const bool fallback = json.is_null() || (json.is_object() && json.empty());
  try {
    settings = fallback ? defaultDataSettings(spec) : DataSettings::fromJson(json);
  } catch (const std::exception& e) {
    *missing = QObject::tr("The data settings are not valid: %1").arg(QString::fromUtf8(e.what()));
    return {};
  }
  if (settings.kind == "fashion_mnist" || settings.kind == "fashion_mnist_localization") {
    const bool boxes = settings.kind != "fashion_mnist";
    if (!boxes && (spec.inputs.size() != 1 || spec.outputs.size() != 1))
      *missing = QObject::tr(
                     "No data for this model: the built-in Fashion-MNIST fits one input "
                     "and one output (this model has %1 and %2)")
                     .arg(spec.inputs.size())
                     .arg(spec.outputs.size());
    const QString name = boxes ? QObject::tr("Fashion-MNIST localization (generated)")
                               : QObject::tr("Fashion-MNIST (built in)");
    return fallback ? QObject::tr("%1, the default").arg(name) : name;
  }
  if (settings.kind == "fashion_mnist_sequence")  // generated: no file
    return QObject::tr("Fashion-MNIST sequences (generated, CTC labels)");
  const QString path =
      QString::fromStdString(settings.path.empty() ? settings.trainFile : settings.path);
  if (path.isEmpty())
    *missing = QObject::tr("No data file chosen for this model");
  else if (!QFileInfo::exists(path))
    *missing = QObject::tr("The data file %1 is missing").arg(path);
  return QStringLiteral("%1 %2").arg(QString::fromStdString(settings.kind), path);
}

PreflightCheck::Result oneItem(PreflightItem::Severity severity, const char* code,
                               const QString& message, const QString& fix) {
  PreflightCheck::Result r;
  r.items.push_back({severity, code, message.toStdString(), fix.toStdString()});
  return r;
}

}  // namespace

TrainingDashboard::TrainingDashboard(QWidget* parent) : QWidget(parent) {
  compile_ = new CompilePanel;
  preflight_ = new PreflightList;
  training_ = new TrainingPanel;
  histograms_ = new HistogramView;
  runs_ = new RunsBrowser;

  auto* scroll = new QScrollArea;
  scroll->setWidget(compile_);
  scroll->setWidgetResizable(true);
  // The pre-flight list under a title, with the data action: before any run it says which data
  // Start will use, or what is missing.
  auto* checks = new QGroupBox(tr("Pre-flight check"));
  chooseData_ = new QPushButton(tr("Choose data…"), checks);
  chooseData_->setObjectName("chooseDataButton");
  chooseData_->setToolTip(tr("Choose the data this model trains on"));
  auto* checksLayout = new QVBoxLayout(checks);
  checksLayout->setContentsMargins(4, 4, 4, 4);
  checksLayout->addWidget(preflight_, 1);
  checksLayout->addWidget(chooseData_, 0, Qt::AlignLeft);
  connect(chooseData_, &QPushButton::clicked, this, &TrainingDashboard::dataRequested);
  auto* left = new QSplitter(Qt::Vertical);
  left->addWidget(scroll);
  left->addWidget(checks);
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
  // The compile form never scrolls sideways (its labels were cut at 1280 px): the column is at
  // least as wide as the form's minimum, plus the vertical scroll bar.
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(std::max(360, compile_->minimumSizeHint().width() +
                                            scroll->verticalScrollBar()->sizeHint().width() +
                                            2 * scroll->frameWidth()));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  // Start goes through the pre-flight check first.
  disconnect(training_->startButton(), nullptr, training_, nullptr);
  connect(training_->startButton(), &QPushButton::clicked, this,
          &TrainingDashboard::onStartClicked);
  TrainingController* c = training_->controller();
  connect(c, &TrainingController::histograms, histograms_, &HistogramView::setHistograms);
  connect(training_, &TrainingPanel::runningChanged, this,
          &TrainingDashboard::trainingStateChanged);
  connect(training_, &TrainingPanel::runningChanged, this, [this](bool running) {
    chooseData_->setEnabled(!running);
    if (!running) updateStartState();
  });
  connect(training_, &TrainingPanel::runEnded, this, [this](const QString& status) {
    runs_->refresh();
    emit runFinished(status);
  });
  connect(c, &TrainingController::runCreated, runs_, &RunsBrowser::refresh);
  connect(runs_, &RunsBrowser::resumeRequested, this, &TrainingDashboard::resumeRun);
  connect(compile_, &CompilePanel::changed, this, &TrainingDashboard::prepareJob);
  connect(compile_, &CompilePanel::changed, this, &TrainingDashboard::updateStartState);
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
  // Another model does not train on this one's data (the window sets it again at Start).
  if (modelId != modelId_ && !isTraining()) {
    data_ = Dataset();
    hasData_ = false;
    validation_.reset();
  }
  spec_ = spec;
  modelId_ = modelId;
  compile_->setModel(spec);
  runs_->setModelId(modelId);
  prepareJob();
  updateStartState();
}

void TrainingDashboard::setData(Dataset data) {
  data_ = std::move(data);
  hasData_ = true;
  prepareJob();
  updateStartState();
}

void TrainingDashboard::clearData() {
  if (isTraining()) return;
  data_ = Dataset();
  hasData_ = false;
  validation_.reset();
  updateStartState();
}

void TrainingDashboard::setDataSettingsLookup(DataSettingsLookup lookup) {
  lookup_ = std::move(lookup);
  updateStartState();
}

QString TrainingDashboard::missingBeforeData() {
  if (spec_.nodes.empty()) return tr("The model has no layers yet: add them in Design");
  if (spec_.outputs.empty()) return tr("The graph has no output yet: connect its layers");
  try {
    compile_->compileOptions();
    compile_->fitOptions();
  } catch (const std::exception& e) {
    return tr("The settings are not valid: %1").arg(QString::fromUtf8(e.what()));
  }
  return {};
}

void TrainingDashboard::updateStartState() {
  using Sev = PreflightItem::Severity;
  const QString chooseFix = tr("press Choose data… below");
  QString missing = missingBeforeData();
  if (!missing.isEmpty()) {
    preflight_->setResult(oneItem(Sev::Error, "model", missing, {}));
  } else if (hasData_) {
    runPreflight();
    for (const PreflightItem& item : preflight_->result().items)
      if (item.severity == Sev::Error) {
        missing = QString::fromStdString(item.message);
        break;
      }
  } else if (!lookup_) {
    missing = tr("No training data");
    preflight_->setResult(oneItem(Sev::Error, "rows", missing, tr("load a data set first")));
  } else if (const std::optional<nlohmann::json> settings = lookup_(modelId_); !settings) {
    missing = tr("No model to train: open or create one");
    preflight_->setResult(oneItem(Sev::Error, "model", missing, {}));
  } else {
    const QString data = describeData(spec_, *settings, &missing);
    preflight_->setResult(
        missing.isEmpty()
            ? oneItem(Sev::Info, "data",
                      tr("Data: %1 (loaded and checked against the model at Start)").arg(data),
                      tr("to train on other data, %1").arg(chooseFix))
            : oneItem(Sev::Error, "data", missing, chooseFix));
  }
  missing_ = missing;
  training_->setStartPossible(missing.isEmpty(), missing);
}

void TrainingDashboard::onStartClicked() {
  if (isTraining()) return;
  if (lookup_)
    emit trainRequested();
  else
    startTraining();
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
    training_->controller()->setFineTune(compile_->fineTuneBox()->config());
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
    PreflightCheck::Result r =
        PreflightCheck::run(spec_, compile_->compileOptions(), data_, compile_->fitOptions());
    if (const QString why = compile_->fineTuneBox()->problem(); !why.isEmpty())
      r.items.push_back({PreflightItem::Severity::Error, "fine_tune", why.toStdString(),
                         "change the recipe in \"Fine-tune in two phases\", or turn it off"});
    preflight_->setResult(r);
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
  if (isTraining() || projectPath_.isEmpty()) return;
  if (!hasData_) {
    emit resumeNeedsData(runId);
    return;
  }
  histograms_->clear();
  tabs_->setCurrentWidget(training_);
  if (training_->resumeRun(projectPath_, runId, data_)) emit trainingStateChanged(true);
}

void TrainingDashboard::clear() {
  if (isTraining()) return;
  data_ = Dataset{};
  hasData_ = false;
  validation_.reset();
  histograms_->clear();
  training_->clear();
  updateStartState();  // the pre-flight list says what the shown model needs
}

}  // namespace tessel::ui
