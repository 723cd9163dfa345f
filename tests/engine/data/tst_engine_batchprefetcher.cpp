// BatchPrefetcher (tf.data's prefetch for any data set) and fit()'s use of it: batches in the
// order and with the values of a direct gather, the reader's errors reaching the consumer after
// the batches before them, a bounded queue, stopping mid-stream, one OpenMP thread on the reader,
// and training with prefetch giving bit for bit the weights of training without it (in-memory,
// lazy and streamed TFRecord data, shuffle, dropout, steps_per_epoch, several epochs); validation
// and evaluate() batches gathered on the reader too, with the same logs bit for bit.
#include <QTemporaryDir>
#include <QtTest>

#include <omp.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "DataTestUtil.h"
#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/BatchPrefetcher.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/RowSource.h"
#include "engine/data/TfExample.h"
#include "engine/io/TfRecordWriter.h"
#include "engine/train/EpochIterator.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;
using testutil::errorOf;

namespace {

// Row r of a lazy (n, 3) source is (r, 2r, r % 5); rows at or after `failAt` throw; every
// gatherRaw records the OpenMP thread count its caller would get.
class CountingSource : public RowSource {
 public:
  explicit CountingSource(Index n, Index failAt = -1) : n_(n), failAt_(failAt) {}
  Index rows() const override { return n_; }
  Shape rowShape() const override { return {3}; }
  DType dtype() const override { return DType::Float32; }
  void gatherRaw(const Index* idx, Index n, float* out) const override {
    ompThreads = omp_get_max_threads();
    ++(std::this_thread::get_id() == owner_ ? onOwner : offOwner);
    for (Index i = 0; i < n; ++i) {
      if (failAt_ >= 0 && idx[i] >= failAt_)
        throw Error("counting source: row " + std::to_string(idx[i]) + " cannot be read");
      out[3 * i] = float(idx[i]);
      out[3 * i + 1] = float(2 * idx[i]);
      out[3 * i + 2] = float(idx[i] % 5);
    }
  }
  std::size_t cacheBytes() const override { return 0; }
  std::string name() const override { return "counting source"; }
  mutable std::atomic<int> ompThreads{0};
  // gatherRaw calls on the thread that made the source (the test's) and on any other (a reader).
  mutable std::atomic<int> onOwner{0}, offOwner{0};

 private:
  Index n_, failAt_;
  std::thread::id owner_ = std::this_thread::get_id();
};

// Rows of `n` in batches of `batch` from a shuffled epoch iterator (as fit reads them).
BatchPrefetcher::NextRows iteratorRows(std::shared_ptr<EpochIterator> it, int steps) {
  return [it, left = steps](std::vector<Index>& rows) mutable {
    if (left-- <= 0) return false;
    const Index* r = nullptr;
    const Index n = it->next(&r);
    rows.assign(r, r + n);
    return true;
  };
}

std::vector<float> valuesOf(const Tensor& t) {
  return t.toVector();
}

std::vector<float> flatWeights(Model& m) {
  std::vector<float> w;
  for (const Tensor& t : m.getWeights()) {
    const auto v = t.toVector();
    w.insert(w.end(), v.begin(), v.end());
  }
  return w;
}

// x (n, 4) in [-1, 1], y = class (n,) in {0, 1, 2} from the sign pattern.
Dataset classes(Index n) {
  Rng rng(11);
  Tensor x({n, 4}), y({n});
  for (Index i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j) x[4 * i + j] = rng.uniform(-1, 1);
    y[i] = float((x[4 * i] > 0) + (x[4 * i + 1] > 0.3f));
  }
  Dataset d;
  d.x = {Array::fromTensor(x)};
  d.y = {Array::fromTensor(y)};
  return d;
}

// A lazy (n, 3) CountingSource set scaled by 0.01, labels (7i) % 3.
Dataset lazyData(std::shared_ptr<CountingSource> src, Index n) {
  Dataset d;
  d.x = {Array::fromRowSource(std::move(src))};
  d.x[0].scale = 0.01f;
  Tensor y({n});
  for (Index i = 0; i < n; ++i) y[i] = float((i * 7) % 3);
  d.y = {Array::fromTensor(y)};
  return d;
}

ModelSpec dropoutSpec(Index inputs) {
  return makeSpec(
      {inputNode("x", {inputs}), denseNode("h", 16, "x", "relu"),
       node("drop", "Dropout", {"h"}, {{"rate", 0.3}}), denseNode("out", 3, "drop", "softmax")},
      {"x"}, {"out"});
}

// The weights after fitting dropoutSpec on d with the given options (seeded model and fit).
std::vector<float> trained(const Dataset& d, FitOptions o, History* history = nullptr) {
  Model m(dropoutSpec(d.x[0].shape()[1]), 7);
  CompileOptions c;
  c.losses = {"sparse_categorical_crossentropy"};
  c.metrics = {std::vector<json>{json("accuracy")}};
  c.optimizer = sgd(0.05);
  Trainer t(m, c);
  o.verbose = 0;
  History h = t.fit(d, o);
  if (history) *history = h;
  return flatWeights(m);
}

}  // namespace

class TestBatchPrefetcher : public QObject {
  Q_OBJECT
 private slots:
  // Every depth gives the batches of a direct gather, in the iterator's (shuffled) order.
  void batchesEqualDirectGatherInOrder() {
    Dataset d = classes(103);
    const std::vector<Array> arrays{d.x[0], d.y[0]};
    for (int depth : {1, 2, 5, 64}) {
      auto direct = std::make_shared<EpochIterator>(103, 10, 0, true, 42);
      auto ahead = std::make_shared<EpochIterator>(103, 10, 0, true, 42);
      direct->beginEpoch(3), ahead->beginEpoch(3);
      BatchPrefetcher p(arrays, depth, iteratorRows(ahead, direct->stepsPerEpoch()));
      QCOMPARE(p.depth(), depth);
      int batches = 0;
      while (BatchPrefetcher::Batch* b = p.next()) {
        const Index* rows = nullptr;
        const Index n = direct->next(&rows);
        QCOMPARE(b->rows, std::vector<Index>(rows, rows + n));
        Tensor x, y;
        arrays[0].gather(rows, n, x);
        arrays[1].gather(rows, n, y);
        QCOMPARE(b->arrays[0].shape(), x.shape());
        QCOMPARE(valuesOf(b->arrays[0]), valuesOf(x));
        QCOMPARE(valuesOf(b->arrays[1]), valuesOf(y));
        ++batches;
      }
      QCOMPARE(batches, 11);         // 103 rows in batches of 10
      QVERIFY(p.next() == nullptr);  // and stays at the end
    }
  }

  // Lazy arrays are gathered on the reader thread with one OpenMP thread (no second team) while
  // the compute threads take every core; with fewer compute threads, one per spare core.
  void readerGathersWithTheCoresLeft() {
    const int cores = omp_get_num_procs(), before = omp_get_max_threads();
    for (int compute : {cores, std::max(1, cores / 2), 1}) {
      omp_set_num_threads(compute);
      auto src = std::make_shared<CountingSource>(20);
      BatchPrefetcher p({Array::fromRowSource(src)}, 1, [n = 0](std::vector<Index>& rows) mutable {
        rows = {0, 1};
        return n++ < 1;
      });
      QVERIFY(p.next());
      QCOMPARE(p.readerThreads(), std::max(1, cores - compute));
      QCOMPARE(src->ompThreads.load(), std::max(1, cores - compute));
    }
    omp_set_num_threads(cores);
    auto src = std::make_shared<CountingSource>(50);
    const Array lazy = Array::fromRowSource(src);
    int steps = 5;
    BatchPrefetcher p({lazy}, 2, [&steps](std::vector<Index>& rows) {
      if (steps-- <= 0) return false;
      rows = {Index(steps), Index(steps + 10)};
      return true;
    });
    BatchPrefetcher::Batch* b = p.next();
    QVERIFY(b);
    QCOMPARE(b->rows, (std::vector<Index>{4, 14}));
    QCOMPARE(valuesOf(b->arrays[0]), (std::vector<float>{4, 8, 4, 14, 28, 4}));
    QCOMPARE(src->ompThreads.load(), 1);
    omp_set_num_threads(before);
  }

  // An error on the reader (a row that cannot be read) comes out of next() after the batches
  // before it; then the stream is over.
  void readerErrorReachesTheConsumerInOrder() {
    auto src = std::make_shared<CountingSource>(100, 35);
    Index next = 0;
    BatchPrefetcher p({Array::fromRowSource(src)}, 3, [&next](std::vector<Index>& rows) {
      rows.clear();
      for (int i = 0; i < 10; ++i) rows.push_back(next++);
      return true;
    });
    for (int b = 0; b < 3; ++b) {
      BatchPrefetcher::Batch* batch = p.next();
      QVERIFY(batch);
      QCOMPARE(batch->arrays[0].data()[0], float(10 * b));
    }
    const QString e = errorOf([&] { p.next(); });
    QVERIFY2(e.contains("row 35 cannot be read"), qPrintable(e));
    QVERIFY(p.next() == nullptr);
    // An error thrown by the row function itself, too.
    BatchPrefetcher q({Array::fromRowSource(src)}, 1,
                      [](std::vector<Index>&) -> bool { throw Error("no more rows here"); });
    QCOMPARE(errorOf([&] { q.next(); }), QString("no more rows here"));
  }

  // The reader stops when depth batches wait; it goes on when one is taken.
  void queueIsBounded() {
    std::atomic<int> asked{0};
    BatchPrefetcher p({classes(10).x[0]}, 3, [&asked](std::vector<Index>& rows) {
      ++asked;
      rows = {0, 1};
      return true;
    });
    QTRY_COMPARE(p.produced(), std::size_t(3));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QCOMPARE(p.produced(), std::size_t(3));  // the queue is full: the reader waits
    QCOMPARE(asked.load(), 3);
    QVERIFY(p.next());
    QTRY_COMPARE(p.produced(), std::size_t(4));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QCOMPARE(p.produced(), std::size_t(4));
  }

  // Destroyed or stopped in the middle of an endless stream (queue full, or the reader busy in
  // a slow gather): no hang, no leak, next() ends.
  void stopsMidStream() {
    auto endless = [](std::vector<Index>& rows) {
      rows = {1, 2, 3};
      return true;
    };
    const Array a = classes(10).x[0];
    {
      BatchPrefetcher p({a}, 4, endless);
      QVERIFY(p.next() && p.next());
    }                                        // destroyed with a full queue
    { BatchPrefetcher p({a}, 1, endless); }  // destroyed before anything was taken
    BatchPrefetcher p({a}, 2, [](std::vector<Index>& rows) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      rows = {0};
      return true;
    });
    QVERIFY(p.next());
    p.stop();
    QVERIFY(p.next() == nullptr);
    p.stop();  // idempotent
    QCOMPARE(errorOf([&] { BatchPrefetcher({a}, 0, endless); }),
             QString("prefetch: the depth must be at least 1, got 0"));
  }

  // fit() with prefetch 0 (direct) and N: the same weights bit for bit (shuffle, dropout, several
  // epochs, steps_per_epoch continuing across epochs), and the same history.
  void fitWithPrefetchGivesTheSameWeights() {
    Dataset d = classes(203);
    FitOptions o;
    o.epochs = 3, o.batchSize = 16, o.seed = 5;
    History h0, h4;
    const std::vector<float> direct = trained(d, o, &h0);
    QVERIFY(direct != flatWeights(*std::make_unique<Model>(dropoutSpec(4), 7)));
    for (int depth : {1, 4}) {
      d.prefetch = depth;
      QCOMPARE(trained(d, o, &h4), direct);
      QCOMPARE(h4["loss"], h0["loss"]);
      QCOMPARE(h4["accuracy"], h0["accuracy"]);
    }
    d.prefetch = 0;
    o.stepsPerEpoch = 5;  // 80 rows an epoch: the pass goes on across epochs
    const std::vector<float> steps = trained(d, o);
    d.prefetch = 2;
    QCOMPARE(trained(d, o), steps);
    // A lazy source (decoded on the reader thread) with validation data.
    Dataset lazy;
    lazy.x = {Array::fromRowSource(std::make_shared<CountingSource>(120))};
    lazy.x[0].scale = 0.01f;
    Tensor y({120});
    for (Index i = 0; i < 120; ++i) y[i] = float(i % 3);
    lazy.y = {Array::fromTensor(y)};
    FitOptions lo;
    lo.epochs = 2, lo.batchSize = 8, lo.seed = 3, lo.validationSplit = 0.25;
    const std::vector<float> lazyDirect = trained(lazy, lo);
    lazy.prefetch = 3;
    QCOMPARE(trained(lazy, lo), lazyDirect);
    // One compute thread: the reader gathers with the other cores (where there are others).
    const int before = omp_get_max_threads();
    omp_set_num_threads(1);
    lazy.prefetch = 0;
    const std::vector<float> oneThread = trained(lazy, lo);
    lazy.prefetch = 2;
    QCOMPARE(trained(lazy, lo), oneThread);
    omp_set_num_threads(before);
  }

  // Validation batches (validation_data with its own prefetch, or validation_split of a
  // prefetched set) and evaluate() are gathered on the reader thread, with the same val_ logs,
  // weights and evaluate() logs bit for bit as without prefetch.
  void validationBatchesArePrefetched() {
    // 1. validation_data: training in memory without prefetch, validation lazy with prefetch.
    const Dataset train = lazyData(std::make_shared<CountingSource>(96), 96);
    FitOptions o;
    o.epochs = 3, o.batchSize = 10, o.seed = 9;
    auto src0 = std::make_shared<CountingSource>(45);
    o.validationData = lazyData(src0, 45);
    History h0, h1;
    const std::vector<float> w0 = trained(train, o, &h0);
    QCOMPARE(src0->offOwner.load(), 0);  // without prefetch: gathered on fit's thread
    QVERIFY(src0->onOwner.load() > 0);
    QCOMPARE(h0["val_loss"].size(), std::size_t(3));
    for (int depth : {1, 3}) {
      auto src = std::make_shared<CountingSource>(45);
      o.validationData = lazyData(src, 45);
      o.validationData->prefetch = depth;
      QCOMPARE(trained(train, o, &h1), w0);
      QCOMPARE(h1["val_loss"], h0["val_loss"]);
      QCOMPARE(h1["val_accuracy"], h0["val_accuracy"]);
      QCOMPARE(h1["loss"], h0["loss"]);
      QCOMPARE(src->onOwner.load(), 0);       // every validation batch came from the reader
      QCOMPARE(src->offOwner.load(), 3 * 5);  // 45 rows in batches of 10, 3 epochs
      QCOMPARE(src->ompThreads.load(), std::max(1, omp_get_num_procs() - omp_get_max_threads()));
    }
    // 2. validation_split of a prefetched lazy set: training and validation both on the reader.
    FitOptions so;
    so.epochs = 2, so.batchSize = 8, so.seed = 4, so.validationSplit = 0.25;
    auto splitSrc = std::make_shared<CountingSource>(80);
    Dataset split = lazyData(splitSrc, 80);
    const std::vector<float> ws = trained(split, so, &h0);
    QVERIFY(splitSrc->onOwner.load() > 0);
    split.prefetch = 2;
    auto splitSrc2 = std::make_shared<CountingSource>(80);
    split.x[0] = Array::fromRowSource(splitSrc2);
    split.x[0].scale = 0.01f;
    QCOMPARE(trained(split, so, &h1), ws);
    QCOMPARE(h1["val_loss"], h0["val_loss"]);
    QCOMPARE(h1["val_accuracy"], h0["val_accuracy"]);
    QCOMPARE(splitSrc2->onOwner.load(), 0);
    QCOMPARE(splitSrc2->offOwner.load(), 2 * (8 + 3));  // 60 train rows / 8, 20 val rows / 8
    // 3. evaluate(): the same logs with and without prefetch (batch 7 leaves a short last batch).
    Model m(dropoutSpec(3), 7);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.metrics = {std::vector<json>{json("accuracy")}};
    c.optimizer = sgd(0.05);
    Trainer t(m, c);
    auto evalSrc = std::make_shared<CountingSource>(50);
    Dataset e = lazyData(evalSrc, 50);
    const Logs direct = t.evaluate(e, 7);
    e.prefetch = 4;
    const int before = evalSrc->onOwner.load();
    const Logs ahead = t.evaluate(e, 7);
    QCOMPARE(evalSrc->onOwner.load(), before);
    QCOMPARE(evalSrc->offOwner.load(), 8);
    QCOMPARE(ahead.size(), direct.size());
    for (size_t i = 0; i < direct.size(); ++i) {
      QCOMPARE(ahead[i].first, direct[i].first);
      QCOMPARE(ahead[i].second, direct[i].second);
    }
  }

  // A reader error in the validation batches stops fit with the reader's message.
  void fitReportsTheValidationReadersError() {
    const Dataset d = lazyData(std::make_shared<CountingSource>(40), 40);
    Dataset v = lazyData(std::make_shared<CountingSource>(30, 25), 30);
    v.prefetch = 2;
    FitOptions o;
    o.batchSize = 8, o.validationData = v;
    Model m(dropoutSpec(3), 7);
    Trainer t(m, CompileOptions{{"sparse_categorical_crossentropy"}, {}, {}, sgd(0.05)});
    o.verbose = 0;
    const QString e = errorOf([&] { t.fit(d, o); });
    QVERIFY2(e.contains("row 25 cannot be read"), qPrintable(e));
  }

  // The reader's error stops fit with the reader's message (nothing hangs).
  void fitReportsTheReadersError() {
    Dataset d;
    d.x = {Array::fromRowSource(std::make_shared<CountingSource>(64, 40))};
    Tensor y({64});
    d.y = {Array::fromTensor(y)};
    d.prefetch = 2;
    FitOptions o;
    o.batchSize = 8, o.shuffle = false;
    const QString e = errorOf([&] { trained(d, o); });
    QVERIFY2(e.contains("row 40 cannot be read"), qPrintable(e));
  }

  // requestStop() in the middle of an epoch while the reader is ahead: fit returns.
  void stopRequestMidEpoch() {
    Dataset d = classes(400);
    d.prefetch = 8;
    Model m(dropoutSpec(4), 7);
    Trainer t(m, CompileOptions{{"sparse_categorical_crossentropy"}, {}, {}, sgd(0.05)});
    struct StopAt3 : TrainObserver {
      Trainer* t = nullptr;
      int batches = 0;
      void onBatchEnd(int, int, const Logs&) override {
        if (++batches == 3) t->requestStop();
      }
    } stop;
    stop.t = &t;
    FitOptions o;
    o.epochs = 5, o.batchSize = 4, o.verbose = 0;
    const History h = t.fit(d, o, {}, &stop);
    QCOMPARE(stop.batches, 3);
    QCOMPARE(h.stopReason, std::string("training stopped on request"));
  }

  // Streamed TFRecord shards through the data settings' prefetch: the same weights as without,
  // and an error in a record damaged after the check reaches fit.
  void tfRecordStreamWithPrefetch() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    for (int s = 0; s < 3; ++s) {
      TfRecordWriter w(d + "/part-" + std::to_string(s) + ".tfrecord", TfRecordCompression::None);
      for (int i = s; i < 90; i += 3) {
        TfExample e;
        e.features["x"] = TfFeatureValue::ofFloats({float(i % 7) / 7, float(i % 5) / 5, 0.5f, 1});
        e.features["label"] = TfFeatureValue::ofInts({i % 3});
        w.write(e.serialize());
      }
      w.close();
    }
    DataSettings s;
    s.kind = "tfrecord";
    s.path = d + "/part-*.tfrecord";
    s.fractions = {1, 0, 0};
    s.pipeline.shuffleBuffer = 16;
    const BuiltData plain = buildDataset(s);
    QCOMPARE(plain.train.prefetch, 0);
    s.pipeline.prefetch = 3;
    const BuiltData pre = buildDataset(s);
    QCOMPARE(pre.train.prefetch, 3);
    {  // the validation and test sets of a split carry the pipeline's prefetch too
      DataSettings split = s;
      split.fractions = {0.6, 0.2, 0.2};
      const BuiltData three = buildDataset(split);
      QVERIFY(three.validation && three.test);
      QCOMPARE(three.validation->prefetch, 3);
      QCOMPARE(three.test->prefetch, 3);
    }
    FitOptions o;
    o.epochs = 3, o.batchSize = 8, o.seed = 1;
    const std::vector<float> w0 = trained(plain.train, o);
    QCOMPARE(trained(pre.train, o), w0);
    // Damage the last record of part-2 after the check (flip a payload byte: its CRC fails).
    const std::string path = d + "/part-2.tfrecord";
    std::string bytes;
    {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    bytes[bytes.size() - 10] ^= 0x20;
    std::ofstream(path, std::ios::binary) << bytes;
    BuiltData again = pre;
    const QString e = errorOf([&] { trained(again.train, o); });
    QVERIFY2(e.contains("part-2.tfrecord: record 29") && e.contains("CRC"), qPrintable(e));
  }
};

QTEST_APPLESS_MAIN(TestBatchPrefetcher)
#include "tst_engine_batchprefetcher.moc"
