#pragma once
// Keras MeanMetricWrapper: a metric function gives one value per sample; the metric is the
// running weighted mean sum_i w_i v_i / sum_i w_i over every sample since reset(). (Keras
// averages the (N, d1, ..., dk-1) values with broadcast weights; every sample has the same number
// of positions, so averaging positions into the sample first gives the same result.)
#include <vector>

#include "engine/metrics/Metric.h"

namespace tessel {

class MeanMetricWrapper : public Metric {
 public:
  explicit MeanMetricWrapper(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void reset() override { total_ = 0, count_ = 0; }
  void update(const Tensor& yTrue, const Tensor& yPred, const float* sampleWeight) override;
  double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }
  double total() const { return total_; }
  double count() const { return count_; }

 protected:
  // out[i] = metric value of sample i; out has N entries (N = yPred.dim(0)).
  virtual void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) = 0;

 private:
  std::string name_;
  double total_ = 0, count_ = 0;
  std::vector<float> values_;  // per-batch scratch, reused
};

}  // namespace tessel
