#pragma once
// Feeds the preview widgets during training. configure() (GUI thread) picks a fixed sample of the
// validation data and the rows of the confusion matrices; makeObserver() creates, for the Model
// being trained, a TrainObserver that runs inference on the TRAINING thread (between batches, so
// the model is not in use) at each epoch end — and every N batches on the sample when asked — and
// hands the outputs to the GUI thread through a mutex-protected mailbox and ONE queued call,
// however many frames arrive (later frames replace earlier unread ones).
//
//   PreviewDriver driver;
//   driver.configure(spec, compile, data, fit);       // GUI thread, before training
//   auto obs = driver.makeObserver(model);             // training thread (thread-safe)
//   trainer.fit(data, fit, {}, obs.get());             // previewUpdated / confusionUpdated follow
#include <QObject>
#include <QStringList>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "engine/train/TrainObserver.h"
#include "ui/preview/ImagePreprocessor.h"
#include "ui/preview/PreviewHeads.h"
#include "ui/preview/PreviewRecord.h"
#include "ui/preview/SequenceSetup.h"

namespace tessel {
class Model;
}  // namespace tessel

namespace tessel::ui {

struct PreviewSettings {
  int sampleCount = 16;         // images in the preview grid
  int everyNBatches = 0;        // also refresh the grid every N batches (0: epoch end only)
  Index confusionLimit = 1000;  // validation rows of the confusion matrices (0: all)
  std::uint64_t seed = 1;       // picks the fixed sample
  int predictBatch = 64;        // rows per forward pass of the preview inference
};

// What the training thread adds for sequence previews (SequenceSetup), for the first probeRows
// sample rows: seq2seq greedy decodings and each attention layer's weights.
struct SequenceFrame {
  std::vector<std::vector<Index>> decoded;  // seq2seq: decoded ids per probed row (no end token)
  std::vector<char> ended;                  // seq2seq: the row produced the end token
  // (layer, weights (P, Tq, Tv) or (P, heads, Tq, Tv)) for the P probed rows.
  std::vector<std::pair<std::string, Tensor>> attention;
  // Per layer of `attention` (same order): the Keras masks it saw, query (P, Tq) and keys
  // (P, Tv) (AttentionProbe::queryMask / keyMask); a tensor of size 0 where there was none.
  std::vector<std::pair<Tensor, Tensor>> attentionMasks;
};

class PreviewDriver : public QObject {
  Q_OBJECT
 public:
  struct Plan;     // immutable inference plan shared with observers (defined in the .cpp)
  struct Mailbox;  // training thread → GUI thread hand-over (defined in the .cpp)

  explicit PreviewDriver(QObject* parent = nullptr);
  ~PreviewDriver() override;

  // The run about to start, as given to TrainingController::start / Trainer::fit. The validation
  // data is fit.validationData, else the validation_split tail of `data`, else `data` itself.
  // Output roles are detected (PreviewDecoder::detect) unless setHeads() is called afterwards.
  // Throws Error for an invalid spec.
  void configure(const ModelSpec& spec, const CompileOptions& compile, const Dataset& data,
                 const FitOptions& fit);
  void setSettings(const PreviewSettings& settings);  // re-picks the sample when configured
  const PreviewSettings& settings() const { return settings_; }
  void setHeads(const PreviewHeads& heads);
  const PreviewHeads& heads() const { return heads_; }
  void setClassNames(const QStringList& names);
  const QStringList& classNames() const { return names_; }
  // Every annotated box of each validation sample (BuiltData::validationBoxes, in the validation
  // data's row order; [y_min, x_min, y_max, x_max]), for data with several boxes per image: the
  // tiles draw them all in green, the training target first. Used by the next configure() when
  // the validation data is fit.validationData with at most that many rows; empty = only the target.
  void setAllTruthBoxes(std::vector<std::vector<std::array<float, 4>>> boxes);
  bool isConfigured() const { return plan_ != nullptr; }
  // The next configure() treats the data as text (DataSettings kind "text") for SequenceSetup.
  void setTextData(bool text) { textData_ = text; }
  const SequenceSetup& sequenceSetup() const { return seq_; }

  const ModelSpec& spec() const { return spec_; }
  Index validationSize() const { return valN_; }
  const std::vector<Index>& sampleRows() const { return sampleRows_; }  // validation rows
  const ImagePreprocessor& preprocessor() const { return pre_; }

  // The observer for one training run of `model` (built from configure()'s spec). Thread-safe;
  // call it on the thread that runs fit. The observer keeps only shared state: it may outlive
  // the driver (its reports are then dropped). Returns an observer that does nothing when the
  // driver is not configured.
  std::unique_ptr<TrainObserver> makeObserver(Model& model);
  // makeObserver as a callable for a controller hook (keeps the driver's shared state alive, not
  // the driver: safe to call after the driver is gone, it then returns a silent observer).
  std::function<std::unique_ptr<TrainObserver>(Model&)> observerFactory();

  // Latest results (GUI thread).
  const std::vector<PreviewRecord>& records() const { return records_; }
  // The model outputs on the sample rows (one tensor per output, rows as records()) and the
  // sequence extras of the same frame (empty before the first frame).
  const std::vector<Tensor>& sampleOutputs() const { return sampleOutputs_; }
  const SequenceFrame& sequenceFrame() const { return seqFrame_; }
  // The validation data as read (rows valBegin() .. valBegin() + validationSize()).
  const Dataset& validationSource() const { return source_; }
  Index valBegin() const { return valBegin_; }
  int lastEpoch() const { return epoch_; }  // -1: before the first epoch end
  int lastBatch() const { return batch_; }  // -1: the records come from an epoch end
  // counts[t][p] of class head `head` (index into heads().classOutputs) at the last epoch end.
  std::vector<std::vector<int>> confusion(int head) const;
  // The confusion rows of one cell with their predictions (at most `limit`).
  std::vector<PreviewRecord> cellRecords(int head, int trueClass, int predClass,
                                         int limit = 200) const;
  // Every validation error of class head `head` at the last epoch end (the confusion rows),
  // most confident first; trueClass / predClass >= 0 keep only that cell (at most `limit`).
  std::vector<PreviewRecord> misclassified(int head, int trueClass = -1, int predClass = -1,
                                           int limit = 500) const;
  // Ground truth (and the last epoch end's prediction, when the row was evaluated) of one
  // validation row.
  PreviewRecord validationRecord(Index valRow) const;
  // The first model input of validation rows (rows.size(), input dims...), as training saw it.
  Tensor validationInputs(const std::vector<Index>& valRows) const;
  // True class of a validation row for class head `head` (-1 when unknown).
  int validationClass(int head, Index valRow) const;
  // Weights at the last epoch end (Keras get_weights() order; empty before the first).
  const std::vector<Tensor>& latestWeights() const { return weights_; }

 signals:
  void previewUpdated(int epoch, int batch);  // records() changed
  void confusionUpdated(int epoch);           // confusion()/cellRecords() changed
  void weightsUpdated(int epoch);             // latestWeights() changed

 private:
  Q_INVOKABLE void takeFrames();
  void rebuildPlan();
  PreviewRecord truthRecord(Index valRow) const;
  PreviewRecord evaluatedRecord(int head, size_t evalRow) const;

  PreviewSettings settings_;
  PreviewHeads heads_;
  QStringList names_;
  std::vector<std::vector<std::array<float, 4>>> allBoxes_;
  bool useAllBoxes_ = false;  // allBoxes_ fits the configured validation rows
  bool textData_ = false;
  SequenceSetup seq_;
  CompileOptions compile_;
  ModelSpec spec_;
  Dataset source_;  // arrays shared with the caller's data (no copy)
  Index valBegin_ = 0, valN_ = 0;
  ImagePreprocessor pre_;
  std::vector<Index> sampleRows_, confusionRows_;  // validation rows (0-based)
  std::vector<PreviewRecord> truth_;               // sample records without predictions
  std::shared_ptr<const Plan> plan_;
  std::shared_ptr<Mailbox> mailbox_;

  std::vector<PreviewRecord> records_;
  std::vector<Tensor> sampleOutputs_;
  SequenceFrame seqFrame_;
  int epoch_ = -1, batch_ = -1;
  std::vector<Tensor> evalOutputs_;  // outputs on confusionRows_ at the last epoch end
  std::vector<Tensor> weights_;
};

}  // namespace tessel::ui
