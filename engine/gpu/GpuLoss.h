#pragma once
// The loss on the GPU: the gradient of the loss with respect to the model's single output, the
// CPU Loss::gradient computed on the device (GpuLossKernels.cu), enqueued once per training step
// inside the step's CUDA graph. The loss value and the metrics stay on the host.
//
// Every loss of the catalog but the expression losses: mean_squared_error, mean_absolute_error,
// mean_absolute_percentage_error, huber_loss (delta), log_cosh, binary_crossentropy (from_logits,
// label_smoothing), categorical_crossentropy (from_logits, label_smoothing),
// sparse_categorical_crossentropy (from_logits), kl_divergence, hinge (with Keras's 0/1 -> -1/1
// conversion decided per batch on the device) and ctc (from_logits; Ctc.h). Outputs of any rank
// are taken as the CPU losses take them: (rows, positions, last), reduced over the last axis,
// positions averaged; CTC takes only (rows, time steps, classes), with labels (rows, L) whose
// width L comes from the data (variableLabels, setLabelFloats) and a device scratch buffer
// (scratchBytes) for its alpha / beta recursions.
#include <cuda_runtime.h>

#include <cstddef>

#include "engine/tensor/Shape.h"

namespace tessel {
class Loss;
}

namespace tessel::gpu {

class LossPlan {
 public:
  // Throws Error("the loss <class> is not on the GPU yet; use --device cpu") for a loss with no
  // GPU path (an expression loss, a loss class it does not know) or an output shape it cannot
  // split; Error for CTC on an output that is not (batch, time steps, classes) of known steps and
  // >= 2 classes. outShape: the model output's shape (batch, ...); outDim = features per sample.
  // Touches no device: safe in a plan that only checks.
  LossPlan(const Loss& loss, const Shape& outShape, long outDim);

  // Label floats per sample on the device (the host label tensor's layout): outDim for the dense
  // losses, one class id per position (1 for a rank-2 output) for the sparse one, the label width
  // L for CTC (a guess of T, the output's steps, until setLabelFloats).
  long labelFloats() const { return labelFloats_; }

  // True for CTC only: its label width L (Keras 3's max label length, 0-padded) is the data's,
  // not the model's; the executor sets it from the label tensor with setLabelFloats.
  bool variableLabels() const { return ctc_; }

  // CTC: L = perSample (>= 0), which changes labelFloats() and scratchBytes(). Any other loss:
  // throws Error unless perSample == labelFloats().
  void setLabelFloats(long perSample);

  // Device bytes of scratch enqueueGradient needs for up to maxRows samples: 0 for every loss but
  // CTC (its log_softmax, alpha, beta and occupancy in double, ctcScratchDoubles per sample).
  size_t scratchBytes(long maxRows) const;

  // grad (rows, outDim) = d/dyPred of sum_i scale[i] * loss_i (every element written). yTrue:
  // rows * labelFloats() floats; scale: rows floats (null: ones); scratch: scratchBytes(rows) or
  // more device bytes, 8-byte aligned (null when scratchBytes is 0). Enqueues on stream only: no
  // allocation or sync, so it can be captured in a CUDA graph.
  void enqueueGradient(const float* yTrue, const float* yPred, const float* scale, float* grad,
                       int rows, cudaStream_t stream, void* scratch = nullptr) const;

 private:
  bool ctc_ = false;           // launchCtcGradient
  bool crossentropy_ = false;  // launchCrossentropyGradient, else launchElementwiseLossGradient
  bool sparse_ = false;
  bool fromLogits_ = false;
  int elementLoss_ = 0;  // GpuElementLoss
  double param_ = 0;     // Huber's delta, the crossentropies' label smoothing
  double factor_ = 1;    // elementwise: 1 / the number of values averaged per sample
  // CTC: T = positions_, C = last_, the label width L = labelFloats_.
  long outDim_ = 0, last_ = 1, positions_ = 1, labelFloats_ = 0;
};

}  // namespace tessel::gpu
