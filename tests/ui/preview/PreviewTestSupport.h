#pragma once
// Shared by the preview tests: the bundled two-head localization example (spec, compile
// settings), a generated Fashion-MNIST localization set, a training run on its own thread with
// the preview driver's observer, and a pixel probe.
#include <qcustomplot.h>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>
#include <QtTest>
#include <atomic>
#include <cmath>
#include <memory>
#include "engine/core/Rng.h"
#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/ImageDecode.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "ui/preview/ActivationGrid.h"
#include "ui/preview/ConfusionMatrixWidget.h"
#include "ui/preview/EmbeddingView.h"
#include "ui/preview/ExplainView.h"
#include "ui/preview/InferenceView.h"
#include "ui/preview/MisclassifiedView.h"
#include "ui/preview/PreviewDecoder.h"
#include "ui/preview/PreviewDriver.h"
#include "ui/preview/PreviewGallery.h"
#include "ui/preview/PreviewGrid.h"
#include "ui/preview/PreviewPainter.h"
#include "ui/preview/PreviewPanel.h"
#include "ui/preview/PreviewZoomDialog.h"

namespace tessel::ui::previewtest {

using namespace tessel;
using namespace tessel::ui;

// The bundled example: a two-head Functional model (shared conv trunk → "class" Dense(10,
// softmax) and "box" Dense(4, sigmoid)) with its training config (sparse CE + MSE, loss weights).
inline json exampleModelJson() {
  QFile f(QStringLiteral(TESSEL_SOURCE_DIR) +
          "/resources/examples/fashion_mnist_localization/model.json");
  if (!f.open(QIODevice::ReadOnly)) return {};
  return json::parse(f.readAll().toStdString());
}

inline ModelSpec localizationSpec() {
  return ModelSpec::fromKerasJson(exampleModelJson());
}

inline CompileOptions localizationCompile() {
  const ModelSpec spec = localizationSpec();
  CompileOptions c =
      CompileOptions::fromTrainingConfig(exampleModelJson()["trainingConfig"], spec.outputs);
  c.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.002}}}};
  return c;
}

// n items of the generated Fashion-MNIST localization set (engine/data/FashionLocalization.h):
// x (n, 64, 64, 1) uint8 with scale 1/255, y class (n,), y box (n, 4).
// Fashion-MNIST read once for every test (the first 400 training items).
inline const FashionMnist& fashion() {
  static const FashionMnist fm = loadFashionMnist(kFashionMnistDir, 400, 1);
  return fm;
}

inline Dataset localizationData(Index n) {
  const FashionMnist fm = n <= 400 ? fashion() : loadFashionMnist(kFashionMnistDir, n, 1);
  LocalizationOptions opt;
  opt.count = n;
  opt.seed = 42;
  LocalizationSet set = generateFashionLocalization(fm.xTrain, fm.yTrain, opt);
  Dataset d;
  d.x = {set.x};
  d.y = {set.yClass, set.yBox};
  return d;
}

inline bool ready() {
  return fashionMnistAvailable() && !exampleModelJson().is_null();
}

inline QStringList fashionNames() {
  QStringList names;
  for (const char* s : kFashionMnistClassNames) names << QString::fromUtf8(s);
  return names;
}

// Fit on a QThread of its own with the driver's observer, as the studio's controller would.
struct TrainRun {
  QThread* thread = nullptr;
  std::atomic<bool> ok{false};
  std::string error;
  ~TrainRun() {
    if (thread) {
      thread->wait();
      delete thread;
    }
  }
  void start(PreviewDriver* driver, ModelSpec spec, CompileOptions compile, Dataset data,
             FitOptions fit) {
    thread = QThread::create([this, driver, spec, compile, data, fit] {
      try {
        Model model(spec, 3);
        Trainer trainer(model, compile);
        std::unique_ptr<TrainObserver> obs = driver->makeObserver(model);
        trainer.fit(data, fit, {}, obs.get());
        ok = true;
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
    thread->start();
  }
};

// True when a pixel within `radius` of (x, y) has exactly `color`.
inline bool colorNear(const QImage& img, int x, int y, const QColor& color, int radius = 2) {
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx) {
      const int px = x + dx, py = y + dy;
      if (px < 0 || py < 0 || px >= img.width() || py >= img.height()) continue;
      if (img.pixelColor(px, py).rgb() == color.rgb()) return true;
    }
  return false;
}

}  // namespace tessel::ui::previewtest
