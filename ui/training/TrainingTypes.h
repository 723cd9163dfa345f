#pragma once
// Small value types the training worker sends to the GUI thread (copied through queued signals).
#include <QMetaType>
#include <QString>
#include <QVariantMap>
#include <QVector>

namespace tessel::ui {

// A marker on the curves: kind is "best_epoch", "checkpoint", "lr_change", "early_stop",
// "pause", "resume", "nan" or "stop" (the RunEvent kinds of the project file).
struct TrainingEvent {
  QString kind;
  int epoch = 0;    // 0-based
  qint64 step = 0;  // global step (1-based count of batches done when it happened)
  QVariantMap payload;
};

// Histogram of one weight tensor and of its gradient (last batch of the epoch), equal-width
// bins over [min, max] of each.
struct LayerHistogram {
  QString layer;   // "dense_1"
  QString weight;  // "dense_1/kernel"
  double weightMin = 0, weightMax = 0;
  QVector<double> weightCounts;
  double gradMin = 0, gradMax = 0;
  QVector<double> gradCounts;  // empty for non-trainable weights
};

}  // namespace tessel::ui

Q_DECLARE_METATYPE(tessel::ui::TrainingEvent)
Q_DECLARE_METATYPE(tessel::ui::LayerHistogram)
