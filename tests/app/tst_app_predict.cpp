// `tessel predict PROJECT --image F [--draw out.png]` on real project files built here with the
// engine: an image folder (6 classes, one RGB 40x30 PNG each) read as 16x16 grayscale, models
// whose runs have checkpoints written by the RunRecorder (or copied from one), and the printed
// top-5 classes / box compared with the in-process prediction of the engine's Model on the image
// as buildDataset() prepares it (resize, grayscale, rescale / standardize_global). Also: --model
// selection, --run / --checkpoint, the data settings of a run vs of its model, statistics not
// stored, --draw's orange box pixels, and the errors (unknown model, model without trained
// weights, corrupt image, file that is not a project).
#include <QDir>
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "CliTestUtil.h"
#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/ImageDecode.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Trainer.h"

using namespace tessel;
using tessel::testutil::Run;
using tessel::testutil::runTessel;

namespace {

const std::vector<std::string> kClasses = {"ant", "bee", "cat", "dog", "eel", "fox"};

json inputLayer(const std::string& name, const json& shape) {
  return {{"class_name", "InputLayer"},
          {"name", name},
          {"config", {{"name", name}, {"batch_input_shape", shape}}},
          {"inbound_nodes", json::array()}};
}

json layer(const std::string& cls, const std::string& name, json config, const std::string& from) {
  config["name"] = name;
  return {{"class_name", cls},
          {"name", name},
          {"config", config},
          {"inbound_nodes", {{{from, 0, 0, json::object()}}}}};
}

// Input(shape) -> Flatten -> Dense(8, relu) -> Dense(classes, softmax) "class" [+ Dense(4,
// sigmoid) "box"] (Keras 2 functional JSON).
json modelSpec(const json& inShape, int classes, bool box) {
  json layers = {
      inputLayer("image", inShape), layer("Flatten", "flatten", json::object(), "image"),
      layer("Dense", "hidden", {{"units", 8}, {"activation", "relu"}}, "flatten"),
      layer("Dense", "class", {{"units", classes}, {"activation", "softmax"}}, "hidden")};
  json outputs = {{"class", 0, 0}};
  if (box) {
    layers.push_back(layer("Dense", "box", {{"units", 4}, {"activation", "sigmoid"}}, "hidden"));
    outputs.push_back({"box", 0, 0});
  }
  return {{"class_name", "Functional"},
          {"config",
           {{"name", box ? "localizer" : "classifier"},
            {"layers", layers},
            {"input_layers", {{"image", 0, 0}}},
            {"output_layers", outputs}}}};
}

struct Printed {
  std::vector<std::pair<QString, double>> top;  // of the first classification head
  std::vector<double> box;
};

Printed parse(const QString& out) {
  Printed p;
  static const QRegularExpression cls(R"(^\s+(\d+)\. (\S+)\s+(-?[0-9.]+)$)");
  static const QRegularExpression box(R"(box \[y_min, x_min, y_max, x_max\] = \[([^\]]+)\])");
  bool firstHead = true;
  for (const QString& line : out.split('\n')) {
    if (line.contains("classes") && line.contains(": top ")) {
      if (!p.top.empty()) firstHead = false;
      continue;
    }
    auto m = cls.match(line);
    if (m.hasMatch() && firstHead) p.top.emplace_back(m.captured(2), m.captured(3).toDouble());
    auto b = box.match(line);
    if (b.hasMatch())
      for (const QString& v : b.captured(1).split(',')) p.box.push_back(v.trimmed().toDouble());
  }
  return p;
}

}  // namespace

class TestAppPredict : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString project_;
  std::string folder_;
  json classifier_, localizer_;
  DataSettings rescale_;  // image_folder 16x16 grayscale, rescale 1/255, everything in train
  std::int64_t classifierRun_ = 0;

  QString path(const QString& name) const { return tmp_.filePath(name); }
  std::string spath(const QString& name) const { return path(name).toStdString(); }

  // The preprocessed image of class k as buildDataset(settings) gives it: (1, 16, 16, 1).
  Tensor datasetImage(const DataSettings& settings, int k) {
    BuiltData b = buildDataset(settings);
    const Array& y = b.train.y.at(0);
    for (Index r = 0; r < y.rows(); ++r)
      if (int(y.value(r)) == k) {
        Tensor t = b.train.x.at(0).takeRows({r}).toTensor();
        Tensor x({1, 16, 16, 1});
        std::copy(t.data(), t.data() + t.size(), x.data());
        return x;
      }
    qFatal("class %d not in the data set", k);
    return {};
  }

  // The outputs of `spec` with the weights of `checkpoint` (restored by the engine) on x.
  std::vector<Tensor> predict(const json& spec, const Checkpoint& checkpoint, const Tensor& x,
                              const CompileOptions& compile) {
    Model m(ModelSpec::fromKerasJson(spec), 12345);
    Trainer t(m, compile);
    restoreCheckpoint(t, checkpoint);
    RunContext ctx;
    m.forward({&x}, false, ctx);
    std::vector<Tensor> out;
    for (size_t o = 0; o < m.numOutputs(); ++o) out.push_back(m.output(o));
    return out;
  }

  static CompileOptions adam() {
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.optimizer = "adam";
    return c;
  }
  static CompileOptions localizerCompile() {
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy", "mse"};
    c.optimizer = "sgd";
    return c;
  }

  // The printed top-5 equals the expected probabilities sorted, with the class folder names.
  void compareTop(const Printed& p, const Tensor& probs, const QString& out) {
    std::vector<int> order(size_t(probs.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[a] > probs[b]; });
    QVERIFY2(p.top.size() == 5, qPrintable(out));
    for (size_t r = 0; r < 5; ++r) {
      QVERIFY2(std::fabs(p.top[r].second - probs[order[r]]) <= 6e-5,
               qPrintable(QString("rank %1: printed %2, in-process %3\n%4")
                              .arg(r + 1)
                              .arg(p.top[r].second)
                              .arg(probs[order[r]])
                              .arg(out)));
      // Ties within the printed precision may swap names.
      if (r + 1 < 5 && std::fabs(probs[order[r]] - probs[order[r + 1]]) < 1e-4) continue;
      QCOMPARE(p.top[r].first, QString::fromStdString(kClasses[size_t(order[r])]));
    }
  }

  // Adds a model with data settings and a run holding `checkpoint` as its "last" checkpoint.
  std::int64_t addTrained(Project& project, const std::string& name, const json& spec,
                          const json& dataSettings, const json& runSettings,
                          const Checkpoint& checkpoint) {
    ModelRecord m = *project.model(project.addModel(name, spec));
    m.dataSettings = dataSettings;
    project.updateModel(m);
    RunRecord run;
    run.modelId = m.id;
    run.name = "run 1";
    run.spec = spec;
    run.settings = runSettings;
    const std::int64_t id = project.createRun(run);
    Checkpoint c = checkpoint;
    c.kind = "last";
    project.saveCheckpoint(id, c);
    project.setRunStatus(id, RunStatus::Finished);
    return id;
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    if (qEnvironmentVariableIsSet("TESSEL_TEST_KEEP")) {  // to look at the files afterwards
      tmp_.setAutoRemove(false);
      qInfo("files in %s", qPrintable(tmp_.path()));
    }
    QVERIFY2(QFileInfo::exists(testutil::kTessel), "build the tessel target first");
    // One 40x30 RGB image per class: different gradients and a bright block (no orange).
    folder_ = spath("folder");
    for (size_t k = 0; k < kClasses.size(); ++k) {
      const QString dir = path("folder/" + QString::fromStdString(kClasses[k]));
      QVERIFY(QDir().mkpath(dir));
      QImage img(40, 30, QImage::Format_RGB888);
      for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 40; ++x) {
          const int v = int((x * (k + 1) * 7 + y * (6 - int(k)) * 5) % 200);
          const bool block = x >= 4 + int(k) * 5 && x < 14 + int(k) * 5 && y >= 8 && y < 20;
          img.setPixel(x, y, block ? qRgb(230, 230, 240) : qRgb(v / 3, v / 2, v));
        }
      QVERIFY(img.save(dir + "/img.png"));
    }
    rescale_.kind = "image_folder";
    rescale_.path = folder_;
    rescale_.options = {{"height", 16}, {"width", 16}, {"grayscale", true}};
    rescale_.fractions = {1.0, 0.0, 0.0};
    rescale_.normalization = "rescale";

    classifier_ = modelSpec({nullptr, 16, 16, 1}, 6, false);
    localizer_ = modelSpec({nullptr, 16, 16, 1}, 6, true);

    // The classifier, trained 4 epochs with the RunRecorder; its run settings as the studio
    // writes them ("compile" = the training_config itself, no "data").
    project_ = path("p.tessel");
    Project project = Project::create(project_.toStdString());
    ModelRecord m = *project.model(project.addModel("classifier", classifier_));
    m.dataSettings = rescale_.toJson();
    project.updateModel(m);
    BuiltData data = buildDataset(rescale_);
    Model model(ModelSpec::fromKerasJson(classifier_), 3);
    const CompileOptions compile = adam();
    Trainer trainer(model, compile);
    RunRecord run;
    run.modelId = m.id;
    run.name = "run 1";
    run.spec = classifier_;
    run.settings = {{"compile", compile.toTrainingConfig()}};
    classifierRun_ = project.createRun(run);
    {
      RunRecorder recorder(project, classifierRun_, trainer, "loss");
      FitOptions fit;
      fit.epochs = 4;
      fit.batchSize = 2;
      fit.verbose = 0;
      trainer.fit(data.train, fit, {}, &recorder);
    }
    QVERIFY(project.checkpoint(classifierRun_, "best"));
    QVERIFY(project.checkpoint(classifierRun_, "last"));
    const Checkpoint last = *project.checkpoint(classifierRun_, "last");

    // The same weights under other data settings: stored standardisation statistics, and
    // statistics never stored (the defaults mean 0, std 1).
    DataSettings stored = rescale_;
    stored.normalization = "standardize_global";
    stored.mean = 100.0;
    stored.std = 50.0;
    addTrained(project, "stored_stats", classifier_, stored.toJson(),
               {{"compile", compile.toTrainingConfig()}}, last);
    DataSettings unfitted = rescale_;
    unfitted.normalization = "standardize_global";
    addTrained(project, "unfitted_stats", classifier_, unfitted.toJson(),
               {{"compile", compile.toTrainingConfig()}}, last);

    // The localizer: known weights (box bias = logit of [0.25, 0.2, 0.75, 0.7], small kernel);
    // the run records its data settings (command-line layout of "compile"), while the model's
    // own settings now say 32x32 RGB, which must not be used.
    Model loc(ModelSpec::fromKerasJson(localizer_), 5);
    for (auto& [name, var] : loc.namedWeights()) {
      if (name == "box/kernel")
        for (Index i = 0; i < var->value.size(); ++i) var->value[i] *= 0.05f;
      if (name == "box/bias") {
        const float b[4] = {0.25f, 0.2f, 0.75f, 0.7f};
        for (int i = 0; i < 4; ++i) var->value[i] = std::log(b[i] / (1 - b[i]));
      }
    }
    const CompileOptions locCompile = localizerCompile();
    Trainer locTrainer(loc, locCompile);
    const Checkpoint locCheckpoint = makeCheckpoint(locTrainer, "last", 0, 1);
    DataSettings wrong = rescale_;
    wrong.options = {{"height", 32}, {"width", 32}, {"grayscale", false}};
    addTrained(project, "localizer", localizer_, wrong.toJson(),
               {{"compile", {{"training_config", locCompile.toTrainingConfig()}}},
                {"data", rescale_.toJson()}},
               locCheckpoint);

    // A model never trained, and one whose only run ended before saving a checkpoint.
    project.addModel("untrained", classifier_);
    ModelRecord crashed = *project.model(project.addModel("crashed", classifier_));
    RunRecord r;
    r.modelId = crashed.id;
    r.spec = classifier_;
    project.setRunStatus(project.createRun(r), RunStatus::Failed);
  }

  void classifierTopFiveAsTheDataSet() {
    // Default model (the first), default checkpoint (best).
    Run r = runTessel({"predict", project_, "--image", path("folder/cat/img.png")});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(!r.err.contains("warning"), qPrintable(r.err));
    QVERIFY2(r.out.contains("project " + project_ + ", model 'classifier', run " +
                            QString::number(classifierRun_) + " (best checkpoint"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("input: 16x16, 1 channel(s), rescale"), qPrintable(r.out));
    Project project = Project::open(project_.toStdString(), true);
    const Tensor x = datasetImage(rescale_, 2);
    auto expected = predict(classifier_, *project.checkpoint(classifierRun_, "best"), x, adam());
    compareTop(parse(r.out), expected[0], r.out);
    // The prediction depends on the image: another class's image gives other numbers.
    Run dog = runTessel({"predict", project_, "--image", path("folder/dog/img.png"), "--checkpoint",
                         "last", "--run", QString::number(classifierRun_)});
    QVERIFY2(dog.code == 0, qPrintable(dog.out + dog.err));
    QVERIFY2(dog.out.contains("(last checkpoint, epoch 4)"), qPrintable(dog.out));
    auto expectedDog = predict(classifier_, *project.checkpoint(classifierRun_, "last"),
                               datasetImage(rescale_, 3), adam());
    compareTop(parse(dog.out), expectedDog[0], dog.out);
    QVERIFY(std::fabs(expectedDog[0][0] - expected[0][0]) > 1e-6);
  }

  void standardizeWithStoredStatistics() {
    Run r = runTessel(
        {"predict", project_, "--image", path("folder/eel/img.png"), "--model", "stored_stats"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("(pixel - 100) / 50 (statistics of the data settings)"),
             qPrintable(r.out));
    // (pixel - 100) / 50 on the grayscale 16x16 bytes the data set holds.
    DataSettings raw = rescale_;
    raw.normalization = "none";
    Tensor x = datasetImage(raw, 4);
    for (Index i = 0; i < x.size(); ++i) x[i] = x[i] * float(1.0 / 50.0) + float(-100.0 / 50.0);
    Project project = Project::open(project_.toStdString(), true);
    auto expected = predict(classifier_, *project.checkpoint(classifierRun_, "last"), x, adam());
    compareTop(parse(r.out), expected[0], r.out);
  }

  void standardizeRefitsStatisticsNotStored() {
    Run r = runTessel(
        {"predict", project_, "--image", path("folder/ant/img.png"), "--model", "unfitted_stats"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("statistics refitted on the training split"), qPrintable(r.out));
    DataSettings s = rescale_;
    s.normalization = "standardize_global";
    BuiltData fitted = buildDataset(s);
    QVERIFY(std::fabs(fitted.settings.mean) > 1 && fitted.settings.std != 1.0);
    Project project = Project::open(project_.toStdString(), true);
    auto expected = predict(classifier_, *project.checkpoint(classifierRun_, "last"),
                            datasetImage(s, 0), adam());
    compareTop(parse(r.out), expected[0], r.out);
  }

  void localizerBoxPrintedAndDrawn() {
    const QString drawn = path("drawn.png");
    Run r = runTessel({"predict", project_, "--image", path("folder/bee/img.png"), "--model",
                       "localizer", "--draw", drawn});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("from run "), qPrintable(r.out));  // the run's data settings
    Project project = Project::open(project_.toStdString(), true);
    const auto runs = project.runs(project.model("localizer")->id);
    QCOMPARE(runs.size(), size_t(1));
    auto expected = predict(localizer_, *project.checkpoint(runs[0].id, "last"),
                            datasetImage(rescale_, 1), localizerCompile());
    const Printed p = parse(r.out);
    compareTop(p, expected[0], r.out);
    QVERIFY2(p.box.size() == 4, qPrintable(r.out));
    const Tensor& box = expected[1];
    for (int i = 0; i < 4; ++i) QVERIFY2(std::fabs(p.box[i] - box[i]) <= 6e-5, qPrintable(r.out));
    // Near the known bias: [0.25, 0.2, 0.75, 0.7].
    QVERIFY(std::fabs(box[0] - 0.25f) < 0.1f && std::fabs(box[3] - 0.7f) < 0.1f);

    // out.png: the original 40x30 image with a 2-pixel orange outline at the box.
    QImage img(drawn);
    QVERIFY2(!img.isNull(), qPrintable(r.out));
    QCOMPARE(img.width(), 40);
    QCOMPARE(img.height(), 30);
    const QRgb orange = qRgb(255, 140, 0);
    const int y0 = int(box[0] * 30), x0 = int(box[1] * 40);
    const int y1 = int(box[2] * 30), x1 = int(box[3] * 40);
    auto isOrange = [&](int x, int y) { return img.pixel(x, y) == orange; };
    for (int x = x0; x <= x1; ++x)
      QVERIFY2(isOrange(x, y0) && isOrange(x, y0 + 1) && isOrange(x, y1) && isOrange(x, y1 - 1),
               qPrintable(QString("x %1").arg(x)));
    for (int y = y0; y <= y1; ++y)
      QVERIFY2(isOrange(x0, y) && isOrange(x0 + 1, y) && isOrange(x1, y) && isOrange(x1 - 1, y),
               qPrintable(QString("y %1").arg(y)));
    // Inside and outside the outline: the image, not orange.
    QVERIFY(!isOrange((x0 + x1) / 2, (y0 + y1) / 2));
    QVERIFY(!isOrange(x0 - 1, (y0 + y1) / 2) && !isOrange(x1 + 1, (y0 + y1) / 2));
    QVERIFY(!isOrange((x0 + x1) / 2, y0 - 1) && !isOrange((x0 + x1) / 2, y1 + 1));
    int count = 0;
    for (int y = 0; y < 30; ++y)
      for (int x = 0; x < 40; ++x) count += isOrange(x, y);
    const int w = x1 - x0 + 1, h = y1 - y0 + 1;
    QCOMPARE(count, 2 * 2 * w + 2 * 2 * h - 16);  // four 2-pixel edges, corners counted once
  }

  void commandLineRunsSayWhatTheyKnow() {
    // A run of `tessel train PROJECT --x a.npy`: its inputs' preprocessing is unknown.
    {
      Project project = Project::open(project_.toStdString());
      const Checkpoint last = *project.checkpoint(classifierRun_, "last");
      addTrained(project, "npy_run", classifier_, rescale_.toJson(),
                 {{"argv", {"p.tessel", "--x", "a.npy", "--y", "b.npy"}}}, last);
    }
    Run r = runTessel(
        {"predict", project_, "--image", path("folder/fox/img.png"), "--model", "npy_run"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains("warning") && r.err.contains(".npy"), qPrintable(r.err));
    QVERIFY2(r.out.contains("pixel / 255"), qPrintable(r.out));
  }

  void fashionMnistRunIsStandardisedAsTheSeed() {
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    const json mlp = modelSpec({nullptr, 28, 28}, 10, false);
    Model m(ModelSpec::fromKerasJson(mlp), 9);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    Trainer t(m, c);
    const Checkpoint cp = makeCheckpoint(t, "last", 2, 30);
    {
      Project project = Project::open(project_.toStdString());
      addTrained(project, "fashion", mlp, json::object(),
                 {{"argv", {"p.tessel", "--data", "fashion-mnist"}}}, cp);
    }
    Run r = runTessel(
        {"predict", project_, "--image", path("folder/cat/img.png"), "--model", "fashion"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("input: 28x28, 1 channel(s), Fashion-MNIST"), qPrintable(r.out));
    // The scaler on 28x28 grayscale bytes.
    FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, -1, 0);
    DecodedImage img = decodeImageFile(spath("folder/cat/img.png"), 1, 28, 28);
    Tensor x({1, 28, 28});
    for (Index i = 0; i < x.size(); ++i)
      x[i] = float(img.pixels[size_t(i)]) * f.xTrain.scale + f.xTrain.offset;
    RunContext ctx;
    m.forward({&x}, false, ctx);
    const Tensor& probs = m.output(0);
    std::vector<int> order(10);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[a] > probs[b]; });
    const Printed p = parse(r.out);
    QVERIFY2(p.top.size() == 5, qPrintable(r.out));
    for (size_t k = 0; k < 5; ++k) {
      QVERIFY2(std::fabs(p.top[k].second - probs[order[k]]) <= 6e-5, qPrintable(r.out));
      if (k + 1 < 5 && std::fabs(probs[order[k]] - probs[order[k + 1]]) < 1e-4) continue;
      QCOMPARE(p.top[k].first, QString(kFashionMnistClassNames[size_t(order[k])]));
    }
  }

  void errors() {
    auto expectError = [](const Run& r, const QStringList& words) {
      QVERIFY2(!r.crashed && r.code != 0, qPrintable(r.out + r.err));
      for (const QString& w : words) QVERIFY2(r.err.contains(w), qPrintable(w + "\n" + r.err));
      QVERIFY2(r.err.count('\n') <= 2, qPrintable(r.err));  // a clear one-line message
    };
    const QString image = path("folder/cat/img.png");
    expectError(runTessel({"predict", project_, "--image", image, "--model", "nope"}),
                {"no model named 'nope'", "'classifier'"});
    // No trained weights: refused, never the initial weights.
    expectError(runTessel({"predict", project_, "--image", image, "--model", "untrained"}),
                {"'untrained'", "no training run", "initial weights are not used"});
    expectError(runTessel({"predict", project_, "--image", image, "--model", "crashed"}),
                {"'crashed'", "none saved a checkpoint", "initial weights are not used"});
    // A corrupt image file.
    {
      QFile f(path("garbage.png"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("\x89PNG\r\n\x1a\n this is not really a PNG file");
    }
    expectError(runTessel({"predict", project_, "--image", path("garbage.png")}), {"garbage.png"});
    expectError(runTessel({"predict", project_, "--image", path("missing.png")}), {"missing.png"});
    // Files that are not projects (nor model files).
    {
      QFile f(path("notes.txt"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("just some notes\n");
      QFile g(path("fake.tessel"));
      QVERIFY(g.open(QIODevice::WriteOnly));
      g.write(QByteArray(4096, 'x'));
    }
    expectError(runTessel({"predict", path("notes.txt"), "--image", image}),
                {"notes.txt is neither a Tessel project nor a Keras model file"});
    expectError(runTessel({"predict", path("fake.tessel"), "--image", image}),
                {"fake.tessel", "not a Tessel project"});
    // The project is untouched by all of this.
    Project project = Project::open(project_.toStdString(), true);
    QCOMPARE(project.integrityCheck(), std::string("ok"));
  }
};

QTEST_APPLESS_MAIN(TestAppPredict)
#include "tst_app_predict.moc"
