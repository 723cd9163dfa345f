// The tessel-bench command line: every benchmark listed by its name, the older seed-* names
// accepted as aliases, options parsed by the CLI's parser (common and per benchmark), one-line
// errors with exit 2, and two tiny runs that end with `samples_per_s=N`. Figures are not checked:
// timing never belongs in a test.
#include <QRegularExpression>
#include <QtTest>

#include "app/CliTestUtil.h"
#include "engine/data/FashionMnist.h"

using namespace tessel::testutil;

namespace {

const QString kBench = QStringLiteral(TESSEL_BINARY_DIR "/bench/tessel-bench");

Run runBench(const QStringList& args, int timeoutMs = 300000) {
  return runProgram(kBench, args, timeoutMs);
}

}  // namespace

class TestBenchCli : public QObject {
  Q_OBJECT

  static void expectError(const Run& r, int code, const QString& needle) {
    QVERIFY2(!r.crashed, qPrintable("crashed; stderr: " + r.err));
    QVERIFY2(
        r.code == code,
        qPrintable(
            QString("exit code %1, expected %2; stderr: %3").arg(r.code).arg(code).arg(r.err)));
    const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 1, qPrintable("expected one stderr line, got: " + r.err));
    QVERIFY2(lines[0].startsWith("tessel-bench: error: "), qPrintable(lines[0]));
    QVERIFY2(lines[0].contains(needle), qPrintable(lines[0] + " lacks " + needle));
  }

  static void expectSamplesPerSecond(const Run& r) {
    QVERIFY2(!r.crashed && r.code == 0, qPrintable(r.out + r.err));
    const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    QVERIFY2(QRegularExpression("^samples_per_s=[0-9]+$").match(lines.last()).hasMatch(),
             qPrintable(r.out));
  }

 private slots:
  void helpListsEveryBenchmarkByName() {
    Run r = runBench({"--help"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    for (const char* name :
         {"fashion-mlp", "fashion-cnn", "fashion-separable", "sgemm", "conv-layers", "imagefolder",
          "localization", "responsiveness", "editor", "store", "fortunes-text"})
      QVERIFY2(r.out.contains(QRegularExpression(QString("\n  %1 ").arg(name))),
               qPrintable(QString(name) + " not listed:\n" + r.out));
    QVERIFY2(!r.out.contains("seed-"), qPrintable(r.out));  // aliases are not advertised
    for (const char* option : {"--samples", "--epochs", "--threads", "--help"})
      QVERIFY2(r.out.contains(option), qPrintable(r.out));
  }

  void benchmarkHelpShowsItsOwnOptions() {
    Run r = runBench({"imagefolder", "--help"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith("usage: tessel-bench imagefolder"), qPrintable(r.out));
    for (const char* option : {"--images", "--size", "--cache-mb", "--dir", "--eager",
                               "--batch-size", "--samples", "--threads"})
      QVERIFY2(r.out.contains(option), qPrintable(r.out));
    Run mlp = runBench({"help", "fashion-mlp"});
    QCOMPARE(mlp.code, 0);
    QVERIFY2(mlp.out.startsWith("usage: tessel-bench fashion-mlp"), qPrintable(mlp.out));
    QVERIFY2(!mlp.out.contains("--images"), qPrintable(mlp.out));
  }

  void seedNamesAreAliases() {
    const QList<QPair<QString, QString>> aliases = {{"seed-mlp", "fashion-mlp"},
                                                    {"seed-cnn", "fashion-cnn"},
                                                    {"seed-separable", "fashion-separable"}};
    for (const auto& [alias, name] : aliases) {
      Run r = runBench({alias, "--help"});
      QCOMPARE(r.code, 0);
      QVERIFY2(r.out.startsWith("usage: tessel-bench " + name + " "), qPrintable(r.out));
    }
  }

  void commandLineMistakesExitWithTwo() {
    expectError(runBench({}), 2, "missing benchmark name");
    expectError(runBench({"no-such-bench"}), 2, "no-such-bench");
    expectError(runBench({"--frobnicate"}), 2, "--frobnicate");
    expectError(runBench({"fashion-mlp", "--wat"}), 2, "'tessel-bench fashion-mlp --help'");
    expectError(runBench({"fashion-mlp", "--images", "10"}), 2, "--images");  // not its option
    expectError(runBench({"fashion-mlp", "--samples", "0"}), 2, "--samples");
    expectError(runBench({"fashion-mlp", "--epochs", "two"}), 2, "--epochs");
    expectError(runBench({"fashion-mlp", "extra"}), 2, "extra");
    expectError(runBench({"imagefolder", "--size", "2"}), 2, "--size");
    expectError(runBench({"conv-layers", "--reps=-1"}), 2, "--reps");
  }

  void tesselHasNoBenchCommand() {
    Run help = runTessel({"--help"});
    QCOMPARE(help.code, 0);
    QVERIFY2(!help.out.contains("  bench"), qPrintable(help.out));
    Run r = runTessel({"bench", "fashion-mlp"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("unknown command 'bench'"), qPrintable(r.err));
  }

  void convLayersRunsOnce() {
    expectSamplesPerSecond(runBench({"conv-layers", "--reps", "1", "--threads", "1"}));
  }

  // --parallel 1 and 2 side by side: runs, the trials score the same, the ratio is printed.
  void searchParallelRunsATinySearch() {
    const Run r = runBench(
        {"search-parallel", "--trials", "2", "--cv", "2", "--epochs", "1", "--repeats", "1"});
    QVERIFY2(!r.crashed && r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("same trial scores in all three: yes"), qPrintable(r.out));
    QVERIFY(QRegularExpression("parallel2_speedup=[0-9.]+\\n$").match(r.out).hasMatch());
  }

  void fashionMlpRunsOnATinySlice() {
    if (!tessel::fashionMnistAvailable())
      QSKIP("Fashion-MNIST not installed (Debian's dataset-fashion-mnist)");
    expectSamplesPerSecond(runBench({"seed-mlp", "--samples", "64", "--threads", "1"}));
  }

  // The text classifier beside its PyTorch peer on the same exported ids (one torch thread).
  void fortunesTextRunsBesideThePeer() {
    if (!QFileInfo::exists("/usr/share/games/fortunes/computers"))
      QSKIP("the fortunes package is not installed");
    if (QProcess::execute("/usr/bin/python3", {"-c", "import torch"}) != 0)
      QSKIP("python3-torch is not installed");
    const Run r =
        runBench({"fortunes-text", "--samples", "64", "--threads", "1", "--peer-threads", "1"});
    expectSamplesPerSecond(r);
    QVERIFY2(r.out.contains("RESULT kind=fortunes_text threads=1"), qPrintable(r.out));
    QVERIFY2(r.out.contains("ratio vs the peer's best (1 thread(s))"), qPrintable(r.out));
  }
};

QTEST_APPLESS_MAIN(TestBenchCli)
#include "tst_bench_cli.moc"
