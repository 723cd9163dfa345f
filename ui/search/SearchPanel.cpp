#include "ui/search/SearchPanel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QUndoStack>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"
#include "ui/editor/GraphDocument.h"
#include "ui/search/ApplyBest.h"
#include "ui/search/SearchController.h"
#include "ui/search/SearchSpaceEditor.h"
#include "ui/search/TrialsView.h"

namespace tessel::ui {

using json = nlohmann::json;

SearchPanel::SearchPanel(QWidget* parent)
    : QWidget(parent),
      editor_(new SearchSpaceEditor(this)),
      tuner_(new QComboBox(this)),
      trialsBox_(new QSpinBox(this)),
      folds_(new QSpinBox(this)),
      epochs_(new QSpinBox(this)),
      parallel_(new QSpinBox(this)),
      start_(new QPushButton(tr("Start search"), this)),
      stop_(new QPushButton(tr("Stop"), this)),
      status_(new QLabel(this)),
      trials_(new TrialsView(this)),
      controller_(new SearchController(this)) {
  tuner_->addItems({"random", "grid", "hyperband", "bayesian"});
  trialsBox_->setRange(1, 10000);
  trialsBox_->setValue(10);
  folds_->setRange(1, 100);
  folds_->setValue(3);
  epochs_->setRange(1, 100000);
  epochs_->setValue(10);
  parallel_->setRange(1, 64);
  parallel_->setValue(1);
  parallel_->setToolTip(
      tr("Trials run at the same time, the compute threads divided among them; every trial gets "
         "the same values and score as in a one-at-a-time search"));
  stop_->setEnabled(false);
  auto* form = new QFormLayout;
  form->addRow(tr("Tuner"), tuner_);
  form->addRow(tr("Trials"), trialsBox_);
  form->addRow(tr("Folds (cv)"), folds_);
  form->addRow(tr("Epochs per trial"), epochs_);
  form->addRow(tr("Trials at a time"), parallel_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(stop_);
  buttons->addWidget(status_, 1);
  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addWidget(editor_, 1);
  topLayout->addLayout(form);
  topLayout->addLayout(buttons);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(top);
  splitter->addWidget(trials_);
  splitter->setStretchFactor(1, 2);
  // The marked parameters need a few rows; the trials table and plots get the rest.
  splitter->setSizes({260, 640});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(splitter);

  connect(start_, &QPushButton::clicked, this, [this] { start(); });
  connect(stop_, &QPushButton::clicked, this, [this] { stop(); });
  connect(controller_, &SearchController::trialFinished, this, [this] { refresh(); });
  connect(controller_, &SearchController::finished, this, [this](const QString& s) {
    refresh();
    start_->setEnabled(true);
    stop_->setEnabled(false);
    status_->setText(tr("search %1 %2").arg(searchId_).arg(s));
    emit searchFinished(s);
  });
  connect(controller_, &SearchController::failed, this, [this](const QString& message) {
    refresh();
    start_->setEnabled(true);
    stop_->setEnabled(false);
    status_->setText(tr("search failed: %1").arg(message));
    emit searchFinished(QStringLiteral("failed"));
  });
  trials_->setApplyHandler([this](const json& values) { applyBest(values); });
  trials_->setTrainBestHandler([this](const json& values) { trainWith(values); });
}

SearchPanel::~SearchPanel() = default;

void SearchPanel::setDocument(GraphDocument* doc, QUndoStack* stack) {
  if (doc != doc_) train_.reset();  // another model: its own data
  doc_ = doc;
  stack_ = stack;
  if (doc_) editor_->setModel(doc_->spec(), settings_);
}

void SearchPanel::setProject(const QString& path, qint64 modelId) {
  projectPath_ = path;
  modelId_ = modelId;
}

void SearchPanel::setSettings(const json& settings) {
  settings_ = settings;
  if (doc_) editor_->setModel(doc_->spec(), settings_);
}

void SearchPanel::setData(Dataset train, std::optional<Dataset> validation,
                          const json& dataSettings) {
  train_ = std::move(train);
  validation_ = std::move(validation);
  dataSettings_ = dataSettings;
}

bool SearchPanel::isRunning() const {
  return controller_->isRunning();
}

QString SearchPanel::status() const {
  return status_->text();
}

bool SearchPanel::start() {
  if (isRunning()) return false;
  if (!train_ && loader_) {
    try {
      if (auto data = loader_())
        setData(std::move(data->train), std::move(data->validation), data->settings.toJson());
    } catch (const std::exception& e) {
      status_->setText(tr("cannot load the data: %1").arg(QString::fromStdString(e.what())));
      return false;
    }
  }
  if (!doc_ || projectPath_.isEmpty() || !train_) {
    status_->setText(tr("open a project, a model and its data first"));
    return false;
  }
  try {
    SearchSettings s;
    s.tuner.kind = tuner_->currentText().toStdString();
    s.tuner.maxTrials = trialsBox_->value();
    s.folds = folds_->value();
    s.epochs = epochs_->value();
    s.tuner.maxEpochs = s.epochs;
    s.parallel = parallel_->value();
    searchEpochs_ = s.epochs;
    json runJson = {{"compile", settings_.value("compile", json())},
                    {"fit", settings_.value("fit", json::object())}};
    if (!dataSettings_.is_null()) runJson["data"] = dataSettings_;
    const ModelSpec& spec = doc_->spec();
    RunSettings base = RunSettings::fromJson(runJson, spec.outputs);
    Project project = Project::open(projectPath_.toStdString());
    searchId_ = SearchRun::create(project, modelId_, editor_->space(), s, spec, base);
    SearchRun check(project, searchId_);
    check.setData(*train_, validation_);
    check.validate();
  } catch (const std::exception& e) {
    status_->setText(tr("cannot start: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
  controller_->start(projectPath_, searchId_, *train_, validation_);
  start_->setEnabled(false);
  stop_->setEnabled(true);
  status_->setText(tr("search %1 running").arg(searchId_));
  refresh();
  return true;
}

void SearchPanel::stop() {
  controller_->stop();
}

void SearchPanel::refresh() {
  if (projectPath_.isEmpty() || !searchId_) return;
  try {
    trials_->loadFrom(projectPath_, searchId_);
  } catch (const std::exception&) {
    // The worker holds the project for a moment: the next trial end refreshes again.
  }
}

bool SearchPanel::trainWith(const json& values) {
  if (!doc_ || !stack_ || !searchId_ || isRunning() || !trainHandler_) return false;
  SearchSpace space = editor_->space();
  applyBest(values);  // the graph and compile values, one undo step
  const json current = settingsSource_ ? settingsSource_() : settings_;
  json settings = current;
  // The trials trained for the search's epochs: so does the final run, unless epochs was searched.
  bool searchedEpochs = false;
  for (const auto& p : space.parameters()) searchedEpochs |= p.target == "epochs";
  if (!searchedEpochs && searchEpochs_ > 0) {
    if (!settings["fit"].is_object()) settings["fit"] = json::object();
    settings["fit"]["epochs"] = searchEpochs_;
  }
  if (settings != current) {
    settings_ = settings;
    if (settingsHandler_) settingsHandler_(settings_);
  }
  const bool started = trainHandler_();
  status_->setText(started ? tr("training the best trial's settings on all data")
                           : tr("training did not start"));
  return started;
}

void SearchPanel::applyBest(const json& values) {
  if (!doc_ || !stack_ || !searchId_) return;
  // One undo step: the graph values and the compile/fit values (the step outlives no panel).
  QPointer<SearchPanel> self(this);
  auto get = [self]() -> json {
    if (!self) return nullptr;
    return self->settingsSource_ ? self->settingsSource_() : self->settings_;
  };
  auto set = [self](const json& settings) {
    if (!self) return;
    self->settings_ = settings;
    if (self->settingsHandler_) self->settingsHandler_(settings);
  };
  applyTrialValues(doc_, stack_, editor_->space(), values, get, set);
}

}  // namespace tessel::ui
