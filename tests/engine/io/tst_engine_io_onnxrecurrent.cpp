// ONNX export of the recurrent layers (engine/io/onnx/OnnxRecurrentLayers.cpp): Embedding,
// SimpleRNN, LSTM, GRU (reset_after true and false), Bidirectional (every merge mode),
// go_backwards, return_sequences, initial states. Each model is written as ONNX, checked by
// python3-onnx (checker + strict shape inference) and evaluated by the numpy reference evaluator
// (onnx_reference.py, which has ONNX's RNN / GRU / LSTM equations) against the engine's outputs.
// Masks have no ONNX form: Embedding(mask_zero) and Masking are named as unsupported, and so are
// activations other than Keras's defaults.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/core/Rng.h"
#include "engine/data/Npy.h"
#include "engine/io/OnnxExport.h"
#include "engine/train/Model.h"

using namespace tessel;

namespace {

QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool haveOnnx() {
  QProcess p;
  p.start(python(), {"-c", "import onnx, numpy"});
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

NodeSpec layer(const std::string& name, const std::string& cls, json cfg,
               std::vector<std::string> inputs) {
  NodeSpec n;
  n.name = name;
  n.className = cls;
  cfg["name"] = name;
  n.config = cfg;
  n.inputs = std::move(inputs);
  return n;
}

ModelSpec embeddingModel(bool maskZero) {
  ModelSpec s;
  s.name = "embedding_rnn";
  s.nodes = {makeInputLayerNode("ids", {kNone, 6}),
             layer("emb", "Embedding",
                   {{"input_dim", 9}, {"output_dim", 4}, {"mask_zero", maskZero}}, {"ids"}),
             layer("lstm", "LSTM", {{"units", 3}, {"return_sequences", true}}, {"emb"}),
             layer("gru", "GRU", {{"units", 2}, {"go_backwards", true}}, {"lstm"}),
             layer("out", "Dense", {{"units", 2}}, {"gru"})};
  s.inputs = {"ids"};
  s.outputs = {"out"};
  return s;
}

ModelSpec bidirectionalModel(const std::string& mode1, const std::string& mode2) {
  ModelSpec s;
  s.name = "bidirectional_" + mode1 + "_" + mode2;
  s.nodes = {
      makeInputLayerNode("x", {kNone, 5, 3}),
      layer("bi1", "Bidirectional",
            {{"layer",
              {{"class_name", "GRU"},
               {"config", {{"units", 3}, {"reset_after", false}, {"return_sequences", true}}}}},
             {"merge_mode", mode1}},
            {"x"}),
      layer("srnn", "SimpleRNN", {{"units", 3}, {"go_backwards", true}, {"return_sequences", true}},
            {"bi1"}),
      layer(
          "bi2", "Bidirectional",
          {{"layer", {{"class_name", "LSTM"}, {"config", {{"units", 2}}}}}, {"merge_mode", mode2}},
          {"srnn"})};
  s.inputs = {"x"};
  s.outputs = {"bi2"};
  return s;
}

ModelSpec statesModel() {
  ModelSpec s;
  s.name = "initial_states";
  s.nodes = {
      makeInputLayerNode("x", {kNone, 4, 3}),
      makeInputLayerNode("h0", {kNone, 2}),
      makeInputLayerNode("c0", {kNone, 2}),
      layer("lstm", "LSTM", {{"units", 2}, {"return_sequences", true}}, {"x", "h0", "c0"}),
      layer("gru", "GRU", {{"units", 2}}, {"lstm", "h0"}),
      layer("bi", "Bidirectional",
            {{"layer", {{"class_name", "SimpleRNN"}, {"config", {{"units", 2}}}}}}, {"lstm"}),
      layer("cat", "Concatenate", json::object(), {"gru", "bi"})};
  s.inputs = {"x", "h0", "c0"};
  s.outputs = {"cat"};
  return s;
}

// Several outputs read by tensor index: an encoder LSTM(return_state) whose h and c start a
// decoder, and Bidirectional(GRU, return_state, merge_mode null) whose four outputs all feed on.
ModelSpec returnStateModel() {
  ModelSpec s;
  s.name = "return_state";
  auto reads = [](NodeSpec n, std::vector<int> tensors) {
    for (size_t p = 0; p < tensors.size(); ++p) n.setInputTensor(p, tensors[p]);
    return n;
  };
  json gru = {{"class_name", "GRU"},
              {"config", {{"units", 2}, {"return_sequences", true}, {"return_state", true}}}};
  s.nodes = {
      makeInputLayerNode("x", {kNone, 4, 3}),
      makeInputLayerNode("y", {kNone, 3, 3}),
      layer("enc", "LSTM", {{"units", 2}, {"return_state", true}}, {"x"}),
      reads(layer("dec", "LSTM", {{"units", 2}, {"return_sequences", true}}, {"y", "enc", "enc"}),
            {0, 1, 2}),
      layer("bi", "Bidirectional", {{"layer", gru}, {"merge_mode", nullptr}}, {"dec"}),
      reads(layer("mul", "Multiply", json::object(), {"bi", "bi"}), {0, 1}),
      layer("gap", "GlobalAveragePooling1D", json::object(), {"mul"}),
      reads(layer("cat", "Concatenate", json::object(), {"gap", "bi", "bi", "enc"}), {0, 2, 3, 0})};
  s.inputs = {"x", "y"};
  s.outputs = {"cat"};
  return s;
}

// Writes the ONNX file, inputs (ids where the input feeds an Embedding) and engine outputs, and
// runs the checker and the reference evaluator. "" or the failure.
QString check(const ModelSpec& spec, const QString& dir) {
  Model model(spec, 3);
  Rng rng(8);
  for (auto& [name, var] : model.namedWeights())
    for (Index k = 0; k < var->value.size(); ++k) var->value[k] = 0.4f * rng.normal();
  NamedWeights weights;
  for (auto& [name, var] : model.namedWeights()) weights.emplace_back(name, var->value);
  const std::string path = (dir + "/model.onnx").toStdString();
  writeOnnxModel(path, spec, weights);
  std::vector<Tensor> xs;
  for (size_t i = 0; i < model.numInputs(); ++i) {
    Shape s = model.inputShape(i);
    s[0] = 3;
    Tensor t(s);
    const bool ids = model.inputName(i) == "ids";
    for (Index k = 0; k < t.size(); ++k) t[k] = ids ? float(rng.below(9)) : rng.uniform(-1, 1);
    writeNpy((dir + QString("/x%1.npy").arg(i)).toStdString(), Array::fromTensor(t));
    xs.push_back(std::move(t));
  }
  std::vector<const Tensor*> ptrs;
  for (const auto& t : xs) ptrs.push_back(&t);
  RunContext ctx;
  model.forward(ptrs, false, ctx);
  writeNpy((dir + "/y0.npy").toStdString(), Array::fromTensor(model.output(0)));
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(python(), {TESSEL_SOURCE_DIR "/tests/engine/io/onnx_reference.py",
                     QString::fromStdString(path), dir});
  if (!p.waitForFinished(120000)) return "python timed out";
  const QString out = QString::fromUtf8(p.readAll());
  if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0 || !out.startsWith("ok"))
    return out;
  qInfo("%s: %s", spec.name.c_str(), qPrintable(out.trimmed()));
  return {};
}

}  // namespace

class TestOnnxRecurrent : public QObject {
  Q_OBJECT

 private slots:
  void models_data() {
    QTest::addColumn<int>("which");
    QTest::newRow("embedding_lstm_gru_backwards") << 0;
    QTest::newRow("bidirectional_concat_ave") << 1;
    QTest::newRow("bidirectional_sum_mul") << 2;
    QTest::newRow("initial_states") << 3;
    QTest::newRow("return_state") << 4;
  }

  void models() {
    QFETCH(int, which);
    const ModelSpec spec = which == 0   ? embeddingModel(false)
                           : which == 1 ? bidirectionalModel("concat", "ave")
                           : which == 2 ? bidirectionalModel("sum", "mul")
                           : which == 3 ? statesModel()
                                        : returnStateModel();
    QVERIFY(onnxUnsupportedLayers(spec).empty());
    if (!haveOnnx()) QSKIP("python3-onnx not installed: exported files not checked");
    QTemporaryDir tmp;
    const QString err = check(spec, tmp.path());
    QVERIFY2(err.isEmpty(), qPrintable(err));
  }

  void masksAreNotExpressible() {
    const auto list = onnxUnsupportedLayers(embeddingModel(true));
    QCOMPARE(list.size(), size_t(1));
    QVERIFY2(list[0].find("emb") != std::string::npos && list[0].find("mask") != std::string::npos,
             list[0].c_str());
    ModelSpec s;
    s.nodes = {makeInputLayerNode("x", {kNone, 4, 3}),
               layer("masking", "Masking", json::object(), {"x"}),
               layer("lstm", "LSTM", {{"units", 2}, {"activation", "selu"}}, {"masking"})};
    s.inputs = {"x"};
    s.outputs = {"lstm"};
    const auto two = onnxUnsupportedLayers(s);
    QCOMPARE(two.size(), size_t(2));
    QVERIFY2(two[0].find("Masking") != std::string::npos, two[0].c_str());
    QVERIFY2(two[1].find("lstm") != std::string::npos && two[1].find("tanh") != std::string::npos,
             two[1].c_str());
  }
};

QTEST_APPLESS_MAIN(TestOnnxRecurrent)
#include "tst_engine_io_onnxrecurrent.moc"
