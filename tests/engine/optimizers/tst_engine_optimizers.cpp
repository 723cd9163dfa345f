// Optimizers: three steps on a 2-element variable against the update rule written out in double
// precision here (tfjs-core numerics; Keras 2.11+ for Nadam and SGD momentum), hand-computed
// first steps, clipping, weight decay, schedules, config round trips and state restore.
#include <QtTest>

#include <cmath>
#include <functional>

#include "engine/core/Error.h"
#include "engine/optimizers/Optimizer.h"

using namespace tessel;
using json = nlohmann::json;

namespace {

// The gradient used in the three-step tests: depends on w so that the state matters.
double gradOf(double w, int i) {
  return 0.8 * w + (i == 0 ? -0.3 : 0.1);
}

// Runs `steps` updates of `opt` on w0 (float variable) and returns the values.
std::vector<double> runEngine(Optimizer& opt, std::vector<float> w0, int steps = 3) {
  Variable v{"kernel", Tensor({2}, w0), Tensor({2}), true};
  std::vector<Variable*> vars{&v};
  for (int s = 0; s < steps; ++s) {
    for (int i = 0; i < 2; ++i) v.grad[i] = float(gradOf(v.value[i], i));
    opt.apply(vars);
  }
  if (opt.iterations() != steps) qWarning("iterations %lld", opt.iterations());
  return {v.value[0], v.value[1]};
}

// Reference: `step(i, w, g, t)` updates one element in double; state lives in the lambda.
std::vector<double> runReference(std::vector<double> w,
                                 const std::function<double(int, double, double, int)>& step,
                                 int steps = 3) {
  for (int t = 1; t <= steps; ++t)
    for (int i = 0; i < 2; ++i) w[i] = step(i, w[i], gradOf(float(w[i]), i), t);
  return w;
}

bool close(const std::vector<double>& a, const std::vector<double>& b, double rtol = 2e-6) {
  for (size_t i = 0; i < a.size(); ++i)
    if (std::fabs(a[i] - b[i]) > 1e-7 + rtol * std::fabs(b[i])) {
      qWarning("element %zu: engine %.9g reference %.9g", i, a[i], b[i]);
      return false;
    }
  return true;
}

bool same(const Tensor& a, const Tensor& b) {
  if (a.size() != b.size()) return false;
  for (Index i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

const std::vector<float> kW0{1.0f, -2.0f};

std::unique_ptr<Optimizer> make(const std::string& cls, json cfg) {
  return makeOptimizer({{"class_name", cls}, {"config", cfg}});
}

}  // namespace

class TestOptimizers : public QObject {
  Q_OBJECT
 private slots:
  void defaults() {
    auto a = makeOptimizer("adam");
    QCOMPARE(a->name(), std::string("Adam"));
    auto c = a->config();
    QCOMPARE(c["learning_rate"], json(0.001));
    QCOMPARE(c["beta_1"], json(0.9));
    QCOMPARE(c["beta_2"], json(0.999));
    QCOMPARE(c["epsilon"], json(1e-7));
    QCOMPARE(c["amsgrad"], json(false));
    QCOMPARE(c["name"], json("Adam"));
    QVERIFY(c["clipnorm"].is_null() && c["clipvalue"].is_null() && c["global_clipnorm"].is_null());
    QCOMPARE(c["is_legacy_optimizer"], json(false));
    auto s = makeOptimizer("sgd")->config();
    QCOMPARE(s["learning_rate"], json(0.01));
    QCOMPARE(s["momentum"], json(0.0));
    QCOMPARE(s["nesterov"], json(false));
    auto r = makeOptimizer("rmsprop")->config();
    QCOMPARE(r["learning_rate"], json(0.001));
    QCOMPARE(r["rho"], json(0.9));
    QCOMPARE(r["epsilon"], json(1e-7));
    QCOMPARE(r["centered"], json(false));
    auto g = makeOptimizer("Adagrad")->config();
    QCOMPARE(g["learning_rate"], json(0.001));
    QCOMPARE(g["initial_accumulator_value"], json(0.1));
    QCOMPARE(makeOptimizer("adamax")->config()["learning_rate"], json(0.001));
    QCOMPARE(makeOptimizer("nadam")->config()["epsilon"], json(1e-7));
    QCOMPARE(makeOptimizer("RMSprop")->name(), std::string("RMSprop"));
  }

  void handComputedFirstSteps() {
    // SGD: 1 - 0.1 * 0.5.
    {
      auto o = make("SGD", {{"learning_rate", 0.1}});
      Variable v{"w", Tensor({1}, {1.0f}), Tensor({1}, {0.5f}), true};
      o->apply({&v});
      QCOMPARE(v.value[0], 0.95f);
    }
    // Adam step 1: m_hat = g, v_hat = g^2 -> w - lr g / (|g| + eps) = 1 - 0.001 * 0.9999998.
    {
      auto o = makeOptimizer("adam");
      Variable v{"w", Tensor({1}, {1.0f}), Tensor({1}, {0.5f}), true};
      o->apply({&v});
      QVERIFY(std::fabs(v.value[0] - 0.999f) < 1e-7f);
    }
    // tfjs epsilon placement, visible with a tiny gradient: -lr g / (|g| + eps) = -9.0909e-4
    // (Keras 2.11+'s lr_t m / (sqrt(v) + eps) would give about -2.4e-4).
    {
      auto o = makeOptimizer("adam");
      Variable v{"w", Tensor({1}, {0.0f}), Tensor({1}, {1e-6f}), true};
      o->apply({&v});
      QVERIFY(std::fabs(v.value[0] + 0.001f / 1.1f) < 1e-8f);
    }
    // Adagrad step 1: acc = 0.1 + 0.25; 1 - 0.1 * 0.5 / sqrt(0.35 + 1e-7) = 0.9154846.
    {
      auto o = make("Adagrad", {{"learning_rate", 0.1}});
      Variable v{"w", Tensor({1}, {1.0f}), Tensor({1}, {0.5f}), true};
      o->apply({&v});
      QVERIFY(std::fabs(v.value[0] - 0.9154846f) < 1e-6f);
    }
  }

  void sgd() {
    auto plain = make("SGD", {{"learning_rate", 0.1}});
    QVERIFY(close(runEngine(*plain, kW0),
                  runReference({1, -2}, [](int, double w, double g, int) { return w - 0.1 * g; })));
    for (bool nesterov : {false, true}) {
      auto o = make("SGD", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", nesterov}});
      double m[2] = {0, 0};
      auto ref = runReference({1, -2}, [&](int i, double w, double g, int) {
        m[i] = 0.9 * m[i] - 0.1 * g;
        return nesterov ? w + 0.9 * m[i] - 0.1 * g : w + m[i];
      });
      QVERIFY2(close(runEngine(*o, kW0), ref), nesterov ? "nesterov" : "momentum");
    }
  }

  void rmsprop() {
    for (bool centered : {false, true}) {
      for (double momentum : {0.0, 0.5}) {
        auto o = make("RMSprop",
                      {{"learning_rate", 0.01}, {"momentum", momentum}, {"centered", centered}});
        double v[2] = {0, 0}, a[2] = {0, 0}, mom[2] = {0, 0};
        auto ref = runReference({1, -2}, [&](int i, double w, double g, int) {
          v[i] = 0.9 * v[i] + 0.1 * g * g;
          double d = v[i] + 1e-7;
          if (centered) {
            a[i] = 0.9 * a[i] + 0.1 * g;
            d = v[i] - a[i] * a[i] + 1e-7;
          }
          const double inc = 0.01 * g / std::sqrt(d);
          mom[i] = momentum * mom[i] + inc;
          return w - (momentum > 0 ? mom[i] : inc);
        });
        QVERIFY2(close(runEngine(*o, kW0), ref, 1e-5), centered ? "centered" : "plain");
      }
    }
  }

  void adam() {
    for (bool amsgrad : {false, true}) {
      auto o = make("Adam", {{"learning_rate", 0.01}, {"amsgrad", amsgrad}});
      double m[2] = {0, 0}, v[2] = {0, 0}, vh[2] = {0, 0};
      auto ref = runReference({1, -2}, [&](int i, double w, double g, int t) {
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        vh[i] = std::max(vh[i], v[i]);
        const double mhat = m[i] / (1 - std::pow(0.9, t));
        const double vhat = (amsgrad ? vh[i] : v[i]) / (1 - std::pow(0.999, t));
        return w - 0.01 * mhat / (std::sqrt(vhat) + 1e-7);  // tfjs: eps added to sqrt(v_hat)
      });
      QVERIFY(close(runEngine(*o, kW0), ref));
    }
    // amsgrad differs once v shrinks: gradients 1 then 0.01 then 0.01.
    auto a = make("Adam", {{"learning_rate", 0.01}, {"beta_2", 0.5}, {"amsgrad", true}});
    auto b = make("Adam", {{"learning_rate", 0.01}, {"beta_2", 0.5}});
    Variable va{"w", Tensor({1}, {0.0f}), Tensor({1}), true}, vb = va;
    for (float g : {1.0f, 0.01f, 0.01f}) {
      va.grad[0] = vb.grad[0] = g;
      a->apply({&va});
      b->apply({&vb});
    }
    QVERIFY(std::fabs(va.value[0] - vb.value[0]) > 1e-4f);
  }

  void adagrad() {
    auto o = make("Adagrad", {{"learning_rate", 0.1}, {"initial_accumulator_value", 0.2}});
    double acc[2] = {0.2, 0.2};
    auto ref = runReference({1, -2}, [&](int i, double w, double g, int) {
      acc[i] += g * g;
      return w - 0.1 * g / std::sqrt(acc[i] + 1e-7);
    });
    QVERIFY(close(runEngine(*o, kW0), ref));
  }

  void adamax() {
    auto o = make("Adamax", {{"learning_rate", 0.01}});
    double m[2] = {0, 0}, u[2] = {0, 0};
    auto ref = runReference({1, -2}, [&](int i, double w, double g, int t) {
      m[i] = 0.9 * m[i] + 0.1 * g;
      u[i] = std::max(0.999 * u[i], std::fabs(g));
      return w - 0.01 / (1 - std::pow(0.9, t)) * m[i] / (u[i] + 1e-7);
    });
    QVERIFY(close(runEngine(*o, kW0), ref));
  }

  void nadam() {
    auto o = make("Nadam", {{"learning_rate", 0.01}});
    double m[2] = {0, 0}, v[2] = {0, 0};
    auto u = [](int t) { return 0.9 * (1 - 0.5 * std::pow(0.96, t)); };
    auto ref = runReference({1, -2}, [&](int i, double w, double g, int t) {
      double prod = 1;
      for (int s = 1; s <= t; ++s) prod *= u(s);
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      const double mhat = u(t + 1) * m[i] / (1 - prod * u(t + 1)) + (1 - u(t)) * g / (1 - prod);
      const double vhat = v[i] / (1 - std::pow(0.999, t));
      return w - 0.01 * mhat / (std::sqrt(vhat) + 1e-7);
    });
    QVERIFY(close(runEngine(*o, kW0), ref));
  }

  void clipping() {
    auto run = [](json cfg, std::vector<Variable*> vars) {
      cfg["learning_rate"] = 1.0;
      make("SGD", cfg)->apply(vars);
    };
    // clipnorm per variable: [3, 4] has norm 5 -> [0.6, 0.8]; [0.3, 0.4] is left alone.
    Variable a{"a", Tensor({2}, 0.0f), Tensor({2}, {3, 4}), true};
    Variable b{"b", Tensor({2}, 0.0f), Tensor({2}, {0.3f, 0.4f}), true};
    run({{"clipnorm", 1.0}}, {&a, &b});
    QVERIFY(std::fabs(a.value[0] + 0.6f) < 1e-6f && std::fabs(a.value[1] + 0.8f) < 1e-6f);
    QVERIFY(std::fabs(b.value[0] + 0.3f) < 1e-6f && std::fabs(b.value[1] + 0.4f) < 1e-6f);
    // The variable's own gradient is not modified.
    QCOMPARE(a.grad[0], 3.0f);
    // clipvalue.
    Variable c{"c", Tensor({3}, 0.0f), Tensor({3}, {-2, 0.25f, 3}), true};
    run({{"clipvalue", 0.5}}, {&c});
    QCOMPARE(c.value[0], 0.5f);
    QCOMPARE(c.value[1], -0.25f);
    QCOMPARE(c.value[2], -0.5f);
    // global_clipnorm: norms 5 and 12 -> global 13 -> everything scaled by 1/13.
    Variable d{"d", Tensor({2}, 0.0f), Tensor({2}, {3, 4}), true};
    Variable e{"e", Tensor({1}, 0.0f), Tensor({1}, {12}), true};
    run({{"global_clipnorm", 1.0}}, {&d, &e});
    QVERIFY(std::fabs(d.value[0] + 3.0f / 13) < 1e-6f);
    QVERIFY(std::fabs(e.value[0] + 12.0f / 13) < 1e-6f);
    // Below the threshold nothing changes.
    Variable f{"f", Tensor({1}, 0.0f), Tensor({1}, {0.5f}), true};
    run({{"global_clipnorm", 1.0}}, {&f});
    QCOMPARE(f.value[0], -0.5f);
    // Keras 2.11+: clipnorm and global_clipnorm together are refused.
    QVERIFY_THROWS_EXCEPTION(Error, make("SGD", {{"clipnorm", 1.0}, {"global_clipnorm", 1.0}}));
    // Non-trainable variables are left alone.
    Variable n{"n", Tensor({1}, 1.0f), Tensor({1}, {1}), false};
    run({}, {&n});
    QCOMPARE(n.value[0], 1.0f);
  }

  void weightDecay() {
    // Decoupled: w -= w * wd * lr, then the gradient step: 1 - 0.05 - 0.1 * 0.5.
    auto o = make("SGD", {{"learning_rate", 0.1}, {"weight_decay", 0.5}});
    Variable v{"w", Tensor({1}, {1.0f}), Tensor({1}, {0.5f}), true};
    o->apply({&v});
    QVERIFY(std::fabs(v.value[0] - 0.9f) < 1e-6f);
    QCOMPARE(o->config()["weight_decay"], json(0.5));
  }

  void schedules() {
    auto o = make(
        "SGD", {{"learning_rate",
                 {{"class_name", "ExponentialDecay"},
                  {"config",
                   {{"initial_learning_rate", 0.1}, {"decay_steps", 1}, {"decay_rate", 0.5}}}}}});
    QVERIFY(o->schedule());
    Variable v{"w", Tensor({1}, {0.0f}), Tensor({1}, {1.0f}), true};
    QCOMPARE(o->currentLearningRate(), 0.1);
    o->apply({&v});  // step 0: lr 0.1
    QCOMPARE(o->currentLearningRate(), 0.05);
    o->apply({&v});  // step 1: lr 0.05
    QVERIFY(std::fabs(v.value[0] + 0.15f) < 1e-6f);
    // The schedule is written back as the learning_rate dictionary.
    QCOMPARE(o->config()["learning_rate"]["class_name"], json("ExponentialDecay"));
    // setLearningRate turns the schedule off.
    o->setLearningRate(0.2);
    QVERIFY(!o->schedule());
    QCOMPARE(o->currentLearningRate(), 0.2);
    // Legacy "decay": lr / (1 + decay * iterations).
    auto l = make("SGD", {{"learning_rate", 0.1}, {"decay", 1.0}});
    l->setIterations(3);
    QVERIFY(std::fabs(l->currentLearningRate() - 0.025) < 1e-12);
  }

  void configRoundTrip() {
    const std::vector<json> specs = {
        {{"class_name", "Adam"},
         {"config",
          {{"learning_rate", 0.01}, {"beta_1", 0.8}, {"amsgrad", true}, {"clipnorm", 2.0}}}},
        {{"class_name", "SGD"},
         {"config", {{"momentum", 0.9}, {"nesterov", true}, {"clipvalue", 0.5}}}},
        {{"class_name", "RMSprop"},
         {"config", {{"centered", true}, {"momentum", 0.3}, {"global_clipnorm", 1.0}}}},
        {{"class_name", "Adagrad"}, {"config", {{"initial_accumulator_value", 0.3}}}},
        {{"class_name", "Adamax"}, {"config", {{"name", "my_adamax"}}}},
        {{"class_name", "Nadam"},
         {"config",
          {{"learning_rate",
            {{"class_name", "CosineDecay"},
             {"config", {{"initial_learning_rate", 0.1}, {"decay_steps", 10}}}}}}}},
    };
    for (const auto& spec : specs) {
      auto o = makeOptimizer(spec);
      const json c = o->config();
      auto back = makeOptimizer(o->toJson());
      QCOMPARE(back->config(), c);
      for (const auto& [k, v] : spec["config"].items())
        if (k != "learning_rate" || !v.is_object()) QCOMPARE(c[k], v);
    }
    QCOMPARE(makeOptimizer(specs[4])->config()["name"], json("my_adamax"));
    // A Keras 2.15 training_config optimizer loads.
    auto k = makeOptimizer(json::parse(
        R"({"class_name": "Custom>Adam", "config": {"name": "Adam", "weight_decay": null,
        "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false,
        "ema_momentum": 0.99, "ema_overwrite_frequency": null, "jit_compile": true,
        "is_legacy_optimizer": false, "learning_rate": 0.0010000000474974513, "beta_1": 0.9,
        "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}})"));
    QCOMPARE(k->name(), std::string("Adam"));
    QVERIFY(std::fabs(k->learningRate() - 0.001) < 1e-9);
  }

  void errors() {
    try {
      makeOptimizer("adamw");
      QFAIL("unknown optimizer accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("'adamw'") && QString(e.what()).contains("adam"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, make("Adam", {{"beta1", 0.9}}));
    QVERIFY_THROWS_EXCEPTION(Error, make("Adam", {{"learning_rate", "fast"}}));
    QVERIFY_THROWS_EXCEPTION(Error, make("SGD", {{"momentum", 1.5}}));
    QVERIFY_THROWS_EXCEPTION(Error, make("Adam", {{"use_ema", true}}));
    QVERIFY_THROWS_EXCEPTION(
        Error, make("Adam", {{"learning_rate", {{"class_name", "Nope"}, {"config", {}}}}}));
    // A different variable list after the first step is refused.
    auto o = makeOptimizer("adam");
    Variable a{"a", Tensor({1}), Tensor({1}), true}, b = a;
    o->apply({&a});
    QVERIFY_THROWS_EXCEPTION(Error, o->apply({&a, &b}));
  }

  void stateRestore() {
    for (const char* cls : {"Adam", "Nadam", "RMSprop", "Adagrad", "Adamax", "SGD"}) {
      json cfg = {{"learning_rate", 0.01}};
      if (std::string(cls) == "SGD") cfg["momentum"] = 0.9;
      if (std::string(cls) == "RMSprop") cfg["centered"] = true, cfg["momentum"] = 0.5;
      auto a = make(cls, cfg);
      Variable v{"kernel", Tensor({2}, kW0), Tensor({2}), true};
      Variable bias{"bias", Tensor({1}, {0.5f}), Tensor({1}), true};
      std::vector<Variable*> vars{&v, &bias};
      auto grads = [&] {
        for (int i = 0; i < 2; ++i) v.grad[i] = float(gradOf(v.value[i], i));
        bias.grad[0] = bias.value[0] - 0.2f;
      };
      QVERIFY(a->state().empty());
      for (int s = 0; s < 2; ++s) grads(), a->apply(vars);
      // Restore into a fresh optimizer built from the config.
      auto b = makeOptimizer(a->toJson());
      Variable v2 = v, bias2 = bias;
      std::vector<Variable*> vars2{&v2, &bias2};
      b->build(vars2);
      auto sa = a->state(), sb = b->state();
      QCOMPARE(sb.size(), sa.size());
      QCOMPARE(b->stateNames(), a->stateNames());
      for (size_t i = 0; i < sa.size(); ++i) sb[i]->copyFrom(*sa[i]);
      b->setIterations(a->iterations());
      grads(), a->apply(vars);
      v2.grad.copyFrom(v.grad), bias2.grad.copyFrom(bias.grad);
      b->apply(vars2);
      QVERIFY2(same(v2.value, v.value), cls);
      QVERIFY2(same(bias2.value, bias.value), cls);
    }
    auto adam = make("Adam", {{"amsgrad", true}});
    Variable v{"w", Tensor({3}), Tensor({3}), true};
    adam->build({&v});
    QCOMPARE(adam->state().size(), size_t(3));
    QCOMPARE(adam->stateNames(), (std::vector<std::string>{"m/0", "v/0", "vhat/0"}));
  }
};

QTEST_APPLESS_MAIN(TestOptimizers)
#include "tst_engine_optimizers.moc"
