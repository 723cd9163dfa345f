#pragma once
// A spin box for floats shown the short way ("0.5", "1e-07") instead of a fixed number of
// decimals; used by the inspector's number fields.
#include <QDoubleSpinBox>

namespace tessel::ui {

class FloatSpinBox : public QDoubleSpinBox {
 public:
  explicit FloatSpinBox(QWidget* parent = nullptr) : QDoubleSpinBox(parent) {
    setDecimals(10);
    setKeyboardTracking(false);
  }
  QString textFromValue(double value) const override { return QString::number(value, 'g', 10); }
  double valueFromText(const QString& text) const override { return text.toDouble(); }
  QValidator::State validate(QString& text, int&) const override {
    bool ok = false;
    text.toDouble(&ok);
    if (ok) return QValidator::Acceptable;
    return text.isEmpty() || text == "-" || text.endsWith('e') || text.endsWith("e-")
               ? QValidator::Intermediate
               : QValidator::Invalid;
  }
};

}  // namespace tessel::ui
