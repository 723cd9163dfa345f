// The "Sequences" preview tab, driven through a real PreviewPanel while tiny models train for one
// epoch on a QThread: a text classifier (CSV text data, self-attention), a CTC reader of
// Fashion-MNIST strips (greedy, then beam search chosen in the combo box) and a seq2seq
// translator with attention (sentence pairs). Every shown string is checked against an
// independent forward pass of the epoch-end weights; the heat map gets a matrix of the right
// shape. Screenshots land in $TESSEL_SCREENSHOTS when it is set. Seq2seq beam search chosen in
// the decoder box, and a sentence typed into the "type a sentence" line (classifier: top classes;
// seq2seq: greedy / beam decoding with the attention heat map), are checked against independent
// decodes and forward passes of the epoch-end weights.
#include <QHeaderView>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>

#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionSequence.h"
#include "engine/data/TextVectorization.h"
#include "engine/explain/AttentionProbe.h"
#include "engine/explain/Seq2SeqDecoder.h"
#include "engine/losses/CtcDecode.h"
#include "tests/engine/train/TrainTestUtil.h"
#include "tests/support/Screenshot.h"
#include "tests/ui/preview/PreviewTestSupport.h"
#include "ui/preview/AttentionHeatMap.h"
#include "ui/preview/SequencePreview.h"
#include "ui/preview/SequenceSetup.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::ui::previewtest;
using tessel::test::denseNode;
using tessel::test::inputNode;
using tessel::test::makeSpec;
using tessel::test::node;

namespace {

constexpr int kLen = 6, kDecLen = 16;

void shot(QWidget& w, const QString& name) {
  tessel::testutil::saveScreenshot(&w, name);
}

CompileOptions compileWith(const json& loss) {
  CompileOptions c;
  c.losses = {loss};
  c.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}};
  return c;
}

// The table cell text of the column titled `header` ("" when absent).
QString cell(QTableWidget* t, int row, const QString& header) {
  for (int c = 0; c < t->columnCount(); ++c)
    if (t->horizontalHeaderItem(c) && t->horizontalHeaderItem(c)->text() == header)
      return t->item(row, c) ? t->item(row, c)->text() : QString();
  return {};
}

// Outputs of a model with the driver's epoch-end weights on validation rows (data rows).
std::vector<Tensor> forwardRows(const ModelSpec& spec, PreviewDriver* d,
                                const std::vector<Index>& rows) {
  Model m(spec, 3);
  m.setWeights(d->latestWeights());
  std::vector<Tensor> xs(d->validationSource().x.size());
  std::vector<const Tensor*> ptr;
  for (size_t i = 0; i < xs.size(); ++i) {
    d->validationSource().x[i].gather(rows.data(), Index(rows.size()), xs[i]);
    ptr.push_back(&xs[i]);
  }
  RunContext ctx;
  m.forward(ptr, false, ctx);
  std::vector<Tensor> out;
  for (size_t k = 0; k < m.numOutputs(); ++k) out.push_back(m.output(k));
  return out;
}

std::vector<Index> sampleDataRows(PreviewDriver* d) {
  std::vector<Index> rows;
  for (const PreviewRecord& r : d->records()) rows.push_back(d->valBegin() + r.sample);
  return rows;
}

// Trains one epoch with the panel's observer and waits for the epoch-end preview.
bool trainOneEpoch(PreviewPanel& panel, const ModelSpec& spec, const CompileOptions& compile,
                   const Dataset& train, const std::optional<Dataset>& validation) {
  FitOptions fit;
  // One epoch (the checks hold for any count; TESSEL_SHOT_EPOCHS trains longer for screenshots).
  fit.epochs = std::max(1, qEnvironmentVariableIntValue("TESSEL_SHOT_EPOCHS"));
  fit.batchSize = 16;
  fit.verbose = 0;
  fit.validationData = validation;
  panel.configure(spec, compile, train, fit);
  TrainRun run;
  run.start(panel.driver(), spec, compile, train, fit);
  QSignalSpy spy(panel.driver(), &PreviewDriver::weightsUpdated);
  const bool got = spy.wait(120000) || spy.count() > 0;
  run.thread->wait();
  if (!run.ok) qWarning("training failed: %s", run.error.c_str());
  QCoreApplication::processEvents();
  return got && run.ok;
}

// n lines "text,label": positive words for class pos, negative ones for neg.
QString writeTextCsv(const QTemporaryDir& dir, int n) {
  const char* pos[] = {"good", "great", "fine", "nice", "happy"};
  const char* neg[] = {"bad", "awful", "poor", "sad", "ugly"};
  const char* filler[] = {"the", "movie", "was", "really", "plot"};
  Rng rng(4);
  QString text = "text,label\n";
  for (int i = 0; i < n; ++i) {
    const bool p = i % 2 == 0;
    QStringList words;
    const int len = 2 + int(rng.below(4));
    for (int k = 0; k < len; ++k)
      words << (rng.below(2) ? QString(filler[rng.below(5)])
                             : QString(p ? pos[rng.below(5)] : neg[rng.below(5)]));
    words << (p ? pos[rng.below(5)] : neg[rng.below(5)]);
    words[0][0] = words[0][0].toUpper();
    text += words.join(' ') + (i % 3 == 0 ? "!" : ".") + "," + (p ? "pos" : "neg") + "\n";
  }
  const QString path = dir.filePath("reviews.csv");
  QFile f(path);
  f.open(QIODevice::WriteOnly);
  f.write(text.toUtf8());
  return path;
}

QString writePairs(const QTemporaryDir& dir, int n) {
  const char* en[] = {"one", "two", "three", "four", "five"};
  const char* de[] = {"eins", "zwei", "drei", "vier", "fünf"};
  Rng rng(6);
  QString text;
  for (int i = 0; i < n; ++i) {
    QStringList a, b;
    const int len = 1 + int(rng.below(3));
    for (int k = 0; k < len; ++k) {
      const int w = int(rng.below(5));
      a << en[w];
      b << de[w];
    }
    text += a.join(' ') + "\t" + b.join(' ') + "\n";
  }
  const QString path = dir.filePath("pairs.tsv");
  QFile f(path);
  f.open(QIODevice::WriteOnly);
  f.write(text.toUtf8());
  return path;
}

DataSettings textSettings(const QString& path, const std::string& source) {
  DataSettings s;
  s.kind = "text";
  s.path = path.toStdString();
  s.fractions = {0.6, 0.4, 0.0};
  s.splitSeed = 3;
  s.options = {{"source", source},
               {"vectorization", {{"max_tokens", 40}, {"output_sequence_length", kLen}}}};
  return s;
}

// Types `text` into the sequence preview's sentence line and presses Return.
void typeInto(SequencePreview* sp, const QString& text) {
  QLineEdit* edit = sp->sentenceEdit();
  edit->setFocus();
  edit->selectAll();
  QTest::keyClick(edit, Qt::Key_Delete);
  QTest::keyClicks(edit, text);
  QTest::keyClick(edit, Qt::Key_Return);
}

// The seq2seq translator of seq2seqShowsDecodingAndAttention on its pairs.
struct PairsSetup {
  QTemporaryDir dir;
  BuiltData built;
  ModelSpec spec;
  std::vector<std::string> target;
  PairsSetup() {
    DataSettings settings = textSettings(writePairs(dir, 80), "pairs");
    settings.options["target_vectorization"] = {{"split", "character"},
                                                {"standardize", nullptr},
                                                {"max_tokens", 40},
                                                {"output_sequence_length", kDecLen}};
    built = buildDataset(settings);
    const Index vs = Index(built.settings.options["vectorization"]["vocabulary"].size());
    const Index vt = Index(built.settings.options["target_vectorization"]["vocabulary"].size());
    spec = makeSpec(
        {inputNode("source", {kLen}), inputNode("decoder", {kDecLen}),
         node("enc_emb", "Embedding", {"source"}, {{"input_dim", vs}, {"output_dim", 16}}),
         node("dec_emb", "Embedding", {"decoder"}, {{"input_dim", vt}, {"output_dim", 16}}),
         node("attention", "Attention", {"dec_emb", "enc_emb"}),
         node("concat", "Concatenate", {"dec_emb", "attention"}),
         denseNode("next", int(vt), "concat", "softmax")},
        {"source", "decoder"}, {"next"});
    target = built.settings.options["target_vectorization"]["vocabulary"];
  }
};

}  // namespace

class TestSequencePreview : public QObject {
  Q_OBJECT

 private slots:
  void textClassificationShowsTextsAndVerdicts() {
    QTemporaryDir dir;
    const QString csv = writeTextCsv(dir, 60);
    BuiltData built = buildDataset(textSettings(csv, "csv"));
    QVERIFY(built.validation);
    const Index vocab = Index(built.settings.options["vectorization"]["vocabulary"].size());
    const ModelSpec spec = makeSpec(
        {inputNode("text", {kLen}),
         node("embedding", "Embedding", {"text"}, {{"input_dim", vocab}, {"output_dim", 8}}),
         node("attention", "Attention", {"embedding", "embedding"}),
         node("pool", "GlobalAveragePooling1D", {"attention"}),
         denseNode("label", 2, "pool", "softmax")},
        {"text"}, {"label"});
    PreviewPanel panel;
    panel.resize(1100, 820);
    QStringList names;
    for (const auto& n : built.classNames) names << QString::fromStdString(n);
    panel.setClassNames(names);
    panel.setDataSettings(built.settings);
    const CompileOptions compile = compileWith("sparse_categorical_crossentropy");
    QVERIFY(trainOneEpoch(panel, spec, compile, built.train, built.validation));
    panel.show();
    QVERIFY(panel.sequenceTabVisible());
    QCOMPARE(panel.tabs()->currentWidget(), static_cast<QWidget*>(panel.sequencePreview()));
    SequencePreview* sp = panel.sequencePreview();
    QCOMPARE(panel.driver()->sequenceSetup().mode, SequenceMode::TextClass);
    QTableWidget* t = sp->table();
    const auto& records = panel.driver()->records();
    QCOMPARE(t->rowCount(), int(records.size()));
    QVERIFY(t->rowCount() > 4);
    // Independent: the raw lines of the CSV, and the predictions of the epoch-end weights.
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    const std::vector<Tensor> out =
        forwardRows(spec, panel.driver(), sampleDataRows(panel.driver()));
    int wrong = 0;
    for (int r = 0; r < t->rowCount(); ++r) {
      const QString text = cell(t, r, "Text");
      // The raw string (case and punctuation kept) of a CSV line with the true label shown.
      bool found = false;
      for (const QString& line : lines)
        if (line.startsWith(text + ",")) {
          found = true;
          QCOMPARE(cell(t, r, "True"), line.section(',', 1));
        }
      QVERIFY2(found, qPrintable("no CSV line starts with '" + text + "'"));
      QVERIFY(text.at(0).isUpper());
      // Token ids: the data row's non-zero ids.
      const Index row = panel.driver()->valBegin() + records[size_t(r)].sample;
      QStringList ids;
      const Array& x = panel.driver()->validationSource().x[0];
      for (Index j = 0; j < kLen; ++j)
        if (x.value(row * kLen + j) != 0) ids << QString::number(int(x.value(row * kLen + j)));
      QCOMPARE(cell(t, r, "Token ids"), "[" + ids.join(", ") + "]");
      // Predicted class and probability.
      const auto [p, conf] = PreviewDecoder::argmax(out[0], r);
      const QString pred = cell(t, r, "Predicted");
      QVERIFY2(pred.contains(names[p] + " (p = " + QString::number(conf, 'f', 3) + ")"),
               qPrintable(pred));
      const bool ok = names[p] == cell(t, r, "True");
      QCOMPARE(pred.startsWith(QStringLiteral("✓")), ok);
      QCOMPARE(pred.startsWith(QStringLiteral("✗")), !ok);
      wrong += !ok;
      const QTableWidgetItem* it = t->item(r, 3);
      QCOMPARE(it->background().color().red() > it->background().color().green(), !ok);
    }
    // The heat map: self-attention over the selected row's tokens (padding cropped).
    QVERIFY(sp->attentionShown());
    AttentionHeatMap* heat = sp->heatMap();
    const int pick = t->rowCount() - 1;
    const QRect rect = t->visualItemRect(t->item(pick, 0));
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(sp->attentionRow(), pick);
    const Index row = panel.driver()->valBegin() + records[size_t(pick)].sample;
    int tokens = 0;
    for (Index j = 0; j < kLen; ++j)
      tokens += panel.driver()->validationSource().x[0].value(row * kLen + j) != 0;
    if (pick < panel.driver()->sequenceSetup().probeRows) {
      QCOMPARE(heat->rows(), tokens);
      QCOMPARE(heat->cols(), tokens);
      QCOMPARE(heat->rowLabels().size(), tokens);
    }
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, t->visualItemRect(t->item(0, 0)).center());
    QCOMPARE(sp->attentionRow(), 0);
    QVERIFY(heat->rows() > 0);
    QCOMPARE(heat->rows(), heat->cols());
    qInfo("text sample: %d rows, %d wrong", t->rowCount(), wrong);
    shot(panel, "h15prev_text_classification.png");

    // A confusion cell opens the cell's texts (not image tiles).
    ConfusionMatrixWidget* cm = panel.confusionWidget(0);
    QVERIFY(cm);
    panel.tabs()->setCurrentWidget(cm);
    const auto counts = panel.driver()->confusion(0);
    int ct = 0, cp = 0;
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        if (counts[a][b] > 0 && (a != b || ct == cp)) ct = a, cp = b;
    QTest::mouseClick(cm, Qt::LeftButton, {}, cm->cellRect(ct, cp).center());
    SequencePreview* gallery = panel.textGallery();
    QVERIFY(gallery);
    QVERIFY(!panel.gallery());
    QTableWidget* gt = gallery->table();
    QCOMPARE(gt->rowCount(), counts[ct][cp]);
    QVERIFY(!gallery->attentionShown());
    for (int r = 0; r < gt->rowCount(); ++r) {
      QCOMPARE(cell(gt, r, "True"), names[ct]);
      QVERIFY(cell(gt, r, "Predicted").contains(names[cp] + " (p = "));
      QCOMPARE(cell(gt, r, "Predicted").startsWith(QStringLiteral("✓")), ct == cp);
      bool found = false;
      for (const QString& line : lines) found = found || line.startsWith(cell(gt, r, "Text") + ",");
      QVERIFY(found);
    }
    shot(*gallery->window(), "h15prev_text_confusion_cell.png");
  }

  // Embedding(mask_zero=True): the heat map shows the steps the model really attends (the
  // layer's Keras masks, not the labelled tokens), the padded keys carry no weight, and the note
  // says the model masks them.
  void maskedAttentionHeatMap() {
    QTemporaryDir dir;
    const QString csv = writeTextCsv(dir, 60);
    BuiltData built = buildDataset(textSettings(csv, "csv"));
    QVERIFY(built.validation);
    const Index vocab = Index(built.settings.options["vectorization"]["vocabulary"].size());
    const ModelSpec spec =
        makeSpec({inputNode("text", {kLen}),
                  node("embedding", "Embedding", {"text"},
                       {{"input_dim", vocab}, {"output_dim", 8}, {"mask_zero", true}}),
                  node("attention", "Attention", {"embedding", "embedding"}),
                  node("pool", "GlobalAveragePooling1D", {"attention"}),
                  denseNode("label", 2, "pool", "softmax")},
                 {"text"}, {"label"});
    PreviewPanel panel;
    panel.resize(1100, 820);
    panel.setDataSettings(built.settings);
    QVERIFY(trainOneEpoch(panel, spec, compileWith("sparse_categorical_crossentropy"), built.train,
                          built.validation));
    panel.show();
    SequencePreview* sp = panel.sequencePreview();
    QVERIFY(sp->attentionShown());
    QTableWidget* t = sp->table();
    const auto& records = panel.driver()->records();
    const Array& x = panel.driver()->validationSource().x[0];
    // A probed row with padding (fewer tokens than kLen).
    int pick = -1, tokens = 0;
    for (int r = 0; r < t->rowCount() && r < panel.driver()->sequenceSetup().probeRows; ++r) {
      const Index row = panel.driver()->valBegin() + records[size_t(r)].sample;
      int n = 0;
      for (Index j = 0; j < kLen; ++j) n += x.value(row * kLen + j) != 0;
      if (n < kLen) {
        pick = r;
        tokens = n;
        break;
      }
    }
    QVERIFY(pick >= 0);
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {},
                      t->visualItemRect(t->item(pick, 0)).center());
    QCOMPARE(sp->attentionRow(), pick);
    AttentionHeatMap* heat = sp->heatMap();
    QCOMPARE(heat->rows(), tokens);
    QCOMPARE(heat->cols(), tokens);
    // The shown keys hold all the weight: the model gave the padding none.
    for (int i = 0; i < heat->rows(); ++i) {
      double sum = 0;
      for (int j = 0; j < heat->cols(); ++j) sum += heat->values()[size_t(i * heat->cols() + j)];
      QVERIFY(std::fabs(sum - 1.0) < 1e-5);
    }
    const QLabel* note = sp->findChild<QLabel*>("attentionNote");
    QVERIFY(note);
    QVERIFY2(note->text().contains("masked by the model"), qPrintable(note->text()));
    // The frame carries the masks the layer saw: the row's token mask.
    const SequenceFrame& frame = panel.driver()->sequenceFrame();
    QCOMPARE(frame.attentionMasks.size(), frame.attention.size());
    const Tensor& qm = frame.attentionMasks[0].first;
    QCOMPARE(qm.dim(1), Index(kLen));
    const Index row = panel.driver()->valBegin() + records[size_t(pick)].sample;
    for (Index j = 0; j < kLen; ++j)
      QCOMPARE(qm[pick * kLen + j], x.value(row * kLen + j) != 0 ? 1.0f : 0.0f);
    shot(panel, "h15prev_masked_attention.png");
  }

  void multiHeadAttentionHeadsAreChosen() {
    // A text classifier with MultiHeadAttention(num_heads=2): the head box offers the mean and
    // each head; each choice shows that head's weights of the selected row.
    QTemporaryDir dir;
    BuiltData built = buildDataset(textSettings(writeTextCsv(dir, 40), "csv"));
    const Index vocab = Index(built.settings.options["vectorization"]["vocabulary"].size());
    const ModelSpec spec = makeSpec(
        {inputNode("text", {kLen}),
         node("embedding", "Embedding", {"text"}, {{"input_dim", vocab}, {"output_dim", 8}}),
         node("mha", "MultiHeadAttention", {"embedding", "embedding"},
              {{"num_heads", 2}, {"key_dim", 4}}),
         node("pool", "GlobalAveragePooling1D", {"mha"}), denseNode("label", 2, "pool", "softmax")},
        {"text"}, {"label"});
    PreviewPanel panel;
    panel.resize(1000, 760);
    panel.setDataSettings(built.settings);
    QVERIFY(trainOneEpoch(panel, spec, compileWith("sparse_categorical_crossentropy"), built.train,
                          built.validation));
    panel.show();
    SequencePreview* sp = panel.sequencePreview();
    QComboBox* heads = sp->headBox();
    QVERIFY(heads->isVisible());
    QCOMPARE(heads->count(), 3);
    QCOMPARE(sp->layerBox()->currentText(), QStringLiteral("mha"));
    QTableWidget* t = sp->table();
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, t->visualItemRect(t->item(2, 0)).center());
    QCOMPARE(sp->attentionRow(), 2);
    // Independent: the probe on a model with the epoch-end weights, rows of the sample.
    std::vector<Index> rows = sampleDataRows(panel.driver());
    Model m(spec, 3);
    m.setWeights(panel.driver()->latestWeights());
    Tensor x;
    panel.driver()->validationSource().x[0].gather(rows.data(), Index(rows.size()), x);
    AttentionProbe probe(m);
    probe.predict({&x});
    QCOMPARE(probe.heads("mha"), Index(2));
    int tokens = 0;
    for (Index j = 0; j < kLen; ++j) tokens += x[2 * kLen + j] != 0;
    auto matches = [&](int head) {
      const AttentionMatrix want = probe.matrix("mha", 2, head);
      AttentionHeatMap* heat = sp->heatMap();
      if (heat->rows() != tokens || heat->cols() != tokens) return false;
      for (int i = 0; i < tokens; ++i)
        for (int j = 0; j < tokens; ++j)
          if (std::abs(heat->values()[size_t(i * tokens + j)] - want.at(i, j)) > 1e-5f)
            return false;
      return true;
    };
    QVERIFY(matches(-1));  // the mean of the heads first
    heads->setFocus();
    QTest::keyClick(heads, Qt::Key_Down);
    QCOMPARE(heads->currentIndex(), 1);
    QVERIFY(matches(0));
    QVERIFY(!matches(-1) || !matches(1));
    QTest::keyClick(heads, Qt::Key_Down);
    QVERIFY(matches(1));
    QVERIFY(sp->heatMap()->title().contains("head 1"));
    shot(panel, "h15prev_text_mha_head1.png");
  }

  void ctcShowsGreedyAndBeamBesideTheTarget() {
    if (!fashionMnistAvailable()) QSKIP("Fashion-MNIST not installed");
    SequenceOptions so;
    so.count = 96;
    so.seed = 2;
    SequenceSet set = generateFashionSequence(fashion().xTrain, fashion().yTrain, so);
    Dataset train, val;
    train.x = {set.x.rowsRange(0, 64)};
    train.y = {set.y.rowsRange(0, 64)};
    val.x = {set.x.rowsRange(64, 32)};
    val.y = {set.y.rowsRange(64, 32)};
    // strip (28, 112, 1) -> columns first -> 8 steps of 14 pixel columns -> 11 classes.
    const ModelSpec spec =
        makeSpec({inputNode("strip", {28, 112, 1}),
                  node("permute", "Permute", {"strip"}, {{"dims", {2, 1, 3}}}),
                  node("steps", "Reshape", {"permute"}, {{"target_shape", {8, 14 * 28}}}),
                  denseNode("logits", 11, "steps")},
                 {"strip"}, {"logits"});
    PreviewPanel panel;
    panel.resize(1100, 820);
    QStringList names{"blank"};
    names << fashionNames();
    panel.setClassNames(names);
    QVERIFY(trainOneEpoch(panel, spec, compileWith("ctc"), train, val));
    panel.show();
    SequencePreview* sp = panel.sequencePreview();
    QCOMPARE(panel.driver()->sequenceSetup().mode, SequenceMode::Ctc);
    QVERIFY(panel.sequenceTabVisible());
    QTableWidget* t = sp->table();
    QCOMPARE(t->columnCount(), 3);
    const std::vector<Tensor> out =
        forwardRows(spec, panel.driver(), sampleDataRows(panel.driver()));
    const Index steps = out[0].dim(1), classes = out[0].dim(2);
    auto labels = [&](const std::vector<Index>& ids) {
      QStringList l;
      for (Index id : ids) l << names[int(id)];
      return l.join(" · ");
    };
    auto check = [&](bool beam) {
      for (int r = 0; r < t->rowCount(); ++r) {
        const Index row = panel.driver()->valBegin() + panel.driver()->records()[size_t(r)].sample;
        std::vector<Index> target;
        for (Index j = 0; j < val.y[0].rowSize(); ++j)
          if (const float v = val.y[0].value(row * val.y[0].rowSize() + j); v != 0)
            target.push_back(Index(v));
        QCOMPARE(cell(t, r, "Target"), labels(target));
        const CtcPath g = ctcGreedyDecode(out[0].data() + r * steps * classes, steps, classes);
        const QString greedy = cell(t, r, "Greedy");
        QVERIFY2(greedy.endsWith(g.labels.empty() ? QStringLiteral("(empty)") : labels(g.labels)),
                 qPrintable(greedy));
        QCOMPARE(greedy.startsWith(QStringLiteral("✓")), g.labels == target);
        QVERIFY(!t->item(r, 0)->data(Qt::DecorationRole).value<QPixmap>().isNull());
        if (beam) {
          const auto b =
              ctcBeamSearchDecode(out[0].data() + r * steps * classes, steps, classes, 10, 1);
          const QString text = cell(t, r, "Beam search");
          QVERIFY2(text.contains(b.front().labels.empty() ? QStringLiteral("(empty)")
                                                          : labels(b.front().labels)),
                   qPrintable(text));
          QVERIFY(text.contains("log p = " + QString::number(b.front().score, 'f', 2)));
          QCOMPARE(text.startsWith(QStringLiteral("✓")), b.front().labels == target);
          QCOMPARE(text.startsWith(QStringLiteral("✗")), b.front().labels != target);
        }
      }
    };
    check(false);
    shot(panel, "h15prev_ctc_greedy.png");
    // Choose beam search in the decoder box: a fourth column.
    QComboBox* box = sp->decoderBox();
    QVERIFY(box->isVisible());
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Down);
    QCOMPARE(box->currentIndex(), 1);
    QCOMPARE(t->columnCount(), 4);
    QVERIFY(sp->beamWidthBox()->isVisible());
    check(true);
    // No attention layer: the heat map pane is hidden.
    QCOMPARE(sp->heatMap()->rows(), 0);
    QVERIFY(!sp->attentionShown());
    shot(panel, "h15prev_ctc_beam.png");
  }

  void ctcExampleAsTheStudioBuildsIt() {
    // The bundled example (conv trunk + Dense softmax, loss {"class_name": "CTC"}) on its own
    // data settings, built as the studio builds them (few items): the Sequences tab names the
    // labels with the data set's class names ("blank" first).
    if (!fashionMnistAvailable()) QSKIP("Fashion-MNIST not installed");
    const QString root =
        QStringLiteral(TESSEL_SOURCE_DIR) + "/resources/examples/fashion_mnist_sequence/";
    QFile mf(root + "model.json"), df(root + "data.json");
    QVERIFY(mf.open(QIODevice::ReadOnly) && df.open(QIODevice::ReadOnly));
    const json model = json::parse(mf.readAll().toStdString());
    json data = json::parse(df.readAll().toStdString());
    data["options"]["count"] = 48;
    data["options"]["validation_count"] = 16;
    BuiltData built = buildDataset(data);
    QVERIFY(built.validation);
    const ModelSpec spec = ModelSpec::fromKerasJson(model);
    const CompileOptions compile =
        CompileOptions::fromTrainingConfig(model["trainingConfig"], spec.outputs);
    PreviewPanel panel;
    panel.resize(1000, 700);
    QStringList names;
    for (const auto& n : built.classNames) names << QString::fromStdString(n);
    QCOMPARE(names.first(), QStringLiteral("blank"));
    panel.setClassNames(names);
    panel.setDataSettings(built.settings);
    QVERIFY(trainOneEpoch(panel, spec, compile, built.train, built.validation));
    QCOMPARE(panel.driver()->sequenceSetup().mode, SequenceMode::Ctc);
    QVERIFY(panel.sequenceTabVisible());
    QTableWidget* t = panel.sequencePreview()->table();
    QCOMPARE(t->rowCount(), 16);
    for (int r = 0; r < t->rowCount(); ++r) {
      const QString target = cell(t, r, "Target");
      QVERIFY(!target.isEmpty());
      for (const QString& label : target.split(" · "))
        QVERIFY2(names.mid(1).contains(label), qPrintable(label));
      QVERIFY(cell(t, r, "Greedy").startsWith(QStringLiteral("✓")) ||
              cell(t, r, "Greedy").startsWith(QStringLiteral("✗")));
    }
  }

  void seq2seqShowsDecodingAndAttention() {
    QTemporaryDir dir;
    // Words in, characters out (as the dates example): the target splits characters.
    DataSettings settings = textSettings(writePairs(dir, 80), "pairs");
    settings.options["target_vectorization"] = {{"split", "character"},
                                                {"standardize", nullptr},
                                                {"max_tokens", 40},
                                                {"output_sequence_length", kDecLen}};
    BuiltData built = buildDataset(settings);
    QVERIFY(built.validation);
    const Index vs = Index(built.settings.options["vectorization"]["vocabulary"].size());
    const Index vt = Index(built.settings.options["target_vectorization"]["vocabulary"].size());
    const ModelSpec spec = makeSpec(
        {inputNode("source", {kLen}), inputNode("decoder", {kDecLen}),
         node("enc_emb", "Embedding", {"source"}, {{"input_dim", vs}, {"output_dim", 16}}),
         node("dec_emb", "Embedding", {"decoder"}, {{"input_dim", vt}, {"output_dim", 16}}),
         node("attention", "Attention", {"dec_emb", "enc_emb"}),
         node("concat", "Concatenate", {"dec_emb", "attention"}),
         denseNode("next", int(vt), "concat", "softmax")},
        {"source", "decoder"}, {"next"});
    PreviewPanel panel;
    panel.resize(1100, 820);
    panel.setDataSettings(built.settings);
    QVERIFY(trainOneEpoch(panel, spec, compileWith("sparse_categorical_crossentropy"), built.train,
                          built.validation));
    panel.show();
    SequencePreview* sp = panel.sequencePreview();
    const SequenceSetup& s = panel.driver()->sequenceSetup();
    QCOMPARE(s.mode, SequenceMode::Seq2Seq);
    std::vector<std::string> tv = built.settings.options["target_vectorization"]["vocabulary"];
    QCOMPARE(s.startId, float(std::find(tv.begin(), tv.end(), "[start]") - tv.begin()));
    QCOMPARE(s.endId, Index(std::find(tv.begin(), tv.end(), "[end]") - tv.begin()));
    QTableWidget* t = sp->table();
    // Independent greedy decoding of the probed rows with the epoch-end weights.
    std::vector<Index> rows = sampleDataRows(panel.driver());
    rows.resize(std::min<size_t>(rows.size(), size_t(s.probeRows)));
    Model m(spec, 3);
    m.setWeights(panel.driver()->latestWeights());
    std::vector<Tensor> xs(2);
    for (size_t i = 0; i < 2; ++i)
      panel.driver()->validationSource().x[i].gather(rows.data(), Index(rows.size()), xs[i]);
    AttentionProbe probe(m);
    Seq2SeqDecodeOptions o;
    o.startId = s.startId;
    o.endId = s.endId;
    const Seq2SeqDecoded d = greedyDecodeSeq2Seq(m, {&xs[0], &xs[1]}, o, &probe);
    auto words = [&](const std::vector<Index>& ids) {
      return QString::fromStdString(TextSourceInfo::words(tv, ids, ""));
    };
    QFile f(dir.filePath("pairs.tsv"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString pairs = QString::fromUtf8(f.readAll());
    for (int r = 0; r < int(rows.size()); ++r) {
      const QString source = cell(t, r, "Source"), target = cell(t, r, "Target");
      QVERIFY2(pairs.contains(source + "\t" + target + "\n"), qPrintable(source + " / " + target));
      const QString decoded = cell(t, r, "Decoded (greedy)");
      QVERIFY2(decoded.endsWith(d.ids[size_t(r)].empty() ? QStringLiteral("(empty)")
                                                         : words(d.ids[size_t(r)])),
               qPrintable(decoded));
      QCOMPARE(decoded.startsWith(QStringLiteral("✓")), words(d.ids[size_t(r)]) == target);
    }
    // Heat map of row 1: rows = decoder steps (start + decoded), cols = source tokens.
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, t->visualItemRect(t->item(1, 0)).center());
    QCOMPARE(sp->attentionRow(), 1);
    AttentionHeatMap* heat = sp->heatMap();
    const int decodedSteps = std::min(kDecLen, 1 + int(d.ids[1].size()));
    const int sourceTokens = int(cell(t, 1, "Source").split(' ').size());
    QCOMPARE(heat->rows(), decodedSteps);
    QCOMPARE(heat->cols(), sourceTokens);
    QCOMPARE(heat->rowLabels().first(), QStringLiteral("[start]"));
    QCOMPARE(heat->colLabels().join(' '), cell(t, 1, "Source"));
    const AttentionMatrix want = probe.matrix("attention", 1);
    for (int i = 0; i < heat->rows(); ++i)
      for (int j = 0; j < heat->cols(); ++j)
        QVERIFY(std::abs(heat->values()[size_t(i * heat->cols() + j)] - want.at(i, j)) < 1e-6);
    QVERIFY(heat->toolTipAt(heat->cellRect(0, 0).center()).contains("[start]"));
    shot(panel, "h15prev_seq2seq_attention.png");
    shot(*heat, "h15prev_heatmap.png");
  }

  // Beam search chosen in the decoder box: a "Beam search" column whose strings and log p are an
  // independent beam decode of the shown rows with the epoch-end weights; then a typed sentence is
  // decoded (beam, then greedy) with its attention heat map.
  void seq2seqBeamSearchAndTypedSentence() {
    PairsSetup ps;
    QVERIFY(ps.built.validation);
    PreviewPanel panel;
    panel.resize(1100, 860);
    panel.setDataSettings(ps.built.settings);
    QVERIFY(trainOneEpoch(panel, ps.spec, compileWith("sparse_categorical_crossentropy"),
                          ps.built.train, ps.built.validation));
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    SequencePreview* sp = panel.sequencePreview();
    const SequenceSetup& s = panel.driver()->sequenceSetup();
    QCOMPARE(s.mode, SequenceMode::Seq2Seq);
    QTableWidget* t = sp->table();
    QCOMPARE(t->columnCount(), 3);
    QComboBox* box = sp->decoderBox();
    QVERIFY(box->isVisible());
    QVERIFY(!sp->beamWidthBox()->isVisible());
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Down);
    QCOMPARE(box->currentIndex(), 1);
    QVERIFY(sp->beamWidthBox()->isVisible());
    QSpinBox* width = sp->beamWidthBox();
    width->setFocus();
    width->selectAll();
    QTest::keyClicks(width, "3");
    QCOMPARE(width->value(), 3);
    QCOMPARE(t->columnCount(), 4);

    // Independent: a fresh model with the epoch-end weights, beam width 3, on the shown rows.
    const std::vector<Index> rows = sampleDataRows(panel.driver());
    QCOMPARE(t->rowCount(), int(rows.size()));
    Model m(ps.spec, 3);
    m.setWeights(panel.driver()->latestWeights());
    std::vector<Tensor> xs(2);
    for (size_t i = 0; i < 2; ++i)
      panel.driver()->validationSource().x[i].gather(rows.data(), Index(rows.size()), xs[i]);
    Seq2SeqDecodeOptions o;
    o.startId = s.startId;
    o.endId = s.endId;
    Seq2SeqBeamOptions b;
    b.beamWidth = 3;
    const Seq2SeqDecoded d = beamDecodeSeq2Seq(m, {&xs[0], &xs[1]}, o, b);
    auto words = [&](const std::vector<Index>& ids) {
      const QString w = QString::fromStdString(TextSourceInfo::words(ps.target, ids, ""));
      return w.isEmpty() ? QStringLiteral("(empty)") : w;
    };
    int right = 0;
    for (int r = 0; r < t->rowCount(); ++r) {
      const QString beam = cell(t, r, "Beam search");
      const QString want = words(d.ids[size_t(r)]) +
                           "  (log p = " + QString::number(d.logProb[size_t(r)], 'f', 2) + ")";
      QVERIFY2(beam.endsWith(want.simplified()), qPrintable(beam + " / " + want));
      const bool ok = words(d.ids[size_t(r)]) == cell(t, r, "Target");
      QCOMPARE(beam.startsWith(QStringLiteral("✓")), ok);
      right += ok;
    }
    qInfo("seq2seq beam (width 3): %d of %d rows right", right, t->rowCount());

    // Type a sentence: vectorized with the adapted vocabulary, decoded by beam search.
    const QString sentence = QStringLiteral("Three, one FIVE!");
    TextVectorization tv(ps.built.settings.options["vectorization"]);
    std::int64_t w = 0;
    std::vector<float> ids = tv.vectorize({sentence.toStdString()}, w);
    QCOMPARE(w, Index(kLen));
    Tensor enc({1, kLen});
    std::copy(ids.begin(), ids.end(), enc.data());
    Tensor dec({1, kDecLen});
    AttentionProbe probe(m);
    const Seq2SeqDecoded one = beamDecodeSeq2Seq(m, {&enc, &dec}, o, b, &probe);
    typeInto(sp, sentence);
    QVERIFY(sp->typed().valid);
    QVERIFY(sp->typed().beam);
    QCOMPARE(sp->typed().tokens, (std::vector<std::string>{"three", "one", "five"}));
    QCOMPARE(sp->typed().decoded, one.ids[0]);
    const QString shown = sp->sentenceResultLabel()->text();
    QVERIFY2(shown.contains(words(one.ids[0]) +
                            "  (log p = " + QString::number(one.logProb[0], 'f', 2) + ")"),
             qPrintable(shown));
    QVERIFY2(shown.contains(QString("[%1, %2, %3]").arg(ids[0]).arg(ids[1]).arg(ids[2])),
             qPrintable(shown));
    // Its attention: rows = start + decoded tokens, columns = the three typed words.
    QVERIFY(sp->typedAttentionShown());
    AttentionHeatMap* heat = sp->heatMap();
    QCOMPARE(heat->rows(), std::min(kDecLen, 1 + int(one.ids[0].size())));
    QCOMPARE(heat->cols(), 3);
    QCOMPARE(heat->colLabels().join(' '), QStringLiteral("three one five"));
    QCOMPARE(heat->rowLabels().first(), QStringLiteral("[start]"));
    const AttentionMatrix want = probe.matrix("attention", 0);
    for (int i = 0; i < heat->rows(); ++i)
      for (int j = 0; j < heat->cols(); ++j)
        QVERIFY(std::abs(heat->values()[size_t(i * heat->cols() + j)] - want.at(i, j)) < 1e-6);
    QApplication::processEvents();
    shot(panel, "h15c_type_sentence.png");
    // Greedy chosen again: the typed sentence is decoded greedily.
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Up);
    QCOMPARE(box->currentIndex(), 0);
    QCOMPARE(t->columnCount(), 3);
    const Seq2SeqDecoded g = greedyDecodeSeq2Seq(m, {&enc, &dec}, o);
    QVERIFY(!sp->typed().beam);
    QCOMPARE(sp->typed().decoded, g.ids[0]);
    QVERIFY(sp->sentenceResultLabel()->text().endsWith("greedy: " + words(g.ids[0])));
    // Selecting a table row brings back that row's attention.
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, t->visualItemRect(t->item(1, 0)).center());
    QVERIFY(!sp->typedAttentionShown());
    QCOMPARE(heat->colLabels().join(' '), cell(t, 1, "Source"));
  }

  // A sentence typed for the text classifier: its top classes and probabilities are a forward
  // pass of the vectorized sentence with the epoch-end weights.
  void typedSentenceIsClassified() {
    QTemporaryDir dir;
    const QString csv = writeTextCsv(dir, 60);
    BuiltData built = buildDataset(textSettings(csv, "csv"));
    const Index vocab = Index(built.settings.options["vectorization"]["vocabulary"].size());
    const ModelSpec spec = makeSpec(
        {inputNode("text", {kLen}),
         node("embedding", "Embedding", {"text"}, {{"input_dim", vocab}, {"output_dim", 8}}),
         node("attention", "Attention", {"embedding", "embedding"}),
         node("pool", "GlobalAveragePooling1D", {"attention"}),
         denseNode("label", 2, "pool", "softmax")},
        {"text"}, {"label"});
    PreviewPanel panel;
    panel.resize(1100, 820);
    QStringList names;
    for (const auto& n : built.classNames) names << QString::fromStdString(n);
    panel.setClassNames(names);
    panel.setDataSettings(built.settings);
    QVERIFY(trainOneEpoch(panel, spec, compileWith("sparse_categorical_crossentropy"), built.train,
                          built.validation));
    panel.show();
    SequencePreview* sp = panel.sequencePreview();
    QVERIFY(sp->sentenceEdit()->isVisible());
    QVERIFY(!sp->decoderBox()->isVisible());
    for (const QString& sentence :
         {QStringLiteral("The plot was GREAT, really good!"), QStringLiteral("awful... sad movie"),
          QStringLiteral("zebra unknown words")}) {
      TextVectorization tv(built.settings.options["vectorization"]);
      std::int64_t w = 0;
      const std::vector<float> ids = tv.vectorize({sentence.toStdString()}, w);
      Tensor x({1, kLen});
      std::copy(ids.begin(), ids.end(), x.data());
      Model m(spec, 3);
      m.setWeights(panel.driver()->latestWeights());
      RunContext ctx;
      m.forward({&x}, false, ctx);
      const Tensor& out = m.output(0);
      const int best = out[1] > out[0] ? 1 : 0;
      typeInto(sp, sentence);
      QVERIFY2(sp->typed().valid, qPrintable(sp->sentenceResultLabel()->text()));
      QCOMPARE(sp->typed().classes.size(), size_t(2));
      QCOMPARE(sp->typed().classes[0].first, best);
      QVERIFY(std::abs(sp->typed().classes[0].second - out[best]) < 1e-6);
      QVERIFY(std::abs(sp->typed().classes[1].second - out[1 - best]) < 1e-6);
      const QString shown = sp->sentenceResultLabel()->text();
      QVERIFY2(shown.contains(names[best] + " (p = " + QString::number(out[best], 'f', 3) + ")"),
               qPrintable(shown));
      // Self-attention over the typed tokens (OOV tokens are id 1, kept).
      int tokens = 0;
      for (float v : ids) tokens += v != 0;
      QVERIFY(sp->typedAttentionShown());
      QCOMPARE(sp->heatMap()->rows(), tokens);
      QCOMPARE(sp->heatMap()->cols(), tokens);
    }
    QVERIFY(sp->sentenceResultLabel()->text().contains("[1, 1, 1]"));  // three unknown words
    shot(panel, "h15c_type_sentence_classifier.png");
  }
};

QTEST_MAIN(TestSequencePreview)
#include "tst_ui_preview_sequence.moc"
