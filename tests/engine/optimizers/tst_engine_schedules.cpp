// Learning-rate schedules: hand-computed values, Keras defaults, JSON round trips, errors.
#include <QtTest>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/optimizers/Schedule.h"

using namespace tessel;
using json = nlohmann::json;

namespace {

std::unique_ptr<Schedule> sched(const std::string& cls, const json& cfg) {
  return makeSchedule({{"class_name", cls}, {"config", cfg}});
}

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-12 + 1e-9 * std::fabs(b);
}

}  // namespace

class TestSchedules : public QObject {
  Q_OBJECT
 private slots:
  void exponentialDecay() {
    const json c = {{"initial_learning_rate", 0.1}, {"decay_steps", 10}, {"decay_rate", 0.5}};
    auto s = sched("ExponentialDecay", c);
    QVERIFY(near((*s)(0), 0.1));
    QVERIFY(near((*s)(5), 0.1 * std::sqrt(0.5)));
    QVERIFY(near((*s)(20), 0.025));
    json st = c;
    st["staircase"] = true;
    auto t = sched("ExponentialDecay", st);
    QVERIFY(near((*t)(15), 0.05));
    QVERIFY(near((*t)(9), 0.1));
    QCOMPARE(s->toJson()["config"]["staircase"], json(false));
  }

  void inverseTimeDecay() {
    const json c = {{"initial_learning_rate", 0.1}, {"decay_steps", 10}, {"decay_rate", 1.0}};
    auto s = sched("InverseTimeDecay", c);
    QVERIFY(near((*s)(10), 0.05));
    QVERIFY(near((*s)(15), 0.04));
    json st = c;
    st["staircase"] = true;
    QVERIFY(near((*sched("InverseTimeDecay", st))(15), 0.05));
  }

  void piecewiseConstantDecay() {
    auto s =
        sched("PiecewiseConstantDecay", {{"boundaries", {100, 200}}, {"values", {1.0, 0.5, 0.1}}});
    QCOMPARE((*s)(0), 1.0);
    QCOMPARE((*s)(100), 1.0);  // step <= boundary keeps the earlier value
    QCOMPARE((*s)(101), 0.5);
    QCOMPARE((*s)(200), 0.5);
    QCOMPARE((*s)(201), 0.1);
    QVERIFY_THROWS_EXCEPTION(
        Error, sched("PiecewiseConstantDecay", {{"boundaries", {100}}, {"values", {1.0}}}));
  }

  void polynomialDecay() {
    const json c = {{"initial_learning_rate", 0.1},
                    {"decay_steps", 100},
                    {"end_learning_rate", 0.01},
                    {"power", 2.0}};
    auto s = sched("PolynomialDecay", c);
    QVERIFY(near((*s)(0), 0.1));
    QVERIFY(near((*s)(50), 0.09 * 0.25 + 0.01));
    QVERIFY(near((*s)(150), 0.01));  // held after decay_steps
    json cy = c;
    cy["cycle"] = true;
    auto y = sched("PolynomialDecay", cy);
    QVERIFY(near((*y)(0), 0.1));
    QVERIFY(near((*y)(100), 0.01));
    QVERIFY(near((*y)(150), 0.09 * 0.0625 + 0.01));  // decay_steps becomes 200
    // Keras defaults: end_learning_rate 0.0001, power 1, cycle false.
    auto d = sched("PolynomialDecay", {{"initial_learning_rate", 0.1}, {"decay_steps", 10}});
    QVERIFY(near((*d)(5), (0.1 - 1e-4) * 0.5 + 1e-4));
    const json dc = d->toJson()["config"];
    QCOMPARE(dc["end_learning_rate"], json(1e-4));
    QCOMPARE(dc["power"], json(1.0));
    QCOMPARE(dc["cycle"], json(false));
  }

  void cosineDecay() {
    auto s = sched("CosineDecay",
                   {{"initial_learning_rate", 0.1}, {"decay_steps", 100}, {"alpha", 0.1}});
    QVERIFY(near((*s)(0), 0.1));
    QVERIFY(near((*s)(50), 0.1 * (0.9 * 0.5 + 0.1)));
    QVERIFY(near((*s)(100), 0.01));
    QVERIFY(near((*s)(500), 0.01));
    auto d = sched("CosineDecay", {{"initial_learning_rate", 0.1}, {"decay_steps", 100}});
    QCOMPARE(d->toJson()["config"]["alpha"], json(0.0));
    QVERIFY(!d->toJson()["config"].contains("warmup_target"));  // Keras 2 form
    QVERIFY(near((*d)(100), 0.0));
    // Keras 2.13+ warmup: 0 -> 0.1 over 10 steps, then the decay from 0.1.
    auto w = sched("CosineDecay", {{"initial_learning_rate", 0.0},
                                   {"decay_steps", 100},
                                   {"warmup_target", 0.1},
                                   {"warmup_steps", 10}});
    QVERIFY(near((*w)(5), 0.05));
    QVERIFY(near((*w)(10), 0.1));
    QVERIFY(near((*w)(60), 0.05));
    // Keras 2.13 writes warmup_target null / warmup_steps 0 when unused.
    auto n = sched("CosineDecay", {{"initial_learning_rate", 0.1},
                                   {"decay_steps", 100},
                                   {"warmup_target", nullptr},
                                   {"warmup_steps", 0}});
    QVERIFY(near((*n)(50), 0.05));
  }

  void roundTrips() {
    const std::vector<json> specs = {
        {{"class_name", "ExponentialDecay"},
         {"config",
          {{"initial_learning_rate", 0.1},
           {"decay_steps", 7.0},
           {"decay_rate", 0.9},
           {"staircase", true},
           {"name", nullptr}}}},
        {{"class_name", "InverseTimeDecay"},
         {"config",
          {{"initial_learning_rate", 0.1},
           {"decay_steps", 7.0},
           {"decay_rate", 0.9},
           {"staircase", false},
           {"name", nullptr}}}},
        {{"class_name", "PiecewiseConstantDecay"},
         {"config",
          {{"boundaries", {10.0, 20.0}}, {"values", {0.3, 0.2, 0.1}}, {"name", nullptr}}}},
        {{"class_name", "PolynomialDecay"},
         {"config",
          {{"initial_learning_rate", 0.1},
           {"decay_steps", 7.0},
           {"end_learning_rate", 0.001},
           {"power", 0.5},
           {"cycle", true},
           {"name", nullptr}}}},
        {{"class_name", "CosineDecay"},
         {"config",
          {{"initial_learning_rate", 0.1},
           {"decay_steps", 7.0},
           {"alpha", 0.2},
           {"name", nullptr}}}},
    };
    for (const auto& spec : specs) {
      auto s = makeSchedule(spec);
      QCOMPARE(s->toJson(), spec);
      QCOMPARE(makeSchedule(s->toJson())->toJson(), spec);
    }
    // Keras 2.13's serialization keys are accepted.
    json k = specs[0];
    k["module"] = "keras.optimizers.schedules";
    k["registered_name"] = nullptr;
    QCOMPARE(makeSchedule(k)->toJson(), specs[0]);
  }

  void errors() {
    QVERIFY_THROWS_EXCEPTION(Error, sched("StepDecay", json::object()));
    QVERIFY_THROWS_EXCEPTION(
        Error, sched("ExponentialDecay", {{"initial_learning_rate", 0.1}, {"decay_rate", 0.5}}));
    QVERIFY_THROWS_EXCEPTION(
        Error, sched("ExponentialDecay",
                     {{"initial_learning_rate", 0.1}, {"decay_steps", 0}, {"decay_rate", 0.5}}));
    QVERIFY_THROWS_EXCEPTION(
        Error,
        sched("CosineDecay", {{"initial_learning_rate", 0.1}, {"decay_steps", 10}, {"beta", 1}}));
    QVERIFY_THROWS_EXCEPTION(Error, makeSchedule("ExponentialDecay"));
  }
};

QTEST_APPLESS_MAIN(TestSchedules)
#include "tst_engine_schedules.moc"
