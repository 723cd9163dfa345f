#pragma once
// One source kind's page of the data dialog's Source tab (built-in Fashion-MNIST, the generated
// localization set, an IDX pair, a CSV table, an image folder): its options, what the source at
// a path holds (the result line under the tabs) and the check OK makes.
#include <QString>
#include <QWidget>
#include <string>

#include "engine/data/DataSettings.h"

namespace tessel::ui {

// What a source holds, for the dialog's result line and status-bar summary.
struct SourceReport {
  QString result;        // "1000 images, 2 classes -> x (N, 64, 64, 3), y (N,)"
  QString error;         // a problem that leaves the result shown (e.g. a missing data package)
  QString summary;       // empty: "<kind> <path>"
  int featureWidth = 0;  // CSV: the encoded width of a row
};

class DataSourcePage : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;

  // Fills the page's options from stored settings of its kind.
  virtual void load(const DataSettings&) {}
  // Writes the page's options into `s` (kind, path, split and normalisation already set).
  virtual void store(DataSettings&) const {}
  // Reads the source at `path` (empty for the built-in sets); throws on a source that fails.
  virtual SourceReport describe(const std::string& path) = 0;
  // OK: checks the source as a whole (throws); returns a better summary or empty.
  virtual QString check(const DataSettings&, const std::string&, bool /*givenFiles*/) { return {}; }
  // Browse: the caption of the source's file dialog (empty: nothing to browse).
  virtual QString browseCaption() const { return {}; }
  // A file or folder of this kind (empty when cancelled).
  virtual QString choose(QWidget* parent, const QString& caption, const QString& current) const;
};

}  // namespace tessel::ui
