// Recurrent layers, Embedding, Masking and masks: finite-difference gradient checks (with and
// without masks, dropout in training with repeated masks), Keras Param # counts, mask semantics
// (a padded sequence gives what the unpadded one gives), mask flags in shape inference, and bad
// configurations / inputs with errors naming the node.
#include <QtTest>

#include "engine/graph/ModelSpec.h"
#include "engine/layers/Bidirectional.h"
#include "engine/train/Model.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

// L = sum(y * r): backward against central differences of the float inputs and every trainable
// weight, with an optional input mask (N, T) handed to the layer as Model does.
bool checkMasked(Layer& layer, std::vector<Tensor> inputs, const Tensor* mask, bool training,
                 bool checkInputs = true, double rtol = 2e-2, double atol = 2e-3) {
  std::vector<const Tensor*> x;
  for (auto& t : inputs) x.push_back(&t);
  std::vector<const Tensor*> masks(inputs.size(), nullptr);
  masks[0] = mask;
  Tensor y;
  auto run = [&](bool back, const Tensor* dy, std::vector<Tensor*> dx) {
    Rng r(5);
    RunContext ctx;
    ctx.training = training;
    ctx.rng = &r;
    ctx.inputMasks = &masks;
    layer.forward(x, y, ctx);
    if (back) layer.backward(x, y, *dy, dx, ctx);
  };
  run(false, nullptr, {});
  Rng rng(77);
  Tensor rw = randomTensor(y.shape(), rng);
  auto loss = [&]() {
    run(false, nullptr, {});
    double l = 0;
    for (Index i = 0; i < y.size(); ++i) l += double(y[i]) * rw[i];
    return l;
  };
  std::vector<Tensor> dx(inputs.size());
  std::vector<Tensor*> dxp;
  for (size_t i = 0; i < inputs.size(); ++i) {
    dx[i].resize(inputs[i].shape());
    dx[i].fill(std::nanf(""));
    dxp.push_back(checkInputs ? &dx[i] : nullptr);
  }
  run(true, &rw, dxp);
  std::vector<Tensor> wg;
  for (auto& v : layer.variables()) wg.push_back(v.grad);
  const double eps = 1e-2;
  auto numeric = [&](float& value) {
    const float saved = value;
    value = saved + float(eps);
    const double lp = loss();
    value = saved - float(eps);
    const double lm = loss();
    value = saved;
    return (lp - lm) / (2 * eps);
  };
  auto ok = [&](double a, double n, const std::string& what) {
    if (std::fabs(a - n) <= atol + rtol * std::max(std::fabs(a), std::fabs(n))) return true;
    qWarning("%s: analytic %g numeric %g", what.c_str(), a, n);
    return false;
  };
  if (checkInputs)
    for (size_t i = 0; i < inputs.size(); ++i)
      for (Index k = 0; k < inputs[i].size(); ++k)
        if (!ok(dx[i][k], numeric(inputs[i][k]),
                "input " + std::to_string(i) + "[" + std::to_string(k) + "]"))
          return false;
  auto& vars = layer.variables();
  for (size_t v = 0; v < vars.size(); ++v)
    for (Index k = 0; k < vars[v].value.size(); ++k)
      if (!ok(wg[v][k], numeric(vars[v].value[k]), vars[v].name + "[" + std::to_string(k) + "]"))
        return false;
  return true;
}

// (N, T) mask of post-padded sequences with the given lengths.
Tensor lengthsMask(const std::vector<Index>& lengths, Index T) {
  Tensor m({Index(lengths.size()), T});
  for (size_t b = 0; b < lengths.size(); ++b)
    for (Index t = 0; t < T; ++t) m[Index(b) * T + t] = t < lengths[b] ? 1.0f : 0.0f;
  return m;
}

ModelSpec chain(const Shape& input, const std::vector<std::pair<std::string, json>>& layers) {
  ModelSpec spec;
  spec.nodes.push_back(makeInputLayerNode("x", input));
  spec.inputs = {"x"};
  std::string prev = "x";
  int i = 0;
  for (const auto& [cls, cfg] : layers) {
    NodeSpec n;
    n.name = "l";
    n.name += std::to_string(i++);
    n.className = cls;
    n.config = cfg;
    n.config["name"] = n.name;
    n.inputs = {prev};
    prev = n.name;
    spec.nodes.push_back(n);
  }
  spec.outputs = {prev};
  return spec;
}

}  // namespace

class TestRecurrentLayers : public QObject {
  Q_OBJECT

 private slots:
  void gradients_data() {
    QTest::addColumn<QString>("cls");
    QTest::addColumn<QString>("config");
    QTest::addColumn<int>("states");  // initial states passed as inputs
    QTest::addColumn<bool>("training");
    auto row = [](const char* name, const char* cls, json cfg, int states = 0,
                  bool training = false) {
      QTest::newRow(name) << QString(cls) << QString::fromStdString(cfg.dump()) << states
                          << training;
    };
    row("simple_rnn", "SimpleRNN", {{"units", 3}});
    // softsign: an activation whose derivative reads the pre-activation (relu's kink would trip
    // the central differences).
    row("simple_rnn_seq_softsign", "SimpleRNN",
        {{"units", 3}, {"return_sequences", true}, {"activation", "softsign"}});
    row("simple_rnn_backwards_h0", "SimpleRNN", {{"units", 3}, {"go_backwards", true}}, 1);
    row("lstm", "LSTM", {{"units", 3}});
    row("lstm_seq_backwards", "LSTM",
        {{"units", 3}, {"return_sequences", true}, {"go_backwards", true}});
    row("lstm_states", "LSTM", {{"units", 2}, {"return_sequences", true}}, 2);
    row("lstm_hard_sigmoid_nobias", "LSTM",
        {{"units", 2}, {"recurrent_activation", "hard_sigmoid"}, {"use_bias", false}});
    row("gru_reset_after", "GRU", {{"units", 3}, {"return_sequences", true}});
    row("gru_reset_before", "GRU", {{"units", 3}, {"reset_after", false}});
    row("gru_h0_backwards", "GRU", {{"units", 2}, {"go_backwards", true}}, 1);
    row("gru_nobias", "GRU", {{"units", 2}, {"use_bias", false}});
    row("lstm_dropout", "LSTM", {{"units", 3}, {"dropout", 0.3}}, 0, true);
    row("lstm_both_dropouts", "LSTM", {{"units", 3}, {"dropout", 0.3}, {"recurrent_dropout", 0.4}},
        0, true);
    row("gru_after_dropouts", "GRU", {{"units", 3}, {"dropout", 0.3}, {"recurrent_dropout", 0.4}},
        0, true);
    row("gru_before_dropouts", "GRU",
        {{"units", 3}, {"reset_after", false}, {"dropout", 0.3}, {"recurrent_dropout", 0.4}}, 0,
        true);
    row("simple_rnn_dropouts", "SimpleRNN",
        {{"units", 3}, {"dropout", 0.3}, {"recurrent_dropout", 0.4}, {"return_sequences", true}}, 0,
        true);
    for (const char* mode : {"concat", "sum", "mul", "ave"}) {
      row((std::string("bidirectional_lstm_") + mode).c_str(), "Bidirectional",
          {{"layer", {{"class_name", "LSTM"}, {"config", {{"units", 2}}}}}, {"merge_mode", mode}});
      row((std::string("bidirectional_gru_seq_") + mode).c_str(), "Bidirectional",
          {{"layer",
            {{"class_name", "GRU"}, {"config", {{"units", 2}, {"return_sequences", true}}}}},
           {"merge_mode", mode}});
    }
  }

  void gradients() {
    QFETCH(QString, cls);
    QFETCH(QString, config);
    QFETCH(int, states);
    QFETCH(bool, training);
    const json cfg = json::parse(config.toStdString());
    const Index n = 2, T = 4, f = 3;
    const Index u = cls == "Bidirectional" ? 2 : cfg.at("units").get<Index>();
    std::vector<Shape> shapes{{kNone, T, f}};
    for (int s = 0; s < states; ++s) shapes.push_back({kNone, u});
    auto layer = makeBuilt(cls.toStdString(), cfg, shapes, 3);
    Rng rng(9);
    std::vector<Tensor> inputs{randomTensor({n, T, f}, rng)};
    for (int s = 0; s < states; ++s) inputs.push_back(randomTensor({n, u}, rng));
    QVERIFY(checkMasked(*layer, inputs, nullptr, training));
    // The same with a mask (post and pre padding, one row fully real).
    Tensor mask({n, T}, std::vector<float>{1, 1, 0, 0, 0, 1, 1, 1});
    QVERIFY(checkMasked(*layer, inputs, &mask, training));
  }

  void embeddingAndMaskingGradients() {
    auto emb = makeBuilt("Embedding", {{"input_dim", 5}, {"output_dim", 3}}, {{kNone, 4}});
    Tensor ids({2, 4}, std::vector<float>{1, 2, 2, 0, 4, 3, 1, 1});
    QVERIFY(checkMasked(*emb, {ids}, nullptr, false, /*checkInputs=*/false));
    auto masking = makeBuilt("Masking", {{"mask_value", 0.5}}, {{kNone, 3, 2}});
    Tensor x({2, 3, 2}, std::vector<float>{0.5f, 0.5f, 1, 2, -1, 0.5f, 0.5f, 0.5f, 3, 4, 0.5f, 1});
    Rng rng(4);  // finite differences away from mask_value (no step masked)
    QVERIFY(checkMasked(*masking, {randomTensor({2, 3, 2}, rng, 1.0f, 2.0f)}, nullptr, false));
    // Masking's forward: masked steps zeroed, and its mask; backward: dx = dy * keep (a finite
    // difference at a masked step would cross the mask's discontinuity).
    std::vector<const Tensor*> xs{&x};
    Tensor y, m;
    RunContext ctx;
    ctx.outputMask = &m;
    masking->forward(xs, y, ctx);
    QVERIFY(near(m, {0, 1, 1, 0, 1, 1}));
    QVERIFY(near(y, {0, 0, 1, 2, -1, 0.5f, 0, 0, 3, 4, 0.5f, 1}));
    Tensor dy({2, 3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), dx;
    std::vector<Tensor*> dxs{&dx};
    masking->backward(xs, y, dy, dxs, ctx);
    QVERIFY(near(dx, {0, 0, 3, 4, 5, 6, 0, 0, 9, 10, 11, 12}));
    // Embedding's mask: ids != 0.
    Tensor em;
    ctx.outputMask = &em;
    auto embz = makeBuilt("Embedding", {{"input_dim", 5}, {"output_dim", 3}, {"mask_zero", true}},
                          {{kNone, 4}});
    xs = {&ids};
    embz->forward(xs, y, ctx);
    QVERIFY(near(em, {1, 1, 1, 0, 1, 1, 1, 1}));
    for (Index j = 0; j < 3; ++j)  // row 0 of the output is embeddings[1]
      QCOMPARE(y[j], embz->variables()[0].value[1 * 3 + j]);
  }

  // A padded sequence with its mask gives what the unpadded sequence gives (last output), and
  // the return_sequences output repeats the previous output at masked steps.
  void maskSkipsPaddedSteps_data() {
    QTest::addColumn<QString>("cls");
    QTest::newRow("SimpleRNN") << "SimpleRNN";
    QTest::newRow("LSTM") << "LSTM";
    QTest::newRow("GRU") << "GRU";
  }
  void maskSkipsPaddedSteps() {
    QFETCH(QString, cls);
    const Index T = 5, f = 3, u = 4, len = 3;
    auto seqLayer = makeBuilt(cls.toStdString(), {{"units", u}, {"return_sequences", true}},
                              {{kNone, T, f}}, 4);
    auto lastLayer = makeBuilt(cls.toStdString(), {{"units", u}}, {{kNone, T, f}}, 4);
    Rng rng(3);
    Tensor x = randomTensor({1, T, f}, rng);
    Tensor shortX({1, len, f}, std::vector<float>(x.data(), x.data() + len * f));
    Tensor mask = lengthsMask({len}, T);
    std::vector<const Tensor*> masks{&mask};
    RunContext ctx;
    ctx.inputMasks = &masks;
    std::vector<const Tensor*> xs{&x};
    Tensor ySeq, yLast;
    seqLayer->forward(xs, ySeq, ctx);
    lastLayer->forward(xs, yLast, ctx);
    RunContext plain;
    std::vector<const Tensor*> xsShort{&shortX};
    Tensor yShort;
    lastLayer->forward(xsShort, yShort, plain);
    for (Index j = 0; j < u; ++j) {
      QVERIFY(std::fabs(yLast[j] - yShort[j]) < 1e-6f);
      for (Index t = len; t < T; ++t) QCOMPARE(ySeq[t * u + j], ySeq[(len - 1) * u + j]);
    }
    // Without the mask the padding changes the result.
    Tensor yNoMask;
    lastLayer->forward(xs, yNoMask, plain);
    QVERIFY(std::fabs(yNoMask[0] - yShort[0]) > 1e-6f);
  }

  void paramCountsAsKeras() {
    auto count = [](const char* cls, json cfg) {
      return makeBuilt(cls, cfg, {{kNone, 10, 16}})->parameterCount();
    };
    QCOMPARE(count("LSTM", {{"units", 32}}), Index(4 * (32 * (16 + 32) + 32)));  // 6272
    QCOMPARE(count("LSTM", {{"units", 32}}), Index(6272));
    QCOMPARE(count("GRU", {{"units", 32}}), Index(3 * (32 * (16 + 32) + 2 * 32)));
    QCOMPARE(count("GRU", {{"units", 32}, {"reset_after", false}}),
             Index(3 * (32 * (16 + 32) + 32)));
    QCOMPARE(count("SimpleRNN", {{"units", 32}}), Index(32 * (16 + 32) + 32));
    QCOMPARE(
        count("Bidirectional", {{"layer", {{"class_name", "LSTM"}, {"config", {{"units", 32}}}}}}),
        Index(2 * 6272));
    auto gru = makeBuilt("GRU", {{"units", 32}}, {{kNone, 10, 16}});
    QCOMPARE(gru->variables()[2].value.shape(), (Shape{2, 96}));
    QCOMPARE(gru->variables()[1].name, std::string("recurrent_kernel"));
    auto bi = makeBuilt("Bidirectional",
                        {{"layer", {{"class_name", "LSTM"}, {"config", {{"units", 4}}}}}},
                        {{kNone, 10, 16}});
    QCOMPARE(bi->variables()[0].name, std::string("forward_lstm/kernel"));
    QCOMPARE(bi->variables()[5].name, std::string("backward_lstm/bias"));
    auto emb = makeBuilt("Embedding", {{"input_dim", 1000}, {"output_dim", 64}}, {{kNone, 10}});
    QCOMPARE(emb->parameterCount(), Index(64000));
    // LSTM bias: unit_forget_bias puts ones on the forget gate.
    auto lstm = makeBuilt("LSTM", {{"units", 2}}, {{kNone, 3, 2}});
    QVERIFY(near(lstm->variables()[2].value, {0, 0, 1, 1, 0, 0, 0, 0}));
    // The summary table prints Keras's count.
    const ModelSpec spec =
        chain({kNone, 10},
              {{"Embedding", {{"input_dim", 100}, {"output_dim", 16}}}, {"LSTM", {{"units", 32}}}});
    const std::string table = summaryTable(spec);
    QVERIFY2(table.find("6272") != std::string::npos, table.c_str());
    QVERIFY2(table.find("(None, 10, 16)") != std::string::npos, table.c_str());
  }

  void maskFlagsInShapeInference() {
    const ModelSpec spec = chain(
        {kNone, 6},
        {{"Embedding", {{"input_dim", 9}, {"output_dim", 4}, {"mask_zero", true}}},
         {"Dropout", {{"rate", 0.2}}},
         {"LSTM", {{"units", 3}, {"return_sequences", true}}},
         {"Bidirectional",
          {{"layer",
            {{"class_name", "GRU"}, {"config", {{"units", 2}, {"return_sequences", true}}}}}}},
         {"SimpleRNN", {{"units", 2}}},
         {"Dense", {{"units", 1}}}});
    const ShapeReport r = inferShapes(spec);
    QVERIFY(r.ok());
    QCOMPARE(r.find("x")->masked, false);
    QCOMPARE(r.find("l0")->masked, true);
    QCOMPARE(r.find("l1")->masked, true);  // Dropout passes the mask on (Keras supports_masking)
    QCOMPARE(r.find("l2")->masked, true);
    QCOMPARE(r.find("l3")->masked, true);
    QCOMPARE(r.find("l4")->masked, false);  // return_sequences false: the mask ends here
    QCOMPARE(r.find("l5")->masked, false);
    // The executor hands the masks on: Model::maskOf after a forward.
    Model model(spec, 1);
    Tensor ids({2, 6}, std::vector<float>{1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 0});
    RunContext ctx;
    model.forward({&ids}, false, ctx);
    QVERIFY(model.maskOf("l1") != nullptr);
    QVERIFY(near(*model.maskOf("l3"), {1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0}));
    QVERIFY(model.maskOf("l4") == nullptr);
  }

  // Embedding(mask_zero) -> GlobalAveragePooling1D: the mean over the real steps only (Keras 2),
  // and its gradient (finite differences through the whole model on the embeddings).
  void averagePoolingHonoursTheMask() {
    const ModelSpec spec = chain(
        {kNone, 5}, {{"Embedding", {{"input_dim", 6}, {"output_dim", 2}, {"mask_zero", true}}},
                     {"GlobalAveragePooling1D", json::object()}});
    QVERIFY(!inferShapes(spec).find("l1")->masked);
    Model model(spec, 2);
    Tensor ids({2, 5}, std::vector<float>{3, 1, 0, 0, 0, 2, 4, 5, 1, 0});
    RunContext ctx;
    model.forward({&ids}, true, ctx);
    const Tensor& e = model.layer("l0")->variables()[0].value;
    for (Index j = 0; j < 2; ++j) {
      QVERIFY(std::fabs(model.output(0)[j] - (e[3 * 2 + j] + e[1 * 2 + j]) / 2) < 1e-6f);
      const float four = (e[2 * 2 + j] + e[4 * 2 + j] + e[5 * 2 + j] + e[1 * 2 + j]) / 4;
      QVERIFY(std::fabs(model.output(0)[2 + j] - four) < 1e-6f);
    }
    Tensor dy({2, 2}, std::vector<float>{1, 2, 3, 4});
    model.backward({&dy}, ctx);
    const Tensor& g = model.layer("l0")->variables()[0].grad;
    QVERIFY(std::fabs(g[0]) < 1e-7f);                           // id 0: padding only
    QVERIFY(std::fabs(g[3 * 2 + 1] - 1.0f) < 1e-6f);            // id 3 in sample 0: dy / 2
    QVERIFY(std::fabs(g[1 * 2 + 0] - (0.5f + 0.75f)) < 1e-6f);  // id 1 in both samples
  }

  void badInputsNameTheNode() {
    ModelSpec flat = chain({kNone, 8}, {{"LSTM", {{"units", 4}}}});
    ShapeReport r = inferShapes(flat);
    QVERIFY(!r.ok());
    QCOMPARE(r.errors.front().node(), std::string("l0"));
    QVERIFY2(std::string(r.errors.front().what()).find("3-D") != std::string::npos,
             r.errors.front().what());
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Embedding", {{"input_dim", 0}, {"output_dim", 4}}, "emb");
        },
        SpecErrorKind::BadValue, "emb", "input_dim"));
    // return_state and merge_mode null make more outputs (tst_engine_graph_multioutput).
    QCOMPARE(makeLayer("LSTM", {{"units", 4}, {"return_state", true}}, "enc")->outputNames().size(),
             size_t(3));
    // stateful=true is accepted (tst_engine_layers_stateful: a fixed batch size is required).
    QVERIFY(dynamic_cast<RecurrentLayer*>(
                makeLayer("GRU", {{"units", 4}, {"stateful", true}}, "g").get())
                ->stateful());
    QCOMPARE(makeLayer("Bidirectional",
                       {{"layer", {{"class_name", "LSTM"}, {"config", {{"units", 4}}}}},
                        {"merge_mode", nullptr}},
                       "bi")
                 ->outputNames(),
             (std::vector<std::string>{"forward", "backward"}));
    QVERIFY(throwsSpec(
        [] {
          makeLayer("Bidirectional",
                    {{"layer", {{"class_name", "Dense"}, {"config", {{"units", 4}}}}}}, "bi2");
        },
        SpecErrorKind::BadValue, "bi2", "Dense"));
    // An id out of range at run time: an Error naming the layer, no crash.
    auto emb = makeBuilt("Embedding", {{"input_dim", 3}, {"output_dim", 2}}, {{kNone, 2}});
    Tensor ids({1, 2}, std::vector<float>{1, 7});
    bool threw = false;
    try {
      runForward(*emb, {ids});
    } catch (const Error& e) {
      threw = std::string(e.what()).find("node") != std::string::npos;
    }
    QVERIFY(threw);
    // Initial state of the wrong width.
    QVERIFY(throwsSpec(
        [] {
          makeLayer("LSTM", {{"units", 4}}, "l")
              ->outputShape({{kNone, 3, 2}, {kNone, 5}, {kNone, 4}});
        },
        SpecErrorKind::ShapeMismatch, "l", "initial state"));
  }

  void configsRoundTrip() {
    QVERIFY(configRoundTrips("LSTM", {{"units", 8}, {"return_sequences", true}}));
    QVERIFY(configRoundTrips("GRU", {{"units", 8}, {"reset_after", false}}));
    QVERIFY(configRoundTrips("SimpleRNN", {{"units", 8}}));
    QVERIFY(
        configRoundTrips("Embedding", {{"input_dim", 8}, {"output_dim", 2}, {"mask_zero", true}}));
    QVERIFY(configRoundTrips("Masking", json::object()));
    QVERIFY(configRoundTrips(
        "Bidirectional",
        {{"layer", {{"class_name", "GRU"}, {"config", {{"units", 8}}}}}, {"merge_mode", "sum"}}));
  }
};

QTEST_APPLESS_MAIN(TestRecurrentLayers)
#include "tst_engine_layers_recurrent.moc"
