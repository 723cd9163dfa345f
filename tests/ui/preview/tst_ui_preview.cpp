// The studio's previews with real widgets (offscreen): output-role detection, NMS by hand, the
// preview observer's hand-over (coalesced, every N batches), then one short training run of a
// two-head localization model on a generated Fashion-MNIST localization set (items placed at
// random positions on a 64×64 canvas with clutter): ground-truth box pixels are green where the
// boxes are, a tile click explains the tile (Grad-CAM, saliency, box head, opacity, feature
// maps), the grid exports, a confusion cell opens its gallery and filters the misclassified tab,
// the embedding view's points hover and open, and a dropped or browsed image gets top-5 labels
// and its explanation. Screenshots of the grid and the confusion matrix taken
// mid-training go to the build directory.
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

using namespace tessel;
using namespace tessel::ui;

namespace {

// The bundled example: a two-head Functional model (shared conv trunk → "class" Dense(10,
// softmax) and "box" Dense(4, sigmoid)) with its training config (sparse CE + MSE, loss weights).
json exampleModelJson() {
  QFile f(QStringLiteral(TESSEL_SOURCE_DIR) +
          "/resources/examples/fashion_mnist_localization/model.json");
  if (!f.open(QIODevice::ReadOnly)) return {};
  return json::parse(f.readAll().toStdString());
}

ModelSpec localizationSpec() {
  return ModelSpec::fromKerasJson(exampleModelJson());
}

CompileOptions localizationCompile() {
  const ModelSpec spec = localizationSpec();
  CompileOptions c =
      CompileOptions::fromTrainingConfig(exampleModelJson()["trainingConfig"], spec.outputs);
  c.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.002}}}};
  return c;
}

// n items of the generated Fashion-MNIST localization set (engine/data/FashionLocalization.h):
// x (n, 64, 64, 1) uint8 with scale 1/255, y class (n,), y box (n, 4).
// Fashion-MNIST read once for every test (the first 400 training items).
const FashionMnist& fashion() {
  static const FashionMnist fm = loadFashionMnist(kFashionMnistDir, 400, 1);
  return fm;
}

Dataset localizationData(Index n) {
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

bool ready() {
  return fashionMnistAvailable() && !exampleModelJson().is_null();
}

QStringList fashionNames() {
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
bool colorNear(const QImage& img, int x, int y, const QColor& color, int radius = 2) {
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx) {
      const int px = x + dx, py = y + dy;
      if (px < 0 || py < 0 || px >= img.width() || py >= img.height()) continue;
      if (img.pixelColor(px, py).rgb() == color.rgb()) return true;
    }
  return false;
}

}  // namespace

class TestPreview : public QObject {
  Q_OBJECT

 private slots:
  void detectsOutputRoles() {
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy", "mse"};
    PreviewHeads h = PreviewDecoder::detect({{kNone, 10}, {kNone, 4}}, c);
    QCOMPARE(h.classOutputs, std::vector<int>{0});
    QCOMPARE(h.boxOutput, 1);
    QCOMPARE(h.scoreOutput, -1);
    // A 4-class classifier is a class head, not a box head, when its loss says so.
    c.losses = {"categorical_crossentropy"};
    h = PreviewDecoder::detect({{kNone, 4}}, c);
    QCOMPARE(h.classOutputs, std::vector<int>{0});
    QCOMPARE(h.boxOutput, -1);
    // Many boxes: (N, 8, 4) boxes scored by (N, 8).
    h = PreviewDecoder::detect({{kNone, 8, 4}, {kNone, 8}}, {});
    QCOMPARE(h.boxOutput, 0);
    QCOMPARE(h.scoreOutput, 1);
    QVERIFY(h.classOutputs.empty());
  }

  void nonMaxSuppressionByHand() {
    // tf.image.non_max_suppression's documented example: three boxes of a cluster, the top one
    // kept; a far box kept; scores at or below the threshold dropped.
    std::vector<PreviewBox> boxes = {{0, 0, 1, 1},   {0, 0.1f, 1, 1.1f},   {0, -0.1f, 1, 0.9f},
                                     {0, 10, 1, 11}, {0, 10.1f, 1, 11.1f}, {0, 100, 1, 101}};
    std::vector<float> scores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};
    // IoU(box0, box1) = 0.9 / 1.1 = 0.818 > 0.5: suppressed.
    auto kept = PreviewDecoder::nonMaxSuppression(boxes, scores, 3, 0.5f, 0.0f);
    QCOMPARE(kept, (std::vector<int>{3, 0, 5}));
    kept = PreviewDecoder::nonMaxSuppression(boxes, scores, 10, 0.5f, 0.3f);
    QCOMPARE(kept, (std::vector<int>{3, 0}));  // 0.3 is not > 0.3
    kept = PreviewDecoder::nonMaxSuppression(boxes, scores, 10, 0.9f, 0.0f);
    QCOMPARE(kept, (std::vector<int>{3, 0, 1, 2, 4, 5}));
    QCOMPARE(boxIoU({0, 0, 1, 1}, {0, 0.5f, 1, 1.5f}), 0.5f / 1.5f);
  }

  void manyBoxesDecodeThroughNms() {
    // One image, 3 candidate boxes with scores; the overlapping weaker one is dropped.
    PreviewHeads h;
    h.boxOutput = 0;
    h.scoreOutput = 1;
    h.iouThreshold = 0.5f;
    h.scoreThreshold = 0.2f;
    Tensor boxes({1, 3, 4},
                 {0.1f, 0.1f, 0.5f, 0.5f, 0.12f, 0.1f, 0.52f, 0.5f, 0.6f, 0.6f, 0.9f, 0.9f});
    Tensor scores({1, 3}, {0.8f, 0.7f, 0.6f});
    PreviewRecord r;
    r.trueBoxes = {{0.1f, 0.1f, 0.5f, 0.5f}};
    PreviewDecoder::fillPrediction(h, {boxes, scores}, 0, r);
    QCOMPARE(int(r.predBoxes.size()), 2);
    QCOMPARE(r.predBoxes[0].score, 0.8f);
    QCOMPARE(r.predBoxes[1].score, 0.6f);
    QCOMPARE(r.predBoxes[0].iou, 1.0f);
    QCOMPARE(r.predBoxes[1].iou, 0.0f);
    QCOMPARE(r.iou, 1.0f);
    // Drawn: both kept boxes are orange on the rendered tile.
    r.image = QImage(64, 64, QImage::Format_Grayscale8);
    r.image.fill(0);
    QImage tile = PreviewPainter::renderTile(r, {}, 128, false);
    const QRect ir = PreviewPainter::imageRect(QRect(QPoint(0, 0), tile.size()), r.image, false);
    const QRectF b1 = PreviewPainter::boxRect(ir, r.predBoxes[1]);
    QVERIFY(colorNear(tile, int(b1.right()), int(b1.center().y()), PreviewPainter::predColor()));
  }

  void observerHandsOverCoalesced() {
    // The observer called on this (GUI) thread: frames wait in the mailbox until the event loop
    // runs, and ten batch reports make ONE previewUpdated.
    if (!ready()) QSKIP("dataset-fashion-mnist or the localization example is missing");
    Dataset data = localizationData(40);
    FitOptions fit;
    fit.validationSplit = 0.5;
    PreviewDriver driver;
    PreviewSettings s;
    s.sampleCount = 6;
    s.everyNBatches = 1;
    driver.setSettings(s);
    driver.configure(localizationSpec(), localizationCompile(), data, fit);
    QCOMPARE(int(driver.sampleRows().size()), 6);
    QCOMPARE(driver.validationSize(), Index(20));
    QCOMPARE(driver.records().size(), size_t(6));
    QVERIFY(driver.records()[0].predBoxes.empty());
    QCOMPARE(driver.records()[0].trueBoxes.size(), size_t(1));

    Model model(localizationSpec(), 1);
    auto obs = driver.makeObserver(model);
    QSignalSpy preview(&driver, &PreviewDriver::previewUpdated);
    QSignalSpy confusion(&driver, &PreviewDriver::confusionUpdated);
    for (int b = 0; b < 10; ++b) obs->onBatchEnd(0, b, {});
    QCOMPARE(preview.count(), 0);
    QCoreApplication::processEvents();
    QCOMPARE(preview.count(), 1);
    QCOMPARE(preview.at(0).at(0).toInt(), 0);
    QCOMPARE(preview.at(0).at(1).toInt(), 9);  // the latest frame wins
    QCOMPARE(driver.records()[0].predBoxes.size(), size_t(1));
    QVERIFY(driver.records()[0].predClass >= 0);
    obs->onEpochEnd(0, {});
    QCoreApplication::processEvents();
    QCOMPARE(confusion.count(), 1);
    auto m = driver.confusion(0);
    QCOMPARE(int(m.size()), 10);
    int total = 0;
    for (const auto& row : m)
      for (int v : row) total += v;
    QCOMPARE(total, 20);
    QCOMPARE(driver.latestWeights().size(), model.getWeights().size());
    // Predictions of the observer equal a plain predict() of the same model.
    Trainer trainer(model, localizationCompile());
    Array sample = data.x[0].takeRows({20 + driver.sampleRows()[0]});
    auto outs = trainer.predict({sample});
    QVERIFY(std::abs(driver.records()[0].confidence -
                     outs[0].data()[driver.records()[0].predClass]) < 1e-5f);
    QVERIFY(std::abs(driver.records()[0].predBoxes[0].yMin - outs[1].data()[0]) < 1e-5f);
    // Reconfiguring silences observers of the old run.
    driver.configure(localizationSpec(), localizationCompile(), data, fit);
    obs->onEpochEnd(1, {});
    QCoreApplication::processEvents();
    QCOMPARE(confusion.count(), 1);
    // An observer outliving its driver is harmless.
    auto driver2 = std::make_unique<PreviewDriver>();
    driver2->configure(localizationSpec(), localizationCompile(), data, fit);
    auto obs2 = driver2->makeObserver(model);
    driver2.reset();
    obs2->onEpochEnd(0, {});
    QCoreApplication::processEvents();
  }

  // Images with several annotated boxes: the tile draws every one in green, the target first.
  void everyAnnotatedBoxIsDrawn() {
    json topo = {{"class_name", "Functional"},
                 {"config",
                  {{"name", "two_heads"},
                   {"layers",
                    {{{"class_name", "InputLayer"},
                      {"name", "in"},
                      {"config", {{"name", "in"}, {"batch_input_shape", {nullptr, 16, 16, 1}}}},
                      {"inbound_nodes", json::array()}},
                     {{"class_name", "Flatten"},
                      {"name", "flat"},
                      {"config", {{"name", "flat"}}},
                      {"inbound_nodes", {{{"in", 0, 0, json::object()}}}}},
                     {{"class_name", "Dense"},
                      {"name", "cls"},
                      {"config", {{"name", "cls"}, {"units", 2}, {"activation", "softmax"}}},
                      {"inbound_nodes", {{{"flat", 0, 0, json::object()}}}}},
                     {{"class_name", "Dense"},
                      {"name", "box"},
                      {"config", {{"name", "box"}, {"units", 4}, {"activation", "sigmoid"}}},
                      {"inbound_nodes", {{{"flat", 0, 0, json::object()}}}}}}},
                   {"input_layers", {{"in", 0, 0}}},
                   {"output_layers", {{"cls", 0, 0}, {"box", 0, 0}}}}}};
    const ModelSpec spec = ModelSpec::fromKerasJson(topo);
    CompileOptions compile;
    compile.losses = {"sparse_categorical_crossentropy", "mse"};
    Tensor x({3, 16, 16, 1}), cls({3}), box({3, 4});
    x.fill(0.5f);
    cls.fill(0.0f);
    const float target[3][4] = {{0.1f, 0.1f, 0.4f, 0.4f}, {0.5f, 0.5f, 0.9f, 0.9f}, {0, 0, 1, 1}};
    for (int r = 0; r < 3; ++r)
      for (int k = 0; k < 4; ++k) box.data()[r * 4 + k] = target[r][k];
    FitOptions fit;
    fit.validationData =
        Dataset{{Array::fromTensor(x)}, {Array::fromTensor(cls), Array::fromTensor(box)}, {}};
    PreviewPanel panel;
    panel.sampleCountBox()->setValue(3);
    // Row 1 has a second box; row 0 lists its target again (not drawn twice).
    panel.setAllTruthBoxes({{{0.1f, 0.1f, 0.4f, 0.4f}},
                            {{0.05f, 0.6f, 0.3f, 0.95f}, {0.5f, 0.5f, 0.9f, 0.9f}},
                            {{0, 0, 1, 1}}});
    panel.configure(spec, compile, fit.validationData.value(), fit);
    Model model(spec, 1);
    auto obs = panel.driver()->makeObserver(model);
    obs->onEpochEnd(0, {});
    QCoreApplication::processEvents();
    const auto& recs = panel.grid()->records();
    QCOMPARE(recs.size(), size_t(3));
    QCOMPARE(recs[0].trueBoxes.size(), size_t(1));
    QCOMPARE(recs[1].trueBoxes.size(), size_t(2));
    QCOMPARE(recs[1].trueBoxes[0].yMin, 0.5f);  // the training target first
    QCOMPARE(recs[1].trueBoxes[1].xMin, 0.6f);
    // Green outline of the second box at its left edge, mid-height, on a 96-pixel tile.
    const QImage tile = PreviewPainter::renderTile(recs[1], {}, 96, false);
    tile.save(QStringLiteral(TESSEL_BINARY_DIR) + "/preview_multibox.png");
    const QRect ir =
        PreviewPainter::imageRect(QRect(QPoint(0, 0), tile.size()), recs[1].image, false);
    const QRectF br = PreviewPainter::boxRect(ir, recs[1].trueBoxes[1]);
    QVERIFY(colorNear(tile, int(br.left()), int(br.center().y()), PreviewPainter::truthColor(), 2));
    // Without the annotations only the target is drawn.
    panel.setAllTruthBoxes({});
    panel.configure(spec, compile, fit.validationData.value(), fit);
    auto obs2 = panel.driver()->makeObserver(model);
    obs2->onEpochEnd(0, {});
    QCoreApplication::processEvents();
    QCOMPARE(panel.grid()->records()[1].trueBoxes.size(), size_t(1));
  }

  void classificationOnlyModel() {
    // Input(28, 28) → Flatten → Dense(10, softmax) on Fashion-MNIST: tiles carry the predicted
    // label and confidence, no boxes, and a green or red frame by correctness.
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    json topo = {
        {"class_name", "Sequential"},
        {"config",
         {{"name", "mlp"},
          {"layers",
           {{{"class_name", "Flatten"},
             {"config", {{"name", "flatten"}, {"batch_input_shape", {nullptr, 28, 28}}}}},
            {{"class_name", "Dense"},
             {"config", {{"name", "dense"}, {"units", 10}, {"activation", "softmax"}}}}}}}}};
    const ModelSpec spec = ModelSpec::fromKerasJson(topo);
    CompileOptions compile;
    compile.losses = {"sparse_categorical_crossentropy"};
    const FashionMnist& fm = fashion();
    Dataset data;
    data.x = {fm.xTrain.rowsRange(0, 200)};
    data.y = {fm.yTrain.rowsRange(0, 200)};
    FitOptions fit;
    fit.validationSplit = 0.2;
    PreviewPanel panel;
    panel.setClassNames(fashionNames());
    panel.sampleCountBox()->setValue(8);
    panel.configure(spec, compile, data, fit);
    PreviewDriver* driver = panel.driver();
    QCOMPARE(driver->heads().classOutputs, std::vector<int>{0});
    QCOMPARE(driver->heads().boxOutput, -1);
    QCOMPARE(driver->validationSize(), Index(40));
    Model model(spec, 1);
    // Weights that make class 3 win everywhere: the verdict is known for every tile.
    std::vector<Tensor> w = model.getWeights();
    w[0].array() = 0.0f;
    w[1].array() = 0.0f;
    w[1].data()[3] = 2.0f;
    model.setWeights(w);
    auto obs = driver->makeObserver(model);
    obs->onEpochEnd(0, {});
    QCoreApplication::processEvents();
    const auto& recs = panel.grid()->records();
    QCOMPARE(recs.size(), size_t(8));
    const float p3 = std::exp(2.0f) / (std::exp(2.0f) + 9.0f);
    for (const auto& r : recs) {
      QCOMPARE(r.trueClass, int(fm.yTrain.value(160 + r.sample)));
      QCOMPARE(r.predClass, 3);
      QVERIFY(std::abs(r.confidence - p3) < 1e-5f);
      QVERIFY(r.predBoxes.empty() && r.trueBoxes.empty());
      QCOMPARE(r.iou, -1.0f);
      QCOMPARE(r.verdict(), r.trueClass == 3 ? PreviewVerdict::Correct : PreviewVerdict::Wrong);
      const QImage tile = PreviewPainter::renderTile(r, fashionNames(), 96, false);
      const QColor frame = tile.pixelColor(1, tile.height() / 2);
      QCOMPARE(frame.rgb(), (r.trueClass == 3 ? QColor(40, 200, 80) : QColor(225, 50, 50)).rgb());
      // The image itself: the raw uint8 pixels of the Fashion-MNIST item.
      QCOMPARE(r.image.size(), QSize(28, 28));
      QCOMPARE(qGray(r.image.pixel(14, 14)),
               int(fm.xTrain.raw((160 + r.sample) * 784 + 14 * 28 + 14)));
    }
    // Confusion: every one of the 40 rows lands in column 3.
    const auto m = panel.confusionWidget(0)->counts();
    QCOMPARE(int(m.size()), 10);
    int column3 = 0;
    for (int t = 0; t < 10; ++t) column3 += m[t][3];
    QCOMPARE(column3, 40);
    panel.grid()->renderGrid(4).save(QStringLiteral(TESSEL_BINARY_DIR) +
                                     "/preview_classification.png");
  }

  void panelDuringTraining() {
    if (!ready()) QSKIP("dataset-fashion-mnist or the localization example is missing");
    Dataset data = localizationData(320);
    FitOptions fit;
    fit.epochs = 2;
    fit.batchSize = 32;
    fit.validationSplit = 0.25;  // 240 train, 80 validation
    fit.verbose = 0;
    fit.seed = 5;

    PreviewPanel panel;
    panel.resize(980, 760);
    panel.setClassNames(fashionNames());
    panel.sampleCountBox()->setValue(12);
    panel.configure(localizationSpec(), localizationCompile(), data, fit);
    QCOMPARE(panel.confusionCount(), 1);
    QCOMPARE(panel.grid()->records().size(), size_t(12));
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));

    // Screenshots mid-training: at the end of epoch 1 of 2, while the worker goes on.
    QString dir = qEnvironmentVariable("TESSEL_SCREENSHOT_DIR");
    if (dir.isEmpty()) dir = QStringLiteral(TESSEL_BINARY_DIR);
    QDir().mkpath(dir);
    QImage midGrid, midConfusion;
    connect(panel.driver(), &PreviewDriver::confusionUpdated, &panel, [&](int epoch) {
      if (epoch != 0) return;
      QCoreApplication::processEvents();
      midGrid = panel.grab().toImage();
      panel.tabs()->setCurrentWidget(panel.confusionWidget(0));
      midConfusion = panel.grab().toImage();
      panel.tabs()->setCurrentIndex(0);
    });
    QSignalSpy confusion(panel.driver(), &PreviewDriver::confusionUpdated);
    TrainRun run;
    run.start(panel.driver(), localizationSpec(), localizationCompile(), data, fit);
    QTRY_VERIFY_WITH_TIMEOUT(run.thread->isFinished(), 60000);
    QVERIFY2(run.ok, run.error.c_str());
    QCoreApplication::processEvents();
    QTRY_COMPARE_WITH_TIMEOUT(panel.driver()->lastEpoch(), 1, 5000);
    QVERIFY(!midGrid.isNull());
    QVERIFY(midGrid.save(dir + "/preview_grid.png"));
    QVERIFY(midConfusion.save(dir + "/preview_confusion.png"));
    QVERIFY2(panel.statusText().contains("end of epoch 2"), qPrintable(panel.statusText()));

    // Ground-truth boxes: green pixels on all four edges of every tile's box, where the box
    // maps onto the tile's image; every tile also has an orange predicted box and a caption.
    const QImage shot = panel.grab().toImage();
    const PreviewGrid* grid = panel.grid();
    QVERIFY(grid->isVisible());
    const auto& recs = grid->records();
    QCOMPARE(recs.size(), size_t(12));
    int checked = 0;
    for (int i = 0; i < int(recs.size()); ++i) {
      const QRect ir = grid->imageRect(i);
      if (!grid->visibleRegion().contains(ir)) continue;  // scrolled out of view
      QCOMPARE(ir.width(), 128);
      QCOMPARE(recs[i].trueBoxes.size(), size_t(1));
      QCOMPARE(recs[i].predBoxes.size(), size_t(1));
      QVERIFY(recs[i].predClass >= 0 && recs[i].iou >= 0);
      // Expected corners straight from the data's box array (validation rows start at 240),
      // the 64-pixel canvas drawn 128 pixels wide.
      const Index row = 240 + recs[i].sample;
      auto box = [&](int k) { return data.y[1].value(row * 4 + k); };
      const QPoint o = grid->mapTo(&panel, ir.topLeft());
      const int y0 = o.y() + qRound(box(0) * 128), x0 = o.x() + qRound(box(1) * 128);
      const int y1 = o.y() + qRound(box(2) * 128), x1 = o.x() + qRound(box(3) * 128);
      QVERIFY(x1 - x0 > 12 && y1 - y0 > 12);
      const int ym = (y0 + y1) / 2, xm = (x0 + x1) / 2;
      const QColor g = PreviewPainter::truthColor();
      QVERIFY2(colorNear(shot, x0, ym, g), qPrintable(QString("tile %1 left edge").arg(i)));
      QVERIFY2(colorNear(shot, x1, ym, g), qPrintable(QString("tile %1 right edge").arg(i)));
      QVERIFY2(colorNear(shot, xm, y0, g), qPrintable(QString("tile %1 top edge").arg(i)));
      QVERIFY2(colorNear(shot, xm, y1, g), qPrintable(QString("tile %1 bottom edge").arg(i)));
      // Inside the box, away from the edges, there is no green line.
      QVERIFY(!colorNear(shot, xm, ym, g, 4));
      // The frame colour tells the verdict.
      const QRect tile = grid->tileRect(i);
      const QPoint corner = grid->mapTo(&panel, tile.topLeft() + QPoint(1, tile.height() / 2));
      QCOMPARE(shot.pixelColor(corner).rgb(),
               PreviewPainter::verdictColor(recs[i].verdict()).rgb());
      ++checked;
    }
    QVERIFY2(checked >= 8, qPrintable(QString::number(checked)));
    shot.save(dir + "/preview_panel_final.png");

    // Click a tile: the Explain tab shows it with the Grad-CAM of its predicted class, computed
    // on the thread pool from the epoch-end weight snapshot.
    const QString shots = qEnvironmentVariable("TESSEL_SCREENSHOTS");
    if (!shots.isEmpty()) QDir().mkpath(shots);
    ExplainView* ex = panel.explainView();
    QSignalSpy explained(ex, &ExplainView::explained);
    const QRect t3 = grid->tileRect(3);
    QTest::mouseClick(const_cast<PreviewGrid*>(grid), Qt::LeftButton, {}, t3.center());
    QVERIFY(!grid->zoomDialog());
    // The tile's tooltip has its whole caption (the tile elides it).
    QVERIFY2(grid->toolTipAt(t3.center())
                 .contains(PreviewPainter::className(fashionNames(), recs[3].trueClass)),
             qPrintable(grid->toolTipAt(t3.center())));
    QCOMPARE(panel.tabs()->currentWidget(), ex);
    QCOMPARE(ex->record().sample, recs[3].sample);
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy() && explained.count() > 0, 20000);
    QVERIFY2(!ex->heatMap().empty(), qPrintable(ex->message()));
    QCOMPARE(ex->heatMap().height, Index(64));
    QCOMPARE(ex->heatMap().width, Index(64));
    QCOMPARE(ex->heatMap().unit, recs[3].predClass);
    QVERIFY(!ex->heatMap().layer.empty());
    QVERIFY(ex->activationGrid()->tileCount() > 1);
    // The opacity slider, moved with the keyboard: 0 shows the bare image, 100 the heat colours.
    ex->opacitySlider()->setFocus();
    QTest::keyClick(ex->opacitySlider(), Qt::Key_Home);
    QCOMPARE(ex->opacitySlider()->value(), 0);
    const QImage bare = ex->overlay();
    QTest::keyClick(ex->opacitySlider(), Qt::Key_End);
    QCOMPARE(ex->opacity(), 1.0);
    const QImage full = ex->overlay();
    QCOMPARE(bare.size(), full.size());
    int grey = 0, coloured = 0;
    for (int y = 0; y < bare.height(); y += 4)
      for (int x = 0; x < bare.width(); x += 4) {
        const QColor b = bare.pixelColor(x, y), f = full.pixelColor(x, y);
        grey += b.red() == b.green() && b.green() == b.blue();
        coloured += f.red() != f.blue();
      }
    QCOMPARE(grey, (bare.height() / 4 + (bare.height() % 4 != 0)) *
                       (bare.width() / 4 + (bare.width() % 4 != 0)));
    QVERIFY(coloured > grey / 2);
    ex->opacitySlider()->setValue(55);
    if (!shots.isEmpty()) {
      panel.resize(1280, 800);
      QCoreApplication::processEvents();
      panel.grab().save(shots + "/explain_gradcam.png");
    }
    // Saliency, then Grad-CAM of the box head's x_min, through the combo boxes' keyboard.
    const int before = explained.count();
    ex->methodBox()->setFocus();
    QTest::keyClick(ex->methodBox(), Qt::Key_Down);
    QCOMPARE(ex->methodBox()->currentIndex(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy() && explained.count() > before, 20000);
    QVERIFY2(!ex->heatMap().empty() && ex->heatMap().layer.empty(), qPrintable(ex->message()));
    QTest::keyClick(ex->methodBox(), Qt::Key_Up);
    const int boxItem = ex->targetBox()->findText("Box x_min");
    QVERIFY(boxItem > 0);
    const int before2 = explained.count();
    ex->targetBox()->setCurrentIndex(boxItem);
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy() && explained.count() > before2, 20000);
    QCOMPARE(ex->heatMap().output, panel.driver()->heads().boxOutput);
    QCOMPARE(ex->heatMap().unit, 1);
    // Feature maps of the first layer that has them.
    ex->activationLayerBox()->setCurrentIndex(0);
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy(), 20000);
    QCOMPARE(ex->activationGrid()->layer(), ex->activationLayerBox()->itemText(0));
    if (!shots.isEmpty()) panel.grab().save(shots + "/explain_activations.png");
    ex->targetBox()->setCurrentIndex(0);
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy(), 20000);
    panel.resize(980, 760);
    panel.tabs()->setCurrentIndex(0);
    QCoreApplication::processEvents();

    // Export: the whole grid, 12 tiles.
    QTemporaryDir tmp;
    const QString png = tmp.filePath("grid.png");
    QVERIFY(panel.exportGrid(png));
    QImage exported(png);
    QVERIFY(!exported.isNull());
    const QSize ts = PreviewPainter::tileSize(128, false);
    QCOMPARE(exported.width() >= ts.width() * 3, true);
    const int cols = (exported.width() - 6) / (ts.width() + 6);
    QCOMPARE(((12 + cols - 1) / cols) * (ts.height() + 6) + 6, exported.height());

    // Confusion matrix: 80 validation rows; click the busiest cell → its gallery.
    ConfusionMatrixWidget* cm = panel.confusionWidget(0);
    panel.tabs()->setCurrentWidget(cm);
    QCoreApplication::processEvents();
    const auto counts = cm->counts();
    QCOMPARE(int(counts.size()), 10);
    int total = 0, bt = 0, bp = 0;
    for (int t = 0; t < 10; ++t)
      for (int p = 0; p < 10; ++p) {
        total += counts[t][p];
        if (counts[t][p] > counts[bt][bp]) bt = t, bp = p;
      }
    QCOMPARE(total, 80);
    QSignalSpy cell(cm, &ConfusionMatrixWidget::cellClicked);
    QTest::mouseClick(cm, Qt::LeftButton, {}, cm->cellRect(bt, bp).center());
    QCOMPARE(cell.count(), 1);
    QCOMPARE(cell.at(0).at(0).toInt(), bt);
    QCOMPARE(cell.at(0).at(1).toInt(), bp);
    QVERIFY(panel.gallery());
    const auto& shown = panel.gallery()->grid()->records();
    QCOMPARE(int(shown.size()), counts[bt][bp]);
    for (const auto& r : shown) {
      QCOMPARE(r.trueClass, bt);
      QCOMPARE(r.predClass, bp);
      QVERIFY(!r.image.isNull());
    }
    panel.gallery()->grab().save(dir + "/preview_gallery.png");
    panel.gallery()->close();
    // The Misclassified tab follows the clicked cell; an off-diagonal cell keeps only its errors,
    // most confident first.
    MisclassifiedView* mis = panel.misclassifiedView();
    QCOMPARE(mis->trueFilter(), bt);
    int et = -1, ep = -1;
    for (int t = 0; t < 10 && et < 0; ++t)
      for (int p = 0; p < 10; ++p)
        if (t != p && counts[t][p] > 0) {
          et = t, ep = p;
          break;
        }
    QVERIFY(et >= 0);
    panel.tabs()->setCurrentWidget(cm);
    QTest::mouseClick(cm, Qt::LeftButton, {}, cm->cellRect(et, ep).center());
    if (panel.gallery()) panel.gallery()->close();
    QCOMPARE(mis->trueFilter(), et);
    QCOMPARE(mis->predFilter(), ep);
    QCOMPARE(int(mis->grid()->records().size()), counts[et][ep]);
    for (const auto& r : mis->grid()->records()) {
      QCOMPARE(r.trueClass, et);
      QCOMPARE(r.predClass, ep);
    }
    QTest::mouseClick(mis->findChild<QPushButton*>("allErrors"), Qt::LeftButton);
    const auto& errors = mis->grid()->records();
    QCOMPARE(
        int(errors.size()), total - [&] {
          int d = 0;
          for (int t = 0; t < 10; ++t) d += counts[t][t];
          return d;
        }());
    for (size_t i = 1; i < errors.size(); ++i) {
      QVERIFY(errors[i - 1].confidence >= errors[i].confidence);
      QVERIFY(errors[i].trueClass != errors[i].predClass);
    }
    if (!shots.isEmpty()) {
      panel.resize(1280, 800);
      panel.tabs()->setCurrentWidget(mis);
      QCoreApplication::processEvents();
      panel.grab().save(shots + "/explain_misclassified.png");
    }
    // A click on a misclassified tile explains it.
    if (!errors.empty()) {
      const int sample = int(errors[0].sample);
      QTest::mouseClick(mis->grid(), Qt::LeftButton, {}, mis->grid()->tileRect(0).center());
      QCOMPARE(panel.tabs()->currentWidget(), ex);
      QCOMPARE(int(ex->record().sample), sample);
      QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy(), 20000);
    }

    // Embedding: t-SNE of the penultimate layer on the 80 validation rows; hovering a point shows
    // its image, clicking it opens it in the Explain tab.
    EmbeddingView* emb = panel.embeddingView();
    panel.tabs()->setCurrentWidget(emb);
    emb->methodBox()->setCurrentIndex(1);
    QSignalSpy computed(emb, &EmbeddingView::computed);
    QTest::mouseClick(emb->computeButton(), Qt::LeftButton);
    QVERIFY(emb->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(computed.count() == 1, 30000);
    QCOMPARE(emb->pointCount(), 80);
    QVERIFY2(emb->message().contains("t-SNE"), qPrintable(emb->message()));
    QCoreApplication::processEvents();
    const QPoint p5 = emb->pointPosition(5);
    QCOMPARE(emb->pointAt(p5), 5);
    QTest::mouseMove(emb->plot(), p5);
    QTRY_VERIFY(emb->hoverLabel()->isVisible());
    if (!shots.isEmpty()) panel.grab().save(shots + "/explain_embedding.png");
    QTest::mouseClick(emb->plot(), Qt::LeftButton, {}, p5);
    QCOMPARE(panel.tabs()->currentWidget(), ex);
    QCOMPARE(ex->record().sample, emb->pointRow(5));
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy(), 20000);
    panel.resize(980, 760);

    // Drop an image file on the single-image view: top-5 labels appear.
    InferenceView* view = panel.inferenceView();
    panel.tabs()->setCurrentWidget(view);
    const QString imgPath = tmp.filePath("item.png");
    QVERIFY(recs[0].image.save(imgPath));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(imgPath)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &enter);
    QVERIFY(enter.isAccepted());
    QSignalSpy predicted(view, &InferenceView::predicted);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &drop);
    QCOMPARE(predicted.count(), 1);
    QCOMPARE(view->topList()->count(), 5);
    const QStringList top = view->topLabels();
    QCOMPARE(top.size(), 5);
    // The same image as the validation tile: the same prediction (same weights, same input).
    const PreviewRecord& r0 = panel.driver()->records()[0];
    QVERIFY2(top[0].startsWith(fashionNames()[r0.predClass]), qPrintable(top.join(", ")));
    QCOMPARE(view->record().predBoxes.size(), size_t(1));
    QVERIFY(std::abs(view->record().predBoxes[0].xMin - r0.predBoxes[0].xMin) < 0.02f);
    panel.grab().save(dir + "/preview_inference.png");
    // A file of another size and colour goes through the engine's decoder and resizer, exactly
    // as the data set's image files do in training (not Qt's scaling).
    QImage colour(96, 80, QImage::Format_RGB888);
    for (int y = 0; y < 80; ++y)
      for (int x = 0; x < 96; ++x) colour.setPixel(x, y, qRgb(x * 2, y * 3, (x * y) % 251));
    const QString colourPath = tmp.filePath("colour.png");
    QVERIFY(colour.save(colourPath));
    QVERIFY(view->loadImage(colourPath));
    const DecodedImage engine = decodeImageFile(colourPath.toStdString(), 1, 64, 64);
    const QImage& seen = view->record().image;
    QCOMPARE(seen.format(), QImage::Format_Grayscale8);
    QCOMPARE(seen.size(), QSize(64, 64));
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 64; ++x)
        QCOMPARE(int(seen.constScanLine(y)[x]), int(engine.pixels[size_t(y * 64 + x)]));
    // A text file is refused.
    QMimeData bad;
    bad.setUrls({QUrl::fromLocalFile(tmp.filePath("notes.txt"))});
    QDragEnterEvent enterBad(QPoint(10, 10), Qt::CopyAction, &bad, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &enterBad);
    QVERIFY(!enterBad.isAccepted());
    // Browse… picks a file the same way, and Explain opens it in the Explain tab.
    panel.tabs()->setCurrentWidget(view);
    QVERIFY(view->browseButton()->isVisible());
    QVERIFY(view->browseTo(imgPath));
    QVERIFY(view->explainButton()->isEnabled());
    QTest::mouseClick(view->explainButton(), Qt::LeftButton);
    QCOMPARE(panel.tabs()->currentWidget(), ex);
    QCOMPARE(ex->record().sample, Index(-1));
    QTRY_VERIFY_WITH_TIMEOUT(!ex->isBusy(), 20000);
    QVERIFY2(!ex->heatMap().empty(), qPrintable(ex->message()));
  }

  // Long class names: row headers get the room of the longest name, column headers turn
  // vertical, and every header's tooltip has the whole name.
  void confusionHeadersFitTheirNames() {
    ConfusionMatrixWidget cm;
    cm.resize(760, 640);
    QStringList names;
    for (int i = 0; i < 6; ++i) names << QStringLiteral("Long sleeve shirt %1").arg(i);
    std::vector<std::vector<int>> counts(6, std::vector<int>(6, 1));
    cm.setMatrix(counts, names);
    QFont f = cm.font();
    f.setPixelSize(11);
    const int need = QFontMetrics(f).horizontalAdvance(names[5]);
    QVERIFY2(cm.cellRect(0, 0).left() - 26 >= need,
             qPrintable(QString("%1 < %2").arg(cm.cellRect(0, 0).left() - 26).arg(need)));
    QVERIFY(cm.verticalColumnHeaders());
    QVERIFY(cm.cellRect(0, 0).top() - 44 >= need);
    const QRect c = cm.cellRect(2, 3);
    QCOMPARE(cm.toolTipAt(QPoint(10, c.center().y())), QString("True: Long sleeve shirt 2"));
    QCOMPARE(cm.toolTipAt(QPoint(c.center().x(), cm.cellRect(0, 3).top() - 10)),
             QString("Predicted: Long sleeve shirt 3"));
    QVERIFY(cm.toolTipAt(c.center()).endsWith(": 1"));
  }

  // Not a CI test: TESSEL_PREVIEW_SCREENSHOTS=1 trains longer (6000 items, 10 epochs, a few
  // minutes) and saves the panel mid-training (end of epoch 5) as preview_long_*.png.
  void screenshotsLongRun() {
    if (qEnvironmentVariableIntValue("TESSEL_PREVIEW_SCREENSHOTS") != 1)
      QSKIP("set TESSEL_PREVIEW_SCREENSHOTS=1 for the long screenshot run");
    if (!ready()) QSKIP("dataset-fashion-mnist or the localization example is missing");
    Dataset data = localizationData(6000);
    FitOptions fit;
    fit.epochs = 10;
    fit.batchSize = 32;
    fit.validationSplit = 1.0 / 6;
    fit.verbose = 0;
    fit.seed = 5;
    PreviewPanel panel;
    panel.resize(1000, 780);
    panel.setClassNames(fashionNames());
    panel.sampleCountBox()->setValue(15);
    panel.configure(localizationSpec(), localizationCompile(), data, fit);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const QString dir = QStringLiteral(TESSEL_BINARY_DIR);
    bool shot = false;
    connect(panel.driver(), &PreviewDriver::confusionUpdated, &panel, [&](int epoch) {
      qInfo("epoch %d: %s", epoch + 1, qPrintable(panel.statusText()));
      if (epoch != 4) return;
      QCoreApplication::processEvents();
      panel.grab().save(dir + "/preview_long_grid.png");
      panel.tabs()->setCurrentWidget(panel.confusionWidget(0));
      panel.grab().save(dir + "/preview_long_confusion.png");
      panel.tabs()->setCurrentIndex(0);
      shot = true;
    });
    TrainRun run;
    run.start(panel.driver(), localizationSpec(), localizationCompile(), data, fit);
    QTRY_VERIFY_WITH_TIMEOUT(run.thread->isFinished(), 900000);
    QVERIFY2(run.ok, run.error.c_str());
    QTRY_COMPARE_WITH_TIMEOUT(panel.driver()->lastEpoch(), 9, 5000);
    QVERIFY(shot);
    panel.grab().save(dir + "/preview_long_final.png");
  }
};

QTEST_MAIN(TestPreview)
#include "tst_ui_preview.moc"
