// The CUDA backend (engine/gpu): device selection and its errors everywhere; GPU-vs-CPU equality
// (GpuChecks.h) where a CUDA device is found, else those cases skip with "no CUDA device".
#include <QtTest>

#include "GpuChecks.h"
#include "engine/core/Error.h"
#include "engine/gpu/GpuDevice.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/session/RunSettings.h"

using namespace tessel;

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
    const nlohmann::json layers = nlohmann::json::array(
        {{{"class_name", "LSTM"},
          {"config", {{"name", "lstm"}, {"units", 4}, {"batch_input_shape", {nullptr, 8, 1}}}}},
         gpucheck::denseLayer("out", 3, "softmax")});
    Model m(gpucheck::sequential(layers), 1);
    auto loss = makeLoss("sparse_categorical_crossentropy");
    auto opt = makeOptimizer("sgd");
    try {
      gpu::Executor::create(0, m, {loss.get()}, {1.0}, *opt, m.trainableWeights(), 4);
      QFAIL("LSTM should be refused");
    } catch (const Error& e) {
      QCOMPARE(std::string(e.what()),
               std::string("LSTM 'lstm' is not on the GPU yet; use --device cpu"));
    }
    // The inference plan (evaluate, predict) refuses it the same way.
    try {
      gpu::Executor::createInference(0, m, 4);
      QFAIL("LSTM should be refused");
    } catch (const Error& e) {
      QCOMPARE(std::string(e.what()),
               std::string("LSTM 'lstm' is not on the GPU yet; use --device cpu"));
    }
    Model mlp(gpucheck::seedMlp(), 1);
    auto rms = makeOptimizer("rmsprop");
    QVERIFY_THROWS_EXCEPTION(
        Error, gpu::Executor::create(0, mlp, {loss.get()}, {1.0}, *rms, mlp.trainableWeights(), 4));
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
      try {
        gpu::Executor::create(0, m, {loss.get()}, {1.0}, *opt, m.trainableWeights(), 4);
        QVERIFY(gpu::deviceCount() > 0);
      } catch (const Error& e) {
        const std::string msg = e.what();
        QVERIFY2(msg.find("not on the GPU") == std::string::npos, (name + ": " + msg).c_str());
        QVERIFY2(gpu::deviceCount() == 0, (name + ": " + msg).c_str());
      }
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
  void optimizersMatchCpu() {
    if (deviceOrSkip() < 0) QSKIP("no CUDA device");
    report(gpucheck::checkOptimizers(0));
  }
};

QTEST_APPLESS_MAIN(TestEngineGpu)
#include "tst_engine_gpu.moc"
