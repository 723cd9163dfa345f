// Transfer learning on a ModelSpec (engine/graph/FineTune.h): freezing per layer, "freeze
// everything up to here", "unfreeze the last N layers", the summary's counts following, frozen
// BatchNormalization in inference mode during fit(), frozen weights unchanged by a training step,
// and "replace head".
#include <QtTest>

#include "engine/core/Error.h"
#include "engine/graph/Applications.h"
#include "engine/graph/FineTune.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

// x (4) -> d1 Dense 8 -> bn -> d2 Dense 3 -> out Dense 1
ModelSpec smallModel() {
  return makeSpec({inputNode("x", {4}), denseNode("d1", 8, "x", "relu"),
                   node("bn", "BatchNormalization", {"d1"}), denseNode("d2", 3, "bn", "tanh"),
                   denseNode("out", 1, "d2")},
                  {"x"}, {"out"});
}

std::vector<float> copyOf(const Tensor& t) {
  return t.toVector();
}

}  // namespace

class TestFineTune : public QObject {
  Q_OBJECT
 private slots:
  void perLayerFreezeMovesCountsToNonTrainable() {
    ModelSpec s = smallModel();
    ParamCounts c = countParameters(s);
    // d1 40, bn 32 (16 trainable + 16 moving stats), d2 27, out 4.
    QCOMPARE(c.total, Index(103));
    QCOMPARE(c.trainable, Index(87));
    QCOMPARE(c.nonTrainable, Index(16));
    setTrainable(s, "d1", false);
    QCOMPARE(s.find("d1")->config.at("trainable"), json(false));
    QVERIFY(!isTrainable(*s.find("d1")));
    c = countParameters(s);
    QCOMPARE(c.total, Index(103));
    QCOMPARE(c.trainable, Index(47));
    QCOMPARE(c.nonTrainable, Index(56));
    // The summary table's footer says the same.
    const std::string table = summaryTable(s);
    QVERIFY2(table.find("Trainable params: 47\n") != std::string::npos, table.c_str());
    QVERIFY(table.find("Non-trainable params: 56\n") != std::string::npos);
    setTrainable(s, "d1", true);
    QCOMPARE(countParameters(s).trainable, Index(87));
    setTrainable(s, "x", false);  // an input has no weights: left alone
    QVERIFY(!s.find("x")->config.contains("trainable"));
    QVERIFY_THROWS_EXCEPTION(Error, setTrainable(s, "nope", false));
  }

  void freezeUpToHere() {
    ModelSpec s = smallModel();
    QCOMPARE(freezeUpTo(s, "bn"), 2);
    QVERIFY(!isTrainable(*s.find("d1")));
    QVERIFY(!isTrainable(*s.find("bn")));
    QVERIFY(isTrainable(*s.find("d2")));
    QVERIFY(isTrainable(*s.find("out")));
    QCOMPARE(countParameters(s).trainable, Index(31));
    QCOMPARE(freezeUpTo(s, "bn"), 0);  // already frozen
  }

  void unfreezeTheLastN() {
    ModelSpec s = smallModel();
    // model.layers = [x, d1, bn, d2, out]; layers[:-2] frozen.
    QCOMPARE(unfreezeLast(s, 2), (std::vector<std::string>{"d2", "out"}));
    QVERIFY(!isTrainable(*s.find("d1")) && !isTrainable(*s.find("bn")));
    QCOMPARE(countParameters(s).trainable, Index(31));
    QCOMPARE(unfreezeLast(s, 0).size(), size_t(0));
    QCOMPARE(countParameters(s).trainable, Index(0));
    QCOMPARE(unfreezeLast(s, 99).size(), size_t(5));
    QCOMPARE(countParameters(s).trainable, Index(87));
    unfreezeLast(s, 1);
    unfreezeAll(s);
    QCOMPARE(countParameters(s).trainable, Index(87));
  }

  // The seed's chapter 06: ResNet50(include_top=False, pooling='avg') frozen, a Dense head, then
  // `for layer in model.layers[0:-5]: layer.trainable = False` on the whole model.
  void seedResNet50Recipe() {
    ApplicationOptions o;
    o.includeTop = false;
    o.pooling = "avg";
    ModelSpec base = resnet50(o);
    HeadOptions h;
    h.classes = 10;
    h.dropout = 0;
    ModelSpec s = replaceHead(base, "avg_pool", h);
    QCOMPARE(s.outputs, std::vector<std::string>{"dense"});
    freezeUpTo(s, "avg_pool");
    ParamCounts c = countParameters(s);
    QCOMPARE(c.total, Index(23587712 + 20490));
    QCOMPARE(c.trainable, Index(20490));
    QCOMPARE(c.nonTrainable, Index(23587712));
    // model.layers ends ..., conv5_block3_3_conv, conv5_block3_3_bn, conv5_block3_add,
    // conv5_block3_out, avg_pool, dense: the last 5 start at conv5_block3_3_bn.
    const auto unfrozen = unfreezeLast(s, 5);
    QCOMPARE(unfrozen, (std::vector<std::string>{"conv5_block3_3_bn", "conv5_block3_add",
                                                 "conv5_block3_out", "avg_pool", "dense"}));
    c = countParameters(s);
    QCOMPARE(c.trainable, Index(20490 + 2 * 2048));  // the head + BN gamma/beta
  }

  // TF 2 / Keras 3: a frozen BN normalises with its moving statistics during fit() and does not
  // update them; frozen kernels do not move; trainable ones do.
  void frozenBatchNormRunsInInferenceMode() {
    ModelSpec s = smallModel();
    freezeUpTo(s, "bn");
    Model m(s, 4);
    auto& bnVars = m.layer("bn")->variables();
    // Non-default moving statistics, so batch statistics would give a different output.
    for (Index i = 0; i < 8; ++i) {
      bnVars[2].value[i] = 0.3f + 0.1f * float(i);  // moving_mean
      bnVars[3].value[i] = 2.0f + 0.5f * float(i);  // moving_variance
    }
    QVERIFY(!bnVars[0].trainable && !bnVars[1].trainable);
    const auto d1Kernel = copyOf(m.layer("d1")->variables()[0].value);
    const auto movingMean = copyOf(bnVars[2].value);
    const auto movingVar = copyOf(bnVars[3].value);
    const auto d2Kernel = copyOf(m.layer("d2")->variables()[0].value);

    Rng rng(9);
    Tensor x({16, 4}), y({16, 1});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-2, 2);
    for (Index i = 0; i < y.size(); ++i) y[i] = rng.uniform(-1, 1);

    // Forward in training mode equals forward in inference mode through the frozen BN.
    RunContext ctx;
    m.forward({&x}, true, ctx);
    const auto trainOut = copyOf(*m.activationOf("bn"));
    m.forward({&x}, false, ctx);
    const auto inferOut = copyOf(*m.activationOf("bn"));
    QCOMPARE(trainOut, inferOut);

    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    Dataset d;
    d.x = {Array::fromTensor(x)};
    d.y = {Array::fromTensor(y)};
    FitOptions f;
    f.epochs = 2, f.batchSize = 8, f.verbose = 0, f.shuffle = false;
    t.fit(d, f);
    QCOMPARE(copyOf(m.layer("d1")->variables()[0].value), d1Kernel);
    QCOMPARE(copyOf(bnVars[2].value), movingMean);
    QCOMPARE(copyOf(bnVars[3].value), movingVar);
    QVERIFY(copyOf(m.layer("d2")->variables()[0].value) != d2Kernel);

    // The same model unfrozen: the BN statistics move during fit().
    ModelSpec open = smallModel();
    Model m2(open, 4);
    const auto mean2 = copyOf(m2.layer("bn")->variables()[2].value);
    Trainer t2(m2, CompileOptions{{"mse"}, {}, {}, sgd(0.1)});
    t2.fit(d, f);
    QVERIFY(copyOf(m2.layer("bn")->variables()[2].value) != mean2);
  }

  void replaceHeadOnA4DCut() {
    const ModelSpec full = resnet50();
    std::vector<std::string> added;
    HeadOptions h;
    h.classes = 5;
    ModelSpec s = replaceHead(full, "conv5_block3_out", h, &added);
    QCOMPARE(added, (std::vector<std::string>{"global_average_pooling2d", "dropout", "dense"}));
    QVERIFY(!s.find("avg_pool") && !s.find("predictions"));
    QCOMPARE(s.outputs, std::vector<std::string>{"dense"});
    QCOMPARE(s.find("dropout")->config.at("rate").get<double>(), 0.2);
    QCOMPARE(s.find("dense")->config.at("activation").get<std::string>(), std::string("softmax"));
    QCOMPARE(countParameters(s).total, Index(23587712 + 2048 * 5 + 5));
    QCOMPARE(*inferShapes(s).find("dense")->output, (Shape{kNone, 5}));
  }

  void replaceHeadOnA2DCutAndBranches() {
    const ModelSpec vgg = vgg16();
    HeadOptions h;
    h.classes = 3;
    std::vector<std::string> added;
    ModelSpec s = replaceHead(vgg, "fc2", h, &added);
    // 2-D: no pooling layer; predictions dropped, its name free again is not reused by Keras
    // auto-naming ("dense").
    QCOMPARE(added, (std::vector<std::string>{"dropout", "dense"}));
    QVERIFY(!s.find("predictions"));
    QCOMPARE(countParameters(s).total, Index(138357544 - 4097000 + 4096 * 3 + 3));

    // A branch not leading to the cut is dropped with what is downstream.
    ModelSpec two = makeSpec({inputNode("x", {4}), denseNode("a", 8, "x"), denseNode("b", 2, "a"),
                              denseNode("c", 2, "x")},
                             {"x"}, {"b", "c"});
    ModelSpec cut = replaceHead(two, "a", h);
    QVERIFY(cut.find("a") && !cut.find("b") && !cut.find("c"));
    QCOMPARE(cut.inputs, std::vector<std::string>{"x"});
    QVERIFY(inferShapes(cut).ok());
    QVERIFY_THROWS_EXCEPTION(Error, replaceHead(two, "zzz", h));
    h.classes = 0;
    QVERIFY_THROWS_EXCEPTION(Error, replaceHead(two, "a", h));
  }
};

QTEST_APPLESS_MAIN(TestFineTune)
#include "tst_engine_graph_finetune.moc"
