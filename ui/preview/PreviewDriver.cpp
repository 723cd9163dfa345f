#include "ui/preview/PreviewDriver.h"

#include <QMetaObject>
#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <utility>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/explain/AttentionProbe.h"
#include "engine/explain/Seq2SeqDecoder.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "ui/preview/PreviewDecoder.h"

namespace tessel::ui {

// What an observer needs, fixed for one run (shared read-only with the training thread).
struct PreviewDriver::Plan {
  std::vector<Array> x;             // the source's input arrays (shared buffers)
  std::vector<Index> sample, eval;  // absolute rows in x
  SequenceSetup seq;
  std::vector<Index> probe;  // absolute rows: the first seq.probeRows of `sample`
  int everyN = 0;
  int chunk = 64;
  std::uint64_t generation = 0;
};

struct PreviewFrame {
  int epoch = -1, batch = -1;  // batch -1: epoch end (or before training when epoch is -1)
  std::uint64_t generation = 0;
  std::vector<Tensor> sample, eval, weights;
  SequenceFrame seq;
};

struct PreviewDriver::Mailbox {
  std::mutex mu;
  PreviewDriver* driver = nullptr;  // cleared by ~PreviewDriver under mu
  std::optional<PreviewFrame> batchFrame, epochFrame;
  bool queued = false;
  std::uint64_t generation = 0;  // of `plan`; frames of older plans are dropped
  std::uint64_t run = 0;         // bumped by configure(): observers of older runs go quiet
  std::shared_ptr<const PreviewDriver::Plan> plan;

  // The current plan for an observer of run `r` (null when the driver is gone or reconfigured).
  std::shared_ptr<const PreviewDriver::Plan> planFor(std::uint64_t r) {
    std::lock_guard lock(mu);
    if (!driver || r != run) return nullptr;
    return plan;
  }

  void post(PreviewFrame&& f, bool epochEnd) {
    std::lock_guard lock(mu);
    if (!driver || f.generation != generation) return;
    (epochEnd ? epochFrame : batchFrame) = std::move(f);
    if (!queued) {
      queued = true;
      // Posting under mu: the driver cannot be half-destroyed here, and a posted call is
      // discarded by Qt when its receiver is deleted before it runs.
      QMetaObject::invokeMethod(driver, "takeFrames", Qt::QueuedConnection);
    }
  }
};

namespace {

class NullObserver : public TrainObserver {};

// Runs on the training thread, between batches (Trainer calls observers after the optimizer
// step and the validation pass, so the model is idle).
class PreviewObserver : public TrainObserver {
 public:
  PreviewObserver(Model& model, std::shared_ptr<PreviewDriver::Mailbox> mailbox, std::uint64_t run)
      : model_(model), mailbox_(std::move(mailbox)), run_(run), rng_(12345) {
    ctx_.training = false;
    ctx_.rng = &rng_;
  }

  void onTrainBegin(const FitOptions&, int) override { send(-1, -1, false); }
  void onBatchEnd(int epoch, int batch, const Logs&) override {
    std::shared_ptr<const PreviewDriver::Plan> plan = mailbox_->planFor(run_);
    if (plan && plan->everyN > 0 && (batch + 1) % plan->everyN == 0) {
      if (trainer) trainer->syncHostWeights();  // a GPU run: this batch's weights to the host
      send(epoch, batch, false);
    }
  }
  void onEpochEnd(int epoch, const Logs&) override { send(epoch, -1, true); }

 private:
  // Forward pass over absolute rows, outputs concatenated: one tensor per model output.
  std::vector<Tensor> run(const PreviewDriver::Plan& plan, const std::vector<Index>& rows) {
    std::vector<Tensor> outs(model_.numOutputs());
    const Index n = static_cast<Index>(rows.size());
    if (n == 0) return outs;
    xs_.resize(plan.x.size());
    xPtr_.resize(xs_.size());
    for (Index pos = 0; pos < n; pos += plan.chunk) {
      const Index m = std::min<Index>(plan.chunk, n - pos);
      for (size_t i = 0; i < xs_.size(); ++i) {
        plan.x[i].gather(rows.data() + pos, m, xs_[i]);
        xPtr_[i] = &xs_[i];
      }
      ctx_.addedLoss = 0;
      model_.forward(xPtr_, false, ctx_);
      for (size_t k = 0; k < outs.size(); ++k) {
        const Tensor& o = model_.output(k);
        const Index row = o.size() / m;
        if (pos == 0) outs[k].resize(withBatch(o.shape(), n));
        std::copy(o.data(), o.data() + o.size(), outs[k].data() + pos * row);
      }
    }
    return outs;
  }

  // Seq2seq decodings and attention weights of the probed rows (SequenceSetup).
  SequenceFrame probe(const PreviewDriver::Plan& plan) {
    SequenceFrame out;
    if (plan.probe.empty() || !plan.seq.wantsProbe()) return out;
    if (!probe_) probe_ = std::make_unique<AttentionProbe>(model_);
    const Index m = static_cast<Index>(plan.probe.size());
    xs_.resize(plan.x.size());
    xPtr_.resize(xs_.size());
    for (size_t i = 0; i < xs_.size(); ++i) {
      plan.x[i].gather(plan.probe.data(), m, xs_[i]);
      xPtr_[i] = &xs_[i];
    }
    if (plan.seq.mode == SequenceMode::Seq2Seq) {
      Seq2SeqDecodeOptions o;
      o.decoderInput = static_cast<size_t>(plan.seq.decoderInput);
      o.output = static_cast<size_t>(plan.seq.output);
      o.startId = plan.seq.startId;
      o.endId = plan.seq.endId;
      Seq2SeqDecoded d = greedyDecodeSeq2Seq(model_, xPtr_, o, probe_.get());
      out.decoded = std::move(d.ids);
      out.ended = std::move(d.ended);
    } else {
      probe_->predict(xPtr_);
    }
    for (const std::string& name : probe_->layers())
      if (const Tensor* s = probe_->scores(name)) {
        out.attention.emplace_back(name, *s);
        const Tensor* q = probe_->queryMask(name);
        const Tensor* k = probe_->keyMask(name);
        out.attentionMasks.emplace_back(q ? *q : Tensor(), k ? *k : Tensor());
      }
    return out;
  }

  void send(int epoch, int batch, bool epochEnd) {
    std::shared_ptr<const PreviewDriver::Plan> plan = mailbox_->planFor(run_);
    if (!plan) return;
    PreviewFrame f;
    f.epoch = epoch;
    f.batch = batch;
    f.generation = plan->generation;
    try {
      f.sample = run(*plan, plan->sample);
      f.seq = probe(*plan);
      if (epochEnd) {
        f.eval = run(*plan, plan->eval);
        model_.copyWeightsTo(f.weights);
      }
    } catch (const std::exception&) {
      return;  // a preview never stops training
    }
    mailbox_->post(std::move(f), epochEnd);
  }

  Model& model_;
  std::shared_ptr<PreviewDriver::Mailbox> mailbox_;
  std::uint64_t run_;
  Rng rng_;
  RunContext ctx_;
  std::vector<Tensor> xs_;
  std::vector<const Tensor*> xPtr_;
  std::unique_ptr<AttentionProbe> probe_;
};

}  // namespace

PreviewDriver::PreviewDriver(QObject* parent)
    : QObject(parent), mailbox_(std::make_shared<Mailbox>()) {
  mailbox_->driver = this;
}

PreviewDriver::~PreviewDriver() {
  std::lock_guard lock(mailbox_->mu);
  mailbox_->driver = nullptr;
}

void PreviewDriver::configure(const ModelSpec& spec, const CompileOptions& compile,
                              const Dataset& data, const FitOptions& fit) {
  const ShapeReport report = inferShapes(spec);
  if (!report.ok()) throw report.errors.front();
  std::vector<Shape> outShapes;
  for (size_t i = 0; i < spec.outputs.size(); ++i) {  // the tensor each output reads (h, c, ...)
    const NodeShapes* ns = report.find(spec.outputs[i]);
    const std::optional<Shape> s = ns ? ns->outputAt(size_t(spec.outputTensor(i))) : std::nullopt;
    outShapes.push_back(s ? *s : Shape{});
  }
  Shape inShape;
  if (!spec.inputs.empty())
    if (const NodeShapes* ns = report.find(spec.inputs[0]); ns && ns->output) inShape = *ns->output;

  spec_ = spec;
  heads_ = PreviewDecoder::detect(outShapes, compile);
  compile_ = compile;
  useAllBoxes_ = false;
  if (fit.validationData) {
    source_ = *fit.validationData;
    valBegin_ = 0;
    valN_ = source_.size();
    useAllBoxes_ = !allBoxes_.empty() && static_cast<Index>(allBoxes_.size()) >= valN_;
  } else if (fit.validationSplit > 0) {
    source_ = data;
    const Index total = data.size();
    valBegin_ = static_cast<Index>(std::floor(double(total) * (1.0 - fit.validationSplit)));
    valN_ = total - valBegin_;
  } else {
    source_ = data;
    valBegin_ = 0;
    valN_ = data.size();
  }
  pre_ =
      source_.x.empty() ? ImagePreprocessor{} : ImagePreprocessor::fromData(source_.x[0], inShape);
  seq_ = SequenceSetup::detect(spec_, compile_, source_, heads_, textData_);
  records_.clear();
  sampleOutputs_.clear();
  seqFrame_ = {};
  evalOutputs_.clear();
  weights_.clear();
  epoch_ = batch_ = -1;
  {
    std::lock_guard lock(mailbox_->mu);
    ++mailbox_->run;
  }
  rebuildPlan();
}

void PreviewDriver::setSettings(const PreviewSettings& settings) {
  settings_ = settings;
  if (!source_.x.empty()) rebuildPlan();
}

void PreviewDriver::setHeads(const PreviewHeads& heads) {
  heads_ = heads;
  if (!source_.x.empty()) rebuildPlan();
}

void PreviewDriver::setClassNames(const QStringList& names) {
  names_ = names;
}

void PreviewDriver::setAllTruthBoxes(std::vector<std::vector<std::array<float, 4>>> boxes) {
  allBoxes_ = std::move(boxes);
}

PreviewRecord PreviewDriver::truthRecord(Index valRow) const {
  PreviewRecord r;
  PreviewDecoder::fillTruth(heads_, source_, valBegin_ + valRow, r);
  r.sample = valRow;
  // The other annotated boxes of the image (the target, from y, stays first).
  if (useAllBoxes_ && heads_.hasBoxes() && valRow < static_cast<Index>(allBoxes_.size()))
    for (const auto& a : allBoxes_[static_cast<size_t>(valRow)]) {
      PreviewBox b{a[0], a[1], a[2], a[3]};
      bool known = false;
      for (const PreviewBox& t : r.trueBoxes)
        known =
            known || (t.yMin == b.yMin && t.xMin == b.xMin && t.yMax == b.yMax && t.xMax == b.xMax);
      if (!known && b.valid()) r.trueBoxes.push_back(b);
    }
  return r;
}

void PreviewDriver::rebuildPlan() {
  // Fixed sample: sampleCount distinct validation rows drawn with the seed, in row order.
  const Index want = std::clamp<Index>(settings_.sampleCount, 0, valN_);
  std::vector<Index> all(static_cast<size_t>(valN_));
  for (Index i = 0; i < valN_; ++i) all[i] = i;
  Rng rng(settings_.seed);
  for (Index i = 0; i < want; ++i)
    std::swap(all[i],
              all[i + static_cast<Index>(rng.below(static_cast<std::uint64_t>(valN_ - i)))]);
  sampleRows_.assign(all.begin(), all.begin() + want);
  std::sort(sampleRows_.begin(), sampleRows_.end());
  const Index evalN =
      settings_.confusionLimit > 0 ? std::min(valN_, settings_.confusionLimit) : valN_;
  confusionRows_.resize(static_cast<size_t>(evalN));
  for (Index i = 0; i < evalN; ++i) confusionRows_[i] = i;

  truth_.clear();
  for (Index r : sampleRows_) truth_.push_back(truthRecord(r));

  auto plan = std::make_shared<Plan>();
  plan->x = source_.x;
  for (Index r : sampleRows_) plan->sample.push_back(valBegin_ + r);
  if (heads_.hasClass())
    for (Index r : confusionRows_) plan->eval.push_back(valBegin_ + r);
  plan->seq = seq_;
  for (size_t i = 0; i < plan->sample.size() && static_cast<int>(i) < seq_.probeRows; ++i)
    plan->probe.push_back(plan->sample[i]);
  plan->everyN = std::max(0, settings_.everyNBatches);
  plan->chunk = std::max(1, settings_.predictBatch);
  {
    std::lock_guard lock(mailbox_->mu);
    plan->generation = ++mailbox_->generation;
    mailbox_->batchFrame.reset();
    mailbox_->epochFrame.reset();
    mailbox_->plan = plan;
    plan_ = plan;
  }
  // Ground truth shows at once; predictions fill in as frames arrive.
  records_ = truth_;
  sampleOutputs_.clear();
  seqFrame_ = {};
  evalOutputs_.clear();
}

std::unique_ptr<TrainObserver> PreviewDriver::makeObserver(Model& model) {
  std::uint64_t run;
  {
    std::lock_guard lock(mailbox_->mu);
    if (!mailbox_->plan) return std::make_unique<NullObserver>();
    run = mailbox_->run;
  }
  return std::make_unique<PreviewObserver>(model, mailbox_, run);
}

std::function<std::unique_ptr<TrainObserver>(Model&)> PreviewDriver::observerFactory() {
  std::shared_ptr<Mailbox> mailbox = mailbox_;
  return [mailbox](Model& model) -> std::unique_ptr<TrainObserver> {
    std::uint64_t run;
    {
      std::lock_guard lock(mailbox->mu);
      if (!mailbox->driver || !mailbox->plan) return std::make_unique<NullObserver>();
      run = mailbox->run;
    }
    return std::make_unique<PreviewObserver>(model, mailbox, run);
  };
}

void PreviewDriver::takeFrames() {
  std::optional<PreviewFrame> ef, bf;
  {
    std::lock_guard lock(mailbox_->mu);
    ef.swap(mailbox_->epochFrame);
    bf.swap(mailbox_->batchFrame);
    mailbox_->queued = false;
    if (ef && ef->generation != mailbox_->generation) ef.reset();
    if (bf && bf->generation != mailbox_->generation) bf.reset();
  }
  auto apply = [&](const PreviewFrame& f) {
    records_ = truth_;
    for (size_t i = 0; i < records_.size(); ++i)
      PreviewDecoder::fillPrediction(heads_, f.sample, static_cast<Index>(i), records_[i]);
    sampleOutputs_ = f.sample;
    seqFrame_ = f.seq;
    epoch_ = f.epoch;
    batch_ = f.batch;
  };
  if (ef) {
    apply(*ef);
    evalOutputs_ = std::move(ef->eval);
    const bool newWeights = !ef->weights.empty();
    if (newWeights) weights_ = std::move(ef->weights);
    // A batch frame taken with this one is newer only when it belongs to a later epoch.
    if (bf && bf->epoch > ef->epoch) apply(*bf);
    emit previewUpdated(epoch_, batch_);
    if (heads_.hasClass()) emit confusionUpdated(ef->epoch);
    if (newWeights) emit weightsUpdated(ef->epoch);
  } else if (bf) {
    apply(*bf);
    emit previewUpdated(epoch_, batch_);
  }
}

std::vector<std::vector<int>> PreviewDriver::confusion(int head) const {
  if (head < 0 || head >= static_cast<int>(heads_.classOutputs.size())) return {};
  const int k = heads_.classOutputs[head];
  if (k >= static_cast<int>(evalOutputs_.size()) || k >= static_cast<int>(source_.y.size()))
    return {};
  const Tensor& probs = evalOutputs_[k];
  if (probs.size() == 0) return {};
  const int c = static_cast<int>(probs.size() / probs.dim(0));
  std::vector<std::vector<int>> m(c, std::vector<int>(c, 0));
  for (size_t j = 0; j < confusionRows_.size() && static_cast<Index>(j) < probs.dim(0); ++j) {
    const int t = PreviewDecoder::labelClass(source_.y[k], valBegin_ + confusionRows_[j]);
    const int p = PreviewDecoder::argmax(probs, static_cast<Index>(j)).first;
    if (t >= 0 && t < c && p >= 0 && p < c) ++m[t][p];
  }
  return m;
}

std::vector<PreviewRecord> PreviewDriver::cellRecords(int head, int trueClass, int predClass,
                                                      int limit) const {
  std::vector<PreviewRecord> out;
  if (head < 0 || head >= static_cast<int>(heads_.classOutputs.size())) return out;
  const int k = heads_.classOutputs[head];
  if (k >= static_cast<int>(evalOutputs_.size()) || k >= static_cast<int>(source_.y.size()))
    return out;
  const Tensor& probs = evalOutputs_[k];
  for (size_t j = 0; j < confusionRows_.size() && static_cast<Index>(j) < probs.dim(0); ++j) {
    if (static_cast<int>(out.size()) >= limit) break;
    const Index row = valBegin_ + confusionRows_[j];
    const int t = PreviewDecoder::labelClass(source_.y[k], row);
    const int p = PreviewDecoder::argmax(probs, static_cast<Index>(j)).first;
    if (t != trueClass || p != predClass) continue;
    out.push_back(evaluatedRecord(head, j));
  }
  return out;
}

// The record of confusion row j as class head `head` sees it (heads other than the first label
// no box).
PreviewRecord PreviewDriver::evaluatedRecord(int head, size_t j) const {
  const int k = heads_.classOutputs[head];
  const Tensor& probs = evalOutputs_[k];
  const Index row = valBegin_ + confusionRows_[j];
  PreviewRecord r = truthRecord(confusionRows_[j]);
  PreviewDecoder::fillPrediction(heads_, evalOutputs_, static_cast<Index>(j), r);
  const auto [p, conf] = PreviewDecoder::argmax(probs, static_cast<Index>(j));
  r.trueClass = PreviewDecoder::labelClass(source_.y[k], row);
  r.predClass = p;
  r.confidence = conf;
  const Index c = probs.size() / probs.dim(0);
  r.probs.assign(probs.data() + static_cast<Index>(j) * c,
                 probs.data() + static_cast<Index>(j + 1) * c);
  return r;
}

std::vector<PreviewRecord> PreviewDriver::misclassified(int head, int trueClass, int predClass,
                                                        int limit) const {
  std::vector<PreviewRecord> out;
  if (head < 0 || head >= static_cast<int>(heads_.classOutputs.size())) return out;
  const int k = heads_.classOutputs[head];
  if (k >= static_cast<int>(evalOutputs_.size()) || k >= static_cast<int>(source_.y.size()))
    return out;
  const Tensor& probs = evalOutputs_[k];
  std::vector<std::pair<float, size_t>> errors;  // (confidence, confusion row)
  for (size_t j = 0; j < confusionRows_.size() && static_cast<Index>(j) < probs.dim(0); ++j) {
    const int t = PreviewDecoder::labelClass(source_.y[k], valBegin_ + confusionRows_[j]);
    const auto [p, conf] = PreviewDecoder::argmax(probs, static_cast<Index>(j));
    if (t < 0 || t == p) continue;
    if ((trueClass >= 0 && t != trueClass) || (predClass >= 0 && p != predClass)) continue;
    errors.push_back({conf, j});
  }
  std::stable_sort(errors.begin(), errors.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < errors.size() && static_cast<int>(i) < limit; ++i)
    out.push_back(evaluatedRecord(head, errors[i].second));
  return out;
}

PreviewRecord PreviewDriver::validationRecord(Index valRow) const {
  if (heads_.hasClass() && !evalOutputs_.empty())
    for (size_t j = 0; j < confusionRows_.size(); ++j)
      if (confusionRows_[j] == valRow) return evaluatedRecord(0, j);
  return truthRecord(valRow);
}

Tensor PreviewDriver::validationInputs(const std::vector<Index>& valRows) const {
  Tensor out;
  if (source_.x.empty()) return out;
  std::vector<Index> rows;
  for (Index r : valRows) rows.push_back(valBegin_ + r);
  source_.x[0].gather(rows.data(), static_cast<Index>(rows.size()), out);
  return out;
}

int PreviewDriver::validationClass(int head, Index valRow) const {
  if (head < 0 || head >= static_cast<int>(heads_.classOutputs.size())) return -1;
  const int k = heads_.classOutputs[head];
  if (k >= static_cast<int>(source_.y.size())) return -1;
  return PreviewDecoder::labelClass(source_.y[k], valBegin_ + valRow);
}

}  // namespace tessel::ui
