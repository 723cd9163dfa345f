// `tessel application` (keras.applications as a model.json, with freezing and head replacement)
// and `tessel train --fine-tune` (the two-phase recipe), run through the built binary.
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/data/Array.h"
#include "engine/data/Npy.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel::testutil;

class TestAppApplication : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString path(const QString& name) const { return tmp_.filePath(name); }

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kTessel).isExecutable(), qPrintable(kTessel + " is not built"));
    QVERIFY(tmp_.isValid());
  }

  void resnet50Summary() {
    Run r = runTessel({"application", "ResNet50", "--no-top", "--pooling", "avg"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("Total params: 23,587,712\n"), qPrintable(r.out.right(400)));
    QVERIFY(r.out.contains("Trainable params: 23,534,592\n"));
    QVERIFY(r.out.contains("conv2_block1_0_conv (Conv2D)"));
  }

  void mobileNetFrozenWithNewHead() {
    const QString out = path("mnv2.json");
    Run r = runTessel({"application", "MobileNetV2", "--input-shape", "96,96,3", "--alpha", "0.35",
                       "--no-top", "--replace-head-after", "out_relu", "--head-classes", "3",
                       "--freeze-up-to", "out_relu", "--save", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // Only the new Dense(3) trains: 1280 * 3 + 3.
    QVERIFY2(r.out.contains("Trainable params: 3,843\n"), qPrintable(r.out.right(400)));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    int frozen = 0;
    for (const auto& layer : j["config"]["layers"])
      frozen += layer["config"].value("trainable", true) ? 0 : 1;
    QCOMPARE(frozen, 153);  // every layer but the input, the pooling/dropout/dense head
  }

  void badOptionsAreUsageErrors() {
    Run r = runTessel({"application", "VGG16", "--pooling", "avg"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--no-top"), qPrintable(r.err));
    r = runTessel({"application", "ResNet51"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("ResNet51"), qPrintable(r.err));
  }

  void trainFineTuneTwoPhases() {
    QFile model(path("tiny.json"));
    QVERIFY(model.open(QIODevice::WriteOnly));
    model.write(kTinyModel);
    model.close();
    tessel::Array x(tessel::DType::Float32, {48, 3});
    tessel::Array y(tessel::DType::Int64, {48});
    auto* xp = reinterpret_cast<float*>(x.bytes());
    auto* yp = reinterpret_cast<std::int64_t*>(y.bytes());
    for (int i = 0; i < 48 * 3; ++i) xp[i] = static_cast<float>(std::sin(0.37 * i));
    for (int r = 0; r < 48; ++r) yp[r] = xp[r * 3] + xp[r * 3 + 1] > 0 ? 1 : 0;
    tessel::writeNpy(path("x.npy").toStdString(), x);
    tessel::writeNpy(path("y.npy").toStdString(), y);
    Run r = runTessel({"train",       path("tiny.json"),
                       "--x",         path("x.npy"),
                       "--y",         path("y.npy"),
                       "--loss",      "sparse_categorical_crossentropy",
                       "--optimizer", "sgd",
                       "--lr",        "0.1",
                       "--fine-tune", "2,2,0.1,1",
                       "--base-end",  "dense",
                       "--verbose",   "2",
                       "--save",      path("out/model.json")});
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains("Epoch 3/3"), qPrintable(r.out));
    QVERIFY2(r.out.contains("Fine-tuned: phase 2 trained 2 layers at learning rate 0.01"),
             qPrintable(r.out));
    QVERIFY(QFileInfo(path("out/model.json")).isFile());
    r = runTessel({"train", path("tiny.json"), "--x", path("x.npy"), "--y", path("y.npy"), "--loss",
                   "sparse_categorical_crossentropy", "--fine-tune", "2,2"});
    QCOMPARE(r.code, 2);
  }
};

QTEST_APPLESS_MAIN(TestAppApplication)
#include "tst_app_application.moc"
