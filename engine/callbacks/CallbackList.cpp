#include "engine/callbacks/CallbackList.h"

namespace tessel {

CallbackList::CallbackList(Callback* progress, const std::vector<Callback*>& callbacks,
                           Callback* history) {
  append(progress);
  for (Callback* c : callbacks) append(c);
  append(history);
}

void CallbackList::append(Callback* callback) {
  if (callback) callbacks_.push_back(callback);
}

void CallbackList::setTrainer(Trainer* trainer) {
  for (Callback* c : callbacks_) c->trainer = trainer;
}

void CallbackList::onTrainBegin(const FitOptions& options, int stepsPerEpoch) {
  for (Callback* c : callbacks_) c->onTrainBegin(options, stepsPerEpoch);
}

void CallbackList::onEpochBegin(int epoch) {
  for (Callback* c : callbacks_) c->onEpochBegin(epoch);
}

void CallbackList::onBatchEnd(int epoch, int batch, const Logs& logs) {
  for (Callback* c : callbacks_) c->onBatchEnd(epoch, batch, logs);
}

void CallbackList::onEpochEnd(int epoch, Logs& logs) {
  for (Callback* c : callbacks_) c->onEpochEndLogs(epoch, logs);
}

void CallbackList::onFinished(const History& history) {
  for (Callback* c : callbacks_) c->onFinished(history);
}

void CallbackList::onFailed(const std::string& message) {
  for (Callback* c : callbacks_) c->onFailed(message);
}

}  // namespace tessel
