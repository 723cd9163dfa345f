// The preview machinery without a panel: output-role detection, NMS by hand and through the
// decoder, the preview observer's hand-over (coalesced, every N batches), every annotated box
// drawn, a classification-only model, and confusion-matrix headers that fit long class names.

#include "tests/support/StateOutputModel.h"
#include "tests/ui/preview/PreviewTestSupport.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::previewtest;

class TestPreviewDriver : public QObject {
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

  // A model output that is an LSTM state: its role comes from the state's shape (None, 5) (a
  // 5-class head under sparse_categorical_crossentropy), not from the LSTM's sequence output
  // (None, 6, 5), which would be no head at all; the sample outputs are the state.
  void stateOutputHead() {
    const ModelSpec spec = testutil::lstmStateModel({"h"});
    CompileOptions compile;
    compile.losses = {"sparse_categorical_crossentropy"};
    Dataset data;
    Rng rng(2);
    Tensor x({12, 6, 3}), y({12});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    for (Index i = 0; i < 12; ++i) y[i] = float(i % 5);
    data.x = {Array::fromTensor(x)};
    data.y = {Array::fromTensor(y)};
    FitOptions fit;
    PreviewDriver driver;
    driver.configure(spec, compile, data, fit);
    QCOMPARE(driver.heads().classOutputs, std::vector<int>{0});
    QCOMPARE(driver.heads().boxOutput, -1);
    Model model(spec, 1);
    auto obs = driver.makeObserver(model);
    obs->onEpochEnd(0, {});
    QCoreApplication::processEvents();
    QTRY_VERIFY(!driver.sampleOutputs().empty());
    QCOMPARE(driver.sampleOutputs()[0].dim(1), Index(5));
    QCOMPARE(driver.sampleOutputs()[0].rank(), 2);
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
};

QTEST_MAIN(TestPreviewDriver)
#include "tst_ui_previewdriver.moc"
