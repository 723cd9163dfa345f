// The command line's --optimizer, --loss and --metrics: the help lists the catalogs' names (and
// only names the engine builds), a name outside the catalogs is a usage error (exit 2) naming the
// known ones, and the names the help offers are accepted.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "app/CliTestUtil.h"
#include "engine/catalog/LossCatalog.h"
#include "engine/catalog/MetricCatalog.h"
#include "engine/catalog/OptimizerCatalog.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

template <typename Entry>
QString shortName(const Entry& e) {
  return QString::fromStdString(e.aliases.empty() ? e.className : e.aliases.front());
}

}  // namespace

class TestCompileOptions : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kTessel).isExecutable(), qPrintable(kTessel + " is not built"));
    QVERIFY(tmp_.isValid());
    QFile f(tmp_.filePath("tiny.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kTinyModel);
  }

  void helpListsTheCatalogs() {
    const Run r = runTessel({"train", "--help"});
    QCOMPARE(r.code, 0);
    for (const OptimizerEntry& e : optimizerCatalog().all())
      QVERIFY2(r.out.contains(shortName(e)), qPrintable(shortName(e)));
    for (const LossEntry& e : lossCatalog().all())
      QVERIFY2(r.out.contains(shortName(e)), qPrintable(shortName(e)));
    for (const MetricEntry& e : metricCatalog().all())
      QVERIFY2(r.out.contains(shortName(e)), qPrintable(shortName(e)));
    QVERIFY2(!r.out.contains("adadelta"), qPrintable(r.out));  // not implemented: not offered
  }

  void unknownNamesAreUsageErrors() {
    const QString model = tmp_.filePath("tiny.json");
    const QStringList base{"train", model, "--data", "fashion-mnist"};
    Run r = runTessel(base + QStringList{"--loss", "mse", "--optimizer", "adadelta"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--optimizer: unknown optimizer 'adadelta'") && r.err.contains("Adam"),
             qPrintable(r.err));
    r = runTessel(base + QStringList{"--loss", "msq"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("unknown loss 'msq'") && r.err.contains("mse"), qPrintable(r.err));
    r = runTessel(base + QStringList{"--loss", "mse", "--metrics", "accuracy,maee"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("unknown metric 'maee'"), qPrintable(r.err));
  }

 private:
  QTemporaryDir tmp_;
};

QTEST_MAIN(TestCompileOptions)
#include "tst_app_compileoptions.moc"
