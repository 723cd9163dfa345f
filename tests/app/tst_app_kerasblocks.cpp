// `tessel export` of a model with composite blocks on the built binary: --keras writes each block
// as a nested Keras 3 Functional (config.json) that reads back as the same block with the same
// weights; --keras3 nests it too; --flatten-blocks writes plain layers in every format.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include "engine/graph/Blocks.h"
#include "engine/io/KerasArchive.h"
#include "engine/io/KerasH5.h"
#include "engine/train/Model.h"
#include "engine/train/TrainTestUtil.h"
#include "tests/app/CliTestUtil.h"

using namespace tessel;
using namespace tessel::test;
using namespace tessel::testutil;

namespace {

QString describe(const Run& r) {
  return QString("exit %1\nstdout: %2\nstderr: %3").arg(r.code).arg(r.out, r.err);
}

bool sameWeights(const NamedWeights& a, const NamedWeights& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || a[i].second.shape() != b[i].second.shape() ||
        std::memcmp(a[i].second.data(), b[i].second.data(),
                    sizeof(float) * static_cast<size_t>(a[i].second.size())) != 0)
      return false;
  return true;
}

const json* layerEntry(const json& config, const std::string& name) {
  for (const json& l : config.at("layers"))
    if (l.at("name") == name) return &l;
  return nullptr;
}

}  // namespace

class TestAppKerasBlocks : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString path(const QString& name) const { return tmp_.filePath(name); }

 private slots:
  void exportNestsBlocksUnlessFlattened() {
    // A grouped model as a .keras archive (the export's source; it reads back with its block).
    ModelSpec s =
        makeSpec({inputNode("x", {6}), denseNode("d0", 5, "x", "relu"), denseNode("a", 5, "d0"),
                  node("bn", "BatchNormalization", {"a"}), denseNode("b", 5, "bn", "tanh"),
                  node("add", "Add", {"d0", "b"}), denseNode("head", 2, "add")},
                 {"x"}, {"head"});
    addBlock(s, BlockSpec{"res", {"a", "bn", "b", "add"}, true, ""});
    Model model(s, 3);
    ModelFile f;
    f.spec = s;
    for (auto& [name, var] : model.namedWeights()) f.weights.emplace_back(name, var->value);
    writeKerasArchive(path("src.keras").toStdString(), f);

    Run r = runTessel({"export", path("src.keras"), "--keras", path("nested.keras"), "--keras3",
                       path("nested.json"), "--h5", path("nested.h5")});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const ModelFile nested = readKerasArchive(path("nested.keras").toStdString());
    QCOMPARE(nested.spec.groups.size(), size_t(1));
    QCOMPARE(nested.spec.groups[0].name, std::string("res"));
    QVERIFY(sameWeights(nested.weights, f.weights));
    QFile j(path("nested.json"));
    QVERIFY(j.open(QIODevice::ReadOnly));
    const json k3 = json::parse(j.readAll().toStdString());
    QCOMPARE(layerEntry(k3.at("config"), "res")->at("module"), json("keras.src.models.functional"));
    QCOMPARE(readKerasH5Model(path("nested.h5").toStdString()).spec.groups.size(), size_t(1));

    r = runTessel({"export", path("src.keras"), "--keras", path("flat.keras"), "--keras3",
                   path("flat.json"), "--h5", path("flat.h5"), "--flatten-blocks"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const ModelFile flat = readKerasArchive(path("flat.keras").toStdString());
    QVERIFY(flat.spec.groups.empty());
    QCOMPARE(flat.spec.nodes.size(), s.nodes.size());
    QVERIFY(sameWeights(flat.weights, f.weights));
    QFile jf(path("flat.json"));
    QVERIFY(jf.open(QIODevice::ReadOnly));
    const json k3flat = json::parse(jf.readAll().toStdString());
    QVERIFY(!layerEntry(k3flat.at("config"), "res"));
    QVERIFY(layerEntry(k3flat.at("config"), "bn"));
    QVERIFY(readKerasH5Model(path("flat.h5").toStdString()).spec.groups.empty());
  }
};

QTEST_APPLESS_MAIN(TestAppKerasBlocks)
#include "tst_app_kerasblocks.moc"
