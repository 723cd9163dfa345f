#include "ui/shell/TrainingCoordinator.h"

#include <QApplication>
#include <QPointer>
#include <QTabWidget>
#include <QTimer>
#include <exception>
#include <mutex>

#include "engine/layers/TextLayers.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/TrainObserver.h"
#include "ui/data/DataImportDialog.h"
#include "ui/editor/GraphCommands.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewPanel.h"
#include "ui/project/ProjectSession.h"
#include "ui/project/ProjectTree.h"
#include "ui/shell/ImportedWeightsObserver.h"
#include "ui/shell/ShellPrompts.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/RunsBrowser.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

namespace tessel::ui {

namespace {

QString what(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

// Text data: the vocabularies the data stage adapted on the training split, written into the
// model's TextVectorization nodes (source -> input 0, a pairs target -> input 1) as ONE undoable
// edit, so the document, the project and an exported model.json carry them (Keras: vocabularies
// are saved with the model). Nothing is pushed when the nodes already hold them. Returns the
// names of the nodes changed; a value the node's config refuses is skipped, its reason in *refused.
QStringList storeAdaptedVocabularies(GraphDocument* doc, QUndoStack* stack,
                                     const DataSettings& built, QStringList* refused) {
  if (!doc || !stack || built.kind != "text") return {};
  ModelSpec adapted = doc->spec();
  const std::pair<const char*, size_t> parts[] = {{"vectorization", 0},
                                                  {"target_vectorization", 1}};
  for (const auto& [key, input] : parts)
    if (built.options.contains(key) && input < adapted.inputs.size())
      storeTextVocabulary(adapted, built.options[key], input);
  std::vector<std::tuple<QString, std::string, json>> changes;
  for (const NodeSpec& n : adapted.nodes) {
    if (n.className != "TextVectorization") continue;
    const NodeSpec* now = doc->node(doc->idOf(QString::fromStdString(n.name)));
    if (!now) continue;
    const QString name = QString::fromStdString(n.name);
    for (const char* k : {"vocabulary", "idf_weights", "vocabulary_size"})
      if (n.config.contains(k) && now->config.value(k, json()) != n.config[k]) {
        if (const QString why = doc->validateConfig(doc->idOf(name), k, n.config[k]);
            !why.isEmpty())
          *refused << QStringLiteral("%1.%2: %3").arg(name, QString::fromUtf8(k), why);
        else
          changes.emplace_back(name, k, n.config[k]);
      }
  }
  if (changes.empty()) return {};
  QStringList names;
  stack->beginMacro(QObject::tr("Store adapted vocabulary"));
  for (const auto& [node, key, value] : changes) {
    GraphCommand::push(stack, new SetConfigCommand(doc, node, key, value));
    if (!names.contains(node)) names << node;
  }
  stack->endMacro();
  return names;
}

}  // namespace

struct TrainingCoordinator::ImportedWeightsSource {
  std::mutex mu;
  std::string path;  // project file; empty for an untitled project
  qint64 modelId = 0;
};

TrainingCoordinator::TrainingCoordinator(ProjectSession* session, ProjectTree* tree,
                                         TrainingDashboard* dashboard, PreviewPanel* previews,
                                         ShellPrompts* prompts, Context context, QWidget* window)
    : QObject(window),
      session_(session),
      tree_(tree),
      dashboard_(dashboard),
      previews_(previews),
      prompts_(prompts),
      context_(std::move(context)),
      window_(window) {
  const json defaults = dashboard_->compilePanel()->settings();
  defaultFit_ = defaults.value("fit", json());
  defaultCallbacks_ = defaults.value("callbacks", json());
  wirePreviews();
  wireImportedWeights();
  wireController();
  // Compile / fit / callback settings edited in the dashboard belong to the model.
  connect(dashboard_->compilePanel(), &CompilePanel::changed, this, [this] {
    const qint64 id = context_.currentModelId();
    if (loadingSettings_ || !session_->model(id)) return;
    session_->setCompileSettings(id, dashboard_->compilePanel()->settings());
  });
  // After edits settle, the dashboard gets the graph as it stands (its own Start button then
  // trains what the editor shows).
  dashboardSync_ = new QTimer(this);
  dashboardSync_->setSingleShot(true);
  dashboardSync_->setInterval(300);
  connect(dashboardSync_, &QTimer::timeout, this, [this] {
    const qint64 id = context_.currentModelId();
    if (isTraining() || !session_->model(id)) return;
    setDashboardModel(context_.currentSpec(), id);
  });
}

TrainingCoordinator::~TrainingCoordinator() = default;

void TrainingCoordinator::wirePreviews() {
  // A fixed validation sample with true/predicted boxes, confusion matrices and single-image
  // inference, fed by an extra observer on the training thread.
  previews_->setClassNames({tr("T-shirt/top"), tr("Trouser"), tr("Pullover"), tr("Dress"),
                            tr("Coat"), tr("Sandal"), tr("Shirt"), tr("Sneaker"), tr("Bag"),
                            tr("Ankle boot")});
  connect(dashboard_, &TrainingDashboard::jobPrepared, this,
          [this](const ModelSpec& spec, const CompileOptions& compile, const Dataset& data,
                 const FitOptions& fit) {
            try {
              previews_->configure(spec, compile, data, fit);
            } catch (const std::exception& e) {
              prompts_->say(tr("Previews: %1").arg(what(e)));
            }
          });
  dashboard_->trainingPanel()->controller()->addObserverFactory(
      previews_->driver()->observerFactory());
}

void TrainingCoordinator::wireImportedWeights() {
  // A new run starts from the model's newest imported weights (File > Load weights).
  importSource_ = std::make_shared<ImportedWeightsSource>();
  connect(dashboard_, &TrainingDashboard::jobPrepared, this, [this] {
    std::lock_guard lock(importSource_->mu);
    importSource_->path = session_->isUntitled() ? std::string() : session_->path().toStdString();
    importSource_->modelId = context_.currentModelId();
  });
  dashboard_->trainingPanel()->controller()->addObserverFactory(
      [source = importSource_, prompts = QPointer<ShellPrompts>(prompts_)](Model& model) {
        auto where = [source] {
          std::lock_guard lock(source->mu);
          return std::make_pair(source->path, source->modelId);
        };
        auto notify = [prompts](const QString& text) {
          QMetaObject::invokeMethod(
              qApp,
              [prompts, text] {
                if (prompts) prompts->say(text);
              },
              Qt::QueuedConnection);
        };
        return std::unique_ptr<TrainObserver>(
            std::make_unique<ImportedWeightsObserver>(model, where, notify));
      });
}

void TrainingCoordinator::wireController() {
  TrainingController* controller = dashboard_->trainingPanel()->controller();
  session_->setWriteBlocker([controller] { return controller->isRunning(); });
  connect(controller, &TrainingController::runCreated, this, [this] {
    tree_->refreshRuns();
    emit stateChanged();
  });
  connect(controller, &TrainingController::started, this, &TrainingCoordinator::stateChanged);
  connect(controller, &TrainingController::epochEnd, this, [this, controller](int epoch) {
    tree_->setRunProgress(controller->runId(), QStringLiteral("running"), epoch + 1);
  });
  connect(controller, &TrainingController::pausedChanged, this, [this, controller](bool paused) {
    tree_->setRunProgress(controller->runId(),
                          paused ? QStringLiteral("paused") : QStringLiteral("running"),
                          controller->epochsCompleted());
  });
  connect(controller, &TrainingController::finished, this, &TrainingCoordinator::onTrainingEnded);
  // Resume pressed in a session that has not built any data yet (the studio just opened).
  connect(dashboard_, &TrainingDashboard::resumeNeedsData, this,
          &TrainingCoordinator::resumeWithData);
  connect(controller, &TrainingController::failed, this, [this](const QString& message) {
    prompts_->say(tr("Training failed: %1").arg(message));
    onTrainingEnded();
  });
}

bool TrainingCoordinator::isTraining() const {
  return dashboard_->isTraining();
}

void TrainingCoordinator::setDashboardModel(const ModelSpec& spec, qint64 id) {
  loadingSettings_ = true;
  dashboard_->setModel(spec, id > 0 ? id : 0);
  loadingSettings_ = false;
}

void TrainingCoordinator::syncDashboardSoon() {
  dashboardSync_->start();
}

void TrainingCoordinator::forgetProject() {
  dashboard_->setProjectPath(QString());
  clearPanels();
}

void TrainingCoordinator::clearPanels() {
  if (isTraining()) return;
  dashboard_->clear();
  previews_->clear();
}

void TrainingCoordinator::showRun(qint64 runId) {
  dashboard_->runsBrowser()->refresh();
  dashboard_->runsBrowser()->selectRuns({runId});
  dashboard_->tabs()->setCurrentWidget(dashboard_->runsBrowser());
  emit dashboardWanted();
}

void TrainingCoordinator::loadDashboard(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m || isTraining()) return;
  clearPanels();  // another model is shown: its panels start empty
  loadingSettings_ = true;
  dashboard_->setProjectPath(session_->isUntitled() ? QString() : session_->path());
  dashboard_->setModel(context_.currentSpec(), id > 0 ? id : 0);
  // What the model did not store comes from the defaults, never from the model shown before.
  json settings = m->compileSettings.is_object() ? m->compileSettings : json::object();
  if (!settings.contains("fit")) settings["fit"] = defaultFit_;
  if (!settings.contains("callbacks")) settings["callbacks"] = defaultCallbacks_;
  dashboard_->compilePanel()->setSettings(settings);
  loadingSettings_ = false;
}

// The model's data (built as its data settings say), its settings, test and validation parts
// and class names handed to the dashboard and the previews. False (with a message) on failure.
bool TrainingCoordinator::prepareData(qint64 id) {
  const ProjectSession::Model* m = session_->model(id);
  if (!m) return false;
  ModelSpec spec = context_.currentSpec();
  Dataset data;
  std::optional<Dataset> validation, test;
  try {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    // The model's data settings (the default for the model when it has none); the settings'
    // validation part, when there is one, wins over the Compile panel's validation_split.
    data = data_.forModel(spec, m->dataSettings, trainLimit_, &validation, &test);
    QApplication::restoreOverrideCursor();
  } catch (const std::exception& e) {
    QApplication::restoreOverrideCursor();
    prompts_->showError(tr("Train"), tr("Cannot train %1: %2").arg(m->name, what(e)));
    return false;
  }
  // Text data: the adapted vocabulary goes into the model (one undoable edit) before the run
  // records it.
  if (data_.last()) {
    QStringList refused;
    const QStringList stored =
        storeAdaptedVocabularies(m->doc, m->stack, data_.last()->settings, &refused);
    if (!stored.isEmpty()) {
      spec = context_.currentSpec();
      prompts_->say(tr("Adapted vocabulary stored in %1").arg(stored.join(", ")));
    }
    if (!refused.isEmpty())
      prompts_->say(
          tr("The adapted vocabulary was not stored in the model: %1").arg(refused.join("; ")));
  }
  // The run records the model as saved: write pending edits first.
  if (!session_->isUntitled() && session_->isDirty()) session_->save();
  const QString path = session_->isUntitled() ? QString() : session_->path();
  loadingSettings_ = true;
  dashboard_->setProjectPath(path);
  dashboard_->setModel(spec, id > 0 ? id : 0);
  loadingSettings_ = false;
  // The run records what it trains on (settings with fitted statistics, and their hash).
  dashboard_->setDataSettings(data_.last() ? data_.last()->settings.toJson() : json());
  dashboard_->setTestData(std::move(test));
  // Previews name classes as the data set does (Fashion-MNIST's names, image-folder subfolders,
  // a CSV label vocabulary); numbers when it has none.
  QStringList classNames;
  if (data_.last())
    for (const std::string& name : data_.last()->classNames)
      classNames << QString::fromStdString(name);
  previews_->setClassNames(classNames);
  previews_->setAllTruthBoxes(data_.last() ? data_.last()->validationBoxes
                                           : std::vector<std::vector<std::array<float, 4>>>{});
  previews_->setDataSettings(data_.last() ? data_.last()->settings : DataSettings{});
  dashboard_->setValidationData(std::move(validation));
  dashboard_->setData(std::move(data));
  return true;
}

bool TrainingCoordinator::train() {
  if (isTraining()) return false;
  const qint64 id = context_.currentModelId();
  const ProjectSession::Model* m = session_->model(id);
  if (!m) {
    prompts_->say(tr("Open or create a model first."));
    return false;
  }
  if (!prepareData(id)) return false;
  emit dashboardWanted();
  dashboard_->startTraining();
  emit stateChanged();
  if (!isTraining()) {
    prompts_->say(tr("Training did not start: see the pre-flight list in the Training panel"));
    return false;
  }
  prompts_->say(session_->isUntitled()
                    ? tr("Training %1 (not recorded: the project has no file yet)").arg(m->name)
                    : tr("Training %1").arg(m->name));
  return true;
}

void TrainingCoordinator::resumeWithData(qint64 runId) {
  if (isTraining() || !prepareData(context_.currentModelId())) return;
  emit dashboardWanted();
  dashboard_->resumeRun(runId);
  emit stateChanged();
}

bool TrainingCoordinator::editDataSettings() {
  const qint64 id = context_.currentModelId();
  const ProjectSession::Model* m = session_->model(id);
  if (!m || isTraining()) return false;
  const ModelSpec spec = context_.currentSpec();
  DataImportDialog dialog(window_);
  dialog.setObjectName("dataImportDialog");
  dialog.setWindowTitle(tr("Data for %1").arg(m->name));
  try {
    const DataSettings stored = BuiltinData::settingsFor(spec, m->dataSettings);
    dialog.setSettings(stored.toJson());
    // The statistics fitted when these settings were last built (standardize_global).
    if (const auto& last = data_.last()) {
      DataSettings built = last->settings;
      built.mean = stored.mean;
      built.std = stored.std;
      if (built.toJson() == stored.toJson())
        dialog.setFittedStatistics(last->settings.mean, last->settings.std);
    }
  } catch (const std::exception& e) {
    prompts_->say(tr("The stored data settings are not valid: %1").arg(what(e)));
  }
  if (dialog.exec() != QDialog::Accepted) return false;
  session_->setDataSettings(id, dialog.settings());
  prompts_->say(tr("Data settings of %1: %2").arg(m->name, dialog.summary()));
  return true;
}

void TrainingCoordinator::onTrainingEnded() {
  tree_->refreshRuns();
  // A run stopped mid-epoch: the tree counts its complete epochs and names the partial one, as
  // the training panel's status line does.
  const TrainingController* controller = dashboard_->trainingPanel()->controller();
  if (controller->partialEpoch() >= 0 && controller->runId() > 0)
    tree_->markPartial(controller->runId(), controller->partialBatches());
  QString error;
  if (session_->pendingSave() && !session_->flushPending(&error))
    prompts_->say(tr("Could not save: %1").arg(error));
  emit stateChanged();
}

}  // namespace tessel::ui
