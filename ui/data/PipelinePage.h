#pragma once
// The data dialog's Pipeline tab: the tf.data steps of DataSettings::Pipeline, listed in the
// order they apply -- interleave (cycle length over shard files), skip, take, cache (none,
// memory or a cache file), shuffle buffer, batch, prefetch -- with a line saying what each means
// for the chosen source (streamed TFRecord shards apply every step; in-memory sources shuffle
// fully each epoch).
#include <QWidget>

#include "engine/data/DataSettings.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace tessel::ui {

class PipelinePage : public QWidget {
  Q_OBJECT
 public:
  explicit PipelinePage(QWidget* parent);

  void load(const DataSettings& s);
  void store(DataSettings& s) const;
  // Streamed sources (TFRecord) use every step; other kinds only some (the rest are disabled).
  void setStreamed(bool streamed);

  // The step labels, top to bottom ("1. interleave", ...).
  QStringList stepNames() const;
  QSpinBox* cycleLengthSpin() const { return cycle_; }
  QSpinBox* skipSpin() const { return skip_; }
  QSpinBox* takeSpin() const { return take_; }
  QComboBox* cacheCombo() const { return cache_; }
  QLineEdit* cacheFileEdit() const { return cacheFile_; }
  QSpinBox* shuffleBufferSpin() const { return shuffle_; }
  QSpinBox* batchSpin() const { return batch_; }
  QSpinBox* prefetchSpin() const { return prefetch_; }
  QLabel* memoryLabel() const { return memory_; }

 private:
  void updateMemory();
  QSpinBox *cycle_, *skip_, *take_, *shuffle_, *batch_, *prefetch_;
  QComboBox* cache_;
  QLineEdit* cacheFile_;
  QLabel* memory_;
  QStringList steps_;
  bool streamed_ = false;
};

}  // namespace tessel::ui
