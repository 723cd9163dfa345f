// `tessel search` and `tessel trials` on the bundled wide & deep regressor and scikit-learn's
// diabetes data: trials recorded as runs, the table and CSV/JSON exports, bad input refused
// before anything runs, and a search killed with SIGKILL mid-trial then resumed: no trial lost
// or run twice, the same values as an uninterrupted search, and PRAGMA integrity_check ok.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <set>

#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"

using namespace tessel;

namespace {
const QString kTessel = QStringLiteral(TESSEL_BINARY_DIR "/app/tessel");
const QString kExamples = QStringLiteral(TESSEL_SOURCE_DIR "/resources/examples/wide_deep/");
}  // namespace

class TestAppSearch : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString path(const char* name) { return dir_.filePath(name); }

  int run(const QStringList& args, QString* out = nullptr) {
    QProcess p;
    p.start(kTessel, args);
    if (!p.waitForFinished(300000)) return -1;
    if (out) *out = p.readAllStandardOutput() + p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  }

  // A new project holding the wide & deep model.
  QString project(const char* name) {
    QString p = path(name);
    if (run({"new", p}) != 0 || run({"import", p, kExamples + "model.json"}) != 0) return {};
    return p;
  }

  QStringList search(const QString& project, const QStringList& extra) {
    return QStringList{"search",          project,
                       "--space",         kExamples + "search_space.json",
                       "--data-settings", kExamples + "data.json",
                       "--threads",       "1"} +
           extra;
  }

  void writeFile(const char* name, const char* text) {
    QFile f(path(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
  }

 private slots:
  void initTestCase() { QVERIFY2(QFileInfo::exists(kTessel), qPrintable(kTessel)); }

  void searchRecordsTrialsAndExportsThem() {
    const QString p = project("a.tessel");
    QString out;
    QCOMPARE(
        run(search(p, {"--trials", "3", "--cv", "3", "--epochs", "3", "--seed", "0", "--baseline"}),
            &out),
        0);
    QVERIFY2(out.contains("search 1 of model 'wide_deep': random, 3 trial(s), cv=3"),
             qPrintable(out));
    QVERIFY(out.contains("Search: Running Trial #4"));
    QVERIFY(out.contains("|learning_rate"));
    QVERIFY(out.contains("fold 3/3: val_loss: "));
    QVERIFY(out.contains("Best trial #"));
    QVERIFY(out.contains("Model's own settings (trial #1): val_loss "));

    QString table;
    QCOMPARE(run({"trials", p}, &table), 0);
    QCOMPARE(table.count("finished"), 4);
    QVERIFY(table.contains("(model's own)"));

    QString csv;
    QCOMPARE(run({"trials", p, "--csv"}, &csv), 0);
    QStringList lines = csv.trimmed().split('\n');
    QCOMPARE(lines.size(), 5);
    QVERIFY2(lines[0].startsWith("search,trial,run,status,objective,score,spread,folds,"
                                 "learning_rate,units_1,units_2"),
             qPrintable(lines[0]));
    QVERIFY(lines[0].contains("val_loss"));
    QCOMPARE(lines[2].split(',')[3], QString("finished"));

    QString text;
    QCOMPARE(run({"trials", p, "--json"}, &text), 0);
    QJsonArray trials = QJsonDocument::fromJson(text.toUtf8()).array();
    QCOMPARE(trials.size(), 4);
    QJsonObject second = trials[1].toObject();
    QCOMPARE(second["fold_scores"].toArray().size(), 3);
    double lr = second["hyperparameters"].toObject()["learning_rate"].toDouble();
    QVERIFY(lr >= 3e-4 && lr <= 3e-2);
    QVERIFY(second["final_metrics"].toObject().contains("val_loss"));
    QVERIFY(trials[0].toObject()["baseline"].toBool());
  }

  // Hyperband without folds continues promoted trials (9 + 3 x 2 + 6 + 15 + 2 x 6 + 27 = 75
  // epochs for max_epochs 9, factor 3, instead of 87); with folds they retrain, said so
  // ((3 + 3 + 6) x 2 folds for max_epochs 3).
  void hyperbandContinuesPromotedTrials() {
    const QString p = project("hb.tessel");
    QString out;
    QCOMPARE(run(search(p, {"--tuner", "hyperband", "--trials", "100", "--cv", "1", "--epochs", "9",
                            "--seed", "0", "--verbose", "1"}),
                 &out),
             0);
    QVERIFY2(out.contains("Epochs trained over 23 trial(s): 75 (6 promoted trial(s) continued"),
             qPrintable(out));
    QVERIFY(out.contains("(continues trial "));
    QString text;
    QCOMPARE(run({"trials", p, "--json"}, &text), 0);
    QJsonArray trials = QJsonDocument::fromJson(text.toUtf8()).array();
    QCOMPARE(trials.size(), 23);
    const QJsonObject last = trials[12].toObject();  // bracket 2's last round: 9 epochs
    QVERIFY(last["continues_trial"].toInt() >= 10 && last["continues_trial"].toInt() <= 12);
    QCOMPARE(last["initial_epoch"].toInt(), 3);
    QCOMPARE(last["epochs_trained"].toArray()[0].toInt(), 6);

    const QString q = project("hb_cv.tessel");
    QCOMPARE(run(search(q, {"--tuner", "hyperband", "--trials", "100", "--cv", "2", "--epochs", "3",
                            "--seed", "0", "--verbose", "1"}),
                 &out),
             0);
    QVERIFY2(out.contains("Hyperband with cv=2: promoted trials retrain from scratch"),
             qPrintable(out));
    QVERIFY2(out.contains("Epochs trained over 6 trial(s): 24\n"), qPrintable(out));
  }

  void badInputIsRefusedBeforeAnythingRuns() {
    const QString p = project("bad.tessel");
    writeFile("empty.json", R"({"hyperparameters": []})");
    writeFile("log0.json", R"([{"name": "lr", "target": "optimizer.learning_rate",
                                "distribution": "log_uniform", "min": 0, "max": 0.1}])");
    struct Case {
      QStringList args;
      QString message;
    } cases[] = {
        {{"search", p, "--space", path("empty.json"), "--data-settings", kExamples + "data.json"},
         "the space is empty"},
        {{"search", p, "--space", path("log0.json"), "--data-settings", kExamples + "data.json"},
         "needs bounds > 0"},
        {search(p, {"--cv", "1000"}), "cv=1000 folds is more than the 353 training samples"},
        {search(p, {"--objective", "val_accuracy"}), "'val_accuracy' is never logged"},
        {search(p, {"--tuner", "annealing"}), "unknown tuner 'annealing'"},
    };
    for (const auto& c : cases) {
      QString out;
      QCOMPARE(run(c.args, &out), 1);
      QVERIFY2(out.contains("tessel: error: ") && out.contains(c.message), qPrintable(out));
      QVERIFY(!out.contains("Running Trial"));
    }
    auto project = Project::open(p.toStdString(), true);
    QCOMPARE(project.searches().size(), size_t(0));
    QCOMPARE(project.runs().size(), size_t(0));
  }

  // Sequential, and 2 trials at a time (killed with both running, resumed 2 at a time): the
  // same trials with the same fold scores as the sequential reference.
  void killedSearchResumesWithoutLosingOrRepeatingTrials_data() {
    QTest::addColumn<QString>("parallel");
    QTest::newRow("sequential") << "1";
    QTest::newRow("2 at a time") << "2";
  }
  void killedSearchResumesWithoutLosingOrRepeatingTrials() {
    QFETCH(QString, parallel);
    const QStringList options = {"--trials", "6",      "--cv", "2",         "--epochs",
                                 "1500",     "--seed", "4",    "--verbose", "0"};
    QString reference = path("ref.tessel");  // one sequential reference for both rows
    if (!QFileInfo::exists(reference)) {
      reference = project("ref.tessel");
      QCOMPARE(run(search(reference, options)), 0);
    }
    const auto expected = SearchRun::trialsOf(Project::open(reference.toStdString(), true), 1);
    QCOMPARE(expected.size(), size_t(6));

    const QString p = project(qPrintable("kill" + parallel + ".tessel"));
    QProcess proc;
    proc.start(kTessel, search(p, options) << "--parallel" << parallel);
    QVERIFY(proc.waitForStarted());
    // Kill while trial 3 (or a later one) is running, after two have finished.
    QElapsedTimer timer;
    timer.start();
    bool killed = false;
    while (timer.elapsed() < 120000 && proc.state() == QProcess::Running) {
      QThread::msleep(20);
      try {
        auto project = Project::open(p.toStdString(), true);
        auto trials = SearchRun::trialsOf(project, 1);
        int running = 0;
        for (const auto& t : trials) running += t.status == "running";
        if (trials.size() >= 3 && running == parallel.toInt()) {
          ::kill(static_cast<pid_t>(proc.processId()), SIGKILL);
          killed = true;
          break;
        }
      } catch (const std::exception&) {
        // The file is being written: look again.
      }
    }
    proc.waitForFinished(10000);
    QVERIFY2(killed, "the search ended before it could be killed mid-trial");
    {
      auto project = Project::open(p.toStdString());  // marks the killed trial's run interrupted
      QCOMPARE(project.integrityCheck(), std::string("ok"));
      int running = 0;
      for (const auto& t : SearchRun::trialsOf(project, 1))
        if (t.status == "running") {
          ++running;
          QCOMPARE(project.run(t.runId)->status, RunStatus::Interrupted);
        }
      QCOMPARE(running, parallel.toInt());
    }
    QString out;
    QCOMPARE(run({"search", p, "--resume", "1", "--threads", "1", "--parallel", parallel}, &out),
             0);
    QVERIFY2(out.contains("resuming search 1"), qPrintable(out));

    auto project = Project::open(p.toStdString(), true);
    QCOMPARE(project.integrityCheck(), std::string("ok"));
    auto trials = SearchRun::trialsOf(project, 1);
    QCOMPARE(trials.size(), size_t(6));
    std::set<std::int64_t> runs;
    for (size_t i = 0; i < trials.size(); ++i) {
      QCOMPARE(trials[i].index, int(i));
      QCOMPARE(trials[i].status, std::string("finished"));
      QCOMPARE(trials[i].values, expected[i].values);
      QCOMPARE(trials[i].foldScores, expected[i].foldScores);
      runs.insert(trials[i].runId);
    }
    QCOMPARE(runs.size(), size_t(6));
    QCOMPARE(project.runs().size(), size_t(6));  // the killed trial's run was replaced
  }
};

QTEST_GUILESS_MAIN(TestAppSearch)
#include "tst_app_search.moc"
