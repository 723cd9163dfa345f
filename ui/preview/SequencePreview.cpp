#include "ui/preview/SequencePreview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "engine/data/TextVectorization.h"
#include "engine/explain/AttentionProbe.h"
#include "engine/explain/Seq2SeqDecoder.h"
#include "engine/layers/TextLayers.h"
#include "engine/losses/CtcDecode.h"
#include "engine/train/Model.h"
#include "ui/preview/AttentionHeatMap.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewPainter.h"
#include "ui/preview/SequenceSetup.h"

namespace tessel::ui {

namespace {

const QColor kRightBg(214, 240, 214), kWrongBg(250, 214, 214), kInk(25, 25, 25);
constexpr int kCellChars = 300;

// Row `row` of an array as floats (its affine map applied).
std::vector<float> arrayRow(const Array& a, Index row) {
  const Index w = a.rowSize();
  std::vector<float> out(static_cast<size_t>(w));
  if (row < 0 || row >= a.rows()) return {};
  for (Index j = 0; j < w; ++j) out[static_cast<size_t>(j)] = a.value(row * w + j);
  return out;
}

QString idList(const std::vector<Index>& ids, size_t limit = 32) {
  QStringList parts;
  for (size_t i = 0; i < ids.size() && i < limit; ++i) parts << QString::number(ids[i]);
  if (ids.size() > limit) parts << QStringLiteral("…");
  return QStringLiteral("[") + parts.join(QStringLiteral(", ")) + QStringLiteral("]");
}

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

// Each attention layer's weights (and masks) the probe captured, as the driver's frames hold them.
void takeAttention(const AttentionProbe& probe, SequenceFrame& frame) {
  frame.attention.clear();
  frame.attentionMasks.clear();
  for (const std::string& name : probe.layers())
    if (const Tensor* s = probe.scores(name)) {
      frame.attention.emplace_back(name, *s);
      const Tensor* q = probe.queryMask(name);
      const Tensor* k = probe.keyMask(name);
      frame.attentionMasks.emplace_back(q ? *q : Tensor(), k ? *k : Tensor());
    }
}

}  // namespace

SequencePreview::SequencePreview(PreviewDriver* driver, QWidget* parent)
    : QWidget(parent), driver_(driver) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  caption_ = new QLabel(this);
  caption_->setObjectName("sequenceCaption");
  caption_->setWordWrap(true);
  bar->addWidget(caption_, 1);
  decoder_ = new QComboBox(this);
  decoder_->setObjectName("ctcDecoder");
  decoder_->addItem(tr("Greedy"));
  decoder_->addItem(tr("Greedy and beam search"));
  decoder_->setToolTip(
      tr("CTC decoding: best class per step (greedy, tf.nn.ctc_greedy_decoder) "
         "or prefix beam search (tf.nn.ctc_beam_search_decoder)"));
  bar->addWidget(decoder_);
  beamWidth_ = new QSpinBox(this);
  beamWidth_->setObjectName("beamWidth");
  beamWidth_->setRange(1, 200);
  beamWidth_->setValue(10);
  beamWidth_->setPrefix(tr("beam width "));
  bar->addWidget(beamWidth_);
  lay->addLayout(bar);
  // "Type a sentence": one input through the model.
  sentenceBar_ = new QWidget(this);
  auto* sbar = new QHBoxLayout(sentenceBar_);
  sbar->setContentsMargins(0, 2, 0, 2);
  sbar->addWidget(new QLabel(tr("Type a sentence:"), sentenceBar_));
  sentence_ = new QLineEdit(sentenceBar_);
  sentence_->setObjectName("sentenceEdit");
  sentence_->setPlaceholderText(tr("any text, then Return"));
  sentence_->setClearButtonEnabled(true);
  sbar->addWidget(sentence_, 2);
  sentenceResult_ = new QLabel(sentenceBar_);
  sentenceResult_->setObjectName("sentenceResult");
  sentenceResult_->setWordWrap(true);
  sentenceResult_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  sbar->addWidget(sentenceResult_, 3);
  lay->addWidget(sentenceBar_);
  connect(sentence_, &QLineEdit::returnPressed, this, [this] { typeSentence(sentence_->text()); });

  auto* split = new QSplitter(Qt::Vertical, this);
  table_ = new QTableWidget(split);
  table_->setObjectName("sequenceTable");
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setWordWrap(true);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(false);
  auto* attention = new QWidget(split);
  attentionPane_ = attention;
  auto* al = new QVBoxLayout(attention);
  al->setContentsMargins(0, 4, 0, 0);
  auto* abar = new QHBoxLayout;
  abar->addWidget(new QLabel(tr("Attention layer"), attention));
  layer_ = new QComboBox(attention);
  layer_->setObjectName("attentionLayer");
  abar->addWidget(layer_);
  head_ = new QComboBox(attention);
  head_->setObjectName("attentionHead");
  abar->addWidget(head_);
  attentionNote_ = new QLabel(attention);
  attentionNote_->setObjectName("attentionNote");
  abar->addWidget(attentionNote_, 1);
  al->addLayout(abar);
  heat_ = new AttentionHeatMap(attention);
  heat_->setObjectName("attentionHeatMap");
  al->addWidget(heat_, 1);
  split->addWidget(table_);
  split->addWidget(attention);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  lay->addWidget(split, 1);

  // A typed sentence is decoded again with the decoder chosen or the new weights.
  auto retype = [this] {
    if (typed_.valid && driver_->sequenceSetup().mode == SequenceMode::Seq2Seq)
      typeSentence(typedText_);
  };
  connect(decoder_, &QComboBox::currentIndexChanged, this, [this, retype] {
    refresh();
    retype();
  });
  connect(beamWidth_, &QSpinBox::valueChanged, this, [this, retype] {
    if (decoder_->currentIndex() != 1) return;
    refresh();
    retype();
  });
  connect(driver_, &PreviewDriver::weightsUpdated, this, [this] {
    ++weightsVersion_;
    if (beamChosen() && driver_->sequenceSetup().mode == SequenceMode::Seq2Seq) refresh();
    if (typed_.valid) typeSentence(typedText_);
  });
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row, int, int, int) {
    typedAttention_ = false;
    showAttention(row);
  });
  connect(layer_, &QComboBox::currentIndexChanged, this, [this] {
    rebuildLayers();
    showAttention(attentionRow_);
  });
  connect(head_, &QComboBox::currentIndexChanged, this, [this] { showAttention(attentionRow_); });
  refresh();
}

SequencePreview::~SequencePreview() = default;

bool SequencePreview::beamChosen() const {
  return decoder_->currentIndex() == 1;
}

bool SequencePreview::attentionShown() const {
  return !attentionPane_->isHidden();
}

void SequencePreview::showRecords(std::vector<PreviewRecord> records) {
  fixed_ = std::move(records);
  refresh();
}

void SequencePreview::setTextInfo(const TextSourceInfo* info) {
  info_ = info;
}

void SequencePreview::setClassNames(const QStringList& names) {
  names_ = names;
  refresh();
}

void SequencePreview::clear() {
  rows_.clear();
  table_->clear();
  table_->setRowCount(0);
  table_->setColumnCount(0);
  layer_->clear();
  head_->clear();
  heat_->clear();
  attentionRow_ = -1;
  caption_->clear();
  probe_.reset();
  model_.reset();
  beamFrame_ = {};
  beamLogProb_.clear();
  beamRows_.clear();
  typed_ = {};
  typedFrame_ = {};
  typedAttention_ = false;
  sentenceResult_->clear();
}

Model* SequencePreview::guiModel() {
  const std::vector<Tensor>& w = driver_->latestWeights();
  if (w.empty() || !driver_->isConfigured()) return nullptr;
  if (model_ && modelEpoch_ == driver_->lastEpoch() && modelWeights_ == w.front().data() &&
      weightsSeen_ == weightsVersion_ && modelSpec_ == driver_->spec())
    return model_.get();
  probe_.reset();
  try {
    model_ = std::make_unique<Model>(driver_->spec());
    model_->setWeights(w);
  } catch (const std::exception&) {
    model_.reset();
    return nullptr;
  }
  modelSpec_ = driver_->spec();
  modelEpoch_ = driver_->lastEpoch();
  modelWeights_ = w.front().data();
  weightsSeen_ = weightsVersion_;
  ++modelVersion_;
  return model_.get();
}

void SequencePreview::decodeBeamRows() {
  const SequenceSetup& s = driver_->sequenceSetup();
  std::vector<Index> rows;
  for (const PreviewRecord& rec : driver_->records())
    rows.push_back(driver_->valBegin() + rec.sample);
  Model* m = guiModel();
  if (!m || rows.empty()) {
    beamFrame_ = {};
    beamLogProb_.clear();
    beamRows_.clear();
    return;
  }
  if (beamVersion_ == modelVersion_ && beamWidthDone_ == beamWidth_->value() && beamRows_ == rows)
    return;
  const Dataset& data = driver_->validationSource();
  std::vector<Tensor> xs(data.x.size());
  std::vector<const Tensor*> ptr;
  for (size_t i = 0; i < xs.size(); ++i) {
    data.x[i].gather(rows.data(), Index(rows.size()), xs[i]);
    ptr.push_back(&xs[i]);
  }
  Seq2SeqDecodeOptions o;
  o.decoderInput = size_t(s.decoderInput);
  o.output = size_t(s.output);
  o.startId = s.startId;
  o.endId = s.endId;
  Seq2SeqBeamOptions b;
  b.beamWidth = beamWidth_->value();
  b.fromLogits = s.seq2seqFromLogits;
  beamFrame_ = {};
  beamLogProb_.clear();
  try {
    if (!probe_) probe_ = std::make_unique<AttentionProbe>(*m);
    Seq2SeqDecoded d = beamDecodeSeq2Seq(*m, ptr, o, b, probe_.get());
    beamFrame_.decoded = std::move(d.ids);
    beamFrame_.ended = std::move(d.ended);
    beamLogProb_ = std::move(d.logProb);
    takeAttention(*probe_, beamFrame_);
  } catch (const std::exception&) {
    beamFrame_ = {};
    beamLogProb_.clear();
  }
  beamRows_ = rows;
  beamVersion_ = modelVersion_;
  beamWidthDone_ = beamWidth_->value();
}

const SequenceFrame& SequencePreview::shownFrame() const {
  const bool beam = driver_->sequenceSetup().mode == SequenceMode::Seq2Seq && beamChosen() &&
                    !beamFrame_.decoded.empty();
  return beam ? beamFrame_ : driver_->sequenceFrame();
}

QString SequencePreview::targetWords(const std::vector<Index>& ids) const {
  static const std::vector<std::string> kNoVocab;
  const QString w = qs(TextSourceInfo::words(info_ ? info_->targetVocabulary() : kNoVocab, ids,
                                             info_ ? info_->targetSeparator() : std::string(" ")));
  return w.isEmpty() ? tr("(empty)") : w;
}

bool SequencePreview::typeSentence(const QString& text) {
  typed_ = {};
  typedFrame_ = {};
  typedAttention_ = false;
  typedText_ = text;
  auto fail = [this](const QString& why) {
    sentenceResult_->setStyleSheet(QStringLiteral("color: #a02020"));
    sentenceResult_->setText(why);
    showAttention(attentionRow_);
    return false;
  };
  const SequenceSetup& s = driver_->sequenceSetup();
  if (s.mode != SequenceMode::TextClass && s.mode != SequenceMode::Seq2Seq)
    return fail(tr("Typing works for text classifiers and sequence-to-sequence models"));
  const Dataset& data = driver_->validationSource();
  const size_t inputs = s.mode == SequenceMode::Seq2Seq ? 2 : 1;
  if (data.x.size() != inputs)
    return fail(tr("The model reads %n input(s) besides the text", nullptr,
                   int(data.x.size()) - int(inputs) + 1));
  // The data's vectorization (the vocabulary adapted on the training split), else the model's.
  nlohmann::json config = info_ ? info_->sourceConfig() : nlohmann::json();
  if (config.is_null())
    if (auto c = textVectorizationConfig(driver_->spec(), size_t(s.textInput));
        c && c->contains("vocabulary") && !(*c)["vocabulary"].is_null())
      config = *c;
  if (config.is_null())
    return fail(tr("No vocabulary: train on text data (Train › Data… › Text) first"));
  Model* m = guiModel();
  if (!m) return fail(tr("The model's weights come with the first epoch end"));
  try {
    const TextVectorization tv(config);
    const std::string str = text.toStdString();
    typed_.tokens = tv.tokens(str);
    std::int64_t width = 0;
    std::vector<float> row = tv.vectorize({str}, width);
    const Index want = data.x[size_t(s.textInput)].rowSize();
    if (tv.outputMode() == "int") {
      row.resize(size_t(want), 0.0f);  // padded or cut to the model's input length
      typed_.ids = TextSourceInfo::ids(row.data(), want);
    } else {
      if (Index(row.size()) != want)
        return fail(tr("The sentence vectorizes to %1 values; the model reads %2")
                        .arg(row.size())
                        .arg(want));
      for (Index j = 0; j < want; ++j)
        if (row[size_t(j)] != 0) typed_.ids.push_back(j);
    }
    Tensor x({1, want});
    std::copy(row.begin(), row.end(), x.data());
    if (!probe_) probe_ = std::make_unique<AttentionProbe>(*m);
    QString result;
    if (s.mode == SequenceMode::TextClass) {
      probe_->predict({&x});
      const Tensor& out = m->output(size_t(s.output));
      const Index c = out.size();
      if (c == 1) {  // one sigmoid unit: class 1 with p, class 0 with 1 - p
        typed_.classes = {{1, out[0]}, {0, 1.0f - out[0]}};
      } else {
        for (Index k = 0; k < c; ++k) typed_.classes.emplace_back(int(k), out[k]);
      }
      std::stable_sort(typed_.classes.begin(), typed_.classes.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      QStringList parts;
      for (size_t k = 0; k < typed_.classes.size() && k < 5; ++k)
        parts << tr("%1 (p = %2)")
                     .arg(className(typed_.classes[k].first))
                     .arg(double(typed_.classes[k].second), 0, 'f', 3);
      result = parts.join(QStringLiteral("  ·  "));
    } else {
      Tensor dec({1, data.x[size_t(s.decoderInput)].rowSize()});
      dec.setZero();
      std::vector<const Tensor*> in(2);
      in[size_t(s.textInput)] = &x;
      in[size_t(s.decoderInput)] = &dec;
      Seq2SeqDecodeOptions o;
      o.decoderInput = size_t(s.decoderInput);
      o.output = size_t(s.output);
      o.startId = s.startId;
      o.endId = s.endId;
      typed_.beam = beamChosen();
      if (typed_.beam) {
        Seq2SeqBeamOptions b;
        b.beamWidth = beamWidth_->value();
        b.fromLogits = s.seq2seqFromLogits;
        const Seq2SeqDecoded d = beamDecodeSeq2Seq(*m, in, o, b, probe_.get());
        typed_.decoded = d.ids[0];
        typed_.logProb = d.logProb[0];
        result = tr("beam search (width %1): %2  (log p = %3)")
                     .arg(b.beamWidth)
                     .arg(targetWords(typed_.decoded))
                     .arg(typed_.logProb, 0, 'f', 2);
      } else {
        const Seq2SeqDecoded d = greedyDecodeSeq2Seq(*m, in, o, probe_.get());
        typed_.decoded = d.ids[0];
        result = tr("greedy: %1").arg(targetWords(typed_.decoded));
      }
    }
    takeAttention(*probe_, typedFrame_);
    typed_.valid = true;
    sentenceResult_->setStyleSheet(QString());
    sentenceResult_->setText(tr("ids %1  →  %2").arg(idList(typed_.ids), result));
  } catch (const std::exception& e) {
    typed_ = {};
    typedFrame_ = {};
    return fail(QString::fromUtf8(e.what()));
  }
  typedAttention_ = !typedFrame_.attention.empty();
  rebuildLayers();
  showAttention(attentionRow_);
  return true;
}

QString SequencePreview::className(int id) const {
  return id < 0 ? QStringLiteral("—") : PreviewPainter::className(names_, id);
}

// A CTC label id: class names with the blank first (the data set's names) or without it.
QString SequencePreview::ctcLabel(long long id, long long classes) const {
  if (names_.size() == classes && id < names_.size()) return names_[int(id)];
  if (names_.size() == classes - 1 && id >= 1) return names_[int(id - 1)];
  return QString::number(id);
}

void SequencePreview::refresh() {
  rows_.clear();
  const SequenceSetup& s = driver_->sequenceSetup();
  const bool decodes = s.mode == SequenceMode::Ctc || s.mode == SequenceMode::Seq2Seq;
  decoder_->setVisible(decodes);
  beamWidth_->setVisible(decodes && beamChosen());
  decoder_->setToolTip(
      s.mode == SequenceMode::Seq2Seq
          ? tr("Sequence-to-sequence decoding: the most probable next token at each step "
               "(greedy, Keras's decode_sequence), or beam search keeping the best hypotheses "
               "by the sum of log probabilities until the end token")
          : tr("CTC decoding: best class per step (greedy, tf.nn.ctc_greedy_decoder) "
               "or prefix beam search (tf.nn.ctc_beam_search_decoder)"));
  sentenceBar_->setVisible((s.mode == SequenceMode::TextClass || s.mode == SequenceMode::Seq2Seq) &&
                           !fixed_);
  if (!s.active() || !driver_->isConfigured()) {
    rebuildTable();
    rebuildLayers();
    return;
  }
  const Dataset& data = driver_->validationSource();
  if (fixed_ && s.mode != SequenceMode::TextClass) fixed_.reset();
  const auto& records = fixed_ ? *fixed_ : driver_->records();
  const auto& outs = driver_->sampleOutputs();
  const SequenceFrame& frame = driver_->sequenceFrame();
  static const std::vector<std::string> kNoVocab;
  const std::vector<std::string>& srcVocab = info_ ? info_->sourceVocabulary() : kNoVocab;
  const std::vector<std::string>& tgtVocab = info_ ? info_->targetVocabulary() : kNoVocab;
  const std::string srcSep = info_ ? info_->sourceSeparator() : std::string(" ");
  const std::string tgtSep = info_ ? info_->targetSeparator() : std::string(" ");
  const bool seqBeam = s.mode == SequenceMode::Seq2Seq && beamChosen();
  if (seqBeam) decodeBeamRows();
  for (size_t i = 0; i < records.size(); ++i) {
    const PreviewRecord& rec = records[i];
    const Index row = driver_->valBegin() + rec.sample;
    Row r;
    if (s.mode == SequenceMode::TextClass) {
      const std::vector<float> x = arrayRow(data.x[size_t(s.textInput)], row);
      const std::vector<Index> ids = TextSourceInfo::ids(x.data(), Index(x.size()));
      const std::string raw = info_ ? info_->rawText(x.data(), Index(x.size())) : std::string();
      r.input = !raw.empty() ? qs(raw) : qs(TextSourceInfo::words(srcVocab, ids, srcSep));
      r.ids = idList(ids);
      r.target = className(rec.trueClass);
      r.predictedYet = rec.predClass >= 0;
      if (r.predictedYet) {
        r.predicted =
            tr("%1 (p = %2)").arg(className(rec.predClass)).arg(double(rec.confidence), 0, 'f', 3);
        r.correct = rec.trueClass < 0 || rec.predClass == rec.trueClass;
      }
    } else if (s.mode == SequenceMode::Ctc) {
      r.image = rec.image;
      const std::vector<float> y = arrayRow(data.y[size_t(s.output)], row);
      const std::vector<Index> target = TextSourceInfo::ids(y.data(), Index(y.size()));
      QStringList tl;
      const Tensor* out = size_t(s.output) < outs.size() ? &outs[size_t(s.output)] : nullptr;
      const Index classes = out && out->rank() == 3 ? out->dim(2) : Index(names_.size());
      for (Index id : target) tl << ctcLabel(id, classes);
      r.target = tl.join(QStringLiteral(" · "));
      if (out && out->rank() == 3 && Index(i) < out->dim(0)) {
        const Index steps = out->dim(1);
        const float* p = out->data() + Index(i) * steps * classes;
        const CtcPath g = ctcGreedyDecode(p, steps, classes);
        QStringList gl;
        for (Index id : g.labels) gl << ctcLabel(id, classes);
        r.predictedYet = true;
        r.predicted = gl.isEmpty() ? tr("(empty)") : gl.join(QStringLiteral(" · "));
        r.correct = g.labels == target;
        if (decoder_->currentIndex() == 1) {
          const auto paths =
              ctcBeamSearchDecode(p, steps, classes, beamWidth_->value(), 1, s.ctcFromLogits);
          QStringList bl;
          for (Index id : paths.front().labels) bl << ctcLabel(id, classes);
          r.beam = (bl.isEmpty() ? tr("(empty)") : bl.join(QStringLiteral(" · "))) +
                   tr("  (log p = %1)").arg(paths.front().score, 0, 'f', 2);
          r.beamCorrect = paths.front().labels == target;
          r.beamDone = true;
        }
      }
    } else {  // Seq2Seq
      const std::vector<float> x = arrayRow(data.x[size_t(s.textInput)], row);
      const std::vector<float> y = arrayRow(data.y[size_t(s.output)], row);
      const std::string raw = info_ ? info_->rawText(x.data(), Index(x.size())) : std::string();
      r.input = !raw.empty()
                    ? qs(raw)
                    : qs(TextSourceInfo::words(
                          srcVocab, TextSourceInfo::ids(x.data(), Index(x.size())), srcSep));
      std::vector<Index> target = TextSourceInfo::ids(y.data(), Index(y.size()));
      if (!target.empty() && target.back() == s.endId) target.pop_back();
      r.target = qs(TextSourceInfo::words(tgtVocab, target, tgtSep));
      if (i < frame.decoded.size()) {
        r.predictedYet = true;
        r.predicted = qs(TextSourceInfo::words(tgtVocab, frame.decoded[i], tgtSep));
        if (r.predicted.isEmpty()) r.predicted = tr("(empty)");
        r.correct = frame.decoded[i] == target;
      } else if (!frame.decoded.empty()) {
        r.predicted =
            tr("(decoded for the first %n row(s) only)", nullptr, int(frame.decoded.size()));
      }
      if (seqBeam && i < beamFrame_.decoded.size()) {
        r.beam = targetWords(beamFrame_.decoded[i]) +
                 tr("  (log p = %1)").arg(beamLogProb_[i], 0, 'f', 2);
        r.beamCorrect = beamFrame_.decoded[i] == target;
        r.beamDone = true;
      } else if (seqBeam) {
        r.beam = tr("(with the first epoch end's weights)");
      }
    }
    rows_.push_back(std::move(r));
  }
  // Caption: what is shown, and the sample's score.
  int right = 0, done = 0;
  for (const Row& r : rows_)
    if (r.predictedYet) {
      ++done;
      right += r.correct;
    }
  const QString what = s.mode == SequenceMode::TextClass
                           ? tr("Text classification: sample texts, true vs predicted class")
                       : s.mode == SequenceMode::Ctc
                           ? tr("CTC: decoded labels beside the target (class 0 is the blank)")
                       : seqBeam
                           ? tr("Sequence to sequence: greedy and beam search decoding beside "
                                "the target")
                           : tr("Sequence to sequence: greedy decoding beside the target");
  if (fixed_) {
    caption_->setText(tr("%n validation text(s)", nullptr, int(rows_.size())));
    rebuildTable();
    attentionPane_->hide();
    return;
  }
  caption_->setText(done > 0 ? tr("%1  ·  %2/%3 right").arg(what).arg(right).arg(done)
                             : tr("%1  ·  predictions at the first epoch end").arg(what));
  rebuildTable();
  rebuildLayers();
  showAttention(attentionRow_ >= 0 && attentionRow_ < int(rows_.size()) ? attentionRow_ : 0);
}

void SequencePreview::rebuildTable() {
  const SequenceSetup& s = driver_->sequenceSetup();
  QStringList headers;
  const bool beam =
      (s.mode == SequenceMode::Ctc || s.mode == SequenceMode::Seq2Seq) && beamChosen();
  if (s.mode == SequenceMode::TextClass)
    headers = {tr("Text"), tr("Token ids"), tr("True"), tr("Predicted")};
  else if (s.mode == SequenceMode::Ctc)
    headers = beam ? QStringList{tr("Input"), tr("Target"), tr("Greedy"), tr("Beam search")}
                   : QStringList{tr("Input"), tr("Target"), tr("Greedy")};
  else if (s.mode == SequenceMode::Seq2Seq)
    headers =
        beam ? QStringList{tr("Source"), tr("Target"), tr("Decoded (greedy)"), tr("Beam search")}
             : QStringList{tr("Source"), tr("Target"), tr("Decoded (greedy)")};
  const int keep = table_->currentRow();
  QSignalBlocker block(table_);
  table_->clear();
  table_->setColumnCount(int(headers.size()));
  table_->setHorizontalHeaderLabels(headers);
  table_->setRowCount(int(rows_.size()));
  auto item = [](const QString& text) {
    // One paragraph per cell (runs of white space, line breaks included, become one space), at
    // most kCellChars characters; the tooltip has the whole text.
    QString shown = text.simplified();
    if (shown.size() > kCellChars) shown = shown.left(kCellChars) + QStringLiteral("…");
    auto* it = new QTableWidgetItem(shown);
    it->setToolTip(text);
    it->setForeground(kInk);
    return it;
  };
  auto verdictItem = [&](const QString& text, bool predicted, bool correct) {
    if (!predicted) {
      auto* it = item(text.isEmpty() ? tr("—") : text);
      it->setForeground(QColor(110, 110, 110));
      return it;
    }
    auto* it = item((correct ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + text);
    it->setBackground(correct ? kRightBg : kWrongBg);
    it->setData(Qt::UserRole, correct);
    return it;
  };
  for (int i = 0; i < int(rows_.size()); ++i) {
    const Row& r = rows_[size_t(i)];
    int c = 0;
    if (s.mode == SequenceMode::Ctc) {
      auto* img = new QTableWidgetItem;
      if (!r.image.isNull()) {
        const QImage big =
            r.image.scaledToHeight(std::max(28, r.image.height() * 2), Qt::FastTransformation);
        img->setData(Qt::DecorationRole, QPixmap::fromImage(big));
        img->setSizeHint(big.size() + QSize(8, 8));
      }
      table_->setItem(i, c++, img);
    } else {
      table_->setItem(i, c++, item(r.input));
    }
    if (s.mode == SequenceMode::TextClass) {
      auto* ids = item(r.ids);
      QFont mono(QStringLiteral("monospace"));
      mono.setStyleHint(QFont::TypeWriter);
      mono.setPointSizeF(std::max(7.0, font().pointSizeF() - 1));
      ids->setFont(mono);
      ids->setForeground(QColor(70, 70, 70));
      table_->setItem(i, c++, ids);
    }
    table_->setItem(i, c++, item(r.target));
    table_->setItem(i, c++, verdictItem(r.predicted, r.predictedYet, r.correct));
    if (beam) table_->setItem(i, c++, verdictItem(r.beam, r.beamDone, r.beamCorrect));
  }
  // Column widths: text columns share what is left after the short ones.
  QHeaderView* h = table_->horizontalHeader();
  for (int c = 0; c < table_->columnCount(); ++c)
    h->setSectionResizeMode(c, QHeaderView::Interactive);
  if (s.mode == SequenceMode::TextClass) {
    h->setSectionResizeMode(0, QHeaderView::Stretch);
    table_->setColumnWidth(1, 200);
    table_->resizeColumnToContents(2);
    table_->resizeColumnToContents(3);
  } else if (s.mode == SequenceMode::Ctc) {
    table_->resizeColumnToContents(0);
    for (int c = 1; c < table_->columnCount(); ++c)
      h->setSectionResizeMode(c, QHeaderView::Stretch);
  } else if (s.mode == SequenceMode::Seq2Seq) {
    for (int c = 0; c < table_->columnCount(); ++c)
      h->setSectionResizeMode(c, QHeaderView::Stretch);
  }
  table_->resizeRowsToContents();
  if (keep >= 0 && keep < table_->rowCount()) table_->setCurrentCell(keep, 0);
}

void SequencePreview::rebuildLayers() {
  const SequenceFrame& frame = typedAttention_ ? typedFrame_ : shownFrame();
  const SequenceSetup& s = driver_->sequenceSetup();
  {
    QSignalBlocker block(layer_);
    const QString cur = layer_->currentText();
    QStringList names;
    for (const std::string& n : s.attention) names << qs(n);
    QStringList have;
    for (int i = 0; i < layer_->count(); ++i) have << layer_->itemText(i);
    if (have != names) {
      layer_->clear();
      layer_->addItems(names);
      const int at = int(names.indexOf(cur));
      layer_->setCurrentIndex(at >= 0 ? at : 0);
    }
  }
  Index heads = 0;
  for (const auto& [name, t] : frame.attention)
    if (qs(name) == layer_->currentText()) heads = t.rank() == 4 ? t.dim(1) : 1;
  QSignalBlocker block(head_);
  const int cur = head_->currentIndex();
  if (head_->count() != (heads > 1 ? int(heads) + 1 : 0)) {
    head_->clear();
    if (heads > 1) {
      head_->addItem(tr("mean of %1 heads").arg(heads));
      for (Index h = 0; h < heads; ++h) head_->addItem(tr("head %1").arg(h));
    }
    head_->setCurrentIndex(cur >= 0 && cur < head_->count() ? cur : 0);
  }
  head_->setVisible(heads > 1);
  // Models without an attention layer get the whole height for the table.
  attentionPane_->setVisible(!s.attention.empty());
}

// Token labels of `row` for an axis of `steps` positions: the decoder's input (start token, then
// the decoded tokens) or the source text's tokens, as many as are real (padding cropped). Empty
// when the axis is neither (the heat map then numbers the steps).
QStringList SequencePreview::tokenLabels(int row, long long steps, int modelInput) const {
  QStringList out;
  const SequenceSetup& s = driver_->sequenceSetup();
  const auto& records = driver_->records();
  if (row < 0 || row >= int(records.size())) return out;
  const Dataset& data = driver_->validationSource();
  const Index dataRow = driver_->valBegin() + records[size_t(row)].sample;
  static const std::vector<std::string> kNoVocab;
  auto word = [](const std::vector<std::string>& vocab, Index id) {
    if (id < 0 || id >= Index(vocab.size()) || vocab[size_t(id)].empty())
      return QString::number(id);
    const QString w = qs(vocab[size_t(id)]);
    return w.trimmed().isEmpty() ? QStringLiteral("␣") : w;  // a space token (split "character")
  };
  if (s.mode == SequenceMode::Seq2Seq && modelInput == s.decoderInput &&
      steps == data.x[size_t(s.decoderInput)].rowSize()) {
    const auto& frame = shownFrame();
    const auto& vocab = info_ ? info_->targetVocabulary() : kNoVocab;
    out << word(vocab, Index(std::lround(s.startId)));
    if (size_t(row) < frame.decoded.size())
      for (Index id : frame.decoded[size_t(row)])
        if (out.size() < steps) out << word(vocab, id);
    return out;
  }
  if ((s.mode == SequenceMode::Seq2Seq || s.mode == SequenceMode::TextClass) &&
      modelInput == s.textInput && steps == data.x[size_t(s.textInput)].rowSize()) {
    const std::vector<float> x = arrayRow(data.x[size_t(s.textInput)], dataRow);
    const auto& vocab = info_ ? info_->sourceVocabulary() : kNoVocab;
    for (Index id : TextSourceInfo::ids(x.data(), Index(x.size()))) out << word(vocab, id);
    if (out.isEmpty()) out << word(vocab, 0);
  }
  return out;
}

// Labels of the typed sentence's axes: its tokens (source side), or start + its decoding.
QStringList SequencePreview::typedLabels(long long steps, int modelInput) const {
  QStringList out;
  const SequenceSetup& s = driver_->sequenceSetup();
  static const std::vector<std::string> kNoVocab;
  auto word = [](const std::vector<std::string>& vocab, Index id) {
    if (id < 0 || id >= Index(vocab.size()) || vocab[size_t(id)].empty())
      return QString::number(id);
    const QString w = qs(vocab[size_t(id)]);
    return w.trimmed().isEmpty() ? QStringLiteral("␣") : w;
  };
  if (s.mode == SequenceMode::Seq2Seq && modelInput == s.decoderInput) {
    const auto& vocab = info_ ? info_->targetVocabulary() : kNoVocab;
    out << word(vocab, Index(std::lround(s.startId)));
    for (Index id : typed_.decoded)
      if (out.size() < steps) out << word(vocab, id);
  } else if (modelInput == s.textInput) {
    const auto& vocab = info_ ? info_->sourceVocabulary() : kNoVocab;
    for (Index id : typed_.ids)
      if (out.size() < steps) out << word(vocab, id);
    if (out.isEmpty()) out << word(vocab, 0);
  }
  return out;
}

void SequencePreview::showAttention(int row) {
  attentionRow_ = row;
  if (fixed_) return;  // rows are not the probed sample
  // The typed sentence (its one row), or the selected table row.
  const bool typed = typedAttention_;
  const SequenceFrame& frame = typed ? typedFrame_ : shownFrame();
  if (typed) row = 0;
  const Tensor* scores = nullptr;
  const Tensor *queryMask = nullptr, *keyMask = nullptr;
  for (size_t k = 0; k < frame.attention.size(); ++k)
    if (qs(frame.attention[k].first) == layer_->currentText()) {
      scores = &frame.attention[k].second;
      if (k < frame.attentionMasks.size()) {
        const auto& [q, kv] = frame.attentionMasks[k];
        queryMask = q.size() > 0 ? &q : nullptr;
        keyMask = kv.size() > 0 ? &kv : nullptr;
      }
    }
  if (!scores || row < 0) {
    heat_->clear();
    heat_->setTitle(layer_->count() ? tr("Attention: %1").arg(layer_->currentText()) : QString());
    if (layer_->count())
      attentionNote_->setText(scores ? tr("Select a row")
                                     : tr("Weights come with the next preview"));
    return;
  }
  const Index probed = scores->dim(0);
  if (row >= probed) {
    heat_->clear();
    attentionNote_->setText(
        tr("Attention is recorded for the first %n row(s)", nullptr, int(probed)));
    return;
  }
  const int head = head_->count() > 1 ? head_->currentIndex() - 1 : -1;
  AttentionMatrix m = AttentionProbe::matrix(*scores, row, head, queryMask, keyMask);
  std::pair<int, int> from{-1, -1};
  const SequenceSetup& s = driver_->sequenceSetup();
  for (size_t k = 0; k < s.attention.size() && k < s.attentionInputs.size(); ++k)
    if (qs(s.attention[k]) == layer_->currentText()) from = s.attentionInputs[k];
  QStringList rl = typed ? typedLabels(m.rows, from.first) : tokenLabels(row, m.rows, from.first);
  QStringList cl = typed ? typedLabels(m.cols, from.second) : tokenLabels(row, m.cols, from.second);
  // Crop the padding: the steps the model masks (Keras masks, Embedding(mask_zero=True)) where
  // the layer had a mask on that side, else the steps past the labelled tokens.
  const bool rowsMasked = !m.rowMask.empty(), colsMasked = !m.colMask.empty();
  const Index rows = rowsMasked     ? m.realRows()
                     : rl.isEmpty() ? m.rows
                                    : std::min<Index>(m.rows, rl.size());
  const Index cols = colsMasked     ? m.realCols()
                     : cl.isEmpty() ? m.cols
                                    : std::min<Index>(m.cols, cl.size());
  while (rl.size() > rows) rl.removeLast();
  while (cl.size() > cols) cl.removeLast();
  std::vector<float> v(static_cast<size_t>(rows * cols));
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) v[size_t(i * cols + j)] = m.at(i, j);
  heat_->setMatrix(int(rows), int(cols), std::move(v), rl, cl);
  heat_->setTitle(typed ? tr("Attention: %1, typed sentence%2")
                              .arg(layer_->currentText())
                              .arg(head >= 0 ? tr(", head %1").arg(head) : QString())
                        : tr("Attention: %1, row %2%3")
                              .arg(layer_->currentText())
                              .arg(row + 1)
                              .arg(head >= 0 ? tr(", head %1").arg(head) : QString()));
  // The weight the shown rows put on cropped (padding) keys (0 when the model masks them).
  double padMass = 0;
  for (Index i = 0; i < rows; ++i) {
    double shown = 0;
    for (Index j = 0; j < cols; ++j) shown += m.at(i, j);
    padMass += std::max(0.0, 1.0 - shown);
  }
  padMass = rows > 0 ? padMass / double(rows) : 0.0;
  if (colsMasked)
    attentionNote_->setText(
        rows < m.rows || cols < m.cols
            ? tr("%1 × %2 steps of %3 × %4: padding masked by the model (its weight is 0)")
                  .arg(rows)
                  .arg(cols)
                  .arg(m.rows)
                  .arg(m.cols)
            : tr("%1 × %2 steps (masked by the model; no padding in this row)")
                  .arg(rows)
                  .arg(cols));
  else
    attentionNote_->setText(rows < m.rows || cols < m.cols
                                ? tr("%1 × %2 steps, padding cropped from %3 × %4 (%5% of the "
                                     "weight was on padding keys)")
                                      .arg(rows)
                                      .arg(cols)
                                      .arg(m.rows)
                                      .arg(m.cols)
                                      .arg(100.0 * padMass, 0, 'f', 1)
                                : tr("%1 × %2 steps").arg(rows).arg(cols));
}

}  // namespace tessel::ui
