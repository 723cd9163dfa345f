// File > Import model accepts an ONNX file (offscreen, through the real menu action): the PyTorch
// CNN fixture becomes a model on the canvas with its weights kept as an imported run; a file the
// importer refuses shows the reason and adds nothing. TESSEL_SCREENSHOTS=DIR saves the window.
#include <QAction>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/store/Project.h"
#include "ui/MainWindow.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;

class TestUiOnnxImport : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
  }

  void importOnnxThroughTheFileMenu() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("p.tessel");
    Project::create(path.toStdString());
    MainWindow window;
    QStringList errors;
    window.setAskPolicy(
        [&](const QString& title, const QString& text, QMessageBox::StandardButtons) {
          errors << title + ": " + text;
          return QMessageBox::Ok;
        });
    QString next = TESSEL_FIXTURES_DIR "/onnx/torch_cnn.onnx";
    QString filter;
    window.setPathPolicy([&](const QString&, const QString& f, bool) {
      filter = f;
      return next;
    });
    QVERIFY(window.openProject(path));
    window.resize(1280, 800);
    window.show();
    QAction* import = window.findChild<QAction*>("actionImportModel");
    QVERIFY(import);
    QVERIFY(import->text().contains(".onnx"));
    const auto before = window.session()->models().size();
    import->trigger();
    QVERIFY(filter.contains("*.onnx"));
    QVERIFY2(window.lastMessage().contains("kept as an imported run"),
             qPrintable(window.lastMessage() + " | " + errors.join("; ")));
    QCOMPARE(window.session()->models().size(), before + 1);
    QCOMPARE(window.session()->models().back().name, QString("torch_cnn"));
    {
      Project p = Project::open(path.toStdString(), true);
      QCOMPARE(p.runs().size(), size_t(1));
      QVERIFY(p.checkpoint(p.runs()[0].id, "last").has_value());
    }
    if (qEnvironmentVariableIsSet("TESSEL_SCREENSHOTS")) {
      QCoreApplication::processEvents();
      window.grab().save(qEnvironmentVariable("TESSEL_SCREENSHOTS") + "/onnx_import.png");
    }

    // Refused: nothing added, the reason shown.
    next = TESSEL_FIXTURES_DIR "/onnx/two_inputs.onnx";
    import->trigger();
    QCOMPARE(window.session()->models().size(), before + 1);
    QVERIFY2(window.lastMessage().contains("Could not open") ||
                 errors.join(" ").contains("unknown layout"),
             qPrintable(window.lastMessage()));
    Project p = Project::open(path.toStdString(), true);
    QCOMPARE(p.runs().size(), size_t(1));
  }
};

QTEST_MAIN(TestUiOnnxImport)
#include "tst_ui_onnximport.moc"
