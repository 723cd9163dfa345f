// File > New Model from Template > keras.applications through the window's real menu: the
// options dialog (include_top off, pooling avg) creates "resnet50" as a model of the project,
// shown in the editor with Keras's layer names and the summary's totals.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "engine/graph/FineTune.h"
#include "ui/MainWindow.h"
#include "ui/editor/ApplicationDialog.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/SummaryPanel.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;

class TestUiShellApplications : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_shellapplications");
  }

  void resnet50FromTheTemplatesMenu() {
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* menu = window.findChild<QMenu*>("menuTemplates");
    QVERIFY(menu);
    QAction* resnet = window.findChild<QAction*>("actionApplication_ResNet50");
    QVERIFY(resnet);
    QVERIFY(menu->actions().contains(resnet));
    bool answered = false;
    QTimer::singleShot(0, [&answered] {
      ApplicationDialog* d = nullptr;
      for (QWidget* top : QApplication::topLevelWidgets())
        if (auto* a = qobject_cast<ApplicationDialog*>(top); a && a->isVisible()) d = a;
      QVERIFY(d);
      QCOMPARE(d->application(), QString("ResNet50"));
      QTest::mouseClick(d->includeTopBox(), Qt::LeftButton, {},
                        QPoint(8, d->includeTopBox()->height() / 2));
      d->poolingBox()->setCurrentIndex(1);  // avg
      QTest::keyClick(d, Qt::Key_Return);   // the default button: Create model
      answered = true;
    });
    resnet->trigger();
    QVERIFY(answered);
    const ProjectSession::Model* m = window.session()->model(window.currentModelId());
    QVERIFY(m);
    QCOMPARE(m->name, QString("resnet50"));
    GraphDocument* doc = window.editor()->document();
    QCOMPARE(doc->spec().outputs, std::vector<std::string>{"avg_pool"});
    QVERIFY(doc->hasNode("conv5_block3_3_bn"));
    QCOMPARE(countParameters(doc->spec()).total, Index(23587712));
    window.editor()->summaryPanel()->refresh();
    QCOMPARE(window.editor()->summaryPanel()->totalParams(), 23587712LL);

    // Without the dialog (options given): VGG16 with 10 classes.
    ApplicationOptions o;
    o.classes = 10;
    QVERIFY2(window.newModelFromApplication("VGG16", o) != 0,
             qPrintable(window.prompts()->lastMessage()));
    QCOMPARE(window.editor()->document()->spec().nodes.size(), size_t(23));
  }
};

QTEST_MAIN(TestUiShellApplications)
#include "tst_ui_shellapplications.moc"
