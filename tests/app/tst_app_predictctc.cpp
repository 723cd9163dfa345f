// `tessel train --loss ctc` and `tessel predict --ctc-decode greedy|beam[:W]` on generated
// sequence strips (engine/data/FashionSequence.h over synthetic sources): the saved model keeps its
// CTC training_config, the printed label sequences are the engine's decoders applied to the
// written --out array, a CTC taking probabilities (from_logits=false) is decoded as such, and
// bad --ctc-decode values / outputs without a time axis are clear usage errors.
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "CliTestUtil.h"
#include "engine/data/FashionSequence.h"
#include "engine/data/Npy.h"
#include "engine/losses/CtcDecode.h"

using namespace tessel;
using tessel::testutil::Run;
using tessel::testutil::runTessel;
using json = nlohmann::json;

namespace {

// Strip (28, 56, 1) -> Conv2D(8, (28, 28), strides (1, 7)) -> (1, 5, 8) -> Reshape (5, 8) ->
// Dense(11, activation), with an optional training_config.
json model(const std::string& activation, const json& trainingConfig = nullptr) {
  json m = {
      {"class_name", "Sequential"},
      {"config",
       {{"name", "reader"},
        {"layers",
         {{{"class_name", "Conv2D"},
           {"config",
            {{"name", "conv"},
             {"filters", 8},
             {"kernel_size", {28, 28}},
             {"strides", {1, 7}},
             {"activation", "relu"},
             {"batch_input_shape", {nullptr, 28, 56, 1}}}}},
          {{"class_name", "Reshape"}, {"config", {{"name", "steps"}, {"target_shape", {5, 8}}}}},
          {{"class_name", "Dense"},
           {"config", {{"name", "logits"}, {"units", 11}, {"activation", activation}}}}}}}}};
  if (!trainingConfig.is_null()) m["training_config"] = trainingConfig;
  return m;
}

// Printed "I: a b c" lines, in order.
std::vector<std::string> sequences(const QString& out) {
  std::vector<std::string> v;
  static const QRegularExpression line(R"(^(\d+):(.*)$)");
  for (const QString& l : out.split('\n')) {
    const auto m = line.match(l);
    if (m.hasMatch()) v.push_back(l.toStdString());
  }
  return v;
}

}  // namespace

class TestPredictCtc : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    std::vector<double> v(20 * 784), l(20);
    for (int k = 0; k < 20; ++k) {
      l[size_t(k)] = k % 10;
      for (int p = 0; p < 784; ++p) v[size_t(k * 784 + p)] = (p * (k + 3)) % 251;
    }
    SequenceOptions o;
    o.count = 40;
    o.length = 2;
    const SequenceSet s = generateFashionSequence(Array::fromValues(DType::UInt8, {20, 28, 28}, v),
                                                  Array::fromValues(DType::UInt8, {20}, l), o);
    writeNpy(path("x.npy").toStdString(), s.x.toFloat32());
    writeNpy(path("y.npy").toStdString(), s.y);
    writeJson("reader.json", model("linear"));
  }

  void trainsAndDecodes() {
    Run r = runTessel({"train", path("reader.json"), "--x", path("x.npy"), "--y", path("y.npy"),
                       "--loss", "ctc", "--optimizer", "adam", "--epochs", "2", "--batch-size", "8",
                       "--threads", "1", "--save", path("trained/model.json")});
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains("loss: "), qPrintable(r.out));
    for (const QString& how : {QString("greedy"), QString("beam:8")}) {
      Run p = runTessel({"predict", path("trained/model.json"), "--x", path("x.npy"), "--out",
                         path("p.npy"), "--ctc-decode", how});
      QVERIFY2(p.code == 0, qPrintable(p.err + p.out));
      QVERIFY2(p.out.contains("decoding of output 'logits' (logits, blank 0)"), qPrintable(p.out));
      const Array out = readNpy(path("p.npy").toStdString());
      QCOMPARE(out.shape(), (Shape{40, 5, 11}));
      const Tensor t = out.toTensor();
      CtcDecodeOptions d = CtcDecodeOptions::parse(how.toStdString());
      std::vector<std::string> want;
      for (Index i = 0; i < 40; ++i) {
        const float* x = t.data() + i * 55;
        const CtcPath best =
            d.beam ? ctcBeamSearchDecode(x, 5, 11, d.beamWidth, 1)[0] : ctcGreedyDecode(x, 5, 11);
        std::string line = std::to_string(i);
        line += ':';
        for (Index id : best.labels) {
          line += ' ';
          line += std::to_string(id);
        }
        if (best.labels.empty()) line += " (empty)";
        QVERIFY2(p.out.contains(QString::fromStdString(line)),
                 qPrintable("want " + QString::fromStdString(line) + " in " + p.out.right(300)));
        want.push_back(line);
      }
      const auto got = sequences(p.out);
      QCOMPARE(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i)
        QVERIFY2(got[i].rfind(want[i], 0) == 0, got[i].c_str());
      if (d.beam) QVERIFY(p.out.contains("log p = "));
    }
    // Without --out: only the decoded sequences.
    Run q = runTessel(
        {"predict", path("trained/model.json"), "--x", path("x.npy"), "--ctc-decode", "greedy"});
    QVERIFY2(q.code == 0 && sequences(q.out).size() == 40, qPrintable(q.err + q.out));
  }

  void probabilitiesFromTheTrainingConfig() {
    writeJson("probs.json",
              model("softmax",
                    {{"loss", {{"class_name", "CTC"}, {"config", {{"from_logits", false}}}}},
                     {"optimizer_config", {{"class_name", "Adam"}, {"config", json::object()}}}}));
    Run p = runTessel({"predict", path("probs.json"), "--x", path("x.npy"), "--out",
                       path("probs.npy"), "--ctc-decode", "beam"});
    QVERIFY2(p.code == 0, qPrintable(p.err + p.out));
    QVERIFY2(p.out.contains("(probabilities, blank 0)") && p.out.contains("width 100"),
             qPrintable(p.out));
    const auto got = sequences(p.out);
    QCOMPARE(got.size(), size_t(40));
    // The softmax rows decoded as probabilities: the engine's beam search with fromLogits false.
    const Tensor probs = readNpy(path("probs.npy").toStdString()).toTensor();
    const CtcPath best = ctcBeamSearchDecode(probs.data(), 5, 11, 100, 1, false)[0];
    std::string first = "0:";
    for (Index id : best.labels) {
      first += ' ';
      first += std::to_string(id);
    }
    if (best.labels.empty()) first += " (empty)";
    char buf[48];
    std::snprintf(buf, sizeof buf, "  log p = %.6g", best.score);
    QCOMPARE(got[0], first + buf);
  }

  void trainRefusesLabelsThatDoNotFit() {
    // A label id 11 for an 11-class output (ids 0..10), and a label needing 7 steps of T = 5.
    for (const std::vector<double>& labels :
         {std::vector<double>{1, 11, 2, 0}, std::vector<double>{3, 3, 3, 3}}) {
      std::vector<double> y;
      for (int i = 0; i < 40; ++i) y.insert(y.end(), {double(i % 10 + 1), 0.0, 0.0, 0.0});
      std::copy(labels.begin(), labels.end(), y.begin() + 4 * 7);  // sample 7
      writeNpy(path("bad_y.npy").toStdString(), Array::fromValues(DType::Float32, {40, 4}, y));
      Run r = runTessel({"train", path("reader.json"), "--x", path("x.npy"), "--y",
                         path("bad_y.npy"), "--loss", "ctc", "--epochs", "1"});
      QVERIFY2(!r.crashed && r.code != 0, qPrintable(r.err + r.out));
      QVERIFY2(r.err.contains("loss 'ctc'") && r.err.contains("sample 7"), qPrintable(r.err));
    }
  }

  void badUsage() {
    Run r =
        runTessel({"predict", path("reader.json"), "--x", path("x.npy"), "--ctc-decode", "best"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--ctc-decode") && r.err.contains("best"), qPrintable(r.err));
    writeJson("flat.json", json::parse(testutil::kTinyModel));
    std::vector<double> v(12, 0.5);
    writeNpy(path("x3.npy").toStdString(), Array::fromValues(DType::Float32, {4, 3}, v));
    r = runTessel({"predict", path("flat.json"), "--x", path("x3.npy"), "--ctc-decode", "greedy"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("(batch, time steps, classes)"), qPrintable(r.err));
  }

 private:
  QString path(const QString& name) const { return tmp_.filePath(name); }
  void writeJson(const QString& name, const json& j) {
    QFile f(path(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(j.dump()));
  }
  QTemporaryDir tmp_;
};

QTEST_GUILESS_MAIN(TestPredictCtc)
#include "tst_app_predictctc.moc"
