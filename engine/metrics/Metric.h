#pragma once
// Keras metrics with per-epoch running state: update() per batch, result() is the value Keras
// would print (weighted mean over all samples seen since reset()).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/tensor/Tensor.h"

namespace tessel {

class Loss;

class Metric {
 public:
  virtual ~Metric() = default;
  virtual std::string name() const = 0;  // key in logs/history: "accuracy", "mae", ...
  virtual void reset() = 0;
  // sampleWeight may be nullptr (all ones). yTrue as for Loss.
  virtual void update(const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight) = 0;
  virtual double result() const = 0;
};

// Resolves a Keras metric name as Keras does: "accuracy"/"acc" becomes binary, categorical or
// sparse categorical accuracy depending on the loss and the output shape (Keras 2 rules);
// "mse", "mae", "mape", "rmse" (RootMeanSquaredError), "top_k_categorical_accuracy",
// "sparse_top_k_categorical_accuracy", ... The metric keeps the name the user gave for
// logging ("accuracy" stays "accuracy", as Keras's history keys).
std::unique_ptr<Metric> makeMetric(const nlohmann::json& spec, const Loss* loss,
                                   const Shape& outputShape);

// Keras's running Mean (used for the "loss" entries of the logs).
class MeanMetric : public Metric {
 public:
  explicit MeanMetric(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void reset() override { total_ = 0, count_ = 0; }
  void update(const Tensor&, const Tensor&, const float*) override {}
  void add(double value, double weight = 1.0) { total_ += value * weight, count_ += weight; }
  double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }

 private:
  std::string name_;
  double total_ = 0, count_ = 0;
};

}  // namespace tessel
