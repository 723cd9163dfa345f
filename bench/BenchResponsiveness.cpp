// `tessel-bench responsiveness`: the training dashboard (offscreen) trains the Fashion-MNIST MLP on
// Fashion-MNIST from its Start button while a 5 ms timer probe in the GUI thread measures event-
// loop stalls (the gap between two probe ticks beyond the probe period); prints p50 / p99 / max
// stall and the training samples/s, then trains the same model headless (Trainer::fit on this
// thread, no observer) and prints the throughput ratio GUI / headless.
// Throughput on both sides is wall time of the whole fit() (epoch-end validation pass included),
// so the ratio compares like with like. --device cuda[:N] trains both on the GPU (the studio's
// overhead there: the dashboard's draining, plots and epoch-end copies against the bare fit);
// --synthetic uses generated 28x28 images instead of the Debian Fashion-MNIST files (GPU
// machines lack them); --batch N (default 32).
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPushButton>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "bench/BenchRegistry.h"
#include "bench/GuiApplication.h"
#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/Array.h"
#include "engine/data/FashionMnist.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingPanel.h"

namespace tessel::bench {

namespace {

CompileOptions mlpCompile() {
  CompileOptions c;
  c.losses = {"sparse_categorical_crossentropy"};
  c.metrics = {{"accuracy"}};
  c.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.01}}}};
  return c;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Long by design: one benchmark's measurements in the order it prints them.
int runResponsiveness(const BenchOptions& o) {
  GuiApplication app;
  const bool synthetic = o.args && o.args->has("--synthetic");
  if (!synthetic && !fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (--synthetic trains on generated images)");
  ModelSpec spec = ModelSpec::fromKerasJson(nlohmann::json::parse(fashionMlpJson()));
  Shape inputShape;
  {
    Model probe(spec, 0);
    inputShape = probe.inputShape(0);
  }
  Dataset train;
  if (synthetic) {
    // Images in [0, 1) and labels from a fixed rule on them, the real set's shapes.
    Shape s{Index(o.samples)};
    for (size_t d = 1; d < inputShape.size(); ++d) s.push_back(inputShape[d]);
    Tensor x(s), y({Index(o.samples)});
    Rng rng(5);
    const Index per = x.size() / Index(o.samples);
    for (Index i = 0; i < Index(o.samples); ++i) {
      double sum = 0;
      for (Index k = 0; k < per; ++k) sum += (x[i * per + k] = rng.uniform()) * double(k % 7);
      y[i] = float(Index(sum) % 10);
    }
    train = Dataset{{Array::fromTensor(x)}, {Array::fromTensor(y)}, {}};
  } else {
    FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, o.samples);
    Shape s{f.xTrain.rows()};
    for (size_t d = 1; d < inputShape.size(); ++d) s.push_back(inputShape[d]);
    train = Dataset{{f.xTrain.reshaped(s)}, {f.yTrain}, {}};
  }
  FitOptions fit;
  fit.epochs = o.epochs;
  fit.batchSize = o.args ? int(o.args->intValue("--batch", 32, 1, 65536)) : 32;
  fit.device = o.args ? o.args->value("--device", "cpu") : std::string("cpu");
  fit.shuffle = true;
  fit.verbose = 0;
  const double samples = static_cast<double>(train.size()) * o.epochs;
  std::printf(
      "bench responsiveness: the Fashion-MNIST MLP (%s), %lld samples x %d epoch(s), batch %d, "
      "%d thread(s), device %s; GUI offscreen\n",
      synthetic ? "synthetic images" : "Fashion-MNIST", static_cast<long long>(train.size()),
      o.epochs, fit.batchSize, o.threads, fit.device.c_str());
  std::fflush(stdout);

  // 1. With the dashboard panel.
  double guiRate = 0;
  std::vector<double> stallsMs;
  {
    ui::TrainingPanel panel;
    panel.resize(1200, 800);
    panel.show();
    panel.setJob(spec, mlpCompile(), train, fit);
    QElapsedTimer clock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    // TESSEL_PROBE_MS (default 5): the probe's period; a stall is a tick's lateness beyond it,
    // so every stall longer than the period is caught. A 1 ms probe wakes the GUI thread 1,000
    // times a second, which on 2 cores keeps preempting one of the two OpenMP training threads
    // (their barriers spin): training then runs at ~5 % of its speed (measured 2026-11-26).
    const int probeMs = qEnvironmentVariableIsSet("TESSEL_PROBE_MS")
                            ? std::max(1, qEnvironmentVariableIntValue("TESSEL_PROBE_MS"))
                            : 5;
    probe.setInterval(probeMs);
    qint64 last = -1;
    bool measuring = false;
    QObject::connect(&probe, &QTimer::timeout, [&] {
      qint64 now = clock.nsecsElapsed();
      if (measuring && last >= 0) stallsMs.push_back(std::max(0.0, (now - last) * 1e-6 - probeMs));
      last = now;
    });
    qint64 startedNs = 0, endedNs = 0;
    QEventLoop loop;
    ui::TrainingController* c = panel.controller();
    QObject::connect(c, &ui::TrainingController::started, [&] {
      startedNs = clock.nsecsElapsed();
      measuring = true;
    });
    QObject::connect(c, &ui::TrainingController::finished, [&] {
      endedNs = clock.nsecsElapsed();
      measuring = false;
      loop.quit();
    });
    QObject::connect(c, &ui::TrainingController::failed, [&](const QString& m) {
      std::printf("training failed: %s\n", qPrintable(m));
      loop.quit();
    });
    clock.start();
    probe.start();
    panel.startButton()->click();
    loop.exec();
    probe.stop();
    if (endedNs <= startedNs) throw Error("bench responsiveness: training did not finish");
    // The started signal comes with the first drain (up to one drain interval after fit began).
    guiRate = samples / ((endedNs - startedNs) * 1e-9);
  }
  std::printf("gui: %zu probe ticks, stall p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              stallsMs.size(), percentile(stallsMs, 0.5), percentile(stallsMs, 0.99),
              stallsMs.empty() ? 0.0 : *std::max_element(stallsMs.begin(), stallsMs.end()));
  std::printf("gui: training %.0f samples/s\n", guiRate);
  std::fflush(stdout);

  // 2. Headless, same model, data, options, seed.
  double headlessRate = 0;
  {
    Model model(spec, fit.seed);
    Trainer trainer(model, mlpCompile());
    QElapsedTimer t;
    t.start();
    trainer.fit(train, fit);
    headlessRate = samples / (t.nsecsElapsed() * 1e-9);
  }
  std::printf("headless: training %.0f samples/s\n", headlessRate);
  std::printf("ratio gui/headless: %.3f\n", headlessRate > 0 ? guiRate / headlessRate : 0.0);
  std::printf("samples_per_s=%.0f\n", guiRate);
  std::fflush(stdout);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(responsiveness, "responsiveness",
                      "GUI event-loop stalls (5 ms probe) while the dashboard trains the "
                      "Fashion-MNIST MLP, and its throughput vs headless",
                      runResponsiveness,
                      {{"--device", "DEV", false, "cpu (default) or cuda[:N]: both runs there"},
                       {"--batch", "N", false, "batch size (default 32)"},
                       {"--synthetic", nullptr, false,
                        "generated 28x28 images instead of the Fashion-MNIST files"}});

}  // namespace tessel::bench
