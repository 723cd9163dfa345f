// TextVectorization / StringLookup (host-side: ids from the data stage pass through) and
// IntegerLookup (in the graph) as catalog layers; the vocabulary saved in model.json.
// IntegerLookup's expected values are Keras's documented examples
// (https://keras.io/api/layers/preprocessing_layers/categorical/integer_lookup); TF.js 4.22 has
// none of these layers.
#include <QtTest>

#include "engine/data/TextVectorization.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/TextLayers.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

NodeSpec node(const std::string& name, const std::string& cls, json config,
              std::vector<std::string> inputs) {
  config["name"] = name;
  return NodeSpec{name, cls, std::move(config), std::move(inputs), {}};
}

NodeSpec inputNode(const std::string& name, Index width) {
  return node(name, "InputLayer", {{"batch_input_shape", {nullptr, width}}, {"dtype", "float32"}},
              {});
}

json integerVocab() {
  return {{"vocabulary", {12, 36, 1138, 42}}};
}

}  // namespace

class TestTextLayers : public QObject {
  Q_OBJECT
 private slots:
  void catalog() {
    auto& reg = LayerRegistry::instance();
    for (const char* cls : {"TextVectorization", "StringLookup", "IntegerLookup"}) {
      QVERIFY(reg.find(cls));
      QCOMPARE(reg.find(cls)->group, std::string("Preprocessing"));
    }
    const json tv = makeLayer("TextVectorization", json::object())->config();
    QCOMPARE(tv["standardize"], json("lower_and_strip_punctuation"));
    QCOMPARE(tv["split"], json("whitespace"));
    QCOMPARE(tv["output_mode"], json("int"));
    QVERIFY(tv["max_tokens"].is_null() && tv["vocabulary"].is_null());
    QCOMPARE(makeLayer("StringLookup", json::object())->config()["oov_token"], json("[UNK]"));
    QCOMPARE(makeLayer("IntegerLookup", json::object())->config()["oov_token"], json(-1));
    QVERIFY(configRoundTrips("TextVectorization",
                             {{"output_sequence_length", 4}, {"vocabulary", {"a", "b"}}}));
    QVERIFY(configRoundTrips("IntegerLookup", integerVocab()));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("TextVectorization", {{"split", "words"}}, "tv");
        },
        SpecErrorKind::BadValue, "tv", "split"));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("StringLookup", {{"vocabulary", {"a", "a"}}}, "sl");
        },
        SpecErrorKind::BadValue, "sl", "repeated"));
  }

  // Host-side: (None, L) ids pass through; the shape follows output_sequence_length / depth.
  void textVectorizationPassesIds() {
    json c = {{"output_sequence_length", 4}, {"vocabulary", {"earth", "wind", "and", "fire"}}};
    auto layer = makeBuilt("TextVectorization", c, {{kNone, 4}});
    QCOMPARE(layer->outputShape({{kNone, 4}}), (Shape{kNone, 4}));
    // The ids the data stage computes for Keras's example pass through unchanged.
    TextVectorization tv(c);
    std::int64_t width = 0;
    const auto ids = tv.vectorize({"earth wind and fire", "fire and earth michigan"}, width);
    Tensor x({2, 4}, ids);
    QVERIFY(near(runForward(*layer, {x}), {2, 3, 4, 5, 5, 4, 2, 1}));
    // An id outside its vocabulary (6 entries) and rows of the wrong width are named errors.
    Tensor bad({1, 4}, {2, 3, 9, 0});
    QVERIFY(throwsSpec([&] { runForward(*layer, {bad}); }, SpecErrorKind::BadValue, "node",
                       "not in its vocabulary"));
    Tensor strings({1, 1}, {0});
    QVERIFY(throwsSpec([&] { runForward(*layer, {strings}); }, SpecErrorKind::ShapeMismatch, "node",
                       "data stage"));
    auto mh =
        makeLayer("TextVectorization", {{"output_mode", "multi_hot"}, {"vocabulary", {"a", "b"}}});
    QCOMPARE(mh->outputShape({{kNone, 3}}), (Shape{kNone, 3}));  // [UNK], a, b
    auto padded =
        makeLayer("TextVectorization",
                  {{"output_mode", "count"}, {"max_tokens", 50}, {"pad_to_max_tokens", true}});
    QCOMPARE(padded->outputShape({{kNone, 50}}), (Shape{kNone, 50}));
  }

  // Keras docs: IntegerLookup(vocabulary=[12, 36, 1138, 42]) -> [[1, 3, 4], [4, 0, 2]].
  void integerLookupInGraph() {
    auto layer = makeBuilt("IntegerLookup", integerVocab(), {{kNone, 3}});
    Tensor x({2, 3}, {12, 1138, 42, 42, 1000, 36});
    QVERIFY(near(runForward(*layer, {x}), {1, 3, 4, 4, 0, 2}));
    // multi_hot / count on [[12, 1138, 42, 42], [42, 7, 36, 7]]
    Tensor m({2, 4}, {12, 1138, 42, 42, 42, 7, 36, 7});
    json mh = integerVocab();
    mh["output_mode"] = "multi_hot";
    auto multi = makeBuilt("IntegerLookup", mh, {{kNone, 4}});
    QCOMPARE(multi->outputShape({{kNone, 4}}), (Shape{kNone, 5}));
    QVERIFY(near(runForward(*multi, {m}), {0, 1, 0, 1, 1, 1, 0, 1, 0, 1}));
    mh["output_mode"] = "count";
    QVERIFY(near(runForward(*makeBuilt("IntegerLookup", mh, {{kNone, 4}}), {m}),
                 {0, 1, 0, 1, 2, 2, 0, 1, 0, 1}));
    // tf_idf with idf_weights [0.25, 0.75, 0.6, 0.4] -> [[0, .25, 0, .6, .8], [1, 0, .75, 0, .4]]
    mh["output_mode"] = "tf_idf";
    mh["idf_weights"] = {0.25, 0.75, 0.6, 0.4};
    QVERIFY(near(runForward(*makeBuilt("IntegerLookup", mh, {{kNone, 4}}), {m}),
                 {0, 0.25f, 0, 0.6f, 0.8f, 1.0f, 0, 0.75f, 0, 0.4f}));
    // one_hot on a (5, 1) column replaces the axis of 1.
    json oh = integerVocab();
    oh["output_mode"] = "one_hot";
    auto one = makeBuilt("IntegerLookup", oh, {{kNone, 1}});
    QCOMPARE(one->outputShape({{kNone, 1}}), (Shape{kNone, 5}));
    Tensor col({5, 1}, {12, 36, 1138, 42, 7});
    QVERIFY(near(runForward(*one, {col}),
                 {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0}));
    // invert: [[1, 3, 4], [4, 0, 2]] -> [[12, 1138, 42], [42, -1, 36]]
    json inv = integerVocab();
    inv["invert"] = true;
    Tensor ids({2, 3}, {1, 3, 4, 4, 0, 2});
    QVERIFY(near(runForward(*makeBuilt("IntegerLookup", inv, {{kNone, 3}}), {ids}),
                 {12, 1138, 42, 42, -1, 36}));
    // No gradient.
    Tensor dy({2, 3}, 1.0f), dx;
    RunContext ctx;
    layer->backward({&x}, Tensor(), dy, {&dx}, ctx);
    QCOMPARE(dx.flat().cwiseAbs().sum(), 0.0f);
  }

  // Adapt (Keras docs: [[12, 1138, 42], [42, 1000, 36]] -> [-1, 42, 1138, 1000, 36, 12]); the
  // learned vocabulary is written into the layer's config.
  void integerLookupAdapt() {
    auto layer = makeBuilt("IntegerLookup", json::object(), {{kNone, 3}});
    auto* a = dynamic_cast<Adaptable*>(layer.get());
    QVERIFY(a && !a->adapted());
    Tensor x({2, 3}, {12, 1138, 42, 42, 1000, 36});
    QVERIFY(throwsSpec([&] { runForward(*layer, {x}); }, SpecErrorKind::BadValue, "node",
                       "no vocabulary"));
    a->adapt(x);
    QVERIFY(a->adapted());
    QCOMPARE(layer->config()["vocabulary"], json({42, 1138, 1000, 36, 12}));
    QVERIFY(near(runForward(*layer, {x}), {5, 2, 1, 1, 3, 4}));
  }

  // The vocabulary adapted by the data stage goes into the model and survives model.json.
  void vocabularySavedWithModel() {
    ModelSpec spec;
    spec.nodes.push_back(inputNode("text", 3));
    spec.nodes.push_back(
        node("text_vectorization", "TextVectorization", {{"output_sequence_length", 3}}, {"text"}));
    spec.nodes.push_back(node("dense", "Dense", {{"units", 2}}, {"text_vectorization"}));
    spec.inputs = {"text"};
    spec.outputs = {"dense"};
    auto config = textVectorizationConfig(spec);
    QVERIFY(config.has_value());
    TextVectorization tv(*config);  // the data stage vectorizes with the layer's config
    tv.adapt({"the cat", "the dog"});
    QCOMPARE(storeTextVocabulary(spec, tv.config()), std::string("text_vectorization"));
    const json file = spec.toKerasJson();
    ModelSpec back = ModelSpec::fromKerasJson(json::parse(file.dump()));
    TextVectorization again(*textVectorizationConfig(back));
    QCOMPARE(again.vocabulary(), (std::vector<std::string>{"", "[UNK]", "the", "dog", "cat"}));
    std::int64_t w1 = 0, w2 = 0;
    QCOMPARE(again.vectorize({"the dog ran"}, w1), tv.vectorize({"the dog ran"}, w2));
    ShapeReport r = inferShapes(back);
    QVERIFY(r.ok());
    QCOMPARE(*r.find("dense")->output, (Shape{kNone, 2}));
    QVERIFY(!textVectorizationConfig(back, 1).has_value());
  }
};

QTEST_APPLESS_MAIN(TestTextLayers)
#include "tst_engine_layers_textlayers.moc"
