// Nodes with several outputs: LSTM / GRU / SimpleRNN return_state ([output, h(, c)]), read by
// tensor index (Keras inbound_nodes [layer, node_index, tensor_index]). Shape inference per
// output, the executor's forward and backward with gradients flowing into any output (finite
// differences through h and c), model JSON round trips in the Keras 2 and Keras 3 forms, and a
// seq2seq encoder-decoder whose decoder starts from the encoder's h and c, trained end to end.
#include <QtTest>
#include <cmath>

#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/PythonExport.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

using namespace tessel;

namespace {

NodeSpec node(const std::string& name, const std::string& cls, json cfg,
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

// x (None, T, F) -> enc LSTM(return_state) ; decoder input y (None, T, F) -> dec LSTM with
// initial state [enc[0][1], enc[0][2]] -> Dense(V).
ModelSpec seq2seq(Index T, Index F, Index U, Index V, const std::string& cell = "LSTM") {
  ModelSpec spec;
  const bool lstm = cell == "LSTM";
  std::vector<std::string> decIn{"dec_in", "enc", "enc"};
  std::vector<int> decT{0, 1, 2};
  if (!lstm) decIn.pop_back(), decT.pop_back();
  spec.nodes = {makeInputLayerNode("enc_in", {kNone, T, F}),
                makeInputLayerNode("dec_in", {kNone, T, F}),
                node("enc", cell, {{"units", U}, {"return_state", true}}, {"enc_in"}),
                node("dec", cell, {{"units", U}, {"return_sequences", true}}, decIn, decT),
                node("out", "Dense", {{"units", V}, {"activation", "softmax"}}, {"dec"})};
  spec.inputs = {"enc_in", "dec_in"};
  spec.outputs = {"out"};
  return spec;
}

Tensor randomTensor(const Shape& s, Rng& rng, float lo = -1, float hi = 1) {
  Tensor t(s);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// L = sum_k <w_k, output_k>: analytic gradients of every trainable weight against central
// differences (float32: eps 1e-2, tolerance relative to the largest gradient).
void checkGradients(Model& model, const std::vector<const Tensor*>& x,
                    const std::vector<Tensor>& w) {
  RunContext ctx;
  auto loss = [&]() {
    RunContext c;
    model.forward(x, false, c);
    double l = 0;
    for (size_t k = 0; k < w.size(); ++k)
      for (Index i = 0; i < w[k].size(); ++i) l += double(w[k][i]) * model.output(k)[i];
    return l;
  };
  model.forward(x, false, ctx);
  std::vector<const Tensor*> dOut;
  for (const Tensor& t : w) dOut.push_back(&t);
  model.backward(dOut, ctx);
  std::vector<Tensor> analytic;
  for (Variable* v : model.trainableWeights()) analytic.push_back(v->grad);
  size_t vi = 0;
  double worst = 0, scale = 1e-3;
  for (const Tensor& a : analytic)
    for (Index i = 0; i < a.size(); ++i) scale = std::max(scale, double(std::abs(a[i])));
  for (Variable* v : model.trainableWeights()) {
    const Tensor& a = analytic[vi++];
    const Index step = std::max<Index>(1, v->value.size() / 23);
    for (Index i = 0; i < v->value.size(); i += step) {
      const float keep = v->value[i];
      const float eps = 1e-2f;
      v->value[i] = keep + eps;
      const double up = loss();
      v->value[i] = keep - eps;
      const double down = loss();
      v->value[i] = keep;
      const double numeric = (up - down) / (2.0 * eps);
      worst = std::max(worst, std::abs(numeric - a[i]) / scale);
    }
  }
  QVERIFY2(worst < 2e-2, qPrintable(QString("worst relative gradient error %1").arg(worst)));
}

}  // namespace

class TestMultiOutput : public QObject {
  Q_OBJECT

 private slots:
  void outputNamesAndShapes() {
    ModelSpec spec = seq2seq(5, 3, 4, 6);
    QCOMPARE(nodeOutputNames(*spec.find("enc")), (std::vector<std::string>{"output", "h", "c"}));
    QCOMPARE(nodeOutputNames(*spec.find("dec")), (std::vector<std::string>{"output"}));
    const ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors.front().what());
    const NodeShapes* enc = r.find("enc");
    QCOMPARE(enc->outputCount(), size_t(3));
    QCOMPARE(enc->outputs[0], (Shape{kNone, 4}));
    QCOMPARE(*enc->outputAt(2), (Shape{kNone, 4}));
    const NodeShapes* dec = r.find("dec");
    QCOMPARE(dec->inputs.size(), size_t(3));
    QCOMPARE(dec->inputs[1], (Shape{kNone, 4}));
    QCOMPARE(*dec->output, (Shape{kNone, 5, 4}));
    QVERIFY(dec->outputs.empty());

    ModelSpec gru = seq2seq(5, 3, 4, 6, "GRU");
    QCOMPARE(nodeOutputNames(*gru.find("enc")), (std::vector<std::string>{"output", "h"}));
    QVERIFY(inferShapes(gru).ok());
    ModelSpec rnn = seq2seq(5, 3, 4, 6, "SimpleRNN");
    QCOMPARE(inferShapes(rnn).find("enc")->outputCount(), size_t(2));

    // Reading an output the producer does not have: a clear error on the consumer.
    spec.find("dec")->setInputTensor(2, 3);
    const ShapeReport bad = inferShapes(spec);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.errors.front().node(), std::string("dec"));
    QVERIFY(bad.errors.front().detail().find("output 3 of 'enc'") != std::string::npos);

    // A model output reading the encoder's c.
    ModelSpec two = seq2seq(5, 3, 4, 6);
    two.outputs = {"out", "enc"};
    two.setOutputTensor(1, 2);
    QVERIFY(inferShapes(two).ok());
    two.setOutputTensor(1, 7);
    QVERIFY(!inferShapes(two).ok());

    // Summary lists the outputs and the tensor each input reads.
    const std::string table = summaryTable(seq2seq(5, 3, 4, 6));
    // (Keras wraps a list one item per line: "[(None, 4)," then "(None, 4),", "(None, 4)]".)
    QVERIFY2(table.find("[(None, 4),") != std::string::npos, table.c_str());
    QVERIFY2(table.find(" (None, 4)]") != std::string::npos, table.c_str());
    QVERIFY(table.find("'enc[0][2]'") != std::string::npos);
  }

  void nodeSpecInputHelpers() {
    NodeSpec n = node("d", "Add", {}, {"a", "b", "c"}, {0, 2, 1});
    QCOMPARE(n.inputTensors, (std::vector<int>{0, 2, 1}));
    n.eraseInput(2);
    QCOMPARE(n.inputs, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(n.inputTensors, (std::vector<int>{0, 2}));
    n.insertInput(0, "z", 0);
    QCOMPARE(n.inputTensor(2), 2);
    n.eraseInput(2);
    QVERIFY(n.inputTensors.empty());  // trailing zeros are trimmed
  }

  void kerasJsonRoundTrip() {
    ModelSpec spec = seq2seq(5, 3, 4, 6);
    spec.outputs = {"out", "enc"};
    spec.setOutputTensor(1, 1);
    const json j = spec.toKerasJson();
    const json& layers = j["config"]["layers"];
    json decInbound;
    for (const auto& l : layers)
      if (l["name"] == "dec") decInbound = l["inbound_nodes"][0];
    QCOMPARE(decInbound.size(), size_t(3));
    QCOMPARE(decInbound[1][0].get<std::string>(), std::string("enc"));
    QCOMPARE(decInbound[1][2].get<int>(), 1);
    QCOMPARE(decInbound[2][2].get<int>(), 2);
    QCOMPARE(j["config"]["output_layers"][1], json::array({"enc", 0, 1}));
    const ModelSpec back = ModelSpec::fromKerasJson(j);
    QVERIFY(back == spec);
    QCOMPARE(back.find("dec")->inputTensor(2), 2);
    QCOMPARE(back.outputTensor(1), 1);
    // A different tensor index is a different model.
    ModelSpec other = spec;
    other.find("dec")->setInputTensor(1, 2);
    QVERIFY(!(other == spec));

    // Keras 3: keras_history [layer, node, tensor] in args, initial states as the
    // initial_state keyword of the call, and back.
    const json k3 = toKeras3Json(spec);
    json decNode;
    for (const auto& l : k3["config"]["layers"])
      if (l["name"] == "dec") decNode = l["inbound_nodes"][0];
    QCOMPARE(decNode["args"].size(), size_t(1));
    const json& states = decNode["kwargs"]["initial_state"];
    QCOMPARE(states.size(), size_t(2));
    QCOMPARE(states[1]["config"]["keras_history"], json::array({"enc", 0, 2}));
    QCOMPARE(k3["config"]["output_layers"][1], json::array({"enc", 0, 1}));
    const ModelSpec back3 = ModelSpec::fromKerasJson(k3);
    QVERIFY(back3 == spec);
  }

  void pythonExportIndexesTheOutputs() {
    // enc = layers.LSTM(..., return_state=True)(enc_in) is a list: readers index it, the decoder
    // gets its states as initial_state=[...], a model output reading c is enc[2].
    ModelSpec spec = seq2seq(5, 3, 4, 6);
    spec.outputs = {"out", "enc"};
    spec.setOutputTensor(1, 2);
    const std::string py = pythonScript(spec, json(), PythonExportOptions{});
    QVERIFY2(py.find("return_state=True") != std::string::npos, py.c_str());
    QVERIFY2(py.find("(dec_in, initial_state=[enc[1], enc[2]])") != std::string::npos, py.c_str());
    QVERIFY2(py.find("outputs=[out, enc[2]]") != std::string::npos, py.c_str());
  }

  void kerasJsonAsTfKerasWritesIt() {
    // What tf.keras 2.x model.to_json() writes for encoder_lstm(return_state) feeding a decoder's
    // initial_state: the states are extra inbound entries with tensor_index 1 and 2.
    const json j = json::parse(R"({"class_name": "Functional", "config": {"name": "s2s",
      "layers": [
       {"class_name": "InputLayer", "name": "a", "inbound_nodes": [],
        "config": {"batch_input_shape": [null, 4, 2], "dtype": "float32", "name": "a"}},
       {"class_name": "InputLayer", "name": "b", "inbound_nodes": [],
        "config": {"batch_input_shape": [null, 3, 2], "dtype": "float32", "name": "b"}},
       {"class_name": "LSTM", "name": "e", "inbound_nodes": [[["a", 0, 0, {}]]],
        "config": {"name": "e", "units": 5, "return_state": true}},
       {"class_name": "LSTM", "name": "d",
        "inbound_nodes": [[["b", 0, 0, {}], ["e", 0, 1, {}], ["e", 0, 2, {}]]],
        "config": {"name": "d", "units": 5, "return_sequences": true}}],
      "input_layers": [["a", 0, 0], ["b", 0, 0]],
      "output_layers": [["d", 0, 0], ["e", 0, 2]]}})");
    const ModelSpec spec = ModelSpec::fromKerasJson(j);
    QCOMPARE(spec.find("d")->inputs, (std::vector<std::string>{"b", "e", "e"}));
    QCOMPARE(spec.find("d")->inputTensors, (std::vector<int>{0, 1, 2}));
    QCOMPARE(spec.outputTensor(1), 2);
    const ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors.front().what());
    Model model(spec, 1);
    QCOMPARE(model.outputShape(1), (Shape{kNone, 5}));
  }

  void statesMatchTheSequence() {
    // LSTM(return_sequences, return_state): h is the last step of the output, and a model whose
    // outputs are [output, h, c] gives the three.
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("x", {kNone, 6, 3}),
                  node("l", "LSTM",
                       {{"units", 4}, {"return_sequences", true}, {"return_state", true}}, {"x"})};
    spec.inputs = {"x"};
    spec.outputs = {"l", "l", "l"};
    spec.setOutputTensor(1, 1);
    spec.setOutputTensor(2, 2);
    Model model(spec, 3);
    Rng rng(1);
    Tensor x = randomTensor({2, 6, 3}, rng);
    RunContext ctx;
    model.forward({&x}, false, ctx);
    const Tensor& y = model.output(0);
    const Tensor& h = model.output(1);
    const Tensor& c = model.output(2);
    QCOMPARE(y.shape(), (Shape{2, 6, 4}));
    QCOMPARE(h.shape(), (Shape{2, 4}));
    QCOMPARE(c.shape(), (Shape{2, 4}));
    for (Index b = 0; b < 2; ++b)
      for (Index j = 0; j < 4; ++j) QCOMPARE(h[b * 4 + j], y[(b * 6 + 5) * 4 + j]);
    // h = o * tanh(c) with o in (0, 1): |h| < |tanh(c)|.
    for (Index i = 0; i < h.size(); ++i)
      QVERIFY(std::abs(h[i]) <= std::abs(std::tanh(c[i])) + 1e-6);
    QVERIFY(model.activationOf("l", 2) == &c);
    QVERIFY(model.activationOf("l", 3) == nullptr);
  }

  void maskedStatesStopAtTheLastRealStep() {
    // Embedding(mask_zero) -> GRU(return_state): the padded tail leaves h as it was.
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("ids", {kNone, 5}),
                  node("emb", "Embedding",
                       {{"input_dim", 7}, {"output_dim", 3}, {"mask_zero", true}}, {"ids"}),
                  node("g", "GRU", {{"units", 4}, {"return_state", true}}, {"emb"})};
    spec.inputs = {"ids"};
    spec.outputs = {"g", "g"};
    spec.setOutputTensor(1, 1);
    QVERIFY(inferShapes(spec).find("g")->masked == false);
    Model model(spec, 5);
    Tensor padded({1, 5}, {3, 1, 4, 0, 0});
    Tensor cut({1, 3}, {3, 1, 4});
    RunContext ctx;
    model.forward({&padded}, false, ctx);
    const std::vector<float> h(model.output(1).data(), model.output(1).data() + 4);
    ModelSpec shortSpec = spec;
    shortSpec.nodes[0] = makeInputLayerNode("ids", {kNone, 3});
    Model shortModel(shortSpec, 5);
    shortModel.setWeights(model.getWeights());
    shortModel.forward({&cut}, false, ctx);
    for (int j = 0; j < 4; ++j) QVERIFY(std::abs(h[size_t(j)] - shortModel.output(1)[j]) < 1e-6);
  }

  void gradientsThroughStates_data() {
    QTest::addColumn<QString>("cell");
    QTest::addColumn<bool>("masked");
    QTest::newRow("LSTM") << "LSTM" << false;
    QTest::newRow("GRU") << "GRU" << false;
    QTest::newRow("SimpleRNN") << "SimpleRNN" << false;
    QTest::newRow("LSTM masked") << "LSTM" << true;
  }

  void gradientsThroughStates() {
    // Outputs read straight from h and c (and output 0 read by nobody): dL/dW of the cell.
    QFETCH(QString, cell);
    QFETCH(bool, masked);
    const int states = cell == "LSTM" ? 2 : 1;
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("x", {kNone, 4, 3})};
    const std::string from = masked ? "m" : "x";
    if (masked) spec.nodes.push_back(node("m", "Masking", {{"mask_value", 0.0}}, {"x"}));
    spec.nodes.push_back(
        node("r", cell.toStdString(), {{"units", 3}, {"return_state", true}}, {from}));
    spec.nodes.push_back(node("d", "Dense", {{"units", 2}}, {"r"}, {states}));
    spec.inputs = {"x"};
    spec.outputs = {"r", "d"};
    spec.setOutputTensor(0, 1);  // h directly, and the last state through a Dense
    Model model(spec, 11);
    Rng rng(2);
    Tensor x = randomTensor({2, 4, 3}, rng);
    if (masked)
      for (Index j = 0; j < 3; ++j) x[(1 * 4 + 3) * 3 + j] = 0;  // sample 1's last step is padding
    checkGradients(model, {&x}, {randomTensor({2, 3}, rng), randomTensor({2, 2}, rng)});
  }

  void gradientsThroughSeq2seq() {
    // The decoder's loss reaches the encoder's weights only through h and c.
    Model model(seq2seq(4, 2, 3, 5), 13);
    Rng rng(4);
    Tensor a = randomTensor({2, 4, 2}, rng), b = randomTensor({2, 4, 2}, rng);
    checkGradients(model, {&a, &b}, {randomTensor({2, 4, 5}, rng)});
    const Tensor& encKernelGrad = model.layer("enc")->variables()[0].grad;
    QVERIFY(encKernelGrad.flat().cwiseAbs().maxCoeff() > 1e-4f);
  }

  void bidirectionalOutputs() {
    // merge_mode null with return_state: [forward, backward, h_f, c_f, h_b, c_b]. The backward
    // output is in time order; its last-step state is the backward layer's final h.
    ModelSpec spec;
    json inner = {{"class_name", "LSTM"},
                  {"config", {{"units", 3}, {"return_sequences", true}, {"return_state", true}}}};
    spec.nodes = {makeInputLayerNode("x", {kNone, 4, 2}),
                  node("bi", "Bidirectional", {{"layer", inner}, {"merge_mode", nullptr}}, {"x"})};
    spec.inputs = {"x"};
    spec.outputs = {"bi", "bi", "bi", "bi"};
    for (int k : {1, 3, 4}) spec.setOutputTensor(size_t(k == 1 ? 1 : k - 1), k);
    QCOMPARE(nodeOutputNames(*spec.find("bi")),
             (std::vector<std::string>{"forward", "backward", "forward_h", "forward_c",
                                       "backward_h", "backward_c"}));
    const ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors.front().what());
    QCOMPARE(*r.find("bi")->outputAt(1), (Shape{kNone, 4, 3}));
    QCOMPARE(*r.find("bi")->outputAt(5), (Shape{kNone, 3}));
    Model model(spec, 17);
    Rng rng(3);
    Tensor x = randomTensor({2, 4, 2}, rng);
    RunContext ctx;
    model.forward({&x}, false, ctx);
    const Tensor& fwd = model.output(0);
    const Tensor& bwd = model.output(1);
    const Tensor& hb = model.output(3);
    QCOMPARE(model.output(2).shape(), (Shape{2, 3}));  // forward_c
    for (Index b = 0; b < 2; ++b)
      for (Index j = 0; j < 3; ++j) {
        QCOMPARE(hb[b * 3 + j], bwd[(b * 4 + 0) * 3 + j]);  // backward's last step is t = 0
        QCOMPARE(model.activationOf("bi", 2)->data()[b * 3 + j], fwd[(b * 4 + 3) * 3 + j]);
      }
    checkGradients(model, {&x},
                   {randomTensor({2, 4, 3}, rng), randomTensor({2, 4, 3}, rng),
                    randomTensor({2, 3}, rng), randomTensor({2, 3}, rng)});
    // merge_mode concat with return_state: [output, h_f, h_b] for a GRU.
    ModelSpec cat;
    cat.nodes = {
        makeInputLayerNode("x", {kNone, 4, 2}),
        node("bi", "Bidirectional",
             {{"layer",
               {{"class_name", "GRU"}, {"config", {{"units", 3}, {"return_state", true}}}}}},
             {"x"}),
        node("d", "Dense", {{"units", 2}}, {"bi"}, {2})};
    cat.inputs = {"x"};
    cat.outputs = {"bi", "d"};
    QCOMPARE(inferShapes(cat).find("bi")->outputCount(), size_t(3));
    Model catModel(cat, 19);
    checkGradients(catModel, {&x}, {randomTensor({2, 6}, rng), randomTensor({2, 2}, rng)});
  }

  void attentionScores_data() {
    QTest::addColumn<QString>("cls");
    QTest::newRow("Attention") << "Attention";
    QTest::newRow("AdditiveAttention") << "AdditiveAttention";
    QTest::newRow("MultiHeadAttention") << "MultiHeadAttention";
  }

  void attentionScores() {
    // return_attention_scores: [output, weights]; the weights' rows sum to 1 and a loss on them
    // reaches the query projection in front (finite differences).
    QFETCH(QString, cls);
    const bool mha = cls == "MultiHeadAttention";
    json cfg = mha ? json{{"num_heads", 2}, {"key_dim", 3}} : json{{"use_scale", true}};
    cfg["return_attention_scores"] = true;
    ModelSpec spec;
    spec.nodes = {makeInputLayerNode("q", {kNone, 3, 4}), makeInputLayerNode("v", {kNone, 5, 4}),
                  node("dq", "Dense", {{"units", 4}, {"activation", "tanh"}}, {"q"}),
                  node("att", cls.toStdString(), cfg, {"dq", "v"})};
    spec.inputs = {"q", "v"};
    spec.outputs = {"att", "att"};
    spec.setOutputTensor(1, 1);
    QCOMPARE(nodeOutputNames(*spec.find("att")), (std::vector<std::string>{"output", "scores"}));
    const ShapeReport r = inferShapes(spec);
    QVERIFY2(r.ok(), r.ok() ? "" : r.errors.front().what());
    const Shape scores = mha ? Shape{kNone, 2, 3, 5} : Shape{kNone, 3, 5};
    QCOMPARE(*r.find("att")->outputAt(1), scores);
    Model model(spec, 23);
    Rng rng(9);
    Tensor q = randomTensor({2, 3, 4}, rng), v = randomTensor({2, 5, 4}, rng);
    RunContext ctx;
    model.forward({&q, &v}, false, ctx);
    const Tensor& p = model.output(1);
    QCOMPARE(p.size(), 2 * 3 * 5 * (mha ? 2 : 1));
    for (Index row = 0; row < p.size() / 5; ++row) {
      double sum = 0;
      for (Index j = 0; j < 5; ++j) sum += p[row * 5 + j];
      QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
    Shape outShape = model.output(0).shape();
    checkGradients(model, {&q, &v}, {randomTensor(outShape, rng), randomTensor(p.shape(), rng)});
    // Written back as the Keras call argument, and read again.
    const json j = spec.toKerasJson();
    for (const auto& l : j["config"]["layers"])
      if (l["name"] == "att") {
        QVERIFY(!l["config"].contains("return_attention_scores"));
        QCOMPARE(l["inbound_nodes"][0][0][3]["return_attention_scores"], json(true));
      }
    QVERIFY(ModelSpec::fromKerasJson(j) == spec);
    QVERIFY(ModelSpec::fromKerasJson(toKeras3Json(spec)) == spec);
  }

  void seq2seqLearnsToReverse() {
    // Reverse a sequence of T one-hot symbols: the encoder reads it, the decoder (teacher forced:
    // its input is the target shifted right with a start symbol 0) writes it reversed. Only h and
    // c carry the sequence from encoder to decoder.
    const Index T = 4, V = 5, n = 512;
    Rng rng(8);
    auto make = [&](Index count, Tensor& enc, Tensor& dec, Tensor& target) {
      enc.resize({count, T, V});
      dec.resize({count, T, V});
      target.resize({count, T});
      enc.setZero();
      dec.setZero();
      for (Index i = 0; i < count; ++i) {
        std::vector<Index> s(T);
        for (Index t = 0; t < T; ++t) s[size_t(t)] = 1 + Index(rng.below(V - 1));
        for (Index t = 0; t < T; ++t) {
          enc[(i * T + t) * V + s[size_t(t)]] = 1;
          const Index out = s[size_t(T - 1 - t)];
          target[i * T + t] = float(out);
          const Index prev = t == 0 ? 0 : s[size_t(T - t)];
          dec[(i * T + t) * V + prev] = 1;
        }
      }
    };
    Tensor enc, dec, target, encV, decV, targetV;
    make(n, enc, dec, target);
    make(128, encV, decV, targetV);
    Model model(seq2seq(T, V, 32, V), 21);
    Trainer trainer(
        model, CompileOptions{{"sparse_categorical_crossentropy"},
                              {},
                              {{"accuracy"}},
                              {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.02}}}}});
    Dataset data, val;
    data.x = {Array::fromTensor(enc), Array::fromTensor(dec)};
    data.y = {Array::fromTensor(target)};
    val.x = {Array::fromTensor(encV), Array::fromTensor(decV)};
    val.y = {Array::fromTensor(targetV)};
    const double before = findLog(trainer.evaluate(val, 64), "accuracy").value_or(-1);
    FitOptions fit;
    fit.epochs = 25, fit.batchSize = 32, fit.verbose = 0, fit.seed = 6;
    trainer.fit(data, fit);
    const double after = findLog(trainer.evaluate(val, 64), "accuracy").value_or(-1);
    qInfo("seq2seq reverse: per-symbol held-out accuracy %.3f before, %.3f after", before, after);
    QVERIFY2(after > 0.9, qPrintable(QString("accuracy %1").arg(after)));
  }
};

QTEST_APPLESS_MAIN(TestMultiOutput)
#include "tst_engine_graph_multioutput.moc"
