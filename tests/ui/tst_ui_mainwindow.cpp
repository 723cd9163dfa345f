// The main window opens the bundled example model.json and shows its Keras summary; a screenshot
// is saved as <build>/tst_ui_mainwindow.png for a human to look at.
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/MainWindow.h"

class TestUiMainWindow : public QObject {
  Q_OBJECT

 private:
  // The seed classifier example (resources/examples/fashion_mnist_mlp).
  static QString exampleModel() {
    QDir dir(TESSEL_SOURCE_DIR "/resources/examples");
    for (const char* name : {"fashion_mnist_mlp", "seed-mlp"}) {
      if (QFileInfo(dir.filePath(QString(name) + "/model.json")).isFile())
        return dir.filePath(QString(name) + "/model.json");
    }
    const auto subdirs = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString& sub : subdirs)
      if (QFileInfo(dir.filePath(sub + "/model.json")).isFile())
        return dir.filePath(sub + "/model.json");
    return {};
  }

 private slots:
  void opensExampleAndShowsSummary() {
    QString path = exampleModel();
    if (path.isEmpty()) QSKIP("no example model.json under resources/examples yet");
    tessel::ui::MainWindow window;
    QVERIFY(window.openModel(path));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString text = window.summaryText();
    // Keras model.summary() parts.
    QVERIFY2(text.contains("Layer (type)"), qPrintable(text));
    QVERIFY2(text.contains("Output Shape"), qPrintable(text));
    QVERIFY2(text.contains("Total params:"), qPrintable(text));
    QVERIFY2(window.windowTitle().contains("model.json"), qPrintable(window.windowTitle()));

    QPixmap shot = window.grab();
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), window.size() * window.devicePixelRatio());
    const QString png = QStringLiteral(TESSEL_BINARY_DIR "/tst_ui_mainwindow.png");
    QVERIFY(shot.save(png));
    QImage img(png);
    QVERIFY(!img.isNull());
    // Not blank: the text paints dark pixels on a light background.
    int dark = 0;
    for (int y = 0; y < img.height(); y += 2)
      for (int x = 0; x < img.width(); x += 2)
        if (qGray(img.pixel(x, y)) < 100) ++dark;
    QVERIFY2(dark > 200, qPrintable(QString("only %1 dark pixels").arg(dark)));
  }

  void seedClassifierSummaryHasItsLayers() {
    QString path = exampleModel();
    if (path.isEmpty()) QSKIP("no example model.json under resources/examples yet");
    tessel::ui::MainWindow window;
    QVERIFY(window.openModel(path));
    const QString text = window.summaryText();
    QVERIFY2(text.contains("(None, 10)"), qPrintable(text));
    if (!path.contains("fashion_mnist_mlp")) return;
    // The seed: Flatten, 20 x Dense(100, selu), AlphaDropout, Dense(10): 784*100+100 +
    // 19*(100*100+100) + 100*10+10 = 271410 parameters.
    QVERIFY2(text.contains("alpha_dropout (AlphaDropout)"), qPrintable(text));
    QVERIFY2(text.contains("dense_20 (Dense)"), qPrintable(text));
    QVERIFY2(text.contains("78500") && text.contains("10100") && text.contains("1010"),
             qPrintable(text));
    QVERIFY2(text.contains("Total params: 271,410"), qPrintable(text));
  }

  void badFileShowsErrorAndReturnsFalse() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString bad = tmp.filePath("model.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"modelTopology\": {\"class_name\": \"Sequential\", \"config\": ");  // truncated
    f.close();
    tessel::ui::MainWindow window;
    QVERIFY(!window.openModel(bad));
    QVERIFY2(window.summaryText().contains("Could not open"), qPrintable(window.summaryText()));
    QVERIFY(!window.openModel(tmp.filePath("missing.json")));
  }
};

QTEST_MAIN(TestUiMainWindow)
#include "tst_ui_mainwindow.moc"
