#include "engine/session/FineTuneRecipe.h"

#include "engine/core/Error.h"
#include "engine/graph/FineTune.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/session/TrainingRun.h"

namespace tessel {

namespace {

// Records the "fine_tune" event at phase 2's first epoch, once the recorder knows the step.
struct PhaseMarker : Callback {
  RunRecorder* recorder = nullptr;
  json payload;
  bool done = false;
  void onEpochBegin(int) override {
    if (recorder && !done) recorder->addEvent("fine_tune", payload);
    done = true;
  }
};

}  // namespace

json FineTuneRecipe::toJson() const {
  return {{"head_epochs", headEpochs},
          {"unfreeze_last", unfreezeLast},
          {"lr_factor", lrFactor},
          {"fine_tune_epochs", fineTuneEpochs},
          {"base_end", baseEnd}};
}

FineTuneRecipe FineTuneRecipe::fromJson(const json& j) {
  if (!j.is_object()) throw Error("fine-tune recipe: expected a JSON object");
  FineTuneRecipe r;
  for (const auto& item : j.items()) {
    // Named copies, not structured bindings: clang 14 (the sanitizer build) cannot capture those.
    const std::string key = item.key();
    const json& v = item.value();
    auto integer = [&](int min) {
      if (!v.is_number_integer() || v.get<long long>() < min)
        throw Error("fine-tune recipe: " + key + " must be an integer >= " + std::to_string(min) +
                    ", got " + v.dump());
      return v.get<int>();
    };
    if (key == "head_epochs")
      r.headEpochs = integer(1);
    else if (key == "fine_tune_epochs")
      r.fineTuneEpochs = integer(1);
    else if (key == "unfreeze_last")
      r.unfreezeLast = integer(0);
    else if (key == "lr_factor") {
      if (!v.is_number() || !(v.get<double>() > 0))
        throw Error("fine-tune recipe: lr_factor must be a number > 0, got " + v.dump());
      r.lrFactor = v.get<double>();
    } else if (key == "base_end") {
      if (!v.is_string()) throw Error("fine-tune recipe: base_end must be a layer name");
      r.baseEnd = v.get<std::string>();
    } else {
      throw Error("fine-tune recipe: unknown key '" + key + "'");
    }
  }
  return r;
}

ModelSpec FineTuneRecipe::phase1(const ModelSpec& spec) const {
  ModelSpec s = spec;
  if (!baseEnd.empty()) freezeUpTo(s, baseEnd);
  return s;
}

ModelSpec FineTuneRecipe::phase2(const ModelSpec& spec) const {
  ModelSpec s = phase1(spec);
  tessel::unfreezeLast(s, unfreezeLast);
  return s;
}

FineTuneResult fitTwoPhase(const ModelSpec& spec, const RunSettings& settings,
                           const FineTuneRecipe& recipe, const Dataset& train,
                           const FineTuneHooks& hooks) {
  Project* project = hooks.project;
  const std::int64_t runId = hooks.runId;
  const std::vector<Callback*>& callbacks = hooks.callbacks;
  FineTuneResult result;
  // Phase 1: the head.
  RunSettings s1 = settings;
  s1.fit.epochs = recipe.headEpochs;
  TrainingRun one(recipe.phase1(spec), s1);
  if (hooks.initialWeights) one.loadWeights(*hooks.initialWeights);
  if (hooks.prepare) hooks.prepare(one);
  if (project) one.record(*project, runId);
  std::unique_ptr<TrainObserver> observer1 = hooks.observer ? hooks.observer(one, 1) : nullptr;
  History h1 = one.fit(train, callbacks, observer1.get());
  observer1.reset();
  const double lr1 = one.trainer().optimizer().currentLearningRate();
  std::vector<std::pair<std::string, Tensor>> weights;
  for (auto& [name, v] : one.model().namedWeights()) weights.emplace_back(name, v->value);
  if (h1.epochs.size() < size_t(recipe.headEpochs)) {  // stopped early (callback, NaN, user)
    result.history = h1;
    result.weights = std::move(weights);
    return result;
  }

  // Phase 2: the top layers too, at a lower learning rate, with a fresh optimizer.
  const ModelSpec spec2 = recipe.phase2(spec);
  for (const std::string& name : kerasLayerOrder(spec2))
    if (const NodeSpec* n = spec2.find(name); n && !n->isInput() && isTrainable(*n))
      result.unfrozen.push_back(name);
  RunSettings s2 = settings;
  s2.fit.epochs = recipe.headEpochs + recipe.fineTuneEpochs;
  json opt = makeOptimizer(settings.compile.optimizer)->toJson();
  result.phase2LearningRate = lr1 * recipe.lrFactor;
  opt["config"]["learning_rate"] = result.phase2LearningRate;
  s2.compile.optimizer = opt;
  TrainingRun two(spec2, s2);
  two.loadWeights(weights);
  if (hooks.prepare) hooks.prepare(two);
  two.fitOptions().initialEpoch = recipe.headEpochs;
  PhaseMarker marker;
  marker.payload = {{"phase", 2},
                    {"unfreeze_last", recipe.unfreezeLast},
                    {"unfrozen", result.unfrozen},
                    {"learning_rate", result.phase2LearningRate}};
  if (project) {
    two.record(*project, runId);
    marker.recorder = two.recorder();
  }
  // The marker runs after the recorder's onTrainBegin (callbacks' onTrainBegin come first, but
  // onEpochBegin follows every onTrainBegin).
  std::vector<Callback*> all = callbacks;
  all.push_back(&marker);
  std::unique_ptr<TrainObserver> observer2 = hooks.observer ? hooks.observer(two, 2) : nullptr;
  TrainObserver* report = observer2 ? observer2.get() : two.recorder();
  History h2 = two.trainer().fit(train, two.fitOptions(), all, report);
  observer2.reset();
  result.history = h1;
  for (size_t i = 0; i < h2.epochs.size(); ++i) {
    Logs logs;
    for (const std::string& key : h2.keys) logs.emplace_back(key, h2.values.at(key).at(i));
    result.history.append(h2.epochs[i], logs);
  }
  result.history.stopReason = h2.stopReason;
  for (auto& [name, v] : two.model().namedWeights()) result.weights.emplace_back(name, v->value);
  return result;
}

}  // namespace tessel
