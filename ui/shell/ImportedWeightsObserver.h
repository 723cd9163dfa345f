#pragma once
// On the training thread: at the start of a NEW run (initial epoch 0; a Resume starts later and
// keeps its checkpoint) loads the newest imported weights of the model that fit the graph, as
// Keras's model.load_weights(f) followed by fit() does.
#include <QString>
#include <functional>
#include <string>
#include <utility>

#include "engine/train/TrainObserver.h"

namespace tessel {
class Model;
}

namespace tessel::ui {

class ImportedWeightsObserver : public TrainObserver {
 public:
  // Where the imported runs are: the project file (empty: none) and the model id.
  using Where = std::function<std::pair<std::string, qint64>()>;
  // Tells the person which weights were used (called on the training thread).
  using Notify = std::function<void(const QString&)>;
  ImportedWeightsObserver(Model& model, Where where, Notify notify)
      : model_(model), where_(std::move(where)), notify_(std::move(notify)) {}

  void onTrainBegin(const FitOptions& options, int) override;

 private:
  Model& model_;
  Where where_;
  Notify notify_;
};

}  // namespace tessel::ui
