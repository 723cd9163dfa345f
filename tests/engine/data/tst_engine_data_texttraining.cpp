// A text classifier trained end to end on the Debian fortunes package: DataSettings kind "text"
// (multi_hot, max_tokens 5000, vocabulary adapted on the training split) -> Input(5000) ->
// TextVectorization (host-side: the data stage's rows pass through; its vocabulary copied into the
// model) -> Dense(5, softmax), Adam, 3 epochs. The five default categories are balanced enough
// that chance is under 0.3; the model must beat 0.6 validation accuracy (it reached 0.72 here).
// Skipped when the fortunes package is not installed. No timing is asserted.
#include <QtTest>

#include "engine/data/DatasetBuilder.h"
#include "engine/data/Fortunes.h"
#include "engine/data/TextVectorization.h"
#include "engine/layers/TextLayers.h"
#include "engine/train/TrainTestUtil.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using namespace tessel::test;

class TestTextTraining : public QObject {
  Q_OBJECT
 private slots:
  void bagOfWordsOnFortunes() {
    if (!fortunesAvailable()) QSKIP("the fortunes package is not installed");
    DataSettings s;
    s.kind = "text";
    s.fractions = {0.8, 0.2, 0.0};
    s.splitSeed = 1;
    s.options = {{"source", "fortunes"},
                 {"vectorization", {{"output_mode", "multi_hot"}, {"max_tokens", 5000}}}};
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].shape()[1], Index(5000));
    QVERIFY(b.validation.has_value());
    ModelSpec spec = makeSpec({inputNode("text", {5000}),
                               node("text_vectorization", "TextVectorization", {"text"},
                                    {{"output_mode", "multi_hot"}, {"max_tokens", 5000}}),
                               denseNode("classes", 5, "text_vectorization", "softmax")},
                              {"text"}, {"classes"});
    // The adapted vocabulary goes into the model (model.json holds it).
    QCOMPARE(storeTextVocabulary(spec, b.settings.options["vectorization"]),
             std::string("text_vectorization"));
    QCOMPARE(spec.find("text_vectorization")->config["vocabulary"].size(), size_t(5000));
    fitDatasetToModel(b.train, spec);
    fitDatasetToModel(*b.validation, spec);
    Model m(spec, 1);
    Trainer t(m,
              CompileOptions{{"sparse_categorical_crossentropy"},
                             {},
                             {{"accuracy"}},
                             json{{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}}});
    FitOptions o;
    o.epochs = 3, o.batchSize = 32, o.verbose = 0, o.seed = 2;
    o.validationData = *b.validation;
    History h = t.fit(b.train, o);
    const double acc = h["val_accuracy"].back();
    qInfo(
        "fortunes bag of words (5 classes, %lld train / %lld validation): val_accuracy %.4f "
        "after 3 epochs (loss %.4f)",
        (long long)b.train.x[0].rows(), (long long)b.validation->x[0].rows(), acc,
        h["loss"].back());
    QVERIFY2(acc > 0.6, qPrintable(QString::number(acc)));
    QVERIFY(h["loss"].back() < h["loss"].front());
  }
};

QTEST_APPLESS_MAIN(TestTextTraining)
#include "tst_engine_data_texttraining.moc"
