// Keras JSON in both topologies: every bundled example read from its Keras 2 / TF.js model.json,
// written as Keras 3 JSON and read back gives the identical spec, and its weights load into the
// model built from the round-tripped spec and give the same outputs. A hand-written Keras 3 file
// (as Keras 3.x writes it) reads to the same spec as its Keras 2 twin. Unsupported layers are
// listed by name. Keras 3 Sequential form (InputLayer entry first) and compile_config written and
// read back.
#include <QtTest>

#include <cmath>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/LayerSupport.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"

using namespace tessel;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> examplePaths() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(TESSEL_SOURCE_DIR "/resources/examples"))
    if (fs::exists(e.path() / "model.json")) out.push_back((e.path() / "model.json").string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Forward pass of `m` on deterministic inputs, outputs concatenated.
std::vector<float> outputs(Model& m) {
  std::vector<Tensor> xs;
  Rng rng(7);
  for (size_t i = 0; i < m.numInputs(); ++i) {
    Tensor t(withBatch(m.inputShape(i), 2));
    // Small non-negative integers: valid token ids for the text examples' Embedding inputs.
    for (Index k = 0; k < t.size(); ++k) t[k] = std::floor(std::abs(rng.normal()) * 3.0f);
    xs.push_back(std::move(t));
  }
  std::vector<const Tensor*> ptrs;
  for (const auto& t : xs) ptrs.push_back(&t);
  RunContext ctx;
  m.forward(ptrs, false, ctx);
  std::vector<float> out;
  for (size_t i = 0; i < m.numOutputs(); ++i) {
    auto v = m.output(i).toVector();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace

class TestKerasJson : public QObject {
  Q_OBJECT

 private slots:
  void examplesRoundTripThroughKeras3() {
    auto paths = examplePaths();
    QVERIFY(paths.size() >= 5);
    for (const auto& path : paths) {
      ModelFile file = readModelFile(path);
      json k3 = toKeras3Json(file.spec);
      QVERIFY2(isKeras3Json(k3), path.c_str());
      QVERIFY2(!isKeras3Json(file.spec.toKerasJson()), path.c_str());
      // Through text, as a file would go.
      ModelSpec back = ModelSpec::fromKerasJson(json::parse(k3.dump()));
      QVERIFY2(back == file.spec, path.c_str());
      // Keras 2 writer round trip too.
      QVERIFY2(ModelSpec::fromKerasJson(file.spec.toKerasJson()) == file.spec, path.c_str());
      // Weights survive: they load by name into the round-tripped model, bit for bit, and give
      // the same outputs.
      Model a(file.spec, 1), b(back, 2);
      NamedWeights weights = file.weights;
      if (weights.empty())  // an example without weights: the model's initial ones
        for (auto& [name, var] : a.namedWeights()) weights.emplace_back(name, var->value);
      a.loadNamedWeights(weights);
      b.loadNamedWeights(weights);
      auto wa = a.namedWeights(), wb = b.namedWeights();
      QCOMPARE(wa.size(), wb.size());
      QCOMPARE(wa.size(), weights.size());
      for (size_t i = 0; i < wa.size(); ++i) {
        QCOMPARE(wa[i].first, wb[i].first);
        const Tensor &x = wa[i].second->value, &y = wb[i].second->value;
        QVERIFY(x.shape() == y.shape());
        QVERIFY(std::memcmp(x.data(), y.data(), size_t(x.size()) * 4) == 0);
      }
      QVERIFY2(outputs(a) == outputs(b), path.c_str());
    }
  }

  void keras3FormIsWhatKeras3Writes() {
    ModelFile file =
        readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep_multi_input/model.json");
    // TF.js omits "dtype" from layer configs; a Keras 2 file has it.
    file.spec.find("dense")->config["dtype"] = "float32";
    json k3 = toKeras3Json(file.spec);
    QCOMPARE(k3["module"], json("keras"));
    QCOMPARE(k3["class_name"], json("Functional"));
    QCOMPARE(k3["registered_name"], json("Functional"));
    const json& layers = k3["config"]["layers"];
    const json* input = nullptr;
    const json* dense = nullptr;
    const json* concat = nullptr;
    for (const auto& l : layers) {
      QCOMPARE(l["module"], json("keras.layers"));
      QVERIFY(l.contains("registered_name") && l["registered_name"].is_null());
      if (l["name"] == "input_deep") input = &l;
      if (l["name"] == "dense") dense = &l;
      if (l["class_name"] == "Concatenate") concat = &l;
    }
    QVERIFY(input && dense && concat);
    QCOMPARE((*input)["config"]["batch_shape"], json::parse("[null, 6]"));
    QVERIFY(!(*input)["config"].contains("batch_input_shape"));
    QCOMPARE((*dense)["config"]["dtype"]["class_name"], json("DTypePolicy"));
    QCOMPARE((*dense)["config"]["dtype"]["config"]["name"], json("float32"));
    QCOMPARE((*dense)["config"]["kernel_initializer"]["module"], json("keras.initializers"));
    const json& arg = (*dense)["inbound_nodes"][0]["args"][0];
    QCOMPARE(arg["class_name"], json("__keras_tensor__"));
    QCOMPARE(arg["config"]["keras_history"], json::parse(R"(["input_deep", 0, 0])"));
    QCOMPARE(arg["config"]["shape"], json::parse("[null, 6]"));
    QCOMPARE((*dense)["build_config"]["input_shape"], json::parse("[null, 6]"));
    // A merge layer takes one list argument of keras tensors.
    const json& list = (*concat)["inbound_nodes"][0]["args"][0];
    QVERIFY(list.is_array());
    QCOMPARE(list.size(), size_t(2));
    QCOMPARE(list[0]["config"]["keras_history"][0], json("input_wide"));
    QCOMPARE(list[1]["config"]["shape"], json::parse("[null, 30]"));
    json ins = json::array();
    for (const auto& i : file.spec.inputs) ins.push_back(json::array({i, 0, 0}));
    QCOMPARE(k3["config"]["input_layers"], ins);
  }

  void readsKeras3FileAsKeras3Writes() {
    // As Keras 3.x model.to_json() writes a small Sequential-built functional model.
    json k3 = json::parse(R"({"module": "keras", "class_name": "Functional", "config": {
      "name": "functional", "trainable": true, "layers": [
      {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4],
        "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null,
        "name": "input_layer", "inbound_nodes": []},
      {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense",
        "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy",
        "config": {"name": "float32"}, "registered_name": null}, "units": 3,
        "activation": "relu", "use_bias": true, "kernel_initializer": {"module":
        "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null},
        "registered_name": null}, "bias_initializer": {"module": "keras.initializers",
        "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer":
        {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01},
        "registered_name": null}, "bias_regularizer": null, "kernel_constraint": null,
        "bias_constraint": null, "lora_rank": null}, "registered_name": null, "build_config":
        {"input_shape": [null, 4]}, "name": "dense", "inbound_nodes": [{"args": [{"class_name":
        "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history":
        ["input_layer", 0, 0]}}], "kwargs": {}}]}],
      "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense", 0, 0]]},
      "registered_name": "Functional", "build_config": {"input_shape": null}})");
    json k2 = json::parse(R"({"class_name": "Functional", "config": {"name": "functional",
      "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32",
        "sparse": false, "name": "input_layer"}, "name": "input_layer", "inbound_nodes": []},
      {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32",
        "units": 3, "activation": "relu", "use_bias": true, "kernel_initializer": {"class_name":
        "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros",
        "config": {}}, "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}},
        "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
        "name": "dense", "inbound_nodes": [[["input_layer", 0, 0, {}]]]}],
      "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense", 0, 0]]}})");
    QVERIFY(isKeras3Json(k3));
    QVERIFY(!isKeras3Json(k2));
    ModelSpec a = ModelSpec::fromKerasJson(k3), b = ModelSpec::fromKerasJson(k2);
    QVERIFY2(a == b, (a.toKerasJson().dump() + "\n" + b.toKerasJson().dump()).c_str());
    QVERIFY(inferShapes(a).ok());
    // And it writes back to the same Keras 3 layer configs.
    json again = toKeras3Json(a);
    QCOMPARE(again["config"]["layers"][1]["config"]["kernel_regularizer"],
             k3["config"]["layers"][1]["config"]["kernel_regularizer"]);
    QCOMPARE(again["config"]["layers"][1]["config"]["dtype"],
             k3["config"]["layers"][1]["config"]["dtype"]);
    QCOMPARE(again["config"]["layers"][1]["inbound_nodes"],
             k3["config"]["layers"][1]["inbound_nodes"]);
  }

  void keras3CompileConfigBecomesTrainingConfig() {
    // config.json of a .keras archive: the model plus its compile_config.
    json file = toKeras3Json(
        readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json").spec);
    file["compile_config"] = json::parse(R"({"optimizer": {"module": "keras.optimizers",
      "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.002,
      "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null,
      "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null,
      "loss_scale_factor": null, "gradient_accumulation_steps": null, "beta_1": 0.9,
      "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "registered_name": null},
      "loss": {"module": "keras.losses", "class_name": "MeanSquaredError", "config":
      {"name": "mean_squared_error", "reduction": "sum_over_batch_size"}, "registered_name":
      null}, "loss_weights": null, "metrics": ["mae"], "weighted_metrics": null,
      "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false})");
    ModelFile m = parseModelJson(file, ".");
    QCOMPARE(m.trainingConfig["optimizer_config"]["class_name"], json("Adam"));
    QVERIFY(!m.trainingConfig["optimizer_config"].contains("module"));
    QCOMPARE(m.trainingConfig["optimizer_config"]["config"]["learning_rate"], json(0.002));
    QCOMPARE(m.trainingConfig["loss"]["class_name"], json("MeanSquaredError"));
    QVERIFY(!m.trainingConfig["loss"].contains("registered_name"));
    QCOMPARE(m.trainingConfig["metrics"], json::parse(R"(["mae"])"));
    // The engine compiles it: Adam with Keras 3's optimizer keys, a MeanSquaredError object.
    CompileOptions c = CompileOptions::fromTrainingConfig(m.trainingConfig, {"dense_2"});
    QCOMPARE(c.losses.size(), size_t(1));
    QVERIFY(m.spec ==
            readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json").spec);
  }

  // A Keras 3 Sequential as Keras 3.3 `model.to_json()` writes it for
  //   Sequential([Input((8,)), Dense(12, "relu"), Dense(8, "relu"), Dense(1, "sigmoid")])
  // compiled with Adam / binary_crossentropy / ["accuracy"] (keras/src/models/sequential.py
  // get_config: the InputLayer entry first with "batch_shape", no batch_input_shape on the next
  // layer, "build_input_shape"; keras/src/layers/core/input_layer.py get_config; the
  // compile_config of keras/src/trainers/trainer.py compile()). The writer reproduces it exactly.
  void keras3SequentialFormAndCompileConfig() {
    const json denseTemplate = json::parse(R"({"module": "keras.layers", "class_name": "Dense",
      "config": {"name": "?", "trainable": true, "dtype": {"module": "keras",
      "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "units": 0, "activation": "?", "use_bias": true, "kernel_initializer": {"module":
      "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null},
      "registered_name": null}, "bias_initializer": {"module": "keras.initializers",
      "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null,
      "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
      "registered_name": null, "build_config": {"input_shape": [null, 0]}})");
    auto dense = [&](const char* name, int units, const char* act, int in) {
      json d = denseTemplate;
      d["config"]["name"] = name;
      d["config"]["units"] = units;
      d["config"]["activation"] = act;
      d["build_config"]["input_shape"][1] = in;
      return d;
    };
    json k3 = json::parse(R"({"module": "keras", "class_name": "Sequential", "config": {
      "name": "sequential", "trainable": true, "dtype": {"module": "keras", "class_name":
      "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "layers": [
      {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8],
       "dtype": "float32", "sparse": false, "ragged": false, "name": "input_layer"},
       "registered_name": null}], "build_input_shape": [null, 8]}, "registered_name": null,
      "build_config": {"input_shape": [null, 8]}, "compile_config": {"optimizer": {"module":
      "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate":
      0.0010000000474974513, "weight_decay": null, "clipnorm": null, "global_clipnorm": null,
      "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency":
      null, "loss_scale_factor": null, "gradient_accumulation_steps": null, "beta_1": 0.9,
      "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "registered_name": null}, "loss":
      "binary_crossentropy", "loss_weights": null, "metrics": ["accuracy"], "weighted_metrics":
      null, "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}})");
    json& layers = k3["config"]["layers"];
    layers.push_back(dense("dense", 12, "relu", 8));
    layers.push_back(dense("dense_1", 8, "relu", 12));
    layers.push_back(dense("dense_2", 1, "sigmoid", 8));

    QVERIFY(isKeras3Json(k3));
    ModelFile file = parseModelJson(k3, ".");
    const ModelSpec& spec = file.spec;
    QCOMPARE(spec.inputs, std::vector<std::string>{"input_layer"});
    QCOMPARE(spec.outputs, std::vector<std::string>{"dense_2"});
    QCOMPARE(spec.nodes.size(), size_t(4));
    QCOMPARE(spec.find("dense")->inputs, std::vector<std::string>{"input_layer"});
    QCOMPARE(inputLayerShape(*spec.find("input_layer")), (Shape{kNone, 8}));
    QVERIFY(inferShapes(spec).ok());
    QVERIFY(isSequentialStack(spec));
    QCOMPARE(file.trainingConfig["optimizer_config"]["class_name"], json("Adam"));

    // Written back as a Sequential with its compile config: the same JSON, key for key.
    json again = toKeras3Json(spec, {true, file.trainingConfig});
    QVERIFY2(again == k3, again.dump(1).c_str());
    QVERIFY(!again["config"]["layers"][1]["config"].contains("batch_input_shape"));

    // The Keras 2 form of the same model (no InputLayer entry; batch_input_shape on the first
    // layer) reads to the same graph, the implicit input named "<first layer>_input".
    json k2 = json::parse(R"({"class_name": "Sequential", "config": {"name": "sequential",
      "layers": [{"class_name": "Dense", "config": {"name": "dense", "trainable": true,
      "batch_input_shape": [null, 8], "dtype": "float32", "units": 12, "activation": "relu"}},
      {"class_name": "Dense", "config": {"name": "dense_1", "units": 8, "activation": "relu"}},
      {"class_name": "Dense", "config": {"name": "dense_2", "units": 1,
      "activation": "sigmoid"}}]}})");
    ModelSpec old = ModelSpec::fromKerasJson(k2);
    QCOMPARE(old.inputs, std::vector<std::string>{"dense_input"});
    QCOMPARE(inputLayerShape(*old.find("dense_input")), (Shape{kNone, 8}));
    QVERIFY(!old.find("dense")->config.contains("batch_input_shape") ||
            old.find("dense")->config["batch_input_shape"] == json::parse("[null, 8]"));
    json oldK3 = toKeras3Json(old, {true, nullptr});
    QCOMPARE(oldK3["config"]["layers"][0]["class_name"], json("InputLayer"));
    QCOMPARE(oldK3["config"]["layers"][0]["config"]["batch_shape"], json::parse("[null, 8]"));
    QCOMPARE(oldK3["config"]["build_input_shape"], json::parse("[null, 8]"));
    QVERIFY(!oldK3.contains("compile_config"));
    QVERIFY(ModelSpec::fromKerasJson(json::parse(oldK3.dump())) == old);

    // A graph that is not a stack cannot be written as a Sequential.
    ModelSpec wide =
        readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json").spec;
    QVERIFY(!isSequentialStack(wide));
    QString msg = QString::fromStdString(errorOf([&] { toKeras3Json(wide, {true, nullptr}); }));
    QVERIFY2(msg.contains("not a linear stack"), qPrintable(msg));
  }

  // The project's training config -> Keras 3 compile_config -> read back: the engine compiles the
  // same settings (optimizer with a schedule and clipping, loss object, per-output metrics).
  void keras3CompileConfigRoundTrip() {
    ModelFile wide = readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/model.json");
    json tc = CompileOptions::fromTrainingConfig(json::parse(R"({
      "optimizer_config": {"class_name": "Adam", "config": {"clipnorm": 1.5, "beta_1": 0.8,
        "learning_rate": {"class_name": "ExponentialDecay", "config": {
          "initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.5,
          "staircase": true}}}},
      "loss": {"class_name": "Huber", "config": {"delta": 2.0}},
      "metrics": ["mae", {"class_name": "RootMeanSquaredError", "config": {}}],
      "loss_weights": null, "weighted_metrics": null})"),
                                                 wide.spec.outputs)
                  .toTrainingConfig();
    json k3 = toKeras3Json(wide.spec, {false, tc});
    const json& cc = k3["compile_config"];
    QCOMPARE(cc["optimizer"]["module"], json("keras.optimizers"));
    QCOMPARE(cc["optimizer"]["class_name"], json("Adam"));
    QVERIFY(cc["optimizer"].contains("registered_name") &&
            cc["optimizer"]["registered_name"].is_null());
    QVERIFY(!cc["optimizer"]["config"].contains("jit_compile"));
    QVERIFY(!cc["optimizer"]["config"].contains("is_legacy_optimizer"));
    QVERIFY(cc["optimizer"]["config"].contains("gradient_accumulation_steps"));
    QCOMPARE(cc["optimizer"]["config"]["learning_rate"]["module"],
             json("keras.optimizers.schedules"));
    QCOMPARE(cc["optimizer"]["config"]["clipnorm"], json(1.5));
    QCOMPARE(cc["loss"]["module"], json("keras.losses"));
    QCOMPARE(cc["run_eagerly"], json(false));
    QCOMPARE(cc["steps_per_execution"], json(1));
    QCOMPARE(cc["jit_compile"], json(false));
    for (const char* key : {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics"})
      QVERIFY2(cc.contains(key), key);

    // Through text, as config.json / model.json: the same compile settings come back.
    ModelFile back = parseModelJson(json::parse(k3.dump()), ".");
    QVERIFY(back.spec == wide.spec);
    json again = CompileOptions::fromTrainingConfig(back.trainingConfig, back.spec.outputs)
                     .toTrainingConfig();
    QVERIFY2(again == tc, (again.dump() + "\n" + tc.dump()).c_str());
    // And the same again through another write.
    QCOMPARE(toKeras3Json(back.spec, {false, again})["compile_config"], cc);
  }

  void unsupportedLayersAreListedByName() {
    json model = json::parse(R"({"format": "layers-model", "modelTopology": {
      "class_name": "Sequential", "config": {"name": "seq", "layers": [
      {"class_name": "ConvLSTM2D", "config": {"name": "convlstm", "filters": 4,
                                        "batch_input_shape": [null, 5, 3]}},
      {"class_name": "Dense", "config": {"name": "dense", "units": 2}},
      {"class_name": "Conv3D", "config": {"name": "conv3d_1", "filters": 4}}]}}})");
    ModelSpec spec = ModelSpec::fromKerasJson(model);
    auto missing = unsupportedLayers(spec);
    QCOMPARE(missing, (std::vector<std::string>{"'convlstm' (ConvLSTM2D)", "'conv3d_1' (Conv3D)"}));
    QString msg = QString::fromStdString(errorOf([&] { parseModelJson(model, "."); }));
    QVERIFY2(msg.contains("2 layers are not supported") &&
                 msg.contains("'convlstm' (ConvLSTM2D)") && msg.contains("'conv3d_1' (Conv3D)") &&
                 !msg.contains("'dense'"),
             qPrintable(msg));
  }

  // A wrapper without its wrapped layer (found by fuzz_keras_h5: an uncaught json exception) is
  // listed as unsupported with the reason, like any layer Tessel cannot build.
  void wrapperWithoutItsLayerIsListed() {
    json model = json::parse(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "TimeDistributed", "config": {"name": "td", "batch_input_shape": [null, 3, 4]}},
      {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}})");
    const auto missing = unsupportedLayers(ModelSpec::fromKerasJson(model));
    QCOMPARE(missing.size(), size_t(1));
    QVERIFY2(missing[0].find("'td' (TimeDistributed: config has no 'layer'") == 0,
             missing[0].c_str());
  }

  // A Keras 3 call argument `__keras_tensor__` without `config.keras_history` (found by
  // fuzz_keras3_json: an uncaught json exception) is a clear error naming the layer.
  void kerasTensorWithoutHistoryIsAnError() {
    json model = json::parse(R"({"class_name": "Functional", "config": {"name": "m", "layers": [
      {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4], "name": "x"},
       "inbound_nodes": []},
      {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3},
       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                    "config": {"shape": [null, 4], "keras_otshiry": ["x", 0, 0]}}],
                          "kwargs": {}}]}],
      "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}})");
    const QString msg = QString::fromStdString(errorOf([&] { ModelSpec::fromKerasJson(model); }));
    QVERIFY2(msg.contains("layer 'd'") && msg.contains("keras_history"), qPrintable(msg));
    // Nested 40 lists deep: refused, not a deep recursion.
    json deep = json::array(
        {json{{"class_name", "__keras_tensor__"}, {"config", {{"keras_history", {"x", 0, 0}}}}}});
    for (int i = 0; i < 40; ++i) deep = json::array({deep});
    model["config"]["layers"][1]["inbound_nodes"][0]["args"] = deep;
    const QString deepMsg =
        QString::fromStdString(errorOf([&] { ModelSpec::fromKerasJson(model); }));
    QVERIFY2(deepMsg.contains("deeper than 32"), qPrintable(deepMsg));
  }
};

QTEST_APPLESS_MAIN(TestKerasJson)
#include "tst_engine_kerasjson.moc"
