#include <QtTest>
#include <algorithm>

#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"
#include "tests/engine/graph/FakeLayers.h"
#include "tests/engine/graph/GraphFixtures.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;
using namespace tessel::test;

namespace {

using tessel::testutil::errorOf;

NodeSpec node(const std::string& name, const std::string& cls, json config,
              std::vector<std::string> inputs) {
  config["name"] = name;
  return NodeSpec{name, cls, std::move(config), std::move(inputs), {}};
}

}  // namespace

class TestModelSpec : public QObject {
  Q_OBJECT
 private slots:
  void parsesFunctionalWideDeep() {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    QCOMPARE(spec.name, std::string("model"));
    QCOMPARE(spec.nodes.size(), size_t(5));
    QCOMPARE(spec.inputs, std::vector<std::string>{"input_1"});
    QCOMPARE(spec.outputs, std::vector<std::string>{"dense_2"});
    const NodeSpec* concat = spec.find("concatenate");
    QVERIFY(concat);
    QCOMPARE(concat->className, std::string("Concatenate"));
    QCOMPARE(concat->inputs, (std::vector<std::string>{"input_1", "dense_1"}));
    QCOMPARE(spec.find("dense")->config["units"].get<int>(), 30);
    QCOMPARE(spec.find("dense_2")->inputs, std::vector<std::string>{"concatenate"});
    QVERIFY(spec.find("input_1")->inputs.empty());
    QVERIFY(!spec.find("nope"));
  }

  void parsesSequentialWithInputLayer() {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(sequentialJson()));
    QCOMPARE(spec.name, std::string("sequential"));
    QCOMPARE(spec.nodes.size(), size_t(4));
    QCOMPARE(spec.inputs, std::vector<std::string>{"flatten_input"});
    QCOMPARE(spec.outputs, std::vector<std::string>{"dense_1"});
    QCOMPARE(spec.nodes[0].className, std::string("InputLayer"));
    QCOMPARE(spec.nodes[1].inputs, std::vector<std::string>{"flatten_input"});
    QCOMPARE(spec.nodes[3].inputs, std::vector<std::string>{"dense"});
    QCOMPARE(inputLayerShape(spec.nodes[0]), (Shape{kNone, 28, 28}));
  }

  void sequentialWithoutInputLayerGetsKerasInputName() {
    ModelSpec implicit = ModelSpec::fromKerasJson(json::parse(sequentialNoInputJson()));
    QCOMPARE(implicit.name, std::string("sequential_3"));
    QCOMPARE(implicit.inputs, std::vector<std::string>{"flatten_input"});
    const NodeSpec& in = implicit.nodes[0];
    QCOMPARE(in.className, std::string("InputLayer"));
    QCOMPARE(in.config, json::parse(R"({"batch_input_shape": [null, 28, 28], "dtype": "float32",
        "sparse": false, "ragged": false, "name": "flatten_input"})"));
    // Same graph as the Keras 2.4+ form with an explicit InputLayer.
    ModelSpec explicitForm = ModelSpec::fromKerasJson(json::parse(sequentialJson()));
    explicitForm.name = implicit.name;
    QVERIFY(implicit == explicitForm);

    // Old Keras list form ("config" is the layer list).
    json list = json::parse(sequentialNoInputJson());
    list["config"] = json(list["config"]["layers"]);
    ModelSpec fromList = ModelSpec::fromKerasJson(list);
    QCOMPARE(fromList.nodes.size(), size_t(4));
    QCOMPARE(fromList.nodes[0].name, std::string("flatten_input"));
    QCOMPARE(fromList.outputs, std::vector<std::string>{"dense_1"});

    // No input shape anywhere: a clear error.
    json noShape = json::parse(sequentialNoInputJson());
    noShape["config"]["layers"][0]["config"].erase("batch_input_shape");
    QString msg = QString::fromStdString(errorOf([&] { ModelSpec::fromKerasJson(noShape); }));
    QVERIFY2(msg.contains("no input shape") && msg.contains("flatten"), qPrintable(msg));
  }

  void readsTfjsModelJsonWrappers() {
    json topology = json::parse(wideDeepJson());
    ModelSpec direct = ModelSpec::fromKerasJson(topology);
    json modelJson = {{"format", "layers-model"}, {"modelTopology", topology}};
    QVERIFY(ModelSpec::fromKerasJson(modelJson) == direct);
    json converter = {{"format", "layers-model"},
                      {"modelTopology",
                       {{"keras_version", "2.11.0"},
                        {"model_config", topology},
                        {"training_config", {{"loss", "mse"}}}}}};
    QVERIFY(ModelSpec::fromKerasJson(converter) == direct);
    // Keras h5 keeps model_config as a JSON string.
    json asString = {{"model_config", topology.dump()}};
    QVERIFY(ModelSpec::fromKerasJson(asString) == direct);
    json model = topology;
    model["class_name"] = "Model";  // TF.js / Keras < 2.4 class name
    QVERIFY(ModelSpec::fromKerasJson(model) == direct);
  }

  void readsKeras3InboundNodes() {
    json k3 = json::parse(R"({"module": "keras", "class_name": "Functional", "config": {
      "name": "functional", "layers": [
      {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8],
       "dtype": "float32", "sparse": false, "name": "input_layer"}, "name": "input_layer",
       "inbound_nodes": []},
      {"module": "keras.layers", "class_name": "Concatenate", "config": {"name": "concatenate",
       "axis": -1}, "name": "concatenate", "inbound_nodes": [{"args": [[
        {"class_name": "__keras_tensor__", "config": {"shape": [null, 8], "dtype": "float32",
         "keras_history": ["input_layer", 0, 0]}},
        {"class_name": "__keras_tensor__", "config": {"shape": [null, 8], "dtype": "float32",
         "keras_history": ["input_layer", 0, 0]}}]], "kwargs": {}}]}],
      "input_layers": ["input_layer", 0, 0], "output_layers": ["concatenate", 0, 0]}})");
    ModelSpec spec = ModelSpec::fromKerasJson(k3);
    QCOMPARE(spec.inputs, std::vector<std::string>{"input_layer"});
    QCOMPARE(spec.outputs, std::vector<std::string>{"concatenate"});
    QCOMPARE(spec.find("concatenate")->inputs,
             (std::vector<std::string>{"input_layer", "input_layer"}));
    QCOMPARE(inputLayerShape(spec.nodes[0]), (Shape{kNone, 8}));
  }

  void refusesSharedLayersAndBadInput() {
    json shared = json::parse(wideDeepJson());
    shared["config"]["layers"][1]["inbound_nodes"] =
        json::parse(R"([[["input_1", 0, 0, {}]], [["input_1", 0, 0, {}]]])");
    QString msg = QString::fromStdString(errorOf([&] { ModelSpec::fromKerasJson(shared); }));
    QVERIFY2(msg.contains("'dense'") && msg.contains("shared layers are not supported"),
             qPrintable(msg));

    json secondCall = json::parse(wideDeepJson());
    secondCall["config"]["layers"][2]["inbound_nodes"] = json::parse(R"([[["dense", 1, 0, {}]]])");
    msg = QString::fromStdString(errorOf([&] { ModelSpec::fromKerasJson(secondCall); }));
    QVERIFY2(msg.contains("shared layers"), qPrintable(msg));

    QVERIFY(!errorOf([] {
               ModelSpec::fromKerasJson(json::parse(R"({"class_name": "Foo"})"));
             }).empty());
    QVERIFY(!errorOf([] { ModelSpec::fromKerasJson(json::parse("[1, 2]")); }).empty());
    json dup = json::parse(wideDeepJson());
    dup["config"]["layers"][2]["name"] = "dense";
    msg = QString::fromStdString(errorOf([&] { ModelSpec::fromKerasJson(dup); }));
    QVERIFY2(msg.contains("two layers are named 'dense'"), qPrintable(msg));
  }

  void roundTripIsExact() {
    json original = json::parse(wideDeepJson());
    ModelSpec spec = ModelSpec::fromKerasJson(original);
    json ours = spec.toKerasJson();
    QCOMPARE(ours["class_name"].get<std::string>(), std::string("Functional"));
    QCOMPARE(ours["config"]["input_layers"], json::parse(R"([["input_1", 0, 0]])"));
    QCOMPARE(ours["config"]["output_layers"], json::parse(R"([["dense_2", 0, 0]])"));
    // Everything Keras wrote is kept (apart from keras_version/backend at top level).
    QCOMPARE(ours["config"], original["config"]);
    ModelSpec again = ModelSpec::fromKerasJson(ours);
    QVERIFY(again == spec);
    QCOMPARE(again.toKerasJson().dump(), ours.dump());

    ModelSpec seq = ModelSpec::fromKerasJson(json::parse(sequentialNoInputJson()));
    json seqJson = seq.toKerasJson();
    QVERIFY(ModelSpec::fromKerasJson(seqJson) == seq);
    QCOMPARE(ModelSpec::fromKerasJson(seqJson).toKerasJson(), seqJson);
    QCOMPARE(seqJson["config"]["layers"][1]["inbound_nodes"],
             json::parse(R"([[["flatten_input", 0, 0, {}]]])"));

    // A spec built by hand (as the editor does) survives too.
    ModelSpec hand;
    hand.name = "two_heads";
    hand.nodes.push_back(makeInputLayerNode("input_1", {kNone, 4}));
    hand.nodes.push_back(node("dense", "Dense", {{"units", 3}}, {"input_1"}));
    hand.nodes.push_back(node("dense_1", "Dense", {{"units", 2}}, {"input_1"}));
    hand.inputs = {"input_1"};
    hand.outputs = {"dense", "dense_1"};
    QVERIFY(ModelSpec::fromKerasJson(hand.toKerasJson()) == hand);
    ModelSpec other = hand;
    other.nodes[1].config["units"] = 4;
    QVERIFY(!(other == hand));
  }

  void autoNaming() {
    QCOMPARE(ModelSpec::defaultBaseName("Dense"), std::string("dense"));
    QCOMPARE(ModelSpec::defaultBaseName("Conv2D"), std::string("conv2d"));
    QCOMPARE(ModelSpec::defaultBaseName("BatchNormalization"), std::string("batch_normalization"));
    QCOMPARE(ModelSpec::defaultBaseName("GlobalAveragePooling2D"),
             std::string("global_average_pooling2d"));
    QCOMPARE(ModelSpec::defaultBaseName("SeparableConv2D"), std::string("separable_conv2d"));
    QCOMPARE(ModelSpec::defaultBaseName("MaxPooling2D"), std::string("max_pooling2d"));
    QCOMPARE(ModelSpec::defaultBaseName("LSTM"), std::string("lstm"));
    QCOMPARE(ModelSpec::defaultBaseName("ReLU"), std::string("re_lu"));  // as Keras 2 names it
    QCOMPARE(ModelSpec::defaultBaseName("InputLayer"), std::string("input"));

    ModelSpec spec;
    QCOMPARE(spec.uniqueName("input"), std::string("input_1"));
    QCOMPARE(spec.uniqueName("dense"), std::string("dense"));
    spec.nodes.push_back(makeInputLayerNode("input_1", {kNone, 8}));
    spec.nodes.push_back(node("dense", "Dense", {{"units", 3}}, {"input_1"}));
    QCOMPARE(spec.uniqueName("input"), std::string("input_2"));
    QCOMPARE(spec.uniqueName("dense"), std::string("dense_1"));
    spec.nodes.push_back(node("dense_1", "Dense", {{"units", 3}}, {"dense"}));
    QCOMPARE(spec.uniqueName("dense"), std::string("dense_2"));
    spec.nodes.erase(spec.nodes.begin() + 1);  // "dense" is free again
    QCOMPARE(spec.uniqueName("dense"), std::string("dense"));
    QCOMPARE(spec.uniqueName(ModelSpec::defaultBaseName("Conv2D")), std::string("conv2d"));
  }

  void inputLayerShapes() {
    NodeSpec n = makeInputLayerNode("x", {kNone, 28, 28, 1});
    QCOMPARE(n.config["batch_input_shape"], json::parse("[null, 28, 28, 1]"));
    QCOMPARE(inputLayerShape(n), (Shape{kNone, 28, 28, 1}));
    n.config = {{"name", "x"}, {"input_shape", {5}}, {"batch_size", 16}};
    QCOMPARE(inputLayerShape(n), (Shape{16, 5}));
    n.config = {{"name", "x"}};
    try {
      inputLayerShape(n);
      QFAIL("expected an error");
    } catch (const SpecError& e) {
      QCOMPARE(e.kind(), SpecErrorKind::BadValue);
      QCOMPARE(e.node(), std::string("x"));
    }
  }

  void summaryMatchesKeras2() {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(wideDeepJson()));
    // tf.keras 2.11 model.summary() of this model, character for character.
    const std::string expected =
        "Model: \"model\"\n"
        "__________________________________________________________________________________________"
        "________\n"
        " Layer (type)                   Output Shape         Param #     Connected to             "
        "        \n"
        "=========================================================================================="
        "========\n"
        " input_1 (InputLayer)           [(None, 8)]          0           []                       "
        "        \n"
        "                                                                                          "
        "        \n"
        " dense (Dense)                  (None, 30)           270         ['input_1[0][0]']        "
        "        \n"
        "                                                                                          "
        "        \n"
        " dense_1 (Dense)                (None, 30)           930         ['dense[0][0]']          "
        "        \n"
        "                                                                                          "
        "        \n"
        " concatenate (Concatenate)      (None, 38)           0           ['input_1[0][0]',        "
        "        \n"
        "                                                                  'dense_1[0][0]']        "
        "        \n"
        "                                                                                          "
        "        \n"
        " dense_2 (Dense)                (None, 1)            39          ['concatenate[0][0]']    "
        "        \n"
        "                                                                                          "
        "        \n"
        "=========================================================================================="
        "========\n"
        "Total params: 1,239\n"
        "Trainable params: 1,239\n"
        "Non-trainable params: 0\n"
        "__________________________________________________________________________________________"
        "________\n";
    std::string got = summaryTable(spec, fakeRegistry());
    if (got != expected) qWarning("%s", got.c_str());
    QCOMPARE(got, expected);

    // Keras lists layers in graph order: a file (or a canvas) holding them in another order
    // prints the same table.
    ModelSpec shuffled = spec;
    std::reverse(shuffled.nodes.begin(), shuffled.nodes.end());
    QCOMPARE(summaryTable(shuffled, fakeRegistry()), expected);

    // The same with the real layers (engine/layers), once they are registered.
    const auto& real = LayerRegistry::instance();
    if (!real.find("Dense") || !real.find("Concatenate")) QSKIP("real Dense/Concatenate missing");
    got = summaryTable(spec);
    if (got != expected) qWarning("%s", got.c_str());
    QCOMPARE(got, expected);
  }

  void summaryCountsNonTrainableAndThousands() {
    ModelSpec spec;
    spec.name = "big";
    spec.nodes.push_back(makeInputLayerNode("input_1", {kNone, 1000}));
    spec.nodes.push_back(node("dense", "Dense", {{"units", 1000}}, {"input_1"}));
    spec.nodes.push_back(
        node("frozen", "Dense", {{"units", 1000}, {"trainable", false}}, {"dense"}));
    spec.nodes.push_back(node("add", "Add", {{"fake_frozen_param", true}}, {"dense", "frozen"}));
    spec.inputs = {"input_1"};
    spec.outputs = {"add"};
    std::string got = summaryTable(spec, fakeRegistry());
    QVERIFY2(got.find("Total params: 2,002,006\n") != std::string::npos, got.c_str());
    QVERIFY2(got.find("Trainable params: 1,001,000\n") != std::string::npos, got.c_str());
    QVERIFY2(got.find("Non-trainable params: 1,001,006\n") != std::string::npos, got.c_str());
    QVERIFY(got.find(" frozen (Dense)                 (None, 1000)         1001000     "
                     "['dense[0][0]']") != std::string::npos);
    // An invalid graph throws its first error.
    spec.nodes[1].inputs = {"missing"};
    try {
      summaryTable(spec, fakeRegistry());
      QFAIL("expected a SpecError");
    } catch (const SpecError& e) {
      QCOMPARE(e.kind(), SpecErrorKind::UnconnectedInput);
      QCOMPARE(e.node(), std::string("dense"));
    }
  }
};

QTEST_APPLESS_MAIN(TestModelSpec)
#include "tst_engine_modelspec.moc"
