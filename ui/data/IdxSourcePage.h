#pragma once
// Source page of an IDX image/label pair (a file of the pair, or a folder holding pairs).
#include "ui/data/DataSourcePage.h"

namespace tessel::ui {

class IdxSourcePage : public DataSourcePage {
  Q_OBJECT
 public:
  explicit IdxSourcePage(QWidget* parent);
  SourceReport describe(const std::string& path) override;
  QString check(const DataSettings& s, const std::string& path, bool givenFiles) override;
  QString browseCaption() const override { return tr("IDX file"); }
};

}  // namespace tessel::ui
