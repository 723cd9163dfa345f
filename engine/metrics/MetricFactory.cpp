// makeMetric: Keras metric names, aliases, class names and {"class_name", "config"} dictionaries,
// with Keras's resolution of "accuracy" / "acc" and "crossentropy" / "ce".
#include <map>
#include <set>

#include "engine/core/Error.h"
#include "engine/losses/Loss.h"
#include "engine/losses/LossAliases.h"
#include "engine/metrics/BinaryAccuracy.h"
#include "engine/metrics/BoxIoU.h"
#include "engine/metrics/CategoricalAccuracy.h"
#include "engine/metrics/LossMetric.h"
#include "engine/metrics/Metric.h"
#include "engine/metrics/RootMeanSquaredError.h"
#include "engine/metrics/SparseCategoricalAccuracy.h"
#include "engine/metrics/SparseTopKCategoricalAccuracy.h"
#include "engine/metrics/TopKCategoricalAccuracy.h"

namespace tessel {

namespace {

using json = nlohmann::json;

enum class AccuracyKind { Binary, Categorical, Sparse };

// The rule of tfjs-layers (and Keras 2.2's compile): binary when the output's last dimension is
// 1 or the loss is binary crossentropy, sparse categorical for a sparse categorical
// crossentropy loss, else categorical. (tf.keras 2.x decides from the label and output ranks
// instead, which agrees for the usual label layouts.)
AccuracyKind resolveAccuracy(const Loss* loss, const Shape& outputShape) {
  const bool lastIsOne = !outputShape.empty() && outputShape.back() == 1;
  if (lastIsOne || (loss && loss->className() == "BinaryCrossentropy")) return AccuracyKind::Binary;
  if (loss && loss->sparseLabels()) return AccuracyKind::Sparse;
  return AccuracyKind::Categorical;
}

// Metric function names (keras.metrics.get) -> class name: the loss functions' (LossAliases.h),
// the accuracies, RMSE, LogCoshError and ours.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = [] {
    std::map<std::string, std::string> m = lossFunctionAliases();
    m.insert({
        {"binary_accuracy", "BinaryAccuracy"},
        {"categorical_accuracy", "CategoricalAccuracy"},
        {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
        {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
        {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
        {"root_mean_squared_error", "RootMeanSquaredError"},
        {"rmse", "RootMeanSquaredError"},
        {"log_cosh", "LogCoshError"},
        {"logcosh", "LogCoshError"},
        {"box_iou", "BoxIoU"},
    });
    return m;
  }();
  return a;
}

// Class name -> (default metric name, loss class used for the values, extra config keys).
struct Entry {
  std::string defaultName;
  std::string lossClass;  // empty for the accuracies / RMSE
  std::set<std::string> keys;
};

const std::map<std::string, Entry>& table() {
  static const std::map<std::string, Entry> t = {
      {"BinaryAccuracy", {"binary_accuracy", "", {"threshold"}}},
      {"CategoricalAccuracy", {"categorical_accuracy", "", {}}},
      {"SparseCategoricalAccuracy", {"sparse_categorical_accuracy", "", {}}},
      {"TopKCategoricalAccuracy", {"top_k_categorical_accuracy", "", {"k"}}},
      {"SparseTopKCategoricalAccuracy", {"sparse_top_k_categorical_accuracy", "", {"k"}}},
      {"RootMeanSquaredError", {"root_mean_squared_error", "", {}}},
      {"MeanSquaredError", {"mean_squared_error", "MeanSquaredError", {}}},
      {"MeanAbsoluteError", {"mean_absolute_error", "MeanAbsoluteError", {}}},
      {"MeanAbsolutePercentageError",
       {"mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}}},
      {"BinaryCrossentropy",
       {"binary_crossentropy", "BinaryCrossentropy", {"from_logits", "label_smoothing"}}},
      {"CategoricalCrossentropy",
       {"categorical_crossentropy", "CategoricalCrossentropy", {"from_logits", "label_smoothing"}}},
      {"SparseCategoricalCrossentropy",
       {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {"from_logits"}}},
      {"KLDivergence", {"kullback_leibler_divergence", "KLDivergence", {}}},
      {"Hinge", {"hinge", "Hinge", {}}},
      {"LogCoshError", {"logcosh", "LogCosh", {}}},
      // Ours (no Keras class): IoU of predicted and true boxes (BoxIoU.h).
      {"BoxIoU", {"box_iou", "", {}}},
  };
  return t;
}

std::string knownNames() {
  std::string s = "accuracy, acc, crossentropy, ce";
  for (const auto& [k, v] : aliases()) s += ", " + k;
  for (const auto& [k, v] : table()) s += ", " + k;
  return s;
}

std::unique_ptr<Metric> build(const std::string& cls, const json& cfg, const std::string& name) {
  if (cls == "BinaryAccuracy") {
    const double th = cfg.contains("threshold") && cfg["threshold"].is_number()
                          ? cfg["threshold"].get<double>()
                          : 0.5;
    return std::make_unique<BinaryAccuracy>(name, float(th));
  }
  if (cls == "CategoricalAccuracy") return std::make_unique<CategoricalAccuracy>(name);
  if (cls == "SparseCategoricalAccuracy") return std::make_unique<SparseCategoricalAccuracy>(name);
  const int k = cfg.contains("k") && cfg["k"].is_number_integer() ? cfg["k"].get<int>() : 5;
  if (cfg.contains("k") && (!cfg["k"].is_number_integer() || k < 1))
    throw Error("metric '" + name + "': k must be a positive integer");
  if (cls == "TopKCategoricalAccuracy") return std::make_unique<TopKCategoricalAccuracy>(name, k);
  if (cls == "SparseTopKCategoricalAccuracy")
    return std::make_unique<SparseTopKCategoricalAccuracy>(name, k);
  if (cls == "RootMeanSquaredError") return std::make_unique<RootMeanSquaredError>(name);
  if (cls == "BoxIoU") return std::make_unique<BoxIoU>(name);
  const Entry& e = table().at(cls);
  json lossCfg = json::object();
  for (const auto& key : e.keys)
    if (cfg.contains(key)) lossCfg[key] = cfg[key];
  return std::make_unique<LossMetric>(
      name, makeLoss(json{{"class_name", e.lossClass}, {"config", lossCfg}}));
}

}  // namespace

std::unique_ptr<Metric> makeMetric(const json& spec, const Loss* loss, const Shape& outputShape) {
  std::string cls, name;
  json cfg = json::object();
  if ((spec.is_string() && (spec == "MeanIoU" || spec == "mean_iou")) ||
      (spec.is_object() && spec.contains("class_name") && spec["class_name"] == "MeanIoU"))
    throw Error(
        "metric 'MeanIoU' is Keras's segmentation metric (per-class IoU of class ids) and "
        "is not supported; for bounding boxes use 'box_iou'");
  if (spec.is_string()) {
    name = spec.get<std::string>();
    if (name == "accuracy" || name == "acc") {
      switch (resolveAccuracy(loss, outputShape)) {
        case AccuracyKind::Binary:
          return std::make_unique<BinaryAccuracy>(name);
        case AccuracyKind::Sparse:
          return std::make_unique<SparseCategoricalAccuracy>(name);
        case AccuracyKind::Categorical:
          return std::make_unique<CategoricalAccuracy>(name);
      }
    }
    if (name == "crossentropy" || name == "ce") {  // Keras 2: from_logits=False, same rule
      switch (resolveAccuracy(loss, outputShape)) {
        case AccuracyKind::Binary:
          cls = "BinaryCrossentropy";
          break;
        case AccuracyKind::Sparse:
          cls = "SparseCategoricalCrossentropy";
          break;
        case AccuracyKind::Categorical:
          cls = "CategoricalCrossentropy";
          break;
      }
    } else if (auto a = aliases().find(name); a != aliases().end()) {
      cls = a->second;
    } else if (table().count(name)) {
      cls = name;  // a class name as a string: Keras uses the class's default metric name
      name = table().at(cls).defaultName;
    } else {
      throw Error("unknown metric '" + name + "' (known: " + knownNames() + ")");
    }
    return build(cls, cfg, name);
  }
  if (!spec.is_object() || !spec.contains("class_name") || !spec["class_name"].is_string())
    throw Error("metric: expected a name or {\"class_name\": ..., \"config\": {...}}, got " +
                spec.dump());
  cls = spec["class_name"].get<std::string>();
  if (spec.contains("config") && !spec["config"].is_null()) cfg = spec["config"];
  if (cls == "function") {  // Keras 2.13+: {"class_name": "function", "config": "mae"}
    if (!cfg.is_string()) throw Error("metric: a function metric needs its name as config");
    return makeMetric(cfg, loss, outputShape);
  }
  if (cls == "MeanMetricWrapper") {  // Keras training_config: {"name": .., "fn": "mae"}
    if (!cfg.is_object() || !cfg.contains("fn") || !cfg["fn"].is_string())
      throw Error("metric 'MeanMetricWrapper': config needs the function name in 'fn'");
    const auto fn = cfg["fn"].get<std::string>();
    const auto a = aliases().find(fn);
    if (a == aliases().end()) throw Error("metric 'MeanMetricWrapper': unknown fn '" + fn + "'");
    name = cfg.contains("name") && cfg["name"].is_string() ? cfg["name"].get<std::string>() : fn;
    return build(a->second, json::object(), name);
  }
  const auto it = table().find(cls);
  if (it == table().end())
    throw Error("unknown metric '" + cls + "' (known: " + knownNames() + ")");
  if (!cfg.is_object()) throw Error("metric '" + cls + "': config must be an object");
  for (const auto& [k, v] : cfg.items())
    if (k != "name" && k != "dtype" && !it->second.keys.count(k))
      throw Error("metric '" + cls + "': unknown config key '" + k + "'");
  name = cfg.contains("name") && cfg["name"].is_string() ? cfg["name"].get<std::string>()
                                                         : it->second.defaultName;
  return build(cls, cfg, name);
}

}  // namespace tessel
