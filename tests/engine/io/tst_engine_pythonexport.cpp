// Python export: the script generated for every bundled example compiles
// (`python3 -m py_compile`), and its model code is the readable Keras a person would write:
// named variables, one layer per line, non-default arguments only, the compile settings, the
// data set's loading, callbacks and a MirroredStrategy scope.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "engine/io/PythonExport.h"
#include "engine/io/TfjsModel.h"

using namespace tessel;
namespace fs = std::filesystem;

namespace {

QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// "" when `path` compiles, else python's message.
QString pyCompile(const QString& path) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(python(), {"-m", "py_compile", path});
  if (!p.waitForFinished(60000)) return "timed out";
  if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
    return QString::fromUtf8(p.readAll()) + " (exit " + QString::number(p.exitCode()) + ")";
  return {};
}

std::string exampleScript(const std::string& name, const PythonExportOptions& o) {
  ModelFile f = readModelFile(TESSEL_SOURCE_DIR "/resources/examples/" + name + "/model.json");
  return pythonScript(f.spec, f.trainingConfig, o);
}

}  // namespace

class TestPythonExport : public QObject {
  Q_OBJECT

 private slots:
  void everyExampleCompiles() {
    QTemporaryDir tmp;
    int n = 0;
    for (const auto& e : fs::directory_iterator(TESSEL_SOURCE_DIR "/resources/examples")) {
      if (!fs::exists(e.path() / "model.json")) continue;
      ModelFile f = readModelFile((e.path() / "model.json").string());
      for (const char* data : {"", "fashion-mnist", "npy"}) {
        PythonExportOptions o;
        o.dataSet = data;
        bool single = f.spec.inputs.size() == 1 && f.spec.outputs.size() == 1;
        if (o.dataSet == "fashion-mnist" && !single) continue;
        if (o.dataSet == "npy") {
          for (size_t i = 0; i < f.spec.inputs.size(); ++i)
            o.xFiles.push_back("x" + std::to_string(i) + ".npy");
          for (size_t i = 0; i < f.spec.outputs.size(); ++i)
            o.yFiles.push_back("y's \"quoted\".npy");
          o.validationSplit = 0.2;
          o.earlyStoppingPatience = 3;
          o.csvLog = "log.csv";
        }
        std::string script = pythonScript(f.spec, f.trainingConfig, o);
        QString path = tmp.filePath(QString::fromStdString(e.path().filename().string()) + "_" +
                                    QString::number(n++) + ".py");
        std::ofstream(path.toStdString()) << script;
        QString err = pyCompile(path);
        QVERIFY2(err.isEmpty(),
                 qPrintable(path + ": " + err + "\n" + QString::fromStdString(script)));
        QVERIFY(script.find("tf.distribute.MirroredStrategy()") != std::string::npos);
        QVERIFY(script.find("with strategy.scope():") != std::string::npos);
        QVERIFY(script.find("model.fit(") != std::string::npos);
        QVERIFY(script.find("keras.callbacks.TensorBoard(") != std::string::npos);
        // One layer per line: every node appears as `name = ...(`.
        for (const auto& node : f.spec.nodes)
          QVERIFY2(script.find("    " + pythonIdentifier(node.name) + " = ") != std::string::npos,
                   node.name.c_str());
      }
    }
    QVERIFY(n >= 10);
  }

  void wideDeepCodeReadsLikeKeras() {
    std::string s = exampleScript("wide_deep_multi_input", {});
    QVERIFY2(s.find("    input_deep = keras.Input(shape=(6,), name=\"input_deep\")\n") !=
                 std::string::npos,
             s.c_str());
    // TF.js's VarianceScaling(1, fan_avg, uniform) is Keras's default glorot_uniform: omitted.
    QVERIFY2(
        s.find("    dense = layers.Dense(30, activation=\"relu\", name=\"dense\")(input_deep)\n") !=
            std::string::npos,
        s.c_str());
    QVERIFY2(s.find("layers.Concatenate(name=\"concatenate\")([input_wide, dense_1])") !=
                 std::string::npos,
             s.c_str());
    QVERIFY2(s.find("keras.Model(inputs=[input_wide, input_deep]") != std::string::npos ||
                 s.find("keras.Model(inputs=[input_deep, input_wide]") != std::string::npos,
             s.c_str());
    QVERIFY2(
        s.find("optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0, nesterov=False)") !=
            std::string::npos,
        s.c_str());
    QVERIFY2(s.find("loss=\"mean_squared_error\"") != std::string::npos, s.c_str());
  }

  void fashionMnistLoading() {
    PythonExportOptions o;
    o.dataSet = "fashion-mnist";
    o.epochs = 7;
    std::string s = exampleScript("fashion_mnist_cnn", o);
    QVERIFY(s.find("keras.datasets.fashion_mnist.load_data()") != std::string::npos);
    QVERIFY2(s.find("shape = (-1,) + (28, 28, 1)") != std::string::npos, s.c_str());
    QVERIFY(s.find("epochs=7,") != std::string::npos);
    QVERIFY(s.find("layers.Conv2D(") != std::string::npos);
    QVERIFY(s.find("metrics=[\"accuracy\"]") != std::string::npos);
  }

  void identifiersAndLiterals() {
    QCOMPARE(pythonIdentifier("dense_1"), std::string("dense_1"));
    QCOMPARE(pythonIdentifier("my-layer/x"), std::string("my_layer_x"));
    QCOMPARE(pythonIdentifier("1st"), std::string("layer_1st"));
    QCOMPARE(pythonIdentifier("lambda"), std::string("lambda_"));
    const std::string in = "[true, null, 1.5, \"a\\\"b\", {\"k\": [1]}]";
    const std::string want = "[True, None, 1.5, \"a\\\"b\", {\"k\": [1]}]";
    QCOMPARE(pythonLiteral(json::parse(in)), want);
  }
};

QTEST_APPLESS_MAIN(TestPythonExport)
#include "tst_engine_pythonexport.moc"
