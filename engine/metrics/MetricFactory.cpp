// makeMetric: a reader of the metric catalog (engine/catalog/MetricCatalog.h). Keras metric names,
// aliases, class names and {"class_name", "config"} dictionaries, with Keras's resolution of
// "accuracy" / "acc" and "crossentropy" / "ce".
#include <algorithm>

#include "engine/catalog/MetricCatalog.h"
#include "engine/core/Error.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"

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

std::string knownNames() {
  std::string s;
  for (const std::string& n : resolvedMetricNames()) s += n + ", ";
  return s + metricCatalog().knownNames();
}

// The metric of entry `e` from a (partial) config, logged under `name`.
std::unique_ptr<Metric> build(const MetricEntry& e, json cfg, const std::string& name) {
  // null means the default for a key Keras never writes as None
  for (const ParamSpec& p : e.params)
    if (cfg.contains(p.key) && cfg[p.key].is_null() && !p.defaultValue.is_null()) cfg.erase(p.key);
  return e.make(e.completeConfig(cfg, "metric", {"name", "dtype"}), name);
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
    const bool accuracy = name == "accuracy" || name == "acc";
    if (accuracy || name == "crossentropy" || name == "ce") {  // Keras 2: from_logits=False
      switch (resolveAccuracy(loss, outputShape)) {
        case AccuracyKind::Binary:
          cls = accuracy ? "BinaryAccuracy" : "BinaryCrossentropy";
          break;
        case AccuracyKind::Sparse:
          cls = accuracy ? "SparseCategoricalAccuracy" : "SparseCategoricalCrossentropy";
          break;
        case AccuracyKind::Categorical:
          cls = accuracy ? "CategoricalAccuracy" : "CategoricalCrossentropy";
          break;
      }
      return build(metricCatalog().get(cls), json::object(), name);
    }
    const MetricEntry* e = metricCatalog().find(name);
    if (!e) throw Error("unknown metric '" + name + "' (known: " + knownNames() + ")");
    // A function name or alias keeps the name given (Keras's history keys); a class name as a
    // string uses the class's default metric name.
    const bool alias = std::find(e->aliases.begin(), e->aliases.end(), name) != e->aliases.end();
    return build(*e, json::object(), alias ? name : e->name);
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
    const MetricEntry* e = metricCatalog().find(fn);
    if (!e) throw Error("metric 'MeanMetricWrapper': unknown fn '" + fn + "'");
    name = cfg.contains("name") && cfg["name"].is_string() ? cfg["name"].get<std::string>() : fn;
    return build(*e, json::object(), name);
  }
  const MetricEntry* e = metricCatalog().find(cls);
  if (!e) throw Error("unknown metric '" + cls + "' (known: " + knownNames() + ")");
  if (!cfg.is_object()) throw Error("metric '" + cls + "': config must be an object");
  name = cfg.contains("name") && cfg["name"].is_string() ? cfg["name"].get<std::string>() : e->name;
  return build(*e, cfg, name);
}

}  // namespace tessel
