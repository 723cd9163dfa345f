// A text model (Embedding(mask_zero) -> Bidirectional(LSTM) -> GRU -> Dense, initial states
// included) through the model files: Keras 2 / TF.js model.json and Keras 3 JSON (the wrapped
// layer as a nested {"module", "class_name", "config", "registered_name"} object) read back to
// the same spec and the same outputs; a Keras 3 RNN's "seed": null is read; the Python export
// writes the wrapped layer as its own constructor call.
#include <QtTest>

#include "engine/io/Keras3Json.h"
#include "engine/io/PythonExport.h"
#include "engine/train/Model.h"

using namespace tessel;

namespace {

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

ModelSpec textModel() {
  ModelSpec s;
  s.name = "text";
  s.nodes = {makeInputLayerNode("ids", {kNone, 7}),
             makeInputLayerNode("h0", {kNone, 3}),
             layer("emb", "Embedding", {{"input_dim", 20}, {"output_dim", 4}, {"mask_zero", true}},
                   {"ids"}),
             layer("bi", "Bidirectional",
                   {{"layer",
                     {{"class_name", "LSTM"},
                      {"config", {{"name", "lstm"}, {"units", 2}, {"return_sequences", true}}}}},
                    {"merge_mode", "concat"}},
                   {"emb"}),
             layer("gru", "GRU", {{"units", 3}, {"reset_after", false}}, {"bi", "h0"}),
             layer("out", "Dense", {{"units", 2}, {"activation", "softmax"}}, {"gru"})};
  s.inputs = {"ids", "h0"};
  s.outputs = {"out"};
  return s;
}

std::vector<float> run(const ModelSpec& spec) {
  Model m(spec, 4);
  Tensor ids({2, 7}, std::vector<float>{3, 5, 1, 0, 0, 0, 0, 9, 8, 7, 6, 5, 4, 0});
  Tensor h0({2, 3}, std::vector<float>{0.1f, -0.2f, 0.3f, 0.0f, 0.5f, -0.5f});
  RunContext ctx;
  m.forward({&ids, &h0}, false, ctx);
  return m.output(0).toVector();
}

}  // namespace

class TestRecurrentJson : public QObject {
  Q_OBJECT

 private slots:
  void keras2RoundTrip() {
    const ModelSpec spec = textModel();
    const ModelSpec back = ModelSpec::fromKerasJson(json::parse(spec.toKerasJson().dump()));
    QVERIFY(back == spec);
    QCOMPARE(run(back), run(spec));
  }

  void keras3RoundTrip() {
    const ModelSpec spec = textModel();
    const json k3 = toKeras3Json(spec);
    QVERIFY(isKeras3Json(k3));
    // The wrapped layer is a nested Keras 3 object.
    const std::string text = k3.dump();
    json bi;
    for (const json& l : k3.at("config").at("layers"))
      if (l.value("name", "") == "bi" || l.at("config").value("name", "") == "bi") bi = l;
    QVERIFY2(!bi.is_null(), text.c_str());
    const json& inner = bi.at("config").at("layer");
    QCOMPARE(inner.at("module").get<std::string>(), std::string("keras.layers"));
    QCOMPARE(inner.at("class_name").get<std::string>(), std::string("LSTM"));
    QVERIFY(inner.contains("registered_name"));
    // Keras 2 keys Keras 3 does not take are left out at their defaults.
    json full = textModel().toKerasJson();
    for (json& l : full["config"]["layers"])
      if (l["class_name"] == "GRU")
        l["config"]["time_major"] = false, l["config"]["implementation"] = 2;
    const json k3full = toKeras3Json(ModelSpec::fromKerasJson(full));
    for (const json& l : k3full.at("config").at("layers"))
      if (l.at("class_name") == "GRU")
        QVERIFY(!l.at("config").contains("time_major") &&
                !l.at("config").contains("implementation"));
    const ModelSpec back = ModelSpec::fromKerasJson(json::parse(text));
    QVERIFY2(back == spec, back.toKerasJson().dump().c_str());
    QCOMPARE(run(back), run(spec));
  }

  void keras3SeedIsRead() {
    json k3 = toKeras3Json(textModel());
    for (json& l : k3["config"]["layers"])
      if (l["class_name"] == "GRU") l["config"]["seed"] = nullptr;
    const ModelSpec back = ModelSpec::fromKerasJson(k3);
    QVERIFY(inferShapes(back).ok());
    QVERIFY(back == textModel());
  }

  void pythonExportWritesTheWrappedLayer() {
    const std::string py = pythonScript(textModel(), json{{"loss", "categorical_crossentropy"}},
                                        PythonExportOptions{});
    QVERIFY2(py.find("layers.Bidirectional(layers.LSTM(2, return_sequences=True, name=\"lstm\")") !=
                 std::string::npos,
             py.c_str());
    QVERIFY2(py.find("layers.Embedding(20, 4, mask_zero=True") != std::string::npos, py.c_str());
    QVERIFY2(py.find("layers.GRU(3, reset_after=False") != std::string::npos, py.c_str());
  }
};

QTEST_APPLESS_MAIN(TestRecurrentJson)
#include "tst_engine_io_recurrentjson.moc"
