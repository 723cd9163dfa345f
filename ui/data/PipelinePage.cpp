#include "ui/data/PipelinePage.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <climits>

namespace tessel::ui {

namespace {

QSpinBox* spin(QWidget* parent, const char* name, int min, int max, const QString& special,
               const QString& tip) {
  auto* s = new QSpinBox(parent);
  s->setObjectName(name);
  s->setRange(min, max);
  if (!special.isEmpty()) s->setSpecialValueText(special);
  s->setToolTip(tip);
  return s;
}

}  // namespace

PipelinePage::PipelinePage(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* intro =
      new QLabel(tr("The input pipeline, in the order tf.data applies it "
                    "(list_files -> interleave -> map(parse) -> shuffle -> batch -> prefetch)."),
                 this);
  intro->setWordWrap(true);
  layout->addWidget(intro);
  auto* form = new QFormLayout;
  cycle_ = spin(this, "cycleLengthSpin", 0, 100000, tr("all shards"),
                tr("interleave(cycle_length): shard files read at once, one record each in turn"));
  skip_ = spin(this, "skipSpin", 0, INT_MAX, {}, tr("skip(n): records left out at the start"));
  take_ = spin(this, "takeSpin", -1, INT_MAX, tr("all"),
               tr("take(n): at most n records (quick trials)"));
  cache_ = new QComboBox(this);
  cache_->setObjectName("cacheCombo");
  cache_->addItems({tr("none (stream every epoch)"), tr("memory"), tr("file")});
  cacheFile_ = new QLineEdit(this);
  cacheFile_->setObjectName("cacheFileEdit");
  cacheFile_->setPlaceholderText(tr("cache file path (tf.data cache(filename))"));
  shuffle_ = spin(this, "shuffleBufferSpin", 0, INT_MAX, tr("no shuffle buffer"),
                  tr("shuffle(buffer_size): a streaming shuffle over this many records"));
  batch_ = spin(this, "pipelineBatchSpin", 0, 1 << 20, tr("fit's batch size"),
                tr("batch(n): samples per training step"));
  prefetch_ = spin(this, "prefetchSpin", 0, 1024, tr("none"),
                   tr("prefetch(n): batches decoded ahead on a reader thread"));
  steps_ = {tr("1. interleave: cycle length"), tr("2. skip"),  tr("3. take"),    tr("4. cache"),
            tr("5. shuffle buffer"),           tr("6. batch"), tr("7. prefetch")};
  auto* cacheRow = new QVBoxLayout;
  cacheRow->addWidget(cache_);
  cacheRow->addWidget(cacheFile_);
  form->addRow(steps_[0], cycle_);
  form->addRow(steps_[1], skip_);
  form->addRow(steps_[2], take_);
  form->addRow(steps_[3], cacheRow);
  form->addRow(steps_[4], shuffle_);
  form->addRow(steps_[5], batch_);
  form->addRow(steps_[6], prefetch_);
  layout->addLayout(form);
  memory_ = new QLabel(this);
  memory_->setObjectName("pipelineMemoryLabel");
  memory_->setWordWrap(true);
  layout->addWidget(memory_);
  layout->addStretch(1);
  connect(cache_, &QComboBox::currentIndexChanged, this, [this](int i) {
    cacheFile_->setEnabled(i == 2);
    updateMemory();
  });
  for (QSpinBox* s : {shuffle_, batch_, prefetch_})
    connect(s, &QSpinBox::valueChanged, this, &PipelinePage::updateMemory);
  cacheFile_->setEnabled(false);
  load(DataSettings());  // the defaults: take -1 (all), no steps
  setStreamed(false);
}

QStringList PipelinePage::stepNames() const {
  return steps_;
}

void PipelinePage::setStreamed(bool streamed) {
  streamed_ = streamed;
  // prefetch applies to every source (fit gathers batches ahead on a reader thread).
  for (QWidget* w : std::initializer_list<QWidget*>{cycle_, cache_}) w->setEnabled(streamed);
  cacheFile_->setEnabled(streamed && cache_->currentIndex() == 2);
  updateMemory();
}

void PipelinePage::updateMemory() {
  if (!streamed_) {
    memory_->setText(
        tr("In-memory and image-folder sources: fit shuffles every sample each epoch; "
           "prefetch gathers (decodes) %1 batches ahead on a reader thread; interleave and "
           "cache apply to TFRecord shards.")
            .arg(prefetch_->value()));
    return;
  }
  if (cache_->currentIndex() == 1) {
    memory_->setText(tr("The decoded training samples are kept in memory."));
    return;
  }
  const int batch = batch_->value() > 0 ? batch_->value() : 32;
  memory_->setText(
      tr("Streamed: held at most the shuffle buffer (%1 records), %2 prefetched samples (%3 "
         "batches + 2) and a window of max(1024, 2 x batch) decoded samples, plus ~170 KiB per "
         "open shard -- independent of the number of records.")
          .arg(shuffle_->value())
          .arg((prefetch_->value() > 0 ? prefetch_->value() + 2 : 0) * batch)
          .arg(prefetch_->value()));
}

void PipelinePage::load(const DataSettings& s) {
  const auto& p = s.pipeline;
  cycle_->setValue(p.cycleLength);
  skip_->setValue(int(std::min<std::int64_t>(p.skip, INT_MAX)));
  take_->setValue(int(std::min<std::int64_t>(p.take, INT_MAX)));
  cache_->setCurrentIndex(p.cache.empty() ? 0 : p.cache == "memory" ? 1 : 2);
  cacheFile_->setText(p.cache.empty() || p.cache == "memory" ? QString()
                                                             : QString::fromStdString(p.cache));
  shuffle_->setValue(int(std::min<std::int64_t>(p.shuffleBuffer, INT_MAX)));
  batch_->setValue(p.batch);
  prefetch_->setValue(p.prefetch);
  updateMemory();
}

void PipelinePage::store(DataSettings& s) const {
  auto& p = s.pipeline;
  p.cycleLength = cycle_->value();
  p.skip = skip_->value();
  p.take = take_->value();
  p.cache = cache_->currentIndex() == 1   ? "memory"
            : cache_->currentIndex() == 2 ? cacheFile_->text().trimmed().toStdString()
                                          : std::string();
  p.shuffleBuffer = shuffle_->value();
  p.batch = batch_->value();
  p.prefetch = prefetch_->value();
}

}  // namespace tessel::ui
