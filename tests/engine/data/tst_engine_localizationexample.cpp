// The bundled example resources/examples/fashion_mnist_localization/model.json: a two-head
// Functional model (class Dense(10, softmax), box Dense(4, sigmoid)) whose training_config
// compiles (sparse CE + MSE with loss_weights, accuracy + box_iou), and trains a few steps on a
// small generated set with the Keras log names of a two-output model.
#include <QtTest>

#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/Trainer.h"

using namespace tessel;

class TestLocalizationExample : public QObject {
  Q_OBJECT
  const std::string path_ =
      TESSEL_SOURCE_DIR "/resources/examples/fashion_mnist_localization/model.json";

 private slots:
  void loadsAndCompiles() {
    const ModelFile f = readModelFile(path_);
    Model model(f.spec, 0);
    QCOMPARE(model.numInputs(), size_t(1));
    QCOMPARE(model.inputShape(0), (Shape{kNone, 64, 64, 1}));
    QCOMPARE(model.numOutputs(), size_t(2));
    QCOMPARE(QString::fromStdString(model.outputName(0)), QString("class"));
    QCOMPARE(QString::fromStdString(model.outputName(1)), QString("box"));
    QCOMPARE(model.outputShape(0), (Shape{kNone, 10}));
    QCOMPARE(model.outputShape(1), (Shape{kNone, 4}));
    const auto compile = CompileOptions::fromTrainingConfig(f.trainingConfig, {"class", "box"});
    QCOMPARE(compile.losses.size(), size_t(2));
    QCOMPARE(compile.lossWeights.size(), size_t(2));
    QVERIFY(compile.lossWeights[1] > compile.lossWeights[0]);  // boxes: small MSE values
    Trainer trainer(model, compile);
    const auto& names = trainer.logNames();
    QVERIFY(std::find(names.begin(), names.end(), "class_accuracy") != names.end());
    QVERIFY(std::find(names.begin(), names.end(), "box_box_iou") != names.end());
  }

  void trainsAFewSteps() {
    // Sources: real Fashion-MNIST when installed, else bright rectangles.
    Array images, labels;
    if (fashionMnistAvailable()) {
      FashionMnist f = loadFashionMnist(kFashionMnistDir, 64, 0);
      images = f.xTrain;
      labels = f.yTrain;
    } else {
      std::vector<double> v(64 * 784, 0.0), l(64);
      for (int k = 0; k < 64; ++k) {
        l[size_t(k)] = k % 10;
        for (int y = 4; y < 4 + 2 * (k % 10 + 2); ++y)
          for (int x = 6; x < 22; ++x) v[size_t(k * 784 + y * 28 + x)] = 220;
      }
      images = Array::fromValues(DType::UInt8, {64, 28, 28}, v);
      labels = Array::fromValues(DType::UInt8, {64}, l);
    }
    LocalizationOptions o;
    o.count = 48;
    const LocalizationSet s = generateFashionLocalization(images, labels, o);
    const ModelFile f = readModelFile(path_);
    Model model(f.spec, 0);
    Trainer trainer(model, CompileOptions::fromTrainingConfig(f.trainingConfig, {"class", "box"}));
    Dataset data{{s.x}, {s.yClass, s.yBox}, {}};
    FitOptions fit;
    fit.epochs = 3;
    fit.batchSize = 16;
    fit.verbose = 0;
    const History h = trainer.fit(data, fit);
    QVERIFY(h.stopReason.empty());
    const auto& loss = h["loss"];
    QCOMPARE(loss.size(), size_t(3));
    QVERIFY2(loss[2] < loss[0], qPrintable(QString("%1 -> %2").arg(loss[0]).arg(loss[2])));
    for (double iou : h["box_box_iou"]) QVERIFY(iou >= 0 && iou <= 1);
    for (double acc : h["class_accuracy"]) QVERIFY(acc >= 0 && acc <= 1);
  }
};

QTEST_APPLESS_MAIN(TestLocalizationExample)
#include "tst_engine_localizationexample.moc"
