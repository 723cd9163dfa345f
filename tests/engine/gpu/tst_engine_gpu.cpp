// The CUDA backend (engine/gpu): device selection and its errors everywhere; GPU-vs-CPU equality
// (GpuChecks.h) where a CUDA device is found, else those cases skip with "no CUDA device".
#include <QtTest>

#include "GpuCheckGroups.h"
#include "engine/core/Error.h"
#include "engine/gpu/GpuDevice.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/session/RunSettings.h"

#include <filesystem>
#include <map>

using namespace tessel;
using json = nlohmann::json;

namespace {

// What cuDNN computes for a ConvPlan, written out directly (double sums), with the kernel in
// cuDNN's KRSC layout made from Keras's as the executor makes it (a transpose of (K, F)).
// Forward: B = C(A); backward data: A = C^T(B) (Conv2DTranspose's forward). Explicit padding as
// launchPad / launchCrop. a and b are NHWC, unpadded.
struct CudnnEmulation {
  const gpu::ConvPlan& p;
  std::vector<float> krsc;  // (cb, kh, kw, ca / groups)
  int top = 0, left = 0;    // where A sits in the padded A (explicit padding only)
  CudnnEmulation(const gpu::ConvPlan& plan, const Tensor& kerasKernel) : p(plan) {
    top = p.explicitPad ? p.padTop : 0;
    left = p.explicitPad ? p.padLeft : 0;
    const int K = p.kh * p.kw * (p.ca / p.groups), F = p.cb;
    krsc.resize(size_t(K) * F);
    if (kerasKernel.size() != Index(K) * F) throw std::runtime_error("kernel size");
    for (int k = 0; k < K; ++k)
      for (int f = 0; f < F; ++f) krsc[size_t(f) * K + k] = kerasKernel[Index(k) * F + f];
  }
  // Visits every (A index, B index, kernel value) term of C on the padded A.
  template <class Fn>
  void terms(int n, Fn fn) const {
    const int cg = p.ca / p.groups, fg = p.cb / p.groups;
    for (int s = 0; s < n; ++s)
      for (int i = 0; i < p.bh; ++i)
        for (int j = 0; j < p.bw; ++j)
          for (int f = 0; f < p.cb; ++f)
            for (int r = 0; r < p.kh; ++r)
              for (int q = 0; q < p.kw; ++q) {
                const int y = i * p.sh - p.dnnPadT + r * p.dh, x = j * p.sw - p.dnnPadL + q * p.dw;
                if (y < 0 || y >= p.aph || x < 0 || x >= p.apw) continue;
                for (int c = 0; c < cg; ++c) {
                  const int ac = (f / fg) * cg + c;
                  const long ai = ((long(s) * p.aph + y) * p.apw + x) * p.ca + ac;
                  const long bi = ((long(s) * p.bh + i) * p.bw + j) * p.cb + f;
                  const size_t wi = ((size_t(f) * p.kh + r) * p.kw + q) * cg + c;
                  fn(ai, bi, krsc.at(wi), wi);
                }
              }
  }
  std::vector<double> pad(const Tensor& a, int n) const {
    std::vector<double> ap(size_t(n) * p.aph * p.apw * p.ca, 0.0);
    for (int s = 0; s < n; ++s)
      for (int y = 0; y < p.ah; ++y)
        for (int x = 0; x < p.aw; ++x)
          for (int c = 0; c < p.ca; ++c)
            ap.at(((size_t(s) * p.aph + y + top) * p.apw + x + left) * p.ca + c) =
                a[((Index(s) * p.ah + y) * p.aw + x) * p.ca + c];
    return ap;
  }
  std::vector<double> forward(const Tensor& a, int n) const {
    const std::vector<double> ap = pad(a, n);
    std::vector<double> b(size_t(n) * p.bh * p.bw * p.cb, 0.0);
    terms(n, [&](long ai, long bi, float w, size_t) { b.at(size_t(bi)) += ap.at(size_t(ai)) * w; });
    return b;
  }
  // The kernel gradient in Keras's layout: cuDNN's backward filter of C on (padded A, dB), then
  // KRSC back to (K, F). Normal: A = the input, dB = the output gradient; transposed: A = the
  // output gradient padded, B = the input.
  std::vector<double> kernelGradient(const Tensor& x, const Tensor& dy, int n) const {
    const Tensor& a = p.transposed ? dy : x;
    const Tensor& b = p.transposed ? x : dy;
    const std::vector<double> ap = pad(a, n);
    std::vector<double> g(krsc.size(), 0.0), keras(krsc.size());
    terms(n, [&](long ai, long bi, float, size_t wi) { g.at(wi) += ap.at(size_t(ai)) * b[bi]; });
    const size_t K = size_t(p.kh) * p.kw * (p.ca / p.groups), F = size_t(p.cb);
    for (size_t k = 0; k < K; ++k)
      for (size_t f = 0; f < F; ++f) keras[k * F + f] = g[f * K + k];
    return keras;
  }
  std::vector<double> backwardData(const Tensor& b, int n) const {
    std::vector<double> ap(size_t(n) * p.aph * p.apw * p.ca, 0.0), a;
    terms(n, [&](long ai, long bi, float w, size_t) { ap.at(size_t(ai)) += double(b[bi]) * w; });
    for (int s = 0; s < n; ++s)
      for (int y = 0; y < p.ah; ++y)
        for (int x = 0; x < p.aw; ++x)
          for (int c = 0; c < p.ca; ++c)
            a.push_back(ap[((size_t(s) * p.aph + y + top) * p.apw + x + left) * p.ca + c]);
    return a;
  }
};

}  // namespace

namespace {

// `call` throws Error with exactly `expected` (a GPU plan's refusal).
template <class Call>
void expectRefused(Call call, const std::string& expected) {
  try {
    call();
    QFAIL(("not refused; expected: " + expected).c_str());
  } catch (const Error& e) {
    QCOMPARE(std::string(e.what()), expected);
  }
}

}  // namespace

class TestEngineGpu : public QObject {
  Q_OBJECT

 private:
  static void report(const std::vector<gpucheck::Result>& results) {
    QVERIFY(!results.empty());
    for (const auto& r : results) {
      qInfo("%-60s rel err %.3g (tol %.0e)", r.name.c_str(), r.err, r.tol);
      QVERIFY2(r.ok(), (r.name + ": relative error " + std::to_string(r.err) + " > " +
                        std::to_string(r.tol))
                           .c_str());
    }
  }
  static int deviceOrSkip() {
    if (gpu::deviceCount() == 0) return -1;
    return 0;
  }

 private slots:
  // Deterministic cuDNN algorithms for the CPU-equality checks (TESSEL_GPU_ANY_CONV_ALGO=1: the
  // default ones at 10x the tolerance); Trainer runs below read the same setting.
  // The model passes the GPU plan: with a device the executor is built; without one the error
  // is about the device, never "X is not on the GPU yet".
  static void expectPlanned(Model& m, const Loss& loss, const Optimizer& opt,
                            const std::string& name) {
    try {
      gpu::Executor::create(0, m, {&loss}, {1.0}, opt, m.trainableWeights(), 4);
      QVERIFY(gpu::deviceCount() > 0);
    } catch (const Error& e) {
      const std::string msg = name + ": " + e.what();
      QVERIFY2(msg.find("not on the GPU") == std::string::npos, msg.c_str());
      QVERIFY2(gpu::deviceCount() == 0, msg.c_str());
    }
  }

  void initTestCase() { gpucheck::useCheckAlgorithms(); }

  void parsesDeviceNames() {
    QCOMPARE(gpu::parseDevice("cpu"), -1);
    QCOMPARE(gpu::parseDevice("cuda"), 0);
    QCOMPARE(gpu::parseDevice("cuda:3"), 3);
    for (const char* bad : {"cuda:", "cuda:x", "gpu0", "CUDA", "cuda:-1", ""})
      QVERIFY_THROWS_EXCEPTION(Error, gpu::parseDevice(bad));
    QCOMPARE(gpu::requireDevice("cpu"), -1);
  }

  // The run records its device (fit.device, written when not "cpu") and reads it back.
  void runSettingsRecordTheDevice() {
    RunSettings s;
    QVERIFY(!s.toJson().at("fit").contains("device"));
    QCOMPARE(s.fitOptions(0).device, std::string("cpu"));
    s.fit.device = "cuda:1";
    const nlohmann::json j = s.toJson();
    QCOMPARE(j.at("fit").at("device").get<std::string>(), std::string("cuda:1"));
    const RunSettings back = RunSettings::fromJson(j);
    QCOMPARE(back.fit.device, std::string("cuda:1"));
    QCOMPARE(back.fitOptions(0).device, std::string("cuda:1"));
    FitOptions o;
    o.device = "cuda";
    QCOMPARE(RunSettings::fitFrom(o).device, std::string("cuda"));
  }

  void noDeviceIsAClearError() {
    if (gpu::deviceCount() > 0) QSKIP("a CUDA device is present");
    QVERIFY(!gpu::unavailableReason().empty());
    try {
      gpu::requireDevice("cuda:0");
      QFAIL("requireDevice should throw without a GPU");
    } catch (const Error& e) {
      const std::string m = e.what();
      QVERIFY2(m.find("device cuda:0") != std::string::npos, m.c_str());
      QVERIFY2(m.find("use --device cpu") != std::string::npos, m.c_str());
      QVERIFY2(m.find(gpu::cudaBuild() ? "no CUDA device" : "no CUDA backend") != std::string::npos,
               m.c_str());
    }
    // fit() on "cuda" fails the same way, before any step (never a silent CPU run).
    Model m(gpucheck::seedMlp(), 1);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.optimizer = "sgd";
    Trainer t(m, c);
    FitOptions o;
    o.device = "cuda";
    o.verbose = 0;
    const Dataset d = gpucheck::syntheticData(8, {28, 28}, 10, false, 1);
    QVERIFY_THROWS_EXCEPTION(Error, t.fit(d, o));
  }

  void unsupportedLayerIsNamed() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    const nlohmann::json layers =
        nlohmann::json::array({{{"class_name", "LSTM"},
                                {"config",
                                 {{"name", "lstm"},
                                  {"units", 4},
                                  {"zero_output_for_mask", true},
                                  {"batch_input_shape", {nullptr, 8, 1}}}}},
                               gpucheck::denseLayer("out", 3, "softmax")});
    Model m(gpucheck::sequential(layers), 1);
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto opt = makeOptimizer("sgd");
    const std::string expected =
        "LSTM 'lstm' with zero_output_for_mask is not on the GPU yet; use --device cpu";
    expectRefused(
        [&] { gpu::Executor::create(0, m, {loss.get()}, {1.0}, *opt, m.trainableWeights(), 4); },
        expected);
    // The inference plan (evaluate, predict) refuses it the same way, and so does the plan alone
    // (the pre-flight check, no device touched).
    expectRefused([&] { gpu::Executor::createInference(0, m, 4); }, expected);
    expectRefused([&] { gpu::Executor::checkPlan(m, {loss.get()}, *opt); }, expected);
    // recurrent_dropout: refused for training, planned for inference (no dropout there); input
    // dropout is planned for both.
    nlohmann::json rec = layers;
    rec[0]["config"].erase("zero_output_for_mask");
    rec[0]["config"]["recurrent_dropout"] = 0.1;
    Model r(gpucheck::sequential(rec), 1);
    expectRefused([&] { gpu::Executor::checkPlan(r, {loss.get()}, *opt); },
                  "LSTM 'lstm' with recurrent_dropout is not on the GPU yet; use --device cpu");
    try {
      gpu::Executor::createInference(0, r, 4);
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("not on the GPU") == std::string::npos, e.what());
    }
    rec[0]["config"]["recurrent_dropout"] = 0.0;
    rec[0]["config"]["dropout"] = 0.2;
    Model d(gpucheck::sequential(rec), 1);
    gpu::Executor::checkPlan(d, {loss.get()}, *opt);
    Model mlp(gpucheck::seedMlp(), 1);
    auto adam = makeOptimizer("adam");
    gpu::Executor::checkPlan(mlp, {loss.get()}, *adam);  // no device needed, nothing thrown
  }

  // Every optimizer of the catalog passes the plan; a custom optimizer class (or a subclass of an
  // engine one) is refused by name before any device is touched.
  void optimizersArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    report(gpucheck::checkUpdateRefusals(0));
    auto loss = makeLoss("sparse_categorical_crossentropy");
    for (const char* name : {"sgd", "adam", "adamax", "nadam", "rmsprop", "adagrad"}) {
      Model mlp(gpucheck::seedMlp(), 1);
      auto opt = makeOptimizer(name);
      expectPlanned(mlp, *loss, *opt, name);
    }
  }

  // The CNN layers pass the plan (whatever happens next: no device here, or a GPU run), and what
  // cuDNN cannot do is refused by name before any device is touched.
  void cnnLayersArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto opt = makeOptimizer("sgd");
    std::vector<std::pair<std::string, ModelSpec>> specs = gpucheck::cnnLayerModels();
    for (auto& m : gpucheck::conv1dLayerModels()) specs.push_back(std::move(m));
    specs.emplace_back("fashion CNN", gpucheck::fashionCnn(false));
    specs.emplace_back("fashion CNN + BN", gpucheck::fashionCnn(true));
    specs.emplace_back("seed CNN", gpucheck::seedCnn());
    specs.emplace_back("separable CNN", gpucheck::seedSeparable());
    QCOMPARE(specs.size(), size_t(35));
    for (const auto& [name, spec] : specs) {
      Model m(spec, 1);
      expectPlanned(m, *loss, *opt, name);
    }
    // BatchNormalization over another axis than the last.
    nlohmann::json c0 = gpucheck::conv2d("c", 4, 3, "relu");
    c0["config"]["batch_input_shape"] = {nullptr, 8, 8, 1};
    Model b(gpucheck::sequential(nlohmann::json::array(
                {c0, gpucheck::layer("BatchNormalization", {{"name", "bn"}, {"axis", 1}}),
                 gpucheck::layer("Flatten", {{"name", "f"}}),
                 gpucheck::denseLayer("out", 3, "softmax")})),
            1);
    QVERIFY_THROWS_EXCEPTION(
        Error, gpu::Executor::create(0, b, {loss.get()}, {1.0}, *opt, b.trainableWeights(), 4));
  }

  // Branching Functional graphs pass the plan (merges, a tensor read by several layers, the model
  // input read twice); a second model output stays refused, by name.
  void branchingModelsArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    using gpucheck::denseConfig;
    using gpucheck::functional;
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto opt = makeOptimizer("sgd");
    Model res(gpucheck::residualCnn(), 1);
    QCOMPARE(gpu::Executor::convPlans(res).size(), size_t(3));
    for (const char* merge :
         {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"}) {
      Model m(functional({kNone, 6}, {{"a", "Dense", denseConfig(4, "relu"), {"in"}},
                                      {"b", "Dense", denseConfig(4, "tanh"), {"in"}},
                                      {"m", merge, {}, {"a", "b"}},
                                      {"out", "Dense", denseConfig(3, "softmax"), {"m"}}}),
              1);
      expectPlanned(m, *loss, *opt, merge);
    }
    ModelSpec two = functional({kNone, 6}, {{"a", "Dense", denseConfig(4, "relu"), {"in"}},
                                            {"b", "Dense", denseConfig(2, "relu"), {"a"}},
                                            {"out", "Dense", denseConfig(3, "softmax"), {"a"}}});
    two.outputs = {"b", "out"};
    Model twoOut(two, 1);
    // Two outputs, each with its loss (Keras compile with a loss per output).
    auto mse = makeLoss("mse");
    gpu::Executor::checkPlan(twoOut, {mse.get(), loss.get()}, *opt);
    expectRefused([&] { gpu::Executor::checkPlan(twoOut, {loss.get()}, *opt); },
                  "GPU plan: 1 losses for 2 outputs");
    // An output that another layer reads (its gradient would be the loss's and the reader's).
    ModelSpec fed = two;
    fed.outputs = {"a", "b", "out"};
    Model fedOut(fed, 1);
    expectRefused(
        [&] {
          gpu::Executor::checkPlan(fedOut, {mse.get(), mse.get(), loss.get()}, *opt);
        },
        "a model whose output 'a' other layers read is not on the GPU yet; use --device cpu");
  }

  // Every bundled example (resources/examples) with its own training config: planned on the GPU
  // (several inputs and outputs included: the wide & deep models, the localization model's class
  // and box outputs; dates_seq2seq's masks through LSTM sequences into Attention;
  // fashion_mnist_sequence's CTC loss), or refused naming what has no GPU path yet.
  void bundledExamplesArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    const std::map<std::string, std::string> refused{};
    int planned = 0;
    for (const auto& dir :
         std::filesystem::directory_iterator(TESSEL_SOURCE_DIR "/resources/examples")) {
      const std::string name = dir.path().filename().string();
      const std::filesystem::path file = dir.path() / "model.json";
      if (!std::filesystem::exists(file)) continue;
      const ModelFile mf = readModelFile(file.string());
      const CompileOptions c =
          CompileOptions::fromTrainingConfig(mf.trainingConfig, mf.spec.outputs);
      Model m(mf.spec, 1);
      std::vector<std::unique_ptr<Loss>> owned;
      std::vector<const Loss*> losses;
      for (size_t k = 0; k < m.numOutputs(); ++k) {
        owned.push_back(makeLoss(c.losses.size() == 1 ? c.losses[0] : c.losses.at(k)));
        losses.push_back(owned.back().get());
      }
      auto opt = makeOptimizer(c.optimizer);
      auto it = refused.find(name);
      if (it == refused.end()) {
        try {
          gpu::Executor::checkPlan(m, losses, *opt);
        } catch (const std::exception& e) {
          QFAIL(qPrintable(QString::fromStdString(name + ": " + e.what())));
        }
        ++planned;
      } else {
        try {
          gpu::Executor::checkPlan(m, losses, *opt);
          QFAIL(qPrintable(QString::fromStdString(name + " was planned")));
        } catch (const Error& e) {
          const std::string msg = e.what();
          QVERIFY2(msg.find(it->second) != std::string::npos &&
                       msg.find("not on the GPU yet") != std::string::npos,
                   msg.c_str());
        }
      }
    }
    QCOMPARE(planned, 9);
  }

  // The U-Net (Rescaling, SpatialDropout2D, UpSampling2D, ZeroPadding2D, Cropping2D,
  // LayerNormalization, Concatenate), weight and activity regularizers pass the plan.
  void moreLayersArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto opt = makeOptimizer("adam");
    Model unet(gpucheck::unetCnn(), 1);
    QCOMPARE(gpu::Executor::convPlans(unet).size(), size_t(3));
    expectPlanned(unet, *loss, *opt, "U-Net");
    const nlohmann::json l2 = {{"class_name", "L2"}, {"config", {{"l2", 0.01}}}};
    nlohmann::json d0 = gpucheck::denseLayer("d0", 8, "relu", 6);
    d0["config"]["kernel_regularizer"] = l2;
    d0["config"]["bias_regularizer"] = l2;
    Model reg(gpucheck::sequential(
                  nlohmann::json::array({d0, gpucheck::denseLayer("out", 3, "softmax")})),
              1);
    expectPlanned(reg, *loss, *opt, "Dense with kernel and bias L2");
    nlohmann::json a0 = gpucheck::denseLayer("d0", 8, "relu", 6);
    a0["config"]["activity_regularizer"] = l2;
    Model act(gpucheck::sequential(
                  nlohmann::json::array({a0, gpucheck::denseLayer("out", 3, "softmax")})),
              1);
    expectPlanned(act, *loss, *opt, "Dense with an activity_regularizer");
    // Image augmentation at the input runs on the host: planned; on an input another layer
    // also reads (the augmented and the raw image would be one buffer): refused by name.
    using gpucheck::denseConfig;
    Model aug(gpucheck::functional({kNone, 8, 8, 1},
                                   {{"flip", "RandomFlip", {{"mode", "horizontal"}}, {"in"}},
                                    {"zoom", "RandomZoom", {{"height_factor", 0.2}}, {"flip"}},
                                    {"flat", "Flatten", {}, {"zoom"}},
                                    {"out", "Dense", denseConfig(3, "softmax"), {"flat"}}}),
              1);
    expectPlanned(aug, *loss, *opt, "RandomFlip, RandomZoom");
    Model both(gpucheck::functional({kNone, 8, 8, 1},
                                    {{"flip", "RandomFlip", {{"mode", "horizontal"}}, {"in"}},
                                     {"add", "Add", {}, {"in", "flip"}},
                                     {"flat", "Flatten", {}, {"add"}},
                                     {"out", "Dense", denseConfig(3, "softmax"), {"flat"}}}),
               1);
    expectRefused([&] { gpu::Executor::checkPlan(both, {loss.get()}, *opt); },
                  "RandomFlip 'flip' on an input that other layers also read is not on the GPU "
                  "yet; use --device cpu");
  }

  // SimpleRNN, LSTM, GRU (both reset_after forms) and Embedding pass the plan; Embedding with
  // mask_zero (masks) is refused by name.
  void recurrentLayersArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto opt = makeOptimizer("adam");
    auto emb = [](bool maskZero) {
      nlohmann::json e = gpucheck::layer(
          "Embedding",
          {{"name", "emb"}, {"input_dim", 20}, {"output_dim", 4}, {"mask_zero", maskZero}});
      e["config"]["batch_input_shape"] = {nullptr, 6};
      return e;
    };
    for (const char* cls : {"SimpleRNN", "LSTM", "GRU"})
      for (bool sequences : {false, true}) {
        Model m(gpucheck::sequential(
                    nlohmann::json::array({emb(false), gpucheck::rnnLayer(cls, "rnn", 5, sequences),
                                           gpucheck::layer("Flatten", {{"name", "f"}}),
                                           gpucheck::denseLayer("out", 3, "softmax")})),
                1);
        expectPlanned(m, *loss, *opt, cls);
      }
    // Masks (Embedding mask_zero) into recurrent layers that end them, Bidirectional in every
    // merge mode, go_backwards: planned.
    Model masked(gpucheck::sequential(
                     nlohmann::json::array({emb(true), gpucheck::rnnLayer("LSTM", "rnn", 5, false),
                                            gpucheck::denseLayer("out", 3, "softmax")})),
                 1);
    expectPlanned(masked, *loss, *opt, "mask_zero");
    for (const char* merge : {"concat", "sum", "mul", "ave"}) {
      Model bi(gpucheck::sequential(nlohmann::json::array(
                   {emb(true),
                    gpucheck::bidirectional("bi", gpucheck::rnnLayer("GRU", "g", 5, false), merge),
                    gpucheck::denseLayer("out", 3, "softmax")})),
               1);
      expectPlanned(bi, *loss, *opt, merge);
    }
    Model back(
        gpucheck::sequential(nlohmann::json::array(
            {emb(false), gpucheck::rnnLayer("LSTM", "rnn", 5, false, {{"go_backwards", true}}),
             gpucheck::denseLayer("out", 3, "softmax")})),
        1);
    expectPlanned(back, *loss, *opt, "go_backwards");
    // A mask past a recurrent layer with return_sequences reaches the next recurrent layer and a
    // global average pooling (the mean over the unmasked steps): planned; go_backwards sequences
    // are refused by name.
    Model further(gpucheck::sequential(
                      nlohmann::json::array({emb(true), gpucheck::rnnLayer("LSTM", "rnn", 5, true),
                                             gpucheck::rnnLayer("LSTM", "rnn2", 5, false),
                                             gpucheck::denseLayer("out", 3, "softmax")})),
                  1);
    expectPlanned(further, *loss, *opt, "a mask past return_sequences");
    Model pooled(gpucheck::sequential(nlohmann::json::array(
                     {emb(true), gpucheck::rnnLayer("LSTM", "rnn", 5, true),
                      gpucheck::layer("GlobalAveragePooling1D", {{"name", "pool"}}),
                      gpucheck::denseLayer("out", 3, "softmax")})),
                 1);
    expectPlanned(pooled, *loss, *opt, "GlobalAveragePooling1D over a masked sequence");
    Model backSeq(
        gpucheck::sequential(nlohmann::json::array(
            {emb(false), gpucheck::rnnLayer("LSTM", "rnn", 5, true, {{"go_backwards", true}}),
             gpucheck::layer("Flatten", {{"name", "f"}}),
             gpucheck::denseLayer("out", 3, "softmax")})),
        1);
    expectRefused([&] { gpu::Executor::createInference(0, backSeq, 4); },
                  "LSTM 'rnn' with go_backwards and return_sequences is not on the GPU yet; use "
                  "--device cpu");
  }

  // Attention, MultiHeadAttention (masks past return_sequences included), RepeatVector, Permute
  // and activity regularizers pass the plan; what they do not cover is refused by name.
  void sequenceLayersArePlanned() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto mse = makeLoss("mse");
    auto opt = makeOptimizer("adam");
    for (bool scale : {false, true})
      for (bool key : {false, true}) {
        Model m(gpucheck::attentionModel(scale, true, key), 1);
        expectPlanned(m, *mse, *opt, "Attention");
      }
    Model t(gpucheck::transformerBlock(), 1);
    expectPlanned(t, *loss, *opt, "Transformer block");
    for (const char* cls : {"LSTM", "GRU", "SimpleRNN"}) {
      Model ed(gpucheck::encoderDecoder(cls, false), 1);
      expectPlanned(ed, *mse, *opt, std::string(cls) + " return_state / initial_state");
    }
    Model dates(gpucheck::datesSeq2seq(10, 6, 14, 9), 1);
    expectPlanned(dates, *loss, *opt, "dates seq2seq");
    using gpucheck::denseConfig;
    auto refused = [&](const std::string& cls, const nlohmann::json& config,
                       const std::string& expected) {
      Model m(gpucheck::functional({kNone, 6, 4},
                                   {{"h", "Dense", denseConfig(8, "tanh"), {"in"}},
                                    {"a", cls, config, {"h", "h"}},
                                    {"flat", "Flatten", {}, {"a"}},
                                    {"out", "Dense", denseConfig(3, "linear"), {"flat"}}}),
              1);
      expectRefused([&] { gpu::Executor::checkPlan(m, {mse.get()}, *opt); }, expected);
    };
    refused("Attention", {{"dropout", 0.1}},
            "Attention 'a' with dropout is not on the GPU yet; use --device cpu");
    for (bool key : {false, true}) {
      Model concat(gpucheck::attentionModel(true, true, key, "Attention", "concat"), 1);
      expectPlanned(concat, *mse, *opt, "Attention concat");
      Model additive(gpucheck::attentionModel(true, false, key, "AdditiveAttention"), 1);
      expectPlanned(additive, *mse, *opt, "AdditiveAttention");
    }
    refused("Dot", {{"axes", 2}, {"normalize", true}},
            "Dot 'a' with normalize is not on the GPU yet; use --device cpu");
    refused("Attention", {{"return_attention_scores", true}},
            "Attention 'a' with return_attention_scores is not on the GPU yet; use --device cpu");
    refused("MultiHeadAttention", {{"num_heads", 2}, {"key_dim", 3}, {"kernel_regularizer", "l2"}},
            "MultiHeadAttention 'a' with a kernel_regularizer is not on the GPU yet; use --device "
            "cpu");
    refused("MultiHeadAttention", {{"num_heads", 2}, {"key_dim", 3}, {"dropout", 0.2}},
            "MultiHeadAttention 'a' with dropout is not on the GPU yet; use --device cpu");
    // Inference has no dropout: planned.
    Model drop(
        gpucheck::functional({kNone, 6, 4}, {{"h", "Dense", denseConfig(8, "tanh"), {"in"}},
                                             {"a", "Attention", {{"dropout", 0.1}}, {"h", "h"}},
                                             {"flat", "Flatten", {}, {"a"}},
                                             {"out", "Dense", denseConfig(3, "linear"), {"flat"}}}),
        1);
    try {
      gpu::Executor::createInference(0, drop, 4);
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("not on the GPU") == std::string::npos, e.what());
    }
    Model rp(gpucheck::functional({kNone, 6, 4},
                                  {{"p", "Permute", {{"dims", {2, 1}}}, {"in"}},
                                   {"flat", "Flatten", {}, {"p"}},
                                   {"d", "Dense", denseConfig(7, "tanh"), {"flat"}},
                                   {"rep", "RepeatVector", {{"n", 5}}, {"d"}},
                                   {"lstm", "LSTM", {{"units", 6}}, {"rep"}},
                                   {"ar", "ActivityRegularization", {{"l1", 0.01}}, {"lstm"}},
                                   {"out", "Dense", denseConfig(3, "linear"), {"ar"}}}),
             1);
    expectPlanned(rp, *mse, *opt, "Permute, RepeatVector, ActivityRegularization");
    Model mk(
        gpucheck::functional({kNone, 6, 4},
                             {{"norm", "Normalization", {{"axis", -1}}, {"in"}},
                              {"mask", "Masking", {{"mask_value", 0.0}}, {"norm"}},
                              {"td",
                               "TimeDistributed",
                               {{"layer", {{"class_name", "Dense"}, {"config", {{"units", 5}}}}}},
                               {"mask"}},
                              {"lstm", "LSTM", {{"units", 6}}, {"td"}},
                              {"out", "Dense", denseConfig(3, "linear"), {"lstm"}}}),
        1);
    expectPlanned(mk, *mse, *opt, "Normalization, Masking, TimeDistributed(Dense)");
    const nlohmann::json conv = {{"class_name", "Conv2D"},
                                 {"config", {{"filters", 4}, {"kernel_size", 3}}}};
    Model tdc(gpucheck::functional({kNone, 3, 8, 8, 1},
                                   {{"td", "TimeDistributed", {{"layer", conv}}, {"in"}},
                                    {"flat", "Flatten", {}, {"td"}},
                                    {"out", "Dense", denseConfig(3, "linear"), {"flat"}}}),
              1);
    expectRefused([&] { gpu::Executor::checkPlan(tdc, {mse.get()}, *opt); },
                  "TimeDistributed 'td' of a Conv2D is not on the GPU yet; use --device cpu");
  }

  // Every layer class of the catalog with its default config (the palette's suggested values for
  // required keys), on the first of a few input
  // shapes the CPU engine builds it for (merge layers get the tensor twice), between the input
  // and Flatten + Dense: the GPU plan either takes it or refuses it by name ("... is not on the
  // GPU yet"), never an internal error. Prints the table; the classes that must plan are listed.
  void catalogLayersArePlannedOrNamed() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    using gpucheck::denseConfig;
    auto loss = makeLoss("mse");
    auto opt = makeOptimizer("adam");
    const std::vector<Shape> shapes = {
        {kNone, 12}, {kNone, 6, 4}, {kNone, 8, 8, 3}, {kNone, 4, 6, 6, 2}};
    std::vector<std::string> planned, refused, unbuilt;
    for (const LayerInfo* info : LayerRegistry::instance().all()) {
      if (info->isInput) continue;
      bool built = false;
      for (const Shape& shape : shapes) {
        std::unique_ptr<Model> m;
        try {
          std::vector<std::string> ins(size_t(std::max(1, info->minInputs)), "in");
          nlohmann::json config = nlohmann::json::object();  // the palette's values where required
          for (const ParamSpec& p : info->params)
            if (p.required) config[p.key] = p.suggested;
          m = std::make_unique<Model>(
              gpucheck::functional(shape, {{"l", info->className, config, ins},
                                           {"flat", "Flatten", {}, {"l"}},
                                           {"out", "Dense", denseConfig(2, "linear"), {"flat"}}}),
              1);
        } catch (const std::exception&) {
          continue;  // not this shape (or no config by default)
        }
        built = true;
        try {
          gpu::Executor::checkPlan(*m, {loss.get()}, *opt);
          planned.push_back(info->className);
        } catch (const Error& e) {
          const std::string msg = e.what();
          QVERIFY2(msg.find("is not on the GPU yet; use --device cpu") != std::string::npos,
                   (info->className + ": " + msg).c_str());
          refused.push_back(info->className + " (" + msg.substr(0, msg.find(" is not on")) + ")");
        }
        break;
      }
      if (!built) unbuilt.push_back(info->className);
    }
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    qInfo("planned on the GPU (%zu): %s", planned.size(), join(planned).c_str());
    qInfo("refused by name (%zu): %s", refused.size(), join(refused).c_str());
    qInfo("no default model here (%zu): %s", unbuilt.size(), join(unbuilt).c_str());
    for (const char* cls : {"Dense",
                            "Activation",
                            "Dropout",
                            "Flatten",
                            "Reshape",
                            "Permute",
                            "RepeatVector",
                            "Conv1D",
                            "Conv2D",
                            "DepthwiseConv2D",
                            "SeparableConv2D",
                            "Conv2DTranspose",
                            "MaxPooling2D",
                            "AveragePooling2D",
                            "GlobalAveragePooling2D",
                            "BatchNormalization",
                            "LayerNormalization",
                            "Add",
                            "Concatenate",
                            "Multiply",
                            "LSTM",
                            "GRU",
                            "SimpleRNN",
                            "Attention",
                            "AdditiveAttention",
                            "Dot",
                            "RandomFlip",
                            "Masking",
                            "GaussianNoise",
                            "ActivityRegularization",
                            "Rescaling",
                            "ZeroPadding2D",
                            "UpSampling2D",
                            "IntegerLookup",
                            "MultiHeadAttention",
                            "TimeDistributed",
                            "Normalization",
                            "RandomZoom"})
      QVERIFY2(std::find(planned.begin(), planned.end(), cls) != planned.end(), cls);
  }

  // The convolution plans (no GPU needed): what cuDNN is asked to compute (KRSC kernel from
  // Keras's layout, groups, cuDNN's symmetric padding or an explicit pad of A, Conv2DTranspose as
  // backward data plus a crop) equals the CPU layer's output, for every padding case: TF's
  // one-more-after "same" at stride > 1, "causal", depthwise with a depth multiplier, grouped,
  // dilated, transposed "same" with k - s odd and even.
  void convPlansMatchCpuLayers() {
    if (!gpu::cudaBuild()) QSKIP("this build has no CUDA backend");
    using gpucheck::layer;
    struct Case {
      json spec;
      Shape in;
      bool explicitPad;
    };
    auto conv = [](const std::string& cls, json c) {
      c["name"] = "c";
      c["activation"] = "linear";
      c["use_bias"] = false;
      return layer(cls, c);
    };
    const std::vector<Case> cases = {
        {conv("Conv2D", {{"filters", 4}, {"kernel_size", 4}, {"strides", 2}, {"padding", "same"}}),
         {9, 9, 3},
         true},
        {conv("Conv2D", {{"filters", 5}, {"kernel_size", 2}, {"padding", "same"}}),
         {9, 9, 3},
         true},
        {conv("Conv2D", {{"filters", 4}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}}),
         {9, 9, 3},
         false},
        {conv("Conv2D", {{"filters", 4},
                         {"kernel_size", {3, 2}},
                         {"strides", {1, 2}},
                         {"padding", "same"},
                         {"dilation_rate", 1}}),
         {9, 9, 2},
         true},
        {conv("Conv2D", {{"filters", 6}, {"kernel_size", 3}, {"groups", 2}}), {9, 9, 4}, false},
        {conv("DepthwiseConv2D",
              {{"kernel_size", 2}, {"strides", 2}, {"padding", "same"}, {"depth_multiplier", 2}}),
         {9, 9, 3},
         true},
        {conv("DepthwiseConv2D", {{"kernel_size", 3}, {"dilation_rate", 2}, {"padding", "same"}}),
         {9, 9, 3},
         false},
        {conv("Conv1D",
              {{"filters", 4}, {"kernel_size", 3}, {"dilation_rate", 2}, {"padding", "causal"}}),
         {12, 3},
         true},
        {conv("Conv1D", {{"filters", 4}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}}),
         {12, 3},
         true},
        {conv("Conv2DTranspose",
              {{"filters", 3}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}}),
         {5, 4, 2},
         true},
        {conv("Conv2DTranspose",
              {{"filters", 3}, {"kernel_size", 4}, {"strides", 2}, {"padding", "same"}}),
         {5, 4, 2},
         false},
        {conv("Conv2DTranspose", {{"filters", 2}, {"kernel_size", 3}, {"padding", "valid"}}),
         {5, 4, 2},
         false},
        {conv("Conv2DTranspose", {{"filters", 2}, {"kernel_size", 2}, {"padding", "same"}}),
         {5, 4, 2},
         true},
    };
    Rng rng(5);
    for (const Case& c : cases) {
      json first = c.spec;
      json shape = json::array({nullptr});
      for (Index d : c.in) shape.push_back(d);
      first["config"]["batch_input_shape"] = shape;
      Model m(gpucheck::sequential(json::array({first, layer("Flatten", {{"name", "f"}})})), 1);
      const std::string name =
          c.spec["class_name"].get<std::string>() + " " + c.spec["config"].dump();
      std::vector<gpu::ConvPlan> plans;
      try {
        plans = gpu::Executor::convPlans(m);
      } catch (const std::exception& ex) {
        QFAIL((name + ": " + ex.what()).c_str());
      }
      QVERIFY2(plans.size() == 1, name.c_str());
      const gpu::ConvPlan& p = plans[0];
      QVERIFY2(p.explicitPad == c.explicitPad, name.c_str());
      const int n = 2;
      Shape xs{n};
      xs.insert(xs.end(), c.in.begin(), c.in.end());
      const Tensor x = gpucheck::randomNormal(xs, rng);
      RunContext ctx;
      m.forward({&x}, false, ctx);
      const Tensor y = m.output(0);
      // The CPU kernel gradient for a random output gradient.
      Tensor dy = gpucheck::randomNormal(y.shape(), rng);
      RunContext tctx;
      m.forward({&x}, true, tctx);
      m.backward({&dy}, tctx);
      const Tensor& kernelGrad = m.layer("c")->variables()[0].grad;
      std::vector<double> got, gotGrad;
      try {
        const CudnnEmulation e(p, m.layer("c")->variables()[0].value);
        got = p.transposed ? e.backwardData(x, n) : e.forward(x, n);
        Tensor dyA = dy;  // (n, features): the emulation reads it flat
        gotGrad = e.kernelGradient(x, dyA, n);
      } catch (const std::exception& ex) {
        QFAIL((name + ": " + ex.what()).c_str());
      }
      QVERIFY2(Index(gotGrad.size()) == kernelGrad.size(), name.c_str());
      double gn = 0, gd = 0;
      for (Index i = 0; i < kernelGrad.size(); ++i) {
        gn += (gotGrad[size_t(i)] - kernelGrad[i]) * (gotGrad[size_t(i)] - kernelGrad[i]);
        gd += double(kernelGrad[i]) * kernelGrad[i];
      }
      QVERIFY2(gd > 0 && std::sqrt(gn / gd) < 1e-5,
               (name + " kernel gradient: " + std::to_string(std::sqrt(gn / gd))).c_str());
      QVERIFY2(Index(got.size()) == y.size(), name.c_str());
      double num = 0, den = 0;
      for (Index i = 0; i < y.size(); ++i) {
        num += (got[size_t(i)] - y[i]) * (got[size_t(i)] - y[i]);
        den += double(y[i]) * y[i];
      }
      QVERIFY2(den > 0 && std::sqrt(num / den) < 1e-5,
               (name + ": " + std::to_string(std::sqrt(num / den))).c_str());
    }
  }

  void cnnLayersMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkCnnLayers(0));
  }
  void cnnStepMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkCnnStep(0));
  }
  // evaluate() and predict() on "cuda" never fall back to the CPU silently.
  void inferenceWithoutDeviceIsAClearError() {
    if (gpu::deviceCount() > 0) QSKIP("a CUDA device is present");
    Model m(gpucheck::fashionCnn(false), 1);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.optimizer = "sgd";
    Trainer t(m, c);
    const Dataset d = gpucheck::syntheticData(8, {28, 28, 1}, 10, false, 1);
    QCOMPARE(t.evaluate(d, 4, "cpu").size(), size_t(1));
    QCOMPARE(t.predict(d.x, 4, "cpu")[0].dim(0), Index(8));
    for (const char* dev : {"cuda", "cuda:1"}) {
      QVERIFY_THROWS_EXCEPTION(Error, t.evaluate(d, 4, dev));
      QVERIFY_THROWS_EXCEPTION(Error, t.predict(d.x, 4, dev));
    }
  }
  void inferenceMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkInference(0));
  }

  void deterministicFitsAreEqual() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkDeterminism(0));
    gpucheck::useCheckAlgorithms();
  }

  void tf32StaysNearFp32() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkTf32(0));
  }

  void resumeAcrossDevices() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkResume(0));
  }

  void cnnFitMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkCnnFit(0));
  }

  void denseActivationsMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkLayers(0));
  }
  void seedMlpStepMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkSeedMlpStep(0));
  }
  void seedMlpFitMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkSeedMlpFit(0));
  }
  void recurrentMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkRecurrent(0));
  }
  void regularizersMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkRegularizers(0));
  }
  void lossesMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkLosses(0));
    report(gpucheck::checkLossesRank3(0));
  }
  void updatesMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkUpdates(0));
  }
  void branchesMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkBranches(0));
  }
  void optimizersMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkOptimizers(0));
  }
  void masksAndBidirectionalMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkMasks(0));
  }
  void sequenceLayersMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkSequence(0));
  }
  void largeTensorsMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkLargeTensors(0));
  }
  void hostDrawsMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkHostDraws(0));
  }
  void multiInputOutputMatchesCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkMultiIo(0));
  }
  void mixedPrecisionMatchesItsReference() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkMixed(0));
  }

  // Keras's dtype policies: parsed by name (anything else is named in the error), recorded in the
  // run (fit.dtype_policy, written when not float32), and refused by fit() on the CPU rather than
  // trained in another precision than asked.
  void dtypePolicies() {
    QVERIFY(gpu::precisionFromName("float32") == gpu::Precision::Float32);
    QVERIFY(gpu::precisionFromName("mixed_float16") == gpu::Precision::MixedFloat16);
    QVERIFY(gpu::precisionFromName("mixed_bfloat16") == gpu::Precision::MixedBFloat16);
    try {
      gpu::precisionFromName("float16");
      QFAIL("float16 is not a policy of the engine");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("mixed_bfloat16") != std::string::npos, e.what());
    }
    RunSettings s;
    QVERIFY(!s.toJson().at("fit").contains("dtype_policy"));
    s.fit.dtypePolicy = "mixed_bfloat16";
    const RunSettings back = RunSettings::fromJson(s.toJson());
    QCOMPARE(back.fit.dtypePolicy, std::string("mixed_bfloat16"));
    QCOMPARE(back.fitOptions(0).dtypePolicy, std::string("mixed_bfloat16"));
    nlohmann::json bad = s.toJson();
    bad["fit"]["dtype_policy"] = "half";
    QVERIFY_THROWS_EXCEPTION(Error, RunSettings::fromJson(bad));

    Model m(gpucheck::seedMlp(), 1);
    const std::vector<float> before = gpucheck::allValues(m);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.optimizer = "sgd";
    Trainer t(m, c);
    FitOptions o;
    o.verbose = 0;
    o.dtypePolicy = "mixed_float16";
    const Dataset d = gpucheck::syntheticData(8, {28, 28}, 10, false, 1);
    try {
      t.fit(d, o);
      QFAIL("fit() on the CPU should refuse mixed_float16");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("runs on a GPU") != std::string::npos, e.what());
    }
    QVERIFY(gpucheck::allValues(m) == before);  // nothing trained
  }
};

QTEST_APPLESS_MAIN(TestEngineGpu)
#include "tst_engine_gpu.moc"
