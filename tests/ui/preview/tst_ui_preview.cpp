// The preview panel through one short training run of a two-head localization model on a
// generated Fashion-MNIST localization set (items placed at random positions on a 64×64 canvas
// with clutter): ground-truth box pixels are green where the boxes are, a tile click explains the
// tile (Grad-CAM, saliency, box head, opacity, feature maps), the grid exports, a confusion cell
// opens its gallery and filters the misclassified tab, the embedding view's points hover and
// open, and a dropped or browsed image gets top-5 labels and its explanation. Screenshots of the
// grid and the confusion matrix taken mid-training go to the build directory; with
// TESSEL_SCREENSHOTS=<dir> the explain views at 1280x800 and 1920x1080 go there.

#include "tests/ui/preview/PreviewTestSupport.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::previewtest;

class TestPreview : public QObject {
  Q_OBJECT

 private slots:
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
      panel.resize(1920, 1080);
      QCoreApplication::processEvents();
      panel.grab().save(shots + "/explain_gradcam_1920.png");
      panel.resize(1280, 800);
      QCoreApplication::processEvents();
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
    if (!shots.isEmpty()) {
      panel.grab().save(shots + "/explain_embedding.png");
      panel.resize(1920, 1080);
      QCoreApplication::processEvents();
      panel.grab().save(shots + "/explain_embedding_1920.png");
      panel.resize(1280, 800);
      QCoreApplication::processEvents();
    }
    QTest::mouseClick(emb->plot(), Qt::LeftButton, {}, emb->pointPosition(5));
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
