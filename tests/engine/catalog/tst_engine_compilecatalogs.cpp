// The compile-time catalogs (optimizers, losses, metrics, learning-rate schedules), entry by
// entry, for every entry registered: the factory builds each one from its Keras defaults, from its
// class name in any case and from every alias as keras.<module>.get() resolves them; what the built
// object writes back in its config equals the catalog's defaults; unknown keys and out-of-range
// values are refused with a message naming the object and the key; the name checks of the command
// line and the compile panel accept every catalog name and nothing else.
#include <QtTest>

#include <algorithm>
#include <cctype>

#include "engine/catalog/CompileNames.h"
#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"
#include "engine/catalog/OptimizerCatalog.h"
#include "engine/catalog/ScheduleCatalog.h"
#include "engine/core/Error.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/optimizers/Schedule.h"

using namespace tessel;

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The Error message of `f`, or "" when it does not throw.
template <typename F>
std::string errorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A value of `p` outside its range ("" when the range is open).
json outOfRange(const ParamSpec& p) {
  if (p.min > -1e299) return p.type == ParamType::Int ? json(p.min - 1) : json(p.min - 0.5);
  if (p.max < 1e299) return p.type == ParamType::Int ? json(p.max + 1) : json(p.max + 0.5);
  return json();
}

// Config of a schedule entry with every argument set: suggestions for the required ones.
json scheduleConfig(const ScheduleEntry& e) {
  json c = json::object();
  for (const ParamSpec& p : e.params) c[p.key] = p.required ? p.suggested : p.defaultValue;
  return c;
}

}  // namespace

class TestCompileCatalogs : public QObject {
  Q_OBJECT

 private slots:
  void catalogsAreFilled() {
    QVERIFY(optimizerCatalog().all().size() >= 6);
    QVERIFY(lossCatalog().all().size() >= 10);
    QVERIFY(metricCatalog().all().size() >= 15);
    QVERIFY(scheduleCatalog().all().size() >= 5);
    // Keras 2.11+ defaults the issue names.
    QCOMPARE(optimizerCatalog().get("Adam").param("epsilon")->defaultValue.get<double>(), 1e-7);
    QCOMPARE(optimizerCatalog().get("sgd").param("learning_rate")->defaultValue.get<double>(),
             0.01);
    for (const OptimizerEntry& e : optimizerCatalog().all()) QVERIFY(!e.doc.empty() && e.make);
    for (const LossEntry& e : lossCatalog().all()) QVERIFY(!e.doc.empty() && e.make);
    for (const MetricEntry& e : metricCatalog().all()) QVERIFY(!e.doc.empty() && e.make);
    for (const ScheduleEntry& e : scheduleCatalog().all()) QVERIFY(!e.doc.empty() && e.make);
  }

  void optimizersFromDefaultsAndAliases() {
    for (const OptimizerEntry& e : optimizerCatalog().all()) {
      const char* who = e.className.c_str();
      auto fromName = makeOptimizer(e.className);
      QCOMPARE(fromName->name(), e.className);
      // config() writes every param with the catalog's default (None stays null).
      const json written = fromName->config();
      for (const ParamSpec& p : e.params) {
        QVERIFY2(written.contains(p.key), (e.className + " does not write " + p.key).c_str());
        QVERIFY2(written[p.key] == p.defaultValue,
                 (e.className + "." + p.key + " = " + written[p.key].dump()).c_str());
      }
      // The defaults as an explicit config, the upper-case class name and every alias build the
      // same optimizer.
      auto fromConfig = makeOptimizer({{"class_name", e.className}, {"config", e.defaultConfig()}});
      QCOMPARE(fromConfig->config(), written);
      QCOMPARE(makeOptimizer(upper(e.className))->name(), e.className);
      for (const std::string& alias : e.aliases) QCOMPARE(makeOptimizer(alias)->config(), written);
      // What it writes reads back to the same config (Keras's training_config round trip).
      QCOMPARE(makeOptimizer(fromName->toJson())->config(), written);
      // Unknown keys and values out of range are refused, naming the optimizer and the key.
      const std::string unknown = errorOf([&] {
        makeOptimizer({{"class_name", e.className}, {"config", {{"bogus", 1}}}});
      });
      QVERIFY2(has(unknown, e.className) && has(unknown, "unknown config key 'bogus'"),
               unknown.c_str());
      for (const ParamSpec& p : e.params) {
        const json bad = outOfRange(p);
        if (bad.is_null()) continue;
        const std::string why = errorOf([&] {
          makeOptimizer({{"class_name", e.className}, {"config", {{p.key, bad}}}});
        });
        QVERIFY2(has(why, e.className) && has(why, p.key), (std::string(who) + ": " + why).c_str());
      }
      QCOMPARE(optimizerNameError(e.className), std::string());
      for (const std::string& alias : e.aliases) QCOMPARE(optimizerNameError(alias), std::string());
    }
  }

  void lossesFromDefaultsAndAliases() {
    for (const LossEntry& e : lossCatalog().all()) {
      auto fromName = makeLoss(e.className);
      QCOMPARE(fromName->className(), e.className);
      QCOMPARE(fromName->name(), e.name);
      // Keras writes name, reduction and the class's own keys: each equals the catalog default.
      const json written = fromName->config();
      QCOMPARE(written["name"], json(e.name));
      int compared = 0;
      for (const ParamSpec& p : e.params)
        if (written.contains(p.key)) {
          QVERIFY2(written[p.key] == p.defaultValue,
                   (e.className + "." + p.key + " = " + written[p.key].dump()).c_str());
          ++compared;
        }
      QVERIFY2(compared >= 1, e.className.c_str());  // reduction at least
      auto fromConfig = makeLoss({{"class_name", e.className}, {"config", e.defaultConfig()}});
      QCOMPARE(fromConfig->config(), written);
      QCOMPARE(makeLoss(fromName->toJson())->config(), written);
      // Function names and aliases: the same class, logged under Keras's default name.
      for (const std::string& alias : e.aliases) {
        auto fromAlias = makeLoss(alias);
        QCOMPARE(fromAlias->className(), e.className);
        QCOMPARE(fromAlias->name(), e.name);
        QCOMPARE(lossNameError(alias), std::string());
      }
      const std::string unknown = errorOf([&] {
        makeLoss({{"class_name", e.className}, {"config", {{"bogus", 1}}}});
      });
      QVERIFY2(has(unknown, e.className) && has(unknown, "unknown config key 'bogus'"),
               unknown.c_str());
      for (const ParamSpec& p : e.params) {
        const json bad = outOfRange(p);
        if (bad.is_null()) continue;
        const std::string why = errorOf([&] {
          makeLoss({{"class_name", e.className}, {"config", {{p.key, bad}}}});
        });
        QVERIFY2(has(why, p.key), why.c_str());
      }
    }
    // keras.losses.get('sum')-style reductions Keras has but the engine does not are refused.
    QVERIFY(
        has(errorOf([] {
              makeLoss({{"class_name", "MeanSquaredError"}, {"config", {{"reduction", "sum"}}}});
            }),
            "reduction"));
  }

  void metricsFromDefaultsAndAliases() {
    const Shape out{kNone, 3};
    for (const MetricEntry& e : metricCatalog().all()) {
      // A class name as a string: Keras's default metric name.
      QCOMPARE(makeMetric(e.className, nullptr, out)->name(), e.name);
      // A function name or alias keeps the name given, as Keras's history keys.
      for (const std::string& alias : e.aliases) {
        QCOMPARE(makeMetric(alias, nullptr, out)->name(), alias);
        QCOMPARE(metricNameError(alias), std::string());
      }
      auto fromConfig =
          makeMetric({{"class_name", e.className}, {"config", e.defaultConfig()}}, nullptr, out);
      QCOMPARE(fromConfig->name(), e.name);
      const std::string unknown = errorOf([&] {
        makeMetric({{"class_name", e.className}, {"config", {{"bogus", 1}}}}, nullptr, out);
      });
      QVERIFY2(has(unknown, e.className) && has(unknown, "unknown config key 'bogus'"),
               unknown.c_str());
      // A loss metric takes the loss catalog's params and aliases: written once.
      if (!e.lossClass.empty()) {
        const LossEntry& loss = lossCatalog().get(e.lossClass);
        QCOMPARE(e.aliases, loss.aliases);
        for (const ParamSpec& p : e.params)
          QCOMPARE(p.defaultValue, loss.param(p.key)->defaultValue);
      }
    }
    // accuracy / crossentropy follow the loss and the output shape, as Keras's compile().
    auto scce = makeLoss("sparse_categorical_crossentropy");
    for (const std::string& n : resolvedMetricNames()) {
      QCOMPARE(metricNameError(n), std::string());
      QCOMPARE(makeMetric(n, scce.get(), {kNone, 3})->name(), n);
    }
    QVERIFY(has(metricNameError("accuracyy"), "'accuracyy'"));
    QVERIFY(has(metricNameError("accuracyy"), "accuracy, acc"));
  }

  void schedulesFromCatalogConfigs() {
    for (const ScheduleEntry& e : scheduleCatalog().all()) {
      const json config = scheduleConfig(e);
      auto s = makeSchedule({{"class_name", e.className}, {"config", config}});
      const json written = s->toJson();
      QCOMPARE(written["class_name"], json(e.className));
      // Keras writes every argument (CosineDecay's warmup keys only when a warmup is set).
      for (const ParamSpec& p : e.params)
        if (written["config"].contains(p.key))
          QVERIFY2(written["config"][p.key] == config[p.key], (e.className + "." + p.key).c_str());
      QCOMPARE(makeSchedule(written)->toJson(), written);
      // Required arguments must be given; unknown keys are refused.
      for (const ParamSpec& p : e.params) {
        if (!p.required) continue;
        json missing = config;
        missing.erase(p.key);
        const std::string why = errorOf([&] {
          makeSchedule({{"class_name", e.className}, {"config", missing}});
        });
        QVERIFY2(has(why, "'" + p.key + "' is required"), why.c_str());
      }
      json bogus = config;
      bogus["bogus"] = 1;
      QVERIFY(has(errorOf([&] {
                    makeSchedule({{"class_name", e.className}, {"config", bogus}});
                  }),
                  "unknown config key 'bogus'"));
      // An optimizer takes it as its learning rate.
      auto opt = makeOptimizer({{"class_name", "SGD"}, {"config", {{"learning_rate", written}}}});
      QVERIFY(opt->schedule());
    }
  }

  void unknownNamesListTheCatalog() {
    const std::string why = optimizerNameError("adadelta");
    QVERIFY2(has(why, "unknown optimizer 'adadelta'"), why.c_str());
    for (const OptimizerEntry& e : optimizerCatalog().all()) QVERIFY(has(why, e.className));
    QVERIFY(has(errorOf([] { makeOptimizer("adadelta"); }), "unknown optimizer 'adadelta'"));
    QVERIFY(has(lossNameError("msq"), "unknown loss 'msq'"));
    QVERIFY(has(lossNameError("msq"), "mse"));
    QVERIFY(has(errorOf([] { makeLoss("msq"); }), "mse"));
  }
};

QTEST_APPLESS_MAIN(TestCompileCatalogs)
#include "tst_engine_compilecatalogs.moc"
