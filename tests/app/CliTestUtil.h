// Helpers shared by the tests that run the built `tessel` binary headless (QProcess): run a
// program and collect its exit, stdout and stderr; the tiny classifier both feed to the CLI.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace tessel::testutil {

// How a program ended: exit code (-1 when it did not end normally), crashed, and its output.
struct Run {
  int code = -1;
  bool crashed = true;
  QString out, err;
};

inline const QString kTessel = QStringLiteral(TESSEL_BINARY_DIR "/app/tessel");

// Runs `program` with one OpenMP thread; gives up (killing it) after timeoutMs.
inline Run runProgram(const QString& program, const QStringList& args, int timeoutMs = 120000) {
  QProcess p;
  p.setProgram(program);
  p.setArguments(args);
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("OMP_NUM_THREADS", "1");
  p.setProcessEnvironment(env);
  p.start();
  Run r;
  if (!p.waitForStarted(20000)) {
    r.err = "could not start " + program;
    return r;
  }
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out";
    return r;
  }
  r.crashed = p.exitStatus() != QProcess::NormalExit;
  r.code = p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

inline Run runTessel(const QStringList& args, int timeoutMs = 120000) {
  return runProgram(kTessel, args, timeoutMs);
}

// A tiny classifier: 3 features -> Dense(8, relu) -> Dense(2, softmax) (Keras 2 Sequential JSON).
inline constexpr const char* kTinyModel =
    R"({"class_name": "Sequential", "config": {"name": "tiny", "layers": [
  {"class_name": "Dense", "config": {"name": "dense", "units": 8, "activation": "relu",
                                     "batch_input_shape": [null, 3]}},
  {"class_name": "Dense", "config": {"name": "dense_1", "units": 2, "activation": "softmax"}}]}})";

}  // namespace tessel::testutil
