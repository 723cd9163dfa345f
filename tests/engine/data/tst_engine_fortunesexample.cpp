// The bundled example resources/examples/fortunes_text (model.json + data.json): the Debian
// fortunes package's five default categories as 64 token ids (data kind "text", TextVectorization
// adapted on the training split) -> Embedding(10000, 32, mask_zero) -> Bidirectional(LSTM(32)) ->
// Dense(5, softmax). The model loads with Keras's Param # (320,000 + 16,640 + 325), its data
// settings build ids that fit it, and a few training steps on one batch lower the loss.
// The data parts are skipped when the fortunes package is not installed. No timing is asserted.
#include <QtTest>

#include <cmath>
#include <fstream>

#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/Fortunes.h"
#include "engine/graph/FineTune.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/TextLayers.h"
#include "engine/train/Trainer.h"

using namespace tessel;

namespace {

const std::string kDir = TESSEL_SOURCE_DIR "/resources/examples/fortunes_text";

DataSettings exampleSettings() {
  std::ifstream in(kDir + "/data.json");
  return DataSettings::fromJson(nlohmann::json::parse(in));
}

// The rows of `d` from `begin` to `end` (x and y).
Dataset rows(const Dataset& d, Index begin, Index end) {
  Dataset out;
  for (const Array& a : d.x) out.x.push_back(a.rowsRange(begin, end - begin));
  for (const Array& a : d.y) out.y.push_back(a.rowsRange(begin, end - begin));
  return out;
}

}  // namespace

class TestFortunesExample : public QObject {
  Q_OBJECT

 private slots:
  void loadsWithKerasParamCounts() {
    const ModelFile f = readModelFile(kDir + "/model.json");
    Model model(f.spec, 0);
    QCOMPARE(model.inputShape(0), (Shape{kNone, 64}));
    QCOMPARE(model.outputShape(0), (Shape{kNone, 5}));
    // Keras: Embedding 10000 * 32; Bidirectional 2 * 4 * (32 * 32 + 32 * 32 + 32); Dense 64 * 5
    // + 5.
    const ParamCounts counts = countParameters(f.spec);
    QCOMPARE(counts.total, Index(336965));
    QCOMPARE(counts.trainable, Index(336965));
    const std::string table = summaryTable(f.spec);
    for (const char* row : {"(None, 64, 32)       320000", "(None, 64)           16640",
                            "(None, 5)            325", "Total params: 336,965"})
      QVERIFY2(table.find(row) != std::string::npos, qPrintable(QString::fromStdString(table)));
    const auto compile = CompileOptions::fromTrainingConfig(f.trainingConfig, {"category"});
    QCOMPARE(makeLoss(compile.losses.at(0))->className(),
             std::string("SparseCategoricalCrossentropy"));
    // The data settings' vectorization is the model's TextVectorization config.
    const auto tv = textVectorizationConfig(f.spec);
    QVERIFY(tv.has_value());
    const DataSettings s = exampleSettings();
    QCOMPARE(s.kind, std::string("text"));
    for (const char* key : {"max_tokens", "output_sequence_length", "output_mode"})
      QCOMPARE((*tv)[key], s.options["vectorization"][key]);
  }

  void buildsDataThatFitsAndTrains() {
    if (!fortunesAvailable()) QSKIP("the fortunes package is not installed");
    DataSettings s = exampleSettings();
    s.options["max_samples"] = 400;
    BuiltData d = buildDataset(s);
    QCOMPARE(d.classNames.size(), size_t(5));
    QVERIFY(d.validation.has_value() && d.test.has_value());
    ModelFile f = readModelFile(kDir + "/model.json");
    fitDatasetToModel(d.train, f.spec);
    QCOMPARE(d.train.x[0].shape()[1], Index(64));
    // Every id fits the Embedding; padded rows end in zeros (the mask).
    for (Index i = 0; i < d.train.x[0].size(); ++i)
      QVERIFY(d.train.x[0].raw(i) >= 0 && d.train.x[0].raw(i) < 10000);
    // The adapted vocabulary goes into the model (as the CLI's train --save writes it).
    QCOMPARE(storeTextVocabulary(f.spec, d.settings.options["vectorization"]),
             std::string("text_vectorization"));
    Model model(f.spec, 1);
    Trainer trainer(model, CompileOptions::fromTrainingConfig(f.trainingConfig, {"category"}));
    // One batch of 32, six steps at the example's Adam(1e-3): its loss falls.
    const Dataset batch = rows(d.train, 0, 32);
    FitOptions fit;
    fit.epochs = 6;
    fit.batchSize = 32;
    fit.verbose = 0;
    const History h = trainer.fit(batch, fit);
    QVERIFY2(h.stopReason.empty(), h.stopReason.c_str());
    const auto& loss = h["loss"];
    QVERIFY(std::isfinite(loss.back()));
    QVERIFY2(loss.back() < loss.front(),
             qPrintable(QString("%1 -> %2").arg(loss.front()).arg(loss.back())));
  }
};

QTEST_APPLESS_MAIN(TestFortunesExample)
#include "tst_engine_fortunesexample.moc"
