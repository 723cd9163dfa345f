// Keras 2 .h5 weights of wrapper layers (engine/io/KerasH5.h): a Bidirectional(LSTM) +
// TimeDistributed(Dense) model written by h5py in tf.keras 2.x's layout
// (tests/fixtures/h5/make_wrapper_fixtures.py: model_weights/bidirectional/bidirectional/
// forward_lstm/lstm_cell_1/kernel:0, ...) imports with the same weights and numpy's predictions;
// what we write names the weights as tf.keras does (checked with python3-h5py, skipped with a
// message without it) and reads back bit for bit, as a full model, as Keras 2 weights (by order
// and by name) and as Keras 3 weights; a file whose backward layer lacks a weight is refused
// naming the layer; Adam's state of such a model (Adam/bidirectional/forward_lstm/lstm_cell_1/
// kernel/m:0) maps to TF.js names, restores into a Trainer and is written back under tf.keras's
// names.
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasH5.h"
#include "engine/io/TfjsOptimizerWeights.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"
#include "tests/support/KerasH5Fixtures.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

const std::string kDir = TESSEL_FIXTURES_DIR "/h5/";

json fixtures() {
  std::ifstream in(kDir + "wrappers.json");
  return json::parse(in);
}

bool sameWeights(const NamedWeights& a, const NamedWeights& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || !bitEqual(a[i].second, b[i].second)) return false;
  return true;
}

// Checks with h5py that DIR/model.h5 and DIR/weights2.h5 hold the weights of DIR/expected.json
// (name -> flat values, in the order Keras lists them) under tf.keras 2.x's names.
const char* kCheckScript = R"PY(
import json, sys, h5py, numpy as np
d = sys.argv[1]
expected = json.load(open(d + "/expected.json"))
for path, root in (("model.h5", "model_weights"), ("weights2.h5", "")):
    f = h5py.File(d + "/" + path, "r")
    g = f[root] if root else f
    layers = [n.decode() for n in g.attrs["layer_names"]]
    assert layers[-2:] == ["bidirectional", "time_distributed"], layers
    for layer, names in expected.items():
        listed = [n.decode() for n in g[layer].attrs["weight_names"]]
        assert listed == [n for n, _ in names], (path, listed)
        for name, values in names:
            v = np.asarray(g[layer][name], dtype=np.float32).ravel()
            assert np.array_equal(v, np.asarray(values, dtype=np.float32)), (path, name)
print("ok")
)PY";

}  // namespace

class TestKerasH5Wrappers : public QObject {
  Q_OBJECT

 private slots:
  void readsTfKeras2Layout() {
    const json fx = fixtures()["bidir_td"];
    ModelFile f = readKerasH5Model(kDir + "bidir_td_keras2.h5");
    QCOMPARE(f.spec.name, std::string("bidir_td"));
    // The forward layer's weights first, then the backward's, whatever the cell scopes say.
    expectFixtureWeights(fx["weights"], f.weights);
    expectPredictions(f.spec, f.weights, fx);
    // As a weights-only file into the same model: by order and by name.
    for (WeightsMatch match : {WeightsMatch::ByOrder, WeightsMatch::ByName}) {
      Model model(f.spec, 5);
      QVERIFY(
          sameWeights(readKerasWeightsFile(kDir + "bidir_td_keras2.h5", model, match), f.weights));
    }
  }

  void roundTripsAsH5AndWeightsFiles() {
    ModelFile f = readKerasH5Model(kDir + "bidir_td_keras2.h5");
    QTemporaryDir dir;
    const std::string h5 = dir.filePath("model.h5").toStdString();
    writeKerasH5Model(h5, f);
    ModelFile back = readKerasH5Model(h5);
    QVERIFY(back.spec == f.spec);
    QVERIFY(sameWeights(back.weights, f.weights));
    for (auto layout : {KerasWeightsLayout::Keras2, KerasWeightsLayout::Keras3}) {
      const std::string path =
          dir.filePath(layout == KerasWeightsLayout::Keras2 ? "w.h5" : "w.weights.h5")
              .toStdString();
      writeKerasWeightsH5(path, f.spec, f.weights, layout);
      for (WeightsMatch match : {WeightsMatch::ByOrder, WeightsMatch::ByName}) {
        Model fresh(f.spec, 99);
        QVERIFY(sameWeights(readKerasWeightsFile(path, fresh, match), f.weights));
      }
    }
    // The .keras archive too (Keras 3 weights inside).
    const std::string keras = dir.filePath("model.keras").toStdString();
    writeKerasFile(keras, KerasFileFormat::Keras, f);
    ModelFile k = readAnyModelFile(keras);
    QVERIFY(sameWeights(k.weights, f.weights));
  }

  void h5pySeesTfKerasNames() {
    if (!haveH5py())
      QSKIP(
          "python3-h5py (and numpy) not found: files are written but not checked by h5py "
          "(apt-get install python3-h5py)");
    ModelFile f = readKerasH5Model(kDir + "bidir_td_keras2.h5");
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    writeKerasFile(d + "/model.h5", KerasFileFormat::H5, f);
    writeKerasFile(d + "/weights2.h5", KerasFileFormat::Keras2Weights, f);
    auto values = [&](const std::string& name) {
      json v = json::array();
      const Tensor* t = find(f.weights, name);
      for (Index i = 0; i < t->size(); ++i) v.push_back(t->data()[i]);
      return v;
    };
    json expected = json::object();
    for (const char* dir2 : {"forward", "backward"})
      for (const char* w : {"kernel", "recurrent_kernel", "bias"})
        expected["bidirectional"].push_back(
            {std::string("bidirectional/") + dir2 + "_lstm/lstm_cell/" + w + ":0",
             values(std::string("bidirectional/") + dir2 + "_lstm/" + w)});
    for (const char* w : {"kernel", "bias"})
      expected["time_distributed"].push_back({std::string("time_distributed/") + w + ":0",
                                              values(std::string("time_distributed/") + w)});
    std::ofstream(d + "/expected.json") << expected.dump();
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {"-c", kCheckScript, dir.path()});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0 && out.trimmed() == "ok", qPrintable(out));
  }

  void optimizerStateUnderTfKerasNames() {
    const json fx = fixtures()["bidir_td"];
    ModelFile f = readKerasH5Model(kDir + "bidir_td_adam_keras2.h5");
    // "Adam/bidirectional/forward_lstm/lstm_cell_1/kernel/m:0" -> TF.js's
    // "bidirectional/forward_lstm/kernel/m": iterations, then m, then v of the 8 weights.
    QCOMPARE(f.optimizerWeights.size(), size_t(17));
    QCOMPARE(f.optimizerWeights[0].first, std::string("iter"));
    QCOMPARE(f.optimizerWeights[1].first, std::string("bidirectional/forward_lstm/kernel/m"));
    QCOMPARE(f.optimizerWeights[4].first, std::string("bidirectional/backward_lstm/kernel/m"));
    QCOMPARE(f.optimizerWeights[8].first, std::string("time_distributed/bias/m"));
    QCOMPARE(f.optimizerWeights[16].first, std::string("time_distributed/bias/v"));
    const json& m = fx["optimizer"]["Adam/bidirectional/backward_lstm/lstm_cell_2/kernel/m:0"];
    const Tensor& t = f.optimizerWeights[4].second;
    QCOMPARE(static_cast<size_t>(t.size()), m.size());
    for (Index i = 0; i < t.size(); ++i)
      QCOMPARE(t.data()[i], m[static_cast<size_t>(i)].get<float>());
    // The state restores into a Trainer of the file's training config.
    Model model(f.spec, 0);
    model.loadNamedWeights(f.weights);
    Trainer trainer(model, CompileOptions::fromTrainingConfig(f.trainingConfig, f.spec.outputs));
    setOptimizerWeights(trainer.optimizer(), model.trainableWeights(), trainableWeightNames(model),
                        f.optimizerWeights);
    QCOMPARE(trainer.optimizer().iterations(), 3LL);
    // Written back under tf.keras's names (the cell scope without TF's counter), read back equal.
    QTemporaryDir dir;
    const std::string path = dir.filePath("adam.h5").toStdString();
    writeKerasH5Model(path, f);
    const std::vector<std::string> names =
        h5::H5Node::openFile(path).group("optimizer_weights").stringListAttr("weight_names");
    QCOMPARE(names.size(), size_t(17));
    QCOMPARE(names[0], std::string("Adam/iter:0"));
    QCOMPARE(names[1], std::string("Adam/bidirectional/forward_lstm/lstm_cell/kernel/m:0"));
    QCOMPARE(names[8], std::string("Adam/time_distributed/bias/m:0"));
    ModelFile back = readKerasH5Model(path);
    QVERIFY(sameWeights(back.optimizerWeights, f.optimizerWeights));
  }

  void missingBackwardWeightIsNamed() {
    if (!haveH5py()) QSKIP("python3-h5py not found: the broken file cannot be made");
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.h5");
    QFile::copy(QString::fromStdString(kDir + "bidir_td_keras2.h5"), path);
    QFile(path).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python(), {"-c",
                       "import sys, h5py, numpy as np\n"
                       "g = h5py.File(sys.argv[1], 'r+')['model_weights/bidirectional']\n"
                       "names = list(g.attrs['weight_names'])[:-1]\n"
                       "g.attrs['weight_names'] = np.array(names)\n",
                       path});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAll().constData());
    const std::string e = errorOf([&] { readKerasH5Model(path.toStdString()); });
    QVERIFY2(
        e.find("layer 'bidirectional' (Bidirectional) expects 6 weight(s)") != std::string::npos &&
            e.find("has 5") != std::string::npos,
        e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestKerasH5Wrappers)
#include "tst_engine_io_kerash5wrappers.moc"
