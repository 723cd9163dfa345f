#pragma once
// Keras optimizers with Keras defaults and epsilon placement. apply() updates every trainable
// variable from its grad (after clipnorm / clipvalue / global_clipnorm), then increments
// iterations(). The learning rate is the schedule's value at iterations() when a schedule is set,
// else learningRate(), which callbacks (ReduceLROnPlateau, LearningRateScheduler) and the user
// may change between steps.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/layers/Layer.h"
#include "engine/optimizers/Schedule.h"

namespace tessel {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;  // "SGD", "Adam", ...
  // Keras get_config(): learning_rate (or the schedule), clipnorm, ... for training_config.
  virtual nlohmann::json config() const = 0;

  void apply(const std::vector<Variable*>& vars);
  long long iterations() const { return iterations_; }
  void setIterations(long long it) { iterations_ = it; }
  double learningRate() const { return lr_; }
  void setLearningRate(double lr) { lr_ = lr; }  // keeps the schedule off from now on
  void setSchedule(std::unique_ptr<Schedule> schedule) { schedule_ = std::move(schedule); }
  const Schedule* schedule() const { return schedule_.get(); }
  double currentLearningRate() const;  // what the next apply() will use

  // Slot variables (moments, ...) for checkpoints, in a stable order; restore with setState.
  virtual std::vector<Tensor*> state() = 0;

 protected:
  // Called with gradients already clipped; `slot` is this variable's index in the vars list
  // (stable across calls); lr is the current learning rate; t = iterations()+1.
  virtual void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) = 0;
  // Called once before the first update with the variable list, to create slots.
  virtual void createSlots(const std::vector<Variable*>& vars) = 0;

  double lr_ = 0.01;
  double clipnorm_ = 0, clipvalue_ = 0, globalClipnorm_ = 0;  // 0 = off
  long long iterations_ = 0;
  std::unique_ptr<Schedule> schedule_;
  bool slotsCreated_ = false;
  std::vector<Tensor> clipped_;  // scratch for clipped gradients, reused

  friend std::unique_ptr<Optimizer> makeOptimizer(const nlohmann::json& spec);
};

// "sgd", "adam", ... (Keras defaults), or {"class_name": "Adam", "config": {"learning_rate": ..,
// "beta_1": .., "clipnorm": .., "learning_rate": {"class_name": "ExponentialDecay", ...}}}.
// Throws Error naming the known optimizers when unknown.
std::unique_ptr<Optimizer> makeOptimizer(const nlohmann::json& spec);

}  // namespace tessel
