#pragma once
// Data and fit() arguments as Keras's Model.fit takes them.
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/Array.h"

namespace tessel {

class BatchAugmenter;

// x: one Array per model input, y: one per output (labels as floats after Array's affine map),
// sampleWeight: empty or one weight per sample.
struct Dataset {
  std::vector<Array> x;
  std::vector<Array> y;
  std::vector<float> sampleWeight;
  // Augmentation of TRAINING batches (BatchAugmenter.h, set by attachAugmentation): applied to
  // x[0] and to the (N, 4) boxes of y[augmentBoxOutput] (-1: none) in fit's training steps only.
  std::shared_ptr<const BatchAugmenter> augment = nullptr;
  int augmentBoxOutput = -1;
  // tf.data's prefetch: > 0 gathers that many training batches ahead on a reader thread
  // (BatchPrefetcher.h; the data settings' pipeline.prefetch); same batches, same weights.
  int prefetch = 0;
  Index size() const { return x.empty() ? 0 : x[0].rows(); }
};

struct FitOptions {
  int epochs = 1, batchSize = 32, initialEpoch = 0, stepsPerEpoch = 0;  // 0 = all batches
  bool shuffle = true;
  double validationSplit = 0;  // the LAST fraction of the samples, taken before shuffling
  std::optional<Dataset> validationData;  // wins over validationSplit, as Keras
  std::map<int, double> classWeight;      // class id → weight (single-output models)
  std::uint64_t seed = 0;                 // shuffling and dropout
  std::string device = "cpu";             // "cpu", "cuda" or "cuda:N" (engine/gpu)
  // Keras's tf.config.experimental.enable_op_determinism(): on the GPU only deterministic cuDNN
  // convolution algorithms (slower at large batches). Off by default, as in Keras: cuDNN's
  // fastest FP32 algorithm is used, which may sum in a different order from run to run. The
  // CPU engine is deterministic either way.
  bool deterministic = false;
  // Keras's tf.config.experimental.enable_tensor_float_32_execution(True): on the GPU, matrix
  // products and convolutions in TF32 on tensor cores (10-bit mantissa, FP32 range). Off by
  // default, as the issue asks (Keras numerics in FP32); the CPU engine ignores it.
  bool tf32 = false;
  // Keras's dtype policy (keras.mixed_precision.set_global_policy): "float32" (the default),
  // "mixed_float16" (16-bit products with FP32 weights and Keras 3's dynamic loss scaling) or
  // "mixed_bfloat16"; a GPU option (engine/gpu/GpuExecutor.h, Numerics): fit() on the CPU
  // refuses the mixed policies rather than train in another precision than asked.
  std::string dtypePolicy = "float32";
  int verbose = 1;  // 0 silent; 1 or 2: "Epoch i/n" + one Keras verbose=2 line per epoch
  std::ostream* out = &std::cout;
};

}  // namespace tessel
