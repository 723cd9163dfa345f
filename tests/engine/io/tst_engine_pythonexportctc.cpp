// Python export of the CTC loss (engine/io/PythonExport.cpp): Keras 2's tf.keras has no
// keras.losses.CTC, so the script defines the loss with tf.nn.ctc_loss exactly as Keras 3's CTC
// calls it (blank 0, label_length = non-zero labels, logit_length = T, logits), or on log(p + 1e-7)
// for from_logits=false; the script compiles (python3 -m py_compile).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "engine/graph/ModelSpec.h"
#include "engine/io/PythonExport.h"

using namespace tessel;

namespace {

ModelSpec reader() {
  return ModelSpec::fromKerasJson(json::parse(R"({"class_name": "Sequential", "config": {
    "name": "reader", "layers": [
      {"class_name": "Conv2D", "config": {"name": "conv", "filters": 8, "kernel_size": [28, 28],
        "strides": [1, 7], "activation": "relu", "batch_input_shape": [null, 28, 56, 1]}},
      {"class_name": "Reshape", "config": {"name": "steps", "target_shape": [5, 8]}},
      {"class_name": "Dense", "config": {"name": "logits", "units": 11}}]}})"));
}

QString compileError(const std::string& script) {
  QTemporaryDir tmp;
  const QString path = tmp.filePath("script.py");
  std::ofstream(path.toStdString()) << script;
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3",
          {"-m", "py_compile", path});
  if (!p.waitForFinished(60000)) return "timed out";
  return p.exitCode() == 0 ? QString() : QString::fromUtf8(p.readAll());
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

class TestPythonExportCtc : public QObject {
  Q_OBJECT

 private slots:
  void logitsLoss() {
    for (const json& loss :
         {json("ctc"),
          json({{"class_name", "CTC"},
                {"config", {{"name", "ctc"}, {"reduction", "sum_over_batch_size"}}}})}) {
      const std::string s = pythonScript(reader(), {{"loss", loss}}, PythonExportOptions{});
      QVERIFY2(has(s, "def ctc(y_true, y_pred):"), s.c_str());
      QVERIFY(has(s, "loss=ctc,"));
      QVERIFY(has(s, "tf.nn.ctc_loss(labels=y_true, logits=y_pred"));
      QVERIFY(has(s, "blank_index=0"));
      QVERIFY(has(s, "logits_time_major=False"));
      QVERIFY(has(s, "tf.not_equal(y_true, 0)"));  // label_length as Keras 3 counts it
      QVERIFY(!has(s, "tf.math.log(y_pred"));
      QVERIFY(!has(s, "keras.losses.get"));
      const QString err = compileError(s);
      QVERIFY2(err.isEmpty(), qPrintable(err));
    }
  }

  void probabilitiesLoss() {
    const json tc = {{"loss", {{"class_name", "CTC"}, {"config", {{"from_logits", false}}}}}};
    const std::string s = pythonScript(reader(), tc, PythonExportOptions{});
    QVERIFY2(has(s, "def ctc_from_probabilities(y_true, y_pred):"), s.c_str());
    QVERIFY(has(s, "loss=ctc_from_probabilities,"));
    QVERIFY(has(s, "y_pred = tf.math.log(y_pred + 1e-7)"));
    QVERIFY(!has(s, "def ctc(y_true"));
    const QString err = compileError(s);
    QVERIFY2(err.isEmpty(), qPrintable(err));
  }

  void otherLossesUnchanged() {
    const std::string s = pythonScript(reader(), {{"loss", "mse"}}, PythonExportOptions{});
    QVERIFY(!has(s, "ctc"));
    QVERIFY(has(s, "loss=\"mse\""));
  }
};

QTEST_GUILESS_MAIN(TestPythonExportCtc)
#include "tst_engine_pythonexportctc.moc"
