// The studio's Search tab for the search GUI tests: shown as a user shows it.
#pragma once

#include <QTabWidget>

#include "ui/MainWindow.h"
#include "ui/search/SearchPanel.h"

namespace tessel::testutil {

// Switches to the Search tab (leaving it first if it is current: showing the tab syncs it with the
// model) and returns its panel; null when the window has no such tab.
inline ui::SearchPanel* showSearchTab(ui::MainWindow& window) {
  QTabWidget* tabs = window.workspaceTabs();
  for (int i = 0; i < tabs->count(); ++i)
    if (tabs->tabText(i) == "Search") {
      tabs->setCurrentIndex(i == 0 ? 1 : 0);
      tabs->setCurrentIndex(i);
      return qobject_cast<ui::SearchPanel*>(tabs->widget(i));
    }
  return nullptr;
}

}  // namespace tessel::testutil
