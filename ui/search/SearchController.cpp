#include "ui/search/SearchController.h"

#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <mutex>

#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"

namespace tessel::ui {

struct SearchController::Shared {
  std::mutex mutex;
  SearchRun* search = nullptr;  // the worker's, while it runs
  bool stopRequested = false;
  QString error;
  bool stopped = false;
};

namespace {

class ForwardTrials : public SearchObserver {
 public:
  explicit ForwardTrials(QPointer<SearchController> c) : controller_(std::move(c)) {}
  void onTrialEnd(const SearchTrial& trial) override {
    const int index = trial.index;
    QPointer<SearchController> c = controller_;
    if (c)
      QMetaObject::invokeMethod(
          c.data(),
          [c, index] {
            if (c) emit c->trialFinished(index);
          },
          Qt::QueuedConnection);
  }

 private:
  QPointer<SearchController> controller_;
};

}  // namespace

SearchController::SearchController(QObject* parent) : QObject(parent) {}

SearchController::~SearchController() {
  if (thread_) {
    stop();
    thread_->wait();
    delete thread_;
  }
}

bool SearchController::isRunning() const {
  return thread_ != nullptr;
}

bool SearchController::start(const QString& projectPath, qint64 searchId, Dataset train,
                             std::optional<Dataset> validation) {
  if (thread_) return false;
  shared_ = std::make_shared<Shared>();
  auto shared = shared_;
  const std::string path = projectPath.toStdString();
  QPointer<SearchController> self(this);
  auto data = std::make_shared<std::pair<Dataset, std::optional<Dataset>>>(std::move(train),
                                                                           std::move(validation));
  thread_ = QThread::create([shared, path, searchId, data, self]() {
    try {
      Project project = Project::open(path);
      SearchRun search(project, searchId);
      search.setData(std::move(data->first), std::move(data->second));
      {
        std::lock_guard<std::mutex> lock(shared->mutex);
        if (shared->stopRequested) return;
        shared->search = &search;
      }
      ForwardTrials forward(self);
      search.run(nullptr, 0, &forward);
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->search = nullptr;
      shared->stopped = shared->stopRequested;
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->search = nullptr;
      shared->error = QString::fromStdString(e.what());
    }
  });
  connect(thread_, &QThread::finished, this, &SearchController::onThreadFinished);
  thread_->start();
  return true;
}

void SearchController::stop() {
  if (!shared_) return;
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->stopRequested = true;
  if (shared_->search) shared_->search->requestStop();
}

void SearchController::onThreadFinished() {
  if (!thread_) return;
  thread_->deleteLater();
  thread_ = nullptr;
  QString error, status;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    error = shared_->error;
    status = shared_->stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
  }
  if (!error.isEmpty())
    emit failed(error);
  else
    emit finished(status);
}

}  // namespace tessel::ui
