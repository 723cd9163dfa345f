#pragma once
// A one-line editor for an expression of the expression language (engine/expr) that checks as
// you type: each edit parses the text and infers its shape through a checker (for example
// Expression::parse over the variables of setVariables(), or a layer's program over its input
// shapes). A good expression shows its shape, "→ (None, 3)"; a bad one turns the field red and
// shows the text with a caret under the failing character and the message, e.g.
//
//     x @ x
//       ^
//     column 3: matmul: inner dimensions differ: (None, 3) @ (None, 3)
//
// committed() fires on Enter or when the field loses focus, with a good expression only (a bad
// one stays in the field, shown red, and nothing is committed).
#include <QWidget>
#include <functional>
#include <vector>

#include "engine/expr/Expression.h"

class QLabel;
class QLineEdit;

namespace tessel::ui {

class ExpressionField : public QWidget {
  Q_OBJECT

 public:
  // The result of checking one text: its shape when good, else the failing character (0-based,
  // -1 when the message concerns the whole expression) and the message.
  struct Check {
    bool ok = false;
    QString shape;  // "(None, 3)" (may be empty when the shape is not known yet)
    int position = -1;
    QString message;
  };
  using Checker = std::function<Check(const QString& text)>;

  explicit ExpressionField(QWidget* parent = nullptr);

  // Checks with Expression::parse over these variables (the default: none).
  void setVariables(const std::vector<ExprVariable>& variables);
  void setChecker(Checker checker);
  // The check of Expression::parse(text, variables), ExprError and Error turned into a Check.
  static Check checkExpression(const QString& text, const std::vector<ExprVariable>& variables);
  // Runs `build` (which returns the inferred shape or throws ExprError / Error) as a Check.
  static Check checkWith(const std::function<Shape()>& build);

  QString text() const;
  void setText(const QString& text);  // re-checks; emits nothing
  void setPlaceholderText(const QString& text);

  bool isValid() const { return last_.ok; }
  const Check& lastCheck() const { return last_; }
  QString shapeText() const { return last_.ok ? last_.shape : QString(); }
  int errorColumn() const;    // 1-based column of the failing character; -1: none / whole text
  QString errorText() const;  // "column 3: message" (empty when good)

  QLineEdit* lineEdit() const { return edit_; }
  QLabel* statusLabel() const { return status_; }  // the shape, or the message
  QLabel* caretLabel() const { return caret_; }    // the text and a '^' under the error

 public slots:
  void recheck();  // after the variables' shapes changed (the graph was re-validated)

 signals:
  void checked(bool ok);  // after every check (each edit, setText, recheck)
  void committed(const QString& text);

 private:
  void show(const Check& c);

  QLineEdit* edit_;
  QLabel* caret_;
  QLabel* status_;
  Checker checker_;
  Check last_;
  QString lastCommitted_;
};

}  // namespace tessel::ui
