// CTC decoders (engine/losses/CtcDecode.h): greedy against PyTorch's argmax + unique_consecutive
// (tests/fixtures/torch/ctc.json), beam search against brute-force enumeration of every alignment
// on tiny cases (T <= 5, C <= 3), probability inputs, option parsing and bad input.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/losses/CtcDecode.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;
using json = nlohmann::json;

namespace {

using tessel::testutil::errorOf;

// Every label sequence with its exact probability: the sum over all C^T alignments collapsing to
// it (merge repeats, drop blanks), from softmax rows of x.
std::vector<std::pair<std::vector<Index>, double>> bruteForce(const std::vector<float>& x, Index T,
                                                              Index C) {
  std::vector<double> p(x.size());
  for (Index t = 0; t < T; ++t) {
    double s = 0;
    for (Index k = 0; k < C; ++k) s += std::exp(double(x[size_t(t * C + k)]));
    for (Index k = 0; k < C; ++k) p[size_t(t * C + k)] = std::exp(double(x[size_t(t * C + k)])) / s;
  }
  std::map<std::vector<Index>, double> sums;
  Index total = 1;
  for (Index t = 0; t < T; ++t) total *= C;
  for (Index code = 0; code < total; ++code) {
    std::vector<Index> path(static_cast<size_t>(T)), labels;
    Index rest = code;
    double prob = 1;
    for (Index t = 0; t < T; ++t) {
      path[size_t(t)] = rest % C;
      rest /= C;
      prob *= p[size_t(t * C + path[size_t(t)])];
    }
    for (Index t = 0; t < T; ++t)
      if (path[size_t(t)] != 0 && (t == 0 || path[size_t(t)] != path[size_t(t - 1)]))
        labels.push_back(path[size_t(t)]);
    sums[labels] += prob;
  }
  std::vector<std::pair<std::vector<Index>, double>> out(sums.begin(), sums.end());
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace

class TestCtcDecode : public QObject {
  Q_OBJECT

 private slots:
  void greedyMatchesTorch() {
    std::ifstream f(std::string(TESSEL_FIXTURES_DIR) + "/torch/ctc.json");
    QVERIFY(f);
    const json j = json::parse(f);
    int samples = 0;
    for (const json& c : j["greedy"])
      for (size_t i = 0; i < c["y_pred"].size(); ++i) {
        const json& rows = c["y_pred"][i];
        const Index T = Index(rows.size()), C = Index(rows[0].size());
        std::vector<float> x;
        for (const auto& r : rows)
          for (const auto& v : r) x.push_back(v.get<float>());
        const CtcPath p = ctcGreedyDecode(x.data(), T, C);
        QCOMPARE(p.labels, c["decoded"][i].get<std::vector<Index>>());
        ++samples;
      }
    QVERIFY(samples >= 5);
  }

  void greedyMergesRepeatsAndDropsBlanks() {
    // argmax per step: 1 1 0 1 2 2 0 2
    const std::vector<Index> best{1, 1, 0, 1, 2, 2, 0, 2};
    std::vector<float> x(best.size() * 3, 0.0f);
    for (size_t t = 0; t < best.size(); ++t) x[t * 3 + size_t(best[t])] = 1.0f + float(t);
    const CtcPath merged = ctcGreedyDecode(x.data(), Index(best.size()), 3);
    QCOMPARE(merged.labels, (std::vector<Index>{1, 1, 2, 2}));
    QCOMPARE(merged.score, -(1.0 + 2 + 3 + 4 + 5 + 6 + 7 + 8));  // TF: -sum of the max values
    const CtcPath raw = ctcGreedyDecode(x.data(), Index(best.size()), 3, false);
    QCOMPARE(raw.labels, (std::vector<Index>{1, 1, 1, 2, 2, 2}));
    QVERIFY(ctcGreedyDecode(x.data(), 0, 3).labels.empty());
  }

  void beamMatchesBruteForce() {
    Rng rng(15);
    int cases = 0;
    for (Index T = 1; T <= 5; ++T)
      for (Index C = 2; C <= 3; ++C)
        for (int trial = 0; trial < 8; ++trial) {
          std::vector<float> x(size_t(T * C));
          for (float& v : x) v = rng.normal(0.0f, 1.5f);
          const auto exact = bruteForce(x, T, C);
          const int top = int(std::min<size_t>(exact.size(), 6));
          const auto beams = ctcBeamSearchDecode(x.data(), T, C, 1000, top);
          QCOMPARE(int(beams.size()), top);
          for (int k = 0; k < top; ++k) {
            QCOMPARE(beams[size_t(k)].labels, exact[size_t(k)].first);
            QVERIFY(std::fabs(beams[size_t(k)].score - std::log(exact[size_t(k)].second)) < 1e-9);
          }
          // With no pruning the beam holds every sequence: probabilities sum to 1.
          const auto all = ctcBeamSearchDecode(x.data(), T, C, 1000, 1000);
          QCOMPARE(all.size(), exact.size());
          double sum = 0;
          for (const CtcPath& p : all) sum += std::exp(p.score);
          QVERIFY(std::fabs(sum - 1.0) < 1e-9);
          ++cases;
        }
    QCOMPARE(cases, 80);
  }

  void beamBeatsGreedyWhereAlignmentsAddUp() {
    // Greedy reads blank, blank ([]), but the label [1] has probability 1 - 0.6^2 = 0.64.
    const float lo = std::log(0.4f), hi = std::log(0.6f);
    const std::vector<float> x{hi, lo, hi, lo};
    QVERIFY(ctcGreedyDecode(x.data(), 2, 2).labels.empty());
    const auto b = ctcBeamSearchDecode(x.data(), 2, 2, 10, 2);
    QCOMPARE(b[0].labels, std::vector<Index>{1});
    QVERIFY(std::fabs(std::exp(b[0].score) - 0.64) < 1e-6);
    QVERIFY(b[1].labels.empty());
    QVERIFY(std::fabs(std::exp(b[1].score) - 0.36) < 1e-6);
  }

  void beamTakesProbabilities() {
    Rng rng(4);
    const Index T = 7, C = 4;
    std::vector<float> x(size_t(T * C)), p(x.size());
    for (float& v : x) v = rng.normal(0.0f, 2.0f);
    for (Index t = 0; t < T; ++t) {
      double s = 0;
      for (Index k = 0; k < C; ++k) s += std::exp(x[size_t(t * C + k)]);
      for (Index k = 0; k < C; ++k)
        p[size_t(t * C + k)] = float(std::exp(x[size_t(t * C + k)]) / s);
    }
    const auto a = ctcBeamSearchDecode(x.data(), T, C, 20, 3);
    const auto b = ctcBeamSearchDecode(p.data(), T, C, 20, 3, false);
    QCOMPARE(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      QCOMPARE(a[k].labels, b[k].labels);
      QVERIFY(std::fabs(a[k].score - b[k].score) < 1e-4);
    }
    // Width 1 keeps one prefix per step: a valid sequence, never more probable than the best.
    const auto narrow = ctcBeamSearchDecode(x.data(), T, C, 1, 1);
    QCOMPARE(narrow.size(), size_t(1));
    QVERIFY(narrow[0].score <= a[0].score + 1e-12);
  }

  void options() {
    QVERIFY(!CtcDecodeOptions::parse("greedy").beam);
    QVERIFY(CtcDecodeOptions::parse("beam").beam);
    QCOMPARE(CtcDecodeOptions::parse("beam").beamWidth, 100);
    QCOMPARE(CtcDecodeOptions::parse("beam:7").beamWidth, 7);
    for (const char* bad : {"beam:", "beam:0", "beam:x", "beam:3x", "best", ""})
      QVERIFY2(
          errorOf([&] { CtcDecodeOptions::parse(bad); }).find("--ctc-decode") != std::string::npos,
          bad);
  }

  void badInput() {
    std::vector<float> x{0.1f, 0.2f, std::numeric_limits<float>::quiet_NaN(), 0.3f};
    std::string e = errorOf([&] { ctcGreedyDecode(x.data(), 2, 2); });
    QVERIFY2(e.find("NaN at step 1") != std::string::npos, e.c_str());
    e = errorOf([&] { ctcBeamSearchDecode(x.data(), 2, 2); });
    QVERIFY2(e.find("NaN") != std::string::npos, e.c_str());
    x[2] = 0.5f;
    e = errorOf([&] { ctcGreedyDecode(x.data(), 4, 1); });
    QVERIFY2(e.find("blank") != std::string::npos, e.c_str());
    e = errorOf([&] { ctcBeamSearchDecode(x.data(), 2, 2, 2, 3); });
    QVERIFY2(e.find("top paths") != std::string::npos, e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestCtcDecode)
#include "tst_engine_losses_ctcdecode.moc"
