// The gradient playground with real widgets (offscreen): the seed's tf.GradientTape figures typed
// in with the keyboard and read back from the window: f(x) = 3x^2 + 2x - 1 has f'(1) = 8;
// g(x1, x2) = (x1 + 5) x2^2 has gradient (9, 42) at (2, 3) and Hessian [[0, 6], [6, 14]];
// d(3x + x^2)/dx at 5 is 13. Gradient descent steps by the button, the plot holds f and f', and a
// bad function points at its character. Opened from the main window's View menu.
#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QtTest>
#include <cmath>

#include "ui/MainWindow.h"
#include "ui/expr/ExpressionField.h"
#include "ui/expr/GradientPlayground.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

void typeInto(QLineEdit* e, const QString& text) {
  e->setFocus();
  e->selectAll();
  QTest::keyClick(e, Qt::Key_Delete);
  QTest::keyClicks(e, text);
}

void enter(GradientPlayground& p, const QString& f, const QString& point) {
  typeInto(p.functionField()->lineEdit(), f);
  typeInto(p.pointEdit(), point);
}

QString hessianCell(GradientPlayground& p, int i, int j) {
  QTableWidgetItem* item = p.hessianTable()->item(i, j);
  return item ? item->text() : QString("none");
}

double cell(QTableWidget* t, int row, int col) {
  QTableWidgetItem* item = t->item(row, col);
  return item ? item->text().toDouble() : std::nan("");
}

}  // namespace

class TestUiGradientPlayground : public QObject {
  Q_OBJECT

 private slots:
  void seedFigures() {
    GradientPlayground p;
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));

    enter(p, "f(x) = 3*x**2 + 2*x - 1", "1");
    QVERIFY(p.functionField()->isValid());
    QCOMPARE(p.variables(), QStringList{"x"});
    QCOMPARE(p.valueLabel()->text(), QString("4"));  // 3 + 2 - 1
    QCOMPARE(p.gradientLabel()->text(), QString("8"));
    QCOMPARE(hessianCell(p, 0, 0), QString("6"));

    enter(p, "g(x1, x2) = (x1 + 5) * x2**2", "2, 3");
    QCOMPARE(p.variables(), (QStringList{"x1", "x2"}));
    QCOMPARE(p.pointLabel()->text(), QString("at (x1, x2) ="));
    QCOMPARE(p.valueLabel()->text(), QString("63"));
    QCOMPARE(p.gradientLabel()->text(), QString("(9, 42)"));
    QCOMPARE(hessianCell(p, 0, 0), QString("0"));
    QCOMPARE(hessianCell(p, 0, 1), QString("6"));
    QCOMPARE(hessianCell(p, 1, 0), QString("6"));
    QCOMPARE(hessianCell(p, 1, 1), QString("14"));

    // Without a header the variables are the free names.
    enter(p, "3*x + x**2", "5");
    QCOMPARE(p.variables(), QStringList{"x"});
    QCOMPARE(p.gradientLabel()->text(), QString("13"));
    QCOMPARE(p.valueLabel()->text(), QString("40"));

    // The declared order wins over the order of appearance.
    enter(p, "h(b, a) = a * b**3", "2, 5");
    QCOMPARE(p.variables(), (QStringList{"b", "a"}));
    QCOMPARE(p.gradientLabel()->text(), QString("(60, 8)"));  // 3 a b^2, b^3
  }

  void plotHoldsFAndItsDerivative() {
    GradientPlayground p;
    enter(p, "f(x) = 3*x**2 + 2*x - 1", "1");
    p.rangeFromBox()->setValue(-2);
    p.rangeToBox()->setValue(2);
    QCustomPlot* plot = p.plot();
    QCOMPARE(plot->graph(0)->name(), QString("f"));
    QCOMPARE(plot->graph(1)->name(), QString("f'"));
    QCOMPARE(plot->graph(0)->dataCount(), 201);
    QCOMPARE(plot->graph(1)->dataCount(), 201);
    for (int i = 0; i < 201; i += 25) {
      const double x = plot->graph(0)->data()->at(i)->key;
      QVERIFY(std::abs(plot->graph(0)->data()->at(i)->value - (3 * x * x + 2 * x - 1)) < 1e-4);
      QVERIFY(std::abs(plot->graph(1)->data()->at(i)->value - (6 * x + 2)) < 1e-4);
    }
    QCOMPARE(plot->graph(0)->data()->at(0)->key, -2.0);
    QCOMPARE(plot->graph(0)->data()->at(200)->key, 2.0);
  }

  void gradientDescentStepByStep() {
    GradientPlayground p;
    p.show();
    enter(p, "f(x) = 3*x**2 + 2*x - 1", "1");
    p.learningRateBox()->setValue(0.1);
    QCOMPARE(p.pathTable()->rowCount(), 1);
    QTest::mouseClick(p.stepButton(), Qt::LeftButton);
    QCOMPARE(p.pathTable()->rowCount(), 2);
    QVERIFY(std::abs(cell(p.pathTable(), 1, 1) - 0.2) < 1e-6);  // 1 - 0.1 * 8
    QVERIFY(std::abs(cell(p.pathTable(), 1, 2) - (3 * 0.04 + 0.4 - 1)) < 1e-5);
    p.runStepsBox()->setValue(40);
    QTest::mouseClick(p.runButton(), Qt::LeftButton);
    QCOMPARE(p.pathTable()->rowCount(), 42);
    // x_{k+1} + 1/3 = 0.4 (x_k + 1/3): at the minimum -1/3 after 41 steps.
    QVERIFY(std::abs(cell(p.pathTable(), 41, 1) + 1.0 / 3) < 1e-5);
    QVERIFY(std::abs(cell(p.pathTable(), 41, 3)) < 1e-4);  // |f'|
    QCOMPARE(p.plot()->graph(3)->dataCount(), 42);         // the path on the plot
    QTest::mouseClick(p.resetButton(), Qt::LeftButton);
    QCOMPARE(p.pathTable()->rowCount(), 1);

    // Two variables: one step from (2, 3) with rate 0.01 goes against (9, 42).
    enter(p, "g(x1, x2) = (x1 + 5) * x2**2", "2, 3");
    p.learningRateBox()->setValue(0.01);
    QTest::mouseClick(p.stepButton(), Qt::LeftButton);
    QVERIFY(std::abs(cell(p.pathTable(), 1, 1) - (2 - 0.09)) < 1e-6);
    QVERIFY(std::abs(cell(p.pathTable(), 1, 2) - (3 - 0.42)) < 1e-6);
  }

  void badInputPointsAtTheCharacter() {
    GradientPlayground p;
    enter(p, "f(x) = 3*x**2 + 2x", "1");
    QVERIFY(!p.functionField()->isValid());
    QCOMPARE(p.functionField()->errorColumn(), 18);  // the x after 2, in the whole text
    QVERIFY(p.valueLabel()->text().isEmpty());
    enter(p, "f(x) = x * y", "1");
    QCOMPARE(p.functionField()->errorColumn(), 12);
    QVERIFY(p.functionField()->errorText().contains("unknown name 'y'"));
    enter(p, "f(x, y) = x * y", "1");
    QVERIFY(p.functionField()->isValid());
    QVERIFY(p.message().contains("Give 2 values"));
    enter(p, "f(x, y) = x * y", "1, z");
    QVERIFY(p.message().contains("'z' is not a number"));
    enter(p, "f(x, y) = x * y", "2, 7");
    QVERIFY(p.message().isEmpty());
    QCOMPARE(p.gradientLabel()->text(), QString("(7, 2)"));
  }

  void openedFromTheViewMenu() {
    MainWindow w;
    QAction* a = w.menuBar()->findChild<QAction*>("actionGradientPlayground");
    if (!a)
      for (QAction* m : w.menuBar()->actions())
        if (m->menu())
          for (QAction* s : m->menu()->actions())
            if (s->objectName() == "actionGradientPlayground") a = s;
    QVERIFY(a);
    a->trigger();
    auto* p = w.findChild<GradientPlayground*>("gradientPlayground");
    QVERIFY(p);
    QVERIFY(p->isVisible());
    QVERIFY(p->isWindow());
    a->trigger();  // the same window again
    QCOMPARE(w.findChildren<GradientPlayground*>().size(), 1);
  }

  void screenshot() {
    GradientPlayground p;
    p.resize(1180, 720);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    enter(p, "f(x) = 3*x**2 + 2*x - 1", "1");
    p.runStepsBox()->setValue(6);
    QTest::mouseClick(p.runButton(), Qt::LeftButton);
    const QString dir = qEnvironmentVariable("TESSEL_SHOTS");
    if (!dir.isEmpty()) QVERIFY(p.grab().save(dir + "/h16_gradient_playground.png"));
    enter(p, "g(x1, x2) = (x1 + 5) * x2**2", "2, 3");
    if (!dir.isEmpty()) QVERIFY(p.grab().save(dir + "/h16_gradient_playground_2d.png"));
  }
};

QTEST_MAIN(TestUiGradientPlayground)
#include "tst_ui_gradientplayground.moc"
