// The Debian package: `cpack -G DEB` on this build, then dpkg-deb --info / --contents must show
// the binary, the .desktop file, the icons, the AppStream metainfo, the MIME type and the man
// page; the extracted files pass desktop-file-validate and `appstreamcli validate --no-net`; the
// MIME XML compiles with update-mime-database, and GLib (gio) then recognises a Tessel project
// by its glob and, renamed without extension, by the SQLite application_id magic, while a plain
// SQLite file stays SQLite. Tools that are missing skip their part with a message.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/store/Project.h"

namespace {

struct Run {
  int code = -1;
  QString out, err;
};

Run run(const QString& program, const QStringList& args, const QString& dir = {},
        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
        int timeoutMs = 300000) {
  QProcess p;
  p.setProcessEnvironment(env);
  if (!dir.isEmpty()) p.setWorkingDirectory(dir);
  p.start(program, args);
  Run r;
  if (!p.waitForStarted(20000) || !p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    r.err = program + ": did not run";
    return r;
  }
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

bool have(const char* tool) {
  return !QStandardPaths::findExecutable(tool).isEmpty();
}

}  // namespace

class TestAppPackaging : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString deb_;
  QString root_;  // extracted package

 private slots:
  void initTestCase() {
    if (!have("cpack") || !have("dpkg-deb") || !have("dpkg-shlibdeps"))
      QSKIP("cpack, dpkg-deb or dpkg-shlibdeps missing (apt-get install cmake dpkg-dev)");
    QVERIFY(tmp_.isValid());
    const QString config = TESSEL_BINARY_DIR "/CPackConfig.cmake";
    QVERIFY2(QFileInfo::exists(config),
             "no CPackConfig.cmake: is packaging/Packaging.cmake included?");
    Run c = run("cpack", {"--config", config, "-G", "DEB", "-B", tmp_.path()});
    QVERIFY2(c.code == 0, qPrintable(c.out + c.err));
    QStringList debs = QDir(tmp_.path()).entryList({"*.deb"}, QDir::Files);
    QVERIFY2(debs.size() == 1, qPrintable(c.out));
    deb_ = tmp_.filePath(debs[0]);
    root_ = tmp_.filePath("root");
    Run x = run("dpkg-deb", {"-x", deb_, root_});
    QVERIFY2(x.code == 0, qPrintable(x.err));
  }

  void info() {
    Run i = run("dpkg-deb", {"--info", deb_});
    QVERIFY2(i.code == 0, qPrintable(i.err));
    for (const char* field : {"Package: tessel-studio", "Section: science",
                              "Maintainer: ", "Architecture: amd64", "Description: "})
      QVERIFY2(i.out.contains(field), qPrintable(i.out));
    // dpkg-shlibdeps found the shared libraries of the binary.
    QVERIFY2(i.out.contains("Depends: ") && i.out.contains("libqt6widgets6") &&
                 i.out.contains("libprotobuf") && i.out.contains("libsqlite3"),
             qPrintable(i.out));
  }

  void contents() {
    Run c = run("dpkg-deb", {"--contents", deb_});
    QVERIFY2(c.code == 0, qPrintable(c.err));
    for (const char* file :
         {"./usr/bin/tessel", "./usr/share/applications/io.tessel.Studio.desktop",
          "./usr/share/icons/hicolor/scalable/apps/tessel.svg",
          "./usr/share/icons/hicolor/256x256/apps/tessel.png",
          "./usr/share/metainfo/io.tessel.Studio.metainfo.xml",
          "./usr/share/mime/packages/tessel.xml", "./usr/share/man/man1/tessel.1.gz"})
      QVERIFY2(c.out.contains(QString(file) + "\n"), qPrintable(QString(file) + "\n" + c.out));
  }

  void desktopAndAppStreamValidate() {
    if (!have("desktop-file-validate") || !have("appstreamcli"))
      QSKIP("desktop-file-validate or appstreamcli missing (desktop-file-utils, appstream)");
    Run d =
        run("desktop-file-validate", {root_ + "/usr/share/applications/io.tessel.Studio.desktop"});
    QVERIFY2(d.code == 0 && !d.out.contains("error"), qPrintable(d.out + d.err));
    Run a = run("appstreamcli", {"validate", "--no-net",
                                 root_ + "/usr/share/metainfo/io.tessel.Studio.metainfo.xml"});
    QVERIFY2(a.code == 0, qPrintable(a.out + a.err));
  }

  void mimeTypeRecognisesProjects() {
    if (!have("update-mime-database") || !have("gio"))
      QSKIP("update-mime-database or gio missing (shared-mime-info, libglib2.0-bin)");
    // A private MIME database with only the system types plus ours.
    const QString share = tmp_.filePath("share");
    QVERIFY(QDir().mkpath(share + "/mime/packages"));
    QVERIFY(QFile::copy(root_ + "/usr/share/mime/packages/tessel.xml",
                        share + "/mime/packages/tessel.xml"));
    Run u = run("update-mime-database", {share + "/mime"});
    QVERIFY2(u.code == 0 && !u.err.contains("rror"), qPrintable(u.out + u.err));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", share);
    env.insert("XDG_DATA_DIRS", "/usr/share");
    // A real project, the same bytes without the extension, and a plain SQLite file.
    const QString project = tmp_.filePath("files/p.tessel");
    QVERIFY(QDir().mkpath(tmp_.filePath("files")));
    tessel::Project::create(project.toStdString());
    QVERIFY(QFile::copy(project, tmp_.filePath("files/renamed")));
    if (have("sqlite3"))
      run("sqlite3", {tmp_.filePath("files/plain"), "CREATE TABLE t(x); INSERT INTO t VALUES(1);"});
    auto type = [&](const QString& file) {
      Run g = run("gio", {"info", "-a", "standard::content-type", file}, {}, env);
      for (const QString& line : g.out.split('\n'))
        if (line.trimmed().startsWith("standard::content-type:"))
          return line.section(':', -1).trimmed();
      return QString("?") + g.err;
    };
    QCOMPARE(type(project), QString("application/x-tessel-project"));
    QCOMPARE(type(tmp_.filePath("files/renamed")), QString("application/x-tessel-project"));
    if (QFileInfo::exists(tmp_.filePath("files/plain")))
      QCOMPARE(type(tmp_.filePath("files/plain")), QString("application/vnd.sqlite3"));
  }
};

QTEST_APPLESS_MAIN(TestAppPackaging)
#include "tst_app_packaging.moc"
