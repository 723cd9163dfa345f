// `tessel import PROJECT MODEL.onnx` of recurrent models (engine/io/onnx/ImportRecurrentOps.cpp):
// PyTorch's bidirectional GRU becomes a Bidirectional(GRU, merge_mode "concat") model whose
// "imported" run predicts PyTorch's outputs; an LSTM node with clip is refused naming the node and
// leaves the project as it was.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "engine/session/CheckpointRestore.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

const QString kFixtures = QStringLiteral(TESSEL_FIXTURES_DIR "/onnx/");

Tensor tensorFromJson(const json& j) {
  Shape shape;
  for (const json* p = &j; p->is_array(); p = &(*p)[0]) shape.push_back(Index(p->size()));
  std::vector<float> v;
  std::function<void(const json&)> walk = [&](const json& x) {
    if (x.is_array())
      for (const auto& e : x) walk(e);
    else
      v.push_back(x.get<float>());
  };
  walk(j);
  return Tensor(shape, v);
}

}  // namespace

class TestOnnxRecurrentImportCli : public QObject {
  Q_OBJECT
 private slots:
  void importsBidirectionalGru() {
    QTemporaryDir dir;
    const QString project = dir.filePath("p.tessel");
    QCOMPARE(runTessel({"new", project}).code, 0);
    Run r = runTessel({"import", project, kFixtures + "torch_gru_bi.onnx"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("as model 'torch_gru_bi'") && r.out.contains("weights as run"),
             qPrintable(r.out));

    Project p = Project::open(project.toStdString(), /*readOnly=*/true);
    QCOMPARE(p.models().size(), size_t(1));
    const ModelSpec spec = ModelSpec::fromKerasJson(p.models().front().spec);
    const NodeSpec* bi = nullptr;
    for (const auto& n : spec.nodes)
      if (n.className == "Bidirectional") bi = &n;
    QVERIFY(bi);
    QCOMPARE(bi->config["merge_mode"], json("concat"));
    QCOMPARE(bi->config["layer"]["class_name"], json("GRU"));

    auto checkpoint = p.checkpoint(p.runs().front().id, "last");
    QVERIFY(checkpoint.has_value());
    Model m(spec, 0);
    restoreCheckpointWeights(m, *checkpoint);
    std::ifstream in((kFixtures + "torch_gru_bi.json").toStdString());
    const json io = json::parse(in);
    const Tensor x = tensorFromJson(io["input"]);
    RunContext ctx;
    m.forward({&x}, false, ctx);
    float d = 0;
    for (size_t k = 0; k < 2; ++k) {
      const Tensor want = tensorFromJson(io["outputs"][k]);
      const Tensor& got = m.output(k);
      QCOMPARE(got.shape(), want.shape());
      for (Index i = 0; i < got.size(); ++i) d = std::max(d, std::abs(got[i] - want[i]));
    }
    qInfo("imported run vs PyTorch: max |diff| %.3g", double(d));
    QVERIFY(d <= 1e-5f);
  }

  void refusedNodeIsNamed() {
    QTemporaryDir dir;
    const QString project = dir.filePath("p.tessel");
    QCOMPARE(runTessel({"new", project}).code, 0);
    Run r = runTessel({"import", project, kFixtures + "lstm_bad_clip.onnx"});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains("node '/lstm/LSTM' (LSTM)") && r.err.contains("clip"),
             qPrintable(r.err));
    Project p = Project::open(project.toStdString(), /*readOnly=*/true);
    QCOMPARE(p.models().size(), size_t(0));
    QCOMPARE(p.runs().size(), size_t(0));
  }
};

QTEST_APPLESS_MAIN(TestOnnxRecurrentImportCli)
#include "tst_app_onnxrecurrentimport.moc"
