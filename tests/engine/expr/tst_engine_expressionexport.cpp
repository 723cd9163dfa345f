// Export of the expression pieces: the Python script defines the custom layer class, the
// Lambda's lambda and the custom loss / metric functions and compiles (py_compile); the ONNX
// export maps every op of the expression language and reproduces the engine's outputs (checked
// by python3-onnx and the numpy reference evaluator, tests/engine/io/onnx_reference.py).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/Npy.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/PythonExport.h"
#include "engine/io/PythonExpressionCode.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/Model.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool pythonHas(const char* modules) {
  QProcess p;
  p.start(python(), {"-c", QString("import ") + modules});
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

json customDense(const std::string& name, int units, const json& activation) {
  return {
      {"name", name},
      {"custom_class", "CustomizedDenseLayer"},
      {"params", {{"units", units}, {"activation", activation}}},
      {"weights",
       {{{"name", "kernel"}, {"shape", {"input_shape[-1]", "units"}}, {"initializer", "uniform"}},
        {{"name", "bias"}, {"shape", {"units"}}, {"initializer", "zeros"}}}},
      {"call", "activation(x @ kernel + bias)"}};
}

}  // namespace

class TestExpressionExport : public QObject {
  Q_OBJECT

 private slots:
  void renamesOnlyStandaloneNames() {
    QCOMPARE(
        renameExpressionNames("tf.nn.relu(x @ kernel + bias) * units", {{"kernel", "self.kernel"},
                                                                        {"bias", "self.bias"},
                                                                        {"relu", "WRONG"},
                                                                        {"units", "self.units"}}),
        std::string("tf.nn.relu(x @ self.kernel + self.bias) * self.units"));
    QCOMPARE(renameExpressionNames("tf.reduce_sum(x, axis=axis)", {{"axis", "self.axis"}}),
             std::string("tf.reduce_sum(x, axis=self.axis)"));
  }

  void pythonScriptDefinesEverything() {
    const ModelSpec spec = makeSpec(
        {inputNode("in", {8}), node("c1", "CustomLayer", {"in"}, customDense("c1", 30, "relu")),
         node("c2", "CustomLayer", {"c1"}, customDense("c2", 1, nullptr)),
         node("sp", "Lambda", {"c2"}, {{"expression", "tf.nn.softplus(x)"}}),
         node("sc", "Lambda", {"sp"},
              {{"expression", "K.clip(x * alpha, 0.0, 10.0)"}, {"arguments", {{"alpha", 2.0}}}})},
        {"in"}, {"sc"});
    const json tc = {
        {"loss",
         {{"class_name", "ExpressionLoss"},
          {"config",
           {{"name", "customized_mse"},
            {"expression", "tf.reduce_mean(tf.square(y_pred - y_true))"}}}}},
        {"metrics",
         {"mae",
          {{"class_name", "ExpressionMetric"},
           {"config",
            {{"name", "my_mae"}, {"expression", "K.mean(K.abs(y_pred - y_true), axis=-1)"}}}}}},
        {"optimizer_config", {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}}}};
    const std::string script = pythonScript(spec, tc, {});
    for (const char* part :
         {"from tensorflow.keras import backend as K",
          "class CustomizedDenseLayer(keras.layers.Layer):",
          "    def __init__(self, activation=\"relu\", units=30, **kwargs):",
          "        self.activation = keras.activations.get(activation)",
          "    def build(self, input_shape):",
          "        self.kernel = self.add_weight(name=\"kernel\", shape=(input_shape[-1], "
          "self.units), initializer=\"uniform\", trainable=True)",
          "        return self.activation(x @ self.kernel + self.bias)",
          "c1 = CustomizedDenseLayer(activation=\"relu\", units=30, name=\"c1\")(in_)",
          "c2 = CustomizedDenseLayer(activation=None, units=1, name=\"c2\")(c1)",
          "layers.Lambda(lambda x: tf.nn.softplus(x), name=\"sp\")",
          "lambda x, alpha: K.clip(x * alpha, 0.0, 10.0), arguments={\"alpha\": 2.0}",
          "def customized_mse(y_true, y_pred):\n    return tf.reduce_mean(tf.square(y_pred - "
          "y_true))",
          "def my_mae(y_true, y_pred):", "loss=customized_mse,", "metrics=[\"mae\", my_mae],"})
      if (script.find(part) == std::string::npos) {
        qInfo("%s", script.c_str());
        QFAIL(qPrintable(QString("missing: ") + part));
      }
    QCOMPARE(int(std::count(script.begin(), script.end(), '\n') > 0), 1);
    QVERIFY(script.find("class CustomizedDenseLayer") ==
            script.rfind("class CustomizedDenseLayer"));
    QTemporaryDir dir;
    const QString path = dir.filePath("train.py");
    std::ofstream(path.toStdString()) << script;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {"-m", "py_compile", path});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAll().constData());
  }

  // A loss reading sample_weight: Keras passes sample weights only to Loss.__call__, so it is
  // written as a keras.losses.Loss subclass overriding __call__ and an instance under the
  // function's name (the compile line is unchanged); a lambda of three arguments is called from
  // it; a metric reading sample_weight becomes a keras.metrics.Mean subclass.
  void weightedLossExportsAsLossClass() {
    const ModelSpec spec = makeSpec({inputNode("in", {3}), denseNode("o", 1, "in")}, {"in"}, {"o"});
    json tc = {
        {"loss",
         {{"class_name", "ExpressionLoss"},
          {"config",
           {{"name", "weighted_mse"},
            {"expression",
             "sample_weight * tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)"}}}}},
        {"metrics",
         {{{"class_name", "ExpressionMetric"},
           {"config",
            {{"name", "sample_weight_free"}, {"expression", "K.abs(y_pred - y_true)"}}}}}},
        {"optimizer_config", {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}}}};
    const std::string script = pythonScript(spec, tc, {});
    for (const char* part :
         {"class WeightedMseLoss(keras.losses.Loss):",
          "    def __call__(self, y_true, y_pred, sample_weight=None):",
          "            sample_weight = tf.ones(tf.shape(y_pred)[:1], dtype=y_pred.dtype)",
          "            sample_weight = tf.reshape(tf.cast(sample_weight, y_pred.dtype), [-1])",
          "        return tf.reduce_mean(sample_weight * tf.reduce_mean(tf.square(y_pred - "
          "y_true), axis=-1))",
          "weighted_mse = WeightedMseLoss(name=\"weighted_mse\")", "loss=weighted_mse,",
          "def sample_weight_free(y_true, y_pred):"})
      if (script.find(part) == std::string::npos) {
        qInfo("%s", script.c_str());
        QFAIL(qPrintable(QString("missing: ") + part));
      }
    QVERIFY(script.find("def weighted_mse(") == std::string::npos);
    // The class comes before build_model / compile uses the instance.
    QVERIFY(script.find("weighted_mse = WeightedMseLoss") < script.find("loss=weighted_mse"));
    QTemporaryDir dir;
    const QString path = dir.filePath("train.py");
    std::ofstream(path.toStdString()) << script;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {"-m", "py_compile", path});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAll().constData());

    // The lambda form with three arguments.
    const std::string lambdaLoss = pythonLossFunction(
        "wl", "lambda y_true, y_pred, sample_weight: tf.reduce_sum(sample_weight * 0 + 1)");
    QVERIFY2(lambdaLoss.find("return tf.reduce_mean((lambda y_true, y_pred, sample_weight: "
                             "tf.reduce_sum(sample_weight * 0 + 1))(y_true, y_pred, "
                             "sample_weight))") != std::string::npos,
             lambdaLoss.c_str());
    // A name that merely contains sample_weight as an attribute is not a read.
    QVERIFY(pythonLossFunction("f", "y_pred.sample_weight").find("def f(") == 0);

    // A metric reading sample_weight: Keras gives sample weights only to
    // Metric.update_state, so it becomes a keras.metrics.Mean whose update_state computes the
    // per-sample values with the weights and averages them with the same weights (Tessel's
    // ExpressionMetric), and an instance under the function's name in compile's metrics.
    tc["metrics"][0]["config"]["expression"] = "sample_weight * K.abs(y_pred - y_true)";
    const std::string weighted = pythonScript(spec, tc, {});
    for (const char* part :
         {"class SampleWeightFreeMetric(keras.metrics.Mean):",
          "    def update_state(self, y_true, y_pred, sample_weight=None):",
          "        weights = sample_weight",
          "            sample_weight = tf.ones(tf.shape(y_pred)[:1], dtype=y_pred.dtype)",
          "        values = tf.convert_to_tensor(sample_weight * K.abs(y_pred - y_true), "
          "dtype=y_pred.dtype)",
          "            values = tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), "
          "axis=1)",
          "        return super().update_state(values, sample_weight=weights)",
          "sample_weight_free = SampleWeightFreeMetric(name=\"sample_weight_free\")",
          "sample_weight_free]"})
      if (weighted.find(part) == std::string::npos) {
        qInfo("%s", weighted.c_str());
        QFAIL(qPrintable(QString("missing: ") + part));
      }
    QVERIFY(weighted.find("def sample_weight_free(") == std::string::npos);
    QVERIFY(weighted.find("sample_weight_free = SampleWeightFreeMetric") <
            weighted.find("sample_weight_free]"));
    std::ofstream(path.toStdString()) << weighted;
    QProcess q;
    q.setProcessChannelMode(QProcess::MergedChannels);
    q.start(python(), {"-m", "py_compile", path});
    QVERIFY(q.waitForFinished(60000));
    QVERIFY2(q.exitCode() == 0, q.readAll().constData());
  }

  void onnxMapsEveryOp() {
    if (!pythonHas("onnx, numpy")) QSKIP("python3-onnx is not installed");
    const char* exprs[] = {
        "tf.nn.softplus(x) - tf.nn.relu(-x) + tf.sigmoid(x) * tf.tanh(x)",
        "tf.sqrt(tf.abs(x) + 1.0) + tf.exp(x * 0.1) + tf.math.log(tf.abs(x) + 2.0) + tf.sign(x)",
        "tf.maximum(x, 0.3) + tf.minimum(x, -0.2) + tf.clip_by_value(x, -0.5, 0.5)",
        "tf.where(x > 0.1, x * x, -x) + tf.cast(x >= 0, tf.float32) + tf.cast(x != 1.0, 'float32')",
        "tf.where(x < 0, 1.0, 0.0) + tf.cast(x <= 0, tf.float32) + tf.cast(x == 0, tf.float32)",
        "x / 3.0 + x ** 3 + (tf.abs(x) + 1) ** 0.5 + tf.cast(x * 2, tf.int32)",
        ("tf.reduce_mean(x, axis=1, keepdims=True) + tf.reduce_sum(x, axis=-1, keepdims=True) + "
         "tf.reduce_max(x, axis=1, keepdims=True) - tf.reduce_min(x, axis=1, keepdims=True) + x"),
        "tf.concat([x[:, :2], x[:, ::-1][:, 1:3] * 2, tf.reshape(x[:, 0], [-1, 1])], axis=1)",
        "tf.matmul(x, tf.transpose(tf.constant([[1.0, 2.0, 0.5, -1.0], [0.0, 1.0, 1.0, 1.0]])))",
        "tf.one_hot(tf.cast(tf.abs(x[:, 0]) * 2, tf.int32), 4) + tf.nn.softmax(x)",
        "x - tf.reduce_mean(x)"};
    for (const char* text : exprs) {
      const ModelSpec spec =
          makeSpec({inputNode("in", {4}), node("lam", "Lambda", {"in"}, {{"expression", text}})},
                   {"in"}, {"lam"});
      Model m(spec, 1);
      QTemporaryDir dir;
      NamedWeights none;
      writeOnnxModel(dir.filePath("m.onnx").toStdString(), spec, none);
      Rng rng(5);
      Tensor x(Shape{3, 4});
      for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-2, 2);
      writeNpy(dir.filePath("x0.npy").toStdString(), Array::fromTensor(x));
      RunContext ctx;
      m.forward({&x}, false, ctx);
      writeNpy(dir.filePath("y0.npy").toStdString(), Array::fromTensor(m.output(0)));
      QProcess p;
      p.setProcessChannelMode(QProcess::MergedChannels);
      p.start(python(), {TESSEL_SOURCE_DIR "/tests/engine/io/onnx_reference.py",
                         dir.filePath("m.onnx"), dir.path()});
      QVERIFY(p.waitForFinished(120000));
      const QString out = QString::fromUtf8(p.readAll());
      QVERIFY2(p.exitCode() == 0 && out.startsWith("ok"), qPrintable(QString(text) + ": " + out));
    }
  }

  void onnxCustomLayerWithWeights() {
    if (!pythonHas("onnx, numpy")) QSKIP("python3-onnx is not installed");
    const ModelSpec spec = makeSpec(
        {inputNode("in", {5}), node("c1", "CustomLayer", {"in"}, customDense("c1", 3, "tanh"))},
        {"in"}, {"c1"});
    Model m(spec, 2);
    NamedWeights weights;
    for (auto& [name, var] : m.namedWeights()) weights.emplace_back(name, var->value);
    QTemporaryDir dir;
    writeOnnxModel(dir.filePath("m.onnx").toStdString(), spec, weights);
    Tensor x(Shape{2, 5}, {1, 2, 3, 4, 5, -1, 0.5f, 0, 2, -3});
    writeNpy(dir.filePath("x0.npy").toStdString(), Array::fromTensor(x));
    RunContext ctx;
    m.forward({&x}, false, ctx);
    writeNpy(dir.filePath("y0.npy").toStdString(), Array::fromTensor(m.output(0)));
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {TESSEL_SOURCE_DIR "/tests/engine/io/onnx_reference.py",
                       dir.filePath("m.onnx"), dir.path()});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0 && out.startsWith("ok"), qPrintable(out));
  }
};

QTEST_APPLESS_MAIN(TestExpressionExport)
#include "tst_engine_expressionexport.moc"
