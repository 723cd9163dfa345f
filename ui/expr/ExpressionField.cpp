#include "ui/expr/ExpressionField.h"

#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/expr/ExprError.h"

namespace tessel::ui {

namespace {

// The part of `text` shown above the caret: at most 60 characters around `pos`, with "…" where
// cut; `caret` is set to the caret's column in the returned string.
QString excerpt(const QString& text, int pos, int& caret) {
  const int half = 30;
  int from = 0, to = int(text.size());
  if (to > 2 * half) {
    from = std::max(0, std::min(pos - half, to - 2 * half));
    to = std::min(to, from + 2 * half);
  }
  QString w = text.mid(from, to - from);
  caret = pos - from;
  if (from > 0) {
    w.prepend(QChar(0x2026));
    caret += 1;
  }
  if (to < int(text.size())) w.append(QChar(0x2026));
  return w;
}

}  // namespace

ExpressionField::ExpressionField(QWidget* parent) : QWidget(parent) {
  const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  edit_ = new QLineEdit(this);
  edit_->setObjectName("expressionEdit");
  edit_->setFont(mono);
  caret_ = new QLabel(this);
  caret_->setObjectName("expressionCaret");
  caret_->setFont(mono);
  caret_->setTextFormat(Qt::PlainText);
  caret_->setStyleSheet("color: #c62828;");
  caret_->setVisible(false);
  status_ = new QLabel(this);
  status_->setObjectName("expressionStatus");
  status_->setFont(mono);
  status_->setTextFormat(Qt::RichText);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(edit_);
  layout->addWidget(caret_);
  layout->addWidget(status_);
  setVariables({});
  connect(edit_, &QLineEdit::textEdited, this, &ExpressionField::recheck);
  connect(edit_, &QLineEdit::editingFinished, this, [this] {
    if (!last_.ok || edit_->text() == lastCommitted_) return;
    lastCommitted_ = edit_->text();
    emit committed(lastCommitted_);
  });
}

void ExpressionField::setVariables(const std::vector<ExprVariable>& variables) {
  setChecker([variables](const QString& text) { return checkExpression(text, variables); });
}

void ExpressionField::setChecker(Checker checker) {
  checker_ = std::move(checker);
  recheck();
}

ExpressionField::Check ExpressionField::checkWith(const std::function<Shape()>& build) {
  Check c;
  try {
    c.shape = QString::fromStdString(shapeToString(build()));
    c.ok = true;
  } catch (const ExprError& e) {
    c.position = e.position();
    c.message = QString::fromStdString(e.detail());
  } catch (const std::exception& e) {
    c.message = QString::fromStdString(e.what());
  }
  return c;
}

ExpressionField::Check ExpressionField::checkExpression(
    const QString& text, const std::vector<ExprVariable>& variables) {
  return checkWith([&] { return Expression::parse(text.toStdString(), variables).outputShape(); });
}

QString ExpressionField::text() const {
  return edit_->text();
}

void ExpressionField::setText(const QString& text) {
  lastCommitted_ = text;
  if (edit_->text() != text) {
    edit_->setText(text);
    edit_->setCursorPosition(0);
  }
  recheck();
}

void ExpressionField::setPlaceholderText(const QString& text) {
  edit_->setPlaceholderText(text);
}

int ExpressionField::errorColumn() const {
  return !last_.ok && last_.position >= 0 ? last_.position + 1 : -1;
}

QString ExpressionField::errorText() const {
  if (last_.ok) return {};
  return last_.position >= 0 ? tr("column %1: %2").arg(last_.position + 1).arg(last_.message)
                             : last_.message;
}

void ExpressionField::recheck() {
  if (!checker_) return;
  last_ = checker_(edit_->text());
  show(last_);
  emit checked(last_.ok);
}

void ExpressionField::show(const Check& c) {
  edit_->setProperty("exprError", !c.ok);
  edit_->setStyleSheet(c.ok ? QString()
                            : QStringLiteral("QLineEdit { border: 1px solid #c62828; "
                                             "background: #fff4f4; }"));
  if (c.ok) {
    caret_->clear();
    caret_->setVisible(false);
    status_->setText(c.shape.isEmpty()
                         ? QString()
                         : QStringLiteral("<span style='color:#2e7d32'>&#8594; %1</span>")
                               .arg(c.shape.toHtmlEscaped()));
    status_->setToolTip({});
    return;
  }
  const QString text = edit_->text();
  QString caret;
  if (c.position >= 0 && c.position <= text.size()) {
    int column = 0;
    const QString w = excerpt(text, c.position, column);
    caret = w + "\n" + QString(column, QLatin1Char(' ')) + "^";
  }
  caret_->setText(caret);
  caret_->setVisible(!caret.isEmpty());
  const QString html =
      QStringLiteral("<span style='color:#c62828'>%1</span>").arg(errorText().toHtmlEscaped());
  status_->setText(html);
  status_->setToolTip(errorText());
}

}  // namespace tessel::ui
