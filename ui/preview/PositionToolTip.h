#pragma once
// Shows the tool tip a widget computes for the mouse position (hides it where there is none).
// For widgets that paint their own cells: call from event(); true when the event was a tool tip.
#include <QHelpEvent>
#include <QToolTip>
#include <QWidget>

namespace tessel::ui {

template <typename TipAt>
bool showPositionToolTip(QWidget* widget, QEvent* e, TipAt tipAt) {
  if (e->type() != QEvent::ToolTip) return false;
  auto* he = static_cast<QHelpEvent*>(e);
  const QString tip = tipAt(he->pos());
  if (tip.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(he->globalPos(), tip, widget);
  return true;
}

}  // namespace tessel::ui
