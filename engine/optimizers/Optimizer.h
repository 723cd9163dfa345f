#pragma once
// Keras optimizers with Keras defaults and epsilon placement. apply() updates every trainable
// variable from its grad (after clipnorm / clipvalue / global_clipnorm), then increments
// iterations(). The learning rate is the schedule's value at iterations() when a schedule is set,
// else learningRate(), which callbacks (ReduceLROnPlateau, LearningRateScheduler) and the user
// may change between steps.
//
// Numerics follow tfjs-core's optimizers (our oracle) where they exist: Adam's epsilon is added
// to sqrt(v_hat) (w -= lr m_hat / (sqrt(v_hat) + eps)); RMSprop's and Adagrad's epsilon sits
// inside the square root. Nadam (absent from tfjs) follows Keras 2.11+. Each class's header says
// where Keras 2 differs.
//
// Gradient clipping as Keras 2.11+ (in this order): clipnorm per variable
// (g * c / max(||g||, c)), global_clipnorm over all variables, then clipvalue (clip to [-c, c]).
// weight_decay (decoupled, Keras 2.11+): w -= w * weight_decay * lr before the update.
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
  // {"class_name": name(), "config": config()}.
  nlohmann::json toJson() const { return {{"class_name", name()}, {"config", config()}}; }

  void apply(const std::vector<Variable*>& vars);
  long long iterations() const { return iterations_; }
  void setIterations(long long it) { iterations_ = it; }
  double learningRate() const { return lr_; }
  void setLearningRate(double lr) {  // keeps the schedule off from now on
    lr_ = lr;
    schedule_.reset();
  }
  void setSchedule(std::unique_ptr<Schedule> schedule) { schedule_ = std::move(schedule); }
  const Schedule* schedule() const { return schedule_.get(); }
  double currentLearningRate() const;  // what the next apply() will use

  double clipnorm() const { return clipnorm_; }
  double clipvalue() const { return clipvalue_; }
  double globalClipnorm() const { return globalClipnorm_; }
  double weightDecay() const { return weightDecay_; }

  // Creates the slot variables for `vars` (apply() does it on its first call). Call it before
  // writing restored values into state().
  void build(const std::vector<Variable*>& vars);
  bool built() const { return slotsCreated_; }

  // Slot variables (moments, ...) for checkpoints, in a stable order: all slots of the first
  // kind (one per variable, in vars order), then the second kind, ... as tfjs's getWeights().
  // Empty before build(). Restore: build(vars), copy values into these tensors, setIterations().
  virtual std::vector<Tensor*> state();
  // Names parallel to state(): "<kind>/<variable index>", e.g. "m/0", "v/0".
  std::vector<std::string> stateNames() const;

 protected:
  // Called with gradients already clipped; `slot` is this variable's index in the vars list
  // (stable across calls); lr is the current learning rate; t = iterations()+1.
  virtual void update(size_t slot, Variable& var, const Tensor& grad, double lr, long long t) = 0;
  // Called once before the first update with the variable list, to create slots. The default
  // creates one zero tensor per variable for each entry of slotKinds_ (filled with
  // slotInit_[kind] when given).
  virtual void createSlots(const std::vector<Variable*>& vars);
  // Called once per apply() before the updates (t = iterations()+1).
  virtual void beginStep(long long /*t*/) {}
  // Keras base get_config keys (name, weight_decay, clip*, use_ema, ..., learning_rate).
  nlohmann::json baseConfig() const;

  double lr_ = 0.01;
  double clipnorm_ = 0, clipvalue_ = 0, globalClipnorm_ = 0;  // 0 = off
  double weightDecay_ = 0;                                    // 0 = off
  std::string configName_;  // "name" in config (defaults to name())
  long long iterations_ = 0;
  std::unique_ptr<Schedule> schedule_;
  bool slotsCreated_ = false;
  std::vector<Tensor> clipped_;  // scratch for clipped gradients, reused

  std::vector<std::string> slotKinds_;      // "m", "v", ...
  std::vector<float> slotInit_;             // initial value per kind (default 0)
  std::vector<std::vector<Tensor>> slots_;  // slots_[kind][variable]

  friend std::unique_ptr<Optimizer> makeOptimizer(const nlohmann::json& spec);
};

// "sgd", "adam", ... (Keras defaults), or {"class_name": "Adam", "config": {"learning_rate": ..,
// "beta_1": .., "clipnorm": .., "learning_rate": {"class_name": "ExponentialDecay", ...}}}.
// Throws Error naming the known optimizers when unknown.
std::unique_ptr<Optimizer> makeOptimizer(const nlohmann::json& spec);

}  // namespace tessel
