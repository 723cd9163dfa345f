// The command line's expression features, through the built `tessel` binary: `tessel derive`
// (value, gradient, Hessian and gradient descent of a function of scalars), training with
// --loss-expression / --metric-expression, and their errors (one `tessel: error:` line with the
// column, exit code 2).
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/data/Array.h"
#include "engine/data/Npy.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel::testutil;

namespace {

// 3 features -> Dense(4, relu) -> Dense(1): a tiny regression model.
const char* kRegression = R"({"class_name": "Sequential", "config": {"name": "reg", "layers": [
  {"class_name": "Dense", "config": {"name": "h", "units": 4, "activation": "relu",
                                     "batch_input_shape": [null, 3]}},
  {"class_name": "Dense", "config": {"name": "out", "units": 1}}]}})";

}  // namespace

class TestAppExpressions : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const char* name) const { return dir_.filePath(name); }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QFile f(path("reg.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kRegression);
    f.close();
    tessel::Array x(tessel::DType::Float32, {64, 3}), y(tessel::DType::Float32, {64, 1});
    auto* xp = reinterpret_cast<float*>(x.bytes());
    auto* yp = reinterpret_cast<float*>(y.bytes());
    for (int i = 0; i < 64; ++i) {
      for (int j = 0; j < 3; ++j) xp[i * 3 + j] = float((i * 7 + j * 3) % 11) / 11.0f - 0.5f;
      yp[i] = xp[i * 3] - 2 * xp[i * 3 + 1] + 0.5f * xp[i * 3 + 2];
    }
    tessel::writeNpy(path("x.npy").toStdString(), x);
    tessel::writeNpy(path("y.npy").toStdString(), y);
  }

  void deriveGivesGradientAndHessian() {
    Run r = runTessel({"derive", "(x1 + 5) * x2 ** 2", "--at", "x1=2,x2=3"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("variables: x1, x2"), qPrintable(r.out));
    QVERIFY2(r.out.contains("f: 63\n"), qPrintable(r.out));
    QVERIFY2(r.out.contains("gradient: [9, 42]"), qPrintable(r.out));
    QVERIFY2(r.out.contains("hessian: [[0, 6], [6, 14]]"), qPrintable(r.out));
    Run d = runTessel({"derive", "tf.square(x) - 2. * x + 1", "--at", "x=5", "--descend", "0.25",
                       "--steps", "20"});
    QVERIFY2(d.code == 0, qPrintable(d.err));
    QVERIFY2(d.out.contains("step 20: [1"), qPrintable(d.out));  // converged to x = 1
  }

  void deriveErrorsPointAtTheColumn() {
    Run r = runTessel({"derive", "tf.sqaure(x)"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("at column 1: unknown function 'tf.sqaure'"), qPrintable(r.err));
    QCOMPARE(r.err.count("tessel: error:"), 1);
    Run a = runTessel({"derive", "x * y", "--at", "z=1"});
    QCOMPARE(a.code, 2);
    QVERIFY2(a.err.contains("'z' is not a variable"), qPrintable(a.err));
  }

  void trainWithCustomLossAndMetric() {
    Run r = runTessel({"train", path("reg.json"), "--x", path("x.npy"), "--y", path("y.npy"),
                       "--epochs", "2", "--optimizer", "sgd", "--verbose", "2", "--loss-expression",
                       "tf.reduce_mean(tf.abs(y_pred - y_true) ** 2)", "--metric-expression",
                       "my_mae=K.mean(K.abs(y_pred - y_true), axis=-1)", "--metrics", "mae"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("loss:") && r.out.contains("my_mae:") && r.out.contains("mae:"),
             qPrintable(r.out));
    Run bad = runTessel({"train", path("reg.json"), "--x", path("x.npy"), "--y", path("y.npy"),
                         "--loss-expression", "tf.reduce_mean(y_pred - ytrue)"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("--loss-expression:") && bad.err.contains("unknown name 'ytrue'"),
             qPrintable(bad.err));
  }
};

QTEST_APPLESS_MAIN(TestAppExpressions)
#include "tst_app_expressions.moc"
