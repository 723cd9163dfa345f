// engine/explain: the input gradient against finite differences, Grad-CAM on a CNN trained in the
// test to detect a bright square (the heat map's peak must lie inside the square), activations,
// PCA against a known covariance and t-SNE on two well-separated clusters.
#include <Eigen/Geometry>
#include <QtTest>
#include <cmath>

#include "engine/core/Rng.h"
#include "engine/explain/Explainer.h"
#include "engine/explain/Pca.h"
#include "engine/explain/Tsne.h"
#include "engine/train/Model.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

constexpr Index kSide = 16, kSquare = 4;

ModelSpec smallCnn(Index side, Index channels, const std::string& convActivation) {
  return makeSpec({inputNode("image", {side, side, channels}),
                   node("conv", "Conv2D", {"image"},
                        {{"filters", 4},
                         {"kernel_size", {3, 3}},
                         {"padding", "same"},
                         {"activation", convActivation}}),
                   node("conv_1", "Conv2D", {"conv"},
                        {{"filters", 6},
                         {"kernel_size", {3, 3}},
                         {"padding", "same"},
                         {"activation", convActivation}}),
                   node("pool", "GlobalAveragePooling2D", {"conv_1"}),
                   denseNode("dense", 2, "pool", "softmax")},
                  {"image"}, {"dense"});
}

// Noise in [0, 0.3); when `square`, a kSquare × kSquare square of 1 at a random place.
void squareImage(Rng& rng, bool square, float* px, Index& top, Index& left) {
  for (Index i = 0; i < kSide * kSide; ++i) px[i] = 0.3f * rng.uniform();
  top = left = -1;
  if (!square) return;
  top = static_cast<Index>(rng.below(kSide - kSquare + 1));
  left = static_cast<Index>(rng.below(kSide - kSquare + 1));
  for (Index y = top; y < top + kSquare; ++y)
    for (Index x = left; x < left + kSquare; ++x) px[y * kSide + x] = 1.0f;
}

}  // namespace

class TestExplain : public QObject {
  Q_OBJECT
 private slots:
  void logitSpecDropsTheSoftmax() {
    const ModelSpec s = Explainer::logitSpec(smallCnn(kSide, 1, "relu"));
    QCOMPARE(s.find("dense")->config["activation"], json("linear"));
    QCOMPARE(s.find("conv")->config["activation"], json("relu"));
  }

  void inputGradientMatchesFiniteDifferences() {
    const ModelSpec spec = smallCnn(6, 2, "tanh");
    Model ref(spec, 7);
    Explainer ex(spec, ref.getWeights());
    Rng rng(3);
    Tensor x({1, 6, 6, 2});
    for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    int unit = -1;
    float score = 0;
    const Tensor g = ex.inputGradient(x, 0, 1, &unit, &score);
    QCOMPARE(unit, 1);
    QCOMPARE(g.shape(), x.shape());
    const float eps = 1e-2f;
    double worst = 0, norm = 0;
    for (Index i = 0; i < x.size(); ++i) {
      Tensor xp = x, xm = x;
      xp[i] += eps;
      xm[i] -= eps;
      const double fd = (double(ex.scores(xp, 0)[1]) - ex.scores(xm, 0)[1]) / (2.0 * eps);
      worst = std::max(worst, std::fabs(fd - g[i]));
      norm = std::max(norm, std::fabs(fd));
    }
    QVERIFY2(norm > 1e-4, "the gradient must not vanish");
    QVERIFY2(worst < 1e-3 + 1e-2 * norm, qPrintable(QString::number(worst)));
    // The score is the logit: the softmax spec and the logit spec agree on the argmax.
    RunContext ctx;
    ref.forward({&x}, false, ctx);
    const auto logits = ex.scores(x, 0);
    QCOMPARE(ref.output(0)[0] > ref.output(0)[1], logits[0] > logits[1]);
    QCOMPARE(score, logits[1]);
  }

  void saliencyIsNormalisedPerPixel() {
    const ModelSpec spec = smallCnn(6, 2, "tanh");
    Model ref(spec, 5);
    Explainer ex(spec, ref.getWeights());
    Tensor x({1, 6, 6, 2}, 0.5f);
    const HeatMap s = ex.saliency(x, 0, -1);
    QCOMPARE(s.height, Index(6));
    QCOMPARE(s.width, Index(6));
    QCOMPARE(*std::max_element(s.values.begin(), s.values.end()), 1.0f);
    QVERIFY(*std::min_element(s.values.begin(), s.values.end()) >= 0.0f);
  }

  void bilinearResizeKeepsConstantsAndCorners() {
    const std::vector<float> src = {0, 1, 2, 3};
    const auto up = Explainer::resizeBilinear(src, 2, 2, 4, 4);
    QCOMPARE(up[0], 0.0f);
    QCOMPARE(up[15], 3.0f);
    QCOMPARE(up[1], 0.25f);  // half-pixel centres: x = 0.75 * 0.5 - 0.25 → 0.25 of the way
    const auto flat = Explainer::resizeBilinear({2, 2, 2, 2}, 2, 2, 5, 3);
    for (float v : flat) QCOMPARE(v, 2.0f);
  }

  // A CNN trained here to tell images with a bright square from noise alone: Grad-CAM of the
  // "square" class must peak inside the square.
  void gradCamFindsTheSquare() {
    const ModelSpec spec = smallCnn(kSide, 1, "relu");
    Model model(spec, 11);
    const Index n = 600;
    Rng rng(21);
    Tensor tx({n, kSide, kSide, 1}), ty({n, 2}, 0.0f);
    for (Index i = 0; i < n; ++i) {
      Index top, left;
      const bool square = i % 2 == 0;
      squareImage(rng, square, tx.data() + i * kSide * kSide, top, left);
      ty[i * 2 + (square ? 1 : 0)] = 1.0f;
    }
    Dataset data;
    data.x = {Array::fromTensor(tx)};
    data.y = {Array::fromTensor(ty)};
    Trainer trainer(model, CompileOptions{{"categorical_crossentropy"}, {}, {}, "adam"});
    FitOptions fit;
    fit.epochs = 8, fit.batchSize = 32, fit.verbose = 0, fit.seed = 2;
    trainer.fit(data, fit);

    Explainer ex(spec, model.getWeights());
    QCOMPARE(ex.defaultCamLayer(), std::string("conv_1"));
    QCOMPARE(ex.spatialLayers(), (std::vector<std::string>{"conv", "conv_1"}));
    const int tests = 200;
    int hits = 0, correct = 0;
    Rng testRng(99);
    Tensor x({1, kSide, kSide, 1});
    for (int t = 0; t < tests; ++t) {
      Index top, left;
      squareImage(testRng, true, x.data(), top, left);
      const auto s = ex.scores(x, 0);
      correct += s[1] > s[0];
      const HeatMap cam = ex.gradCam(x, 0, 1);
      QCOMPARE(cam.height, kSide);
      QCOMPARE(cam.layer, std::string("conv_1"));
      const auto [py, px] = cam.peak();
      hits += py >= top && py < top + kSquare && px >= left && px < left + kSquare;
    }
    qInfo("Grad-CAM peak inside the square on %d of %d test images (%d classified right)", hits,
          tests, correct);
    QVERIFY2(correct >= tests * 95 / 100, "the CNN did not learn the square");
    QVERIFY2(hits >= tests * 95 / 100, qPrintable(QString("hits %1/%2").arg(hits).arg(tests)));

    // Feature maps of the first convolution for one image.
    const Tensor a = ex.activations(x, "conv");
    QCOMPARE(a.shape(), (Shape{1, kSide, kSide, 4}));
    QVERIFY_THROWS_EXCEPTION(Error, ex.activations(x, "nope"));
    const Tensor f = ex.features(tx, "pool", 64);
    QCOMPARE(f.shape(), (Shape{n, 6}));
  }

  void pcaRecoversAKnownCovariance() {
    // x = z · diag(3, 1, 0.5) · R^T with R a rotation: variances 9, 1, 0.25 along R's columns.
    Eigen::Matrix3d r = Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 3).normalized()).matrix();
    const Eigen::Vector3d sd(3, 1, 0.5);
    const int n = 20000;
    Eigen::MatrixXd x(n, 3);
    Rng rng(5);
    for (int i = 0; i < n; ++i) {
      Eigen::Vector3d z(rng.normal(), rng.normal(), rng.normal());
      x.row(i) = (r * sd.cwiseProduct(z)).transpose() + Eigen::RowVector3d(10, -4, 2);
    }
    const Pca::Result p = Pca::fit(x, 2);
    QCOMPARE(p.projection.rows(), Eigen::Index(n));
    QCOMPARE(p.projection.cols(), Eigen::Index(2));
    QVERIFY(std::fabs(p.explainedVariance[0] / 9.0 - 1) < 0.05);
    QVERIFY(std::fabs(p.explainedVariance[1] / 1.0 - 1) < 0.05);
    QVERIFY(std::fabs(p.components.col(0).dot(r.col(0))) > 0.99);
    QVERIFY(std::fabs(p.components.col(1).dot(r.col(1))) > 0.99);
    QVERIFY(std::fabs(p.projection.col(0).mean()) < 1e-9);
  }

  void tsneSeparatesTwoClusters() {
    const int per = 80, dims = 10;
    Eigen::MatrixXd x(2 * per, dims);
    Rng rng(8);
    for (int i = 0; i < 2 * per; ++i)
      for (int d = 0; d < dims; ++d) x(i, d) = rng.normal() + (i < per && d == 0 ? 12.0 : 0.0);
    const Eigen::MatrixXd p = Tsne::affinities(x, 30);
    QVERIFY(std::fabs(p.sum() - 1.0) < 1e-6);
    QVERIFY((p - p.transpose()).cwiseAbs().maxCoeff() < 1e-12);
    Tsne::Options o;
    o.iterations = 500;
    int calls = 0;
    const Eigen::MatrixXd y = Tsne::embed(x, o, [&](int) { return ++calls > 0; });
    QCOMPARE(calls, 500);
    QCOMPARE(y.cols(), Eigen::Index(2));
    // 5-nearest-neighbour purity in the embedding.
    const int k = 5;
    int same = 0;
    for (int i = 0; i < 2 * per; ++i) {
      std::vector<std::pair<double, int>> d;
      for (int j = 0; j < 2 * per; ++j)
        if (j != i) d.push_back({(y.row(i) - y.row(j)).squaredNorm(), j});
      std::partial_sort(d.begin(), d.begin() + k, d.end());
      for (int m = 0; m < k; ++m) same += (d[m].second < per) == (i < per);
    }
    const double purity = double(same) / (2.0 * per * k);
    qInfo("t-SNE 5-NN purity %.3f", purity);
    QVERIFY(purity > 0.98);
    // Stopping early returns after the asked iteration.
    calls = 0;
    Tsne::embed(x, o, [&](int it) { return ++calls, it < 9; });
    QCOMPARE(calls, 10);
  }
};

QTEST_APPLESS_MAIN(TestExplain)
#include "tst_engine_explain.moc"
