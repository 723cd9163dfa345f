#pragma once
// A loss function used as a metric (Keras's mean_squared_error, mae, mape, binary_crossentropy,
// kl_divergence, ... metrics): the running weighted mean of the loss's per-sample values.
#include <memory>

#include "engine/losses/Loss.h"
#include "engine/metrics/MeanMetricWrapper.h"

namespace tessel {

class LossMetric : public MeanMetricWrapper {
 public:
  LossMetric(std::string name, std::unique_ptr<Loss> loss)
      : MeanMetricWrapper(std::move(name)), loss_(std::move(loss)) {}
  const Loss& loss() const { return *loss_; }

 protected:
  void sampleValues(const Tensor& yTrue, const Tensor& yPred, float* out) override {
    loss_->perSample(yTrue, yPred, out);
  }

 private:
  std::unique_ptr<Loss> loss_;
};

}  // namespace tessel
