#include "engine/catalog/CallbackCatalog.h"

#include "engine/callbacks/CSVLogger.h"
#include "engine/callbacks/EarlyStopping.h"
#include "engine/callbacks/LearningRateScheduler.h"
#include "engine/callbacks/ReduceLROnPlateau.h"
#include "engine/callbacks/ResetStates.h"
#include "engine/callbacks/TerminateOnNaN.h"
#include "engine/core/Error.h"

namespace tessel {

namespace {

using namespace paramspec;

ParamSpec monitorParam() {
  return param("monitor", ParamType::String, "val_loss", "Quantity to be monitored.");
}

ParamSpec verboseParam() {
  return range(param("verbose", ParamType::Int, 0, "Verbosity mode, 0 or 1."), 0, 2);
}

ParamSpec modeParam(const std::string& doc) {
  return choice("mode", "auto", {"auto", "min", "max"}, doc);
}

ParamSpec count(std::string key, int def, std::string doc) {
  return range(param(std::move(key), ParamType::Int, def, std::move(doc)), 0, 1e9);
}

std::optional<double> optionalNumber(const json& v) {
  return v.is_null() ? std::nullopt : std::optional<double>(v.get<double>());
}

CallbackEntry earlyStopping() {
  CallbackEntry e;
  e.className = "EarlyStopping";
  e.doc = "Stop training when a monitored metric has stopped improving.";
  e.params = {
      monitorParam(),
      param("min_delta", ParamType::Float, 0.0,
            "Minimum change in the monitored quantity to qualify as an improvement."),
      count("patience", 0, "Number of epochs with no improvement after which training stops."),
      verboseParam(),
      modeParam("In min mode training stops when the quantity stops decreasing, in max mode "
                "when it stops increasing; auto infers it from the name."),
      param("baseline", ParamType::Float, nullptr,
            "Baseline value for the monitored quantity; training stops if the model does not "
            "improve over it."),
      param("restore_best_weights", ParamType::Bool, false,
            "Whether to restore the weights from the epoch with the best monitored value."),
      count("start_from_epoch", 0, "Number of epochs to wait before starting to monitor."),
  };
  e.create = [](const json& c, const CallbackContext& ctx) -> std::unique_ptr<Callback> {
    EarlyStopping::Options o;
    o.monitor = c.at("monitor").get<std::string>();
    o.minDelta = c.at("min_delta").get<double>();
    o.patience = c.at("patience").get<int>();
    o.verbose = c.at("verbose").get<int>();
    o.mode = c.at("mode").get<std::string>();
    o.baseline = optionalNumber(c.at("baseline"));
    o.restoreBestWeights = c.at("restore_best_weights").get<bool>();
    o.startFromEpoch = c.at("start_from_epoch").get<int>();
    o.out = ctx.out;
    return std::make_unique<EarlyStopping>(o);
  };
  return e;
}

CallbackEntry modelCheckpoint() {
  CallbackEntry e;
  e.className = "ModelCheckpoint";
  e.doc = "Save the model or its weights at some frequency.";
  e.params = {
      required(param("filepath", ParamType::String, nullptr,
                     "Path to save the model file; may contain {epoch} and log keys, "
                     "e.g. \"model.{epoch:02d}-{val_loss:.2f}.json\"."),
               "model.{epoch:02d}.json"),
      monitorParam(),
      verboseParam(),
      param("save_best_only", ParamType::Bool, false,
            "Only save when the model is considered the best by the monitored quantity."),
      param("save_weights_only", ParamType::Bool, false,
            "Save only the weights, else the full model with its optimizer state."),
      modeParam("Whether the best saved model maximizes (max) or minimizes (min) the monitored "
                "quantity; auto infers it from the name."),
      choice("save_freq", "epoch", {"epoch"},
             "Save after each epoch (saving every N batches is not supported)."),
      param("initial_value_threshold", ParamType::Float, nullptr,
            "Initial best value of the monitored quantity (save_best_only)."),
  };
  e.create = [](const json& c, const CallbackContext& ctx) -> std::unique_ptr<Callback> {
    ModelCheckpoint::Options o;
    o.filepath = c.at("filepath").get<std::string>();
    o.monitor = c.at("monitor").get<std::string>();
    o.verbose = c.at("verbose").get<int>();
    o.saveBestOnly = c.at("save_best_only").get<bool>();
    o.saveWeightsOnly = c.at("save_weights_only").get<bool>();
    o.mode = c.at("mode").get<std::string>();
    o.initialValueThreshold = optionalNumber(c.at("initial_value_threshold"));
    o.out = ctx.out;
    return std::make_unique<ModelCheckpoint>(o, ctx.saver);
  };
  return e;
}

CallbackEntry reduceLROnPlateau() {
  CallbackEntry e;
  e.className = "ReduceLROnPlateau";
  e.doc = "Reduce the learning rate when a metric has stopped improving.";
  e.params = {
      monitorParam(),
      range(param("factor", ParamType::Float, 0.1,
                  "Factor by which the learning rate is reduced: new_lr = lr * factor."),
            0, 1),
      count("patience", 10, "Number of epochs with no improvement after which the rate drops."),
      verboseParam(),
      modeParam("In min mode the rate drops when the quantity stops decreasing, in max mode "
                "when it stops increasing; auto infers it from the name."),
      param("min_delta", ParamType::Float, 1e-4, "Threshold for measuring the new optimum."),
      count("cooldown", 0, "Number of epochs to wait before resuming normal operation."),
      range(param("min_lr", ParamType::Float, 0.0, "Lower bound on the learning rate."), 0, 1e300),
  };
  e.create = [](const json& c, const CallbackContext& ctx) -> std::unique_ptr<Callback> {
    ReduceLROnPlateau::Options o;
    o.monitor = c.at("monitor").get<std::string>();
    o.factor = c.at("factor").get<double>();
    o.patience = c.at("patience").get<int>();
    o.verbose = c.at("verbose").get<int>();
    o.mode = c.at("mode").get<std::string>();
    o.minDelta = c.at("min_delta").get<double>();
    o.cooldown = c.at("cooldown").get<int>();
    o.minLr = c.at("min_lr").get<double>();
    o.out = ctx.out;
    return std::make_unique<ReduceLROnPlateau>(o);
  };
  return e;
}

CallbackEntry csvLogger() {
  CallbackEntry e;
  e.className = "CSVLogger";
  e.doc = "Stream the epoch results to a CSV file.";
  e.params = {
      required(param("filename", ParamType::String, nullptr, "Filename of the CSV file."),
               "training.log"),
      param("separator", ParamType::String, ",", "String used to separate elements."),
      param("append", ParamType::Bool, false, "Append if the file exists, else overwrite it."),
  };
  e.create = [](const json& c, const CallbackContext&) -> std::unique_ptr<Callback> {
    return std::make_unique<CSVLogger>(c.at("filename").get<std::string>(),
                                       c.at("separator").get<std::string>(),
                                       c.at("append").get<bool>());
  };
  return e;
}

CallbackEntry terminateOnNaN() {
  CallbackEntry e;
  e.className = "TerminateOnNaN";
  e.doc = "Terminate training when a NaN loss is encountered.";
  e.create = [](const json&, const CallbackContext& ctx) -> std::unique_ptr<Callback> {
    return std::make_unique<TerminateOnNaN>(ctx.out);
  };
  return e;
}

CallbackEntry resetStatesEntry() {
  CallbackEntry e;
  e.className = "ResetStates";
  e.doc =
      "Reset the states of stateful recurrent layers at the end of every epoch (Keras: a "
      "LambdaCallback calling model.reset_states()).";
  e.create = [](const json&, const CallbackContext&) -> std::unique_ptr<Callback> {
    return std::make_unique<ResetStates>();
  };
  return e;
}

CallbackEntry learningRateScheduler() {
  CallbackEntry e;
  e.className = "LearningRateScheduler";
  e.doc = "Set the learning rate at the beginning of every epoch from a schedule.";
  e.params = {
      required(param("schedule", ParamType::Json, nullptr,
                     "A learning-rate schedule {\"class_name\", \"config\"}, evaluated at the "
                     "epoch index (0-based)."),
               json{{"class_name", "ExponentialDecay"},
                    {"config",
                     {{"initial_learning_rate", 0.01}, {"decay_steps", 1}, {"decay_rate", 0.9}}}}),
      verboseParam(),
  };
  e.create = [](const json& c, const CallbackContext& ctx) -> std::unique_ptr<Callback> {
    std::shared_ptr<const tessel::Schedule> schedule = makeSchedule(c.at("schedule"));
    return std::make_unique<LearningRateScheduler>(schedule, c.at("verbose").get<int>(), ctx.out);
  };
  return e;
}

Catalog<CallbackEntry> buildCatalog() {
  Catalog<CallbackEntry> catalog("callback");
  for (CallbackEntry e : {earlyStopping(), modelCheckpoint(), reduceLROnPlateau(), csvLogger(),
                          terminateOnNaN(), learningRateScheduler(), resetStatesEntry()}) {
    e.group = "Callbacks";
    catalog.add(std::move(e));
  }
  return catalog;
}

}  // namespace

const Catalog<CallbackEntry>& callbackCatalog() {
  static const Catalog<CallbackEntry> catalog = buildCatalog();
  return catalog;
}

std::unique_ptr<Callback> makeCallback(const json& spec, const CallbackContext& context) {
  if (!spec.is_object() || !spec.contains("class_name") || !spec["class_name"].is_string())
    throw Error("callback: expected {\"class_name\": ..., \"config\": {...}}, got " + spec.dump());
  for (auto it = spec.begin(); it != spec.end(); ++it)
    if (it.key() != "class_name" && it.key() != "config" && it.key() != "module" &&
        it.key() != "registered_name")  // the last two: Keras 2.13+'s serialization
      throw Error("callback: unknown key '" + it.key() + "' (class_name, config)");
  const CallbackEntry& entry = callbackCatalog().get(spec["class_name"].get<std::string>());
  const json config = entry.completeConfig(spec.value("config", json::object()), "callback");
  return entry.create(config, context);
}

}  // namespace tessel
