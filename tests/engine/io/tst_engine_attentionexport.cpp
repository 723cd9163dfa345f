// The sequence and attention layers (RepeatVector, Permute, TimeDistributed, Attention,
// AdditiveAttention, MultiHeadAttention) through every file form: model.json (Keras 2 form, with
// MultiHeadAttention's value as a call kwarg and use_causal_mask as a call argument, as Keras 2
// writes them) and Keras 3 JSON round trips, reading a Keras-written MultiHeadAttention call, the
// Python export's layer calls, and ONNX export (all six layers) evaluated by
// tests/engine/io/onnx_reference.py against the engine's outputs (skipped without python3-onnx).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/core/Rng.h"
#include "engine/data/Npy.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/PythonExport.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/train/Model.h"
#include "tests/engine/train/TrainTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

json tdDense(int units, const char* act = "linear") {
  return {
      {"layer", {{"class_name", "Dense"}, {"config", {{"units", units}, {"activation", act}}}}}};
}

// Every layer of the family in one graph.
ModelSpec sequenceModel() {
  ModelSpec s = makeSpec(
      {inputNode("x", {5, 8}),
       node("mha", "MultiHeadAttention", {"x", "x"},
            {{"num_heads", 2}, {"key_dim", 4}, {"use_causal_mask", true}}),
       node("att", "Attention", {"mha", "x"}, {{"use_scale", true}, {"use_causal_mask", true}}),
       node("cat", "Attention", {"att", "x", "x"}, {{"score_mode", "concat"}}),
       node("add_att", "AdditiveAttention", {"cat", "x"}),
       node(
           "td", "TimeDistributed", {"add_att"},
           {{"layer",
             {{"class_name", "Dense"},
              {"config",
               {{"units", 3}, {"activation", "tanh"}, {"dtype", "float32"}, {"name", "dense"}}}}}}),
       node("perm", "Permute", {"td"}, {{"dims", {2, 1}}}), node("flat", "Flatten", {"perm"}),
       node("rep", "RepeatVector", {"flat"}, {{"n", 2}}),
       node("out", "TimeDistributed", {"rep"}, tdDense(1))},
      {"x"}, {"out"});
  s.name = "sequence_zoo";
  return s;
}

QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool haveOnnx() {
  QProcess p;
  p.start(python(), {"-c", "import onnx, numpy"});
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

}  // namespace

class TestAttentionExport : public QObject {
  Q_OBJECT
 private slots:
  void shapesAndSummary() {
    const ModelSpec spec = sequenceModel();
    const ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors[0].what());
    QCOMPARE(*r.find("td")->output, Shape({kNone, 5, 3}));
    QCOMPARE(*r.find("perm")->output, Shape({kNone, 3, 5}));
    QCOMPARE(*r.find("rep")->output, Shape({kNone, 2, 15}));
    QCOMPARE(*r.find("out")->output, Shape({kNone, 2, 1}));
    const std::string table = summaryTable(spec);
    // MHA (8 -> 2 heads x 4): 3 * (8*8 + 8) + 8*8 + 8 = 288; TimeDistributed(Dense(3)) 27.
    QVERIFY2(table.find("288") != std::string::npos, table.c_str());
    QVERIFY2(table.find("TimeDistributed") != std::string::npos, table.c_str());
  }

  // Bad graphs: the shape report names the node.
  void badGraphsNameTheNode() {
    struct Bad {
      NodeSpec node;
      Shape input;
      const char* part;
    };
    const std::vector<Bad> bad = {
        {node("att", "Attention", {"x"}), {5, 8}, "input"},
        {node("mha", "MultiHeadAttention", {"x", "y"}, {{"num_heads", 2}, {"key_dim", 4}}),
         {5, 8},
         "value and key"},
        {node("td", "TimeDistributed", {"x"}, tdDense(3)), {8}, "rank >= 3"},
        {node("perm", "Permute", {"x"}, {{"dims", {1, 1}}}), {5, 8}, "permutation"},
    };
    for (const Bad& b : bad) {
      std::vector<NodeSpec> nodes = {inputNode("x", b.input), inputNode("y", {6, 8}),
                                     inputNode("k", {7, 8}), b.node};
      if (b.node.className == "MultiHeadAttention") nodes.back().inputs = {"x", "y", "k"};
      ModelSpec spec = makeSpec(nodes, {"x", "y", "k"}, {b.node.name});
      const ShapeReport r = inferShapes(spec);
      QVERIFY2(!r.ok(), b.node.name.c_str());
      bool found = false;
      for (const SpecError& e : r.errors)
        if (e.node() == b.node.name && std::string(e.what()).find(b.part) != std::string::npos)
          found = true;
      QVERIFY2(found, qPrintable(QString("%1: %2").arg(b.node.name.c_str(), r.errors[0].what())));
    }
  }

  void kerasJsonRoundTrip() {
    const ModelSpec spec = sequenceModel();
    const json j = spec.toKerasJson();
    QCOMPARE(ModelSpec::fromKerasJson(j), spec);
    // As Keras 2 writes mha(x, x, use_causal_mask=True): one inbound entry, value as a kwarg, the
    // call argument out of the layer config.
    for (const json& l : j.at("config").at("layers")) {
      if (l.at("name") != "mha") continue;
      const json& call = l.at("inbound_nodes").at(0);
      QCOMPARE(call.size(), size_t(1));
      QCOMPARE(call[0][3].at("value"), json::array({"x", 0, 0}));
      QCOMPARE(call[0][3].at("use_causal_mask"), json(true));
      QVERIFY(!l.at("config").contains("use_causal_mask"));
    }
  }

  void keras3JsonRoundTrip() {
    const ModelSpec spec = sequenceModel();
    const json j = toKeras3Json(spec);
    QVERIFY(isKeras3Json(j));
    QCOMPARE(ModelSpec::fromKerasJson(j), spec);
    for (const json& l : j.at("config").at("layers")) {
      if (l.at("name") == "mha") {  // mha(x, x, use_causal_mask=True)
        const json& call = l.at("inbound_nodes").at(0);
        QCOMPARE(call.at("args").size(), size_t(2));
        QCOMPARE(call.at("args")[1].at("config").at("keras_history"), json::array({"x", 0, 0}));
        QCOMPARE(call.at("kwargs").at("use_causal_mask"), json(true));
        QVERIFY(l.at("build_config").at("shapes_dict").contains("value_shape"));
      }
      if (l.at("name") == "cat") {  // Attention([q, v, k]): one list argument
        const json& args = l.at("inbound_nodes").at(0).at("args");
        QCOMPARE(args.size(), size_t(1));
        QCOMPARE(args[0].size(), size_t(3));
      }
      if (l.at("name") == "td") {  // the wrapped layer serialized as Keras 3 does
        const json& inner = l.at("config").at("layer");
        QCOMPARE(inner.at("class_name"), json("Dense"));
        QCOMPARE(inner.at("module"), json("keras.layers"));
        QVERIFY(inner.contains("registered_name"));
      }
    }
  }

  // Configs as the studio stores them (every key completed): Keras 3 JSON leaves out the Keras 2
  // keys Keras 3 refuses while at their default, and reading it back completes to the same config.
  void keras3JsonOfCompletedConfigs() {
    ModelSpec spec = sequenceModel();
    const LayerRegistry& reg = LayerRegistry::instance();
    for (NodeSpec& n : spec.nodes) n.config = reg.completeConfig(n.className, n.config, n.name);
    QVERIFY(spec.find("att")->config.contains("causal"));
    QVERIFY(spec.find("mha")->config.contains("query_shape"));
    const json j = toKeras3Json(spec);
    for (const json& l : j.at("config").at("layers")) {
      QVERIFY(!l.at("config").contains("causal"));
      QVERIFY(!l.at("config").contains("query_shape"));
      QVERIFY(!l.at("config").contains("use_causal_mask"));  // a call kwarg
    }
    const ModelSpec back = ModelSpec::fromKerasJson(j);
    for (const NodeSpec& n : spec.nodes)
      QCOMPARE(reg.completeConfig(n.className, back.find(n.name)->config, n.name), n.config);
  }

  // Model files as Keras writes them: Keras 2 mha(q, value=v, key=k, use_causal_mask=True) and
  // Keras 3 mha(query=q, value=v).
  void readsKerasMultiHeadAttentionCalls() {
    const json k2 = json::parse(R"({"class_name": "Functional", "config": {"name": "m",
      "layers": [
       {"class_name": "InputLayer", "name": "q", "config": {"name": "q",
        "batch_input_shape": [null, 4, 6]}, "inbound_nodes": []},
       {"class_name": "InputLayer", "name": "v", "config": {"name": "v",
        "batch_input_shape": [null, 4, 5]}, "inbound_nodes": []},
       {"class_name": "MultiHeadAttention", "name": "mha", "config": {"name": "mha",
        "num_heads": 2, "key_dim": 3, "value_dim": 3, "dropout": 0.0, "use_bias": true,
        "output_shape": null, "attention_axes": [1], "query_shape": [null, 4, 6],
        "key_shape": [null, 4, 5], "value_shape": [null, 4, 5]},
        "inbound_nodes": [[["q", 0, 0, {"value": ["v", 0, 0], "key": ["v", 0, 0],
          "use_causal_mask": true}]]]}],
      "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["mha", 0, 0]]}})");
    const ModelSpec a = ModelSpec::fromKerasJson(k2);
    const NodeSpec* m = a.find("mha");
    QVERIFY(m);
    QCOMPARE(m->inputs, std::vector<std::string>({"q", "v", "v"}));
    QCOMPARE(m->config.at("use_causal_mask"), json(true));
    const ShapeReport r = inferShapes(a);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors[0].what());
    QCOMPARE(*r.find("mha")->output, Shape({kNone, 4, 6}));

    const json k3 = json::parse(R"({"module": "keras", "class_name": "Functional",
      "config": {"name": "m", "trainable": true, "layers": [
       {"module": "keras.layers", "class_name": "InputLayer", "name": "q",
        "config": {"name": "q", "batch_shape": [null, 4, 6], "dtype": "float32"},
        "registered_name": null, "inbound_nodes": []},
       {"module": "keras.layers", "class_name": "MultiHeadAttention", "name": "mha",
        "config": {"name": "mha", "num_heads": 2, "key_dim": 3}, "registered_name": null,
        "inbound_nodes": [{"args": [], "kwargs": {
          "query": {"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 6],
            "dtype": "float32", "keras_history": ["q", 0, 0]}},
          "value": {"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 6],
            "dtype": "float32", "keras_history": ["q", 0, 0]}}}}]}],
      "input_layers": [["q", 0, 0]], "output_layers": [["mha", 0, 0]]}})");
    const ModelSpec b = ModelSpec::fromKerasJson(k3);
    QCOMPARE(b.find("mha")->inputs, std::vector<std::string>({"q", "q"}));
    QVERIFY(!b.find("mha")->config.contains("use_causal_mask"));
  }

  void pythonExport() {
    const std::string py = pythonScript(sequenceModel(), json::object(), {});
    for (const char* want :
         {"layers.MultiHeadAttention(key_dim=4, num_heads=2, name=\"mha\")(x, x, "
          "use_causal_mask=True)",
          "layers.Attention(use_scale=True, name=\"att\")([mha, x], use_causal_mask=True)",
          "layers.Attention(score_mode=\"concat\", name=\"cat\")([att, x, x])",
          "layers.AdditiveAttention(name=\"add_att\")([cat, x])",
          "layers.Dense(3, activation=\"tanh\", name=\"dense\"), name=\"td\"",
          "out = layers.TimeDistributed(layers.Dense(1, name=\"out_Dense\"), name=\"out\")(rep)",
          "layers.Permute([2, 1], name=\"perm\")(td)", "layers.RepeatVector(2, name=\"rep\")"})
      if (py.find(want) == std::string::npos) {
        qWarning("%s", py.c_str());
        QFAIL(qPrintable(QString("missing %1 in the script above").arg(want)));
      }
  }

  void onnxExport() {
    if (!haveOnnx()) QSKIP("python3-onnx / numpy not installed");
    // Every layer of the family, and a TimeDistributed(Conv2D) / TimeDistributed(Flatten) branch
    // through the generic path.
    ModelSpec spec = makeSpec(
        {inputNode("x", {5, 8}), inputNode("frames", {3, 4, 4, 1}),
         node("mha", "MultiHeadAttention", {"x", "x"},
              {{"num_heads", 2}, {"key_dim", 4}, {"use_causal_mask", true}}),
         node("att", "Attention", {"mha", "x"}, {{"use_scale", true}, {"use_causal_mask", true}}),
         node("cat", "Attention", {"att", "x", "x"},
              {{"score_mode", "concat"}, {"use_scale", true}}),
         node("bahdanau", "AdditiveAttention", {"cat", "x"}, {{"use_causal_mask", true}}),
         node("td", "TimeDistributed", {"bahdanau"}, tdDense(3, "tanh")),
         node("perm", "Permute", {"td"}, {{"dims", {2, 1}}}), node("flat", "Flatten", {"perm"}),
         node("rep", "RepeatVector", {"flat"}, {{"n", 2}}),
         node("out", "TimeDistributed", {"rep"}, tdDense(1)),
         node("conv", "TimeDistributed", {"frames"},
              {{"layer",
                {{"class_name", "Conv2D"},
                 {"config", {{"filters", 2}, {"kernel_size", {2, 2}}, {"activation", "relu"}}}}}}),
         node("tdflat", "TimeDistributed", {"conv"},
              {{"layer", {{"class_name", "Flatten"}, {"config", json::object()}}}})},
        {"x", "frames"}, {"out", "tdflat"});
    spec.name = "attention_onnx";
    Model model(spec, 3);
    Rng rng(4);
    for (auto& [name, var] : model.namedWeights())
      for (Index k = 0; k < var->value.size(); ++k) var->value[k] = 0.4f * rng.normal();
    QTemporaryDir dir;
    NamedWeights weights;
    for (auto& [name, var] : model.namedWeights()) weights.emplace_back(name, var->value);
    const std::string onnxPath = dir.filePath("model.onnx").toStdString();
    writeOnnxModel(onnxPath, spec, weights);
    std::vector<Tensor> xs;
    for (size_t i = 0; i < model.numInputs(); ++i) {
      Tensor t(withBatch(model.inputShape(i), 2));
      for (Index k = 0; k < t.size(); ++k) t[k] = rng.normal();
      writeNpy(dir.filePath(QString("x%1.npy").arg(i)).toStdString(), Array::fromTensor(t));
      xs.push_back(std::move(t));
    }
    std::vector<const Tensor*> ptrs;
    for (const auto& t : xs) ptrs.push_back(&t);
    RunContext ctx;
    model.forward(ptrs, false, ctx);
    for (size_t i = 0; i < model.numOutputs(); ++i)
      writeNpy(dir.filePath(QString("y%1.npy").arg(i)).toStdString(),
               Array::fromTensor(model.output(i)));
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {TESSEL_SOURCE_DIR "/tests/engine/io/onnx_reference.py",
                       QString::fromStdString(onnxPath), dir.path()});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0 && out.startsWith("ok"), qPrintable(out));
    qInfo("attention ONNX: %s", qPrintable(out.trimmed()));

    // MultiHeadAttention over two sequence axes: a clear refusal naming the node.
    ModelSpec grid = makeSpec(
        {inputNode("x", {3, 4, 8}),
         node("mha2d", "MultiHeadAttention", {"x", "x"}, {{"num_heads", 2}, {"key_dim", 2}})},
        {"x"}, {"mha2d"});
    Model gm(grid, 1);
    NamedWeights gw;
    for (auto& [name, var] : gm.namedWeights()) gw.emplace_back(name, var->value);
    try {
      onnxModelBytes(grid, gw);
      QFAIL("a 2-D MultiHeadAttention exported");
    } catch (const std::exception& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("mha2d") != std::string::npos &&
                   msg.find("more than one sequence axis") != std::string::npos,
               msg.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestAttentionExport)
#include "tst_engine_attentionexport.moc"
