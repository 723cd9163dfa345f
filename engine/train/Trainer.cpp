#include "engine/train/Trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "engine/callbacks/CallbackList.h"
#include "engine/callbacks/ProgressLogger.h"
#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/BatchPrefetcher.h"
#include "engine/data/RowSource.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/train/AdaptLayers.h"
#include "engine/train/BatchAugmenter.h"
#include "engine/train/EpochIterator.h"
#include "engine/train/StatefulRnn.h"

namespace tessel {

namespace {

// GPU runs gather this many batches ahead when the data set asks for no prefetch: the host then
// gathers batch k+1 while the GPU runs step k, as Keras's data adapter pipelines array input
// (tf.data with AUTOTUNE) ahead of the device. Same batches, same weights (BatchPrefetcher.h).
constexpr int kGpuPrefetch = 2;

int prefetchDepth(const Dataset& d, bool onGpu) {
  return d.prefetch > 0 ? d.prefetch : (onGpu ? kGpuPrefetch : 0);
}

// Dataset::prefetch: the epoch's training batches (rows from the epoch iterator, which the reader
// thread alone advances until the prefetcher is destroyed) gathered `depth` ahead; null for 0.
std::unique_ptr<BatchPrefetcher> prefetchEpoch(const Dataset& d, EpochIterator& it, int depth) {
  if (depth <= 0) return nullptr;
  std::vector<Array> arrays = d.x;
  arrays.insert(arrays.end(), d.y.begin(), d.y.end());
  return std::make_unique<BatchPrefetcher>(
      std::move(arrays), depth, [&it, left = it.stepsPerEpoch()](std::vector<Index>& rows) mutable {
        if (left-- <= 0) return false;
        const Index* r = nullptr;
        const Index n = it.next(&r);
        rows.assign(r, r + n);
        return true;
      });
}

// Dataset::prefetch for evaluation (fit's validation, evaluate()): the batches of rows
// idx[0..n) in order, gathered `depth` ahead; null for 0. idx must outlive the prefetcher.
std::unique_ptr<BatchPrefetcher> prefetchRows(const Dataset& d, const Index* idx, Index n,
                                              Index batchSize, int depth) {
  if (depth <= 0) return nullptr;
  std::vector<Array> arrays = d.x;
  arrays.insert(arrays.end(), d.y.begin(), d.y.end());
  return std::make_unique<BatchPrefetcher>(
      std::move(arrays), depth,
      [idx, n, batchSize, pos = Index(0)](std::vector<Index>& rows) mutable {
        if (pos >= n) return false;
        const Index m = std::min(batchSize, n - pos);
        rows.assign(idx + pos, idx + pos + m);
        pos += m;
        return true;
      });
}

}  // namespace

// Preallocated tensors of one batch (sized for the batch size once; smaller batches reuse them).
struct Trainer::Batch {
  std::vector<Tensor> x, y, dOut;
  std::vector<const Tensor*> xPtr, dOutPtr;
  std::vector<float> w, per, scale;
  RunContext ctx;
  std::uint64_t fitSeed = 0;  // fit's seed and current epoch, for the augmentation streams
  int epoch = 0;

  void allocate(const Dataset& data, Model& model, Index batchSize) {
    x.resize(data.x.size());
    y.resize(data.y.size());
    dOut.resize(model.numOutputs());
    xPtr.resize(x.size());
    dOutPtr.resize(dOut.size());
    for (size_t i = 0; i < x.size(); ++i) {
      x[i].resize(withBatch(data.x[i].shape(), batchSize));
      xPtr[i] = &x[i];
    }
    for (size_t k = 0; k < y.size(); ++k) y[k].resize(withBatch(data.y[k].shape(), batchSize));
    for (size_t k = 0; k < dOut.size(); ++k) {
      const Shape& s = model.outputShape(k);
      bool known = true;
      for (size_t d = 1; d < s.size(); ++d) known &= s[d] != kNone;
      if (known) dOut[k].resize(withBatch(s, batchSize));
      dOutPtr[k] = &dOut[k];
    }
    w.assign(static_cast<size_t>(batchSize), 1.0f);
    per.assign(static_cast<size_t>(batchSize), 0.0f);
    scale.assign(static_cast<size_t>(batchSize), 0.0f);
  }
};

Trainer::Trainer(Model& model, CompileOptions compile)
    : model_(model), compile_(std::move(compile)) {
  const size_t nOut = model_.numOutputs();
  if (compile_.losses.empty()) throw Error("compile: no loss given");
  if (compile_.losses.size() != 1 && compile_.losses.size() != nOut)
    throw Error("compile: " + std::to_string(compile_.losses.size()) + " losses given for " +
                std::to_string(nOut) + " outputs");
  for (size_t k = 0; k < nOut; ++k)
    losses_.push_back(makeLoss(compile_.losses[compile_.losses.size() == 1 ? 0 : k]));
  if (compile_.lossWeights.empty())
    lossWeights_.assign(nOut, 1.0);
  else if (compile_.lossWeights.size() == nOut)
    lossWeights_ = compile_.lossWeights;
  else
    throw Error("compile: " + std::to_string(compile_.lossWeights.size()) +
                " loss weights given for " + std::to_string(nOut) + " outputs");
  if (!compile_.metrics.empty() && compile_.metrics.size() != 1 && compile_.metrics.size() != nOut)
    throw Error("compile: metrics given for " + std::to_string(compile_.metrics.size()) +
                " outputs, the model has " + std::to_string(nOut));
  metrics_.resize(nOut);
  for (size_t k = 0; k < nOut && !compile_.metrics.empty(); ++k)
    for (const json& m : compile_.metrics[compile_.metrics.size() == 1 ? 0 : k])
      metrics_[k].push_back(makeMetric(m, losses_[k].get(), model_.outputShape(k)));
  optimizer_ = makeOptimizer(compile_.optimizer);
  trainable_ = model_.trainableWeights();

  // Keras 2 names: "loss", then "<output>_loss" per output when there are several, then the
  // metrics ("accuracy", or "<output>_accuracy" with several outputs).
  logNames_.push_back("loss");
  if (nOut > 1)
    for (size_t k = 0; k < nOut; ++k) logNames_.push_back(model_.outputName(k) + "_loss");
  for (size_t k = 0; k < nOut; ++k)
    for (const auto& m : metrics_[k])
      logNames_.push_back(nOut > 1 ? model_.outputName(k) + "_" + m->name() : m->name());
  outLossSum_.assign(nOut, 0.0);
}

Trainer::~Trainer() = default;

void Trainer::requestStop() {
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    stop_ = true;
  }
  pauseCv_.notify_all();
}

void Trainer::pause() {
  std::lock_guard<std::mutex> lock(pauseMutex_);
  paused_ = true;
}

void Trainer::resume() {
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    paused_ = false;
  }
  pauseCv_.notify_all();
}

void Trainer::waitWhilePaused() {
  if (!paused_.load(std::memory_order_relaxed)) return;
  std::unique_lock<std::mutex> lock(pauseMutex_);
  pauseCv_.wait(lock, [this] { return !paused_.load() || stop_.load(); });
}

void Trainer::checkData(const Dataset& data, const char* what) const {
  const std::string w(what);
  if (data.x.size() != model_.numInputs())
    throw Error(w + ": the model has " + std::to_string(model_.numInputs()) + " input(s), got " +
                std::to_string(data.x.size()) + " array(s)");
  if (data.y.size() != model_.numOutputs())
    throw Error(w + ": the model has " + std::to_string(model_.numOutputs()) + " output(s), got " +
                std::to_string(data.y.size()) + " label array(s)");
  const Index n = data.size();
  if (n <= 0) throw Error(w + ": no samples");
  for (size_t i = 0; i < data.x.size(); ++i) {
    const Shape& want = model_.inputShape(i);
    const Shape& got = data.x[i].shape();
    bool ok = got.size() == want.size();
    for (size_t d = 1; ok && d < want.size(); ++d) ok = want[d] == kNone || want[d] == got[d];
    if (!ok)
      throw Error(w + ": input '" + model_.inputName(i) + "' expects " + shapeToString(want) +
                  ", the data is " + shapeToString(got));
    if (data.x[i].rows() != n)
      throw Error(w + ": input arrays have different sample counts (" + std::to_string(n) +
                  " and " + std::to_string(data.x[i].rows()) + ")");
  }
  for (size_t k = 0; k < data.y.size(); ++k)
    if (data.y[k].rows() != n)
      throw Error(w + ": " + std::to_string(n) + " samples but " +
                  std::to_string(data.y[k].rows()) + " labels for output '" + model_.outputName(k) +
                  "'");
  if (!data.sampleWeight.empty() && static_cast<Index>(data.sampleWeight.size()) != n)
    throw Error(w + ": " + std::to_string(data.sampleWeight.size()) + " sample weights for " +
                std::to_string(n) + " samples");
}

void Trainer::checkLabels(const Dataset& data) const {
  for (size_t k = 0; k < data.y.size(); ++k) {
    Tensor labels = data.y[k].toTensor();
    try {
      losses_[k]->checkLabels(labels, withBatch(model_.outputShape(k), labels.dim(0)));
    } catch (const Error& e) {
      if (data.y.size() == 1) throw;
      throw Error("output '" + model_.outputName(k) + "': " + e.what());
    }
  }
}

void Trainer::resetMeans() {
  lossSum_ = lossCount_ = 0;
  std::fill(outLossSum_.begin(), outLossSum_.end(), 0.0);
  for (auto& ms : metrics_)
    for (auto& m : ms) m->reset();
}

Logs Trainer::currentLogs(const char* prefix) const {
  Logs logs;
  const std::string p(prefix);
  const double count = lossCount_ > 0 ? lossCount_ : 1;
  logs.emplace_back(p + "loss", lossSum_ / count);
  size_t name = 1;
  if (outLossSum_.size() > 1)
    for (double s : outLossSum_) logs.emplace_back(p + logNames_[name++], s / count);
  for (const auto& ms : metrics_)
    for (const auto& m : ms) logs.emplace_back(p + logNames_[name++], m->result());
  return logs;
}

double Trainer::step(const Dataset& data, const Index* idx, Index n, const float* cwTable,
                     int cwSize, bool train, Batch& b, std::vector<Tensor>* gathered) {
  for (size_t i = 0; i < data.x.size(); ++i)
    gathered ? std::swap(b.x[i], (*gathered)[i]) : data.x[i].gather(idx, n, b.x[i]);
  for (size_t k = 0; k < data.y.size(); ++k)
    gathered ? std::swap(b.y[k], (*gathered)[data.x.size() + k]) : data.y[k].gather(idx, n, b.y[k]);
  // Data augmentation: training batches only, in place (boxes follow the images).
  if (train && data.augment)
    data.augment->apply(b.x[0], data.augmentBoxOutput >= 0 ? &b.y[data.augmentBoxOutput] : nullptr,
                        idx, n, b.fitSeed, b.epoch);

  // Per-sample weights: sample_weight × class_weight[class of the label] (Keras 2 data adapter:
  // argmax of one-hot labels, else the label cast to int; ids outside the table weigh 1).
  const bool haveWeights = !data.sampleWeight.empty() || cwSize > 0;
  float* w = b.w.data();
  for (Index j = 0; j < n; ++j) w[j] = data.sampleWeight.empty() ? 1.0f : data.sampleWeight[idx[j]];
  if (cwSize > 0) {
    const Tensor& y = b.y[0];
    const Index row = n > 0 ? y.size() / n : 0;
    for (Index j = 0; j < n; ++j) {
      const float* r = y.data() + j * row;
      Index c;
      if (row > 1)
        c = static_cast<Index>(std::max_element(r, r + row) - r);
      else
        c = static_cast<Index>(r[0]);
      if (c >= 0 && c < cwSize) w[j] *= cwTable[c];
    }
  }

  b.ctx.addedLoss = 0.0;
  const double invN = 1.0 / static_cast<double>(n);
  if (gpu_) {  // the whole step on the GPU; loss and metrics below, from its outputs
    // Output k's per-sample loss scales at k * n (Executor::run).
    if (b.scale.size() < losses_.size() * static_cast<size_t>(n))
      b.scale.resize(losses_.size() * static_cast<size_t>(n));
    for (size_t k = 0; k < losses_.size(); ++k) {
      const float f = static_cast<float>(lossWeights_[k] * invN);
      float* sk = b.scale.data() + k * static_cast<size_t>(n);
      for (Index j = 0; j < n; ++j) sk[j] = w[j] * f;
    }
    gpu_->run(b.x, b.y, b.scale.data(), n, train, *optimizer_, b.ctx);
  } else {
    model_.forward(b.xPtr, train, b.ctx);
  }

  double total = 0;
  for (size_t k = 0; k < losses_.size(); ++k) {
    const Tensor& out = gpu_ ? gpu_->output(k) : model_.output(k);
    const bool own = losses_[k]->takeSampleWeights(haveWeights ? w : nullptr);  // it weighs
    losses_[k]->perSample(b.y[k], out, b.per.data());
    double s = 0;
    for (Index j = 0; j < n; ++j) s += (own ? 1.0 : static_cast<double>(w[j])) * b.per[j];
    // Keras sum_over_batch_size: sum(sample_weight * loss) / batch size.
    const double lk = s * invN;
    outLossSum_[k] += lk * static_cast<double>(n);
    total += lossWeights_[k] * lk;
    if (train && !gpu_) {
      const float f = static_cast<float>(lossWeights_[k] * invN);
      for (Index j = 0; j < n; ++j) b.scale[j] = (own ? 1.0f : w[j]) * f;
      losses_[k]->gradient(b.y[k], out, b.scale.data(), b.dOut[k]);
    }
    for (auto& m : metrics_[k]) m->update(b.y[k], out, haveWeights ? w : nullptr);
  }
  if (gpu_) {
    total += gpu_->regularization();  // the step added the penalties' gradients on the device
  } else if (train) {
    model_.backward(b.dOutPtr, b.ctx);
    total += model_.regularization(true);
  } else {
    total += model_.regularization(false);
  }
  total += b.ctx.addedLoss;
  lossSum_ += total * static_cast<double>(n);
  lossCount_ += static_cast<double>(n);
  if (train && std::isfinite(total)) {
    if (gpu_) {
      // The GPU step updated the weights, unless loss scaling skipped it (a non-finite gradient
      // under mixed_float16: Keras's LossScaleOptimizer leaves the iterations as they are).
      if (gpu_->stepApplied()) optimizer_->setIterations(optimizer_->iterations() + 1);
    } else
      optimizer_->apply(trainable_);
  }
  return total;
}

// One fit() call: its validated arguments and the buffers and state of its loop.
struct Trainer::FitRun {
  const Dataset& data;
  const FitOptions& options;
  std::vector<float> classWeights;  // class id -> weight (empty: none)
  Index trainRows = 0;
  const Dataset* valData = nullptr;  // null: no validation
  std::vector<Index> valRows;
  Batch batch;
  Rng dropoutRng;
  std::optional<EpochIterator> iterator;
  Logs batchLogs;            // running "loss" and per-output losses, updated in place
  std::vector<Tensor> good;  // weights at the last good epoch end (or the start)
  int goodEpoch = -1;
  History history;

  FitRun(const Dataset& d, const FitOptions& o) : data(d), options(o), dropoutRng(o.seed) {}
};

void Trainer::checkFitArguments(const Dataset& data, const FitOptions& options) const {
  checkData(data, "fit");
  if (data.augment && data.augmentBoxOutput >= static_cast<int>(data.y.size()))
    throw Error("fit: the augmentation's box output is " + std::to_string(data.augmentBoxOutput) +
                ", the data has " + std::to_string(data.y.size()) + " target(s)");
  if (options.batchSize <= 0) throw Error("fit: batch_size must be positive");
  if (options.epochs < 0 || options.initialEpoch < 0) throw Error("fit: epochs must be >= 0");
  if (options.stepsPerEpoch < 0) throw Error("fit: steps_per_epoch must be >= 0");
  if (options.validationSplit < 0 || options.validationSplit >= 1)
    throw Error("fit: validation_split must be in [0, 1)");
}

// Class weights: a dense table; Keras 2 requires keys 0 .. max.
std::vector<float> Trainer::classWeightTable(const FitOptions& options) const {
  std::vector<float> table;
  if (options.classWeight.empty()) return table;
  if (model_.numOutputs() != 1)
    throw Error("fit: class_weight is only supported for models with a single output");
  const int maxId = options.classWeight.rbegin()->first;
  if (options.classWeight.begin()->first < 0 ||
      static_cast<int>(options.classWeight.size()) != maxId + 1)
    throw Error(
        "fit: class_weight must have keys from 0 to one less than the number of "
        "classes");
  for (const auto& [id, weight] : options.classWeight) table.push_back(float(weight));
  return table;
}

// Keras 2: validation_data wins; validation_split takes the LAST fraction of the samples, before
// any shuffling.
void Trainer::splitValidation(FitRun& run) const {
  const FitOptions& options = run.options;
  const Index total = run.data.size();
  run.trainRows = total;
  Index valBegin = 0, valN = 0;
  if (options.validationData) {
    checkData(*options.validationData, "fit (validation data)");
    run.valData = &*options.validationData;
    valN = run.valData->size();
  } else if (options.validationSplit > 0) {
    run.trainRows = static_cast<Index>(std::floor(double(total) * (1.0 - options.validationSplit)));
    if (run.trainRows <= 0 || run.trainRows >= total)
      throw Error("fit: " + std::to_string(total) +
                  " samples are not enough to split into a "
                  "training and a validation set with validation_split=" +
                  ProgressLogger::formatValue(options.validationSplit));
    run.valData = &run.data;
    valBegin = run.trainRows;
    valN = total - run.trainRows;
  }
  run.valRows.resize(static_cast<size_t>(valN));
  for (Index i = 0; i < valN; ++i) run.valRows[i] = valBegin + i;
}

// Everything the loop needs, allocated once: batch tensors, the epoch iterator, batch logs.
void Trainer::prepareFit(FitRun& run) {
  const Index bs = run.options.batchSize;
  run.batch.allocate(run.data, model_, std::min(bs, run.trainRows));
  run.batch.ctx.rng = &run.dropoutRng;
  run.batch.fitSeed = run.options.seed;
  // A streamed source (TFRecord shards) is read in order: Keras ignores fit's shuffle for a
  // tf.data.Dataset, whose own shuffle buffer shuffles.
  bool streamed = false;
  for (const auto* arrays : {&run.data.x, &run.data.y})
    for (const Array& a : *arrays)
      streamed = streamed || (a.rowSource() && a.rowSource()->sequentialOnly());
  run.iterator.emplace(run.trainRows, bs, run.options.stepsPerEpoch,
                       run.options.shuffle && !streamed, run.options.seed);
  model_.copyWeightsTo(run.good);
  run.batchLogs.emplace_back("loss", 0.0);
  if (outLossSum_.size() > 1)
    for (size_t k = 0; k < outLossSum_.size(); ++k)
      run.batchLogs.emplace_back(logNames_[1 + k], 0.0);
}

// A NaN/Inf loss: the weights of the last good epoch end come back; the message says so.
void Trainer::failFit(FitRun& run, int epoch, int batch, double loss) {
  model_.setWeights(run.good);
  char msg[256];
  std::snprintf(msg, sizeof msg, "loss became %s at epoch %d, batch %d; ",
                std::isnan(loss) ? "NaN" : "Inf", epoch + 1, batch + 1);
  run.history.stopReason =
      std::string(msg) + (run.goodEpoch < 0 ? "weights restored to their initial values"
                                            : "weights restored to the end of epoch " +
                                                  std::to_string(run.goodEpoch + 1));
}

// The training steps of one epoch; returns how many ran (-1 when the loss became NaN/Inf).
int Trainer::trainSteps(FitRun& run, CallbackList& callbacks, int epoch) {
  EpochIterator& it = *run.iterator;
  it.beginEpoch(epoch);
  run.dropoutRng.reseed(EpochIterator::epochSeed(run.options.seed, epoch) ^ 0xD1B54A32D192ED03ULL);
  run.batch.epoch = epoch;
  const int cwSize = static_cast<int>(run.classWeights.size());
  int done = 0;
  const std::unique_ptr<BatchPrefetcher> ahead =
      prefetchEpoch(run.data, it, prefetchDepth(run.data, gpu_ != nullptr));
  for (int b = 0; b < it.stepsPerEpoch(); ++b) {
    waitWhilePaused();
    if (stop_.load(std::memory_order_relaxed)) break;
    const Index* rows = nullptr;
    BatchPrefetcher::Batch* pre = ahead ? ahead->next() : nullptr;
    if (ahead && !pre) break;
    const Index n = pre ? Index(pre->rows.size()) : it.next(&rows);
    if (pre) rows = pre->rows.data();
    const double loss = step(run.data, rows, n, run.classWeights.data(), cwSize, true, run.batch,
                             pre ? &pre->arrays : nullptr);
    if (!std::isfinite(loss)) {
      failFit(run, epoch, b, loss);
      return -1;
    }
    ++done;
    run.batchLogs[0].second = lossSum_ / lossCount_;
    for (size_t k = 1; k < run.batchLogs.size(); ++k)
      run.batchLogs[k].second = outLossSum_[k - 1] / lossCount_;
    callbacks.onBatchEnd(epoch, b, run.batchLogs);
  }
  return done;
}

// Epoch-end logs: the training means, then the validation logs with the val_ prefix.
Logs Trainer::epochLogs(FitRun& run) {
  Logs logs = currentLogs("");
  if (run.valData) {
    Logs val = evaluateIndices(*run.valData, run.valRows.data(),
                               static_cast<Index>(run.valRows.size()), run.options.batchSize);
    for (auto& [k, v] : val) logs.emplace_back("val_" + k, v);
  }
  return logs;
}

gpu::Numerics Trainer::gpuNumerics() const {
  return gpu::Numerics{gpuDeterministic_, gpuTf32_, gpu::precisionFromName(gpuDtypePolicy_)};
}

// Keras's fit loop: one CallbackList (progress logger, the callbacks, History, the observer), an
// epoch iterator, and every event dispatched once through the list.
History Trainer::fit(const Dataset& data, const FitOptions& options,
                     const std::vector<Callback*>& callbacks, Callback* observer) {
  checkFitArguments(data, options);
  // Before anything changes: a mixed dtype policy is a GPU option.
  if (gpu::precisionFromName(options.dtypePolicy) != gpu::Precision::Float32 &&
      gpu::parseDevice(options.device) < 0)
    throw Error("the " + options.dtypePolicy +
                " dtype policy runs on a GPU (--device cuda); the CPU engine computes in float32");
  FitRun run(data, options);
  run.classWeights = classWeightTable(options);
  splitValidation(run);
  checkLabels(data);
  if (options.validationData) checkLabels(*run.valData);
  // Keras users call Normalization.adapt() before fit: Normalization layers fed directly by a
  // model input and without state yet are adapted here on the training rows (AdaptLayers.h).
  adaptInputNormalizations(model_, data.x, run.trainRows);
  prepareFit(run);
  // A GPU run: the device plan lives for this fit; weights go up at each epoch's start and come
  // back at its end (callbacks and checkpoints see them), and when the fit ends.
  struct GpuScope {
    std::unique_ptr<gpu::Executor>& p;
    ~GpuScope() { p.reset(); }
  } gpuScope{gpu_};
  const int gpuDevice = gpu::requireDevice(options.device);
  gpuDeterministic_ = options.deterministic;
  gpuTf32_ = options.tf32;
  gpuDtypePolicy_ = options.dtypePolicy;
  if (gpuDevice >= 0) {
    std::vector<const Loss*> losses;
    for (const auto& l : losses_) losses.push_back(l.get());
    gpu_ = gpu::Executor::create(gpuDevice, model_, losses, lossWeights_, *optimizer_, trainable_,
                                 std::max<Index>(options.batchSize, 1), gpuNumerics());
  }

  if (options.shuffle && options.verbose > 0 && options.out && hasStatefulLayers(model_))
    *options.out << "Warning: shuffle=True with stateful recurrent layers: row k of a batch "
                    "continues row k of the previous batch only when the data is not shuffled "
                    "(Keras: fit(shuffle=False)).\n";
  std::optional<ProgressLogger> progress;
  if (options.verbose > 0 && options.out) progress.emplace(*options.out);
  CallbackList list(progress ? &*progress : nullptr, callbacks, &run.history);
  list.append(observer);
  list.setTrainer(this);
  list.onTrainBegin(options, run.iterator->stepsPerEpoch());

  bool failed = false;
  for (int epoch = options.initialEpoch; epoch < options.epochs && !stop_.load(); ++epoch) {
    list.onEpochBegin(epoch);
    resetMeans();
    if (gpu_) gpu_->upload(*optimizer_);
    const int done = trainSteps(run, list, epoch);
    if (gpu_ && done > 0) gpu_->download(*optimizer_);
    if (done < 0) {
      failed = true;
      list.onFailed(run.history.stopReason);
      break;
    }
    if (done == 0) break;  // stopped before the first batch of this epoch
    Logs logs = epochLogs(run);
    list.onEpochEnd(epoch, logs);
    model_.copyWeightsTo(run.good);
    run.goodEpoch = epoch;
  }
  if (!failed && stop_.load() && run.history.stopReason.empty())
    run.history.stopReason = "training stopped on request";
  if (!failed) list.onFinished(run.history);
  list.setTrainer(nullptr);
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    stop_ = false;
  }
  return std::move(run.history);
}

Logs Trainer::evaluateIndices(const Dataset& data, const Index* idx, Index n, Index batchSize) {
  Batch b;
  b.allocate(data, model_, std::min(batchSize, n));
  resetMeans();
  const std::unique_ptr<BatchPrefetcher> ahead =
      prefetchRows(data, idx, n, batchSize, prefetchDepth(data, gpu_ != nullptr));
  for (Index pos = 0; pos < n; pos += batchSize) {
    const Index m = std::min(batchSize, n - pos);
    BatchPrefetcher::Batch* pre = ahead ? ahead->next() : nullptr;
    if (ahead && !pre) throw Error("prefetch: the evaluation batches ended early");
    step(data, idx + pos, m, nullptr, 0, false, b, pre ? &pre->arrays : nullptr);
  }
  return currentLogs("");
}

// A GPU inference plan for evaluate() / predict() on `device` (none for "cpu" or while a fit
// already holds one), reset when the call returns.
struct Trainer::GpuInference {
  std::unique_ptr<gpu::Executor>& slot;
  bool owned = false;
  GpuInference(std::unique_ptr<gpu::Executor>& s, Model& model, const std::string& device,
               Index batch, gpu::Numerics numerics)
      : slot(s) {
    const int index = gpu::requireDevice(device);
    if (index < 0 || slot) return;
    slot = gpu::Executor::createInference(index, model, std::max<Index>(batch, 1), numerics);
    slot->uploadWeights();
    owned = true;
  }
  ~GpuInference() {
    if (owned) slot.reset();
  }
};

Logs Trainer::evaluate(const Dataset& data, int batchSize) {
  return evaluate(data, batchSize, "cpu");
}

std::vector<Tensor> Trainer::predict(const std::vector<Array>& x, int batchSize) {
  return predict(x, batchSize, "cpu");
}

void Trainer::syncHostWeights() {
  if (gpu_) gpu_->download(*optimizer_);
}

Logs Trainer::evaluate(const Dataset& data, int batchSize, const std::string& device) {
  checkData(data, "evaluate");
  if (batchSize <= 0) throw Error("evaluate: batch_size must be positive");
  checkLabels(data);
  GpuInference onGpu(gpu_, model_, device, std::min<Index>(batchSize, data.size()), gpuNumerics());
  std::vector<Index> idx(static_cast<size_t>(data.size()));
  for (Index i = 0; i < data.size(); ++i) idx[i] = i;
  return evaluateIndices(data, idx.data(), data.size(), batchSize);
}

std::vector<Tensor> Trainer::predict(const std::vector<Array>& x, int batchSize,
                                     const std::string& device) {
  Dataset d;
  d.x = x;
  if (x.size() != model_.numInputs())
    throw Error("predict: the model has " + std::to_string(model_.numInputs()) + " input(s), got " +
                std::to_string(x.size()) + " array(s)");
  if (batchSize <= 0) throw Error("predict: batch_size must be positive");
  const Index n = d.size();
  for (const auto& a : x) {
    if (a.rows() != n) throw Error("predict: input arrays have different sample counts");
  }
  std::vector<Tensor> outs(model_.numOutputs());
  if (n == 0) return outs;
  Batch b;
  b.allocate(d, model_, std::min<Index>(batchSize, n));
  GpuInference onGpu(gpu_, model_, device, std::min<Index>(batchSize, n), gpuNumerics());
  std::vector<Index> idx(static_cast<size_t>(std::min<Index>(batchSize, n)));
  for (Index pos = 0; pos < n; pos += batchSize) {
    const Index m = std::min<Index>(batchSize, n - pos);
    for (Index j = 0; j < m; ++j) idx[j] = pos + j;
    for (size_t i = 0; i < x.size(); ++i) x[i].gather(idx.data(), m, b.x[i]);
    b.ctx.addedLoss = 0;
    if (gpu_)
      gpu_->run(b.x, {}, nullptr, m, false, *optimizer_, b.ctx);
    else
      model_.forward(b.xPtr, false, b.ctx);
    for (size_t k = 0; k < outs.size(); ++k) {
      const Tensor& o = gpu_ ? gpu_->output(k) : model_.output(k);
      if (pos == 0) outs[k].resize(withBatch(o.shape(), n));
      const Index row = o.size() / m;
      if (outs[k].size() != row * n)
        throw Error("predict: output '" + model_.outputName(k) + "' changes shape across batches");
      std::copy(o.data(), o.data() + o.size(), outs[k].data() + pos * row);
    }
  }
  return outs;
}

void Trainer::reconfigureOptimizer(const json& spec) {
  std::unique_ptr<Optimizer> next = makeOptimizer(spec);
  if (optimizer_->built()) {
    next->build(trainable_);
    if (next->name() == optimizer_->name()) {
      std::vector<Tensor*> from = optimizer_->state();
      std::vector<Tensor*> to = next->state();
      if (from.size() == to.size())
        for (size_t i = 0; i < from.size(); ++i)
          if (from[i]->shape() == to[i]->shape())
            std::copy(from[i]->data(), from[i]->data() + from[i]->size(), to[i]->data());
    }
  }
  next->setIterations(optimizer_->iterations());
  optimizer_ = std::move(next);
  compile_.optimizer = optimizer_->toJson();
}

}  // namespace tessel
