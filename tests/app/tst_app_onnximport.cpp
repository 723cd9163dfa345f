// `tessel import PROJECT MODEL.onnx` (engine/session/ImportModelFile.h): the PyTorch CNN fixture
// becomes a model with an "imported" run whose checkpoint predicts PyTorch's outputs; a file the
// importer refuses (unknown opset, unsupported operator, unknown layout, truncated) or a name
// already taken exits non-zero with the reason and leaves the project as it was.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

#include "engine/io/OnnxImport.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

const QString kFixtures = QStringLiteral(TESSEL_FIXTURES_DIR "/onnx/");

struct Counts {
  size_t models = 0, runs = 0;
  bool operator==(const Counts& o) const { return models == o.models && runs == o.runs; }
};

Counts counts(const QString& path) {
  Project p = Project::open(path.toStdString(), /*readOnly=*/true);
  return {p.models().size(), p.runs().size()};
}

}  // namespace

class TestOnnxImportCli : public QObject {
  Q_OBJECT
 private slots:
  void importsModelAndWeights() {
    QTemporaryDir dir;
    const QString project = dir.filePath("p.tessel");
    QCOMPARE(runTessel({"new", project}).code, 0);
    Run r = runTessel({"import", project, kFixtures + "torch_cnn.onnx"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("as model 'torch_cnn'") && r.out.contains("weights as run"),
             qPrintable(r.out));

    Project p = Project::open(project.toStdString(), /*readOnly=*/true);
    QCOMPARE(p.models().size(), size_t(1));
    const ModelRecord model = p.models().front();
    QCOMPARE(QString::fromStdString(model.name), QString("torch_cnn"));
    const auto runs = p.runs();
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runs[0].status, RunStatus::Finished);
    QVERIFY(runs[0].settings.contains("imported"));
    auto checkpoint = p.checkpoint(runs[0].id, "last");
    QVERIFY(checkpoint.has_value());

    // The recorded weights give PyTorch's outputs (fixture input NCHW -> NHWC).
    Model m(ModelSpec::fromKerasJson(model.spec), 0);
    restoreCheckpointWeights(m, *checkpoint);
    std::ifstream in((kFixtures + "torch_cnn.json").toStdString());
    const json io = json::parse(in);
    const json& x = io["input"];
    const Index n = Index(x.size()), c = Index(x[0].size()), h = Index(x[0][0].size()),
                w = Index(x[0][0][0].size());
    Tensor t({n, h, w, c});
    for (Index a = 0; a < n; ++a)
      for (Index ch = 0; ch < c; ++ch)
        for (Index i = 0; i < h; ++i)
          for (Index j = 0; j < w; ++j) t[((a * h + i) * w + j) * c + ch] = x[a][ch][i][j];
    RunContext ctx;
    m.forward({&t}, false, ctx);
    const Tensor& y = m.output(0);
    float d = 0;
    for (Index a = 0; a < n; ++a)
      for (Index k = 0; k < y.shape()[1]; ++k)
        d = std::max(d, std::abs(y[a * y.shape()[1] + k] - io["output"][a][k].get<float>()));
    qInfo("imported run vs PyTorch: max |diff| %.3g", double(d));
    QVERIFY(d <= 1e-5f);
  }

  void refusedFilesChangeNothing() {
    QTemporaryDir dir;
    const QString project = dir.filePath("p.tessel");
    QCOMPARE(runTessel({"new", project}).code, 0);
    QCOMPARE(runTessel({"import", project, kFixtures + "torch_mlp.onnx"}).code, 0);
    const Counts before = counts(project);
    QCOMPARE(before.runs, size_t(1));

    // A truncated copy of a real model.
    std::ifstream src((kFixtures + "torch_cnn.onnx").toStdString(), std::ios::binary);
    std::stringstream bytes;
    bytes << src.rdbuf();
    const std::string all = bytes.str();
    const QString cut = dir.filePath("cut.onnx");
    std::ofstream(cut.toStdString(), std::ios::binary) << all.substr(0, all.size() / 2);

    const std::vector<std::pair<QString, QString>> bad = {
        {kFixtures + "bad_opset.onnx", "opset 99 is not supported"},
        {kFixtures + "two_inputs.onnx", "unknown layout"},
        {kFixtures + "foreign_transpose.onnx", "'swap_hw' (Transpose)"},
        {cut, "ONNX import"},
    };
    for (const auto& [file, why] : bad) {
      Run r = runTessel({"import", project, file});
      QVERIFY2(r.code != 0 && !r.crashed, qPrintable(file));
      QVERIFY2(r.err.contains(why), qPrintable(r.err));
      QVERIFY(counts(project) == before);
    }
    // The same name again: refused before anything is written (no model, no run).
    Run r = runTessel({"import", project, kFixtures + "torch_mlp.onnx"});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains("already has a model named 'torch_mlp'"), qPrintable(r.err));
    QVERIFY(counts(project) == before);
    r = runTessel({"import", project, kFixtures + "torch_mlp.onnx", "--name", "mlp2"});
    QCOMPARE(r.code, 0);
    QCOMPARE(counts(project).models, before.models + 1);
  }
};

QTEST_APPLESS_MAIN(TestOnnxImportCli)
#include "tst_app_onnximport.moc"
