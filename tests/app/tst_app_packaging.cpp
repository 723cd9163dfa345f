// The Debian package: `cpack -G DEB` on this build, then dpkg-deb --info / --contents must show
// the binary, the .desktop file, the icons, the AppStream metainfo, the MIME type and the man
// page; the extracted files pass desktop-file-validate and `appstreamcli validate --no-net`; the
// MIME XML compiles with update-mime-database, and GLib (gio) then recognises a Tessel project
// by its glob and, renamed without extension, by the SQLite application_id magic, while a plain
// SQLite file stays SQLite. The licence and contact come from cache variables
// (TESSEL_PROJECT_LICENSE, TESSEL_MAINTAINER, TESSEL_HOMEPAGE, ...): the build tree's generated
// metainfo, the Maintainer field, the DEP-5 /usr/share/doc/tessel-studio/copyright and the
// changelog.gz carry this build's values, and packaging/PackagingFiles.cmake run alone with
// -DTESSEL_PROJECT_LICENSE=MIT (and a licence file, maintainer, home page) writes them into
// valid files. Tools that are missing skip their part with a message.
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

QString readText(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

// A value of this build's CMakeCache.txt ("NAME:TYPE=value"); null when absent.
QString cacheValue(const QString& name) {
  for (const QString& line : readText(TESSEL_BINARY_DIR "/CMakeCache.txt").split('\n'))
    if (line.startsWith(name + ":")) return line.section('=', 1);
  return {};
}

// Checks the DEP-5 structure of a copyright file: the header paragraph, one "Files: *" paragraph
// with Copyright and License, and the licence text as continuation lines (one leading space,
// empty lines written " ."). Returns an empty string when it is well formed.
QString dep5Problems(const QString& text, const QString& license, const QString& contact) {
  const QStringList paragraphs = text.trimmed().split("\n\n");
  if (paragraphs.size() != 2)
    return "expected 2 paragraphs, got " + QString::number(paragraphs.size());
  const QStringList head = paragraphs[0].split('\n');
  if (head.value(0) != "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
    return "bad Format line: " + head.value(0);
  if (!head.contains("Upstream-Name: Tessel Studio")) return "no Upstream-Name";
  if (!head.contains("Upstream-Contact: " + contact)) return "no Upstream-Contact " + contact;
  const QStringList files = paragraphs[1].split('\n');
  if (files.value(0) != "Files: *" || !files.value(1).startsWith("Copyright: ") ||
      files.value(2) != "License: " + license)
    return "bad Files paragraph: " + paragraphs[1];
  if (files.size() < 4) return "no licence text after License:";
  for (int i = 3; i < files.size(); ++i)
    if (!files[i].startsWith(' ') || files[i].trimmed().isEmpty())
      return "licence line " + QString::number(i) + " is not a continuation line: '" + files[i] +
             "'";
  return {};
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
    // The maintainer is this build's TESSEL_MAINTAINER.
    const QString maintainer = cacheValue("TESSEL_MAINTAINER");
    QVERIFY2(!maintainer.isEmpty(), "TESSEL_MAINTAINER is not in CMakeCache.txt");
    QVERIFY2(i.out.contains(" Maintainer: " + maintainer + "\n"), qPrintable(i.out));
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
          "./usr/share/mime/packages/tessel.xml", "./usr/share/man/man1/tessel.1.gz",
          "./usr/share/doc/tessel-studio/copyright", "./usr/share/doc/tessel-studio/changelog.gz"})
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

  void licenceAndContactOfThisBuild() {
    // The metainfo generated in the build tree carries the cache value (by default
    // LicenseRef-proprietary) and is the file the package installs.
    const QString license = cacheValue("TESSEL_PROJECT_LICENSE");
    const QString maintainer = cacheValue("TESSEL_MAINTAINER");
    QVERIFY2(!license.isEmpty(), "TESSEL_PROJECT_LICENSE is not in CMakeCache.txt");
    const QString generated =
        readText(TESSEL_BINARY_DIR "/packaging/io.tessel.Studio.metainfo.xml");
    QVERIFY2(generated.contains("<project_license>" + license + "</project_license>"),
             qPrintable(generated));
    QVERIFY2(!generated.contains('@' + QString("TESSEL")), qPrintable(generated));
    const QString email = maintainer.section('<', 1).section('>', 0, 0);
    QVERIFY2(generated.contains("<update_contact>" + email + "</update_contact>"),
             qPrintable(generated));
    QCOMPARE(readText(root_ + "/usr/share/metainfo/io.tessel.Studio.metainfo.xml"), generated);
    // The installed copyright file: DEP-5 with this build's licence and contact.
    const QString copyright = readText(root_ + "/usr/share/doc/tessel-studio/copyright");
    const QString problems = dep5Problems(copyright, license, maintainer);
    QVERIFY2(problems.isEmpty(), qPrintable(problems + "\n" + copyright));
    // The Debian changelog names the package, its version and the maintainer.
    Run z = run("gzip", {"-dc", root_ + "/usr/share/doc/tessel-studio/changelog.gz"});
    QVERIFY2(z.code == 0, qPrintable(z.err));
    QVERIFY2(z.out.startsWith("tessel-studio (" + cacheValue("CMAKE_PROJECT_VERSION") + ") "),
             qPrintable(z.out));
    QVERIFY2(z.out.contains("\n -- " + maintainer + "  "), qPrintable(z.out));
  }

  void licenceVariablesReachTheFiles() {
    if (!have("cmake")) QSKIP("cmake missing");
    // What -DTESSEL_PROJECT_LICENSE=MIT (with a licence file, maintainer and home page) at
    // configure time writes: PackagingFiles.cmake is the part of the configure step that does it.
    const QString out = tmp_.filePath("generated");
    const QString licenseFile = tmp_.filePath("LICENSE");
    {
      QFile f(licenseFile);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(
          "MIT License\n\nCopyright (c) 2026 Jane Doe; [and others]\n\n"
          "Permission is hereby granted, free of charge, to any person.\n");
    }
    const QString script = TESSEL_SOURCE_DIR "/packaging/PackagingFiles.cmake";
    const QStringList common = {"-DTESSEL_GENERATED_DIR=" + out, "-DPROJECT_VERSION=1.2.3"};
    Run c = run(
        "cmake",
        common + QStringList{"-DTESSEL_PROJECT_LICENSE=MIT", "-DTESSEL_LICENSE_FILE=" + licenseFile,
                             "-DTESSEL_MAINTAINER=Jane Doe <jane@example.org>",
                             "-DTESSEL_HOMEPAGE=https://example.org/t?a=1&b=2", "-P", script});
    QVERIFY2(c.code == 0, qPrintable(c.out + c.err));
    const QString metainfo = readText(out + "/io.tessel.Studio.metainfo.xml");
    QVERIFY2(metainfo.contains("<project_license>MIT</project_license>"), qPrintable(metainfo));
    QVERIFY2(metainfo.contains("<update_contact>jane@example.org</update_contact>"),
             qPrintable(metainfo));
    QVERIFY2(metainfo.contains("<url type=\"homepage\">https://example.org/t?a=1&amp;b=2</url>"),
             qPrintable(metainfo));
    if (have("appstreamcli")) {
      Run a = run("appstreamcli", {"validate", "--no-net", out + "/io.tessel.Studio.metainfo.xml"});
      QVERIFY2(a.code == 0, qPrintable(a.out + a.err));
    }
    const QString copyright = readText(out + "/copyright");
    const QString problems = dep5Problems(copyright, "MIT", "Jane Doe <jane@example.org>");
    QVERIFY2(problems.isEmpty(), qPrintable(problems + "\n" + copyright));
    QVERIFY2(copyright.contains("Source: https://example.org/t?a=1&b=2\n"), qPrintable(copyright));
    // The licence text verbatim, blank lines as " .", ';' and '[' kept.
    QVERIFY2(copyright.contains("License: MIT\n MIT License\n .\n Copyright (c) 2026 Jane Doe; "
                                "[and others]\n .\n Permission is hereby granted, free of "
                                "charge, to any person.\n"),
             qPrintable(copyright));
    // Without a licence file: a pointer to the licence instead of an empty text.
    Run d = run("cmake",
                common + QStringList{"-DTESSEL_PROJECT_LICENSE=GPL-3.0-or-later", "-P", script});
    QVERIFY2(d.code == 0, qPrintable(d.out + d.err));
    const QString gpl = readText(out + "/copyright");
    QVERIFY2(dep5Problems(gpl, "GPL-3.0-or-later",
                          "Tessel Studio maintainers "
                          "<maintainers@tessel.invalid>")
                 .isEmpty(),
             qPrintable(gpl));
    // A maintainer without an e-mail address is refused at configure time.
    Run bad = run("cmake", common + QStringList{"-DTESSEL_MAINTAINER=nobody", "-P", script});
    QVERIFY2(bad.code != 0 && bad.err.contains("TESSEL_MAINTAINER must read 'Name <email>'"),
             qPrintable(bad.out + bad.err));
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
