#include "engine/catalog/MetricCatalog.h"

#include "engine/catalog/LossCatalog.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/BinaryAccuracy.h"
#include "engine/metrics/BoxIoU.h"
#include "engine/metrics/CategoricalAccuracy.h"
#include "engine/metrics/ExpressionMetric.h"
#include "engine/metrics/LossMetric.h"
#include "engine/metrics/RootMeanSquaredError.h"
#include "engine/metrics/SparseCategoricalAccuracy.h"
#include "engine/metrics/SparseTopKCategoricalAccuracy.h"
#include "engine/metrics/TopKCategoricalAccuracy.h"

namespace tessel {

namespace {

using namespace paramspec;

// Keras 2.12 keras/metrics (the classes' constructors and the function names of get()).
MetricEntry entry(std::string cls, std::string name, std::vector<std::string> aliases,
                  std::string doc, std::vector<ParamSpec> params = {}) {
  MetricEntry e;
  e.className = std::move(cls);
  e.name = std::move(name);
  e.aliases = std::move(aliases);
  e.group = "Metrics";
  e.doc = std::move(doc);
  e.params = std::move(params);
  return e;
}

template <class M>
MetricEntry simple(std::string cls, std::string name, std::vector<std::string> aliases,
                   std::string doc) {
  MetricEntry e = entry(std::move(cls), std::move(name), std::move(aliases), std::move(doc));
  e.make = [](const json&, const std::string& n) { return std::make_unique<M>(n); };
  return e;
}

ParamSpec topK() {
  return range(param("k", ParamType::Int, 5, "how many of the largest predictions count"), 1, 1e9);
}

// A loss averaged as a metric: the loss entry's aliases and the loss params `keys` (their specs
// and defaults are the loss catalog's).
MetricEntry lossMetric(const std::string& lossClass, std::string cls, std::string name,
                       const std::vector<std::string>& keys) {
  const LossEntry& loss = lossCatalog().get(lossClass);
  std::vector<ParamSpec> params;
  for (const std::string& k : keys) params.push_back(*loss.param(k));
  MetricEntry e = entry(std::move(cls), std::move(name), loss.aliases,
                        "the " + loss.doc + ", averaged", std::move(params));
  e.lossClass = lossClass;
  e.make = [lossClass, keys](const json& k, const std::string& n) {
    json lossConfig = json::object();
    for (const std::string& key : keys) lossConfig[key] = k.at(key);
    return std::make_unique<LossMetric>(
        n, makeLoss(json{{"class_name", lossClass}, {"config", lossConfig}}));
  };
  return e;
}

Catalog<MetricEntry> build() {
  Catalog<MetricEntry> c("metric");
  {
    MetricEntry e =
        entry("BinaryAccuracy", "binary_accuracy", {"binary_accuracy"},
              "how often predictions above the threshold match 0/1 labels",
              {param("threshold", ParamType::Float, 0.5, "predictions above it count as 1")});
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<BinaryAccuracy>(n, k.at("threshold").get<float>());
    };
    c.add(std::move(e));
  }
  c.add(simple<CategoricalAccuracy>("CategoricalAccuracy", "categorical_accuracy",
                                    {"categorical_accuracy"},
                                    "how often the argmax matches one-hot labels"));
  c.add(simple<SparseCategoricalAccuracy>(
      "SparseCategoricalAccuracy", "sparse_categorical_accuracy", {"sparse_categorical_accuracy"},
      "how often the argmax matches integer labels"));
  {
    MetricEntry e = entry("TopKCategoricalAccuracy", "top_k_categorical_accuracy",
                          {"top_k_categorical_accuracy"},
                          "how often one-hot labels are in the top k predictions", {topK()});
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<TopKCategoricalAccuracy>(n, k.at("k").get<int>());
    };
    c.add(std::move(e));
  }
  {
    MetricEntry e = entry("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy",
                          {"sparse_top_k_categorical_accuracy"},
                          "how often integer labels are in the top k predictions", {topK()});
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<SparseTopKCategoricalAccuracy>(n, k.at("k").get<int>());
    };
    c.add(std::move(e));
  }
  c.add(simple<RootMeanSquaredError>("RootMeanSquaredError", "root_mean_squared_error",
                                     {"rmse", "root_mean_squared_error"},
                                     "square root of the mean squared error"));
  c.add(lossMetric("MeanSquaredError", "MeanSquaredError", "mean_squared_error", {}));
  c.add(lossMetric("MeanAbsoluteError", "MeanAbsoluteError", "mean_absolute_error", {}));
  c.add(lossMetric("MeanAbsolutePercentageError", "MeanAbsolutePercentageError",
                   "mean_absolute_percentage_error", {}));
  c.add(lossMetric("BinaryCrossentropy", "BinaryCrossentropy", "binary_crossentropy",
                   {"from_logits", "label_smoothing"}));
  c.add(lossMetric("CategoricalCrossentropy", "CategoricalCrossentropy", "categorical_crossentropy",
                   {"from_logits", "label_smoothing"}));
  c.add(lossMetric("SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy",
                   "sparse_categorical_crossentropy", {"from_logits"}));
  c.add(lossMetric("KLDivergence", "KLDivergence", "kullback_leibler_divergence", {}));
  c.add(lossMetric("Hinge", "Hinge", "hinge", {}));
  c.add(lossMetric("LogCosh", "LogCoshError", "logcosh", {}));
  // Ours (no Keras class): IoU of predicted and true boxes (BoxIoU.h).
  c.add(simple<BoxIoU>("BoxIoU", "box_iou", {"box_iou"},
                       "intersection over union of predicted and true boxes (ours)"));
  {
    // Ours: a metric function written as an expression, averaged (ExpressionMetric.h).
    MetricEntry e = entry(
        "ExpressionMetric", "custom_metric", {},
        "a custom metric: an expression of y_true, y_pred and sample_weight, "
        "averaged (ours)",
        // The default is a template to edit (a mean absolute error).
        {param("expression", ParamType::String, "tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)",
               "the metric as an expression of y_true, y_pred and "
               "sample_weight")});
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<ExpressionMetric>(k.at("expression").get<std::string>(), n);
    };
    c.add(std::move(e));
  }
  return c;
}

}  // namespace

const Catalog<MetricEntry>& metricCatalog() {
  static const Catalog<MetricEntry> c = build();
  return c;
}

const std::vector<std::string>& resolvedMetricNames() {
  static const std::vector<std::string> names = {"accuracy", "acc", "crossentropy", "ce"};
  return names;
}

}  // namespace tessel
