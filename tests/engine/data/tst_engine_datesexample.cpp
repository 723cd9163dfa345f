// The bundled example resources/examples/dates_seq2seq: human-written dates -> ISO dates
// (dates.tsv, made by make_dates.py), character level, an encoder LSTM and a teacher-forced
// decoder LSTM joined by Attention -> Concatenate -> Dense(softmax). The model loads with Keras's
// Param #; the pairs data kind gives [source ids, decoder input] and the decoder target, which is
// the decoder input shifted left by one ("[start]" first in, "[end]" last out); a short training
// lowers the loss, and greedy decoding (the model run once per output character, each prediction
// fed back as the next decoder input) reads dates. TESSEL_DATES_EXAMPLE_COUNT / _EPOCHS (default
// 640 / 2; validation and decoding on 200 pairs) train longer to print the README figure. No timing
// is asserted.
#include <QtTest>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/explain/Seq2SeqDecoder.h"
#include "engine/graph/FineTune.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/TextLayers.h"
#include "engine/train/Trainer.h"

using namespace tessel;

namespace {

const std::string kDir = TESSEL_SOURCE_DIR "/resources/examples/dates_seq2seq";

int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

DataSettings exampleSettings() {
  std::ifstream in(kDir + "/data.json");
  DataSettings s = DataSettings::fromJson(nlohmann::json::parse(in));
  s.path = kDir + "/" + s.path;  // relative to the example (as the studio's ExampleLibrary does)
  return s;
}

Index indexOf(const std::vector<std::string>& vocab, const std::string& token) {
  for (size_t i = 0; i < vocab.size(); ++i)
    if (vocab[i] == token) return Index(i);
  return -1;
}

// Greedy decoding of the first n rows: decoder input starts as [start] + zeros; at step t the
// model's argmax at position t becomes the input at t + 1. Returns the fraction of rows whose
// whole predicted sequence equals the target, and (tokenAccuracy) of characters.
double greedyExactMatch(Trainer& trainer, const Dataset& d, Index n, Index startId,
                        double* tokenAccuracy) {
  const Index L = d.x[1].shape()[1];
  const Array src = d.x[0].rowsRange(0, n);
  Tensor dec({n, L});
  dec.setZero();
  for (Index i = 0; i < n; ++i) dec[i * L] = float(startId);
  std::vector<Index> pred(size_t(n * L));
  for (Index t = 0; t < L; ++t) {
    const Tensor out = trainer.predict({src, Array::fromTensor(dec)}, 256)[0];
    const Index C = out.dim(2);
    for (Index i = 0; i < n; ++i) {
      const float* p = out.data() + (i * L + t) * C;
      pred[size_t(i * L + t)] = Index(std::max_element(p, p + C) - p);
      if (t + 1 < L) dec[i * L + t + 1] = float(pred[size_t(i * L + t)]);
    }
  }
  Index exact = 0, right = 0;
  for (Index i = 0; i < n; ++i) {
    bool all = true;
    for (Index t = 0; t < L; ++t) {
      const bool ok = pred[size_t(i * L + t)] == Index(d.y[0].raw(i * L + t));
      right += ok ? 1 : 0;
      all = all && ok;
    }
    exact += all ? 1 : 0;
  }
  if (tokenAccuracy) *tokenAccuracy = double(right) / double(n * L);
  return double(exact) / double(n);
}

}  // namespace

class TestDatesExample : public QObject {
  Q_OBJECT

 private slots:
  void loadsWithKerasParamCounts() {
    const ModelFile f = readModelFile(kDir + "/model.json");
    Model model(f.spec, 0);
    QCOMPARE(model.numInputs(), size_t(2));
    QCOMPARE(model.inputShape(0), (Shape{kNone, 32}));
    QCOMPARE(model.inputShape(1), (Shape{kNone, 11}));
    QCOMPARE(model.outputShape(0), (Shape{kNone, 11, 16}));
    // Keras: Embeddings 40 * 16 and 16 * 16; each LSTM 4 * (16 * 64 + 64 * 64 + 64); Attention
    // (dot, no scale) none; Dense 128 * 16 + 16.
    QCOMPARE(countParameters(f.spec).total, Index(640 + 20736 + 256 + 20736 + 2064));
    const std::string table = summaryTable(f.spec);
    QVERIFY2(table.find("Total params: 44,432") != std::string::npos, table.c_str());
    const auto tv = textVectorizationConfig(f.spec);
    QVERIFY(tv.has_value());
    const DataSettings s = exampleSettings();
    for (const char* key : {"max_tokens", "output_sequence_length", "split", "standardize"})
      QCOMPARE((*tv)[key], s.options["vectorization"][key]);
  }

  // The pairs data kind: two inputs and the shifted target, over the committed dates.tsv.
  void pairsDataFitsTheModel() {
    BuiltData d = buildDataset(exampleSettings());
    QCOMPARE(d.train.size(), Index(6400));
    QCOMPARE(d.train.x.size(), size_t(2));
    QCOMPARE(d.train.x[0].shape(), (Shape{6400, 32}));
    QCOMPARE(d.train.x[1].shape(), (Shape{6400, 11}));
    QCOMPARE(d.train.y[0].shape(), (Shape{6400, 11}));
    const auto target =
        d.settings.options["target_vectorization"]["vocabulary"].get<std::vector<std::string>>();
    const Index start = indexOf(target, "[start]"), end = indexOf(target, "[end]");
    QVERIFY(start > 1 && end > 1);
    QVERIFY(indexOf(target, "-") > 1 && indexOf(target, "7") > 1);
    QVERIFY(target.size() <= 16);  // fits the decoder Embedding and the Dense
    const Array &in = d.train.x[1], &out = d.train.y[0];
    for (Index i = 0; i < 6400; i += 97) {
      QCOMPARE(Index(in.raw(i * 11)), start);
      for (Index t = 0; t + 1 < 11; ++t) QCOMPARE(out.raw(i * 11 + t), in.raw(i * 11 + t + 1));
      QCOMPARE(Index(out.raw(i * 11 + 10)), end);                       // "yyyy-mm-dd[end]"
      QCOMPARE(target[size_t(out.raw(i * 11 + 4))], std::string("-"));  // "yyyy-"
    }
    ModelFile f = readModelFile(kDir + "/model.json");
    fitDatasetToModel(d.train, f.spec);
    fitDatasetToModel(*d.validation, f.spec);
  }

  void trainsAndDecodes() {
    const int count = envInt("TESSEL_DATES_EXAMPLE_COUNT", 640);
    const int epochs = envInt("TESSEL_DATES_EXAMPLE_EPOCHS", 2);
    DataSettings s = exampleSettings();
    BuiltData d = buildDataset(s, BuildOptions{count});
    ModelFile f = readModelFile(kDir + "/model.json");
    storeTextVocabulary(f.spec, d.settings.options["vectorization"]);
    fitDatasetToModel(d.train, f.spec);
    Dataset valid = *d.validation;
    if (!std::getenv("TESSEL_DATES_EXAMPLE_COUNT"))  // the quick run: 200 validation pairs
      valid = Dataset{{valid.x[0].rowsRange(0, 200), valid.x[1].rowsRange(0, 200)},
                      {valid.y[0].rowsRange(0, 200)},
                      {}};
    fitDatasetToModel(valid, f.spec);
    Model model(f.spec, 3);
    Trainer trainer(model, CompileOptions::fromTrainingConfig(f.trainingConfig, {"characters"}));
    FitOptions fit;
    fit.epochs = epochs;
    fit.batchSize = 32;
    fit.verbose = 0;
    fit.validationData = valid;
    const History h = trainer.fit(d.train, fit);
    QVERIFY2(h.stopReason.empty(), h.stopReason.c_str());
    const auto target =
        d.settings.options["target_vectorization"]["vocabulary"].get<std::vector<std::string>>();
    double tokens = 0;
    const Index n = std::min<Index>(200, valid.size());
    const double exact = greedyExactMatch(trainer, valid, n, indexOf(target, "[start]"), &tokens);
    // Beam search (width 3) on the same rows: a whole date is right when the decoding is the
    // target's characters and ended with [end].
    std::vector<Index> rows(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i) rows[size_t(i)] = i;
    Tensor src, dec;
    valid.x[0].gather(rows.data(), n, src);
    valid.x[1].gather(rows.data(), n, dec);
    Seq2SeqDecodeOptions so;
    so.decoderInput = 1;
    so.startId = float(indexOf(target, "[start]"));
    so.endId = indexOf(target, "[end]");
    Seq2SeqBeamOptions bo;
    bo.beamWidth = 3;
    const Seq2SeqDecoded beam = beamDecodeSeq2Seq(model, {&src, &dec}, so, bo);
    const Index L = valid.y[0].shape()[1];
    Index beamExact = 0;
    for (Index i = 0; i < n; ++i) {
      std::vector<Index> want;
      for (Index t = 0; t < L; ++t)
        if (const Index id = Index(valid.y[0].raw(i * L + t)); id != so.endId && id != 0)
          want.push_back(id);
      beamExact += beam.ended[size_t(i)] && beam.ids[size_t(i)] == want;
    }
    qInfo(
        "dates_seq2seq example: %d pairs, %d epochs: loss %.3f -> %.3f, teacher-forced token "
        "accuracy on %lld validation pairs %.4f; greedy decoding of %lld: characters %.4f, whole "
        "dates %.4f; beam search (width 3): whole dates %.4f",
        count, epochs, h["loss"].front(), h["loss"].back(), (long long)valid.size(),
        h["val_accuracy"].back(), (long long)n, tokens, exact, double(beamExact) / double(n));
    QVERIFY(h["loss"].back() < h["loss"].front());
    // Chance is 1/15 per character; the fixed "-" and the century digits alone give more.
    QVERIFY2(h["val_accuracy"].back() > 0.3, qPrintable(QString::number(h["val_accuracy"].back())));
  }
};

QTEST_APPLESS_MAIN(TestDatesExample)
#include "tst_engine_datesexample.moc"
