// fit()'s one CallbackList: every event reaches every callback exactly once per batch / epoch,
// in Keras 2's order (progress logger, the user's callbacks, History, the observer); History and
// the progress logger are ordinary callbacks of that list.
#include <QtTest>

#include <map>
#include <sstream>

#include "engine/callbacks/CallbackList.h"
#include "engine/callbacks/ProgressLogger.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

namespace {

ModelSpec linearSpec() {
  return makeSpec({inputNode("x", {2}), denseNode("d", 1, "x")}, {"x"}, {"d"});
}

Dataset linearDataset(Index n) {
  Dataset d;
  d.x.resize(1), d.y.resize(1);
  linearData(n, d.x[0], d.y[0]);
  return d;
}

// Counts every event it gets and appends "<name>:<event>" to a log shared by all counters.
struct Counter : Callback {
  Counter(std::string n, std::vector<std::string>* s) : name(std::move(n)), sequence(s) {}
  std::string name;
  std::vector<std::string>* sequence;
  std::map<std::string, int> count;
  std::vector<Logs> epochLogs;
  Trainer* trainerSeen = nullptr;

  void note(const std::string& event) {
    ++count[event];
    if (sequence) sequence->push_back(name + ":" + event);
  }
  void onTrainBegin(const FitOptions&, int) override {
    trainerSeen = trainer;
    note("train_begin");
  }
  void onEpochBegin(int) override { note("epoch_begin"); }
  void onBatchEnd(int, int, const Logs&) override { note("batch_end"); }
  void onEpochEnd(int, const Logs& logs) override {
    note("epoch_end");
    epochLogs.push_back(logs);
  }
  void onFinished(const History&) override { note("finished"); }
  void onFailed(const std::string&) override { note("failed"); }
};

// An observer as the studio and the run recorder are: a TrainObserver.
struct CountingObserver : TrainObserver {
  Counter counter{"observer", nullptr};
  void onTrainBegin(const FitOptions& o, int s) override {
    counter.trainer = trainer;
    counter.onTrainBegin(o, s);
  }
  void onEpochBegin(int e) override { counter.onEpochBegin(e); }
  void onBatchEnd(int e, int b, const Logs& l) override { counter.onBatchEnd(e, b, l); }
  void onEpochEnd(int e, const Logs& l) override { counter.onEpochEnd(e, l); }
  void onFinished(const History& h) override { counter.onFinished(h); }
  void onFailed(const std::string& m) override { counter.onFailed(m); }
};

// Extends the epoch logs, as ReduceLROnPlateau adds "lr".
struct AddsLog : Callback {
  void onEpochEndLogs(int epoch, Logs& logs) override { setLog(logs, "extra", epoch + 0.5); }
};

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

class TestCallbackList : public QObject {
  Q_OBJECT
 private slots:
  void keras2Order() {
    Counter a("a", nullptr), b("b", nullptr), obs("obs", nullptr);
    std::ostringstream out;
    ProgressLogger progress(out);
    History history;
    CallbackList list(&progress, {&a, &b}, &history);
    list.append(&obs);
    list.append(nullptr);
    const std::vector<Callback*> want{&progress, &a, &b, &history, &obs};
    QCOMPARE(list.callbacks(), want);
    CallbackList quiet(nullptr, {&a}, nullptr);
    QCOMPARE(quiet.callbacks(), std::vector<Callback*>{&a});
  }

  // 3 epochs of 10 samples in batches of 4 (3 steps): each callback, the observer included, gets
  // train begin once, 3 epoch begins and ends, 9 batch ends and one finish, in list order.
  void eachEventReachesEachCallbackOnce() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.05)});
    std::vector<std::string> sequence;
    Counter a("a", &sequence), b("b", &sequence);
    CountingObserver obs;
    std::ostringstream out;
    FitOptions o;
    o.epochs = 3, o.batchSize = 4, o.verbose = 1, o.out = &out, o.validationSplit = 0.2;
    History h = t.fit(linearDataset(12), o, {&a, &b}, &obs);
    const std::map<std::string, int> want{{"train_begin", 1},
                                          {"epoch_begin", 3},
                                          {"batch_end", 9},
                                          {"epoch_end", 3},
                                          {"finished", 1}};
    QCOMPARE(a.count, want);
    QCOMPARE(b.count, want);
    QCOMPARE(obs.counter.count, want);
    QCOMPARE(a.trainerSeen, &t);
    QCOMPARE(obs.counter.trainerSeen, &t);
    QVERIFY(a.trainer == nullptr && obs.trainer == nullptr);  // cleared after fit
    // Dispatch order: a before b for every event, never interleaved.
    QCOMPARE(sequence.size(), size_t(2 * (1 + 3 + 9 + 3 + 1)));
    for (size_t i = 0; i < sequence.size(); i += 2) {
      QCOMPARE(sequence[i].substr(0, 2), std::string("a:"));
      QCOMPARE(sequence[i + 1], "b:" + sequence[i].substr(2));
    }
    // History and the progress logger: once per epoch each.
    QCOMPARE(h.epochs, (std::vector<int>{0, 1, 2}));
    const std::string text = out.str();
    for (int e = 1; e <= 3; ++e)
      QCOMPARE(occurrences(text, "Epoch " + std::to_string(e) + "/3\n"), 1);
    QCOMPARE(occurrences(text, "3/3 - "), 3);
    QCOMPARE(occurrences(text, "\n"), 6);
  }

  // A NaN loss: every callback gets onFailed once and no onFinished; the progress logger prints
  // the message once.
  void failureReachesEachCallbackOnce() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(1e18)});
    Counter a("a", nullptr);
    CountingObserver obs;
    std::ostringstream out;
    FitOptions o;
    o.epochs = 3, o.batchSize = 4, o.verbose = 1, o.out = &out;
    History h = t.fit(linearDataset(64), o, {&a}, &obs);
    QVERIFY(!h.stopReason.empty());
    QCOMPARE(a.count["failed"], 1);
    QCOMPARE(a.count.count("finished"), size_t(0));
    QCOMPARE(a.count["epoch_begin"], 1);
    QCOMPARE(a.count.count("epoch_end"), size_t(0));
    QCOMPARE(obs.counter.count["failed"], 1);
    QCOMPARE(obs.counter.count.count("finished"), size_t(0));
    QCOMPARE(a.count["batch_end"], obs.counter.count["batch_end"]);
    QCOMPARE(occurrences(out.str(), h.stopReason + "\n"), 1);
    QCOMPARE(out.str(), "Epoch 1/3\n" + h.stopReason + "\n");
  }

  // Keras order of the logs: the progress line is written before the callbacks extend the logs;
  // History (after the user's callbacks) and the observer record the extension; a user callback
  // sees the same logs, in the same order, as History records.
  void historyAndProgressAreOrdinaryCallbacks() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {{"mae"}}, sgd(0.05)});
    Counter before("before", nullptr), after("after", nullptr);
    AddsLog adds;
    CountingObserver obs;
    std::ostringstream out;
    FitOptions o;
    o.epochs = 2, o.batchSize = 8, o.verbose = 2, o.out = &out, o.validationSplit = 0.25;
    History h = t.fit(linearDataset(32), o, {&before, &adds, &after}, &obs);
    const std::vector<std::string> keys{"loss", "mae", "val_loss", "val_mae", "extra"};
    std::string got;
    for (const auto& k : h.keys) got += k + " ";
    QVERIFY2(h.keys == keys, got.c_str());
    QCOMPARE(h["extra"], (std::vector<double>{0.5, 1.5}));
    QCOMPARE(before.epochLogs.size(), size_t(2));
    QCOMPARE(before.epochLogs[0].size(), size_t(4));  // before the extension
    for (int e = 0; e < 2; ++e) {
      const Logs& seen = after.epochLogs[size_t(e)];
      QCOMPARE(obs.counter.epochLogs[size_t(e)], seen);
      QCOMPARE(seen.size(), keys.size());
      for (size_t k = 0; k < keys.size(); ++k) {
        QCOMPARE(seen[k].first, keys[k]);
        QCOMPARE(seen[k].second, h[keys[k]][size_t(e)]);
      }
    }
    QVERIFY(out.str().find("extra") == std::string::npos);
    QVERIFY(out.str().find(" - val_mae: ") != std::string::npos);
  }

  // verbose=0: no progress logger in the list, nothing written.
  void silentFitHasNoProgressLogger() {
    Model m(linearSpec(), 1);
    Trainer t(m, CompileOptions{{"mse"}, {}, {}, sgd(0.05)});
    std::ostringstream out;
    FitOptions o;
    o.epochs = 2, o.verbose = 0, o.out = &out;
    History h = t.fit(linearDataset(16), o);
    QCOMPARE(h.epochs.size(), size_t(2));
    QVERIFY(out.str().empty());
  }

  // The progress logger alone, driven by hand: Keras's verbose=2 lines.
  void progressLoggerLines() {
    std::ostringstream out;
    ProgressLogger p(out);
    FitOptions o;
    o.epochs = 4;
    p.onTrainBegin(o, 5);
    p.onEpochBegin(1);
    p.onBatchEnd(1, 0, {});
    p.onBatchEnd(1, 1, {});
    Logs logs{{"loss", 0.5}, {"accuracy", 0.0}};
    p.onEpochEndLogs(1, logs);
    const std::string text = out.str();
    QVERIFY2(text.rfind("Epoch 2/4\n2/5 - ", 0) == 0, text.c_str());
    QVERIFY2(text.find(" - loss: 0.5000 - accuracy: 0.0000e+00\n") != std::string::npos,
             text.c_str());
    QCOMPARE(ProgressLogger::formatValue(1e-3), std::string("1.0000e-03"));
    QCOMPARE(ProgressLogger::formatValue(-2.5), std::string("-2.5000"));
    QCOMPARE(ProgressLogger::formatTime(3.2), std::string("3s"));
    QCOMPARE(ProgressLogger::formatTime(0.25), std::string("250ms"));
    QCOMPARE(ProgressLogger::formatTime(8e-5), std::string("80us"));
  }
};

QTEST_APPLESS_MAIN(TestCallbackList)
#include "tst_engine_callbacklist.moc"
