// The pre-flight check on hand-made mismatches: input shapes, label type and class count vs the
// output layer and loss (10 classes but Dense(1)), memory vs a given free RAM, parameter count.
#include <QtTest>
#include <algorithm>

#include "engine/data/Array.h"
#include "engine/graph/ModelSpec.h"
#include "tests/support/StateOutputModel.h"
#include "ui/training/PreflightCheck.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

// Input(inputShape) -> Flatten -> Dense(units, activation).
ModelSpec model(std::vector<int> inputShape, int units, const std::string& activation) {
  json batchShape = json::array({nullptr});
  for (int d : inputShape) batchShape.push_back(d);
  json m = {{"class_name", "Functional"},
            {"config",
             {{"name", "m"},
              {"layers",
               {{{"class_name", "InputLayer"},
                 {"name", "input_1"},
                 {"config", {{"name", "input_1"}, {"batch_input_shape", batchShape}}},
                 {"inbound_nodes", json::array()}},
                {{"class_name", "Flatten"},
                 {"name", "flatten"},
                 {"config", {{"name", "flatten"}}},
                 {"inbound_nodes", {{{"input_1", 0, 0, json::object()}}}}},
                {{"class_name", "Dense"},
                 {"name", "out"},
                 {"config", {{"name", "out"}, {"units", units}, {"activation", activation}}},
                 {"inbound_nodes", {{{"flatten", 0, 0, json::object()}}}}}}},
              {"input_layers", {{"input_1", 0, 0}}},
              {"output_layers", {{"out", 0, 0}}}}}};
  return ModelSpec::fromKerasJson(m);
}

// x (n, shape...) zeros; y (n,) labels i % classes.
Dataset data(Index n, Shape xShape, int classes) {
  Shape s{n};
  s.insert(s.end(), xShape.begin(), xShape.end());
  Dataset d;
  d.x.push_back(Array(DType::Float32, s));
  Array y(DType::Float32, {n});
  auto* yp = reinterpret_cast<float*>(y.bytes());
  for (Index i = 0; i < n; ++i) yp[i] = static_cast<float>(i % classes);
  d.y.push_back(y);
  return d;
}

CompileOptions compile(const std::string& loss) {
  CompileOptions c;
  c.losses = {loss};
  c.optimizer = "adam";
  return c;
}

const PreflightItem* find(const PreflightCheck::Result& r, const std::string& code,
                          PreflightItem::Severity s) {
  for (const auto& i : r.items)
    if (i.code == code && i.severity == s) return &i;
  return nullptr;
}

constexpr std::int64_t kGiB = 1ll << 30;

}  // namespace

class TestPreflight : public QObject {
  Q_OBJECT
 private slots:
  void cleanSetupHasNoError() {
    FitOptions fit;
    auto r = PreflightCheck::run(model({28, 28}, 10, "softmax"),
                                 compile("sparse_categorical_crossentropy"),
                                 data(100, {28, 28}, 10), fit, 4 * kGiB);
    QVERIFY(r.ok());
    // Dense(784 -> 10): 7850 parameters.
    QCOMPARE(r.parameters, std::int64_t(7850));
    auto* p = find(r, "params", PreflightItem::Severity::Info);
    QVERIFY(p);
    QCOMPARE(QString::fromStdString(p->message), QString("parameters: 7,850"));
    auto* c = find(r, "classes", PreflightItem::Severity::Info);
    QVERIFY(c);
    QVERIFY(QString::fromStdString(c->message).contains("10 classes"));
  }

  void tenClassesButDenseOne() {
    FitOptions fit;
    auto r =
        PreflightCheck::run(model({4}, 1, "softmax"), compile("sparse_categorical_crossentropy"),
                            data(50, {4}, 10), fit, 4 * kGiB);
    QVERIFY(!r.ok());
    auto* e = find(r, "label_classes", PreflightItem::Severity::Error);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->message), QString("out: 10 classes but Dense(1)"));
    QCOMPARE(QString::fromStdString(e->fix),
             QString("set units of out to 10 with activation softmax"));
  }

  void binaryLossWithTenClasses() {
    FitOptions fit;
    auto r = PreflightCheck::run(model({4}, 1, "sigmoid"), compile("binary_crossentropy"),
                                 data(50, {4}, 10), fit, 4 * kGiB);
    auto* e = find(r, "label_classes", PreflightItem::Severity::Error);
    QVERIFY(e);
    QVERIFY(QString::fromStdString(e->fix).contains("Dense(10, softmax)"));
  }

  void categoricalWithClassIds() {
    FitOptions fit;
    auto r = PreflightCheck::run(model({4}, 10, "softmax"), compile("categorical_crossentropy"),
                                 data(50, {4}, 10), fit, 4 * kGiB);
    auto* e = find(r, "label_type", PreflightItem::Severity::Error);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->fix), QString("use sparse_categorical_crossentropy"));
  }

  void nonIntegerLabelsForSparse() {
    FitOptions fit;
    Dataset d = data(20, {4}, 3);
    reinterpret_cast<float*>(d.y[0].bytes())[5] = 0.5f;
    auto r = PreflightCheck::run(model({4}, 3, "softmax"),
                                 compile("sparse_categorical_crossentropy"), d, fit, 4 * kGiB);
    QVERIFY(find(r, "label_type", PreflightItem::Severity::Error));
  }

  void inputShapeMismatch() {
    FitOptions fit;
    // Model wants (None, 28, 28); data is flat (N, 784): same size, so the fix is a reshape.
    auto r = PreflightCheck::run(model({28, 28}, 10, "softmax"),
                                 compile("sparse_categorical_crossentropy"), data(10, {784}, 10),
                                 fit, 4 * kGiB);
    auto* e = find(r, "input_shape", PreflightItem::Severity::Error);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->message),
             QString("input input_1 expects (None, 28, 28), the data is (10, 784)"));
    QCOMPARE(QString::fromStdString(e->fix), QString("reshape the data to (10, 28, 28)"));
    // Different size: change the Input instead.
    auto r2 = PreflightCheck::run(model({28, 28}, 10, "softmax"),
                                  compile("sparse_categorical_crossentropy"),
                                  data(10, {32, 32}, 10), fit, 4 * kGiB);
    auto* e2 = find(r2, "input_shape", PreflightItem::Severity::Error);
    QVERIFY(e2);
    QCOMPARE(QString::fromStdString(e2->fix),
             QString("set the Input shape of input_1 to (32, 32)"));
  }

  void regressionWidthMismatch() {
    FitOptions fit;
    Dataset d = data(10, {4}, 1);
    d.y[0] = Array(DType::Float32, {10, 3});
    auto r = PreflightCheck::run(model({4}, 1, "linear"), compile("mse"), d, fit, 4 * kGiB);
    auto* e = find(r, "label_shape", PreflightItem::Severity::Error);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->fix), QString("set units of out to 3"));
  }

  void memoryVersusFreeRam() {
    FitOptions fit;
    fit.batchSize = 1000;
    // Params 7850 * 4 bytes * (2 + 2 Adam slots) = 125,600; activations per sample: input 784 +
    // flatten 784 + dense 10 = 1578 floats, * 1000 * 4 * 2 = 12,624,000; data 100*784*4 + 100*4.
    auto r = PreflightCheck::run(model({28, 28}, 10, "softmax"),
                                 compile("sparse_categorical_crossentropy"),
                                 data(100, {28, 28}, 10), fit, 1 << 20);
    QCOMPARE(r.estimatedBytes, std::int64_t(125600 + 12624000 + 313600 + 400));
    auto* e = find(r, "memory", PreflightItem::Severity::Error);
    QVERIFY(e);
    QVERIFY(QString::fromStdString(e->fix).contains("batch_size"));
    auto ok = PreflightCheck::run(model({28, 28}, 10, "softmax"),
                                  compile("sparse_categorical_crossentropy"),
                                  data(100, {28, 28}, 10), fit, 4 * kGiB);
    QVERIFY(find(ok, "memory", PreflightItem::Severity::Info));
  }

  // A model output that is an LSTM state (output tensor 1, h (None, 5)), not the sequence output
  // (None, 6, 5) of the same node: labels are checked against h, and the memory estimate counts
  // every output of the node (h and c too).
  void stateOutputShape() {
    FitOptions fit;
    fit.batchSize = 10;
    const ModelSpec spec = testutil::lstmStateModel({"h"});
    Dataset d;
    d.x.push_back(Array(DType::Float32, {20, 6, 3}));
    d.y.push_back(Array(DType::Float32, {20, 5}));
    auto r = PreflightCheck::run(spec, compile("mse"), d, fit, 4 * kGiB);
    QVERIFY2(r.ok(), r.items.empty() ? "" : r.items.front().message.c_str());
    QVERIFY(!find(r, "label_shape", PreflightItem::Severity::Error));
    // LSTM(5) on 3 features: 4 * 5 * (3 + 5 + 1) = 180 parameters, * 4 bytes * (2 + 2 Adam
    // slots) = 2,880; activations per sample: x 18 + sequence 30 + h 5 + c 5 = 58 floats,
    // * 10 * 4 * 2 = 4,640; data 20 * 18 * 4 + 20 * 5 * 4 = 1,840.
    QCOMPARE(r.parameters, std::int64_t(180));
    QCOMPARE(r.estimatedBytes, std::int64_t(2880 + 4640 + 1840));
    // Labels shaped like the sequence output do not fit h.
    d.y[0] = Array(DType::Float32, {20, 6, 5});
    r = PreflightCheck::run(spec, compile("mse"), d, fit, 4 * kGiB);
    auto* e = find(r, "label_shape", PreflightItem::Severity::Error);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->message),
             QString("lstm: labels have 30 value(s) per sample, LSTM(5) gives 5"));
    // Class ids for the state c with sparse_categorical_crossentropy: 5 units, one id per sample.
    Dataset ids = data(20, {6, 3}, 5);
    r = PreflightCheck::run(testutil::lstmStateModel({"c"}),
                            compile("sparse_categorical_crossentropy"), ids, fit, 4 * kGiB);
    QVERIFY(!find(r, "label_type", PreflightItem::Severity::Error));
    auto* c = find(r, "classes", PreflightItem::Severity::Info);
    QVERIFY(c);
    QCOMPARE(QString::fromStdString(c->message), QString("lstm: 5 classes, output LSTM(5)"));
  }

  void meminfoParsing() {
    QTemporaryFile f;
    QVERIFY(f.open());
    f.write("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    8000000 kB\n");
    f.close();
    auto v = PreflightCheck::availableMemory(f.fileName().toStdString());
    QVERIFY(v);
    QCOMPARE(*v, std::int64_t(8000000) * 1024);
    QVERIFY(!PreflightCheck::availableMemory("/nonexistent/meminfo"));
  }

  void countMismatches() {
    FitOptions fit;
    Dataset d = data(10, {4}, 2);
    d.y.push_back(d.y[0]);
    auto r = PreflightCheck::run(model({4}, 2, "softmax"),
                                 compile("sparse_categorical_crossentropy"), d, fit, 4 * kGiB);
    QVERIFY(find(r, "label_count", PreflightItem::Severity::Error));
  }
};

QTEST_APPLESS_MAIN(TestPreflight)
#include "tst_ui_preflight.moc"
