// ONNX import of recurrent layers (engine/io/onnx/ImportRecurrentOps.cpp): ONNX LSTM, GRU and RNN
// nodes back to Keras LSTM / GRU / SimpleRNN / Bidirectional.
// - Round trip of our own exporter (engine/io/onnx/OnnxRecurrentLayers.cpp): export -> import ->
//   the same predictions (1e-5), with go_backwards, return_sequences, return_state, initial
//   states, GRU reset_after true and false, and Bidirectional's merge modes coming back as
//   configs (concat / sum / mul / ave folded from the merge layer; None kept).
// - PyTorch oracle: tests/fixtures/onnx/torch_{lstm,gru_bi,lstm2,rnn,lstm_bi_mul}.onnx written by
//   torch.onnx.export (make_recurrent_fixtures.py, nn.LSTM / nn.GRU / nn.RNN batch_first) import
//   and predict within 1e-5 of PyTorch.
// - Embedding (Cast + Gather from a table) in front of them comes back as Embedding.
// - Refusals name the node: clip, input_forget, peepholes, sequence_lens, a reverse node's Y,
//   activations Keras has no form for.
// Weight mapping checked here through the predictions (written out in ImportRecurrentOps.cpp):
//   ONNX W [dirs, G*U, I] gate order LSTM i,o,f,c / GRU z,r,h -> Keras kernel [I, G*U] gate order
//   LSTM i,f,c,o / GRU z,r,h; bias Wb + Rb (LSTM, SimpleRNN, GRU reset_after=False) or [Wb; Rb]
//   (GRU reset_after=True, linear_before_reset=1).
#include <QtTest>

#include <fstream>
#include <functional>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/OnnxImport.h"
#include "engine/train/Model.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

using tessel::testutil::errorOf;

NodeSpec layer(const std::string& name, const std::string& cls, json cfg,
               std::vector<std::string> inputs, std::vector<int> tensors = {}) {
  NodeSpec n;
  n.name = name;
  n.className = cls;
  cfg["name"] = name;
  n.config = cfg;
  n.inputs = std::move(inputs);
  for (size_t p = 0; p < tensors.size(); ++p) n.setInputTensor(p, tensors[p]);
  return n;
}

json bi(const std::string& cls, json cfg) {
  return {{"class_name", cls}, {"config", cfg}};
}

std::vector<Tensor> predict(Model& m, const std::vector<Tensor>& xs) {
  std::vector<const Tensor*> ptrs;
  for (const auto& t : xs) ptrs.push_back(&t);
  RunContext ctx;
  m.forward(ptrs, false, ctx);
  std::vector<Tensor> out;
  for (size_t i = 0; i < m.numOutputs(); ++i) out.push_back(m.output(i));
  return out;
}

float maxAbsDiff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  float d = 0;
  for (Index i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

Tensor tensorFromJson(const json& j) {
  Shape shape;
  for (const json* p = &j; p->is_array(); p = &(*p)[0]) shape.push_back(Index(p->size()));
  std::vector<float> v;
  std::function<void(const json&)> walk = [&](const json& x) {
    if (x.is_array())
      for (const auto& e : x) walk(e);
    else
      v.push_back(x.get<float>());
  };
  walk(j);
  return Tensor(shape, v);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> classes(const ModelSpec& spec) {
  std::vector<std::string> out;
  for (const auto& n : spec.nodes)
    if (!n.isInput()) out.push_back(n.className);
  return out;
}

// ---- models for the round trip ----

ModelSpec stackedModel() {  // LSTM(seq) -> GRU(reset_after False, go_backwards) -> Dense
  ModelSpec s;
  s.name = "stacked";
  s.nodes = {
      makeInputLayerNode("x", {kNone, 6, 4}),
      layer("lstm", "LSTM", {{"units", 3}, {"return_sequences", true}}, {"x"}),
      layer("gru", "GRU", {{"units", 2}, {"go_backwards", true}, {"reset_after", false}}, {"lstm"}),
      layer("out", "Dense", {{"units", 2}}, {"gru"})};
  s.inputs = {"x"};
  s.outputs = {"out"};
  return s;
}

ModelSpec gruRnnModel() {  // GRU(reset_after) seq -> SimpleRNN go_backwards seq -> LSTM(no bias)
  ModelSpec s;
  s.name = "gru_rnn";
  s.nodes = {makeInputLayerNode("x", {kNone, 5, 3}),
             layer("gru", "GRU", {{"units", 4}, {"return_sequences", true}}, {"x"}),
             layer("srnn", "SimpleRNN",
                   {{"units", 3}, {"go_backwards", true}, {"return_sequences", true}}, {"gru"}),
             layer("lstm", "LSTM", {{"units", 2}, {"use_bias", false}}, {"srnn"})};
  s.inputs = {"x"};
  s.outputs = {"lstm"};
  return s;
}

ModelSpec bidirectionalModel(const std::string& mode, const std::string& cls, bool seq) {
  ModelSpec s;
  s.name = "bi_" + mode;
  json m = mode == "none" ? json(nullptr) : json(mode);
  s.nodes = {
      makeInputLayerNode("x", {kNone, 5, 3}),
      layer("bi", "Bidirectional",
            {{"layer", bi(cls, {{"units", 3}, {"return_sequences", seq}})}, {"merge_mode", m}},
            {"x"})};
  s.inputs = {"x"};
  s.outputs = {"bi"};
  if (mode == "none") {
    s.outputs = {"bi", "bi"};
    s.setOutputTensor(1, 1);
  }
  return s;
}

ModelSpec statesModel() {
  ModelSpec s;
  s.name = "initial_states";
  s.nodes = {makeInputLayerNode("x", {kNone, 4, 3}), makeInputLayerNode("h0", {kNone, 2}),
             makeInputLayerNode("c0", {kNone, 2}),
             layer("lstm", "LSTM", {{"units", 2}, {"return_sequences", true}}, {"x", "h0", "c0"}),
             layer("gru", "GRU", {{"units", 2}}, {"lstm", "h0"})};
  s.inputs = {"x", "h0", "c0"};
  s.outputs = {"gru"};
  return s;
}

// An encoder LSTM(return_state) whose h and c start a decoder; Bidirectional(GRU, return_state,
// merge_mode None) whose outputs and states all feed on.
ModelSpec returnStateModel() {
  ModelSpec s;
  s.name = "return_state";
  s.nodes = {makeInputLayerNode("x", {kNone, 4, 3}),
             makeInputLayerNode("y", {kNone, 3, 3}),
             layer("enc", "LSTM", {{"units", 2}, {"return_state", true}}, {"x"}),
             layer("dec", "LSTM", {{"units", 2}, {"return_sequences", true}}, {"y", "enc", "enc"},
                   {0, 1, 2}),
             layer("bi", "Bidirectional",
                   {{"layer",
                     bi("GRU", {{"units", 2}, {"return_sequences", true}, {"return_state", true}})},
                    {"merge_mode", nullptr}},
                   {"dec"}),
             layer("mul", "Multiply", json::object(), {"bi", "bi"}, {0, 1}),
             layer("gap", "GlobalAveragePooling1D", json::object(), {"mul"}),
             layer("cat", "Concatenate", json::object(), {"gap", "bi", "bi", "enc"}, {0, 2, 3, 0})};
  s.inputs = {"x", "y"};
  s.outputs = {"cat"};
  return s;
}

// A text model: Embedding (Cast + Gather in ONNX) feeding the recurrent layers.
ModelSpec embeddingModel() {
  ModelSpec s;
  s.name = "embedding_rnn";
  s.nodes = {makeInputLayerNode("ids", {kNone, 6}),
             layer("emb", "Embedding", {{"input_dim", 9}, {"output_dim", 4}}, {"ids"}),
             layer("lstm", "LSTM", {{"units", 3}, {"return_sequences", true}}, {"emb"}),
             layer("bi", "Bidirectional", {{"layer", bi("GRU", {{"units", 2}})}}, {"lstm"}),
             layer("out", "Dense", {{"units", 2}}, {"bi"})};
  s.inputs = {"ids"};
  s.outputs = {"out"};
  return s;
}

std::vector<Tensor> randomInputs(Model& m, Index batch, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor> xs;
  for (size_t i = 0; i < m.numInputs(); ++i) {
    Tensor t(withBatch(m.inputShape(i), batch));
    const bool ids = m.inputName(i) == "ids";
    for (Index k = 0; k < t.size(); ++k) t[k] = ids ? float(rng.below(9)) : rng.uniform(-1, 1);
    xs.push_back(std::move(t));
  }
  return xs;
}

struct Exported {
  std::string bytes;
  std::vector<Tensor> inputs, outputs;
};

Exported exportModel(const ModelSpec& spec) {
  Model model(spec, 3);
  Rng rng(8);
  for (auto& [name, var] : model.namedWeights())
    for (Index k = 0; k < var->value.size(); ++k) var->value[k] = 0.4f * rng.normal();
  NamedWeights w;
  for (auto& [name, var] : model.namedWeights()) w.emplace_back(name, var->value);
  Exported e;
  e.bytes = onnxModelBytes(spec, w);
  e.inputs = randomInputs(model, 3, 21);
  e.outputs = predict(model, e.inputs);
  return e;
}

// Max difference between the imported model's outputs and the expected ones.
float importedDiff(const ModelFile& f, const std::vector<Tensor>& xs,
                   const std::vector<Tensor>& want) {
  Model m(f.spec, 0);
  m.loadNamedWeights(f.weights);
  const auto got = predict(m, xs);
  if (got.size() != want.size()) return INFINITY;
  float d = 0;
  for (size_t i = 0; i < got.size(); ++i) d = std::max(d, maxAbsDiff(got[i], want[i]));
  return d;
}

const NodeSpec* byClass(const ModelSpec& s, const std::string& cls, int nth = 0) {
  for (const auto& n : s.nodes)
    if (n.className == cls && nth-- == 0) return &n;
  return nullptr;
}

}  // namespace

class TestOnnxRecurrentImport : public QObject {
  Q_OBJECT

  ModelFile roundTrip(const ModelSpec& spec) {
    const Exported e = exportModel(spec);
    ModelFile f;
    const std::string err = errorOf([&] { f = onnxModelFromBytes(e.bytes, spec.name); });
    if (!err.empty()) {
      QTest::qFail(err.c_str(), __FILE__, __LINE__);
      return f;
    }
    const float d = importedDiff(f, e.inputs, e.outputs);
    qInfo("%s: max |imported - exported| = %.3g", spec.name.c_str(), double(d));
    if (!(d <= 1e-5f))
      QTest::qFail(("max difference " + std::to_string(d)).c_str(), __FILE__, __LINE__);
    return f;
  }

  void torchCase(const QString& name, const std::vector<std::string>& wantClasses,
                 ModelFile* out = nullptr) {
    const std::string base = TESSEL_FIXTURES_DIR "/onnx/" + name.toStdString();
    ModelFile f;
    const std::string err = errorOf([&] { f = readOnnxModel(base + ".onnx"); });
    QVERIFY2(err.empty(), err.c_str());
    std::ifstream in(base + ".json");
    QVERIFY(in.good());
    json j = json::parse(in);
    std::vector<Tensor> want;
    for (const auto& o : j["outputs"]) want.push_back(tensorFromJson(o));
    QCOMPARE(classes(f.spec), wantClasses);
    const float d = importedDiff(f, {tensorFromJson(j["input"])}, want);
    qInfo("%s: max |Tessel - PyTorch| = %.3g", qPrintable(name), double(d));
    QVERIFY2(d <= 1e-5f, std::to_string(d).c_str());
    if (out) *out = f;
  }

 private slots:
  void roundTripStacked() {
    ModelFile f = roundTrip(stackedModel());
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"LSTM", "GRU", "Dense"}));
    const NodeSpec* gru = byClass(f.spec, "GRU");
    QCOMPARE(gru->config["reset_after"], json(false));
    QCOMPARE(gru->config["go_backwards"], json(true));
    QCOMPARE(gru->config["return_sequences"], json(false));
    QCOMPARE(byClass(f.spec, "LSTM")->config["return_sequences"], json(true));
    QCOMPARE(byClass(f.spec, "LSTM")->name, std::string("lstm"));
  }

  void roundTripGruRnn() {
    ModelFile f = roundTrip(gruRnnModel());
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"GRU", "SimpleRNN", "LSTM"}));
    QCOMPARE(byClass(f.spec, "GRU")->config["reset_after"], json(true));
    QCOMPARE(byClass(f.spec, "SimpleRNN")->config["go_backwards"], json(true));
    // use_bias=False comes back as use_bias=True with a zero bias: the exporter writes B of
    // zeros, and an imported layer keeps a bias to train.
  }

  void roundTripBidirectional_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("cls");
    QTest::addColumn<bool>("seq");
    for (const char* mode : {"concat", "sum", "mul", "ave", "none"})
      for (const char* cls : {"LSTM", "GRU", "SimpleRNN"})
        for (bool seq : {true, false})
          QTest::newRow((std::string(mode) + "_" + cls + (seq ? "_seq" : "_last")).c_str())
              << QString(mode) << QString(cls) << seq;
  }
  void roundTripBidirectional() {
    QFETCH(QString, mode);
    QFETCH(QString, cls);
    QFETCH(bool, seq);
    ModelFile f = roundTrip(bidirectionalModel(mode.toStdString(), cls.toStdString(), seq));
    // The merge layer folds back into the Bidirectional's merge_mode.
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"Bidirectional"}));
    const NodeSpec* b = byClass(f.spec, "Bidirectional");
    QCOMPARE(b->config["merge_mode"], mode == "none" ? json(nullptr) : json(mode.toStdString()));
    QCOMPARE(b->config["layer"]["class_name"], json(cls.toStdString()));
    QCOMPARE(b->config["layer"]["config"]["return_sequences"], json(seq));
  }

  void roundTripInitialStates() {
    ModelFile f = roundTrip(statesModel());
    const NodeSpec* lstm = byClass(f.spec, "LSTM");
    QCOMPARE(lstm->inputs, (std::vector<std::string>{"x", "h0", "c0"}));
    QCOMPARE(byClass(f.spec, "GRU")->inputs.size(), size_t(2));
  }

  void roundTripReturnState() {
    ModelFile f = roundTrip(returnStateModel());
    const NodeSpec* enc = byClass(f.spec, "LSTM");
    QCOMPARE(enc->config["return_state"], json(true));
    // The encoder's h is its output 0 as well (return_sequences=False): the decoder may read
    // either; c is output 2.
    const NodeSpec* dec = byClass(f.spec, "LSTM", 1);
    QCOMPARE(dec->inputs, (std::vector<std::string>{"y", "enc", "enc"}));
    QCOMPARE(dec->inputTensor(2), 2);
    // Multiply of the two directions, read nowhere else, folds into merge_mode "mul"; the
    // states then are outputs 1 and 2.
    const NodeSpec* b = byClass(f.spec, "Bidirectional");
    QCOMPARE(b->config["merge_mode"], json("mul"));
    QCOMPARE(b->config["layer"]["config"]["return_state"], json(true));
    const NodeSpec* cat = f.spec.find("cat");
    QVERIFY(cat);
    QCOMPARE(cat->inputTensor(1), 1);
    QCOMPARE(cat->inputTensor(2), 2);
  }

  void roundTripEmbedding() {
    ModelFile f = roundTrip(embeddingModel());
    QCOMPARE(classes(f.spec),
             (std::vector<std::string>{"Embedding", "LSTM", "Bidirectional", "Dense"}));
    const NodeSpec* e = byClass(f.spec, "Embedding");
    QCOMPARE(e->config["input_dim"], json(9));
    QCOMPARE(e->config["output_dim"], json(4));
    QCOMPARE(byClass(f.spec, "Bidirectional")->config["merge_mode"], json("concat"));
  }

  // Activations written out (the defaults, and relu which Keras has) import; others are refused
  // (lstm_acts_*.onnx: torch_lstm.onnx with the attribute added, make_recurrent_fixtures.py).
  void activationsAttribute() {
    const std::string dir = TESSEL_FIXTURES_DIR "/onnx/";
    std::ifstream in(dir + "torch_lstm.json");
    json j = json::parse(in);
    const std::vector<Tensor> want = {tensorFromJson(j["outputs"][0]),
                                      tensorFromJson(j["outputs"][1])};
    const Tensor x = tensorFromJson(j["input"]);
    ModelFile f = readOnnxModel(dir + "lstm_acts_default.onnx");
    QVERIFY(importedDiff(f, {x}, want) <= 1e-5f);
    f = readOnnxModel(dir + "lstm_acts_relu.onnx");
    QCOMPARE(byClass(f.spec, "LSTM")->config["activation"], json("relu"));
    QCOMPARE(byClass(f.spec, "LSTM")->config["recurrent_activation"], json("sigmoid"));
    QVERIFY(importedDiff(f, {x}, want) > 1e-3f);  // a different function now
  }

  void refusals_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("clip") << "clip"
                          << "clip (cell clipping) has no Keras form";
    QTest::newRow("input_forget") << "input_forget"
                                  << "input_forget";
    QTest::newRow("peepholes") << "peepholes"
                               << "peepholes (input P)";
    QTest::newRow("sequence_lens") << "sequence_lens"
                                   << "sequence_lens";
    QTest::newRow("reverse Y") << "reverse"
                               << "direction reverse with Y read";
    QTest::newRow("layout 1") << "layout"
                              << "layout=1";
    QTest::newRow("hard sigmoid") << "hardsigmoid"
                                  << "activation HardSigmoid";
  }
  void refusals() {
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::string path = TESSEL_FIXTURES_DIR "/onnx/lstm_bad_" + file.toStdString() + ".onnx";
    const std::string err = errorOf([&] { readOnnxModel(path); });
    QVERIFY2(err.find("node '/lstm/LSTM' (LSTM)") != std::string::npos, err.c_str());
    QVERIFY2(err.find(message.toStdString()) != std::string::npos, err.c_str());
  }

  // A recurrent output read raw (its num_directions axis still there) is a clear error.
  void rawStateOutputRefused() {
    const std::string err =
        errorOf([] { readOnnxModel(TESSEL_FIXTURES_DIR "/onnx/lstm_bad_raw_state.onnx"); });
    QVERIFY2(err.find("num_directions") != std::string::npos, err.c_str());
    QVERIFY2(err.find("graph output") != std::string::npos, err.c_str());
  }

  // Initial states of anything but zeros (no Keras form as constants) are listed with the other
  // unsupported operators before anything is imported.
  void nonZeroStateListed() {
    const std::string err =
        errorOf([] { readOnnxModel(TESSEL_FIXTURES_DIR "/onnx/lstm_bad_ones_state.onnx"); });
    QVERIFY2(err.find("1 ONNX node is not supported: 'ConstantOfShape'") != std::string::npos,
             err.c_str());
  }

  // ---- PyTorch (python3-torch 1.13, torch.onnx.export, batch_first) ----
  void torchLstm() {
    ModelFile f;
    torchCase("torch_lstm", {"LSTM", "Dense"}, &f);
    QCOMPARE(byClass(f.spec, "LSTM")->config["return_state"], json(true));
  }
  void torchGruBidirectional() {
    ModelFile f;
    torchCase("torch_gru_bi", {"Bidirectional", "Concatenate"}, &f);
    const NodeSpec* b = byClass(f.spec, "Bidirectional");
    QCOMPARE(b->config["merge_mode"], json("concat"));
    QCOMPARE(b->config["layer"]["config"]["reset_after"], json(true));
  }
  void torchLstmTwoLayers() { torchCase("torch_lstm2", {"LSTM", "LSTM"}); }
  void torchRnn() { torchCase("torch_rnn", {"SimpleRNN"}); }
  void torchLstmBidirectionalMul() {
    ModelFile f;
    torchCase("torch_lstm_bi_mul", {"Bidirectional"}, &f);
    QCOMPARE(byClass(f.spec, "Bidirectional")->config["merge_mode"], json("mul"));
  }

  // The fuzz seed for fuzz_onnx_import is a PyTorch LSTM model that imports.
  void fuzzSeedImports() {
    const std::string bytes =
        readFile(TESSEL_SOURCE_DIR "/tests/fuzz/corpus/fuzz_onnx_import/torch_lstm.onnx");
    QVERIFY(!bytes.empty());
    ModelFile f = onnxModelFromBytes(bytes);
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"LSTM", "Dense"}));
  }
};

QTEST_APPLESS_MAIN(TestOnnxRecurrentImport)
#include "tst_engine_io_onnxrecurrentimport.moc"
