// engine/session/ImportModelFile: a Keras 2 .h5 (h5py fixture) becomes a model with an imported
// run whose checkpoint holds its weights and Adam state; the run exports back to the same file
// content; a bad file, a taken name or weights that do not fit write nothing.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <functional>

#include "engine/core/Error.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/session/ImportModelFile.h"
#include "engine/store/Project.h"

using namespace tessel;

namespace {

const std::string kDir = TESSEL_FIXTURES_DIR "/h5/";

bool same(const NamedWeights& a, const NamedWeights& b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || a[i].second.shape() != b[i].second.shape() ||
        std::memcmp(a[i].second.data(), b[i].second.data(),
                    sizeof(float) * static_cast<size_t>(a[i].second.size())) != 0)
      return false;
  return true;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

class TestImportModelFile : public QObject {
  Q_OBJECT
 private slots:
  void importsModelWithRunAndOptimizerState() {
    QTemporaryDir dir;
    Project project = Project::create(dir.filePath("p.tessel").toStdString());
    const ModelFile file = readAnyModelFile(kDir + "mlp_keras2.h5");
    ImportedModel m = importModelFile(project, kDir + "mlp_keras2.h5");
    QVERIFY(m.modelId > 0 && m.runId > 0);
    QVERIFY2(m.note.find("Adam optimizer state (7 steps)") != std::string::npos, m.note.c_str());
    const RunRecord run = *project.run(m.runId);
    QCOMPARE(run.status, RunStatus::Finished);
    QVERIFY(run.settings.contains("imported"));
    const Checkpoint c = *project.checkpoint(m.runId, "last");
    QVERIFY(same(checkpointWeights(file.spec, c), file.weights));
    // The run goes back out with the same weights and optimizer state.
    std::string note;
    const ModelFile out = runModelFileWithOptimizer(run, c, &note);
    QVERIFY(same(out.weights, file.weights));
    QVERIFY(same(out.optimizerWeights, file.optimizerWeights));
    // A weights file into the model: a second run.
    const std::int64_t second =
        importWeightsFile(project, m.modelId, kDir + "mlp_weights_keras2.h5");
    QVERIFY(same(checkpointWeights(file.spec, *project.checkpoint(second, "last")), file.weights));
    QCOMPARE(project.runs().size(), size_t(2));
  }

  void failuresWriteNothing() {
    QTemporaryDir dir;
    Project project = Project::create(dir.filePath("p.tessel").toStdString());
    importModelFile(project, kDir + "mlp_keras2.h5");
    std::string e = errorOf([&] { importModelFile(project, kDir + "mlp_keras2.h5"); });
    QVERIFY2(e.find("already has a model named 'mlp'") != std::string::npos, e.c_str());
    e = errorOf([&] { importModelFile(project, kDir + "bad_shape.h5", "other"); });
    QVERIFY2(e.find("dense_1/kernel:0") != std::string::npos, e.c_str());
    e = errorOf([&] { importModelFile(project, kDir + "no_config.keras", "other"); });
    QVERIFY2(e.find("no config.json") != std::string::npos, e.c_str());
    e = errorOf(
        [&] { importWeightsFile(project, project.models()[0].id, kDir + "cnn.weights.h5"); });
    QVERIFY2(e.find("layer 'dense'") != std::string::npos, e.c_str());
    QCOMPARE(project.models().size(), size_t(1));
    QCOMPARE(project.runs().size(), size_t(1));
    QVERIFY(!project.inTransaction());
  }
};

QTEST_APPLESS_MAIN(TestImportModelFile)
#include "tst_engine_session_importmodelfile.moc"
