// `tessel import` of .keras / .h5 files, `tessel load` and `tessel export --keras / --h5 /
// --weights-h5` end to end on the built binary: a trained run goes out as .h5 (with its Adam
// state) and .keras and comes back into another project as an imported run with the same
// weights bit for bit; bad files are refused with one error line and the project unchanged.
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>

#include "engine/data/Npy.h"
#include "engine/io/KerasArchive.h"
#include "engine/store/Project.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel::testutil;

namespace {

const QString kFixtures = QStringLiteral(TESSEL_FIXTURES_DIR "/h5/");

QString describe(const Run& r) {
  return QString("exit %1%2\nstdout: %3\nstderr: %4")
      .arg(r.code)
      .arg(r.crashed ? " (crashed)" : "")
      .arg(r.out, r.err);
}

#define EXPECT_OK(expr)                                              \
  do {                                                               \
    const Run r_ = (expr);                                           \
    QVERIFY2(!r_.crashed && r_.code == 0, qPrintable(describe(r_))); \
  } while (0)

void expectError(const Run& r, const QString& needle) {
  QVERIFY2(!r.crashed && r.code == 1, qPrintable(describe(r)));
  const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
  QVERIFY2(lines.size() == 1 && lines[0].startsWith("tessel: error: "), qPrintable(r.err));
  QVERIFY2(lines[0].contains(needle), qPrintable(lines[0]));
}

bool sameWeights(const tessel::NamedWeights& a, const tessel::NamedWeights& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || a[i].second.shape() != b[i].second.shape() ||
        std::memcmp(a[i].second.data(), b[i].second.data(),
                    sizeof(float) * static_cast<size_t>(a[i].second.size())) != 0)
      return false;
  return true;
}

size_t modelCount(const QString& project) {
  return tessel::Project::open(project.toStdString(), true).models().size();
}
size_t runCount(const QString& project) {
  return tessel::Project::open(project.toStdString(), true).runs().size();
}

}  // namespace

class TestAppKeras : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString path(const QString& name) const { return tmp_.filePath(name); }

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kTessel).isExecutable(), qPrintable(kTessel + " is not built"));
    QFile f(path("tiny.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kTinyModel);
    f.close();
    const int rows = 40;
    tessel::Array x(tessel::DType::Float32, {rows, 3});
    tessel::Array y(tessel::DType::Int64, {rows});
    auto* xp = reinterpret_cast<float*>(x.bytes());
    auto* yp = reinterpret_cast<std::int64_t*>(y.bytes());
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < 3; ++c) xp[r * 3 + c] = static_cast<float>(std::sin(0.7 * r + 1.3 * c));
      yp[r] = xp[r * 3] + xp[r * 3 + 1] - xp[r * 3 + 2] > 0 ? 1 : 0;
    }
    tessel::writeNpy(path("x.npy").toStdString(), x);
    tessel::writeNpy(path("y.npy").toStdString(), y);
  }

  void trainedRunOutAndBackIn() {
    const QString p1 = path("p1.tessel"), p2 = path("p2.tessel");
    EXPECT_OK(runTessel({"new", p1}));
    EXPECT_OK(runTessel({"import", p1, path("tiny.json")}));
    EXPECT_OK(runTessel({"train", p1, "--x", path("x.npy"), "--y", path("y.npy"), "--epochs", "2",
                         "--batch-size", "8", "--loss", "sparse_categorical_crossentropy",
                         "--optimizer", "adam", "--verbose", "0"}));
    Run e =
        runTessel({"export", p1, "--run", "1", "--checkpoint", "last", "--h5", path("out/tiny.h5"),
                   "--keras", path("out/tiny.keras"), "--weights-h5", path("out/tiny.weights.h5")});
    EXPECT_OK(e);
    QVERIFY2(e.out.contains("with Adam optimizer state (10 steps)"), qPrintable(e.out));
    const tessel::ModelFile h5 = tessel::readAnyModelFile(path("out/tiny.h5").toStdString());
    const tessel::ModelFile keras = tessel::readAnyModelFile(path("out/tiny.keras").toStdString());
    QVERIFY(h5.spec == keras.spec);
    QVERIFY(sameWeights(h5.weights, keras.weights));
    QCOMPARE(h5.optimizerWeights.front().first, std::string("iter"));
    QCOMPARE(h5.optimizerWeights.front().second.data()[0], 10.0f);

    // The files are models for evaluate / predict too.
    Run ev =
        runTessel({"evaluate", path("out/tiny.keras"), "--x", path("x.npy"), "--y", path("y.npy")});
    EXPECT_OK(ev);
    Run ev2 =
        runTessel({"evaluate", path("out/tiny.h5"), "--x", path("x.npy"), "--y", path("y.npy")});
    EXPECT_OK(ev2);
    QCOMPARE(ev2.out, ev.out);
    QVERIFY2(ev.out.contains("loss"), qPrintable(ev.out));

    // Into another project: a model with an imported run holding the weights and Adam state.
    EXPECT_OK(runTessel({"new", p2}));
    Run i = runTessel({"import", p2, path("out/tiny.h5")});
    EXPECT_OK(i);
    QVERIFY2(i.out.contains("as run 1 with Adam optimizer state (10 steps)"), qPrintable(i.out));
    Run k = runTessel({"import", p2, path("out/tiny.keras"), "--name", "from_keras"});
    EXPECT_OK(k);
    QVERIFY2(k.out.contains("as run 2"), qPrintable(k.out));
    QCOMPARE(modelCount(p2), size_t(2));
    // The imported run exports the same weights, bit for bit.
    EXPECT_OK(runTessel({"export", p2, "--run", "1", "--keras", path("out/again.keras")}));
    const tessel::ModelFile again = tessel::readAnyModelFile(path("out/again.keras").toStdString());
    QVERIFY(again.spec == h5.spec);
    QVERIFY(sameWeights(again.weights, h5.weights));
    // Weights only, into the second model: a third run.
    Run w = runTessel({"load", p2, path("out/tiny.weights.h5"), "--model", "from_keras"});
    EXPECT_OK(w);
    QVERIFY2(w.out.contains("as run 3"), qPrintable(w.out));
  }

  void keras2WeightsByOrderAndByName() {
    const QString p = path("p3.tessel");
    EXPECT_OK(runTessel({"new", p}));
    EXPECT_OK(runTessel({"import", p, kFixtures + "cnn_keras2.h5"}));
    Run i = runTessel({"import", p, kFixtures + "mlp_keras2.h5"});
    EXPECT_OK(i);
    QVERIFY2(i.out.contains("Adam optimizer state (7 steps)"), qPrintable(i.out));
    EXPECT_OK(runTessel({"load", p, kFixtures + "mlp_weights_keras2.h5", "--model", "mlp"}));
    Run n =
        runTessel({"load", p, kFixtures + "mlp_weights_byname.h5", "--model", "mlp", "--by-name"});
    EXPECT_OK(n);
    QVERIFY2(n.out.contains("by name"), qPrintable(n.out));
    // By order the one-layer file does not fit the two-layer model: nothing written.
    const size_t runs = runCount(p);
    expectError(runTessel({"load", p, kFixtures + "mlp_weights_byname.h5", "--model", "mlp"}),
                "1 layer(s) (dense_1)");
    // The CNN's weights into the MLP: layer and weight named.
    expectError(runTessel({"load", p, kFixtures + "cnn.weights.h5", "--model", "mlp"}),
                "layer 'dense'");
    QCOMPARE(runCount(p), runs);
  }

  void badFilesLeaveTheProjectUnchanged() {
    const QString p = path("p4.tessel");
    EXPECT_OK(runTessel({"new", p}));
    expectError(runTessel({"import", p, kFixtures + "bad_shape.h5"}), "dense_1/kernel:0");
    expectError(runTessel({"import", p, kFixtures + "bad_count.h5"}), "layer 'dense'");
    expectError(runTessel({"import", p, kFixtures + "unknown_layer.h5"}),
                "'my_attention' (MyAttention)");
    expectError(runTessel({"import", p, kFixtures + "no_config.keras"}), "no config.json");
    expectError(runTessel({"import", p, kFixtures + "not_a_zip.keras"}), "not a zip file");
    QFile cut(path("cut.h5"));
    QFile whole(kFixtures + "mlp_keras2.h5");
    QVERIFY(whole.open(QIODevice::ReadOnly) && cut.open(QIODevice::WriteOnly));
    cut.write(whole.readAll().left(3000));
    cut.close();
    expectError(runTessel({"import", p, path("cut.h5")}), "cut.h5");
    QCOMPARE(modelCount(p), size_t(0));
    QCOMPARE(runCount(p), size_t(0));
  }
};

QTEST_GUILESS_MAIN(TestAppKeras)
#include "tst_app_keras.moc"
