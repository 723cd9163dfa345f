#include "ui/data/DataDialogFields.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLocale>
#include <QStandardItemModel>
#include <QVariant>
#include <cmath>

namespace tessel::ui {

QString shortestText(double v) {
  for (int digits = 1; digits <= 17; ++digits) {
    const QString t = QString::number(v, 'g', digits);
    if (t.toDouble() == v) return t;
  }
  return QString::number(v, 'g', 17);
}

std::optional<double> parseFactor(const QString& text) {
  const QString t = text.trimmed();
  const QLocale c = QLocale::c();
  bool ok = false;
  const int slash = t.indexOf('/');
  if (slash < 0) {
    const double v = c.toDouble(t, &ok);
    if (ok && std::isfinite(v)) return v;
    return std::nullopt;
  }
  bool okB = false;
  const double a = c.toDouble(t.left(slash).trimmed(), &ok);
  const double b = c.toDouble(t.mid(slash + 1).trimmed(), &okB);
  if (!ok || !okB || b == 0 || !std::isfinite(a / b)) return std::nullopt;
  return a / b;
}

QString factorText(double v) {
  if (v > 0 && v < 1) {
    const double n = std::round(1.0 / v);
    if (n >= 2 && n < 1e9 && 1.0 / n == v) return "1/" + QString::number(qint64(n));
  }
  return shortestText(v);
}

void setExact(QDoubleSpinBox* spin, double v) {
  spin->setValue(v);
  spin->setProperty("exact", v);
}

double exactValue(const QDoubleSpinBox* spin) {
  const QVariant exact = spin->property("exact");
  return exact.isValid() ? exact.toDouble() : spin->value();
}

void forgetExact(QDoubleSpinBox* spin) {
  spin->setProperty("exact", QVariant());
}

QDoubleSpinBox* factorSpin(QWidget* parent, const char* name, const QString& tip) {
  auto* s = new QDoubleSpinBox(parent);
  s->setObjectName(name);
  s->setRange(0, 1);
  s->setDecimals(3);
  s->setSingleStep(0.05);
  s->setToolTip(tip);
  return s;
}

void setItemEnabled(QComboBox* combo, int index, bool enabled) {
  if (auto* model = qobject_cast<QStandardItemModel*>(combo->model()))
    if (QStandardItem* item = model->item(index)) item->setEnabled(enabled);
}

}  // namespace tessel::ui
