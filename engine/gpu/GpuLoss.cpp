// The loss gradient on the GPU (GpuLoss.h): which kernel and parameters each CPU loss maps to.
#include "engine/gpu/GpuLoss.h"

#include <climits>
#include <string>

#include "engine/core/Error.h"
#include "engine/gpu/GpuLossKernels.h"
#include "engine/losses/BinaryCrossentropy.h"
#include "engine/losses/CategoricalCrossentropy.h"
#include "engine/losses/Ctc.h"
#include "engine/losses/Hinge.h"
#include "engine/losses/Huber.h"
#include "engine/losses/KLDivergence.h"
#include "engine/losses/LogCosh.h"
#include "engine/losses/Loss.h"
#include "engine/losses/MeanAbsoluteError.h"
#include "engine/losses/MeanAbsolutePercentageError.h"
#include "engine/losses/MeanSquaredError.h"
#include "engine/losses/SparseCategoricalCrossentropy.h"

namespace tessel::gpu {

namespace {

std::string notOnGpu(const std::string& what) {
  return what + " is not on the GPU yet; use --device cpu";
}

// The config's label_smoothing (the crossentropies keep it private; config() writes it exactly).
double labelSmoothing(const Loss& loss) {
  const nlohmann::json c = loss.config();
  return c.contains("label_smoothing") ? c.at("label_smoothing").get<double>() : 0.0;
}

}  // namespace

LossPlan::LossPlan(const Loss& loss, const Shape& outShape, long outDim) : outDim_(outDim) {
  const std::string what = "the loss " + loss.className();
  if (const auto* c = dynamic_cast<const Ctc*>(&loss)) {
    // Keras 3's CTC: logits (N, T, C), one alignment per sample over its T steps (Ctc.h).
    const bool known = outShape.size() == 3 && outShape[1] > 0 && outShape[2] >= 2 &&
                       outShape[1] * outShape[2] == outDim;
    if (!known)
      throw Error("loss '" + c->name() + "': the output shape " + shapeToString(outShape) +
                  " is not (batch, time steps, classes) with known steps and at least 2 classes:"
                  " CTC (on the GPU too) needs a rank-3 output");
    if (outShape[1] > INT_MAX || outShape[2] > INT_MAX)
      throw Error(notOnGpu(what + " on an output of shape " + shapeToString(outShape)));
    ctc_ = true;
    fromLogits_ = c->fromLogits();
    positions_ = long(outShape[1]);
    last_ = long(outShape[2]);
    labelFloats_ = positions_;  // a guess until the data's label width is known (setLabelFloats)
    return;
  }
  // As lossdetail::layoutOf: (rows, positions, last); a rank-1 output is (rows, 1).
  last_ = outShape.size() >= 2 ? long(outShape.back()) : 1;
  if (outDim <= 0 || last_ <= 0 || outDim % last_ != 0)
    throw Error(notOnGpu(what + " on an output of shape " + shapeToString(outShape)));
  positions_ = outDim / last_;
  labelFloats_ = outDim;

  if (const auto* l = dynamic_cast<const SparseCategoricalCrossentropy*>(&loss)) {
    if (outShape.size() < 2)  // as SparseCategoricalCrossentropy::checkLabels
      throw Error("loss '" + l->name() + "': the output shape " + shapeToString(outShape) +
                  " has no class axis");
    crossentropy_ = sparse_ = true;
    fromLogits_ = l->fromLogits();
    labelFloats_ = positions_;
  } else if (const auto* l = dynamic_cast<const CategoricalCrossentropy*>(&loss)) {
    crossentropy_ = true;
    fromLogits_ = l->fromLogits();
    param_ = labelSmoothing(loss);
  } else {
    // ElementwiseLoss: the mean over every value of the sample, KL divergence's sum over the
    // last axis averaged over the positions.
    factor_ = 1.0 / double(outDim);
    if (dynamic_cast<const MeanSquaredError*>(&loss)) {
      elementLoss_ = kElemMse;
    } else if (dynamic_cast<const MeanAbsoluteError*>(&loss)) {
      elementLoss_ = kElemMae;
    } else if (dynamic_cast<const MeanAbsolutePercentageError*>(&loss)) {
      elementLoss_ = kElemMape;
    } else if (const auto* h = dynamic_cast<const Huber*>(&loss)) {
      elementLoss_ = kElemHuber;
      param_ = h->delta();
    } else if (dynamic_cast<const LogCosh*>(&loss)) {
      elementLoss_ = kElemLogCosh;
    } else if (const auto* b = dynamic_cast<const BinaryCrossentropy*>(&loss)) {
      elementLoss_ = b->fromLogits() ? kElemBceLogits : kElemBce;
      param_ = labelSmoothing(loss);
    } else if (dynamic_cast<const KLDivergence*>(&loss)) {
      elementLoss_ = kElemKld;
      factor_ = 1.0 / double(positions_);
    } else if (dynamic_cast<const Hinge*>(&loss)) {
      elementLoss_ = kElemHinge;
    } else {  // ExpressionLoss
      throw Error(notOnGpu(what));
    }
  }
  if (crossentropy_ && last_ > 0x7fffffffL)
    throw Error(notOnGpu(what + " over " + std::to_string(last_) + " classes"));
}

void LossPlan::setLabelFloats(long perSample) {
  if (ctc_) {
    // S = 2L + 1 extended positions, indexed in int on the device.
    if (perSample < 0 || perSample > (INT_MAX - 1) / 2)
      throw Error("the loss CTC on the GPU: a label width of " + std::to_string(perSample) +
                  " ids per sample is out of range");
    labelFloats_ = perSample;
    return;
  }
  if (perSample != labelFloats_)
    throw Error("GPU loss plan: " + std::to_string(perSample) +
                " label values per sample where the loss takes " + std::to_string(labelFloats_));
}

size_t LossPlan::scratchBytes(long maxRows) const {
  if (!ctc_ || maxRows <= 0) return 0;
  return size_t(maxRows) * ctcScratchDoubles(positions_, last_, labelFloats_) * sizeof(double);
}

void LossPlan::enqueueGradient(const float* yTrue, const float* yPred, const float* scale,
                               float* grad, int rows, cudaStream_t stream, void* scratch) const {
  if (ctc_) {
    if (rows > 0 && !scratch)
      throw Error("GPU loss plan: CTC's gradient needs its scratch buffer (scratchBytes)");
    launchCtcGradient(yTrue, yPred, scale, grad, rows, int(positions_), int(last_),
                      int(labelFloats_), fromLogits_, static_cast<double*>(scratch), stream);
  } else if (crossentropy_) {
    launchCrossentropyGradient(sparse_, yTrue, yPred, scale, grad, rows, positions_, int(last_),
                               fromLogits_, param_, stream);
  } else {
    launchElementwiseLossGradient(elementLoss_, yTrue, yPred, scale, grad, rows, outDim_, factor_,
                                  param_, stream);
  }
}

}  // namespace tessel::gpu
