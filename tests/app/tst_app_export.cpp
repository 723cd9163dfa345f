// `tessel export` end to end on the built binary: a project is created, a model imported and
// trained for two epochs on tiny .npy data, then exported as a Python script (compiles with
// py_compile and carries the run's fit settings), ONNX (passes the onnx checker when
// python3-onnx is installed), Keras 3 JSON (read back by `tessel summary`) and TensorBoard logs
// (train and validation event files). Also: `--help` for every sub-command of the table, the
// generated man page, and the one-line errors of bad export requests.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/data/Array.h"
#include "engine/data/Npy.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel::testutil;
using json = nlohmann::json;

namespace {

QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

QString describe(const Run& r) {
  return QString("exit %1%2\nstdout: %3\nstderr: %4")
      .arg(r.code)
      .arg(r.crashed ? " (crashed)" : "")
      .arg(r.out, r.err);
}

// Evaluates `expr` (a Run) once.
#define EXPECT_OK(expr)                                              \
  do {                                                               \
    const Run r_ = (expr);                                           \
    QVERIFY2(!r_.crashed && r_.code == 0, qPrintable(describe(r_))); \
  } while (0)

void expectError(const Run& r, int code, const QString& needle) {
  QVERIFY2(!r.crashed && r.code == code, qPrintable(describe(r)));
  const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
  QVERIFY2(lines.size() == 1 && lines[0].startsWith("tessel: error: "), qPrintable(r.err));
  QVERIFY2(lines[0].contains(needle, Qt::CaseInsensitive), qPrintable(lines[0]));
}

const char* kLstmModel = R"({"class_name": "Sequential", "config": {"name": "rnn", "layers": [
  {"class_name": "ConvLSTM2D", "config": {"name": "convlstm", "filters": 4,
                                          "batch_input_shape": [null, 5, 3]}},
  {"class_name": "Dense", "config": {"name": "dense", "units": 2}}]}})";

}  // namespace

class TestAppExport : public QObject {
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
    QFile g(path("rnn.json"));
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(kLstmModel);
    g.close();
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

  void helpForEveryCommand() {
    Run r = runTessel({"--help"});
    EXPECT_OK(r);
    // The command list: lines "  name   summary" after "commands:".
    QStringList names;
    bool inList = false;
    for (const QString& line : r.out.split('\n')) {
      if (line == "commands:") {
        inList = true;
        continue;
      }
      if (inList && line.startsWith("  ")) names << line.trimmed().section(' ', 0, 0);
    }
    QVERIFY2(names.contains("export") && names.contains("train") && names.size() >= 10,
             qPrintable(r.out));
    Run man = runTessel({"--man"});
    EXPECT_OK(man);
    QVERIFY(man.out.startsWith(".TH TESSEL 1"));
    for (const QString& name : names) {
      Run h = runTessel({name, "--help"});
      EXPECT_OK(h);
      QVERIFY2(h.out.startsWith("usage: tessel " + name + " "), qPrintable(h.out));
      QVERIFY2(man.out.contains(".SS \"tessel " + name + " "), qPrintable(name));
    }
    Run v = runTessel({"--version"});
    EXPECT_OK(v);
    QVERIFY(v.out.startsWith("tessel "));
    // Every option of `export --help` is in the man page too (same table).
    Run e = runTessel({"export", "--help"});
    for (const char* opt : {"--python", "--onnx", "--keras3", "--tensorboard", "--run"}) {
      QVERIFY(e.out.contains(opt));
      QVERIFY(man.out.contains(QString("\\fB") + QString(opt).replace("-", "\\-") + "\\fR"));
    }
  }

  void projectExports() {
    const QString project = path("p.tessel");
    EXPECT_OK(runTessel({"new", project}));
    EXPECT_OK(runTessel({"import", project, path("tiny.json")}));
    Run t =
        runTessel({"train", project, "--x", path("x.npy"), "--y", path("y.npy"), "--epochs", "2",
                   "--validation-split", "0.25", "--loss", "sparse_categorical_crossentropy",
                   "--metrics", "accuracy", "--optimizer", "adam", "--verbose", "0"});
    EXPECT_OK(t);
    Run e = runTessel({"export", project, "--python", path("out/model.py"), "--onnx",
                       path("out/model.onnx"), "--keras3", path("out/keras3.json"), "--tensorboard",
                       path("logs")});
    EXPECT_OK(e);
    QVERIFY2(e.out.contains("checkpoint"), qPrintable(e.out));  // trained weights were used
    QVERIFY2(!e.out.contains("freshly initialised"), qPrintable(e.out));

    // Python: compiles, and carries the run's data and fit settings.
    Run c = runProgram(python(), {"-m", "py_compile", path("out/model.py")});
    EXPECT_OK(c);
    QFile script(path("out/model.py"));
    QVERIFY(script.open(QIODevice::ReadOnly));
    const QString py = QString::fromUtf8(script.readAll());
    QVERIFY2(py.contains("np.load(\"" + path("x.npy") + "\")"), qPrintable(py));
    QVERIFY(py.contains("epochs=2,"));
    QVERIFY(py.contains("validation_split=0.25"));
    // The run records the optimizer with its Keras config ("adam" on the command line).
    QVERIFY2(py.contains("optimizer=keras.optimizers.Adam("), qPrintable(py));
    QVERIFY2(py.contains("learning_rate=0.001"), qPrintable(py));
    QVERIFY(py.contains("loss=\"sparse_categorical_crossentropy\""));
    QVERIFY(
        py.contains("dense_1 = layers.Dense(2, activation=\"softmax\", name=\"dense_1\")(dense)"));

    // Keras 3 JSON reads back.
    Run s = runTessel({"summary", path("out/keras3.json")});
    EXPECT_OK(s);
    QVERIFY2(s.out.contains("dense_1 (Dense)"), qPrintable(s.out));
    QFile k3(path("out/keras3.json"));
    QVERIFY(k3.open(QIODevice::ReadOnly));
    const QByteArray k3text = k3.readAll();
    json k3json = json::parse(k3text.toStdString(), nullptr, false);
    QVERIFY2(k3json.is_object() && k3json.contains("compile_config"),
             k3text.left(2000).constData());
    QVERIFY(k3json.dump().find("__keras_tensor__") != std::string::npos);
    // The run's compile settings as Keras 3's compile_config.
    QCOMPARE(k3json["compile_config"]["loss"], json("sparse_categorical_crossentropy"));
    QCOMPARE(k3json["compile_config"]["optimizer"]["class_name"], json("Adam"));

    // TensorBoard: train and validation event files of run 1.
    for (const char* sub : {"train", "validation"}) {
      QDir d(path(QString("logs/run-1/") + sub));
      QStringList files = d.entryList({"events.out.tfevents.*"}, QDir::Files);
      QVERIFY2(files.size() == 1, qPrintable(d.path()));
      QVERIFY(QFileInfo(d.filePath(files[0])).size() > 100);
    }

    // The run's trained model as a TF.js model.json with its weights.
    Run j = runTessel({"export", project, "--run", "1", "--out", path("out/m/model.json")});
    EXPECT_OK(j);
    QVERIFY2(j.out.contains("run 1 (best checkpoint, epoch"), qPrintable(j.out));
    QVERIFY(QFileInfo(path("out/m/group1-shard1of1.bin")).size() == (3 * 8 + 8 + 8 * 2 + 2) * 4);
    EXPECT_OK(runTessel({"evaluate", path("out/m/model.json"), "--x", path("x.npy"), "--y",
                         path("y.npy"), "--loss", "sparse_categorical_crossentropy"}));

    // ONNX passes the checker when python3-onnx is installed.
    Run o =
        runProgram(python(), {"-c", "import onnx; m = onnx.load('" + path("out/model.onnx") +
                                        "'); onnx.checker.check_model(m); "
                                        "onnx.shape_inference.infer_shapes(m, strict_mode=True)"});
    if (o.code != 0 && o.err.contains("No module named 'onnx'"))
      qWarning("python3-onnx not installed: the exported ONNX file is not checked");
    else
      EXPECT_OK(o);
  }

  void modelFileExports() {
    const QString model = TESSEL_SOURCE_DIR "/resources/examples/wide_deep_multi_input/model.json";
    Run e = runTessel({"export", model, "--onnx", path("wd.onnx"), "--python", path("wd.py")});
    EXPECT_OK(e);
    QVERIFY(QFileInfo(path("wd.onnx")).size() > 1000);
    EXPECT_OK(runProgram(python(), {"-m", "py_compile", path("wd.py")}));
    // An untrained model.json gets initialised weights, and says so.
    Run u = runTessel({"export", path("tiny.json"), "--onnx", path("tiny.onnx")});
    EXPECT_OK(u);
    QVERIFY(u.out.contains("freshly initialised"));
  }

  void badRequests() {
    expectError(runTessel({"export", path("tiny.json")}), 2, "nothing to write");
    expectError(runTessel({"export", path("tiny.json"), "--tensorboard", path("tb")}), 2,
                "needs a PROJECT");
    expectError(runTessel({"export", path("tiny.json"), "--out", path("o.json")}), 2, "PROJECT");
    expectError(runTessel({"export", path("p.tessel"), "--onnx", path("x.onnx"), "--run", "99"}), 1,
                "no run 99");
    Run r = runTessel({"export", path("rnn.json"), "--onnx", path("rnn.onnx")});
    expectError(r, 1, "'convlstm' (ConvLSTM2D)");
    Run i = runTessel({"import", path("p.tessel"), path("rnn.json")});
    expectError(i, 1, "not supported by Tessel");
  }
};

QTEST_APPLESS_MAIN(TestAppExport)
#include "tst_app_export.moc"
