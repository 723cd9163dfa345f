// Typing into the data dialog's fields with real key events, shared by tst_ui_dataimport and
// tst_ui_datamenu.
#pragma once

#include <QAbstractSpinBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QtTest>

namespace tessel::testutil {

// Types into a line edit after selecting what it holds (Enter = editingFinished).
inline void typeText(QLineEdit* e, const QString& text) {
  e->setFocus();
  e->selectAll();
  QTest::keyClicks(e, text);
  QTest::keyClick(e, Qt::Key_Return);
}

// Types a number into a spin box after selecting its value; Tab moves on (Enter would be OK).
inline void typeNumber(QAbstractSpinBox* s, const QString& text) {
  s->setFocus();
  s->selectAll();
  QTest::keyClicks(s, text);
  QTest::keyClick(s, Qt::Key_Tab);
  if (auto* d = qobject_cast<QDoubleSpinBox*>(s))
    QCOMPARE(d->value(), text.toDouble());
  else if (auto* i = qobject_cast<QSpinBox*>(s))
    QCOMPARE(i->value(), text.toInt());
}

}  // namespace tessel::testutil
