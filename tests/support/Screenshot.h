// Screenshots from GUI tests, for a developer to look at: written only when TESSEL_SCREENSHOTS
// names a folder (created if missing); a plain test run writes nothing outside its build folder.
#pragma once

#include <QDir>
#include <QString>
#include <QWidget>

namespace tessel::testutil {

inline void saveScreenshot(QWidget* w, const QString& file) {
  const QString dir = qEnvironmentVariable("TESSEL_SCREENSHOTS");
  if (dir.isEmpty() || !w || !QDir().mkpath(dir)) return;
  w->grab().save(dir + "/" + file);
}

}  // namespace tessel::testutil
