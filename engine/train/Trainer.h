#pragma once
// Keras 2 Model.fit / evaluate / predict on a compiled Model. fit() reads like Keras's trainer: an
// EpochIterator yields the rows of each step and ONE CallbackList (progress logger, the user's
// callbacks, History, the observer) receives every event once. The hot loop is
// gather → forward → loss gradient → backward → optimizer, with no allocation, map lookup or
// string formatting per batch. requestStop/pause/resume may be called from any thread.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/callbacks/Callback.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "engine/train/History.h"
#include "engine/train/Logs.h"
#include "engine/train/Model.h"
#include "engine/train/TrainObserver.h"

namespace tessel {

class CallbackList;
namespace gpu {
class Executor;
struct Numerics;
}  // namespace gpu

class Trainer {
 public:
  // Resolves losses (makeLoss), metrics (makeMetric) and the optimizer (makeOptimizer); throws
  // Error for an unknown name or a loss/metric count that does not fit the outputs.
  Trainer(Model& model, CompileOptions compile);
  ~Trainer();

  // Keras 2 fit(). The callbacks run in Keras 2's order (CallbackList.h): the progress logger
  // (verbose > 0: "Epoch i/n" and one verbose=2 line per epoch on options.out), `callbacks`,
  // History, then `observer` (a callback too: the studio's bridge, the run recorder). Throws
  // Error for bad input (sizes, labels that do not fit the loss); a NaN/Inf loss stops training,
  // restores the weights of the last good epoch end, calls onFailed (instead of onFinished) and
  // returns the History (History::stopReason holds the message).
  History fit(const Dataset& data, const FitOptions& options,
              const std::vector<Callback*>& callbacks = {}, Callback* observer = nullptr);
  // Keras evaluate(): "loss", per-output losses, metrics (no val_ prefix). Sample weights apply.
  Logs evaluate(const Dataset& data, int batchSize = 32);
  // device "cuda[:N]": the forward passes on the GPU (engine/gpu), loss and metrics on the host.
  Logs evaluate(const Dataset& data, int batchSize, const std::string& device);
  // One tensor per output, (N, ...) for all N samples; device as evaluate().
  std::vector<Tensor> predict(const std::vector<Array>& x, int batchSize = 32);
  std::vector<Tensor> predict(const std::vector<Array>& x, int batchSize,
                              const std::string& device);
  // During a GPU fit the host's weights are those of the epoch's start until its end; a callback
  // that reads them between batches (previews) calls this first: it copies the device's weights
  // to the host (one copy, the step is already synchronised). No-op on the CPU.
  void syncHostWeights();

  void requestStop();  // thread-safe; fit returns after the current batch
  void pause();        // thread-safe; fit blocks between batches until resume() or requestStop()
  void resume();
  bool isPaused() const { return paused_.load(); }
  bool stopRequested() const { return stop_.load(); }

  Optimizer& optimizer() { return *optimizer_; }
  // Replaces the optimizer by makeOptimizer(spec) between steps (settings changed while paused).
  // Same class: the slot state (moments, ...) carries over; another class starts with fresh
  // slots. The iteration count carries over either way. Throws Error for a bad spec (the old
  // optimizer stays). Not thread-safe: call on the training thread or while fit is not running.
  void reconfigureOptimizer(const nlohmann::json& spec);
  Model& model() { return model_; }
  const CompileOptions& compileOptions() const { return compile_; }
  // Log names of one evaluation, in Keras order ("loss", "out_loss"..., metrics).
  const std::vector<std::string>& logNames() const { return logNames_; }

 private:
  struct Batch;         // preallocated per-batch tensors
  struct FitRun;        // one fit() call's arguments, buffers and state
  struct GpuInference;  // evaluate / predict on a GPU
  void checkFitArguments(const Dataset& data, const FitOptions& options) const;
  std::vector<float> classWeightTable(const FitOptions& options) const;
  void splitValidation(FitRun& run) const;
  void prepareFit(FitRun& run);
  void failFit(FitRun& run, int epoch, int batch, double loss);
  int trainSteps(FitRun& run, CallbackList& callbacks, int epoch);
  Logs epochLogs(FitRun& run);
  void checkData(const Dataset& data, const char* what) const;
  void checkLabels(const Dataset& data) const;
  // Runs forward + losses on idx[0..n); accumulates metrics and loss means. Returns total loss
  // of the batch (without regularization). When train, also backward + optimizer. gathered: the
  // batch's x then y tensors already gathered (prefetch; swapped into b), else gathered here.
  double step(const Dataset& data, const Index* idx, Index n, const float* classWeightTable,
              int classWeightSize, bool train, Batch& b, std::vector<Tensor>* gathered = nullptr);
  // Evaluates rows idx[0..n) in batches of batchSize (no class weights); resets the means.
  Logs evaluateIndices(const Dataset& data, const Index* idx, Index n, Index batchSize);
  void resetMeans();
  Logs currentLogs(const char* prefix) const;
  void waitWhilePaused();

  Model& model_;
  CompileOptions compile_;
  std::vector<std::unique_ptr<Loss>> losses_;                  // one per output
  std::vector<double> lossWeights_;                            // one per output
  std::vector<std::vector<std::unique_ptr<Metric>>> metrics_;  // per output
  std::unique_ptr<Optimizer> optimizer_;
  std::vector<std::string> logNames_;
  std::vector<Variable*> trainable_;
  // fit() on a GPU (FitOptions::device): the device plan, for the duration of the fit.
  std::unique_ptr<gpu::Executor> gpu_;
  // The last fit's GPU opt-ins (FitOptions::deterministic, tf32, dtypePolicy), kept for
  // evaluate() / predict() on the GPU as Keras keeps enable_op_determinism, TF32 and the global
  // dtype policy for the whole process.
  bool gpuDeterministic_ = false, gpuTf32_ = false;
  std::string gpuDtypePolicy_ = "float32";
  gpu::Numerics gpuNumerics() const;

  // Running means of an epoch: total loss, per-output losses.
  double lossSum_ = 0, lossCount_ = 0;
  std::vector<double> outLossSum_;

  std::atomic<bool> stop_{false}, paused_{false};
  std::mutex pauseMutex_;
  std::condition_variable pauseCv_;
};

}  // namespace tessel
