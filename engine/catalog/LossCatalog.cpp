#include "engine/catalog/LossCatalog.h"

#include "engine/losses/BinaryCrossentropy.h"
#include "engine/losses/CategoricalCrossentropy.h"
#include "engine/losses/Ctc.h"
#include "engine/losses/ExpressionLoss.h"
#include "engine/losses/Hinge.h"
#include "engine/losses/Huber.h"
#include "engine/losses/KLDivergence.h"
#include "engine/losses/LogCosh.h"
#include "engine/losses/MeanAbsoluteError.h"
#include "engine/losses/MeanAbsolutePercentageError.h"
#include "engine/losses/MeanSquaredError.h"
#include "engine/losses/SparseCategoricalCrossentropy.h"

namespace tessel {

namespace {

using namespace paramspec;

// Keras 2.12 keras/losses.py (the class constructors and the function aliases of get()).
ParamSpec reduction() {
  return choice("reduction", "auto", {"auto", "sum_over_batch_size"},
                "how per-sample values are reduced (only the mean over the batch is supported)");
}

ParamSpec fromLogits() {
  return param("from_logits", ParamType::Bool, false, "y_pred holds logits, not probabilities");
}

ParamSpec labelSmoothing() {
  return range(param("label_smoothing", ParamType::Float, 0.0, "squeeze labels towards 0.5 / 1/C"),
               0, 1);
}

ParamSpec axis() {
  return range(param("axis", ParamType::Int, -1, "the class axis (only -1 is supported)"), -1, -1);
}

bool flag(const json& c, const char* key) {
  return c.at(key).get<bool>();
}

double num(const json& c, const char* key) {
  return c.at(key).get<double>();
}

template <class L>
LossEntry simple(std::string cls, std::string name, std::vector<std::string> aliases,
                 std::string doc) {
  LossEntry e;
  e.className = std::move(cls);
  e.name = std::move(name);
  e.aliases = std::move(aliases);
  e.group = "Losses";
  e.doc = std::move(doc);
  e.params = {reduction()};
  e.make = [](const json&, const std::string& n) { return std::make_unique<L>(n); };
  return e;
}

Catalog<LossEntry> build() {
  Catalog<LossEntry> c("loss");
  c.add(simple<MeanSquaredError>("MeanSquaredError", "mean_squared_error",
                                 {"mse", "mean_squared_error", "MSE"}, "mean of squared errors"));
  c.add(simple<MeanAbsoluteError>("MeanAbsoluteError", "mean_absolute_error",
                                  {"mae", "mean_absolute_error", "MAE"},
                                  "mean of absolute errors"));
  c.add(simple<MeanAbsolutePercentageError>(
      "MeanAbsolutePercentageError", "mean_absolute_percentage_error",
      {"mape", "mean_absolute_percentage_error", "MAPE"}, "mean absolute percentage error"));
  {
    LossEntry e = simple<MeanSquaredError>("Huber", "huber_loss", {"huber_loss", "huber"},
                                           "quadratic below delta, linear above");
    e.params.push_back(
        range(param("delta", ParamType::Float, 1.0, "where the loss turns linear"), 0, 1e300));
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<Huber>(num(k, "delta"), n);
    };
    c.add(std::move(e));
  }
  c.add(simple<LogCosh>("LogCosh", "log_cosh", {"log_cosh", "logcosh"},
                        "logarithm of the hyperbolic cosine of the error"));
  {
    LossEntry e = simple<MeanSquaredError>("BinaryCrossentropy", "binary_crossentropy",
                                           {"binary_crossentropy"},
                                           "crossentropy of 0/1 labels and probabilities");
    e.params.insert(e.params.end(), {fromLogits(), labelSmoothing(), axis()});
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<BinaryCrossentropy>(flag(k, "from_logits"), num(k, "label_smoothing"),
                                                  n);
    };
    c.add(std::move(e));
  }
  {
    LossEntry e = simple<MeanSquaredError>("CategoricalCrossentropy", "categorical_crossentropy",
                                           {"categorical_crossentropy"},
                                           "crossentropy of one-hot labels and probabilities");
    e.params.insert(e.params.end(), {fromLogits(), labelSmoothing(), axis()});
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<CategoricalCrossentropy>(flag(k, "from_logits"),
                                                       num(k, "label_smoothing"), n);
    };
    c.add(std::move(e));
  }
  {
    LossEntry e = simple<MeanSquaredError>(
        "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
        {"sparse_categorical_crossentropy"}, "crossentropy of integer labels and probabilities");
    e.params.insert(e.params.end(),
                    {fromLogits(), param("ignore_class", ParamType::Int, nullptr,
                                         "a class id left out of the loss (not supported)")});
    e.make = [](const json& k, const std::string& n) {
      if (!k.at("ignore_class").is_null())
        throw Error("loss 'sparse_categorical_crossentropy': ignore_class is not supported");
      return std::make_unique<SparseCategoricalCrossentropy>(flag(k, "from_logits"), n);
    };
    c.add(std::move(e));
  }
  c.add(simple<KLDivergence>("KLDivergence", "kl_divergence",
                             {"kl_divergence", "kld", "KLD", "kullback_leibler_divergence"},
                             "Kullback-Leibler divergence of labels and predictions"));
  c.add(simple<Hinge>("Hinge", "hinge", {"hinge"}, "hinge loss of -1/1 (or 0/1) labels"));
  {
    // Keras 3 keras.losses.CTC (Ctc.h): blank 0, labels padded with 0; from_logits is ours.
    LossEntry e = simple<MeanSquaredError>("CTC", "ctc", {"ctc"},
                                           "connectionist temporal classification of label "
                                           "sequences (blank 0, labels padded with 0)");
    e.params = {choice("reduction", "sum_over_batch_size", {"auto", "sum_over_batch_size"},
                       "how per-sample values are reduced (only the mean over the batch)"),
                param("from_logits", ParamType::Bool, true,
                      "y_pred holds logits as Keras 3 (false: softmax probabilities, ours)")};
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<Ctc>(flag(k, "from_logits"), n);
    };
    c.add(std::move(e));
  }
  {
    // Ours (no Keras class): a loss function written as an expression (ExpressionLoss.h).
    LossEntry e;
    e.className = "ExpressionLoss";
    e.name = "custom_loss";
    e.group = "Losses";
    e.doc = "a custom loss: an expression of y_true and y_pred (ours)";
    // The default is a template to edit (customized_mse).
    const ParamSpec expr =
        param("expression", ParamType::String, "tf.reduce_mean(tf.square(y_pred - y_true))",
              "the loss as an expression of y_true and y_pred (tf. operations)");
    e.params = {reduction(), expr};
    e.make = [](const json& k, const std::string& n) {
      return std::make_unique<ExpressionLoss>(k.at("expression").get<std::string>(), n);
    };
    c.add(std::move(e));
  }
  return c;
}

}  // namespace

const Catalog<LossEntry>& lossCatalog() {
  static const Catalog<LossEntry> c = build();
  return c;
}

}  // namespace tessel
